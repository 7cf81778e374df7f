"""British-English spell check of the book's prose.

Checks the text of ``book/*.md`` and the Markdown cells of ``notebooks/*.md`` against the
LibreOffice en_GB Hunspell dictionary (Debian's ``hunspell-en-gb``, installed by
``tools/system-deps.sh dictionary``; read with the pure Python ``spylls``) plus the project's word list,
``tests/wordlist-en-GB.txt`` (names, places, acronyms, transliterations, technical terms). The dictionary accepts both -ise and
-ize; the house style is -ise, so an -ize form whose -ise form is a word is flagged too, unless the
word list allows it (a name or a quotation: "Organization for Security and Co-operation").

What is checked is prose only. Skipped: front matter, code (code cells, fenced code, inline code),
directive options, roles and what they hold (citations, glue pastes, cross-references, terms),
link targets and bare URLs, labels, comments, HTML, maths, and ``index``/``bibliography``/``raw``
directives. Acronyms in capitals (``NGO``, ``NGOs``, ``OSCE``) are not looked up.

Run as a script to list every unknown word with where it occurs, for fixing the text or (for a
correct word that the dictionary lacks) adding it to the word list::

    .venv/bin/python tests/test_spelling.py
"""

from __future__ import annotations

import functools
import os
import re
import sys
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WORDLIST = Path(__file__).resolve().parent / "wordlist-en-GB.txt"
SOURCES = sorted((ROOT / "book").glob("*.md")) + sorted((ROOT / "notebooks").glob("*.md"))

# Directives whose whole body is not prose.
SKIP_DIRECTIVES = {
    "code-cell",
    "code-block",
    "code",
    "sourcecode",
    "math",
    "raw",
    "bibliography",
    "toctree",
    "tableofcontents",
    "contents",
    "index",
    "build-info",
    "literalinclude",
    "include",
    "eval-rst",
    "csv-table",
    "nb-exec-table",
    "image",
    "mermaid",
}
# Directives whose argument (the text after the name) is prose, not a key, path or label.
PROSE_ARGUMENT = {
    "admonition",
    "topic",
    "sidebar",
    "exercise",
    "table",
    "list-table",
    "note",
    "warning",
    "tip",
    "important",
    "hint",
    "seealso",
    "attention",
    "caution",
}

LETTER = r"A-Za-zÀ-ÖØ-öø-ÿĀ-ſ"
# A token: letters and digits, joined by apostrophes or hyphens ("co-optation", "Kazakhstan's").
WORD = re.compile(rf"[{LETTER}0-9]+(?:['’-][{LETTER}0-9]+)*")
URL = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\w+")
ACRONYM = re.compile(r"^[A-Z][A-Z0-9]+s?$")


@functools.lru_cache(maxsize=1)
def _parser():
    from markdown_it.renderer import RendererHTML
    from myst_parser.config.main import MdParserConfig
    from myst_parser.parsers.mdit import create_md_parser

    # The book's extensions (_config.yml), and dollarmath so that $…$ is never read as prose.
    config = MdParserConfig(
        enable_extensions={"colon_fence", "deflist", "substitution", "attrs_inline", "dollarmath", "amsmath"}
    )
    return create_md_parser(config, RendererHTML)


def _directive_body(content: str) -> tuple[int, str]:
    """A directive's content without its options (``:key: value`` lines or a YAML block), and how
    many lines were taken off its top."""
    lines = content.split("\n")
    if lines and lines[0].strip() == "---":
        end = next((i for i, line in enumerate(lines[1:], 1) if line.strip() == "---"), 0)
        return end + 1, "\n".join(lines[end + 1 :])
    i = 0
    while i < len(lines) and re.match(r"^\s*:[\w-]+:", lines[i]):
        i += 1
    return i, "\n".join(lines[i:])


def prose(markdown: str, line_offset: int = 0) -> list[tuple[int, str]]:
    """The prose of a MyST Markdown text, as (line number, text) pieces."""
    out: list[tuple[int, str]] = []
    for token in _parser().parse(markdown):
        line = line_offset + (token.map[0] + 1 if token.map else 0)
        if token.type in ("fence", "colon_fence"):
            match = re.match(r"^\{([^}]+)\}\s*(.*)$", token.info.strip())
            if not match:  # plain fenced code
                continue
            name, argument = match.group(1).strip(), match.group(2)
            if name in SKIP_DIRECTIVES:
                continue
            if name in PROSE_ARGUMENT and argument:
                out.append((line, argument))
            dropped, body = _directive_body(token.content)
            out.extend(prose(body, line + dropped))
        elif token.type == "inline":
            text: list[str] = []
            autolink = 0
            for child in token.children or []:
                if child.type == "text" and not autolink:
                    text.append(child.content)
                elif child.type in ("softbreak", "hardbreak"):
                    out.append((line, "".join(text)))
                    text, line = [], line + 1
                elif child.type == "link_open" and child.markup == "autolink":
                    autolink += 1  # <https://…>: its text is the URL
                elif child.type == "link_close" and autolink:
                    autolink -= 1
                elif child.type.endswith(("_open", "_close")):
                    pass  # emphasis, strong, link text: their text children are prose
                else:
                    # code_inline, myst_role, math, html_inline, image …: a digit stands in for
                    # it, so that what is glued to it ({glue:text}`…`th) is skipped as "0th" is.
                    text.append(" 0 " if child.type == "image" else " 0")
                    line += child.content.count("\n") if child.type != "text" else 0
            out.append((line, "".join(text)))
    return out


def prose_of(path: Path) -> list[tuple[int, str]]:
    """The prose of one source. A notebook's source is MyST Markdown too: its code cells are
    ``{code-cell}`` fences, which prose() skips, so what is left is its Markdown cells."""
    return prose(path.read_text(encoding="utf-8"))


def words_of(text: str):
    """The words of a text to look up: tokens with a digit (1990s, ky2015) are skipped, a possessive
    's is taken off, and a hyphenated compound is one word (looked up whole, then by parts)."""
    text = URL.sub(" ", text)
    for match in WORD.finditer(text):
        word = match.group(0).replace("’", "'")
        if any(c.isdigit() for c in word):
            continue
        word = re.sub(r"'s$", "", word)
        yield word


@functools.lru_cache(maxsize=1)
def wordlist() -> frozenset[str]:
    words = set()
    for line in WORDLIST.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            words.add(line)
    return frozenset(words)


def dictionary_path() -> Path | None:
    """Debian's en_GB Hunspell dictionary (package ``hunspell-en-gb``; path without suffix), or
    the folder named by ``$HUNSPELL_EN_GB`` (a copy of the LibreOffice ``en_GB.dic``/``.aff``)."""
    candidates = [Path(os.environ["HUNSPELL_EN_GB"]) / "en_GB"] if os.environ.get("HUNSPELL_EN_GB") else []
    candidates.append(Path("/usr/share/hunspell/en_GB"))
    for path in candidates:
        if path.with_suffix(".dic").is_file() and path.with_suffix(".aff").is_file():
            return path
    return None


@functools.lru_cache(maxsize=1)
def dictionary():
    path = dictionary_path()
    if path is None:
        message = (
            "no en_GB dictionary: tools/system-deps.sh dictionary "
            "(sudo apt-get install hunspell-en-gb)"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true: nothing may be skipped. {message}")
        pytest.skip(f"SKIPPED: {message}")
    from spylls.hunspell import Dictionary

    return Dictionary.from_files(str(path))


@functools.lru_cache(maxsize=None)
def known(word: str) -> bool:
    if "-" in word:
        return _known_word(word) or all(_known_word(part) for part in word.split("-") if part)
    return _known_word(word)


def _known_word(word: str) -> bool:
    if ACRONYM.match(word) or len(word) == 1:
        return True
    listed = wordlist()
    if word in listed or word.lower() in listed or word.capitalize() in listed:
        return True
    return dictionary().lookup(word)


IZE = re.compile(r"^(.{3,})iz(e|es|ed|ing|ation|ations|er|ers)$")


def american_ize(word: str) -> bool:
    """An -ize spelling whose -ise form is a word ("organization"), not listed as allowed (a name
    or a quotation). The en_GB dictionary accepts both; the house style is -ise."""
    match = IZE.match(word.lower())
    if not match or word.lower() in wordlist() or word in wordlist():
        return False
    return dictionary().lookup(f"{match.group(1)}is{match.group(2)}")


def unknown_words(paths=SOURCES) -> dict[str, list[str]]:
    """Each unknown word (or -ize spelling) with the places (file:line) where it occurs."""
    found: dict[str, list[str]] = defaultdict(list)
    for path in paths:
        for line, text in prose_of(path):
            for word in words_of(text):
                if not known(word) or any(american_ize(part) for part in word.split("-")):
                    found[word].append(f"{path.relative_to(ROOT)}:{line}")
    return dict(sorted(found.items(), key=lambda item: item[0].lower()))


def test_prose_extraction_skips_code_roles_and_urls():
    text = (
        "---\njupytext:\n  x: 1\n---\n(label)=\n# A Titel\n\nSee {cite:p}`zzcitekey{p. 3}`, `zzcode` and "
        "<https://zzurl.example/zzpath> or https://zzbare.example/x. [zzlinktext](https://zzhref.example)\n\n"
        "```{code-cell} ipython3\nzzcodecell = 1\n```\n\n"
        ":::{admonition} Zzadmonition title\n:class: note\nZzbody text\n:::\n\n"
        "```{glue:figure} zzgluekey\n:name: zzname\nZzcaption\n```\n"
        "```{index} single: Zzindex\n```\n"
    )
    words = {w for _, t in prose(text) for w in words_of(t)}
    assert {"Titel", "zzlinktext", "Zzadmonition", "Zzbody", "Zzcaption"} <= words
    assert not {
        w
        for w in words
        if w.lower().startswith("zz") and w not in {"zzlinktext", "Zzadmonition", "Zzbody", "Zzcaption"}
    }, words
    assert "x" not in words and "jupytext" not in words and "label" not in words


def test_dictionary_is_british():
    assert known("colour") and known("organisation") and known("centre")
    assert not known("color") and not known("center") and not known("analyze")
    assert american_ize("democratization") and american_ize("recognized")
    assert not american_ize("democratisation") and not american_ize("size") and not american_ize("seized")


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_prose_is_spelt_in_british_english(path):
    unknown = unknown_words([path])
    assert not unknown, (
        f"{len(unknown)} word(s) not in the en_GB dictionary nor in tests/{WORDLIST.name}: "
        + "; ".join(f"{w} ({', '.join(places[:3])})" for w, places in unknown.items())
        + ". Fix the spelling, or add a correct word to the word list."
    )


if __name__ == "__main__":
    result = unknown_words([Path(a).resolve() for a in sys.argv[1:]] or SOURCES)
    for word, places in result.items():
        print(f"{word}\t{len(places)}\t{', '.join(places[:4])}")
    print(f"{len(result)} unknown word(s)", file=sys.stderr)
    sys.exit(1 if result else 0)
