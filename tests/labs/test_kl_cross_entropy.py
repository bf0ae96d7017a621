"""The kl-cross-entropy lab in quick mode: asymmetry, the identity, Gaussian KL by Monte Carlo."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from nnlab.labs import get_lab
from nnlab.labs.runner import run_lab


def test_kl_cross_entropy_quick(tmp_path: Path) -> None:
    result = run_lab(get_lab("kl-cross-entropy"), tmp_path, quick=True, seed=0)
    assert result.ok, result.error
    metrics = json.loads((tmp_path / "kl-cross-entropy" / "metrics.json").read_text())
    p, q = [0.1, 0.2, 0.3, 0.4], [0.01, 0.09, 0.3, 0.6]
    kl_pq = sum(a * math.log(a / b) for a, b in zip(p, q, strict=True))
    kl_qp = sum(b * math.log(b / a) for a, b in zip(p, q, strict=True))
    assert metrics["kl_pq"] == pytest.approx(kl_pq, rel=1e-12)
    assert metrics["kl_qp"] == pytest.approx(kl_qp, rel=1e-12)
    assert metrics["kl_pq"] != pytest.approx(metrics["kl_qp"], abs=0.05)
    assert metrics["cross_entropy_pq"] == pytest.approx(metrics["entropy_p"] + kl_pq, abs=1e-12)
    assert metrics["identity_error"] < 1e-12
    # KL(N(0, 1) || N(1, 2^2)) = log 2 + (1 + 1) / 8 - 1/2
    assert metrics["kl_normal_exact"] == pytest.approx(math.log(2) - 0.25, abs=1e-12)
    assert metrics["kl_normal_mc_error"] < 0.02
    html = (tmp_path / "kl-cross-entropy" / "report.html").read_text()
    assert "H(p, q) − H(p)" in html and "Warnings" not in html
