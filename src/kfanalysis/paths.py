"""Where the project's data lives.

The package is installed (not run from a checkout) in the nox sessions and in
the book's kernels, so paths cannot be derived from this file's location.
Instead the project root is the ``KFANALYSIS_ROOT`` environment variable if it
is set, otherwise the nearest folder at or above the working directory that
holds ``data/raw/sources.toml``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from kfanalysis.errors import KfError

ENV_VAR = "KFANALYSIS_ROOT"


@dataclass(frozen=True)
class ProjectPaths:
    """The folders a build reads and writes.

    Attributes:
        root: The project root (the folder holding data/).
    """

    root: Path

    @property
    def raw(self) -> Path:
        """Official figures as transcribed: read-only for code."""
        return self.root / "data" / "raw"

    @property
    def processed(self) -> Path:
        """Built figure tables, charts and the ledger: disposable, rebuilt by ``kfanalysis build``."""
        return self.root / "data" / "processed"

    @property
    def sources_toml(self) -> Path:
        """The registry of official publications."""
        return self.raw / "sources.toml"

    @property
    def checksums(self) -> Path:
        """SHA-256 of every raw file, verified before any read."""
        return self.raw / "SHA256SUMS"

    def relative(self, path: Path) -> str:
        """Show a path relative to the root, for messages that must not leak machine paths."""
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return path.as_posix()


def find_root(start: Path | None = None) -> Path:
    """Find the project root from the environment or by walking up from ``start``.

    Args:
        start: Folder to start from; the working directory if omitted.

    Returns:
        The project root.

    Raises:
        KfError: If no root is found, with the two ways to point at one.
    """
    env = os.environ.get(ENV_VAR)
    if env:
        root = Path(env)
        if not (root / "data" / "raw" / "sources.toml").is_file():
            raise KfError(
                f"{ENV_VAR}={env} has no data/raw/sources.toml\n"
                f"  Fix: set {ENV_VAR} to the folder that holds data/raw, or unset it."
            )
        return root
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / "data" / "raw" / "sources.toml").is_file():
            return candidate
    raise KfError(
        "cannot find the kfanalysis project: no data/raw/sources.toml here or in any parent folder\n"
        f"  Fix: run from inside the project checkout, or set {ENV_VAR} to its root."
    )


def project_paths(root: Path | str | None = None) -> ProjectPaths:
    """Return the project's folders, from ``root`` if given, else :func:`find_root`."""
    return ProjectPaths(Path(root) if root is not None else find_root())
