"""The edition's own version and date, from CITATION.cff, on the PDF's title page.

Sphinx dates the PDF's title page with the day of the build, and tools/build.sh fixes that day
(``SOURCE_DATE_EPOCH``) to 1 January 2015 so that two builds are identical: a reader would take
the edition for the article's own year. The edition's date is the one its citation file gives
(``date-released``), with its ``version``; both are read here (Sphinx's ``today``), so that the
title page and ``CITATION.cff`` never disagree.

Configuration (``_config.yml``)::

    sphinx:
      local_extensions:
        edition: _ext
"""
from __future__ import annotations

import datetime
from pathlib import Path

import yaml
from sphinx.errors import ConfigError


def edition_facts(srcdir: str | Path) -> tuple[str, datetime.date]:
    """The version and release date that CITATION.cff (beside _config.yml) declares."""
    path = Path(srcdir) / "CITATION.cff"
    try:
        cff = yaml.safe_load(path.read_text(encoding="utf-8"))
        version, released = str(cff["version"]), cff["date-released"]
        if isinstance(released, str):
            released = datetime.date.fromisoformat(released)
    except (OSError, KeyError, TypeError, ValueError, yaml.YAMLError) as error:
        raise ConfigError(f"{path}: the edition's version and date-released could not be read "
                          f"({error})") from error
    return version, released


def _set(app, config):
    version, released = edition_facts(app.srcdir)
    config.today = f"Version {version}, {released.day} {released:%B %Y}"


def setup(app):
    app.connect("config-inited", _set)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1.0"}
