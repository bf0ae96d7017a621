"""The random-variables lab in quick mode: E = 3.5, Var = 35/12, the running mean converges."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nnlab.labs import get_lab
from nnlab.labs.runner import run_lab


def test_random_variables_quick(tmp_path: Path) -> None:
    result = run_lab(get_lab("random-variables"), tmp_path, quick=True, seed=1)
    assert result.ok, result.error
    metrics = json.loads((tmp_path / "random-variables" / "metrics.json").read_text())
    assert metrics["dice_mean"] == pytest.approx(3.5, abs=1e-12)
    assert metrics["dice_var"] == pytest.approx(35 / 12, abs=1e-12)
    assert metrics["dice_sample_mean"] == pytest.approx(3.5, abs=0.1)
    assert 0 <= metrics["lln_final_abs_error"] < 0.1
    html = (tmp_path / "random-variables" / "report.html").read_text()
    assert "Warnings" not in html
    assert {p.name for p in (tmp_path / "random-variables").glob("*.png")} == {
        "die.png",
        "continuous.png",
        "law-of-large-numbers.png",
    }
