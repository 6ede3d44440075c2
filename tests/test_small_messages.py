"""Messages a person reads: a text money column, a repeated time in a growth fit."""

from __future__ import annotations

import polars as pl
import pytest

from kfanalysis.errors import KfError, RealTermsError
from kfanalysis.prices import to_real_terms
from kfanalysis.trends import fit_annual_growth


def test_to_real_terms_refuses_a_text_money_column_clearly() -> None:
    # Made-up values: money read in as text, as a CSV read without dtypes would leave it.
    frame = pl.DataFrame({"financial_year": ["2019/20", "2020/21"], "spend_gbp_m": ["£1,200", "1300"]})
    with pytest.raises(RealTermsError) as caught:
        to_real_terms(frame, "spend_gbp_m", price_basis=None)
    message = str(caught.value)
    assert isinstance(caught.value, KfError)
    assert "'spend_gbp_m'" in message and "'£1,200'" in message and "Fix:" in message


def test_to_real_terms_takes_a_whole_number_column() -> None:
    frame = pl.DataFrame({"financial_year": ["2021/22"], "spend_gbp_m": [100]})
    out = to_real_terms(frame, "spend_gbp_m", price_basis=None)
    assert out["spend_gbp_m_real_2021_22"].item() == pytest.approx(100.0)


@pytest.mark.parametrize(
    ("times", "shown"),
    [
        ([2015.75, 2016.75, 2016.75, 2017.75], "the time end of September 2016 appears"),
        (["2016-09-30", "2016-09-30", "2017-09-30", "2018-09-30"], "30 September 2016"),
        (["2016/17", "2016-17", "2017/18", "2018/19"], "the time 2016/17 appears"),
        ([2016, 2016, 2017, 2018], "the time 2016 appears"),
    ],
)
def test_a_repeated_time_is_named_as_a_person_reads_it(times: list[object], shown: str) -> None:
    values = [1.0, 2.0, 3.0, 4.0]  # made up
    if isinstance(times[0], str) and "-" in times[0] and len(times[0]) == 10:
        data: object = pl.DataFrame({"snapshot_date": times, "x": values})
        call = lambda: fit_annual_growth(data, "x")  # noqa: E731
    else:
        call = lambda: fit_annual_growth(times, values)  # noqa: E731
    with pytest.raises(ValueError, match="more than once") as caught:
        call()
    assert shown in str(caught.value)
    assert "2016.75" not in str(caught.value)
