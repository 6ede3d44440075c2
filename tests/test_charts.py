"""Charts a reader can read: no label overlaps another or runs over its frame."""

from __future__ import annotations

import pytest
from matplotlib.figure import Figure

from kfanalysis.charts import label_problems, place_labels
from kfanalysis.figures import FIGURES


def test_the_check_finds_overlapping_and_clipped_labels() -> None:
    figure = Figure(figsize=(4, 3))
    axes = figure.subplots()
    axes.set_xlim(0, 10)
    axes.set_ylim(0, 10)
    axes.text(5, 5, "2018/19")
    axes.text(5.1, 5.05, "2019/20")
    axes.text(9.8, 2, "2012/13")
    problems = label_problems(figure)
    assert any("'2018/19' overlaps '2019/20'" in p for p in problems)
    assert any("'2012/13' runs over" in p for p in problems)


def test_placed_labels_stay_clear_of_each_other_and_the_frame() -> None:
    figure = Figure(figsize=(4, 3))
    axes = figure.subplots()
    xs, ys = [3.8, 3.9, 4.0, 7.9], [7.6, 7.3, 7.5, 4.4]
    axes.scatter(xs, ys)
    axes.set_xlim(3.0, 8.8)
    axes.set_ylim(3.0, 9.0)
    place_labels(axes, xs, ys, ["2018/19", "2019/20", "2017/18", "2012/13"], fontsize=7)
    assert label_problems(figure) == []


@pytest.mark.parametrize("spec", [s for s in FIGURES if s.is_built], ids=lambda s: s.figure)
def test_every_built_chart_has_readable_labels(spec) -> None:  # type: ignore[no-untyped-def]
    module = spec.load_module()
    figure = module.plot(module.build())
    assert label_problems(figure) == []
