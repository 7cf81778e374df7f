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

.PHONY: book html pdf student student-pdf test tests-only notebooks venv clean

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

test: html pdf student student-pdf
	@status=0; tools/system-deps.sh chromium || status=$$?; \
	if [ $$status = 3 ]; then echo "Browser tests will be skipped (no Chromium)."; elif [ $$status != 0 ]; then exit $$status; fi
	$(MAKE) --no-print-directory tests-only

tests-only: venv
	SOURCE_DATE_EPOCH=1420070400 $(BIN)/python -m pytest

# Refresh every notebook's .ipynb pair from its .md source and store fresh outputs (for nbval).
notebooks: venv
	cd notebooks && for nb in *.md; do \
	  ../$(BIN)/jupytext --quiet --to ipynb "$$nb" && \
	  SOURCE_DATE_EPOCH=1420070400 ../$(BIN)/jupyter nbconvert --log-level=WARN --to notebook --execute --inplace "$${nb%.md}.ipynb" || exit 1; \
	done

clean:
	rm -rf _build
