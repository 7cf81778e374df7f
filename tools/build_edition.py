#!/usr/bin/env python3
"""Build the student edition: the same book with every worked solution taken out.

The instructor edition is the ordinary build (`make book`): each exercise is followed by its
solution, folded away in the HTML until the reader opens it. The student edition holds no solution
anywhere: not on its pages, not in the page sources (`_sources/`), not in the notebook downloads
(.ipynb and .md), not in the search index and not in the PDF. Hiding solutions with CSS or with
sphinx-exercise's `hide_solutions` would not do that (the sources and downloads would keep them),
so this script removes them from a copy of the sources and builds the copy:

    python tools/build_edition.py student html   # -> _build/student/html/
    python tools/build_edition.py student pdf    # -> _build/student/pdf/ngos-in-kazakhstan.pdf
    python tools/build_edition.py student src    # only write the stripped sources

1. The project's files (`git ls-files`: tracked, plus untracked files that are not ignored; without
   git, the tree minus `_build/`, `.venv/` and caches) are mirrored into `_build/student-src/`.
   Files are copied with their times and rewritten only when their content changes, so Sphinx's
   environment in `_build/student-work/` stays incremental between builds.
2. In every Markdown file (.md) these blocks are removed:
   - each `{solution}` directive, with all it contains (backtick or colon fences, any length);
   - each `{solution-start}` ... `{solution-end}` pair and everything between them, code cells
     included;
   - each notebook code cell tagged `solution` (a cell that only computes values for solutions).
   - each block between `<!-- instructor-only ... -->` and `<!-- /instructor-only -->` lines (the
     front page's link to the answer key).
   A reference to a label defined inside a removed block is an error: the student build would
   fail on it anyway, and the message here says where it is.
3. Each notebook's jupytext pair (`notebooks/x.ipynb`) is regenerated from the stripped `x.md`,
   keeping the stored outputs of the cells that remain, so that the student tree is consistent.
4. `_config.yml` in the copy gets " (student edition)" after the title, and the launch buttons
   (Binder, Colab) point at the branch named by --launch-branch (default `student`): publish
   `_build/student-src/` as that branch so that a notebook opened from the student site is the
   stripped one, not the instructor's.
5. The copy is built with the same strict command as the instructor edition
   (`jupyter-book build -n -W --keep-going`, in parallel: tools/jupyter_book_parallel.py), in
   `_build/student-work/`; the site or the PDF is published to `_build/student/` only when the
   build succeeded, as tools/build.sh does.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "_build" / "student-src"
WORK = ROOT / "_build" / "student-work"
OUT = ROOT / "_build" / "student"
PDF_NAME = "ngos-in-kazakhstan.pdf"
TITLE_SUFFIX = " (student edition)"
# Where the student site is published: this folder of the instructor site's address
# (tools/publish.sh puts it there on the gh-pages branch).
STUDENT_DIR = "student"
BRANCH_TREE = ROOT / "_build" / "student-branch"
# What the launch branch holds: what Binder and Colab need to run a stripped notebook.
BRANCH_PARTS = ("notebooks", "data", "binder", "LICENSE", "LICENSE-CONTENT.md")

# A fence line: up to any indentation, three or more backticks or colons, then the info string.
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|:{3,})(?P<info>.*)$")
DIRECTIVE = re.compile(r"^\{(?P<name>[\w:.-]+)\}")
OPTION = re.compile(r"^[ \t]*:(?P<key>[\w-]+):[ \t]*(?P<value>.*)$")
TARGET = re.compile(r"^[ \t]*\((?P<label>[^)\s]+)\)=[ \t]*$")
SOLUTION_TAG = "solution"
CODE_DIRECTIVES = {"code-cell", "code-block", "code", "sourcecode", "literalinclude", "raw",
                   "math", "glue:math", "mermaid", "csv-table"}


# --------------------------------------------------------------------------------------------
# Stripping solutions from MyST Markdown
# --------------------------------------------------------------------------------------------

def _directive(line: str) -> tuple[str, str, str] | None:
    """(fence, directive name, argument) if the line opens a directive fence, else None."""
    m = FENCE.match(line)
    if not m:
        return None
    d = DIRECTIVE.match(m.group("info").strip())
    if not d:
        return None
    return m.group("fence"), d.group("name"), m.group("info").strip()[d.end():].strip()


def block_end(lines: list[str], start: int) -> int:
    """Index just after the fenced block that opens at lines[start].

    Inside a backtick fence only its own closing fence counts (the content of a code block, or a
    directive's content that MyST parses separately with shorter fences). Inside a colon fence,
    nested fences open and close in turn, so that a `:::` inside a nested code block does not end
    the block early.
    """
    m = FENCE.match(lines[start])
    stack = [(m.group("fence")[0], len(m.group("fence")))]
    for i in range(start + 1, len(lines)):
        f = FENCE.match(lines[i])
        if not f:
            continue
        char, length, info = f.group("fence")[0], len(f.group("fence")), f.group("info").strip()
        top_char, top_length = stack[-1]
        if char == top_char and length >= top_length and not info:
            stack.pop()
            if not stack:
                return i + 1
            continue
        if top_char == "`":
            continue
        stack.append((char, length))
    raise ValueError(f"line {start + 1}: fenced block `{lines[start].strip()}` is never closed")


def _options(lines: list[str], start: int, end: int) -> dict[str, str]:
    """The `:key: value` options at the top of the directive that opens at lines[start]."""
    options = {}
    for line in lines[start + 1:end]:
        m = OPTION.match(line)
        if not m:
            break
        options[m.group("key")] = m.group("value").strip()
    return options


def _labels_in(lines: list[str]) -> set[str]:
    """Labels defined in a block: `:label:`/`:name:` options and `(target)=` lines."""
    labels = set()
    for line in lines:
        m = OPTION.match(line)
        if m and m.group("key") in ("label", "name"):
            labels.add(m.group("value").strip())
        t = TARGET.match(line)
        if t:
            labels.add(t.group("label"))
    return labels


def _code_cell_tags(lines: list[str], start: int, end: int) -> list[str]:
    """The tags of a `{code-cell}` block, from `:tags: [a, b]` or its YAML header."""
    body = lines[start + 1:end]
    text = "\n".join(body)
    m = re.search(r"^[ \t]*:tags:[ \t]*\[(.*?)\]", text, re.M) or re.search(
        r"^[ \t]*tags:[ \t]*\[(.*?)\]", text, re.M)
    if not m:
        return []
    return [t.strip().strip("'\"") for t in m.group(1).split(",") if t.strip()]


@dataclass
class Stripped:
    text: str
    solutions: int = 0           # {solution} directives and solution-start/end pairs removed
    solution_cells: int = 0      # code cells tagged `solution` removed
    labels: set[str] = field(default_factory=set)   # labels defined inside what was removed
    removed: list[str] = field(default_factory=list)  # the text of each solution removed


def strip_solutions(text: str, where: str = "<text>") -> Stripped:
    """Remove every solution (and solution-only code cell) from a MyST Markdown text.

    Directives other than solutions are entered (a solution inside an admonition or a tab is
    found too); code blocks and code cells are kept whole, so that text inside code is never
    taken for a directive.
    """
    lines = text.split("\n")
    keep: list[str] = []
    result = Stripped(text="")
    open_fences: list[tuple[str, int]] = []   # directives entered, innermost last
    i = 0
    while i < len(lines):
        f = FENCE.match(lines[i])
        if not f:
            keep.append(lines[i])
            i += 1
            continue
        char, length, info = f.group("fence")[0], len(f.group("fence")), f.group("info").strip()
        if open_fences and not info and char == open_fences[-1][0] and length >= open_fences[-1][1]:
            open_fences.pop()           # the end of a directive we entered
            keep.append(lines[i])
            i += 1
            continue
        end = block_end(lines, i)
        d = DIRECTIVE.match(info)
        name = d.group("name") if d else None
        if name == "solution":
            result.solutions += 1
            result.labels |= _labels_in(lines[i:end])
            result.removed.append("\n".join(lines[i:end]))
        elif name == "solution-start":
            stop = None
            for j in range(end, len(lines)):
                dj = _directive(lines[j])
                if dj and dj[1] == "solution-end":
                    stop = block_end(lines, j)
                    break
            if stop is None:
                raise ValueError(f"{where}:{i + 1}: {{solution-start}} without {{solution-end}}")
            result.solutions += 1
            result.labels |= _labels_in(lines[i:stop])
            result.removed.append("\n".join(lines[i:stop]))
            end = stop
        elif name == "code-cell" and SOLUTION_TAG in _code_cell_tags(lines, i, end):
            result.solution_cells += 1
        elif name is None or name in CODE_DIRECTIVES:
            keep.extend(lines[i:end])   # a code block: its content is not Markdown
            i = end
            continue
        else:
            open_fences.append((char, length))   # another directive: look inside it
            keep.append(lines[i])
            i += 1
            continue
        # Drop the blank lines that followed the removed block, so no gap of blank lines is left.
        while end < len(lines) and not lines[end].strip() and keep and not keep[-1].strip():
            end += 1
        i = end
    result.text = "\n".join(keep)
    return result


def directive_blocks(text: str, name: str) -> list[str]:
    """The full text (fences included) of every `{name}` directive in a MyST Markdown text."""
    lines = text.split("\n")
    blocks, i = [], 0
    while i < len(lines):
        d = _directive(lines[i])
        if d and d[1] == name:
            end = block_end(lines, i)
            blocks.append("\n".join(lines[i:end]))
            i = end
        elif d and d[1] in CODE_DIRECTIVES:
            i = block_end(lines, i)
        else:
            i += 1
    return blocks


def dangling_references(text: str, labels: set[str]) -> list[str]:
    """Roles in the text that point at one of the given (removed) labels."""
    found = []
    for lineno, line in enumerate(text.split("\n"), 1):
        for m in re.finditer(r"\{(?:ref|numref|prf:ref|solution|eq)\}`([^`]*)`", line):
            target = m.group(1)
            target = re.sub(r"^.*<([^>]+)>$", r"\1", target).strip()
            if target in labels:
                found.append(f"line {lineno}: {m.group(0)}")
    return found


# --------------------------------------------------------------------------------------------
# Mirroring the project
# --------------------------------------------------------------------------------------------

SKIP_DIRS = {"_build", ".venv", ".git", "__pycache__", ".ipynb_checkpoints", ".jupyter_cache",
             ".pytest_cache", "node_modules"}


def project_files(root: Path = ROOT) -> list[Path]:
    """The project's files, relative to root: tracked and untracked-but-not-ignored."""
    if (root / ".git").exists() and shutil.which("git"):
        out = subprocess.run(["git", "-C", str(root), "ls-files", "-z", "--cached", "--others",
                              "--exclude-standard"], check=True, capture_output=True).stdout
        names = sorted({n for n in out.decode("utf-8").split("\0") if n})
        files = [Path(n) for n in names]
    else:
        files = [p.relative_to(root) for p in sorted(root.rglob("*"))
                 if p.is_file() and not SKIP_DIRS & set(p.relative_to(root).parts)]
    return [f for f in files if (root / f).is_file() and not SKIP_DIRS & set(f.parts)]


def _write_if_changed(path: Path, data: bytes) -> None:
    if path.exists() and path.read_bytes() == data:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _student_config(text: str, branch: str) -> str:
    """The instructor _config.yml with the edition named in the title and the launch branch set.

    Edited as text (not re-dumped from YAML), so that comments and layout survive.
    """
    text, n = re.subn(r'^(title:\s*)(["\']?)(.*?)\2\s*$',
                      lambda m: f'{m.group(1)}"{m.group(3)}{TITLE_SUFFIX}"', text, count=1,
                      flags=re.M)
    if not n:
        raise ValueError("_config.yml has no top-level title")
    text = re.sub(r"(pdftitle=\{[^}\n]*)\}", lambda m: m.group(1) + TITLE_SUFFIX + "}", text, count=1)
    if re.search(r"^repository:\s*$", text, re.M):
        if re.search(r"^repository:(?:\n[ \t]+.*)*?\n[ \t]+branch:", text, re.M):
            text = re.sub(r"^(repository:(?:\n[ \t]+.*)*?\n[ \t]+branch:)[ \t]*\S*",
                          lambda m: f"{m.group(1)} {branch}", text, count=1, flags=re.M)
        else:
            text = re.sub(r"^repository:\s*$", f"repository:\n  branch: {branch}", text,
                          count=1, flags=re.M)
    # Its own address: canonical links and the published data URL are the student site's.
    text, n = re.subn(r"^(\s*baseurl:\s*)(\S+?)/?\s*$",
                      lambda m: f"{m.group(1)}{student_baseurl(m.group(2))}", text, count=1,
                      flags=re.M)
    if not n:
        raise ValueError("_config.yml has no html baseurl")
    # No repository button: the repository's main branch holds the solutions. The launch
    # buttons (Binder, Colab) open the student branch instead.
    text, n = re.subn(r"^(\s*use_repository_button:\s*)true\s*$", r"\1false", text, count=1,
                      flags=re.M)
    if not n:
        raise ValueError("_config.yml has no use_repository_button: true")
    # Students see the code: the reader's default of folded code becomes "shown".
    text, n = re.subn(r"^(\s*code_view_default:\s*)folded\s*$", r"\1shown", text, count=1,
                      flags=re.M)
    if not n:
        raise ValueError("_config.yml has no code_view_default: folded")
    return text


def student_baseurl(instructor: str) -> str:
    """The student edition's address: the instructor's, with student/ after it."""
    return instructor.rstrip("/") + "/" + STUDENT_DIR + "/"


def instructor_baseurl() -> str:
    import yaml

    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    return config["html"]["baseurl"].rstrip("/") + "/"


INSTRUCTOR_ONLY = re.compile(r"^<!-- instructor-only\b.*?-->\n.*?^<!-- /instructor-only -->\n\n?",
                             re.S | re.M)


def strip_instructor_only(text: str) -> str:
    """Remove the blocks marked for the instructor edition only (the answer key's link)."""
    return INSTRUCTOR_ONLY.sub("", text)


def _student_urls(text: str) -> str:
    """Notebooks and their modules fetch data from the student site, not the instructor's."""
    base = instructor_baseurl()
    return text.replace(base + "data", student_baseurl(base) + "data")


def write_student_sources(dest: Path = SRC, launch_branch: str = "student") -> dict[str, int]:
    """Mirror the project into dest with every solution removed. Returns counts per file."""
    import jupytext
    from jupytext.combine import combine_inputs_with_outputs

    # Markdown first, so that a notebook's .ipynb pair is known to need regenerating before the
    # loop reaches it (and is written once, not copied and then overwritten).
    files = sorted(project_files(), key=lambda rel: (rel.suffix != ".md", str(rel)))
    wanted = set()
    counts: dict[str, int] = {}
    errors: list[str] = []
    stripped_notebooks: dict[Path, str] = {}
    for rel in files:
        src, out = ROOT / rel, dest / rel
        wanted.add(rel)
        if rel.suffix == ".md":
            text = src.read_text(encoding="utf-8")
            result = strip_solutions(strip_instructor_only(text), str(rel))
            for ref in dangling_references(result.text, result.labels):
                errors.append(f"{rel}: {ref} points into a removed solution")
            if result.solutions or result.solution_cells:
                counts[str(rel)] = result.solutions
            new = _student_urls(result.text) if rel.parts[0] == "notebooks" else result.text
            if new != text:
                _write_if_changed(out, new.encode("utf-8"))
            else:
                _copy(src, out)
            if (src.with_suffix(".ipynb")).exists() and new != text:
                stripped_notebooks[rel] = new
        elif rel.suffix == ".ipynb" and rel.with_suffix(".md") in stripped_notebooks:
            continue                    # regenerated below from the stripped .md
        elif rel.parts[0] == "notebooks" and rel.suffix in (".py", ".ipynb"):
            text = src.read_text(encoding="utf-8")
            _write_if_changed(out, _student_urls(text).encode("utf-8"))
        elif rel.name == "_config.yml" and len(rel.parts) == 1:
            text = _student_config(src.read_text(encoding="utf-8"), launch_branch)
            _write_if_changed(out, text.encode("utf-8"))
        else:
            _copy(src, out)
    # The jupytext pairs of notebooks that lost solutions: inputs from the stripped .md, outputs
    # from the committed .ipynb wherever a code cell survives unchanged.
    for rel, text in stripped_notebooks.items():
        pair = rel.with_suffix(".ipynb")
        inputs = jupytext.reads(text, fmt="md:myst")
        stored = jupytext.read(ROOT / pair)
        notebook = combine_inputs_with_outputs(inputs, stored, fmt="md:myst")
        _write_if_changed(dest / pair, jupytext.writes(notebook, fmt="ipynb").encode("utf-8"))
    # Files that left the project leave the copy too.
    _prune(dest, wanted)
    if errors:
        raise SystemExit("student edition: references to removed solutions:\n  " + "\n  ".join(errors))
    return counts


def _prune(dest: Path, wanted: set[Path]) -> None:
    """Remove the files under ``dest`` that are not in ``wanted`` (paths relative to it), and
    the folders left empty."""
    if not dest.exists():
        return
    for path in sorted(dest.rglob("*"), reverse=True):
        rel = path.relative_to(dest)
        if path.is_file() and rel not in wanted:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()


def write_branch_tree(src: Path = SRC, dest: Path = BRANCH_TREE,
                      baseurl: str | None = None) -> int:
    """The launch branch's files: the stripped notebooks, the data, Binder's runtime.

    tools/publish.sh commits this folder as the branch that the student site's Binder and
    Colab buttons open. It holds only what a notebook needs to run there (BRANCH_PARTS) and
    a README; nothing in it holds a solution or links to the instructor edition.
    """
    site = student_baseurl(baseurl or instructor_baseurl())
    wanted = {Path("README.md")}
    for part in BRANCH_PARTS:
        top = src / part
        paths = [top] if top.is_file() else sorted(p for p in top.rglob("*") if p.is_file())
        for path in paths:
            rel = path.relative_to(src)
            if SKIP_DIRS & set(rel.parts):
                continue
            wanted.add(rel)
            _copy(path, dest / rel)
    readme = (f"# Student edition: notebooks\n\n"
              f"The notebooks of the student edition of *State-Society Relations: NGOs in "
              f"Kazakhstan, an executable edition*, with the data they read. The book itself is "
              f"at <{site}>.\n\n"
              f"Open a notebook from the book's pages (the Binder and Colab buttons), or run it "
              f"here: `pip install -r binder/requirements.txt`, then open `notebooks/` in "
              f"Jupyter. This branch is written by the edition's publishing script; changes "
              f"made to it are overwritten.\n")
    _write_if_changed(dest / "README.md", readme.encode("utf-8"))
    _prune(dest, wanted)
    return len(wanted)


def _copy(src: Path, out: Path) -> None:
    if out.exists() and out.stat().st_size == src.stat().st_size and out.read_bytes() == src.read_bytes():
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(src, out)


# --------------------------------------------------------------------------------------------
# Building
# --------------------------------------------------------------------------------------------

def _bin(name: str) -> str:
    venv = os.environ.get("VENV")
    for candidate in ([ROOT / venv / "bin" / name] if venv else []) + [
            Path(sys.executable).parent / name, ROOT / ".venv" / "bin" / name]:
        if candidate.exists():
            return str(candidate)
    found = shutil.which(name)
    if not found:
        raise SystemExit(f"{name} not found: run `make venv` first")
    return found


def _publish(built: Path, target: Path) -> None:
    """Replace target by a copy of built in one rename (a failed build publishes nothing)."""
    new = target.with_name(target.name + ".new")
    shutil.rmtree(new, ignore_errors=True)
    shutil.copytree(built, new, symlinks=True)
    shutil.rmtree(target, ignore_errors=True)
    new.rename(target)


def build(what: str) -> None:
    env = dict(os.environ, SOURCE_DATE_EPOCH=os.environ.get("SOURCE_DATE_EPOCH", "1420070400"),
               PYDEVD_DISABLE_FILE_VALIDATION="1")
    command = [sys.executable, str(SRC / "tools" / "jupyter_book_parallel.py"), "build", str(SRC),
               "--path-output", str(WORK),
               "-n", "-W", "--keep-going"]
    if what == "pdf":
        command[4:4] = ["--builder", "pdflatex"]
    print("+", " ".join(command), flush=True)
    reading = PDF_NAME.replace(".pdf", "-reading.pdf")
    subprocess.run(command, check=True, env=dict(env, KY2015_PDF_EDITION="full"))
    if what == "pdf":  # the reading edition from the same environment (_ext/code_view.py)
        latex = WORK / "_build" / "latex"
        shutil.copy2(latex / PDF_NAME, latex / ("full-" + PDF_NAME))
        subprocess.run(command, check=True, env=dict(env, KY2015_PDF_EDITION="reading"))
        shutil.copy2(latex / PDF_NAME, latex / reading)
        shutil.copy2(latex / ("full-" + PDF_NAME), latex / PDF_NAME)
    OUT.mkdir(parents=True, exist_ok=True)
    pdf = OUT / "pdf" / PDF_NAME
    if what == "html":
        site = WORK / "_build" / "html"
        subprocess.run([sys.executable, str(SRC / "tools" / "package_data.py"), str(site)], check=True)
        for name in (PDF_NAME, reading):
            if (OUT / "pdf" / name).exists():
                shutil.copy2(OUT / "pdf" / name, site / name)
        _publish(site, OUT / "html")
        print(f"Student site: {OUT / 'html' / 'index.html'}")
    else:
        latex = WORK / "_build" / "latex"
        staging = OUT / "pdf.build"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        for name in (PDF_NAME, reading, PDF_NAME.replace(".pdf", ".log")):
            shutil.copy2(latex / name, staging / name)
        shutil.rmtree(OUT / "pdf", ignore_errors=True)
        staging.rename(OUT / "pdf")
        if (OUT / "html").is_dir():
            for name in (PDF_NAME, reading):
                shutil.copy2(OUT / "pdf" / name, OUT / "html" / name)
        print(f"Student PDF: {pdf}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("edition", choices=["student"])
    parser.add_argument("what", choices=["src", "html", "pdf"])
    parser.add_argument("--launch-branch", default=os.environ.get("STUDENT_BRANCH", "student"),
                        help="branch that the student site's Binder/Colab buttons open (default: student)")
    args = parser.parse_args(argv)
    counts = write_student_sources(SRC, args.launch_branch)
    total = sum(counts.values())
    print(f"Student sources: {SRC} ({total} solutions removed from {len(counts)} files)")
    files = write_branch_tree(SRC, BRANCH_TREE)
    print(f"Student launch branch: {BRANCH_TREE} ({files} files; tools/publish.sh commits it "
          f"as '{args.launch_branch}')")
    if args.what != "src":
        build(args.what)


if __name__ == "__main__":
    main()
