"""Which copy of the data this session reads, so a result can always be traced to its inputs.

An analyst may have a checkout, point ``KFANALYSIS_ROOT`` at one, or have
nothing but the installed wheel, which carries its own copy of data/raw and
data/processed. The numbers they get depend on which copy that is, so one call
(:func:`data_home`) and one line of ``kfanalysis --version`` say it, with the
hash of the build manifest: two sessions that show the same hash read outputs
built from the same raw files by the same version.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from kfanalysis.paths import ProjectPaths, project_paths

#: What each origin means, in the words ``kfanalysis --version`` prints.
ORIGIN_WORDS = {
    "given": "the folder named by the caller",
    "KFANALYSIS_ROOT": "the folder named by KFANALYSIS_ROOT",
    "checkout": "the checkout around the working directory",
    "bundled": "the read-only copy installed with the package",
}


@dataclass(frozen=True)
class DataHome:
    """The copy of the data in use.

    Attributes:
        origin: How it was found: ``"KFANALYSIS_ROOT"``, ``"checkout"``, ``"bundled"`` (the
            wheel's copy) or ``"given"`` (a root passed in).
        root: The folder that holds data/raw and data/processed.
        read_only: True for the wheel's copy; commands that write refuse to run on it.
        manifest_sha256: SHA-256 of data/processed/manifest.json, or None if nothing is built.
    """

    origin: str
    root: Path
    read_only: bool
    manifest_sha256: str | None

    def summary(self) -> str:
        """One line: which copy, where, and the manifest's hash."""
        built = (
            f"manifest sha256 {self.manifest_sha256}" if self.manifest_sha256 else "no manifest (not built)"
        )
        return f"data: {ORIGIN_WORDS.get(self.origin, self.origin)} ({self.root}); {built}"


def data_home(root: Path | str | None = None) -> DataHome:
    """Say which copy of the data reading calls use, and which build of the outputs it holds.

    Example:
        >>> import kfanalysis
        >>> kfanalysis.data_home().origin in ("checkout", "KFANALYSIS_ROOT", "bundled")
        True

    Args:
        root: Project root; found as every reading call finds it if omitted.

    Raises:
        KfError: If no copy of the data can be found at all.
    """
    return home_of(project_paths(root))


def home_of(paths: ProjectPaths) -> DataHome:
    """The :class:`DataHome` for folders already found."""
    manifest = paths.processed / "manifest.json"
    digest = hashlib.sha256(manifest.read_bytes()).hexdigest() if manifest.is_file() else None
    return DataHome(paths.origin, paths.root, paths.read_only, digest)
