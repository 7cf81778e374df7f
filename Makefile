# The two commands of the README:
#   make book   virtual environment, then the HTML site (_build/html), then the PDF (_build/pdf)
#   make test   the same set-up and builds, then the whole test suite
# Each installs what is missing when it can (Python packages into .venv; TeX and Chromium with apt-get
# when run as root on Debian) and otherwise says plainly what it skipped. Under CI=true nothing may
# be skipped.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export VENV
# Fixed dates inside figures, notebooks and archives, so that two builds of a commit are identical.
export SOURCE_DATE_EPOCH ?= 1420070400

.PHONY: book html pdf student student-pdf test tests-only test-tools nbval notebooks venv bench publish clean

book: html pdf

venv: $(VENV)/.installed
$(VENV)/.installed: requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 is required (PYTHON=$(PYTHON))")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

html: venv
	tools/build.sh html

# The PDF needs TeX; the HTML never does.
pdf: venv
	@status=0; tools/system-deps.sh tex || status=$$?; \
	if [ $$status = 3 ]; then echo "PDF skipped (no TeX)."; exit 0; fi; \
	[ $$status = 0 ] && tools/build.sh pdf

# The student edition: the book without worked solutions (tools/build_edition.py), in _build/student/.
student: venv
	$(BIN)/python tools/build_edition.py student html

student-pdf: venv
	@status=0; tools/system-deps.sh tex || status=$$?; \
	if [ $$status = 3 ]; then echo "Student PDF skipped (no TeX)."; exit 0; fi; \
	[ $$status = 0 ] && $(BIN)/python tools/build_edition.py student pdf

test: html pdf student student-pdf test-tools
	$(MAKE) --no-print-directory tests-only

# What the tests need beyond the virtual environment: Debian's Chromium (accessibility and offline
# tests), axe-core from npm (pinned in tests/browser/package-lock.json) and the en_GB Hunspell
# dictionary (spell check). Missing ones are installed when possible, else the tests that need
# them are skipped with the reason; under CI=true a missing one fails.
test-tools:
	@status=0; tools/system-deps.sh chromium || status=$$?; \
	if [ $$status = 3 ]; then echo "Browser tests will be skipped (no Chromium)."; elif [ $$status != 0 ]; then exit $$status; fi
	@status=0; tools/system-deps.sh dictionary || status=$$?; \
	if [ $$status = 3 ]; then echo "The spell check will be skipped (no en_GB dictionary)."; elif [ $$status != 0 ]; then exit $$status; fi
	@if [ -f tests/browser/node_modules/axe-core/axe.min.js ]; then :; \
	elif command -v npm >/dev/null 2>&1; then npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error; \
	elif [ "$$CI" = true ]; then echo "CI=true: nothing may be skipped. npm is missing, so axe-core cannot be installed (sudo apt-get install npm)." >&2; exit 1; \
	else echo "SKIPPED: npm not found, so axe-core is not installed and the accessibility tests will be skipped (sudo apt-get install npm)."; fi

# A passing run records which sites it tested (_build/tests-passed: the instructor site's copy and
# the student site's fingerprint); tools/publish.sh publishes only those.
tests-only: venv
	@rm -f _build/tests-passed
	$(BIN)/python -m pytest
	@tools/publish.sh --record-tested

# Only the notebooks: each .ipynb's stored outputs checked against a fresh run (nbval), one notebook
# per core (pytest-xdist; --dist loadfile keeps a notebook's cells in one kernel).
nbval: venv
	$(BIN)/python -m pytest notebooks -n auto --dist loadfile

# How long builds and rebuilds take on this machine (tools/bench.py; a report, not a test).
# Then the HTML builds again without each local Sphinx patch, to see what each one gains.
bench: venv
	$(BIN)/python tools/bench.py --runs 3
	$(BIN)/python tools/bench.py --runs 3 --no-pdf --no-nbval --variant no-incremental
	$(BIN)/python tools/bench.py --runs 3 --no-pdf --no-nbval --variant serial

# Publish both editions: the instructor site at the root of the gh-pages branch, the student site in
# its student/ folder, and the student notebooks on the branch `student` that the student site's
# Binder and Colab buttons open (see tools/publish.sh). Only sites the whole test suite passed.
publish: test
	tools/publish.sh

# Refresh every notebook's .ipynb pair from its .md source and store fresh outputs (for nbval),
# after writing each notebook's set-up cell for downloads and Colab (tools/setup_cell.py).
# --update keeps the cell ids, and no execution timestamps are stored, so an .ipynb changes only
# where its notebook's code or results do.
notebooks: venv
	$(BIN)/python tools/setup_cell.py
	cd notebooks && for nb in *.md; do \
	  ../$(BIN)/jupytext --quiet --update --to ipynb "$$nb" && \
	  ../$(BIN)/jupyter nbconvert --log-level=WARN --to notebook --execute --inplace \
	    --ExecutePreprocessor.record_timing=False "$${nb%.md}.ipynb" || exit 1; \
	done

clean:
	rm -rf _build
