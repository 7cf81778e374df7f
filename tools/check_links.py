#!/usr/bin/env python3
"""Check the built site's internal links and anchors, offline.

    python tools/check_links.py [SITE]        # SITE defaults to _build/html

For every HTML page of the site, every local URL it uses (``href`` of ``<a>`` and ``<link>``;
``src`` of ``<img>``, ``<script>``, ``<iframe>``, ``<source>``, ``<embed>``; ``data`` of
``<object>``; each URL of a ``srcset``) must name a file that exists in the site, and every
``#fragment`` on a link to an HTML page (or on a same-page link) must be the ``id`` (or the
``name`` of an ``<a>``) of an element of that page. Local stylesheets are checked too: every
``url(...)`` in a ``.css`` file must name an existing file.

External URLs (``http:``, ``https:``, ``mailto:``, ``//host`` …) are not fetched: the check needs
no network. The canonical ``<link rel="canonical">`` URL is external by design.

Prints one line per problem and exits 1 if there is any, 0 otherwise.
"""

from __future__ import annotations

import argparse
import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent

URL_ATTRS = {
    "a": ("href",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "script": ("src",),
    "iframe": ("src",),
    "source": ("src", "srcset"),
    "embed": ("src",),
    "object": ("data",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
}
CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")
CSS_IMPORT = re.compile(r"""@import\s+(['"])([^'"]+)\1""")


class PageParser(HTMLParser):
    """The ids and the URLs (with their line numbers) of one HTML page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.urls: list[tuple[int, str, str]] = []  # (line, tag, url)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("name"):
            self.ids.add(attrs["name"])
        for attr in URL_ATTRS.get(tag, ()):
            value = attrs.get(attr)
            if not value:
                continue
            if attr == "srcset":
                for candidate in value.split(","):
                    if candidate.strip():
                        self.urls.append((self.getpos()[0], tag, candidate.split()[0]))
            else:
                self.urls.append((self.getpos()[0], tag, value.strip()))

    handle_startendtag = handle_starttag


def is_external(url: str) -> bool:
    parts = urlsplit(url)
    return bool(parts.scheme) or url.startswith("//")


def parse_page(path: Path) -> PageParser:
    parser = PageParser()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    parser.close()
    return parser


def site_pages(site: Path) -> list[Path]:
    """The site's HTML pages: every .html file except the theme's Jinja template fragments that
    themes copy into _static/ (``webpack-macros.html``), which no page links to."""
    return sorted(
        p for p in Path(site).rglob("*.html") if p.relative_to(site).parts[0] not in ("_static", "_sources")
    )


def check_site(site: Path) -> list[str]:
    """Every broken local link or anchor of the site, one message each."""
    site = Path(site).resolve()
    if not (site / "index.html").exists():
        return [f"{site}: no index.html (is this a built site?)"]
    pages = {p.resolve(): parse_page(p) for p in site_pages(site)}
    problems: list[str] = []

    def ids_of(path: Path) -> set[str]:
        if path not in pages:
            pages[path] = parse_page(path)
        return pages[path].ids

    for page, parsed in list(pages.items()):
        rel = page.relative_to(site).as_posix()
        for line, tag, url in parsed.urls:
            if not url or is_external(url) or url.startswith(("javascript:", "data:")):
                continue
            parts = urlsplit(url)
            fragment = unquote(parts.fragment)
            if parts.path:
                target = (page.parent / unquote(parts.path)).resolve()
                if parts.path.endswith("/") or target.is_dir():
                    target = target / "index.html"
            else:
                target = page
            try:
                target.relative_to(site)
            except ValueError:
                problems.append(f"{rel}:{line}: <{tag}> {url}: points outside the site")
                continue
            if not target.is_file():
                problems.append(f"{rel}:{line}: <{tag}> {url}: no such file")
                continue
            if fragment and target.suffix == ".html" and fragment not in ids_of(target):
                where = "this page" if target == page else target.relative_to(site).as_posix()
                problems.append(f"{rel}:{line}: <{tag}> {url}: no id {fragment!r} in {where}")

    for css in sorted(site.rglob("*.css")):
        rel = css.relative_to(site).as_posix()
        text = css.read_text(encoding="utf-8", errors="replace")
        for match in list(CSS_URL.finditer(text)) + list(CSS_IMPORT.finditer(text)):
            url = match.group(2).strip()
            if not url or is_external(url) or url.startswith(("data:", "#")):
                continue
            path = unquote(urlsplit(url).path)
            if path and not (css.parent / path).resolve().is_file():
                line = text.count("\n", 0, match.start()) + 1
                problems.append(f"{rel}:{line}: url({url}): no such file")
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "site", nargs="?", default=str(ROOT / "_build" / "html"), help="the built site (default: _build/html)"
    )
    args = parser.parse_args(argv)
    problems = check_site(Path(args.site))
    for problem in problems:
        print(problem)
    pages = len(site_pages(Path(args.site).resolve()))
    print(f"{len(problems)} broken internal link(s) or anchor(s) in {pages} page(s) of {args.site}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
