"""Compare a fresh build with the committed outputs by content, within declared tolerances.

Byte-for-byte comparison promises more than floating-point arithmetic can keep:
the BLAS kernels behind numpy and statsmodels differ by CPU instruction set,
so a regression fitted on one machine can differ from another in the last bit,
and a chart drawn from it by a level or two in a few anti-aliased pixels. That
is noise, not a different result. So each kind of output is compared by what it
means:

- CSV tables: the same header and rows; text and whole numbers exactly; decimals
  within :data:`RELATIVE_TOLERANCE`;
- ``manifest.json``: the same JSON content;
- PNG charts: as images, with matplotlib's own image comparison (root mean square
  difference at most :data:`IMAGE_RMS_TOLERANCE`) and no pixel off by more than
  :data:`PIXEL_LEVEL_TOLERANCE` levels, so a changed label or line still fails;
- anything else: exactly.

Every tolerance is declared here and nowhere else. A failure names each file,
what differs and by how much, and for a chart writes a difference image.
"""

from __future__ import annotations

import csv
import io
import json
import math
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kfanalysis.errors import KfError

#: Largest relative difference between two decimals that still counts as the same number.
#: BLAS noise is around 1e-15; any value written from data differs far more when it changes.
RELATIVE_TOLERANCE = 1e-9
#: Largest root-mean-square difference between two charts, in 0-255 levels over every
#: pixel and channel (matplotlib.testing.compare.compare_images' measure).
IMAGE_RMS_TOLERANCE = 0.1
#: Largest difference of any one pixel channel, in 0-255 levels. Kernel noise moves an
#: anti-aliased edge by a level or two; a changed label or line moves pixels by far more.
PIXEL_LEVEL_TOLERANCE = 8
#: Endings of the image files written for a chart that differs.
DIFF_IMAGE_SUFFIXES = ("-committed.png", "-fresh.png", "-difference.png")
#: Cell differences listed per table before the rest are counted.
SHOWN_CELLS = 10


class OutputMismatch(KfError):
    """A fresh build does not reproduce the committed outputs; the message lists every difference."""

    def __init__(
        self, differences: list[Difference], diff_dir: Path | None, against: str = "data/processed"
    ) -> None:
        self.differences = differences
        lines = [f"{len(differences)} output(s) differ from those in {against}:"]
        lines += [f"- {d.file}: {d.what}" for d in differences]
        if diff_dir is not None and any(d.diff_image for d in differences):
            lines.append(
                f"images of the charts that differ (from {against}, fresh, difference) are in {diff_dir}"
            )
        lines.append(
            "  Fix: if the change is intended, rebuild with `kfanalysis build`, review it and commit "
            "data/processed; otherwise find what changed the result."
        )
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class Difference:
    """One output that differs, and how.

    Attributes:
        file: The output's file name.
        what: What differs and by how much, in plain words.
        diff_image: Path of the difference image written for a chart, if any.
    """

    file: str
    what: str
    diff_image: Path | None = None


@dataclass
class Comparison:
    """The result of comparing two output folders.

    Attributes:
        compared: Each file compared, with how (``"table"``, ``"image"``, ``"json"``, ``"exact"``).
        differences: Every difference found; empty when the build reproduces the outputs.
    """

    compared: dict[str, str] = field(default_factory=dict)
    differences: list[Difference] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every output matches."""
        return not self.differences


def compare_outputs(
    fresh: Path | str,
    committed: Path | str,
    diff_dir: Path | str | None = None,
    *,
    against: str | None = None,
) -> Comparison:
    """Compare every file of a fresh build with the committed outputs, by content.

    Args:
        fresh: Folder a new build wrote (``kfanalysis build --out``).
        committed: Folder of the committed outputs (normally data/processed).
        diff_dir: Where to write a difference image for each chart that differs; a
            temporary folder is used (and removed) if omitted.
        against: How messages name ``committed``: the folder's path by default. The outputs
            on disk are not necessarily the committed ones, so messages say where they are.

    Returns:
        What was compared and every difference; a file present on one side only is a
        difference too, so no output escapes the comparison.
    """
    fresh, committed = Path(fresh), Path(committed)
    label = against or str(committed)
    result = Comparison()
    new = _outputs(fresh)
    old = _outputs(committed)
    for name in sorted(old - new):
        result.differences.append(Difference(name, f"in {label} but not written by the fresh build"))
    for name in sorted(new - old):
        result.differences.append(Difference(name, f"written by the fresh build but not in {label}"))
    for name in sorted(old & new):
        kind, difference = _compare_file(name, fresh / name, committed / name, diff_dir, label)
        result.compared[name] = kind
        if difference is not None:
            result.differences.append(difference)
    return result


def _outputs(folder: Path) -> set[str]:
    """Every output file in ``folder`` (hidden files, such as editor droppings, excluded)."""
    if not folder.is_dir():
        raise KfError(f"{folder} is not a folder of outputs\n  Fix: build first with `kfanalysis build`.")
    return {p.name for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")}


def _compare_file(
    name: str, fresh: Path, committed: Path, diff_dir: Path | str | None, label: str
) -> tuple[str, Difference | None]:
    suffix = fresh.suffix.lower()
    if suffix == ".csv":
        return "table", _compare_tables(name, fresh, committed, label)
    if suffix == ".png":
        return "image", _compare_images(name, fresh, committed, diff_dir, label)
    if suffix == ".json":
        return "json", _compare_json(name, fresh, committed, label)
    if fresh.read_bytes() == committed.read_bytes():
        return "exact", None
    return "exact", Difference(name, "contents differ")


def _numeric_columns(name: str) -> tuple[set[str], set[str]]:
    """Decimal and whole-number columns of a known table, from its declaration in kfanalysis.fields."""
    from kfanalysis.fields import FIELDS, TABLES

    spec = TABLES.get(Path(name).stem)
    if spec is None:
        return set(), set()
    floats = {c for c in spec.columns if FIELDS[c].dtype == "float"}
    ints = {c for c in spec.columns if FIELDS[c].dtype == "int"}
    return floats, ints


def _read_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def relative_difference(a: float, b: float) -> float:
    """|a - b| relative to the larger magnitude (0 when both are equal, including both zero)."""
    if a == b:
        return 0.0
    return abs(a - b) / max(abs(a), abs(b))


def _compare_tables(name: str, fresh: Path, committed: Path, label: str) -> Difference | None:
    new, old = _read_rows(fresh), _read_rows(committed)
    if not new or not old:
        return None if new == old else Difference(name, "one of the two files is empty")
    if new[0] != old[0]:
        return Difference(name, f"columns differ: {label} {old[0]}, fresh {new[0]}")
    header = old[0]
    if len(new) != len(old):
        return Difference(name, f"{len(old) - 1} rows in {label}, {len(new) - 1} rows in the fresh build")
    floats, ints = _numeric_columns(name)
    cells: list[str] = []
    for number, (a_row, b_row) in enumerate(zip(old[1:], new[1:], strict=True), start=2):
        if len(a_row) != len(b_row):
            cells.append(f"line {number}: {len(a_row)} fields in {label}, {len(b_row)} fresh")
            continue
        for column, a, b in zip(header, a_row, b_row, strict=True):
            if a == b:
                continue
            gap = _numeric_gap(a, b) if column in floats or not (floats or ints) else None
            if gap is not None and gap <= RELATIVE_TOLERANCE:
                continue
            by = f" (relative difference {gap:.2g})" if gap is not None else ""
            cells.append(f"line {number}, column '{column}': {label} {a!r}, fresh {b!r}{by}")
    if not cells:
        return None
    shown = "; ".join(cells[:SHOWN_CELLS])
    more = f"; and {len(cells) - SHOWN_CELLS} more" if len(cells) > SHOWN_CELLS else ""
    return Difference(
        name, f"{len(cells)} value(s) differ beyond relative tolerance {RELATIVE_TOLERANCE:g}: {shown}{more}"
    )


def _numeric_gap(a: str, b: str) -> float | None:
    """Relative difference of two cells if both are finite numbers, else None (compare as text)."""
    try:
        x, y = float(a), float(b)
    except ValueError:
        return None
    if not (math.isfinite(x) and math.isfinite(y)):
        return None
    return relative_difference(x, y)


def _compare_json(name: str, fresh: Path, committed: Path, label: str) -> Difference | None:
    try:
        new = json.loads(fresh.read_text(encoding="utf-8"))
        old = json.loads(committed.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        return Difference(name, f"not valid JSON ({exc})")
    if name == "manifest.json":
        new, old = _output_names_only(new), _output_names_only(old)
    if new == old:
        return None
    paths = _json_differences(old, new, "", label)
    return Difference(name, "content differs at " + "; ".join(paths[:SHOWN_CELLS]))


def _output_names_only(record: Any) -> Any:
    """A manifest with its output hashes reduced to the outputs' names.

    Each output is compared by content on its own, within the tolerances above; its hash
    changes with the last bit of a decimal or a pixel, so comparing hashes would undo them.
    """
    if isinstance(record, dict) and isinstance(record.get("outputs_sha256"), dict):
        return {**record, "outputs_sha256": sorted(record["outputs_sha256"])}
    return record


def _json_differences(old: object, new: object, where: str, label: str) -> list[str]:
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[str] = []
        for key in sorted(set(old) | set(new)):
            here = f"{where}.{key}" if where else str(key)
            if key not in new:
                out.append(f"{here} (only in {label})")
            elif key not in old:
                out.append(f"{here} (fresh only)")
            else:
                out += _json_differences(old[key], new[key], here, label)
        return out
    return [] if old == new else [f"{where or 'top level'}: {label} {old!r}, fresh {new!r}"]


def _compare_images(
    name: str, fresh: Path, committed: Path, diff_dir: Path | str | None, label: str
) -> Difference | None:
    if fresh.read_bytes() == committed.read_bytes():
        return None
    import numpy as np
    from matplotlib.image import imread
    from matplotlib.testing.compare import compare_images, save_diff_image

    new, old = _levels(imread(fresh)), _levels(imread(committed))
    if new.shape != old.shape:
        kept = None
        if diff_dir is not None:  # no pixel-by-pixel difference exists: keep both to look at
            stem = Path(name).stem
            Path(diff_dir).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(committed, Path(diff_dir) / f"{stem}-committed.png")
            kept = Path(diff_dir) / f"{stem}-fresh.png"
            shutil.copyfile(fresh, kept)
        return Difference(
            name,
            f"image size differs: {label} {old.shape[1]}x{old.shape[0]} px, "
            f"fresh {new.shape[1]}x{new.shape[0]} px (a label, legend or axis changed)",
            kept,
        )
    channels = min(new.shape[2], old.shape[2])
    gap = np.abs(new[..., :channels] - old[..., :channels]).max(axis=2)
    worst = int(gap.max())
    changed = int((gap > 0).sum())
    over = int((gap > PIXEL_LEVEL_TOLERANCE).sum())
    work = Path(tempfile.mkdtemp(prefix="kf-verify-"))
    try:
        stem = Path(name).stem
        expected, actual = work / f"{stem}-committed.png", work / f"{stem}-fresh.png"
        shutil.copyfile(committed, expected)
        shutil.copyfile(fresh, actual)
        report = compare_images(str(expected), str(actual), tol=IMAGE_RMS_TOLERANCE, in_decorator=True)
        rms = float(report["rms"]) if report else 0.0
        if rms <= IMAGE_RMS_TOLERANCE and over == 0:
            return None
        diff_image = None
        if diff_dir is not None:
            drawn = work / f"{stem}-difference.png"
            save_diff_image(str(expected), str(actual), str(drawn))
            target = Path(diff_dir)
            target.mkdir(parents=True, exist_ok=True)
            for source in (expected, actual, drawn):
                shutil.copyfile(source, target / source.name)
            diff_image = target / drawn.name
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return Difference(
        name,
        f"chart differs: {changed} pixel(s) changed, {over} by more than {PIXEL_LEVEL_TOLERANCE} levels "
        f"(largest {worst} of 255); RMS difference {rms:.3f} (tolerance {IMAGE_RMS_TOLERANCE})",
        diff_image,
    )


def _levels(image: Any) -> Any:
    """An image as 0-255 integer levels, whatever form matplotlib read it in."""
    import numpy as np

    array = np.asarray(image)
    if array.dtype.kind == "f":
        array = np.round(array * 255)
    array = array.astype(np.int16)
    return array if array.ndim == 3 else array[..., None]


def blas_description() -> str:
    """Which BLAS library, version and CPU kernel numpy runs on here (for the record of a build)."""
    try:
        import numpy  # noqa: F401  (loads the BLAS so threadpoolctl can see it)
        from threadpoolctl import threadpool_info
    except ImportError:
        return "BLAS: unknown (threadpoolctl not installed)"
    pools = [p for p in threadpool_info() if p.get("user_api") == "blas"]
    if not pools:
        return "BLAS: none found"
    return "; ".join(
        f"BLAS: {p.get('internal_api')} {p.get('version')}, kernel {p.get('architecture') or 'unknown'}, "
        f"{p.get('num_threads')} thread(s)"
        for p in pools
    )


def verify(
    fresh: Path | str | None = None,
    committed: Path | str | None = None,
    root: Path | str | None = None,
    diff_dir: Path | str | None = None,
) -> Comparison:
    """Check that the outputs are reproduced: build afresh (unless given) and compare by content.

    Args:
        fresh: A folder a build wrote; if omitted, a new build is made into a temporary folder
            (data/processed is never touched).
        committed: The outputs to compare with; data/processed if omitted.
        root: Project root; found from the working directory if omitted.
        diff_dir: Where chart difference images go; ``build/verify-diff`` under the root if omitted
            (a temporary folder for the installed package's read-only copy).

    Returns:
        The comparison, when every output matches.

    Raises:
        OutputMismatch: Naming each file that differs, what differs and by how much.
    """
    from kfanalysis.paths import project_paths

    paths = project_paths(root)
    committed_dir = Path(committed) if committed is not None else paths.processed
    against = paths.relative(committed_dir)
    if diff_dir is not None:
        diffs = Path(diff_dir)
    elif paths.read_only:  # never write into the installed package
        diffs = Path(tempfile.gettempdir()) / "kfanalysis-verify-diff"
    else:
        diffs = paths.root / "build" / "verify-diff"
    if diffs.is_dir():  # clear only the images an earlier run wrote; the folder may be the user's
        for suffix in DIFF_IMAGE_SUFFIXES:
            for stale in diffs.glob(f"*{suffix}"):
                stale.unlink()
    if fresh is not None:
        result = compare_outputs(fresh, committed_dir, diffs, against=against)
    else:
        from kfanalysis.pipeline import build

        with tempfile.TemporaryDirectory(prefix="kf-fresh-") as out:
            build(paths.root, out, progress=None)
            result = compare_outputs(out, committed_dir, diffs, against=against)
    if not result.ok:
        raise OutputMismatch(result.differences, diffs, against)
    return result
