"""The monty-hall lab in quick mode: switch = 2/3, stay = 1/3, the simulation agrees."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nnlab.labs import get_lab
from nnlab.labs.runner import run_lab


def test_monty_hall_quick(tmp_path: Path) -> None:
    result = run_lab(get_lab("monty-hall"), tmp_path, quick=True, seed=0)
    assert result.ok, result.error
    metrics = json.loads((tmp_path / "monty-hall" / "metrics.json").read_text())
    assert metrics["p_switch_exact"] == pytest.approx(2 / 3, abs=1e-12)
    assert metrics["p_stay_exact"] == pytest.approx(1 / 3, abs=1e-12)
    assert metrics["p_switch_simulated"] == pytest.approx(2 / 3, abs=0.02)
    assert metrics["doors_p_switch_exact"]["4"] == pytest.approx(3 / 8)
    html = (tmp_path / "monty-hall" / "report.html").read_text()
    assert "Corrections to the course notes" in html and "Warnings" not in html
    assert len(list((tmp_path / "monty-hall").glob("*.png"))) == 4
    again = run_lab(get_lab("monty-hall"), tmp_path / "again", quick=True, seed=0)
    assert again.metrics["p_switch_simulated"] == metrics["p_switch_simulated"]
