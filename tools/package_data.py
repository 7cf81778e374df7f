#!/usr/bin/env python3
"""Put the data package into the built site: data/ as files (so that a notebook opened outside the
repository can fetch it from the site's data/ URL) and as one archive, data/ky2015-data.zip.

The archive also holds the notebooks' modules (notebooks/*.py: data_package.py, book_outputs.py
and any other), at its top level. Unpacked beside a downloaded notebook it gives the notebook
everything it imports and its data in data/, so the notebook runs with no network. The modules
are also served beside the data files, for a notebook run from the site's data/ URL.

    python tools/package_data.py _build/work/_build/html

The archive is byte-for-byte repeatable: fixed member order, timestamps and permissions.
"""
import shutil
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
MODULES = ROOT / "notebooks"
ARCHIVE = "ky2015-data.zip"
EPOCH = (2015, 1, 1, 0, 0, 0)


def main(site):
    out = Path(site) / "data"
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    files = sorted(p for p in DATA.iterdir() if p.is_file())
    modules = sorted(MODULES.glob("*.py"))
    members = [(f"data/{p.name}", p) for p in files] + [(p.name, p) for p in modules]
    with zipfile.ZipFile(out / ARCHIVE, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, path in members:
            shutil.copyfile(path, out / path.name)
            info = zipfile.ZipInfo(name, date_time=EPOCH)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    print(f"{out / ARCHIVE}: {len(files)} data files, {len(modules)} modules")


if __name__ == "__main__":
    main(sys.argv[1])
