"""The rounding rule, the ledger's assembly, and a pinned regression row for every published number.

``expected_ledger.csv`` was generated once from ``kfanalysis.ledger()`` on the
committed data/raw and is edited only by hand, after checking why a row moved.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import polars as pl
import pytest
from conftest import REAL_RAW, REPO_ROOT

import kfanalysis
from kfanalysis.errors import KfError
from kfanalysis.presentation import status_table
from kfanalysis.published import (
    Computed,
    Found,
    Missing,
    ledger_rows,
    status_of,
    summary,
    tolerance,
)

EXPECTED = Path(__file__).with_name("expected_ledger.csv")


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


PUBLISHED = _read(REAL_RAW / "published_numbers.csv")
PINNED = {row["claim_id"]: row for row in _read(EXPECTED)}


@pytest.fixture(scope="module")
def current_ledger() -> dict[str, dict[str, object]]:
    table = kfanalysis.ledger(root=REPO_ROOT)
    return {row["claim_id"]: row for row in table.iter_rows(named=True)}


# ---- the rounding rule -----------------------------------------------------------------------


def test_tolerance_is_half_a_unit_in_the_last_digit() -> None:
    assert tolerance(1) == 0.05
    assert tolerance(0) == 0.5
    assert tolerance(-3) == 500
    assert tolerance(2) == pytest.approx(0.005)


@pytest.mark.parametrize(
    ("published", "comparison", "precision", "ours", "status"),
    [
        (27, "rounds_to", 0, 26.5, "reproduced"),  # exactly half a unit below: rounds to 27
        (27, "rounds_to", 0, 27.5, "reproduced"),  # exactly half a unit above
        (27, "rounds_to", 0, 26.4, "differs"),
        (27, "rounds_to", 0, 27.51, "differs"),
        (8.1, "rounds_to", 1, 8.149, "reproduced"),
        (8.1, "rounds_to", 1, 8.16, "differs"),
        (110000, "rounds_to", -3, 109500, "reproduced"),
        (110000, "rounds_to", -3, 110499, "reproduced"),
        (110000, "rounds_to", -3, 109499, "differs"),
        (110000, "rounds_to", -3, 111000, "differs"),
        (25, "more_than", 0, 25.1, "reproduced"),
        (25, "more_than", 0, 25, "differs"),
        (25, "more_than", 0, 24, "differs"),
        (50, "less_than", 0, 49.9, "reproduced"),
        (50, "less_than", 0, 50.0, "differs"),
        (27, "rounds_to", 0, math.nan, "differs"),
        (25, "more_than", 0, math.nan, "differs"),
    ],
)
def test_status_of(published: float, comparison: str, precision: int, ours: float, status: str) -> None:
    assert status_of(published, comparison, precision, ours) == status


def test_half_unit_tie_survives_binary_floating_point() -> None:
    # In binary, 8.15 - 8.1 is 0.05000000000000071, a hair over the half-unit bound of 0.05:
    # without the rule's relative slack this exact tie would count as 'differs'.
    assert abs(8.15 - 8.1) > tolerance(1)
    assert status_of(8.1, "rounds_to", 1, 8.15) == "reproduced"
    assert status_of(8.1, "rounds_to", 1, 8.05) == "reproduced"


# ---- assembling the ledger -------------------------------------------------------------------


def _claims(*rows: tuple[str, str, float]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "claim_id": [r[0] for r in rows],
            "figure": [r[1] for r in rows],
            "claim": ["a claim"] * len(rows),
            "published_value": [r[2] for r in rows],
            "unit": ["pct"] * len(rows),
            "comparison": ["rounds_to"] * len(rows),
            "precision_decimals": [0] * len(rows),
            "period": ["2021/22"] * len(rows),
            "published_in": ["report"] * len(rows),
            "locator": ["p. 1"] * len(rows),
        }
    )


def test_ledger_rows_gives_each_kind_of_result_its_status_and_reason() -> None:
    claims = _claims(
        ("a", "fig7", 27.0),
        ("b", "fig7", 27.0),
        ("c", "fig7", 27.0),
        ("d", "fig7", 5.0),
        ("e", "fig1", 1.0),
        ("f", "fig7", 110.0),
        ("g", "fig7", 110.0),
    )
    results = {
        "a": Computed(26.6, "method a"),
        "b": Computed(30.0, "method b", why_differs="an older edition"),
        "c": Computed(30.0, "method c"),
        "d": Missing("series X for 2020/21", "not published"),
        "f": Found(110.0, "src_x", "table 3", "the estimate for 2020/21"),
        "g": Found(105.0, "src_x", "table 3", "the estimate for 2020/21", why_differs="first estimate"),
    }
    table = ledger_rows(claims, results, {"fig1": "Figure 1 is not built yet."})
    rows = {r["claim_id"]: r for r in table.iter_rows(named=True)}
    assert table["claim_id"].to_list() == ["a", "b", "c", "d", "e", "f", "g"]
    assert rows["a"]["status"] == "reproduced"
    assert rows["a"]["reason"] == "computed: method a"
    assert rows["a"]["difference"] == pytest.approx(26.6 - 27.0)
    assert rows["b"]["status"] == "differs"
    assert rows["b"]["reason"] == "an older edition (computed: method b)"
    assert rows["b"]["difference"] == pytest.approx(3.0)
    assert rows["c"]["status"] == "differs"
    assert rows["c"]["reason"].startswith("no explanation")
    assert rows["d"]["status"] == "missing_input"
    assert rows["d"]["missing_input"] == "series X for 2020/21"
    assert rows["d"]["ours_value"] is None
    assert rows["e"]["status"] == "missing_input"
    assert rows["e"]["reason"] == "Figure 1 is not built yet."
    assert "fig1" in rows["e"]["missing_input"]
    # A quoted number found as published is confirmed, never reproduced; one that is not is differs.
    assert rows["f"]["status"] == "confirmed"
    assert rows["f"]["reason"].startswith("found as published, not computed")
    assert "src_x" in rows["f"]["reason"] and "table 3" in rows["f"]["reason"]
    assert rows["g"]["status"] == "differs"
    assert rows["g"]["reason"].startswith("first estimate (found as published")
    assert summary(table) == {"reproduced": 1, "confirmed": 1, "differs": 3, "missing_input": 2}


def test_ledger_rows_states_each_real_terms_claim_under_the_other_deflator() -> None:
    claims = _claims(("a", "fig4", 13.0), ("b", "fig4", 13.0), ("c", "fig4", 5.0), ("d", "fig4", 1.0))
    results = {
        "a": Computed(13.2, "m"),
        "b": Computed(13.2, "m"),
        "c": Computed(5.0, "m"),
        "d": Missing("x", "y"),
    }
    other = {"a": Computed(13.4, "m"), "b": Computed(13.6, "m"), "d": Missing("x", "y")}
    rows = {r["claim_id"]: r for r in ledger_rows(claims, results, {}, other).iter_rows(named=True)}
    assert rows["a"]["status"] == rows["a"]["status_deflator_2023_06"] == "reproduced"
    assert rows["a"]["ours_value_deflator_2023_06"] == pytest.approx(13.4)
    # 13.6 no longer rounds to 13: the finding would not survive the other edition.
    assert rows["b"]["status"] == "reproduced" and rows["b"]["status_deflator_2023_06"] == "differs"
    assert rows["c"]["status_deflator_2023_06"] is None and rows["c"]["ours_value_deflator_2023_06"] is None
    assert rows["d"]["status_deflator_2023_06"] == "missing_input"


def test_ledger_rows_refuses_results_for_unpublished_claims() -> None:
    with pytest.raises(KfError, match="zzz"):
        ledger_rows(_claims(("a", "fig7", 1.0)), {"a": Computed(1.0, "m"), "zzz": Computed(1.0, "m")}, {})


def test_ledger_rows_refuses_a_built_figure_that_skips_a_claim() -> None:
    with pytest.raises(KfError, match="a belongs to fig7"):
        ledger_rows(_claims(("a", "fig7", 1.0)), {}, {"fig1": "not built"})


def test_status_table_counts_match_the_ledger(current_ledger: dict[str, dict[str, object]]) -> None:
    table = pl.DataFrame(list(current_ledger.values()))
    text = status_table(table)
    fig7_line = next(line for line in text.splitlines() if line.startswith("| 7 |"))
    counts = summary(table.filter(pl.col("figure") == "fig7"))
    cells = " | ".join(str(counts[k]) for k in ("reproduced", "confirmed", "differs", "missing_input"))
    assert fig7_line.endswith(f"| {cells} |")


# ---- regression: every published number against its pinned expectation ------------------------


def test_every_published_claim_has_a_pinned_row_and_vice_versa() -> None:
    published = [row["claim_id"] for row in PUBLISHED]
    assert len(published) == len(set(published))
    assert set(published) == set(PINNED)


def test_ledger_has_exactly_the_published_claims(current_ledger: dict[str, dict[str, object]]) -> None:
    assert list(current_ledger) == [row["claim_id"] for row in PUBLISHED]


@pytest.mark.parametrize("claim", PUBLISHED, ids=[row["claim_id"] for row in PUBLISHED])
def test_published_number_matches_its_pinned_expectation(
    claim: dict[str, str], current_ledger: dict[str, dict[str, object]]
) -> None:
    cid = claim["claim_id"]
    assert cid in PINNED, f"{cid} has no row in {EXPECTED.name}; add one after checking the ledger"
    pinned = PINNED[cid]
    row = current_ledger[cid]
    assert row["status"] == pinned["status"], (
        f"{cid} moved from {pinned['status']} to {row['status']}: {row['reason']}"
    )
    ours = row["ours_value"]
    published = float(claim["published_value"])
    precision = int(claim["precision_decimals"])

    if pinned["status"] in ("reproduced", "confirmed"):
        assert isinstance(ours, float)
        if claim["comparison"] == "rounds_to":
            assert abs(ours - published) <= 0.5 * 10.0 ** (-precision) * (1 + 1e-9)
        elif claim["comparison"] == "more_than":
            assert ours > published
        else:
            assert ours < published
        assert ours == pytest.approx(float(pinned["ours_value"]), rel=1e-9)
        assert row["missing_input"] is None
    elif pinned["status"] == "differs":
        assert isinstance(ours, float)
        assert ours == pytest.approx(float(pinned["ours_value"]), rel=1e-9)
        reason = str(row["reason"] or "").strip()
        assert reason, f"{cid} differs without a reason"
        assert not reason.startswith("no explanation"), f"{cid} differs without an explanation: {reason}"
    else:
        assert pinned["status"] == "missing_input"
        assert ours is None
        assert row["missing_input"] == pinned["missing_input"]
        assert str(row["reason"] or "").strip()
