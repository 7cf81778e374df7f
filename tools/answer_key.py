#!/usr/bin/env python3
"""The instructor's answer key: every exercise with its worked solution, as a separate PDF.

    python tools/answer_key.py LATEX_DIR   # -> LATEX_DIR/ngos-in-kazakhstan-answer-key.pdf

Run by `tools/build.sh pdf` just after the full edition's LaTeX build, in the same folder, so the
key is typeset with the book's own preamble (fonts, styles, the pasted numbers as the book shows
them) and costs no notebook run. From the book's `ngos-in-kazakhstan.tex` it keeps, chapter by
chapter, each exercise (sphinx-exercise's "Exercise N" box) and the "Solution to Exercise N" box
that follows it, and the bibliography; the numbers are the book's, so "Exercise 4" in the key is
Exercise 4 on the site and in the PDF. A chapter's exercises without a solution, or a solution
without its exercise, stop the build with a message naming both, and so does any undefined
reference left in the key (a cross-reference to a figure or page outside the key keeps its text,
"Figure E1", and loses its link). The student edition has no key.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

BOOK = "ngos-in-kazakhstan"
KEY = f"{BOOK}-answer-key"
BEGIN = re.compile(r"\\begin\{sphinxadmonition\}\{note\}\{(Solution to )?Exercise (\d+)\}")
CHAPTER = re.compile(r"^\\chapter\{(.*)\}\s*$", re.M)
ADMONITION = re.compile(r"\\(begin|end)\{sphinxadmonition\}")


def _box_end(tex: str, start: int) -> int:
    """Index just after the \\end{sphinxadmonition} that closes the box opening at start."""
    depth = 0
    for m in ADMONITION.finditer(tex, start):
        depth += 1 if m.group(1) == "begin" else -1
        if depth == 0:
            return m.end()
    raise SystemExit(f"answer key: the box at character {start} of {BOOK}.tex never closes")


def exercises(tex: str) -> list[tuple[str, list[tuple[int, str, str]]]]:
    """[(chapter title, [(number, exercise box, solution box), ...]), ...] in book order."""
    chapters = [(m.start(), m.group(1)) for m in CHAPTER.finditer(tex)]
    found: dict[str, list] = {}
    pending: dict[int, str] = {}
    for m in BEGIN.finditer(tex):
        end = _box_end(tex, m.start())
        box = tex[m.start():end]
        number = int(m.group(2))
        chapter = max((c for c in chapters if c[0] < m.start()), default=(0, ""))[1]
        if m.group(1) is None:
            pending[number] = box
        elif number in pending:
            found.setdefault(chapter, []).append((number, pending.pop(number), box))
        else:
            raise SystemExit(f"answer key: 'Solution to Exercise {number}' ({chapter}) follows "
                             f"no Exercise {number}")
    if pending:
        raise SystemExit("answer key: no solution for exercise(s) "
                         + ", ".join(str(n) for n in sorted(pending)))
    return list(found.items())


HYPERREF = re.compile(r"\\hyperref\[\\detokenize\{([^}]*)\}\]\{")
LABEL = re.compile(r"\\label\{\\detokenize\{([^}]*)\}\}")


def _unlink_outside(body: str) -> str:
    """A cross-reference to a figure, table or page that is not in the key keeps its text
    ("Figure E1", "Definition and scope") and loses the link, which would point nowhere."""
    defined = set(LABEL.findall(body))
    out, pos = [], 0
    for m in HYPERREF.finditer(body):
        if m.group(1) in defined or m.start() < pos:
            continue
        depth, i = 1, m.end()
        while depth:
            depth += {"{": 1, "}": -1}.get(body[i], 0)
            i += 1
        out += [body[pos:m.start()], "{", body[m.end():i - 1], "}"]
        pos = i
    return "".join(out) + body[pos:]


def key_tex(tex: str) -> str:
    preamble, _, body = tex.partition("\\begin{document}")
    if not body:
        raise SystemExit(f"answer key: {BOOK}.tex has no \\begin{{document}}")
    preamble = re.sub(r"\\title\{(.*)\}", lambda m: "\\title{" + m.group(1)
                      + ": answer key}", preamble, count=1)
    preamble = re.sub(r"pdftitle=\{([^}\n]*)\}", lambda m: "pdftitle={" + m.group(1)
                      + ": answer key}", preamble, count=1)
    preamble = preamble.replace("\\makeindex\n", "")
    parts = [preamble, "\\begin{document}\n", "\\pagestyle{empty}\n\\sphinxmaketitle\n",
             "\\pagestyle{plain}\n\\sphinxtableofcontents\n\\pagestyle{normal}\n",
             "\\chapter*{About this key}\n\\addcontentsline{toc}{chapter}{About this key}\n"
             "\\markboth{About this key}{About this key}\n",
             "\\sphinxAtStartPar\nThe exercises of the edition, each followed by its worked "
             "solution, chapter by chapter. The numbers are those of the book (the site and the "
             "PDF), and the values in the text are the book's own, computed from its data. This "
             "key is for instructors: the student edition leaves every solution out.\n"]
    total = 0
    for chapter, items in exercises(tex):
        parts.append(f"\n\\chapter*{{{chapter}}}\n\\addcontentsline{{toc}}{{chapter}}"
                     f"{{{chapter}}}\n\\markboth{{{chapter}}}{{{chapter}}}\n")
        for number, exercise, solution in items:
            parts.append(f"\n{exercise}\n\n{solution}\n")
            total += 1
    bibliography = re.search(r"\\begin\{sphinxthebibliography\}.*?"
                             r"\\end\{sphinxthebibliography\}", body, re.S)
    if bibliography:
        parts.append("\n\\renewcommand{\\bibname}{References}\n" + bibliography.group(0) + "\n")
    parts.append("\\end{document}\n")
    body = _unlink_outside("".join(parts[1:]))
    parts = [parts[0], body]
    if not total:
        raise SystemExit(f"answer key: no exercises found in {BOOK}.tex")
    return "".join(parts)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    latex = Path(argv[0])
    tex = (latex / f"{BOOK}.tex").read_text(encoding="utf-8")
    (latex / f"{KEY}.tex").write_text(key_tex(tex), encoding="utf-8")
    run = subprocess.run(["latexmk", "-pdf", "-dvi-", "-ps-", "-interaction=nonstopmode",
                          "-halt-on-error", f"{KEY}.tex"], cwd=latex, capture_output=True,
                         text=True)
    if run.returncode or not (latex / f"{KEY}.pdf").is_file():
        tail = "\n".join((run.stdout + run.stderr).splitlines()[-30:])
        print(tail, file=sys.stderr)
        print(f"answer key: LaTeX failed on {latex / KEY}.tex (see {KEY}.log)", file=sys.stderr)
        return 1
    log = (latex / f"{KEY}.log").read_text(encoding="utf-8", errors="replace")
    undefined = re.findall(r"(?:Reference|Citation) `([^']*)' on page \d+ undefined", log)
    if undefined or "There were undefined references" in log:
        print(f"answer key: undefined references in {latex / KEY}.tex: "
              + ", ".join(sorted(set(undefined))), file=sys.stderr)
        return 1
    print(f"Answer key: {latex / KEY}.pdf")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
