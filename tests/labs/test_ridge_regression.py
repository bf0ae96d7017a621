"""The ridge-regression lab in quick mode: the penalty shrinks the exploding degree-9
coefficients by orders of magnitude and lowers the test error; the fits are stationary points."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from nnlab.labs import get_lab
from nnlab.labs.runner import run_lab


def test_ridge_regression_quick(tmp_path: Path) -> None:
    result = run_lab(get_lab("ridge-regression"), tmp_path, quick=True, seed=0)
    assert result.ok, result.error  # includes the engine-gradient and shrinkage checks
    out = tmp_path / "ridge-regression"
    metrics = json.loads((out / "metrics.json").read_text())
    lambdas = np.array(metrics["lambdas"])
    assert metrics["best_lambda"] in metrics["lambdas"]
    assert lambdas[0] < metrics["best_lambda"] < lambdas[-1]  # an interior optimum
    assert metrics["best_lambda"] == lambdas[np.argmin(metrics["validation_rss"])]
    assert metrics["coef_max_abs_unregularized"] > 1000
    assert metrics["coef_max_abs_best"] < metrics["coef_max_abs_unregularized"] / 100
    assert metrics["test_rss_best"] < metrics["test_rss_unregularized"] / 10
    assert len(metrics["weights_best"]) == 10
    html = (out / "report.html").read_text()
    assert "Corrections to the course notes" in html and "Warnings" not in html
    assert 'class="tex"' not in html  # every formula was rendered
    assert {p.name for p in out.glob("*.png")} == {
        "coefficient-paths.png",
        "fits.png",
        "error-vs-lambda.png",
    }
