"""Rewrite tests/expected_ledger.csv from the current ledger, for review as a diff.

Run it only after checking why a number moved: the regression test in
test_ledger.py exists so that no published number changes status or value
without someone reading the reason. Usage: ``python tests/pin_ledger.py``.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import kfanalysis

ROOT = Path(__file__).resolve().parents[1]
TARGET = Path(__file__).with_name("expected_ledger.csv")


def main() -> None:
    ledger = kfanalysis.ledger(root=ROOT)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["claim_id", "status", "ours_value", "missing_input"])
    for row in ledger.iter_rows(named=True):
        ours = "" if row["ours_value"] is None else repr(float(row["ours_value"]))
        writer.writerow([row["claim_id"], row["status"], ours, row["missing_input"] or ""])
    TARGET.write_text(buffer.getvalue(), encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}: {ledger.height} rows; review it with git diff")


if __name__ == "__main__":
    main()
