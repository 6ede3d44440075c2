"""Atomic, deterministic writing of outputs.

A reviewer compares data/processed with what is committed, so every output
must come out byte-identical from run to run, and a build that fails half way
must leave the previous outputs untouched. Files are therefore written to a
temporary name in the same folder and renamed into place (a rename is atomic
on one file system), and a whole build is staged and only moved in once every
figure has succeeded.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl
    from matplotlib.figure import Figure


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so readers see the old file or the new one, never a mix."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text_atomic(path: Path, text: str) -> None:
    """Write UTF-8 text with Unix line endings atomically."""
    write_bytes_atomic(path, text.encode("utf-8"))


def csv_bytes(frame: pl.DataFrame) -> bytes:
    """Serialise a table as CSV with fixed conventions (LF, empty string for null)."""
    return frame.write_csv(line_terminator="\n", null_value="").encode("utf-8")


def png_bytes(figure: Figure) -> bytes:
    """Render a matplotlib figure to PNG with no timestamp or software stamp in the file."""
    import io

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=150, metadata={"Software": None}, bbox_inches="tight")
    return buffer.getvalue()


class Staging:
    """Files collected for one build, written together or not at all."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.names: list[str] = []
        self.sha256: dict[str, str] = {}

    def add(self, name: str, data: bytes) -> None:
        """Stage one output file under ``name`` (relative to the output folder)."""
        target = self.folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        self.names.append(name)
        self.sha256[name] = hashlib.sha256(data).hexdigest()


@contextmanager
def staged_outputs(destination: Path) -> Iterator[Staging]:
    """Collect a build's outputs in a staging folder; move them in only if the build succeeds.

    On success each staged file replaces its namesake in ``destination`` by an
    atomic rename. On any exception, including Ctrl-C and a rename that fails
    part-way through (a locked file, a full disk), the files already moved in are
    put back as they were, the staging folder is removed, and a ``destination``
    this call created is removed again, so ``destination`` is left exactly as it was.
    """
    created = [p for p in (destination, *destination.parents) if not p.exists()]
    staging_dir: Path | None = None
    try:
        destination.mkdir(parents=True, exist_ok=True)
        staging_dir = Path(tempfile.mkdtemp(prefix=".staging-", dir=destination.parent))
        staging = Staging(staging_dir)
        yield staging
        _move_in(staging_dir, staging.names, destination)
    except BaseException:
        if staging_dir is not None:
            shutil.rmtree(staging_dir, ignore_errors=True)
        for folder in created:  # deepest first; only folders left empty
            try:
                folder.rmdir()
            except OSError:
                break
        raise
    finally:
        if staging_dir is not None:
            shutil.rmtree(staging_dir, ignore_errors=True)


def _move_in(staging_dir: Path, names: list[str], destination: Path) -> None:
    """Rename every staged file into ``destination``, or, if one fails, undo the ones already moved.

    Before a file is replaced, its previous version is kept (a hard link, else a copy)
    in the staging folder, so the undo is a rename back. Each file stays in place
    throughout, so a reader sees the old version or the new one, never none.
    """
    previous = staging_dir / ".previous"
    moved: list[tuple[Path, Path | None]] = []  # (target, its previous version or None if it was new)
    try:
        for name in names:
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            kept: Path | None = None
            if target.exists():
                kept = previous / name
                kept.parent.mkdir(parents=True, exist_ok=True)
                try:
                    os.link(target, kept)
                except OSError:
                    shutil.copy2(target, kept)
            os.replace(staging_dir / name, target)
            moved.append((target, kept))
    except BaseException:
        for target, kept in reversed(moved):
            with contextlib.suppress(OSError):  # best effort: put back every file that can be
                if kept is None:
                    target.unlink(missing_ok=True)
                else:
                    os.replace(kept, target)
        raise
