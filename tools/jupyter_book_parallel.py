#!/usr/bin/env python3
"""``jupyter-book`` with Sphinx's parallel build: the notebooks execute on every core at once.

    .venv/bin/python tools/jupyter_book_parallel.py build . [jupyter-book build options]

Exactly the ``jupyter-book`` command line, with these changes, which the command line does not offer:

* Sphinx runs with ``BUILD_JOBS`` processes (default: the number of cores), as ``sphinx-build -j``
  does. myst-nb executes a notebook while Sphinx reads it, so on 2 cores two notebooks execute at
  a time, and a cold build takes about half as long. Every extension the book uses declares itself
  safe for parallel reading and writing; one that did not would make Sphinx warn, and the strict
  build would fail.
* ``sphinx_multitoc_numbering``, which jupyter-book always loads, does not say whether it is safe
  for parallel reading, so Sphinx would read serially. It is: it replaces how section numbers are
  assigned, which Sphinx does once, in the main process, after merging what the processes read.
  Its ``setup`` is wrapped here to say so.
* Each process reads (and writes) one document at a time, the notebooks first, the largest
  first. Sphinx would otherwise hand out documents in batches of up to ten in name order, which
  puts all eight notebooks (``notebooks/`` sorts after ``book/``) in one batch on one core. (Sphinx
  starts waiting tasks last-added first; the order handed to it allows for that, otherwise the two
  longest notebooks would start last and run on after everything else had finished.)
* An error in a worker process (a notebook cell that raises, say) reaches the main process as a
  ``SphinxParallelError`` whose message is only the first line of the error: the notebook's path,
  not the failing cell or its exception. Its message here carries the worker's whole traceback,
  which ends with myst-nb's report of the cell and the exception it raised.
* A failed build shows its error once: Sphinx prints it, and jupyter-book then raises an error
  saying "look above", which is printed without repeating its cause.
* The process ends with ``os._exit`` once jupyter-book is done, skipping the interpreter's
  teardown of Sphinx and the notebook machinery on every build.

These patches reach into jupyter-book's and Sphinx's internals (``build_sphinx``,
``make_chunks``, ``SphinxParallelError``, ``sphinx_multitoc_numbering.setup``), so they were
written for exact versions (``WRITTEN_FOR``, the pins of requirements.txt): with any other
version installed the command stops before building, naming the package and both versions
(``tests/test_patches.py``).

With ``BUILD_JOBS=1`` this is plain ``jupyter-book``. The output is the same either way
(``tests/test_reproducible_build.py`` compares two builds).

It earns its keep (issue 13.4; ``make bench`` runs ``tools/bench.py --variant serial``, plain
``jupyter-book build`` in one process). Three runs each on 2 cores, 2026-12-06: a cold build took
44.7-54.3 s with it and 76.7-79.2 s without, and a data edit (four notebooks re-executed)
28.2-32.9 s with and 43.5-47.2 s without, both gains beyond the spread; a no-op rebuild
(5.9-6.8 s against 6.4-7.1 s) and a prose edit (8.0-9.5 s against 7.7-8.7 s), which execute no
notebook, are the same either way. The error-message patches fix what a person sees when a
notebook fails in a worker: without them the last line names only the notebook's path.
"""
from __future__ import annotations

import multiprocessing
import os
import sys
import traceback
from pathlib import Path

import kernel_ipc  # noqa: F401  (kernels over Unix sockets: no TCP port race between processes)
import jupyter_book.sphinx
import sphinx.builders
import sphinx.errors
import sphinx_multitoc_numbering

# The versions whose internals the patches below were read against (requirements.txt's pins).
WRITTEN_FOR = {"jupyter-book": "1.0.4.post1", "sphinx": "7.4.7",
               "sphinx-multitoc-numbering": "0.1.3"}


def check_versions() -> None:
    """Stop, naming package and versions, if any package is not the version patched."""
    from importlib.metadata import version

    changed = [f"{name} {version(name)} (written for {expected})"
               for name, expected in WRITTEN_FOR.items() if version(name) != expected]
    if changed:
        sys.exit("tools/jupyter_book_parallel.py patches the internals of exact package "
                 "versions, and these differ: " + "; ".join(changed) + ". Re-read each patch "
                 "against the new version, then update WRITTEN_FOR (or pin the old version "
                 "again in requirements.txt).")


JOBS = int(os.environ.get("BUILD_JOBS") or os.cpu_count() or 1)
# The book's folder: the argument after `build` (jupyter-book build PATH ...).
SOURCE = Path(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[1] == "build" else Path(".")

_build_sphinx = jupyter_book.sphinx.build_sphinx


def build_sphinx(*args, **kwargs):
    kwargs["jobs"] = JOBS
    return _build_sphinx(*args, **kwargs)


def one_document_per_task(arguments, nproc, maxbatch=10):
    """One document per task, the notebooks first (longest source first): the slowest tasks
    start first, so no core is left executing a notebook alone at the end of the read."""
    def weight(name):
        notebook = name.startswith("notebooks/")
        path = SOURCE / (name + ".md")
        return (not notebook, -(path.stat().st_size if notebook and path.exists() else 0), name)

    ordered = [[name] for name in sorted(arguments, key=weight)]
    # Sphinx starts the first `nproc` tasks as they are added, and each later one when a process
    # frees up, taking the most recently added first (ParallelTasks keeps the waiting tasks in a
    # dict and starts `popitem()`'s). Add the rest in reverse, so that they too start in order.
    return ordered[:nproc] + ordered[nproc:][::-1]


_multitoc_setup = sphinx_multitoc_numbering.setup


def multitoc_setup(app):
    metadata = dict(_multitoc_setup(app) or {})
    metadata.update(parallel_read_safe=True, parallel_write_safe=True)
    return metadata


def parallel_error_text(self) -> str:
    return f"{self.message}\n\nIn the worker process:\n{self.traceback}"


jupyter_book.sphinx.build_sphinx = build_sphinx  # jupyter-book imports it when `build` runs
sphinx.errors.SphinxParallelError.__str__ = parallel_error_text
sphinx_multitoc_numbering.setup = multitoc_setup
if JOBS > 1:
    sphinx.builders.make_chunks = one_document_per_task

if __name__ == "__main__":
    check_versions()
    from jupyter_book.cli.main import main

    try:
        main()
        code = 0
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
        if not isinstance(done.code, (int, type(None))):
            print(done.code, file=sys.stderr)
    except RuntimeError as failed:
        # jupyter-book's "There was an error in building your book. Look above for the cause."
        # raised from Sphinx's exception, which Sphinx has just printed in full: print the box
        # only, not the cause a second time.
        if failed.__cause__ is not None and "Look above for the cause" in str(failed):
            print(failed, file=sys.stderr)
        else:
            traceback.print_exc()
        code = 1
    except BaseException:  # any other failure: show it whole
        traceback.print_exc()
        code = 1
    # After a failure, Sphinx stops reading its workers' pipes, and a worker that was sending its
    # result (a large doctree) blocks for ever: a normal exit would wait for it (multiprocessing
    # joins its children at exit), and it would keep the build's output open. End the workers.
    for worker in multiprocessing.active_children():
        worker.kill()
    # Everything is written and closed by now; skip the interpreter's teardown of Sphinx's
    # environment and the notebook machinery.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
