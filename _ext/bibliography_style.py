"""Author-year citations and reference list for the edition.

sphinxcontrib-bibtex's ``author_year`` referencing style puts citations in square brackets
("Ziegler [2010]"), and pybtex's ``plain`` style numbers the reference list, sorts corporate
authors such as ``{{World Bank}}`` after Z (by the brace) and drops ``note`` from book chapters.
This extension registers styles that give what the article itself uses:

* ``ky_author_year`` (referencing, for ``bibtex_reference_style``): "Ziegler (2010)",
  "(Ziegler, 2010, p. 799)", several works separated by semicolons, "et al." for three or more
  authors, and the short corporate name of a ``shortauthor`` field ("OSCE (2012)").
* ``ky_author_year`` (pybtex formatting, for ``bibtex_default_style``): a Harvard list in the
  form the article's own list uses, "Surname, I. (Year) 'Title'. *Journal* 1(2): 3–4.",
  sorted by author, year and title with braces and accents ignored, and with each entry's
  ``note``, DOI and access date (``urldate``) included.
* a label style giving author-year labels ("Ziegler 2010", "OSCE 2012"), shown before each
  entry of the list (a citation list: a bullet list would break the PDF's citation links) and
  used by ``{cite:label}``.

Configuration (``_config.yml``)::

    sphinx:
      local_extensions:
        bibliography_style: _ext
      config:
        bibtex_reference_style: ky_author_year
        bibtex_default_style: ky_author_year
"""
from __future__ import annotations

import datetime
import unicodedata
from dataclasses import dataclass, field as dataclass_field

import pybtex.plugin
from pybtex.richtext import Text
from pybtex.style.formatting import toplevel
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.formatting.unsrt import pages
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.names.lastfirst import NameStyle as LastFirstNameStyle
from pybtex.style.names.plain import NameStyle as FirstLastNameStyle
from pybtex.style.sorting import BaseSortingStyle
from pybtex.style.template import (
    FieldIsMissing,
    field,
    first_of,
    href,
    join,
    node,
    optional,
    optional_field,
    sentence,
    tag,
    words,
)
import sphinxcontrib.bibtex.plugin
from sphinxcontrib.bibtex.style.referencing import BracketStyle, PersonStyle
from sphinxcontrib.bibtex.style.referencing.author_year import AuthorYearReferenceStyle

STYLE_NAME = "ky_author_year"

_LAST_FIRST = LastFirstNameStyle()
_FIRST_LAST = FirstLastNameStyle()


# --- helpers -------------------------------------------------------------------------------------

def _plain(text: str) -> str:
    """Lower-case ASCII sort key: no braces, no accents."""
    text = text.replace("{", "").replace("}", "")
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def _person_key(person) -> str:
    return " ".join(person.prelast_names + person.last_names + person.first_names
                    + person.middle_names)


def _persons_key(entry) -> str:
    for role in ("author", "editor"):
        if entry.persons.get(role):
            return _plain("   ".join(_person_key(p) for p in entry.persons[role]))
    return ""


def _short_names(entry) -> str:
    """Surname(s) as they appear in a citation: "Luong and Weinthal", "Ljubownikow et al."."""
    if "shortauthor" in entry.fields:
        return entry.fields["shortauthor"].replace("{", "").replace("}", "")
    for role in ("author", "editor"):
        persons = entry.persons.get(role)
        if persons:
            names = [" ".join(p.prelast_names + p.last_names).replace("{", "").replace("}", "")
                     for p in persons]
            if len(names) == 1:
                return names[0]
            if len(names) == 2:
                return f"{names[0]} and {names[1]}"
            return f"{names[0]} et al."
    return entry.fields.get("title", entry.key)


def _long_date(text: Text) -> Text:
    """2014-01-08 -> 8 January 2014 (other forms pass through unchanged)."""
    raw = str(text)
    try:
        day = datetime.date.fromisoformat(raw)
    except ValueError:
        return text
    return Text(f"{day.day} {day:%B %Y}")


@node
def persons(children, context, role, name_style="lastfirst"):
    """Names joined as the article joins them: "Ljubownikow, S., Crotty, J. and Rodgers, P. W."."""
    assert not children
    try:
        people = context["entry"].persons[role]
    except KeyError:
        raise FieldIsMissing(role, context["entry"])
    formatter = _LAST_FIRST if name_style == "lastfirst" else _FIRST_LAST
    formatted = [formatter.format(person, abbr=True) for person in people]
    return join(sep=", ", sep2=" and ", last_sep=" and ")[formatted].format_data(context)


@node
def editors_suffix(children, context):
    """"ed." or "eds" for the editor role."""
    assert not children
    people = context["entry"].persons.get("editor", [])
    return Text("eds" if len(people) > 1 else "ed.")


# --- pybtex formatting style ------------------------------------------------------------------------

class SortingStyle(BaseSortingStyle):
    """Author (or editor), then year (with its a/b suffix), then title; braces and accents ignored."""

    def sorting_key(self, entry):
        return (_persons_key(entry), entry.fields.get("year", ""),
                _plain(entry.fields.get("title", "")))


class LabelStyle(BaseLabelStyle):
    """Author-year labels, "Luong and Weinthal 1999"."""

    def format_labels(self, sorted_entries):
        for entry in sorted_entries:
            yield f"{_short_names(entry)} {entry.fields.get('year', 'n.d.')}"


class Style(UnsrtStyle):
    """Harvard reference list in the form of the article's own list."""

    default_sorting_style = STYLE_NAME
    default_label_style = STYLE_NAME

    # the parts every entry shares

    def format_head(self, e):
        """Author (or editor) and year: "Amnesty International (2013)", "OSCE" spelt out."""
        who = first_of[
            optional[join[persons("author"),
                          optional[" [", field("shortauthor"), "]"]]],
            optional[join[persons("editor"), " (", editors_suffix, ")"]],
        ]
        return words[who, join["(", field("year"), ")"]]

    def format_quoted_title(self, e, which="title"):
        return join["\u2018", field(which), "\u2019"]

    def format_title_sentence(self, e, which="title"):
        """The quoted title, closed by a full stop unless it ends in ? or !."""
        title = self.format_quoted_title(e, which)
        if e.fields.get(which, "").rstrip("}").endswith(("?", "!")):
            return title
        return join[title, "."]

    def format_italic_title(self, e, which="title"):
        return tag("em")[field(which)]

    def format_edition(self, e):
        return optional[words[field("edition"), "edn"]]

    def format_place_publisher(self, e, publisher="publisher"):
        return first_of[
            optional[join[field("address"), ": ", field(publisher)]],
            optional[field(publisher)],
            optional[field("address")],
        ]

    def format_tail(self, e):
        """Where to find the work (web address with access date, or DOI), then the note."""
        url = field("url", raw=True)
        accessed = field("urldate", apply_func=_long_date)
        doi_url = join["https://doi.org/", field("doi", raw=True)]
        return join(sep=" ")[
            sentence[first_of[
                optional[join["Available at: ", href(url)[url],
                              optional[join[" (accessed ", accessed, ")"]]]],
                optional[join["Accessed ", accessed]],
            ]],
            optional[sentence[join["doi:", href(doi_url)[field("doi", raw=True)]]]],
            sentence[optional_field("note")],
        ]

    # entry types

    def get_article_template(self, e):
        if "volume" in e.fields or "number" in e.fields:
            # journal: Journal 51(7): 1267-1284
            volume_number = join[optional_field("volume"), optional["(", field("number"), ")"]]
            where = join(sep=" ")[tag("em")[field("journal")],
                                  join(sep=": ")[volume_number, optional[pages]]]
        else:
            # newspaper or journal cited without volume: Journal, 1 April, p. A17
            where = join(sep=", ")[tag("em")[field("journal")], optional_field("month"),
                                   optional[join["p. " if "-" not in e.fields.get("pages", "-")
                                                 else "pp. ", pages]]]
        return toplevel[
            self.format_head(e),
            self.format_title_sentence(e),
            sentence[where],
            self.format_tail(e),
        ]

    def get_book_template(self, e):
        return toplevel[
            self.format_head(e),
            sentence[join(sep=", ")[self.format_italic_title(e), self.format_edition(e)]],
            sentence[self.format_place_publisher(e)],
            self.format_tail(e),
        ]

    def get_incollection_template(self, e):
        editors = optional[join[persons("editor", name_style="firstlast"),
                                " (", editors_suffix, ") "]]
        return toplevel[
            self.format_head(e),
            sentence[
                self.format_quoted_title(e),
                join["in ", editors, tag("em")[field("booktitle")]],
                self.format_edition(e),
                optional[join["pp. ", pages]],
            ],
            sentence[self.format_place_publisher(e)],
            self.format_tail(e),
        ]

    get_inbook_template = get_incollection_template

    def get_techreport_template(self, e):
        return toplevel[
            self.format_head(e),
            sentence[self.format_italic_title(e)],
            sentence[words[optional_field("type"), optional_field("number")]],
            sentence[self.format_place_publisher(e, publisher="institution")],
            self.format_tail(e),
        ]

    def get_phdthesis_template(self, e):
        return toplevel[
            self.format_head(e),
            sentence[self.format_italic_title(e)],
            sentence[join(sep=", ")[first_of[optional_field("type"), "PhD thesis"],
                                    field("school")]],
            self.format_tail(e),
        ]

    def get_misc_template(self, e):
        return toplevel[
            self.format_head(e),
            optional[sentence[self.format_italic_title(e)]],
            optional[sentence[field("howpublished")]],
            self.format_tail(e),
        ]


# --- sphinxcontrib-bibtex referencing style ----------------------------------------------------------

def _round_brackets() -> BracketStyle:
    return BracketStyle(left="(", right=")", sep="; ", sep2="; ", last_sep="; ")


@dataclass
class ShortAuthorPersonStyle(PersonStyle):
    """Surnames as the article cites them; a ``shortauthor`` field wins ("OSCE")."""

    sep2: str = " and "
    last_sep: str = " and "
    other: str = " et al."

    def author_or_editor_or_title(self, full: bool):
        return first_of[optional[field("shortauthor")], super().author_or_editor_or_title(full)]


@dataclass
class ReferenceStyle(AuthorYearReferenceStyle):
    """"Ziegler (2010)" and "(Ziegler, 2010, p. 799)"."""

    bracket_textual: BracketStyle = dataclass_field(default_factory=_round_brackets)
    bracket_parenthetical: BracketStyle = dataclass_field(default_factory=_round_brackets)
    bracket_author: BracketStyle = dataclass_field(default_factory=_round_brackets)
    bracket_label: BracketStyle = dataclass_field(default_factory=_round_brackets)
    bracket_year: BracketStyle = dataclass_field(default_factory=_round_brackets)
    person: PersonStyle = dataclass_field(default_factory=ShortAuthorPersonStyle)


def _cache_entry_points(module) -> None:
    """Look each plugin up among the installed packages once per build, not once per citation.

    pybtex and sphinxcontrib-bibtex find a style, backend or label plugin by scanning the entry
    points of every installed distribution (``importlib.metadata.entry_points``, 15-20 ms a call
    here), and they do so for each citation they resolve, in the main process while pages are
    written. The installed packages do not change during a build, so each (group, name) is
    scanned for once.
    """
    original = module.entry_points
    if getattr(original, "cached", False):
        return
    found: dict = {}

    def entry_points(**selection):
        key = tuple(sorted(selection.items()))
        if key not in found:
            found[key] = original(**selection)
        return found[key]

    entry_points.cached = True
    entry_points.original = original
    module.entry_points = entry_points


def setup(app):
    """Register the styles (replacing any earlier registration of the same names)."""
    _cache_entry_points(pybtex.plugin)
    _cache_entry_points(sphinxcontrib.bibtex.plugin)
    pybtex.plugin.register_plugin("pybtex.style.formatting", STYLE_NAME, Style, force=True)
    pybtex.plugin.register_plugin("pybtex.style.sorting", STYLE_NAME, SortingStyle, force=True)
    pybtex.plugin.register_plugin("pybtex.style.labels", STYLE_NAME, LabelStyle, force=True)
    sphinxcontrib.bibtex.plugin.register_plugin(
        "sphinxcontrib.bibtex.style.referencing", STYLE_NAME, ReferenceStyle, force=True)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
