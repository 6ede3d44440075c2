"""Build the book as `jupyter-book build book -W -n --keep-going` does, executing pages in parallel.

A cold build spends most of its time executing chapters one after another, each
in a fresh kernel that mostly waits on imports. Sphinx can read (and myst-nb so
execute) pages in parallel processes, and myst-nb declares itself safe for that,
but Jupyter Book 1's command line has no option for it. This script runs that
same command with its build function given Sphinx's ``jobs`` setting: one job
per CPU, or ``KF_BOOK_JOBS``. Arguments are passed on, e.g. ``--path-output DIR``.

Sphinx reads in parallel only if every extension says it may. Of the defaults
Jupyter Book loads, the LaTeX one is switched off in _config.yml (the book is
HTML only). sphinx-multitoc-numbering, which sphinx-external-toc always loads,
declares nothing, so Sphinx assumes the worst; it only replaces how section
numbers are assigned, which Sphinx does once, after every page has been read
and the readers' results merged, so it is safe, and we say so on its behalf.
"""

from __future__ import annotations

import functools
import os
import sys

import jupyter_book.sphinx
import sphinx_multitoc_numbering
from jupyter_book.cli.main import main

JOBS = int(os.environ.get("KF_BOOK_JOBS", "0")) or os.cpu_count() or 1


def _multitoc_setup(app: object) -> dict[str, bool]:
    """Set the numbering extension up as before, declaring it safe for parallel reading and writing."""
    _original_multitoc_setup(app)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


_original_multitoc_setup = sphinx_multitoc_numbering.setup

if __name__ == "__main__":
    sphinx_multitoc_numbering.setup = _multitoc_setup
    # The command imports build_sphinx from this module when it runs, so it takes the wrapped one.
    jupyter_book.sphinx.build_sphinx = functools.partial(jupyter_book.sphinx.build_sphinx, jobs=JOBS)
    main(["build", "book", "-W", "-n", "--keep-going", *sys.argv[1:]])
