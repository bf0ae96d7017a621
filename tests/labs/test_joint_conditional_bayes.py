"""The joint-conditional-bayes lab in quick mode: independence verdicts and the posterior."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nnlab.labs import get_lab
from nnlab.labs.runner import run_lab


def test_joint_conditional_bayes_quick(tmp_path: Path) -> None:
    result = run_lab(get_lab("joint-conditional-bayes"), tmp_path, quick=True, seed=0)
    assert result.ok, result.error
    metrics = json.loads((tmp_path / "joint-conditional-bayes" / "metrics.json").read_text())
    assert metrics["dice_independent"] is True
    assert metrics["first_and_sum_independent"] is False
    assert metrics["tosses_independent_given_coin"] is True
    assert metrics["tosses_independent"] is False
    # p(D | +) = 0.95 * 0.01 / (0.95 * 0.01 + 0.05 * 0.99)
    assert metrics["posterior"] == pytest.approx(0.0095 / (0.0095 + 0.0495), rel=1e-12)
    assert metrics["posterior"] < metrics["posterior_after_two_positives"] < 1
    assert "Warnings" not in (tmp_path / "joint-conditional-bayes" / "report.html").read_text()
