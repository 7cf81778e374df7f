"""Paths and small readers shared by the tests that inspect the built book."""
import re
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "_build" / "html"
WORK = ROOT / "_build" / "work" / "_build"

# The article's sections, in order, as the table of contents must list them.
ARTICLE_CHAPTERS = [
    ("book/introduction", "Introduction"),
    ("book/background", "Background and political context"),
    ("notebooks/definition-and-scope", "Definition and scope"),
    ("book/literature-review", "Literature review"),
    ("book/methodology", "Methodology"),
    ("notebooks/secondary-findings", "The findings: secondary data"),
    ("book/primary-findings", "The findings: primary data"),
    ("book/conclusions", "Conclusions"),
    ("notebooks/appendix-1", "Appendix 1: sample list of NGOs"),
    ("book/references", "References"),
]


class _Text(HTMLParser):
    """Visible text of a page's main content (no scripts, styles or navigation)."""

    SKIP = {"script", "style", "nav", "header", "footer"}

    def __init__(self):
        super().__init__()
        self.depth_main = 0
        self.skip = 0
        self.parts = []

    def handle_starttag(self, tag, attrs):
        if tag == "main" or (self.depth_main and tag not in ("br", "img", "hr", "meta", "link", "input")):
            self.depth_main += 1
        if self.depth_main and tag in self.SKIP:
            self.skip += 1

    def handle_endtag(self, tag):
        if self.depth_main:
            if tag in self.SKIP and self.skip:
                self.skip -= 1
            self.depth_main -= 1

    def handle_data(self, data):
        if self.depth_main and not self.skip:
            self.parts.append(data)


def html_text(html: str) -> str:
    """The visible text of a page's main content, whitespace folded."""
    parser = _Text()
    parser.feed(html)
    return re.sub(r"\s+", " ", " ".join(parser.parts))


def page_text(path: Path) -> str:
    return html_text(path.read_text(encoding="utf-8"))


def site_pages():
    return sorted(p for p in SITE.rglob("*.html")
                  if not p.relative_to(SITE).parts[0].startswith("_") and p.name not in ("genindex.html", "search.html"))


def require_site() -> Path:
    """The built HTML site; `make html` (or `make test`, which builds it) must have run."""
    if not (SITE / "index.html").exists():
        raise AssertionError(f"no built site at {SITE}: run `make html` first")
    return SITE
