"""The bayesian-linear-regression lab in quick mode: MAP = ridge, the evidence picks degree 3, the
straight line's posterior concentrates near the true weights."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from nnlab.labs import get_lab
from nnlab.labs.runner import run_lab


def test_bayesian_linear_regression_quick(tmp_path: Path) -> None:
    result = run_lab(get_lab("bayesian-linear-regression"), tmp_path, quick=True, seed=0)
    assert result.ok, result.error  # sequential = batch, Hessian = Σ_N⁻¹, Monte Carlo checks
    out = tmp_path / "bayesian-linear-regression"
    metrics = json.loads((out / "metrics.json").read_text())
    assert 0 <= metrics["map_ridge_max_abs_diff"] < 1e-6
    assert metrics["best_degree_by_evidence"] == 3
    evidence = metrics["log_evidence"]
    assert list(evidence) == [str(d) for d in range(10)]
    assert evidence["3"] == max(evidence.values())
    assert evidence["9"] < evidence["3"] - 5  # the Occam penalty of six extra weights
    mean = np.array(metrics["line_posterior_mean"])
    std = np.sqrt(np.diag(metrics["line_posterior_cov"]))
    assert np.all(np.abs(mean - [-0.3, 0.5]) < 4 * std)
    assert np.all(std < 0.1)
    html = (out / "report.html").read_text()
    assert "Corrections to the course notes" in html and "Warnings" not in html
    assert 'class="tex"' not in html  # every formula was rendered
    assert {p.name for p in out.glob("*.png")} == {
        "sequential.png",
        "predictive.png",
        "evidence.png",
    }
