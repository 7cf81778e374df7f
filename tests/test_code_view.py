"""Reader view and code view (_ext/code_view.py, _static/code-view.js), in headless Chromium.

On a computed page a reader first sees the argument: every code cell is folded, and a "Show
code" button stands in each cell's place, reachable by keyboard, so the page never hides that a
number was computed. One control in the page header shows or folds every cell; the choice is
remembered on the next page; ``?code=shown`` or ``?code=folded`` in an address sets it. axe-core
finds no serious violation in either view, in light and dark mode. The student edition shows the
code by default. Without JavaScript nothing is folded (the attribute that the style sheet keys on
is set only by the script).
"""
from __future__ import annotations

import re

import pytest

from browser.site_browser import MODES, axe_source, open_page, result_of, run_in_chromium
from built_book import ROOT, require_site
from test_accessibility import AXE_RUN, FAILING_IMPACTS

PAGE = "notebooks/secondary-findings.html"
NEXT_PAGE = "notebooks/a-decade-later.html"
PROSE_PAGE = "book/introduction.html"
STUDENT_SITE = ROOT / "_build" / "student" / "html"

STATE = """() => {
  const visible = (el) => !!el && el.getClientRects().length > 0
                          && getComputedStyle(el).visibility !== "hidden";
  const inputs = [...document.querySelectorAll("div.cell > div.cell_input")]
                 .filter((el) => !el.closest("details"));
  const header = document.querySelector(".code-view-toggle");
  const buttons = [...document.querySelectorAll(".code-view-cell")];
  return {
    mode: document.documentElement.getAttribute("data-code"),
    inputs: inputs.length,
    shown: inputs.filter(visible).length,
    header: header && {text: header.textContent, pressed: header.getAttribute("aria-pressed"),
                       visible: visible(header),
                       inHeader: !!header.closest(".article-header-buttons, .header-article-items__end")},
    buttons: buttons.filter(visible).map((b) => ({
      text: b.textContent, expanded: b.getAttribute("aria-expanded"), tabIndex: b.tabIndex,
      controls: b.getAttribute("aria-controls"),
      controlsExists: !!document.getElementById(b.getAttribute("aria-controls") || "")})),
  };
}"""


async def _axe(page, axe):
    await page.add_script_tag(content=axe)
    return await page.evaluate(AXE_RUN)


async def code_view_job(context, base_url, path, axe):
    """One reader's visit: a folded page, one cell opened by keyboard, all code shown from the
    header, the next page, an address that folds again, and a prose page."""
    out = {}
    page = await open_page(context, base_url, path)
    try:
        out["first"] = await page.evaluate(STATE)
        out["axe_folded"] = await _axe(page, axe)
        # Open one cell with the keyboard: focus its button, press Enter.
        button = page.locator(".code-view-cell").first
        await button.focus()
        await page.keyboard.press("Enter")
        out["one_open"] = await page.evaluate(STATE)
        await page.locator(".code-view-toggle").click()
        out["all_shown"] = await page.evaluate(STATE)
        out["axe_shown"] = await _axe(page, axe)
    finally:
        await page.close()
    page = await open_page(context, base_url, NEXT_PAGE)
    try:
        out["next_page"] = await page.evaluate(STATE)
    finally:
        await page.close()
    page = await open_page(context, base_url, NEXT_PAGE + "?code=folded")
    try:
        out["address_folded"] = await page.evaluate(STATE)
    finally:
        await page.close()
    page = await open_page(context, base_url, PROSE_PAGE)
    try:
        out["prose"] = await page.evaluate(STATE)
        out["stored"] = await page.evaluate("localStorage.getItem('ky2015-code')")
        await page.evaluate("localStorage.removeItem('ky2015-code')")
    finally:
        await page.close()
    return out


@pytest.fixture(scope="module")
def visits():
    site = require_site()
    axe = axe_source()
    jobs = {mode: (mode, PAGE, lambda c, b, p, axe=axe: code_view_job(c, b, p, axe)) for mode in MODES}
    return run_in_chromium(site, jobs)


@pytest.mark.parametrize("mode", MODES)
def test_a_computed_page_opens_folded_with_a_show_code_button_per_cell(visits, mode):
    first = result_of(visits, mode)["first"]
    assert first["mode"] == "folded"
    assert first["inputs"] >= 5 and first["shown"] == 0, first
    assert first["header"] and first["header"]["visible"] and first["header"]["inHeader"]
    assert first["header"]["text"] == "Show all code" and first["header"]["pressed"] == "false"
    assert len(first["buttons"]) == first["inputs"], "every folded cell keeps a visible button"
    for button in first["buttons"]:
        assert button["text"] == "Show code" and button["expanded"] == "false"
        assert button["tabIndex"] >= 0 and button["controlsExists"], button


@pytest.mark.parametrize("mode", MODES)
def test_enter_on_a_cells_button_opens_that_cell_only(visits, mode):
    one = result_of(visits, mode)["one_open"]
    assert one["shown"] == 1, one
    assert one["buttons"][0]["expanded"] == "true" and one["buttons"][0]["text"] == "Hide code"
    assert all(b["expanded"] == "false" for b in one["buttons"][1:])


@pytest.mark.parametrize("mode", MODES)
def test_the_header_control_shows_all_code_and_the_choice_is_remembered(visits, mode):
    visit = result_of(visits, mode)
    shown = visit["all_shown"]
    assert shown["mode"] == "shown" and shown["shown"] == shown["inputs"], shown
    assert shown["header"]["text"] == "Hide all code" and shown["header"]["pressed"] == "true"
    assert shown["buttons"] == [], "no per-cell buttons while all code is shown"
    following = visit["next_page"]
    assert following["mode"] == "shown" and following["shown"] == following["inputs"] > 0
    folded = visit["address_folded"]
    assert folded["mode"] == "folded" and folded["shown"] == 0 and folded["inputs"] > 0
    assert visit["stored"] == "folded", "?code=folded is remembered as the reader's choice"
    assert visit["prose"]["header"] is None, "a prose page has no code control"


@pytest.mark.parametrize("view", ["axe_folded", "axe_shown"])
@pytest.mark.parametrize("mode", MODES)
def test_axe_finds_no_serious_violation_in_either_view(visits, mode, view):
    violations = result_of(visits, mode)[view]
    serious = [v for v in violations if v["impact"] in FAILING_IMPACTS]
    assert not serious, "\n".join(f"{v['id']}: {v['help']} {v['nodes'][:2]}" for v in serious)


def test_without_javascript_nothing_is_folded():
    """The style sheet hides code only under html[data-code="folded"], which only the script sets."""
    site = require_site()
    css = (site / "_static" / "code-view.css").read_text(encoding="utf-8")
    css = re.sub(r"/\*.*?\*/|@media print\s*\{", "", css, flags=re.S)  # print rules: no screen
    hiding = [rule for rule in re.findall(r"([^{}]+)\{([^}]*)\}", css) if "display: none" in rule[1]]
    assert hiding, "code-view.css hides nothing?"
    for selector, _ in hiding:
        selector = " ".join(selector.split())
        assert (selector.startswith('html[data-code="folded"]') or selector == ".code-view-cell"
                or "code-view" in selector), selector
    page = (site / PAGE).read_text(encoding="utf-8")
    assert "data-code=" not in re.search(r"<html[^>]*>", page).group(0)


def _default_of(page: str) -> str:
    match = re.search(r'<meta name="ky2015-code-default" content="(\w+)">', page)
    assert match, "no code-view default in the page"
    return match.group(1)


def test_the_reading_site_folds_and_the_student_site_shows_by_default():
    site = require_site()
    assert _default_of((site / PAGE).read_text(encoding="utf-8")) == "folded"
    student = STUDENT_SITE / PAGE
    if not student.exists():
        pytest.skip("no student site: `make student` builds it")
    assert _default_of(student.read_text(encoding="utf-8")) == "shown"


# --- Code that fits the page ------------------------------------------------------------------
# Notebook code lines are at most 88 characters (tests/test_lesson_code.py); _static/code-view.css
# shrinks the code font, to no less than 11.5px, where a code box is narrower than that at 14px.

COMPUTED_PAGES = sorted(f"notebooks/{p.stem}.html" for p in (ROOT / "notebooks").glob("*.md"))
EVERY_PAGE = COMPUTED_PAGES + sorted(f"book/{p.stem}.html" for p in (ROOT / "book").glob("*.md"))
OVERFLOW = """() => [...document.querySelectorAll("div.cell_input pre")]
  .filter((pre) => pre.scrollWidth > pre.clientWidth + 1)
  .map((pre) => ({first: pre.textContent.split("\\n")[0].slice(0, 60),
                  font: getComputedStyle(pre).fontSize}))"""


async def overflow_job(context, base_url, path):
    page = await open_page(context, base_url, path + "?code=shown")
    try:
        out = {}
        for width in (1280, 1440):
            await page.set_viewport_size({"width": width, "height": 900})
            out[width] = await page.evaluate(OVERFLOW)
        # Reflow (WCAG 1.4.10): on a phone the header's controls and the text fit; the page
        # itself never scrolls sideways (a table or code box may, inside its own box).
        for width in (390, 320):
            await page.set_viewport_size({"width": width, "height": 800})
            out[f"page at {width}"] = await page.evaluate(
                "() => [document.documentElement.scrollWidth, window.innerWidth]")
        return out
    finally:
        await page.close()


@pytest.fixture(scope="module")
def overflow():
    site = require_site()
    return run_in_chromium(site, {path: ("light", path, overflow_job) for path in EVERY_PAGE})


@pytest.mark.parametrize("path", COMPUTED_PAGES)
def test_code_fits_its_box_on_a_laptop_screen(overflow, path):
    for width in (1280, 1440):
        boxes = result_of(overflow, path)[width]
        assert not boxes, f"{path} at {width}px: code boxes that scroll sideways: {boxes}"


@pytest.mark.parametrize("path", EVERY_PAGE)
def test_a_page_fits_a_phone_screen(overflow, path):
    for width in (390, 320):
        scroll, inner = result_of(overflow, path)[f"page at {width}"]
        assert scroll <= inner, f"{path} at {width}px is {scroll}px wide: it scrolls sideways"
