#!/usr/bin/env python3
"""Write (or check) the first code cell of every notebook: what a download needs to run alone.

    python tools/setup_cell.py           # rewrite the cell in notebooks/*.md where it differs
    python tools/setup_cell.py --check   # exit 1, naming the notebooks, if any differs

A notebook downloaded from the site (or opened in Colab from GitHub) arrives without the modules
it imports from beside it (data_package.py, book_outputs.py, …) and, in Colab, without
frictionless and tabulate. Its first cell, tagged remove-cell so that the page starts with the
chapter, not with set-up, fetches the modules from the site's data/ folder (where
tools/package_data.py serves them) and installs the two packages in Colab, pinned as in
requirements.txt. In the book, in nbval and beside the unpacked data archive it finds everything
and does nothing. Where it cannot get a module it stops with one line saying what to put where.

The cell is generated, not copied by hand: `make notebooks` runs this script first, and
tests/test_downloads.py checks that every notebook's cell is the one this script writes.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
MARK = "# Outside the book (a download, Colab)"
# Packages a lesson needs beyond what Colab has (pandas, seaborn, scipy, matplotlib).
COLAB_PACKAGES = ["frictionless", "tabulate"]
CELL = re.compile(r"```\{code-cell\} ipython3\n:tags: \[remove-cell\]\n\n"
                  + re.escape(MARK) + r".*?\n```\n\n", re.S)


def pins(names):
    found = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        name, _, version = line.partition("==")
        if name.strip().lower() in names:
            found[name.strip().lower()] = f"{name.strip()}=={version.strip()}"
    missing = set(names) - set(found)
    if missing:
        raise SystemExit(f"requirements.txt: no exact pin for {', '.join(sorted(missing))}")
    return [found[n] for n in names]


def data_url():
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    return config["html"]["baseurl"].rstrip("/") + "/data"


def modules_imported(text):
    names = re.findall(r"^\s*(?:from|import)\s+(\w+)", text, re.M)
    return sorted({n for n in names if (NOTEBOOKS / f"{n}.py").is_file()},
                  key=lambda n: (n != "data_package", n))


def cell(text):
    modules = ", ".join(f'"{m}"' for m in modules_imported(text))
    packages = ", ".join(f'"{p}"' for p in pins(COLAB_PACKAGES))
    return f'''```{{code-cell}} ipython3
:tags: [remove-cell]

{MARK}: fetch what this notebook needs.
# In the book, or beside the unpacked data archive, this cell does nothing.
import importlib.util
import os
import subprocess
import sys
import urllib.request

PUBLISHED = "{data_url()}"
SITE = os.environ.get("KY2015_DATA_URL", PUBLISHED).rstrip("/")
PACKAGES = [{packages}]
absent = [p for p in PACKAGES if importlib.util.find_spec(p.split("==")[0]) is None]
if absent and "google.colab" in sys.modules:
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", *absent], check=True)
elif absent:
    raise SystemExit(f"Install first: pip install {{' '.join(absent)}}")
for module in [{modules}]:
    if importlib.util.find_spec(module) is None:
        try:
            urllib.request.urlretrieve(f"{{SITE}}/{{module}}.py", f"{{module}}.py")
        except OSError as error:
            raise SystemExit(
                f"{{module}}.py is missing: unpack ky2015-data.zip (the book's 'Data and "
                f"sources' page) beside this notebook, or set KY2015_DATA_URL ({{error}})"
            ) from None
        importlib.invalidate_caches()
```

'''


def updated(text):
    text = CELL.sub("", text, count=1)
    first = text.index("```{code-cell}")
    return text[:first] + cell(text) + text[first:]


def main(argv):
    check = "--check" in argv
    stale = []
    for path in sorted(NOTEBOOKS.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        new = updated(text)
        if new != text:
            stale.append(path.name)
            if not check:
                path.write_text(new, encoding="utf-8")
    if check and stale:
        print("set-up cell out of date (run tools/setup_cell.py): " + ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
