"""The ml-map lab in quick mode: the estimators' closed forms and their ordering."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nnlab.labs import get_lab
from nnlab.labs.runner import run_lab


def test_ml_map_quick(tmp_path: Path) -> None:
    result = run_lab(get_lab("ml-map"), tmp_path, quick=True, seed=0)
    assert result.ok, result.error
    metrics = json.loads((tmp_path / "ml-map" / "metrics.json").read_text())
    n = 200  # quick coin flips
    k = round(metrics["theta_ml"] * n)
    assert metrics["theta_ml"] == pytest.approx(k / n)
    assert metrics["theta_map"] == pytest.approx((k + 1) / (n + 2))  # Beta(2, 2) prior
    assert metrics["predictive"] == pytest.approx((k + 2) / (n + 4))
    assert metrics["theta_ml"] == pytest.approx(0.7, abs=0.1)
    assert metrics["three_heads_ml_map_predictive"] == pytest.approx([1.0, 0.8, 5 / 7])
    assert abs(metrics["mu_map"]) < abs(metrics["mu_ml"])  # shrunk towards the prior mean 0
    assert metrics["mu_predictive_std"] > 1.0
    assert "Warnings" not in (tmp_path / "ml-map" / "report.html").read_text()
