"""The edition's data package: find it, check it, and load one table of it.

Every notebook of the edition reads its data through this module, so the loading code exists
once::

    from data_package import load
    nit = load("nit_ratings")          # a pandas DataFrame, checked against data/datapackage.json

Where the data are looked for, in this order:

1. the folder named by the environment variable ``KY2015_DATA`` (a folder holding
   ``datapackage.json``);
2. a ``data/`` folder beside the notebook, or one level up (the repository's layout);
3. the data archive ``ky2015-data.zip`` (from the book's "Data and sources" page) beside the
   notebook or one level up, unpacked into ``data/`` beside it on first use;
4. the published copy, at ``KY2015_DATA_URL`` (default: the book's site).

Every check a table must pass is declared in ``datapackage.json`` (types, ranges, allowed values,
keys) and run by Frictionless when the table is loaded. Any failure raises :class:`DataError`,
whose message is one line a person can act on: file, row (as a spreadsheet numbers it, the header
being row 1), column, the value found and what was expected.

Run as a script, the module checks the whole package and prints that one line (exit code 1) or a
summary (exit code 0)::

    python notebooks/data_package.py [data-folder]
"""
from __future__ import annotations

import functools
import os
import sys
import zipfile
from pathlib import Path

PUBLISHED_DATA_URL = "https://ky2015-edition.github.io/ngos-in-kazakhstan/data"
ARCHIVE = "ky2015-data.zip"
DESCRIPTOR = "datapackage.json"


class DataError(ValueError):
    """A data file that cannot be used as it is; the message says file, row, column and why."""


def _candidates(start: Path):
    """Folders that may hold the data package, nearest first."""
    env = os.environ.get("KY2015_DATA")
    if env:
        yield Path(env)
    for base in (start, start.parent):
        yield base / "data"


def _unpack_archive(start: Path) -> Path | None:
    """Unpack ky2015-data.zip found beside the notebook (or one level up) into data/ beside it."""
    for base in (start, start.parent):
        archive = base / ARCHIVE
        if archive.is_file():
            with zipfile.ZipFile(archive) as zf:
                zf.extractall(base)  # the archive's members are data/<file>
            return base / "data"
    return None


def locate(start: str | os.PathLike | None = None) -> str:
    """Where the data package is: a local datapackage.json path, or the published URL."""
    start = Path(start or Path.cwd()).resolve()
    for folder in _candidates(start):
        if (folder / DESCRIPTOR).is_file():
            return str(folder / DESCRIPTOR)
    unpacked = _unpack_archive(start)
    if unpacked is not None and (unpacked / DESCRIPTOR).is_file():
        return str(unpacked / DESCRIPTOR)
    url = os.environ.get("KY2015_DATA_URL", PUBLISHED_DATA_URL).rstrip("/")
    return f"{url}/{DESCRIPTOR}"


@functools.lru_cache(maxsize=None)
def open_package(where: str | None = None):
    """The Frictionless package at ``where`` (default: :func:`locate`)."""
    from frictionless import FrictionlessException, Package

    where = where or locate()
    try:
        return Package(where)
    except FrictionlessException as error:
        if where.startswith(("http://", "https://")):
            raise DataError(
                f"The data package was not found: put the book's data/ folder (or {ARCHIVE}, "
                f"from its 'Data and sources' page) beside this notebook, or set "
                f"KY2015_DATA_URL to a web folder holding {DESCRIPTOR} ({where} could not be "
                f"read: {error.error.note})") from None
        raise DataError(f"{_shown(where)}: cannot be read as a data package "
                        f"({error.error.note})") from None


def _shown(path: str) -> str:
    """A file's name as a person edits it: data/<file>."""
    return path if path.startswith(("http://", "https://")) else f"data/{Path(path).name}"


def _expected(field) -> str:
    """What a field accepts, in words, from its schema."""
    c = field.constraints or {}
    if "enum" in c:
        values = ", ".join(f'"{v}"' for v in c["enum"][:12])
        return f"one of {values}" + (" …" if len(c["enum"]) > 12 else "")
    kind = {"integer": "a whole number", "number": "a number", "date": "a date (YYYY-MM-DD)",
            "year": "a year"}.get(field.type, f"a {field.type}")
    if "minimum" in c and "maximum" in c:
        return f"{kind} from {c['minimum']} to {c['maximum']}"
    if "minimum" in c:
        return f"{kind} of at least {c['minimum']}"
    if "maximum" in c:
        return f"{kind} of at most {c['maximum']}"
    if "pattern" in c:
        return f"{kind} matching {c['pattern']}"
    return kind


def one_line(resource, error) -> str:
    """A Frictionless error as one line: file, row, column, value found, what was expected."""
    where = [_shown(resource.path or resource.name)]
    row = getattr(error, "row_number", None)
    if row:
        where.append(f"row {row}")
    field_name = getattr(error, "field_name", None)
    if field_name:
        where.append(f"column {field_name}")
    cell = getattr(error, "cell", None)
    fields = {f.name: f for f in resource.schema.fields} if resource.schema else {}
    if field_name in fields and error.type in ("type-error", "constraint-error"):
        found = "an empty cell" if cell in (None, "") else f'"{cell}"'
        what = f"{found} is not {_expected(fields[field_name])}"
    elif error.type == "missing-cell":
        what = "the cell is missing (the row is too short)"
    elif error.type == "primary-key":
        what = f"the same key appears twice ({error.note})"
    else:
        what = f"{error.title.lower()}: {error.note}"
    return ", ".join(where) + ": " + what


def _validate(resource) -> None:
    report = resource.validate()
    if not report.valid:
        errors = [e for task in report.tasks for e in task.errors] or report.errors
        raise DataError(one_line(resource, errors[0]))


def load(name: str, where: str | None = None):
    """One table of the data package, checked, as a DataFrame (key columns as columns)."""
    package = open_package(where)
    try:
        resource = package.get_resource(name)
    except Exception:
        names = ", ".join(r.name for r in package.resources)
        raise DataError(f"data/{DESCRIPTOR}: no table named {name!r} (it has {names})") from None
    _validate(resource)
    frame = resource.to_pandas()
    if any(frame.index.names):  # Frictionless puts the primary key in the index
        frame = frame.reset_index()
    return frame


def check(where: str | None = None) -> str:
    """Check every table of the package; a one-line summary, or DataError."""
    package = open_package(where)
    for resource in package.resources:
        _validate(resource)
    rows = sum(len(load(r.name, where)) for r in package.resources)
    return f"data: {len(package.resources)} tables, {rows} rows: all checks passed"


def main(argv: list[str]) -> int:
    folder = Path(argv[0]) if argv else Path(__file__).resolve().parent.parent / "data"
    try:
        print(check(str(folder / DESCRIPTOR)))
    except DataError as error:
        print(f"Data error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
