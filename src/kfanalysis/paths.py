"""Where the project's data lives.

The package is installed (not run from a checkout) in the nox sessions and in
the book's kernels, so paths cannot be derived from this file's location.
Instead the project root is the ``KFANALYSIS_ROOT`` environment variable if it
is set, otherwise the nearest folder at or above the working directory that
holds ``data/raw/sources.toml``, otherwise the copy of data/raw and
data/processed that the wheel carries (``kfanalysis/_data``). That copy is
read-only: it is checked against the same SHA256SUMS and manifest as a
checkout, and commands that write refuse to run on it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from kfanalysis.errors import KfError

ENV_VAR = "KFANALYSIS_ROOT"
#: Where the wheel puts its copy of the data, inside the installed package.
BUNDLED_ROOT = Path(__file__).resolve().parent / "_data"
#: How the root was found: named by the caller, from the environment, a checkout, or the wheel's copy.
ORIGINS = ("given", "KFANALYSIS_ROOT", "checkout", "bundled")


@dataclass(frozen=True)
class ProjectPaths:
    """The folders a build reads and writes.

    Attributes:
        root: The project root (the folder holding data/).
    """

    root: Path
    origin: str = "given"

    @property
    def read_only(self) -> bool:
        """True for the copy the installed package carries: reading works, writing must not."""
        return self.origin == "bundled"

    def require_writable(self, action: str, fix: str) -> None:
        """Refuse ``action`` on the installed package's read-only copy of the data.

        Args:
            action: What was about to be written, in plain words.
            fix: What to do instead, shown after the standard ways to reach a checkout.

        Raises:
            KfError: If this is the bundled copy.
        """
        if self.read_only:
            raise KfError(
                f"cannot {action}: the data in use is the read-only copy installed with the package "
                f"({self.root})\n"
                f"  Fix: {fix}; or run inside a checkout of the project (or set {ENV_VAR} to one) "
                "to change the project's own files."
            )

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


def _has_data(root: Path) -> bool:
    return (root / "data" / "raw" / "sources.toml").is_file()


def locate_root(start: Path | None = None) -> tuple[Path, str]:
    """Find the project root and say how it was found (see :data:`ORIGINS`).

    ``KFANALYSIS_ROOT`` wins, then a checkout at or above ``start``, then the
    installed package's own copy of the data.

    Raises:
        KfError: If none of the three is there, with the ways to point at one.
    """
    try:
        return find_root(start), (ENV_VAR if os.environ.get(ENV_VAR) else "checkout")
    except KfError:
        if os.environ.get(ENV_VAR) or not _has_data(BUNDLED_ROOT):
            raise
        return BUNDLED_ROOT, "bundled"


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
        if not _has_data(root):
            raise KfError(
                f"{ENV_VAR}={env} has no data/raw/sources.toml\n"
                f"  Fix: set {ENV_VAR} to the folder that holds data/raw, or unset it."
            )
        return root
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if _has_data(candidate):
            return candidate
    raise KfError(
        "cannot find the kfanalysis project: no data/raw/sources.toml here or in any parent folder\n"
        f"  Fix: run from inside the project checkout, or set {ENV_VAR} to its root."
    )


def project_paths(root: Path | str | None = None) -> ProjectPaths:
    """Return the project's folders, from ``root`` if given, else :func:`locate_root`."""
    if root is not None:
        given = Path(root)
        return ProjectPaths(given, "bundled" if given.resolve() == BUNDLED_ROOT else "given")
    found, origin = locate_root()
    return ProjectPaths(found, origin)
