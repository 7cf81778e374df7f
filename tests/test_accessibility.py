"""Accessibility of the built site: axe-core, the keyboard, and figure alt text.

* axe-core (pinned in tests/browser/package-lock.json) runs on every page of the site in headless
  Chromium, once in the theme's light mode and once in its dark mode. No violation of impact
  "serious" or "critical" is allowed; every violation, whatever its impact, is written to
  ``_build/reports/accessibility.json`` and summarised in the test output.
* The keyboard: on every page the test presses Tab until focus comes back round. Each element it
  reaches must have an accessible name and, in light and in dark mode, be on screen and look
  different when it has focus (outline, shadow, border, colour or underline) than when it has
  not. A page whose tab order does not come back round within MAX_TAB_STOPS is a keyboard trap.
  Each drop-down menu (launch, download) opens with Enter, its items are reached with the arrow
  keys, named and visibly focused, and Escape closes it. The search, too, works from the
  keyboard: Tab to its button, Enter, a word, Enter, results (and axe-core checks the open
  search dialog and the results page).
* Alt text (no browser needed): every image has alt text that is neither empty nor a file name,
  and the alt text of each figure is the string its notebook glued as ``<figure name>-alt``,
  computed from the data (so it holds at least one number).

No rule is switched off. The fixes for what axe found on the default theme are in
``_ext/accessibility.py``, ``_templates/`` and ``_static/accessibility.*``.
"""
from __future__ import annotations

import ast
import asyncio
import functools
import html
import json
import re
from collections import defaultdict
from html.parser import HTMLParser

import pytest

from browser.site_browser import (MODES, REDIRECT, axe_source, open_page, pages, result_of,
                                  run_in_chromium, selected)
from built_book import ROOT, WORK, require_site

ALL_PAGES = pages() + [REDIRECT]
FAILING_IMPACTS = {"serious", "critical"}
MAX_TAB_STOPS = 1500
REPORT = ROOT / "_build" / "reports" / "accessibility.json"


# -- the browser runs -----------------------------------------------------------------------------

AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(" "), html: n.html.slice(0, 200),
                              summary: n.failureSummary}))}));
}"""


async def axe_job(context, base_url, path, axe):
    page = await open_page(context, base_url, path)
    try:
        theme = await page.evaluate("document.documentElement.dataset.theme || null")
        await page.add_script_tag(content=axe)
        return {"theme": theme, "violations": await page.evaluate(AXE_RUN)}
    finally:
        await page.close()


# Transitions only interpolate between the styles with and without focus (and slide the skip link
# in): switched off, every style can be read as soon as focus has moved.
NO_TRANSITIONS = ("*, *::before, *::after { transition: none !important; "
                  "animation: none !important; scroll-behavior: auto !important; }")

# Shared by the two scripts below. STYLE: what can be seen of an element's focus styles, for the
# element and its ::before and ::after (an outline only if it is drawn, a border only where it has
# width, an underline's thickness only if there is an underline). PINNED: fixed or sticky, placed
# against the viewport and not the document.
STYLE_JS = """
  const STYLE = (el) => {
    const out = {};
    for (const pseudo of [null, "::before", "::after"]) {
      const s = getComputedStyle(el, pseudo);
      const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0
        ? [s.outlineStyle, s.outlineWidth, s.outlineColor, s.outlineOffset].join(" ") : "none";
      const borders = ["Top", "Right", "Bottom", "Left"].map(side =>
        parseFloat(s[`border${side}Width`]) > 0 && s[`border${side}Style`] !== "none"
          ? [s[`border${side}Width`], s[`border${side}Style`], s[`border${side}Color`]].join(" ")
          : "none").join(", ");
      const underline = s.textDecorationLine === "none" ? "none"
        : [s.textDecorationLine, s.textDecorationThickness, s.textDecorationColor].join(" ");
      out[pseudo || "element"] = [outline, s.boxShadow, s.backgroundColor, s.color, borders,
                                  underline].join(" | ");
    }
    return out;
  };
  const PINNED = (el) => {
    for (let a = el; a && a !== document.documentElement; a = a.parentElement) {
      if (["fixed", "sticky"].includes(getComputedStyle(a).position)) return true;
    }
    return false;
  };
"""

# Record, in order, each element that takes focus, as it takes it: whether it matches
# :focus-visible, its box and whether it is shown. An element is "on screen" if it is not pushed
# outside the page (or the viewport, if fixed or sticky). Note when focus comes back round to an
# element already seen.
RECORD_FOCUS = """() => {""" + STYLE_JS + """
  const root = document.documentElement;
  window.__tabStops = [];
  window.__tabSeen = [];
  window.__tabWrapped = false;
  document.addEventListener("focusin", (event) => {
    const el = event.target;
    if (window.__tabStops.includes(el)) { window.__tabWrapped = true; return; }
    const r = el.getBoundingClientRect(), s = getComputedStyle(el), fixed = PINNED(el);
    const top = fixed ? r.top : r.top + scrollY, left = fixed ? r.left : r.left + scrollX;
    window.__tabStops.push(el);
    window.__tabSeen.push({
      focusVisible: el.matches(":focus-visible"),
      width: r.width, height: r.height,
      onScreen: top + r.height > 0 && left + r.width > 0 && left < root.scrollWidth,
      shown: s.visibility !== "hidden" && Number(s.opacity) > 0,
    });
  }, true);
}"""

# Then, in the theme's light and dark mode, each element is focused again (as from the keyboard,
# so :focus-visible applies) and the styles that can show focus are read, and again with nothing
# focused; last, its accessible name as axe-core computes it. An element that the page has hidden
# since it was reached (the contents sidebar shows the subsections of the section in view only)
# is shown again for the time it is inspected.
INSPECT_STOPS = """(modes) => {""" + STYLE_JS + """
  const reveal = (elements) => {  // show hidden ancestors; returns a function that undoes it
    const changed = [];
    for (const el of elements) {
      for (let a = el; a && a !== document.documentElement; a = a.parentElement) {
        const s = getComputedStyle(a);
        if (s.display === "none" || s.visibility === "hidden") {
          changed.push([a, a.getAttribute("style")]);
          if (s.display === "none") a.style.setProperty("display", "revert", "important");
          if (s.visibility === "hidden") a.style.setProperty("visibility", "visible", "important");
        }
      }
    }
    return () => changed.reverse().forEach(([a, style]) =>
      style === null ? a.removeAttribute("style") : a.setAttribute("style", style));
  };
  const root = document.documentElement, theme = root.dataset.theme;
  const elements = window.__tabStops;
  const stops = elements.map((el, index) => ({
    index, html: el.outerHTML.slice(0, 140), ...window.__tabSeen[index],
    withFocus: {}, withoutFocus: {}, refocused: {}}));
  const undo = reveal(elements);
  try {
    for (const mode of modes) {
      root.dataset.theme = mode;
      for (const [i, el] of elements.entries()) {
        el.focus({focusVisible: true, preventScroll: true});
        stops[i].refocused[mode] = document.activeElement === el && el.matches(":focus-visible");
        stops[i].withFocus[mode] = STYLE(el);
      }
      document.activeElement.blur();
      for (const [i, el] of elements.entries()) stops[i].withoutFocus[mode] = STYLE(el);
    }
    root.dataset.theme = theme;
    axe.setup(document);
    try {
      for (const [i, el] of elements.entries()) {
        const node = axe.utils.getNodeFromTree(el);
        stops[i].name = node ? axe.commons.text.accessibleTextVirtual(node).trim() : "";
        stops[i].role = axe.commons.aria.getRole(el) || el.tagName.toLowerCase();
      }
    } finally {
      axe.teardown();
    }
  } finally {
    undo();
  }
  return stops;
}"""


# The element that has focus inside an open menu: its name (axe-core), whether it is shown, and
# whether its focus can be seen (an outline or shadow drawn, or a background of its own).
MENU_ITEM = """() => {
  const el = document.activeElement;
  const r = el.getBoundingClientRect(), s = getComputedStyle(el);
  axe.setup(document);
  let name = "";
  try { name = axe.commons.text.accessibleTextVirtual(axe.utils.getNodeFromTree(el)).trim(); }
  finally { axe.teardown(); }
  return {
    html: el.outerHTML.slice(0, 140), name,
    inMenu: !!el.closest(".dropdown-menu"),
    shown: r.width > 0 && r.height > 0 && s.visibility !== "hidden",
    indicator: (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== "none",
  };
}"""


async def open_menus(page):
    """Open each visible drop-down menu with Enter, walk its items with the arrow keys, close it
    with Escape. Returns, for each menu, its items and whether focus came back to the toggle."""
    menus = []
    toggles = page.locator("[data-bs-toggle=dropdown]")
    for i in range(await toggles.count()):
        toggle = toggles.nth(i)
        if not await toggle.is_visible():
            continue
        label = await toggle.get_attribute("aria-label") or await toggle.inner_text()
        await toggle.focus()
        await page.keyboard.press("Enter")
        items, last = [], None
        for _ in range(20):
            await page.keyboard.press("ArrowDown")
            item = await page.evaluate(MENU_ITEM)
            if item["html"] == last:
                break  # the last item: Bootstrap's menus do not wrap round
            items.append(item)
            last = item["html"]
        await page.keyboard.press("Escape")
        back = await page.evaluate("document.activeElement.matches('[data-bs-toggle=dropdown]')")
        menus.append({"menu": label, "items": items, "focus_back": back})
    return menus


async def keyboard_job(context, base_url, path, axe, batch=20):
    """Press Tab until focus comes back round, then inspect every element reached, then open
    the drop-down menus (launch, download) from the keyboard."""
    page = await open_page(context, base_url, path)
    try:
        await page.add_style_tag(content=NO_TRANSITIONS)
        await page.evaluate(RECORD_FOCUS)
        for _ in range(0, MAX_TAB_STOPS, batch):
            # The presses of a batch are sent without waiting for each other: they are all the
            # same key, each moves focus one step, and the page records the order focus took.
            await asyncio.gather(*(page.keyboard.press("Tab") for _ in range(batch)))
            if await page.evaluate("window.__tabWrapped"):
                break
        else:
            raise AssertionError(f"{path}: {MAX_TAB_STOPS} Tab presses without coming back round: "
                                 "a keyboard trap?")
        await page.add_script_tag(content=axe)
        stops = await page.evaluate(INSPECT_STOPS, list(MODES))
        return {"stops": stops, "menus": await open_menus(page)}
    finally:
        await page.close()


async def search_job(context, base_url, path, axe):
    """From a page, reach the search button with Tab, open the search with Enter, type a word and
    press Enter: the search page lists results. axe-core checks the open dialog and the results."""
    page = await open_page(context, base_url, path)
    try:
        for _ in range(10):
            await page.keyboard.press("Tab")
            if await page.evaluate("document.activeElement.matches('.search-button__button')"):
                break
        else:
            raise AssertionError(f"{path}: no search button among the first 10 Tab stops")
        await page.keyboard.press("Enter")
        await page.wait_for_function("document.activeElement.matches('input[name=q]')", timeout=5000)
        await page.add_script_tag(content=axe)
        dialog = await page.evaluate(AXE_RUN)
        await page.keyboard.type(SEARCH_WORD)
        async with page.expect_navigation(wait_until="load"):
            await page.keyboard.press("Enter")
        await page.wait_for_function("document.querySelectorAll('#search-results li').length > 0",
                                     timeout=10000)
        results = await page.evaluate("document.querySelectorAll('#search-results li').length")
        await page.add_script_tag(content=axe)
        return {"url": page.url, "results": results, "dialog": dialog,
                "results_page": await page.evaluate(AXE_RUN)}
    finally:
        await page.close()


SEARCH_WORD = "Kazakhstan"


@pytest.fixture(scope="module")
def site():
    return require_site()


@pytest.fixture(scope="module")
def audits(request, site):
    """Every selected axe and keyboard check of this module, run in Chromium a few pages at a time,
    with a report of all axe findings (every impact) in _build/reports/accessibility.json."""
    axe = axe_source()
    jobs = {}
    for params in selected(request, "test_axe_finds_no_serious_violation"):
        jobs["axe", params["mode"], params["path"]] = (
            params["mode"], params["path"], functools.partial(axe_job, axe=axe))
    for params in selected(request, "test_every_control_is_usable_by_keyboard"):
        # The tab order is the same in both modes (one document): the page is walked once, in the
        # light-mode context, and each stop is then inspected under both colour schemes.
        jobs["keyboard", params["path"]] = (
            "light", params["path"], functools.partial(keyboard_job, axe=axe))
    for params in selected(request, "test_search_works_by_keyboard"):
        jobs["search", params["mode"]] = (
            params["mode"], "book/introduction.html", functools.partial(search_job, axe=axe))
    results = run_in_chromium(site, jobs)
    write_report(results)
    return results


def write_report(results):
    report = defaultdict(dict)
    lines = [f"axe-core violations by page, all impacts (details in {REPORT.relative_to(ROOT)}):"]
    for key, result in sorted(results.items(), key=lambda kv: [str(k) for k in kv[0]]):
        if isinstance(result, BaseException):
            continue
        if key[0] == "axe":
            _, mode, path = key
            report[path][mode] = result["violations"]
            summary = ", ".join(f"{v['id']} ({v['impact']}, {len(v['nodes'])} nodes)"
                                for v in result["violations"]) or "none"
            lines.append(f"  {mode:5} {path}: {summary}")
        elif key[0] == "keyboard":
            report[key[1]]["tab_stops"] = len(result["stops"])
            report[key[1]]["menu_items"] = sum(len(menu["items"]) for menu in result["menus"])
        elif key[0] == "search":
            report["search dialog and results page"][key[1]] = (result["dialog"]
                                                                + result["results_page"])
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(report, indent=1, sort_keys=True), encoding="utf-8")
    print("\n".join(lines))


# -- axe-core -----------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("path", ALL_PAGES)
def test_axe_finds_no_serious_violation(audits, path, mode):
    result = result_of(audits, ("axe", mode, path))
    if path != REDIRECT:
        assert result["theme"] == mode, f"{path} did not open in {mode} mode"
    serious = [v for v in result["violations"] if v["impact"] in FAILING_IMPACTS]
    assert not serious, f"{path} ({mode} mode):\n" + "\n".join(
        f"  {v['id']} ({v['impact']}): {v['help']}\n" + "\n".join(
            f"    {n['target']}: {n['html'][:120]}" for n in v["nodes"][:5]) for v in serious)


# -- the keyboard -------------------------------------------------------------------------------

@pytest.mark.parametrize("path", pages())
def test_every_control_is_usable_by_keyboard(audits, path):
    """Every element that Tab reaches has a name, is on screen and shows focus, in both modes."""
    result = result_of(audits, ("keyboard", path))
    stops = result["stops"]
    assert stops, f"{path}: nothing can be reached with Tab"
    problems = []
    for stop in stops:
        missing = [] if stop["name"] else ["no accessible name"]
        if not (stop["width"] > 0 and stop["height"] > 0 and stop["onScreen"] and stop["shown"]):
            missing.append("not visible when focused")
        if not stop["focusVisible"]:
            missing.append("Tab focus does not match :focus-visible")
        for mode in MODES:
            if not stop["refocused"][mode]:
                missing.append(f"does not take focus again ({mode} mode)")
            elif stop["withFocus"][mode] == stop["withoutFocus"][mode]:
                missing.append(f"no visible focus indicator ({mode} mode)")
        if missing:
            problems.append(f"  Tab stop {stop['index'] + 1} ({stop['role']}): {', '.join(missing)}: "
                            f"{stop['html']}")
    for menu in result["menus"]:
        if not menu["items"] or not all(item["inMenu"] for item in menu["items"]):
            problems.append(f"  menu {menu['menu']!r}: its items cannot be reached with the arrow keys")
        for item in menu["items"]:
            missing = [what for what, ok in [("no accessible name", item["name"]),
                                             ("not visible", item["shown"]),
                                             ("no visible focus indicator", item["indicator"])] if not ok]
            if missing:
                problems.append(f"  menu {menu['menu']!r}: {', '.join(missing)}: {item['html']}")
        if not menu["focus_back"]:
            problems.append(f"  menu {menu['menu']!r}: Escape does not return focus to its button")
    assert not problems, f"{path}, {len(stops)} Tab stops:\n" + "\n".join(problems)


@pytest.mark.parametrize("mode", MODES)
def test_search_works_by_keyboard(audits, mode):
    result = result_of(audits, ("search", mode))
    assert f"q={SEARCH_WORD}" in result["url"] and result["results"] > 0
    serious = [f"{where}: {v['id']} ({v['impact']}): {v['help']}"
               for where in ("dialog", "results_page") for v in result[where]
               if v["impact"] in FAILING_IMPACTS]
    assert not serious, "\n".join(serious)


# -- alt text -----------------------------------------------------------------------------------

FILE_NAME = re.compile(r"(^|/)[\w.-]+\.(png|svg|jpe?g|gif|webp|pdf)$|^[0-9a-f]{16,}", re.I)
BOILERPLATE = {"image", "figure", "chart", "plot", "graph", "picture", "img", "photo", "logo"}


class _Images(HTMLParser):
    """Every <img> of a page with its alt, and the id of the <figure> it is in (if any)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.figures: list[str | None] = []
        self.images: list[tuple[str | None, dict]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "figure":
            self.figures.append(attrs.get("id"))
        elif tag == "img":
            self.images.append((self.figures[-1] if self.figures else None, attrs))

    def handle_endtag(self, tag):
        if tag == "figure" and self.figures:
            self.figures.pop()


def glued_alt(doc: str, figure: str) -> str | None:
    """The string a notebook glued as '<figure>-alt', from the build's glue cache."""
    cache = WORK / "jupyter_execute" / f"{doc}.glue.json"
    if not cache.exists():
        return None
    entry = json.loads(cache.read_text(encoding="utf-8")).get(f"{figure}-alt")
    if entry is None:
        return None
    plain = entry["data"].get("text/plain", "")
    value = ast.literal_eval("".join(plain) if isinstance(plain, list) else plain)
    return value if isinstance(value, str) else None


def test_every_image_has_alt_text_and_figures_describe_their_data(site):
    problems, figures = [], 0
    for path in sorted(site.rglob("*.html")):
        rel = path.relative_to(site)
        if rel.parts[0].startswith("_"):
            continue
        parser = _Images()
        parser.feed(path.read_text(encoding="utf-8"))
        for figure, attrs in parser.images:
            alt = (attrs.get("alt") or "").strip()
            where = f"{rel}: <img src={attrs.get('src')!r}>"
            if not alt:
                problems.append(f"{where} has no alt text")
            elif FILE_NAME.search(alt) or alt.lower() in BOILERPLATE:
                problems.append(f"{where} has alt text that names a file, not the picture: {alt!r}")
            if figure is None:
                continue
            figures += 1
            if not re.search(r"\d", alt):
                problems.append(f"{where} (figure {figure}) has alt text with no number: {alt!r}")
            expected = glued_alt(rel.with_suffix("").as_posix(), figure)
            if expected is None:
                problems.append(f"{where} (figure {figure}): its notebook glues no string "
                                f"'{figure}-alt' computed from the data")
            elif html.unescape(alt) != expected.strip():
                problems.append(f"{where} (figure {figure}): alt text is not the glued "
                                f"'{figure}-alt': {alt[:80]!r}")
    assert figures >= 7, f"only {figures} figures with images found in the site"
    assert not problems, "\n".join(problems)


# -- the extension's fixes, on small inputs -----------------------------------------------------

def test_markup_fixes_of_the_extension():
    import sys
    sys.path.insert(0, str(ROOT / "_ext"))
    try:
        from accessibility import fix_body, glued_text
    finally:
        sys.path.pop(0)
    body = ('<div role="list" class="citation-list">'
            '<div class="citation" id="id3" role="doc-biblioentry"><span class="label">x</span></div></div>'
            '<table class="dataframe"><thead><tr><th></th><th>rating</th></tr></thead></table>'
            '<table><thead><tr><th class="head"><p></p></th><th class="head"><p>r</p></th></tr></thead></table>'
            '<details><summary aria-label="Toggle hidden content"><p>Show code cell source</p></summary></details>')
    fixed = fix_body(body)
    assert 'role="doc-biblioentry"' not in fixed and fixed.count('role="listitem"') == 1
    assert "<td></td><th>rating</th>" in fixed
    assert '<td class="head"><p></p></td><th class="head"><p>r</p></th>' in fixed
    assert "<summary><p>Show code cell source</p></summary>" in fixed
    assert fix_body(fixed) == fixed  # idempotent
    assert glued_text({"data": {"text/plain": "'Bar chart: Kazakhstan 15.2'"}}) == "Bar chart: Kazakhstan 15.2"
    assert glued_text({"data": {"text/plain": "15.2"}}) is None
