#!/usr/bin/env python3
"""Put the data package into the built site: data/ as files (so that a notebook opened outside the
repository can fetch it from the site's data/ URL) and as one archive, data/ky2015-data.zip.

    python tools/package_data.py _build/work/_build/html

The archive is byte-for-byte repeatable: fixed member order, timestamps and permissions.
"""
import shutil
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
ARCHIVE = "ky2015-data.zip"
EPOCH = (2015, 1, 1, 0, 0, 0)


def main(site):
    out = Path(site) / "data"
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    files = sorted(p for p in DATA.iterdir() if p.is_file())
    with zipfile.ZipFile(out / ARCHIVE, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            shutil.copyfile(path, out / path.name)
            info = zipfile.ZipInfo(f"data/{path.name}", date_time=EPOCH)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    print(f"{out / ARCHIVE}: {len(files)} files")


if __name__ == "__main__":
    main(sys.argv[1])
