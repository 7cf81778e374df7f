"""What a reader downloads: pages stay light, figures are small vector graphics, and the theme
override that keeps 1.5 MB of script off every page still matches the pinned theme.

The weights come from ``tools/page_weight.py`` (the page's HTML plus every local stylesheet,
script, font and image it loads). ``_templates/static/webpack-macros.html`` is a copy of
pydata-sphinx-theme's own template less the line that loads ``fontawesome.js``; if the theme
is upgraded and its template changes, the copy must be redone, and the last test says so.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from built_book import ROOT, require_site, site_pages

sys.path.insert(0, str(ROOT / "tools"))
from page_weight import heavy_figures, page_weights  # noqa: E402

MAX_PAGE_KB = 2500  # every page measured 1150-1890 kB when the budget was set
OVERRIDE = ROOT / "_templates" / "static" / "webpack-macros.html"


def test_every_page_is_within_its_budget_and_loads_nothing_off_site():
    site = require_site()
    rows = page_weights(site)
    unmeasured = {page.relative_to(site).as_posix() for page in site_pages()} - {row["page"] for row in rows}
    assert not unmeasured, f"pages the weight report missed: {sorted(unmeasured)}"
    heavy = [(row["page"], row["total"] // 1000) for row in rows if row["total"] > MAX_PAGE_KB * 1000]
    assert not heavy, f"pages over {MAX_PAGE_KB} kB: {heavy}"
    off_site = [row["page"] for row in rows if row["external"]]
    assert not off_site, f"pages that load something from another site: {off_site}"
    loads_fontawesome = [row["page"] for row in rows
                         if any(path.name == "fontawesome.js" for path in row["assets"])]
    assert not loads_fontawesome, f"pages that load fontawesome.js again: {loads_fontawesome}"


def test_figures_are_small_vector_graphics():
    site = require_site()
    figures = sorted((site / "_images").glob("*"))
    assert figures and all(path.suffix == ".svg" for path in figures), [p.name for p in figures]
    assert not heavy_figures(site, max_svg_kb=300, max_image_kb=500)


def test_theme_override_is_the_pinned_themes_template_less_fontawesome():
    import pydata_sphinx_theme

    theme = Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme" / "static"
    original = (theme / "webpack-macros.html").read_text(encoding="utf-8")
    version = pydata_sphinx_theme.__version__

    def without_comments(text: str) -> str:
        return re.sub(r"<!--.*?-->", "", text, flags=re.S)

    expected = [line for line in without_comments(original).splitlines()
                if "fontawesome.js" not in line and line.strip()]
    ours = [line for line in without_comments(OVERRIDE.read_text(encoding="utf-8")).splitlines() if line.strip()]
    assert ours == expected, (
        f"pydata-sphinx-theme {version}'s static/webpack-macros.html is no longer the one copied to "
        f"{OVERRIDE.relative_to(ROOT)}: copy it again, less the line that loads fontawesome.js"
    )
    assert f"pydata-sphinx-theme {version}," in OVERRIDE.read_text(encoding="utf-8"), (
        f"{OVERRIDE.relative_to(ROOT)} should name the theme version it was copied from ({version})"
    )
