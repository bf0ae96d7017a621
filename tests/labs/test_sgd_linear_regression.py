"""The sgd-linear-regression lab in quick mode: SGD finds k ≈ 2, b ≈ 1, near least squares."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nnlab.labs import get_lab
from nnlab.labs.runner import run_lab


def test_sgd_linear_regression_quick(tmp_path: Path) -> None:
    result = run_lab(get_lab("sgd-linear-regression"), tmp_path, quick=True, seed=0)
    assert result.ok, result.error
    lab_dir = tmp_path / "sgd-linear-regression"
    metrics = json.loads((lab_dir / "metrics.json").read_text())
    assert metrics["k"] == pytest.approx(2.0, abs=0.1)
    assert metrics["b"] == pytest.approx(1.0, abs=0.6)
    assert metrics["k"] == pytest.approx(metrics["k_closed_form"], abs=0.05)
    assert metrics["b"] == pytest.approx(metrics["b_closed_form"], abs=0.25)
    # the noise has standard deviation 2: the minimum MSE is near its variance 4
    assert metrics["closed_form_loss"] == pytest.approx(4.0, rel=0.15)
    assert metrics["closed_form_loss"] <= metrics["final_loss"] < 1.02 * metrics["closed_form_loss"]
    html = (lab_dir / "report.html").read_text()
    assert "Warnings" not in html and "Epoch 50:" in html and "Epoch 100:" in html
    assert {p.name for p in lab_dir.glob("*.png")} == {"fit.png", "loss.png", "path.png"}
    again = run_lab(get_lab("sgd-linear-regression"), tmp_path / "again", quick=True, seed=0)
    assert again.metrics["k"] == metrics["k"]
