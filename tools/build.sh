#!/usr/bin/env bash
# Build the site (html) or the PDF (pdf) strictly, and publish it only when the whole build succeeded.
#
#   tools/build.sh html   ->  _build/html/ (the static site, with data/ and the data archive)
#   tools/build.sh pdf    ->  _build/pdf/ngos-in-kazakhstan.pdf (also copied into _build/html/)
#
# Jupyter Book works in _build/work/ (kept between builds: Sphinx's environment there makes rebuilds
# incremental). The published folders are replaced only after a build exits 0 with no warning, so a
# failed build leaves either the previous complete site or none, never a half-built one.
# jupyter-book runs with Sphinx's parallel build (tools/jupyter_book_parallel.py; BUILD_JOBS=1 for
# one process), so that notebooks execute on all cores.
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:?usage: tools/build.sh html|pdf}
BIN=${VENV:-.venv}/bin
WORK=_build/work
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1420070400}   # stable dates inside SVG/PDF figures
export PYDEVD_DISABLE_FILE_VALIDATION=1

publish() {  # publish DIR TARGET: replace TARGET by a copy of DIR in one rename
  rm -rf "$2.new" && cp -a "$1" "$2.new" && rm -rf "$2" && mv "$2.new" "$2"
}

case "$what" in
  html)
    "$BIN/python" tools/jupyter_book_parallel.py build . --path-output "$WORK" -n -W --keep-going
    "$BIN/python" tools/package_data.py "$WORK/_build/html"
    [ -f _build/pdf/ngos-in-kazakhstan.pdf ] && cp _build/pdf/ngos-in-kazakhstan.pdf "$WORK/_build/html/"
    publish "$WORK/_build/html" _build/html
    echo "Site: $(pwd)/_build/html/index.html"
    ;;
  pdf)
    "$BIN/python" tools/jupyter_book_parallel.py build . --builder pdflatex --path-output "$WORK" -n -W --keep-going
    mkdir -p _build/pdf.new
    cp "$WORK/_build/latex/ngos-in-kazakhstan.pdf" "$WORK/_build/latex/ngos-in-kazakhstan.log" _build/pdf.new/
    rm -rf _build/pdf && mv _build/pdf.new _build/pdf
    [ -d _build/html ] && cp _build/pdf/ngos-in-kazakhstan.pdf _build/html/
    echo "PDF: $(pwd)/_build/pdf/ngos-in-kazakhstan.pdf"
    ;;
  *) echo "usage: tools/build.sh html|pdf" >&2; exit 2 ;;
esac
