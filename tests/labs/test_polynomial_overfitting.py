"""The polynomial-overfitting lab in quick mode: best degree near 3, degree 9 interpolates with
exploding coefficients, the training error never grows with the degree."""

from __future__ import annotations

import json
from pathlib import Path

from nnlab.labs import get_lab
from nnlab.labs.runner import run_lab


def test_polynomial_overfitting_quick(tmp_path: Path) -> None:
    result = run_lab(get_lab("polynomial-overfitting"), tmp_path, quick=True, seed=0)
    assert result.ok, result.error
    out = tmp_path / "polynomial-overfitting"
    metrics = json.loads((out / "metrics.json").read_text())
    degrees = [str(d) for d in range(10)]
    for key in ("train_rss", "test_rss", "coef_max_abs"):
        assert list(metrics[key]) == degrees
    assert 2 <= metrics["best_degree"] <= 4
    train, test, coef = metrics["train_rss"], metrics["test_rss"], metrics["coef_max_abs"]
    assert all(train[a] >= train[b] - 1e-9 for a, b in zip(degrees, degrees[1:], strict=False))
    assert train["9"] < 1e-6  # ten coefficients through ten points
    assert test["9"] > 10 * test["3"]
    assert coef["9"] > 100 * coef["3"] and coef["9"] > 1000  # the explosion
    assert coef["3"] < 10
    assert len(metrics["coefficients"]["9"]) == 10
    html = (out / "report.html").read_text()
    assert "Corrections to the course notes" in html and "Warnings" not in html
    assert 'class="tex"' not in html  # every formula was rendered
    assert {p.name for p in out.glob("*.png")} == {"fits.png", "errors.png"}
    again = run_lab(get_lab("polynomial-overfitting"), tmp_path / "again", quick=True, seed=0)
    assert again.metrics["test_rss"] == result.metrics["test_rss"]
