#!/usr/bin/env bash
# Build the site (html) or the PDF (pdf) strictly, and publish it only when the whole build succeeded.
#
#   tools/build.sh html   ->  _build/html/ (the static site, with data/ and the data archive)
#   tools/build.sh pdf    ->  _build/pdf/ngos-in-kazakhstan.pdf (full edition, with the code) and
#                             ngos-in-kazakhstan-reading.pdf (code left out), and the instructor's
#                             ngos-in-kazakhstan-answer-key.pdf (exercises with worked solutions,
#                             tools/answer_key.py); all three also copied into _build/html/
#
# 1. The data are checked first (notebooks/data_package.py): a bad cell stops the build with one
#    line naming file, row and column, before anything runs.
# 2. Jupyter Book works in _build/work/ (kept between builds: Sphinx's environment there makes
#    rebuilds incremental). A failed build ends with one line saying what failed and where
#    (tools/build_summary.py: the notebook, code cell and exception), and publishes nothing.
# 3. Publishing is atomic: _build/html and _build/pdf are symbolic links to complete copies in
#    _build/versions/, and a new copy is swapped in by renaming a link over the old one, so at
#    every instant _build/html is the old complete site or the new one, even if the build is
#    killed. Only the files this build produced are published (see prune_stale below).
# 4. One build at a time in a tree: a second build started while one runs stops at once with a
#    message (lock file _build/.lock).
# jupyter-book runs with Sphinx's parallel build (tools/jupyter_book_parallel.py; BUILD_JOBS=1 for
# one process), so that notebooks execute on all cores.
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:?usage: tools/build.sh html|pdf}
BIN=${VENV:-.venv}/bin
WORK=_build/work
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1420070400}   # stable dates inside SVG/PDF figures
export PYDEVD_DISABLE_FILE_VALIDATION=1

mkdir -p _build/versions
exec 9>_build/.lock
if ! flock -n 9; then
  echo "Another build is running in this folder (it holds _build/.lock): wait for it to end, or stop it, then build again." >&2
  exit 75
fi

"$BIN/python" notebooks/data_package.py data >/dev/null   # prints "Data error: …" and exits 1

sphinx() {  # sphinx ARGS…: jupyter-book; on failure, the last line says what failed and where
  local log=_build/last-build.log status=0
  "$BIN/python" tools/jupyter_book_parallel.py build . --path-output "$WORK" -n -W --keep-going "$@" \
    2>&1 | tee "$log" || status=$?
  if [ "$status" != 0 ]; then
    echo >&2
    "$BIN/python" tools/build_summary.py "$log" >&2
    exit "$status"
  fi
}

publish() {  # publish DIR NAME: _build/NAME becomes a complete copy of DIR, swapped in atomically
  tools/swap_site.sh "$1" "$2"
}

copy_in() {  # copy_in FILE DIR: put FILE into DIR in one rename
  cp "$1" "$2/.${1##*/}.tmp" && mv -f "$2/.${1##*/}.tmp" "$2/${1##*/}"
}

prune_stale() {  # prune_stale SITE: remove figures and notebook outputs no page refers to
  # Sphinx never deletes the images and executed-notebook files of an earlier build, so a data
  # edit and its revert would otherwise publish superseded figures beside the current ones.
  "$BIN/python" - "$1" <<'PY'
import re, sys
from pathlib import Path
site = Path(sys.argv[1])
pages = "".join(p.read_text(encoding="utf-8", errors="replace") for p in site.rglob("*.html"))
for folder in ("_images",):
    for path in (site / folder).rglob("*") if (site / folder).is_dir() else []:
        if path.is_file() and path.name not in pages:
            path.unlink()
PY
}

PDFS=(ngos-in-kazakhstan.pdf ngos-in-kazakhstan-reading.pdf ngos-in-kazakhstan-answer-key.pdf)

case "$what" in
  html)
    sphinx
    prune_stale "$WORK/_build/html"
    "$BIN/python" tools/package_data.py "$WORK/_build/html"
    for pdf in "${PDFS[@]}"; do
      if [ -f "_build/pdf/$pdf" ]; then cp "_build/pdf/$pdf" "$WORK/_build/html/"; fi
    done
    publish "$WORK/_build/html" html
    echo "Site: $(pwd)/_build/html/index.html"
    ;;
  pdf)
    # Two editions from one environment (no notebook runs twice): the full edition with the code,
    # then the reading edition without it (_ext/code_view.py, KY2015_PDF_EDITION=reading).
    rm -rf _build/pdf.new && mkdir -p _build/pdf.new
    trap 'rm -rf _build/pdf.new' EXIT   # a failed build leaves no half-made copy
    KY2015_PDF_EDITION=full sphinx --builder pdflatex
    cp "$WORK/_build/latex/ngos-in-kazakhstan.pdf" "$WORK/_build/latex/ngos-in-kazakhstan.log" _build/pdf.new/
    # The answer key is typeset from the full edition's LaTeX, before the reading edition replaces it.
    "$BIN/python" tools/answer_key.py "$WORK/_build/latex"
    cp "$WORK/_build/latex/ngos-in-kazakhstan-answer-key.pdf" _build/pdf.new/
    KY2015_PDF_EDITION=reading sphinx --builder pdflatex
    cp "$WORK/_build/latex/ngos-in-kazakhstan.pdf" _build/pdf.new/ngos-in-kazakhstan-reading.pdf
    publish _build/pdf.new pdf
    if [ -d _build/html ]; then
      for pdf in "${PDFS[@]}"; do copy_in "_build/pdf/$pdf" _build/html/; done
    fi
    echo "PDF: $(pwd)/_build/pdf/ngos-in-kazakhstan.pdf (full), ngos-in-kazakhstan-reading.pdf (reading edition), ngos-in-kazakhstan-answer-key.pdf (answer key)"
    ;;
  *) echo "usage: tools/build.sh html|pdf" >&2; exit 2 ;;
esac
