"""The built site in headless Chromium, for tests/test_accessibility.py and tests/test_offline.py.

* ``serve(site)``: the site on 127.0.0.1 (a ``http.server`` in a thread), so that pages load over
  HTTP as they do once published, and "another origin" means anything that is not this server.
* ``run_in_chromium(site, jobs)``: Debian's Chromium (``/usr/bin/chromium``, or ``$CHROMIUM``)
  driven by Playwright, never a browser Playwright downloads. Each job opens one page of the site
  in light or dark mode and returns what it measured; jobs run a few at a time (the page's work
  happens in Chromium's renderer processes, so two or three pages in parallel use the machine's
  cores). When Chromium, Playwright or axe-core is missing the tests are skipped with the reason,
  except under ``CI=true``, where they fail.
* ``pages()``: every page the book publishes: the documents of ``_toc.yml``, the index and search
  pages and the root redirect. ``site_pages_on_disk()`` lists the HTML files actually built, so a
  test can check that the two agree.
"""
from __future__ import annotations

import asyncio
import contextlib
import functools
import http.server
import os
import re
import shutil
import sys
import threading
from pathlib import Path
from typing import Any, Awaitable, Callable
from urllib.parse import urlsplit

import pytest
import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
# As the machine notes prescribe for a root, offline, headless run of Debian's Chromium.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]
MODES = ("light", "dark")
VIEWPORT = {"width": 1280, "height": 900}
PARALLEL = int(os.environ.get("BROWSER_TEST_PARALLEL", "3"))
REDIRECT = "index.html"  # the root page: a redirect to the book's front page


# -- what is missing ----------------------------------------------------------------------------

def unavailable(reason: str):
    """Skip (on a workstation) or fail (under CI=true) for a missing browser tool."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true: nothing may be skipped. {reason}", pytrace=False)
    pytest.skip(reason)


def chromium_executable() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        unavailable("Chromium not found (install Debian's chromium: tools/system-deps.sh chromium, "
                    "or sudo apt-get install chromium)")
    return path


def axe_source() -> str:
    if not AXE.exists():
        unavailable(f"axe-core is not installed in {AXE.parent.parent}: run "
                    "`npm ci --prefix tests/browser`")
    return AXE.read_text(encoding="utf-8")


def _async_playwright():
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        unavailable("the Python package playwright is not installed (pip install -r requirements.txt)")
    return async_playwright


# -- the site -----------------------------------------------------------------------------------

class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A page closed while a file was still being sent (the browser's own favicon.ico request,
        # say) is not an error of the site; anything else is printed as usual.
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


@contextlib.contextmanager
def serve(site: Path):
    """Serve ``site`` on 127.0.0.1 (a free port); yields the base URL, ending in '/'."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def toc_documents() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    docs = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                docs.append(entry["file"])
            walk(entry.get("sections"))
            walk(entry.get("chapters"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return docs


def pages() -> list[str]:
    """Every page of the site (but the root redirect), as paths relative to its root."""
    return [f"{doc}.html" for doc in toc_documents()] + ["genindex.html", "search.html"]


def site_pages_on_disk(site: Path) -> list[str]:
    """The HTML pages in the built site (not the theme's templates under _static/)."""
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")
                  if not p.relative_to(site).parts[0].startswith("_"))


# -- running jobs in Chromium -------------------------------------------------------------------

# A job: (mode, path, coroutine function called with (page, base_url, path)), under a key.
Job = tuple[str, str, Callable[..., Awaitable[Any]]]


# What every page opened here asked of the network, by (mode, path): requests to another origin
# (blocked) and requests to the site that failed. tests/test_offline.py reads it, so that the pages
# the accessibility tests open are not loaded a second time in the same session.
REQUESTS: dict[tuple[str, str], dict[str, list[str]]] = {}
_MODE_OF: dict[int, str] = {}


async def open_page(context, base_url: str, path: str):
    """A new page of ``context`` showing ``path``, whose requests to another origin are blocked
    and recorded in REQUESTS. The root redirect is kept on screen: its immediate refresh is put off
    by a day (axe's meta-refresh rule allows that as it allows an immediate one); nothing else in
    it changes."""
    page = await context.new_page()
    origin = urlsplit(base_url)[:2]
    seen = REQUESTS.setdefault((_MODE_OF.get(id(context), "?"), path),
                               {"off_origin": [], "broken": []})

    async def intercept(route):
        url = route.request.url
        if url.startswith(("data:", "blob:", "about:")) or urlsplit(url)[:2] == origin:
            await route.continue_()
        else:
            seen["off_origin"].append(f"{path}: {route.request.resource_type} {url}")
            await route.abort()

    def response(resp):
        if urlsplit(resp.url)[:2] == origin and resp.status >= 400:
            seen["broken"].append(f"{path}: HTTP {resp.status} {resp.url}")

    page.on("response", response)
    await page.route("**/*", intercept)
    if path == REDIRECT:
        async def delay_refresh(route):
            response = await route.fetch()
            body = await response.text()
            delayed = re.sub(r'(http-equiv="refresh" content=")0;', r"\g<1>86400;", body, flags=re.I)
            await route.fulfill(response=response, body=delayed)
        await page.route(base_url + path, delay_refresh)  # the later route is tried first
    await page.goto(base_url + path, wait_until="load")
    seen["loaded"] = True
    return page


async def _run(site: Path, jobs: dict[Any, Job], parallel: int, async_playwright,
               executable: str) -> dict[Any, Any]:
    results: dict[Any, Any] = {}
    with serve(site) as base_url:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=executable, headless=True,
                                               args=CHROMIUM_ARGS)
            contexts = {}
            for mode in MODES:
                context = await browser.new_context(viewport=VIEWPORT, reduced_motion="reduce")
                # pydata-sphinx-theme reads the reader's choice from localStorage "mode" before
                # the first paint.
                await context.add_init_script(
                    f"try {{ localStorage.setItem('mode', '{mode}'); }} catch (e) {{}}")
                contexts[mode] = context
                _MODE_OF[id(context)] = mode
            slots = asyncio.Semaphore(parallel)

            async def one(key, mode, path, work):
                async with slots:
                    try:
                        results[key] = await work(contexts[mode], base_url, path)
                    except Exception as error:  # reported by the test that asked for this job
                        results[key] = error

            await asyncio.gather(*(one(key, *job) for key, job in jobs.items()))
            await browser.close()
    return results


def run_in_chromium(site: Path, jobs: dict[Any, Job], parallel: int = PARALLEL) -> dict[Any, Any]:
    """Run the jobs, ``parallel`` pages at a time; each key maps to its result or exception."""
    if not jobs:
        return {}
    async_playwright, executable = _async_playwright(), chromium_executable()
    return asyncio.run(_run(site, jobs, parallel, async_playwright, executable))


def result_of(results: dict, key):
    """A job's result; a job that raised fails the test that reads it, with the job's error."""
    result = results[key]
    if isinstance(result, BaseException):
        raise result
    return result


def selected(request, test_name: str) -> list[dict]:
    """The parameters of the selected (not deselected) items of one test of the calling module,
    so that a module-scoped fixture runs in the browser only what will be asserted."""
    module = request.node.module if hasattr(request.node, "module") else None
    return [item.callspec.params for item in request.session.items
            if getattr(item, "originalname", None) == test_name and hasattr(item, "callspec")
            and (module is None or item.module is module)]
