"""Print timing figures for kfanalysis on this machine: medians over several runs.

Run through ``nox -s bench``. Each timing starts a fresh Python process, so
import costs are counted as a user meets them. Targets (2-core machine):
``import kfanalysis`` under 0.3 s; a full build under 3 s and under three times
the floor of importing polars, seaborn and statsmodels; a warm book build; the
whole test suite, ``nox -s tests`` with the book and browser tests, under 2 minutes
from a cold book (as CI meets it). ``--suite-only`` times the suite alone.

Timings are wall-clock: on a machine shared with other work they come out slower
than on an idle one, and the load average printed beside them says how busy it was.
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


SUITE_TARGET = 120.0


def _nox() -> list[str]:
    # nox itself: the session passes the Python that runs it, else nox on PATH.
    nox_python = os.environ.get("KF_NOX_PYTHON")
    return [nox_python, "-m", "nox"] if nox_python else [shutil.which("nox") or "nox"]


def _children_cpu() -> float:
    """User and system CPU seconds of every finished child process so far (0 where not measurable)."""
    try:
        import resource
    except ImportError:  # not on this platform
        return 0.0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _suite() -> float:
    """Time `nox -s tests` once from a cold book, print it beside its target and the slowest tests."""
    shutil.rmtree(ROOT / "book" / "_build" / "tested", ignore_errors=True)  # the tests' kept book
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    cpu_before = _children_cpu()
    start = time.perf_counter()
    run = subprocess.run(
        [*_nox(), "-s", "tests", "--", "-q", "--durations=5"], cwd=ROOT, capture_output=True, text=True
    )
    seconds = time.perf_counter() - start
    cpu = _children_cpu() - cpu_before
    verdict = "meets" if seconds < SUITE_TARGET else "misses"
    print(
        f"{'nox -s tests, cold book (every core)':<44} {seconds:7.2f} s   (single run, load {load:.1f} on "
        f"{os.cpu_count()} cores)   target < {SUITE_TARGET:.0f} s: {verdict}"
    )
    cores = os.cpu_count() or 1
    print(
        f"  CPU time of the processes it waited for: {cpu:.0f} s, so at least {cpu / cores:.0f} s on "
        f"{cores} idle cores (the browser's own processes are not all counted)"
    )
    if run.returncode != 0:
        print(f"  the suite failed (exit {run.returncode}); its last lines:")
    lines = run.stdout.splitlines()
    slow = [line for line in lines if "s call" in line or "s setup" in line][:5]
    if slow:
        print("  slowest steps (the book's build is the first setup that needs it):")
        print("\n".join(f"    {line}" for line in slow))
    if run.returncode != 0:
        print("\n".join(f"    {line}" for line in lines[-15:]))
    return seconds


def main() -> None:
    """Time each step and print a table; exits 0 even when a target is missed (it is a report)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per quick timing (default 5)")
    parser.add_argument("--book-runs", type=int, default=1, help="runs per book timing (default 1)")
    parser.add_argument("--suite-only", action="store_true", help="time only `nox -s tests` (cold book)")
    args = parser.parse_args()
    if args.suite_only:
        _suite()
        return

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
    reproduce = [*_nox(), "-s", "reproduce"]
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
    _suite()


if __name__ == "__main__":
    main()
