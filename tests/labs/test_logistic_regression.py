"""The logistic-regression lab in quick mode: accuracy near the Bayes rate, the fitted weights
near the generative closed form, softmax on three well-separated classes."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from nnlab.labs import get_lab
from nnlab.labs.logistic_regression import SHARED_COV, generative_weights
from nnlab.labs.runner import run_lab


def test_generative_weights_match_the_log_odds() -> None:
    m1, m2 = np.array([1.0, 0.5]), np.array([-1.0, -0.5])
    w = generative_weights(m1, m2, SHARED_COV, 0.25)
    P = np.linalg.inv(SHARED_COV)

    def log_density(x: np.ndarray, m: np.ndarray) -> float:  # up to the shared constant
        return float(-0.5 * (x - m) @ P @ (x - m))

    for x in np.random.default_rng(0).normal(size=(5, 2)):
        a = log_density(x, m1) + np.log(0.25) - log_density(x, m2) - np.log(0.75)
        assert abs(w[:2] @ x + w[2] - a) < 1e-12


def test_logistic_regression_quick(tmp_path: Path) -> None:
    result = run_lab(get_lab("logistic-regression"), tmp_path, quick=True, seed=0)
    assert result.ok, result.error  # includes GD = Newton, softmax K=2 = logistic, sigma(a)
    out = tmp_path / "logistic-regression"
    metrics = json.loads((out / "metrics.json").read_text())
    assert abs(metrics["test_accuracy"] - metrics["bayes_accuracy"]) < 0.02
    assert 0.80 < metrics["bayes_accuracy"] < 0.88
    assert metrics["softmax_test_accuracy"] > 0.93
    fitted, true = np.array(metrics["weights_newton"]), np.array(metrics["weights_generative"])
    assert np.abs(fitted - true).max() < 0.4
    html = (out / "report.html").read_text()
    assert "Corrections to the course notes" in html and "Warnings" not in html
    assert 'class="tex"' not in html  # every formula was rendered
    assert {p.name for p in out.glob("*.png")} == {
        "sigmoid.png",
        "boundaries.png",
        "training.png",
        "softmax.png",
    }
