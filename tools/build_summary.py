#!/usr/bin/env python3
"""The last line of a failed build: what failed and where, in one line.

    python tools/build_summary.py LOG

LOG is the whole output of a failed Sphinx / jupyter-book run. A notebook that raised is named
with the code cell (its execution count, which is the code cell's number counting from 1) and the
exception; a data error raised by notebooks/data_package.py is shown as it is; otherwise the first
Sphinx warning or error. It reads the log only; the exit code is the build's, not this script's.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

ANSI = re.compile(r"\x1b\[[0-9;]*m")
NOTEBOOK = re.compile(r"ExecutionError: (\S+\.(?:md|ipynb))")
CELL = re.compile(r"^Cell In\[(\d+)\], line (\d+)", re.M)
EXCEPTION = re.compile(r"^(\w*(?:Error|Exception|Interrupt|Exit)): (.*)$", re.M)
WARNING = re.compile(r"^(\S.*?(?:WARNING|ERROR|CRITICAL): .*)$", re.M)


def summary(text: str, root: Path) -> str:
    text = ANSI.sub("", text)
    notebook = NOTEBOOK.search(text)
    if notebook:
        path = Path(notebook.group(1))
        try:
            path = path.resolve().relative_to(root.resolve())
        except ValueError:
            pass
        # The cell's own traceback is printed between "executing the following cell" and the
        # worker's traceback ("The above exception was the direct cause ...").
        block = text[notebook.end():]
        block = block.split("The above exception was the direct cause", 1)[0]
        cell = CELL.search(block)
        errors = [m for m in EXCEPTION.finditer(block) if m.group(1) != "CellExecutionError"]
        where = f"{path.as_posix()}"
        if cell:
            where += f", code cell {cell.group(1)}, line {cell.group(2)}"
        if errors:
            name, message = errors[-1].group(1), errors[-1].group(2).strip()
            if name == "DataError":
                return f"Data error ({where}): {message}"
            return f"Build failed: {where}: {name}: {message}"
        return f"Build failed: {where}: the notebook raised an error (see above)"
    warning = WARNING.search(text)
    if warning:
        return f"Build failed: {warning.group(1).strip()}"
    return "Build failed: see the messages above"


if __name__ == "__main__":
    log = Path(sys.argv[1])
    print(summary(log.read_text(encoding="utf-8", errors="replace"),
                  Path(__file__).resolve().parent.parent))
