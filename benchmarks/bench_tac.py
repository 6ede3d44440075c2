"""Time `kfanalysis ingest tac`'s reader on a generated workbook the size of a real TAC data file.

The real files (NHS trusts, 2021/22: about 16 MB, some 480,000 rows in "All data")
cannot be downloaded here, so this writes a workbook of the same shape into a
temporary folder: the same seven columns, the same number of rows per trust
(about 6,000, every line of the form in the current and prior year) and a
"List of Providers" sheet. Its values are made up and it is deleted afterwards;
it is never kept. Usage: ``python benchmarks/bench_tac.py [--trusts 80]``.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

import openpyxl

from kfanalysis.ingest import tac

ROWS_PER_TRUST = 6_038  # NHS trust rows per provider in the 2019/20 file (see the TAC dossier)
SECTORS = ("Acute", "Specialist", "Mental Health", "Community", "Ambulance")


def write_workbook(path: Path, trusts: int) -> int:
    """Write a made-up workbook of the TAC shape; return its number of "All data" rows."""
    rng = random.Random(2021)
    book = openpyxl.Workbook(write_only=True)
    providers = book.create_sheet("List of Providers")
    providers.append(["Full name of Provider", "NHS code", "Region", "Sector", "Comments "])
    names = [f"Made-up Benchmark NHS Trust {n:03d}" for n in range(trusts)]
    for number, name in enumerate(names):
        providers.append([name, f"Z{number:02d}", "Made-up region", SECTORS[number % 5], None])
    data = book.create_sheet("All data")
    data.append(
        ["Organisation Name", "WorkSheetName", "TableID", "MainCode", "RowNumber", "SubCode", "Value number"]
    )
    lines = [f"LIN{n:04d}" for n in range(ROWS_PER_TRUST // 2 - 3)] + ["EXP0390", "SCI0125A", "INC1365"]
    rows = 0
    for name in names:
        for column in ("CY", "PY"):
            for number, line in enumerate(lines):
                schedule = f"{number % 30:02d}"
                value = -1000.0 if line == "SCI0125A" else round(rng.uniform(0, 500_000), 2)
                main_code = f"A{schedule}{column}01"
                data.append([name, f"TAC{schedule} Made-up", 1, main_code, number, line, value])
                rows += 1
    book.save(path)
    return rows


def main() -> None:
    """Write the workbook into a temporary folder, time the reader on it, and print both."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trusts", type=int, default=80, help="trusts in the file (80: about 483,000 rows)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "TAC-data-published-in-NHS-trusts-accounts-for-2021-22.xlsx"
        start = time.perf_counter()
        rows = write_workbook(path, args.trusts)
        size = path.stat().st_size / 1e6
        print(f"wrote {rows:,} rows, {size:.1f} MB in {time.perf_counter() - start:.0f} s")
        start = time.perf_counter()
        extract = tac.read(path, "nhse_tac_nhs_trusts_2021_22", progress=True)
        seconds = time.perf_counter() - start
        print(f"read {len(extract.rows)} trust-years from {rows:,} rows in {seconds:.1f} s")


if __name__ == "__main__":
    main()
