"""The linear-regression lab in quick mode: w near (1, 2), sigma^2_ML = RSS/N near 4, and the
log-likelihood equals the Gaussian formula at the ML estimate."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from nnlab.labs import get_lab
from nnlab.labs.runner import run_lab


def test_linear_regression_quick(tmp_path: Path) -> None:
    result = run_lab(get_lab("linear-regression"), tmp_path, quick=True, seed=0)
    assert result.ok, result.error
    out = tmp_path / "linear-regression"
    metrics = json.loads((out / "metrics.json").read_text())
    w0, w1 = metrics["w"]
    assert w1 == pytest.approx(2.0, abs=0.1)
    assert w0 == pytest.approx(1.0, abs=0.6)
    assert metrics["w_normal_equations"] == pytest.approx(metrics["w"], abs=1e-9)
    s2 = metrics["sigma2_ml"]
    assert s2 == pytest.approx(4.0, abs=0.8)
    n = 300  # quick mode
    assert metrics["sigma2_unbiased"] == pytest.approx(s2 * n / (n - 2))
    # at the ML variance the RSS term is exactly N/2: ln L = -N/2 ln(2 pi s2) - N/2
    assert metrics["log_likelihood"] == pytest.approx(-n / 2 * math.log(2 * math.pi * s2) - n / 2)
    html = (out / "report.html").read_text()
    assert "Corrections to the course notes" in html and "Warnings" not in html
    assert 'class="tex"' not in html  # every formula was rendered
    assert {p.name for p in out.glob("*.png")} == {"fit.png", "likelihood.png"}
