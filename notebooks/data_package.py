"""The edition's data package: find it, check it, and load one table of it.

Every notebook of the edition reads its data through this module, so the loading code
exists once::

    from data_package import load
    nit = load("nit_ratings")   # a DataFrame, checked against data/datapackage.json

Where the data are looked for, in this order:

1. the folder named by the environment variable ``KY2015_DATA`` (a folder holding
   ``datapackage.json``);
2. a ``data/`` folder beside the notebook, or one level up (the repository's layout);
3. the data archive ``ky2015-data.zip`` (from the book's "Data and sources" page) beside
   the notebook or one level up, unpacked into ``data/`` beside it on first use;
4. the published copy, at ``KY2015_DATA_URL`` (default: the book's site).

Every check a table must pass is declared in ``datapackage.json``: in each field's
schema (type, range, allowed values; the words for what is expected in the field's
``expected`` property), in each table's primary key, and in each table's ``checks`` list
(checks of meaning: series that must be complete, values that must agree with another
column, jumps too large to be real). The schema checks are run by Frictionless, the
others below, whenever a table is loaded. Any failure raises :class:`DataError`, whose
message is one line a person can act on: file, row (as a spreadsheet numbers it, the
header being row 1), column, the value found and what was expected. ``data/README.md``
lists every check.

Rows come back in a declared order (the table's ``rowOrder``, else its primary key, with
categories in the order the schema lists them), so the order of rows in a file never
changes a figure or a table.

Run as a script, the module checks the whole package and prints that one line (exit code
1) or a summary (exit code 0)::

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
    """A data file that cannot be used as it is: the message says file, row, column."""


def _candidates(start: Path):
    """Folders that may hold the data package, nearest first."""
    env = os.environ.get("KY2015_DATA")
    if env:
        yield Path(env)
    for base in (start, start.parent):
        yield base / "data"


def _unpack_archive(start: Path) -> Path | None:
    """Unpack ky2015-data.zip beside the notebook (or one level up) into data/."""
    for base in (start, start.parent):
        archive = base / ARCHIVE
        if archive.is_file():
            with zipfile.ZipFile(archive) as zf:
                zf.extractall(base)  # the archive's members are data/<file>
            return base / "data"
    return None


def locate(start: str | os.PathLike | None = None) -> str:
    """Where the data package is: a local datapackage.json, or the published one."""
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
                f"The data package was not found: put the book's data/ folder (or "
                f"{ARCHIVE}, from its 'Data and sources' page) beside this notebook, "
                f"or set KY2015_DATA_URL to a web folder holding {DESCRIPTOR} "
                f"({where} could not be read: {error.error.note})") from None
        raise DataError(f"{_shown(where)}: cannot be read as a data package "
                        f"({error.error.note})") from None


def _shown(path: str) -> str:
    """A file's name as a person edits it: data/<file>."""
    if path.startswith(("http://", "https://")):
        return path
    return f"data/{Path(path).name}"


KINDS = {"integer": "a whole number", "number": "a number",
         "date": "a date (YYYY-MM-DD)", "year": "a year", "string": "text"}


def _expected(field) -> str:
    """What a field accepts, in words: its ``expected`` property, else its schema."""
    if field.custom.get("expected"):
        return field.custom["expected"]
    c = field.constraints or {}
    if "enum" in c:
        values = ", ".join(f'"{v}"' for v in c["enum"][:12])
        return f"one of {values}" + (" …" if len(c["enum"]) > 12 else "")
    kind = KINDS.get(field.type, f"a {field.type}")
    if c.get("pattern") == "^[^<>]*$":
        return "text without < or >"
    if "minimum" in c and "maximum" in c:
        return f"{kind} from {c['minimum']} to {c['maximum']}"
    if "minimum" in c:
        return f"{kind} of at least {c['minimum']}"
    if "maximum" in c:
        return f"{kind} of at most {c['maximum']}"
    if "pattern" in c:
        return f"{kind} matching {c['pattern']}"
    return kind


def _cell_problem(field, cell, error) -> str:
    """Why a cell was refused: not of the field's type, empty, or out of its limits."""
    found = f'"{cell}"'
    if error.type == "type-error":
        what = f"{found} is not {KINDS.get(field.type, 'a ' + field.type)}"
        if "," in str(cell) and field.type in ("number", "integer"):
            what += " (write decimals with a point)"
        return what
    if cell in (None, "") or "required" in error.note:
        return "the cell is empty" if cell in (None, "") else f"{found} counts as empty"
    if "enum" in error.note:
        return f"{found} is not in the list"
    if "pattern" in error.note:
        return f"{found} is not allowed"
    return f"{found} is out of range"


def one_line(resource, error) -> str:
    """A Frictionless error as one line: file, row, column, value found, expected."""
    shown = _shown(resource.path or resource.name)
    fields = {f.name: f for f in resource.schema.fields} if resource.schema else {}
    row = getattr(error, "row_number", None)
    field_name = getattr(error, "field_name", None)
    named = field_name and error.type not in ("extra-label",)
    where = ([shown] + ([f"row {row}"] if row else [])
             + ([f"column {field_name}"] if named else []))
    kind = error.type
    if field_name in fields and kind in ("type-error", "constraint-error"):
        what = (f"{_cell_problem(fields[field_name], error.cell, error)} "
                f"(expected {_expected(fields[field_name])})")
    elif kind in ("incorrect-label", "missing-label", "extra-label", "duplicate-label",
                  "blank-label"):
        number, label = getattr(error, "field_number", "?"), getattr(error, "label", "")
        where = [shown, "row 1 (the header)"]
        names = ", ".join(fields)
        what = {"incorrect-label": f'column {number} is headed "{label}" but should be '
                                   f'"{field_name}"',
                "missing-label": f'column {number} ("{field_name}") is missing',
                "extra-label": f'column {number} ("{label}") is not in the schema',
                }.get(kind, f'column {number}: "{label}" {error.title.lower()}')
        what += f" (expected the columns {names})"
    elif kind == "missing-cell":
        what = "the cell is missing (the row is too short)"
    elif kind == "primary-key":
        key = ", ".join(resource.schema.primary_key)
        first = error.note.rsplit(" ", 1)[-1]
        other = int(first) if first.isdigit() else "?"
        what = f"the key ({key}) is the same as in row {other}"
    elif kind == "scheme-error":
        what = f"the file is missing (data/{DESCRIPTOR} lists it)"
    elif kind == "encoding-error":
        what = f"not UTF-8 text ({error.note}): save the file as UTF-8"
    elif kind == "source-error":
        what = f"{error.note} (expected a header row and data rows)"
    else:
        what = f"{error.title.lower()}: {error.note}"
    return ", ".join(where) + ": " + what


def _validate(resource) -> None:
    """The schema's checks (Frictionless); a key field must be an integer or text."""
    for name in resource.schema.primary_key:
        field = resource.schema.get_field(name)
        if field.type not in ("integer", "string", "year"):
            raise DataError(
                f"data/{DESCRIPTOR}, table {resource.name}, field {name}: type is "
                f'"{field.type}", but a key field must be "integer" or "string"')
    report = resource.validate()
    if not report.valid:
        errors = [e for task in report.tasks for e in task.errors] or report.errors
        # A column dropped or moved shows first as a column headed with another's name.
        errors.sort(key=lambda e: e.type != "incorrect-label")
        raise DataError(one_line(resource, errors[0]))


def _where(resource, frame, index, column) -> str:
    return f"{_shown(resource.path)}, row {frame.at[index, '_row']}, column {column}"


def _matches(frame, condition: dict):
    """Rows meeting {field: value | [values] | {"minimum": a, "maximum": b}}."""
    keep = frame.index == frame.index
    for column, wanted in condition.items():
        values = frame[column]
        if isinstance(wanted, dict):
            keep &= values.ge(wanted.get("minimum", values.min()))
            keep &= values.le(wanted.get("maximum", values.max()))
        elif isinstance(wanted, list):
            keep &= values.isin(wanted)
        else:
            keep &= values.eq(wanted)
    return keep


def _check_complete(resource, frame, check) -> None:
    """Every combination of the listed values (and every year of a range) has a row."""
    import itertools

    axes = {k: (list(range(v["from"], v["to"] + 1)) if isinstance(v, dict) else v)
            for k, v in check["each"].items()}
    subset = frame[_matches(frame, check.get("where", {}))]
    present = set(map(tuple, subset[list(axes)].itertuples(index=False)))
    for combination in itertools.product(*axes.values()):
        if combination not in present:
            given = ", ".join(f"{k} {v}" for k, v in zip(axes, combination))
            raise DataError(f"{_shown(resource.path)}: no row for {given} "
                            f"(expected: {check['why']})")


def _check_rule(resource, frame, check) -> None:
    """Rows matching ``if`` must match ``then``."""
    rows = frame[_matches(frame, check["if"]) & ~_matches(frame, check["then"])]
    if len(rows):
        index = rows.index[0]
        column = next(iter(check["then"]))
        raise DataError(
            f"{_where(resource, frame, index, column)}: "
            f'"{frame.at[index, column]}" is wrong here (expected: {check["why"]})')


def _check_step(resource, frame, check) -> None:
    """Consecutive values of one series may not jump by more than ``max``."""
    column, along = check["value"], check["along"]
    rows = frame.dropna(subset=[column]).sort_values(along, kind="stable")
    for _, series in rows.groupby(check["series"], sort=False):
        jumps = series[column].diff().abs()
        if (jumps > check["max"]).any():
            index = jumps.index[(jumps > check["max"]).argmax()]
            before = series[column].shift().loc[index]
            then = series[along].shift().loc[index]
            raise DataError(
                f"{_where(resource, frame, index, column)}: "
                f"{frame.at[index, column]:g} follows "
                f"{before:g} in {along} {then:g}, a jump of more than {check['max']:g} "
                f"(expected: {check['why']})")


CHECKS = {"complete": _check_complete, "rule": _check_rule, "step": _check_step}


def _in_order(resource, frame):
    """Rows in the declared order; categories in the order the schema lists them."""
    import pandas as pd

    keys = resource.custom.get("rowOrder") or list(resource.schema.primary_key)
    if keys == "file":  # declared: the file's order is the order of presentation
        return frame.reset_index(drop=True)
    sort_keys = {}
    for name in keys:
        enum = (resource.schema.get_field(name).constraints or {}).get("enum")
        sort_keys[name] = (
            pd.Categorical(frame[name], categories=enum, ordered=True).codes
            if enum else frame[name])
    order = pd.DataFrame(sort_keys).sort_values(keys, kind="stable").index
    return frame.loc[order].reset_index(drop=True)


def load(name: str, where: str | None = None):
    """One table of the data package, checked, as a DataFrame (keys as columns)."""
    package = open_package(where)
    try:
        resource = package.get_resource(name)
    except Exception:
        names = ", ".join(r.name for r in package.resources)
        raise DataError(
            f"data/{DESCRIPTOR}: no table named {name!r} (it has {names})") from None
    _validate(resource)
    frame = resource.to_pandas()
    if any(frame.index.names):  # Frictionless puts the primary key in the index
        frame = frame.reset_index()
    frame["_row"] = range(2, len(frame) + 2)  # the row as a spreadsheet numbers it
    for check in resource.custom.get("checks", []):
        CHECKS[check["check"]](resource, frame, check)
    return _in_order(resource, frame).drop(columns="_row")


def check_reproduction(report, where: str | None = None) -> None:
    """Fail when a published value that should be reproduced no longer is.

    ``report`` is the reproduction report's table (columns ``id``, ``status``,
    ``printed``, ``recomputed``). A row may differ only if ``published_values``'s
    ``knownDifferences`` in ``datapackage.json`` names it.
    """
    resource = open_package(where).get_resource("published_values")
    known = set(resource.custom.get("knownDifferences", []))
    ids = list(load("published_values", where)["id"])
    for _, row in report.iterrows():
        if row["status"] == "differs" and row["id"] not in known:
            raise DataError(
                f"{_shown(resource.path)}, row {ids.index(row['id']) + 2} "
                f"({row['id']}): the article prints {row['printed']}, the data now "
                f"give {row['recomputed']}: check the last change to data/, or declare "
                f"the difference in data/{DESCRIPTOR} (knownDifferences) and explain "
                f"it in the book")


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
