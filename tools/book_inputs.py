"""The fingerprint of everything a book page can depend on, so a kept book is never older than its inputs.

Used by the noxfile (to keep ``book/_build/html`` between runs) and by the tests (to build
the book once for every test process and keep it until an input changes). Standard
library only: the noxfile imports it outside the project's environment.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

#: Folders whose files a page reads, runs or shows; the build folder and bytecode are not inputs.
FOLDERS = ("book", "src/kfanalysis", "tools", "data/raw", "data/processed")
#: The pins and the project's metadata: a changed library version can change a page.
FILES = ("requirements/lock.txt", "pyproject.toml")


def book_inputs_digest(root: Path) -> str:
    """SHA-256 over the Python version and the path and bytes of every book input under ``root``."""
    digest = hashlib.sha256(sys.version.encode())
    files = [root / name for name in FILES]
    for folder in FOLDERS:
        files += [
            p
            for p in (root / folder).rglob("*")
            if p.is_file() and "_build" not in p.parts and "__pycache__" not in p.parts
        ]
    for path in sorted(files):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()
