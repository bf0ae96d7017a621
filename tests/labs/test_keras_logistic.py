"""The keras-logistic lab in quick mode: the one-neuron Keras model reaches the Bayes rate
Φ(√2) ≈ 0.921 and its boundary points along (1, 1)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from nnlab.labs import get_lab
from nnlab.labs.runner import run_lab


def test_keras_logistic_quick(tmp_path: Path) -> None:
    result = run_lab(get_lab("keras-logistic"), tmp_path, quick=True, seed=0)
    assert result.ok, result.error
    lab_dir = tmp_path / "keras-logistic"
    metrics = json.loads((lab_dir / "metrics.json").read_text())
    bayes = 0.5 * (1 + math.erf(1.0))  # Φ(√2) = (1 + erf(√2/√2)) / 2
    assert metrics["bayes_accuracy"] == pytest.approx(bayes, abs=1e-12)
    assert metrics["val_accuracy"] == pytest.approx(bayes, abs=0.06)
    assert metrics["fresh_accuracy"] == pytest.approx(bayes, abs=0.01)
    w1, w2 = metrics["weights"]
    assert w1 > 0.5 and w2 > 0.5 and abs(w1 - w2) < 0.5 * (w1 + w2)
    assert abs(metrics["bias"]) < 0.3
    names = {p.name for p in lab_dir.glob("*.png")}
    assert names == {"history.png", "boundary.png"}
    html = (lab_dir / "report.html").read_text()
    assert "Warnings" not in html and "Epoch 5/" in html
