#!/usr/bin/env python3
"""How many bytes a reader downloads for each page of the built site.

    python tools/page_weight.py [SITE] [--max-svg KB] [--max-image KB] [--max-page KB] [--strict]

For every page (every .html file outside ``_static/`` and ``_sources/``) the weight is the page's
HTML plus every local asset it loads: stylesheets, scripts (including ``<link rel="preload">``),
images (``<img>``, ``<source>``, ``<object>``, ``<embed>``), and what stylesheets load in turn
(``@import`` and ``url(...)``: fonts, background images). Each asset counts once per page; for a
``@font-face`` only the first URL of each ``src`` list counts, the one a browser fetches. (A
browser fetches a font only when the page uses it, so fonts are an upper bound; and a browser
caches what pages share, so the figures are what a first visit to that page costs.) Off-site
URLs (a CDN) are counted apart, by number, since their size is not known offline.

Flags (a report, so the exit code is 0 unless --strict):

* a figure (an image under ``_images/``) heavier than --max-svg kB (SVG, default 300) or
  --max-image kB (any other image, default 500);
* a page heavier than --max-page kB in all (default 4000).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent

IMAGE_SUFFIXES = {".svg", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".ico"}
FONT_SUFFIXES = {".woff", ".woff2", ".ttf", ".otf", ".eot"}
CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")
CSS_IMPORT = re.compile(r"""@import\s+(?:url\(\s*)?(['"]?)([^'")\s;]+)\1""")
FONT_FACE = re.compile(r"@font-face\s*\{([^}]*)\}", re.S)
FONT_SRC = re.compile(r"(?<![-\w])src\s*:([^;}]*)", re.S)


class AssetParser(HTMLParser):
    """The URLs of what a page loads (not what it links to)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.assets: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "link":
            rel = (a.get("rel") or "").lower().split()
            if {"stylesheet", "preload", "modulepreload", "icon"} & set(rel) and a.get("href"):
                self.assets.append(a["href"])
        elif tag in ("script", "img", "iframe", "embed", "source", "audio", "video", "track") and a.get(
            "src"
        ):
            self.assets.append(a["src"])
        elif tag == "object" and a.get("data"):
            self.assets.append(a["data"])
        if tag in ("img", "source") and a.get("srcset"):
            first = a["srcset"].split(",")[0].split()
            if first:
                self.assets.append(first[0])

    handle_startendtag = handle_starttag


def _local(base: Path, url: str, site: Path) -> Path | None:
    url = url.strip()
    parts = urlsplit(url)
    if not url or parts.scheme or url.startswith(("//", "#")) or not parts.path:
        return None
    path = (base / unquote(parts.path)).resolve()
    try:
        path.relative_to(site)
    except ValueError:
        return None
    return path


def _external(url: str) -> bool:
    parts = urlsplit(url.strip())
    return parts.scheme in ("http", "https") or url.strip().startswith("//")


def css_assets(css: Path, site: Path, seen: set[Path]) -> tuple[set[Path], set[str]]:
    """The local files a stylesheet loads (recursively) and its off-site URLs."""
    local, external = set(), set()
    if css in seen or not css.is_file():
        return local, external
    seen.add(css)
    text = css.read_text(encoding="utf-8", errors="replace")
    urls = []
    # @font-face: the first URL of each src list, the one a browser that reads it fetches.
    font_spans = []
    for face in FONT_FACE.finditer(text):
        font_spans.append(face.span())
        for src in FONT_SRC.finditer(face.group(1)):
            first = CSS_URL.search(src.group(1))
            if first:
                urls.append(first.group(2))
    for match in CSS_URL.finditer(text):
        if not any(start <= match.start() < end for start, end in font_spans):
            urls.append(match.group(2))
    imports = [m.group(2) for m in CSS_IMPORT.finditer(text)]
    for url in urls + imports:
        if url.startswith("data:"):
            continue
        if _external(url):
            external.add(url)
            continue
        path = _local(css.parent, url, site)
        if path and path.is_file():
            local.add(path)
            if path.suffix == ".css":
                more, ext = css_assets(path, site, seen)
                local |= more
                external |= ext
    return local, external


def kind_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".css":
        return "css"
    if suffix in (".js", ".mjs"):
        return "js"
    if suffix in FONT_SUFFIXES:
        return "font"
    if suffix in IMAGE_SUFFIXES:
        return "image"
    return "other"


def page_weights(site: Path) -> list[dict]:
    site = Path(site).resolve()
    pages = sorted(
        p for p in site.rglob("*.html") if p.relative_to(site).parts[0] not in ("_static", "_sources")
    )
    css_cache: dict[Path, tuple[set[Path], set[str]]] = {}
    rows = []
    for page in pages:
        parser = AssetParser()
        parser.feed(page.read_text(encoding="utf-8", errors="replace"))
        assets: set[Path] = set()
        external: set[str] = set()
        for url in parser.assets:
            if _external(url):
                external.add(url)
                continue
            path = _local(page.parent, url, site)
            if not path or not path.is_file():
                continue
            assets.add(path)
            if path.suffix == ".css":
                if path not in css_cache:
                    css_cache[path] = css_assets(path, site, set())
                more, ext = css_cache[path]
                assets |= more
                external |= ext
        by_kind = defaultdict(int)
        for path in assets:
            by_kind[kind_of(path)] += path.stat().st_size
        html = page.stat().st_size
        rows.append(
            {
                "page": page.relative_to(site).as_posix(),
                "html": html,
                **{k: by_kind.get(k, 0) for k in ("css", "js", "font", "image", "other")},
                "total": html + sum(by_kind.values()),
                "external": len(external),
                "assets": sorted(assets),
            }
        )
    return rows


def heavy_figures(site: Path, max_svg_kb: float, max_image_kb: float) -> list[tuple[str, int, float]]:
    site = Path(site).resolve()
    out = []
    images = site / "_images"
    for path in sorted(images.rglob("*")) if images.is_dir() else []:
        if not path.is_file() or path.suffix.lower() not in IMAGE_SUFFIXES:
            continue
        limit = max_svg_kb if path.suffix.lower() == ".svg" else max_image_kb
        size = path.stat().st_size
        if size > limit * 1000:
            out.append((path.relative_to(site).as_posix(), size, limit))
    return out


def _kb(n: int) -> str:
    return f"{n / 1000:,.1f}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("site", nargs="?", default=str(ROOT / "_build" / "html"))
    ap.add_argument("--max-svg", type=float, default=300, help="kB; flag SVG figures heavier than this")
    ap.add_argument("--max-image", type=float, default=500, help="kB; flag other images heavier than this")
    ap.add_argument("--max-page", type=float, default=4000, help="kB; flag pages heavier than this in all")
    ap.add_argument("--strict", action="store_true", help="exit 1 when anything is flagged")
    args = ap.parse_args(argv)
    site = Path(args.site)
    if not (site / "index.html").exists():
        print(f"no built site at {site}: run `make html` first", file=sys.stderr)
        return 2

    rows = page_weights(site)
    header = ["page", "HTML", "CSS", "JS", "fonts", "images", "total kB", "off-site"]
    table = [
        [
            r["page"],
            _kb(r["html"]),
            _kb(r["css"]),
            _kb(r["js"]),
            _kb(r["font"]),
            _kb(r["image"]),
            _kb(r["total"]),
            str(r["external"]),
        ]
        for r in rows
    ]
    widths = [max(len(row[i]) for row in table + [header]) for i in range(len(header))]
    fmt = "  ".join(["{:<%d}" % widths[0]] + ["{:>%d}" % w for w in widths[1:]])
    print("Page weight (kB = 1000 bytes): the page's HTML plus every local asset it loads")
    print(fmt.format(*header))
    print(fmt.format(*("-" * w for w in widths)))
    for row in table:
        print(fmt.format(*row))

    # The largest shared assets: what every page pays for.
    counts = defaultdict(int)
    for r in rows:
        for path in r["assets"]:
            counts[path] += 1
    most = max(1, len(rows) // 2)
    shared = sorted(
        (p for p, n in counts.items() if n >= most and kind_of(p) != "image"), key=lambda p: -p.stat().st_size
    )[:5]
    if shared:
        print("\nHeaviest assets shared by most pages (each browser fetches them once):")
        for path in shared:
            print(f"  {_kb(path.stat().st_size):>9} kB  {path.relative_to(site.resolve()).as_posix()}")

    flags = []
    for name, size, limit in heavy_figures(site, args.max_svg, args.max_image):
        pages = [r["page"] for r in rows if (site.resolve() / name) in r["assets"]]
        flags.append(f"figure {name}: {_kb(size)} kB > {limit:g} kB (on {', '.join(pages) or 'no page'})")
    for r in rows:
        if r["total"] > args.max_page * 1000:
            flags.append(f"page {r['page']}: {_kb(r['total'])} kB > {args.max_page:g} kB")
    print()
    if flags:
        print(f"FLAGGED ({len(flags)}):")
        for flag in flags:
            print("  " + flag)
    else:
        print(
            f"Nothing flagged (figures: SVG <= {args.max_svg:g} kB, other images <= {args.max_image:g} kB; "
            f"pages <= {args.max_page:g} kB)."
        )
    return 1 if (flags and args.strict) else 0


if __name__ == "__main__":
    sys.exit(main())
