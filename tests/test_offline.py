"""The site works offline: no page asks for anything outside its own origin.

The built site is served on 127.0.0.1 and every page is loaded in headless Chromium, in light and
in dark mode. Every request the page makes (scripts, style sheets, fonts, images, MathJax, fetches
made after load) is recorded; one that goes to any other origin is blocked and counted, and the
test lists them. Requests to the site itself must succeed too: a missing local asset is as broken
offline as a CDN. (Pages that tests/test_accessibility.py has opened in the same session, and
kept open while it worked on them, are not loaded again: their requests were recorded then.)
A static check of the HTML and CSS, which needs no browser, covers the same ground for every
file.
"""
from __future__ import annotations

import re

import pytest

from browser.site_browser import (MODES, REDIRECT, REQUESTS, open_page, pages, run_in_chromium,
                                  selected, site_pages_on_disk)
from built_book import require_site

ALL_PAGES = pages() + [REDIRECT]


async def requests_of(context, base_url, path):
    """Load one page (open_page records its requests) and wait until nothing is in flight."""
    page = await open_page(context, base_url, path)
    pending = set()
    page.on("request", lambda request: pending.add(request))
    page.on("requestfinished", lambda request: pending.discard(request))
    page.on("requestfailed", lambda request: pending.discard(request))
    try:
        for _ in range(100):  # at most 5 s
            await page.wait_for_timeout(50)
            if not pending:
                break
    finally:
        await page.close()


@pytest.fixture(scope="module")
def site():
    return require_site()


@pytest.fixture(scope="module")
def loads(request, site):
    """Every page of the site loaded in each selected mode. Pages the accessibility tests already
    opened in this session (and kept open while axe-core and the Tab walk ran) are not loaded
    again; the others are, a few at a time."""
    wanted = [(params["mode"], path) for params in selected(request, "test_no_page_requests_another_origin")
              for path in ALL_PAGES]
    jobs = {key: (key[0], key[1], requests_of) for key in wanted
            if not REQUESTS.get(key, {}).get("loaded")}
    for key, result in run_in_chromium(site, jobs).items():
        if isinstance(result, BaseException):
            REQUESTS[key] = {"error": result}
    return REQUESTS


def test_the_page_list_covers_the_site(site):
    """The pages the browser tests visit are exactly the pages that were built."""
    assert sorted(ALL_PAGES) == site_pages_on_disk(site)


@pytest.mark.parametrize("mode", MODES)
def test_no_page_requests_another_origin(loads, mode):
    off_origin, broken = [], []
    for path in ALL_PAGES:
        seen = loads[mode, path]
        if "error" in seen:
            raise seen["error"]
        assert seen.get("loaded"), f"{path} did not load in {mode} mode"
        off_origin += seen["off_origin"]
        broken += seen["broken"]
    print(f"{mode} mode: {len(ALL_PAGES)} pages, {len(off_origin)} requests to another origin")
    assert not off_origin, (f"{len(off_origin)} request(s) to another origin in {mode} mode:\n"
                            + "\n".join(off_origin))
    assert not broken, "local files that failed to load:\n" + "\n".join(broken)


# -- without a browser: the HTML and CSS name no other origin for anything they load ------------

# Attributes and CSS that make a browser fetch something (links <a href> merely navigate).
LOADING_TAG = re.compile(r"<(script|img|iframe|source|video|audio|embed|object|link)\b[^>]*>", re.I)
LOADING_ATTR = re.compile(r"""\b(src|href|data|poster|srcset)\s*=\s*["']([^"']+)["']""", re.I)
REL = re.compile(r"""\brel\s*=\s*["']([^"']+)["']""", re.I)
CSS_URL = re.compile(r"""(?:url\(\s*["']?|@import\s+["'])([^"')]+)""", re.I)
NAVIGATION_RELS = {"canonical", "alternate", "author", "license", "help", "next", "prev", "search",
                   "index", "top", "up", "copyright", "first", "last", "bookmark"}


def absolute(url: str) -> bool:
    return bool(re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//", url.strip(), re.I))


def test_html_and_css_load_nothing_from_another_origin(site):
    problems = []
    for path in sorted(site.rglob("*.html")):
        if path.relative_to(site).parts[0] == "_sources":
            continue
        html = path.read_text(encoding="utf-8", errors="replace")
        for tag in LOADING_TAG.finditer(html):
            rel = REL.search(tag.group(0))
            if tag.group(1).lower() == "link" and rel and set(rel.group(1).lower().split()) <= NAVIGATION_RELS:
                continue
            for _, url in LOADING_ATTR.findall(tag.group(0)):
                if absolute(url):
                    problems.append(f"{path.relative_to(site)}: {tag.group(0)[:160]}")
        for url in CSS_URL.findall("\n".join(re.findall(r"<style[^>]*>(.*?)</style>", html, re.S))):
            if absolute(url):
                problems.append(f"{path.relative_to(site)}: inline CSS loads {url}")
    for path in sorted(site.rglob("*.css")):
        for url in CSS_URL.findall(path.read_text(encoding="utf-8", errors="replace")):
            if absolute(url):
                problems.append(f"{path.relative_to(site)}: loads {url}")
    assert not problems, "\n".join(problems)


def test_no_page_loads_mathjax_from_another_origin(site):
    """Sphinx would load MathJax from its CDN on any page with maths. The re-analysis has maths,
    written as MathML at build time (_ext/mathml.py), so no page may load MathJax from another
    origin (tests/test_build.py checks that the formulas are there as MathML)."""
    offenders = []
    for path in site.rglob("*.html"):
        for src in re.findall(r"""<script[^>]*\bsrc=["']([^"']*mathjax[^"']*)["']""",
                              path.read_text(encoding="utf-8", errors="replace"), re.I):
            if absolute(src):
                offenders.append(f"{path.relative_to(site)}: {src}")
    assert not offenders, "MathJax from another origin:\n" + "\n".join(offenders)
