"""Print timing figures for kfanalysis on this machine: medians over several runs.

Run through ``nox -s bench``. Each timing starts a fresh Python process, so
import costs are counted as a user meets them. Targets (2-core machine):
``import kfanalysis`` under 0.3 s; a full build under 3 s and under three times
the floor of importing polars, seaborn and statsmodels; a warm book build.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
BIN = Path(PYTHON).parent


def _time(command: list[str], runs: int, cwd: Path = ROOT) -> list[float]:
    """Wall-clock seconds of ``runs`` executions of ``command``; stops on the first failure."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, cwd=cwd, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return times


def _report(label: str, times: list[float], target: str = "") -> float:
    median = statistics.median(times)
    spread = f"{min(times):.2f}-{max(times):.2f}" if len(times) > 1 else "single run"
    aim = f"   target {target}" if target else ""
    print(f"{label:<44} {median:7.2f} s   (n={len(times)}, {spread}){aim}")
    return median


def main() -> None:
    """Time each step and print a table; exits 0 even when a target is missed (it is a report)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per quick timing (default 5)")
    parser.add_argument("--book-runs", type=int, default=1, help="runs per book timing (default 1)")
    args = parser.parse_args()

    print(f"kfanalysis benchmark, medians of wall-clock time, Python {sys.version.split()[0]}")
    imp = _report("import kfanalysis", _time([PYTHON, "-c", "import kfanalysis"], args.runs), "< 0.3 s")
    floor = _report(
        "floor: import polars, seaborn, statsmodels",
        _time([PYTHON, "-c", "import polars, seaborn, statsmodels.api"], args.runs),
    )
    with tempfile.TemporaryDirectory() as out:
        build = _report(
            "full build (every figure and the ledger)",
            _time([str(BIN / "kfanalysis"), "build", "--out", out], args.runs),
            "< 3 s and < 3 x floor",
        )
    build_dir = ROOT / "book" / "_build"
    shutil.rmtree(build_dir, ignore_errors=True)
    book = [PYTHON, "tools/build_book.py"]  # as nox -s book and reproduce build it
    cold = _report("book build, cold (no _build folder)", _time(book, args.book_runs), "< 25 s")
    shutil.rmtree(build_dir, ignore_errors=True)
    # nox itself: the session passes the Python that runs it, else nox on PATH.
    nox_python = os.environ.get("KF_NOX_PYTHON")
    nox = [nox_python, "-m", "nox"] if nox_python else [shutil.which("nox") or "nox"]
    reproduce = [*nox, "-s", "reproduce"]
    try:
        subprocess.run(reproduce, cwd=ROOT, check=True, capture_output=True)  # environment and book in place
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"nox -s reproduce: could not run ({exc}); skipped its timings")
        warm = changed = float("nan")
    else:
        warm = _report("nox -s reproduce, warm (nothing changed)", _time(reproduce, args.book_runs), "< 30 s")
        stamp = build_dir / ".inputs-sha256"
        times = []
        for _ in range(args.book_runs):
            stamp.unlink(missing_ok=True)  # as if a chapter, the package or the data had changed
            times += _time(reproduce, 1)
        changed = _report("nox -s reproduce, after a change (book cold)", times)
    print()
    print(
        f"build / floor = {build / floor:.2f} (target < 3); import {'meets' if imp < 0.3 else 'misses'} "
        f"its target; build {'meets' if build < 3 and build < 3 * floor else 'misses'} its target"
    )
    print(
        f"book cold {cold:.1f} s ({'meets' if cold < 25 else 'misses'} < 25 s); warm reproduce {warm:.1f} s "
        f"({'meets' if warm < 30 else 'misses'} < 30 s); reproduce after a change {changed:.1f} s"
    )


if __name__ == "__main__":
    main()
