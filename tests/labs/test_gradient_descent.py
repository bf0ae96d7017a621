"""The gradient-descent lab in quick mode: the good step sizes converge, the large ones diverge."""

from __future__ import annotations

import json
from pathlib import Path

from nnlab.labs import get_lab
from nnlab.labs.runner import run_lab


def test_gradient_descent_quick(tmp_path: Path) -> None:
    result = run_lab(get_lab("gradient-descent"), tmp_path, quick=True, seed=0)
    assert result.ok, result.error
    out = tmp_path / "gradient-descent"
    metrics = json.loads((out / "metrics.json").read_text())
    quad, rosen = metrics["final_loss"]["quadratic"], metrics["final_loss"]["rosenbrock"]
    assert metrics["diverged"]["quadratic"] == {
        "0.005": False,
        "0.05": False,
        "0.095": False,
        "0.105": True,
    }
    assert metrics["diverged"]["rosenbrock"]["0.01"] is True
    assert not metrics["diverged"]["rosenbrock"]["0.001"]
    # too small < good < about optimal on the quadratic; the divergent one blew up
    assert quad["0.095"] < 1e-9 < quad["0.05"] < 1e-4 < quad["0.005"]
    assert quad["0.105"] > 1e6
    assert rosen["0.001"] < 0.01 < rosen["0.0001"]
    assert rosen["0.003"] > 0.1  # too large for the valley's curvature: it bounces and stalls
    html = (out / "report.html").read_text()
    assert "Corrections to the course notes" in html and "Warnings" not in html
    assert 'class="tex"' not in html  # every formula was rendered
    assert {p.name for p in out.glob("*.png")} == {
        "quadratic.png",
        "rosenbrock.png",
        "loss-curves.png",
    }
