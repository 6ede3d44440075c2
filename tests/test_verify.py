"""`kfanalysis verify` compares outputs by content: real changes fail and are named, noise passes."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from conftest import REPO_ROOT

from kfanalysis.cli import main
from kfanalysis.errors import KfError
from kfanalysis.verify import (
    PIXEL_LEVEL_TOLERANCE,
    RELATIVE_TOLERANCE,
    OutputMismatch,
    compare_outputs,
    verify,
)

COMMITTED = REPO_ROOT / "data" / "processed"
pytestmark = [
    pytest.mark.outputs,
    pytest.mark.skipif(
        not (COMMITTED / "manifest.json").is_file(), reason="no committed outputs to compare with"
    ),
]


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """A copy of the committed outputs, to be altered as a fresh build might be."""
    target = tmp_path / "fresh"
    shutil.copytree(COMMITTED, target)
    return target


def _replace_cell(path: Path, line: int, column: str, value: str) -> str:
    lines = path.read_text(encoding="utf-8").split("\n")
    header = lines[0].split(",")
    cells = lines[line - 1].split(",")
    old = cells[header.index(column)]
    cells[header.index(column)] = value
    lines[line - 1] = ",".join(cells)
    path.write_text("\n".join(lines), encoding="utf-8")
    return old


def test_identical_outputs_pass_and_every_file_is_compared(copy: Path) -> None:
    result = compare_outputs(copy, COMMITTED)
    assert result.ok
    assert set(result.compared) == {p.name for p in COMMITTED.iterdir() if p.is_file()}
    assert {result.compared[n] for n in result.compared if n.endswith(".png")} == {"image"}
    assert {result.compared[n] for n in result.compared if n.endswith(".csv")} == {"table"}
    assert result.compared["manifest.json"] == "json"


def test_one_changed_table_value_fails_and_names_the_file(copy: Path, tmp_path: Path) -> None:
    old = _replace_cell(copy / "fig7_vacancies.csv", 3, "unemployment_rate_pct", "9.9")
    assert old != "9.9"
    with pytest.raises(OutputMismatch) as caught:
        verify(copy, COMMITTED, root=REPO_ROOT, diff_dir=tmp_path / "diff")
    message = str(caught.value)
    assert "fig7_vacancies.csv" in message
    # Named by the folder compared with: data/processed on disk need not be what is committed.
    assert f"line 3, column 'unemployment_rate_pct': data/processed {old!r}, fresh '9.9'" in message
    assert "from those in data/processed" in message
    assert "committed" not in message.split("Fix:")[0]
    assert [d.file for d in caught.value.differences] == ["fig7_vacancies.csv"]


def test_a_changed_ledger_status_fails(copy: Path) -> None:
    path = copy / "ledger.csv"
    text = path.read_text(encoding="utf-8")
    changed = text.replace(",reproduced,", ",differs,", 1)
    assert changed != text
    path.write_text(changed, encoding="utf-8")
    result = compare_outputs(copy, COMMITTED)
    assert [d.file for d in result.differences] == ["ledger.csv"]
    assert "'reproduced'" in result.differences[0].what


def test_decimals_within_the_tolerance_pass_and_beyond_it_fail(copy: Path) -> None:
    path = copy / "deflator_2021_22.csv"
    header = path.read_text(encoding="utf-8").split("\n")[0].split(",")
    column = next(c for c in header if c.endswith("index"))
    old = _replace_cell(path, 2, column, "0")
    value = float(old)
    _replace_cell(path, 2, column, repr(value * (1 + RELATIVE_TOLERANCE / 10)))
    assert compare_outputs(copy, COMMITTED).ok
    _replace_cell(path, 2, column, repr(value * (1 + RELATIVE_TOLERANCE * 10)))
    differences = compare_outputs(copy, COMMITTED).differences
    assert [d.file for d in differences] == ["deflator_2021_22.csv"]


def test_a_changed_chart_label_fails_and_writes_a_difference_image(copy: Path, tmp_path: Path) -> None:
    from kfanalysis.figures import fig7_vacancies as fig7
    from kfanalysis.outputs import read_table
    from kfanalysis.write import png_bytes

    figure = fig7.plot(read_table(fig7.TABLE, REPO_ROOT))
    axes = figure.axes[0]
    labels = [label.get_text() for label in axes.get_xticklabels()]
    labels[3] = labels[3][:-1] + ("9" if labels[3][-1] != "9" else "8")
    axes.set_xticks(axes.get_xticks(), labels)
    (copy / "fig7_vacancies.png").write_bytes(png_bytes(figure))
    diff_dir = tmp_path / "diff"

    with pytest.raises(OutputMismatch) as caught:
        verify(copy, COMMITTED, root=REPO_ROOT, diff_dir=diff_dir)
    message = str(caught.value)
    assert "fig7_vacancies.png: chart differs" in message
    assert str(diff_dir) in message
    (difference,) = caught.value.differences
    assert difference.diff_image is not None and difference.diff_image.is_file()


def test_a_few_pixels_of_noise_pass(copy: Path) -> None:
    from matplotlib.image import imread, imsave

    path = copy / "fig7_vacancies.png"
    image = (imread(path) * 255).round().astype(np.uint8)
    # A couple of hundred pixels off by up to two levels, as two BLAS kernels give.
    rng = np.random.default_rng(7)
    rows = rng.integers(0, image.shape[0], 200)
    cols = rng.integers(0, image.shape[1], 200)
    image[rows, cols, :3] = np.clip(
        image[rows, cols, :3].astype(int) + rng.choice([-2, 2], 200)[:, None], 0, 255
    )
    imsave(path, image)
    assert path.read_bytes() != (COMMITTED / "fig7_vacancies.png").read_bytes()
    assert compare_outputs(copy, COMMITTED).ok


def test_one_pixel_far_off_fails(copy: Path) -> None:
    from matplotlib.image import imread, imsave

    path = copy / "fig7_vacancies.png"
    image = (imread(path) * 255).round().astype(np.uint8)
    image[10, 10, :3] = (image[10, 10, :3].astype(int) + PIXEL_LEVEL_TOLERANCE * 4) % 256
    imsave(path, image)
    (difference,) = compare_outputs(copy, COMMITTED).differences
    assert "1 by more than" in difference.what


def test_a_missing_or_extra_output_fails(copy: Path) -> None:
    (copy / "fig1_activity.png").unlink()
    (copy / "fig9_new.csv").write_text("a\n1\n", encoding="utf-8")
    result = compare_outputs(copy, COMMITTED)
    assert {(d.file, d.what.split(" ")[0]) for d in result.differences} == {
        ("fig1_activity.png", "in"),
        ("fig9_new.csv", "written"),
    }


def test_manifest_compared_by_content_not_layout(copy: Path) -> None:
    import json

    record = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    (copy / "manifest.json").write_text(json.dumps(record), encoding="utf-8")  # other layout, same content
    assert compare_outputs(copy, COMMITTED).ok
    record["kfanalysis_version"] = "0.0.0"
    (copy / "manifest.json").write_text(json.dumps(record), encoding="utf-8")
    (difference,) = compare_outputs(copy, COMMITTED).differences
    assert "kfanalysis_version" in difference.what


def test_cli_verify_exit_code_and_message(
    copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--root", str(REPO_ROOT), "verify", str(copy), "--against", str(COMMITTED)]
    assert main([*args, "--diff-dir", str(tmp_path / "d")]) == 0
    outputs = len([p for p in COMMITTED.iterdir() if p.is_file()])
    assert f"all {outputs} outputs reproduced" in capsys.readouterr().out
    _replace_cell(copy / "fig4_social_care.csv", 2, "financial_year", "1999/00")
    assert main([*args, "--diff-dir", str(tmp_path / "d")]) == 1
    err = capsys.readouterr().err
    assert "fig4_social_care.csv" in err and "Fix:" in err


def test_verify_refuses_a_folder_that_does_not_exist(tmp_path: Path) -> None:
    with pytest.raises(KfError, match="not a folder of outputs"):
        compare_outputs(tmp_path / "nowhere", COMMITTED)
