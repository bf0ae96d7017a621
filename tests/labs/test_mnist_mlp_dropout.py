"""The mnist-mlp-dropout lab in quick mode (skipped when MNIST is not on disk): both settings
train, beat softmax-regression-level accuracy on a test subset, and report their times."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nnlab.datasets.mnist import CHECKSUMS, data_dirs, find_file
from nnlab.labs import get_lab
from nnlab.labs.runner import run_lab

pytestmark = pytest.mark.skipif(
    any(find_file(base, data_dirs()) is None for base in CHECKSUMS),
    reason="MNIST not found (set NNLAB_DATA or fill ~/.cache/nnlab/mnist)",
)


def test_mnist_mlp_dropout_quick(tmp_path: Path) -> None:
    result = run_lab(get_lab("mnist-mlp-dropout"), tmp_path, quick=True, seed=0)
    assert result.ok, result.error
    lab_dir = tmp_path / "mnist-mlp-dropout"
    metrics = json.loads((lab_dir / "metrics.json").read_text())
    assert 0.85 < metrics["test_accuracy"] <= 1.0
    assert 0.80 < metrics["test_accuracy_course_setting"] <= 1.0
    assert metrics["train_seconds"] > 0 and metrics["train_seconds_course_setting"] > 0
    assert metrics["train_accuracy"] > 0.85
    names = {p.name for p in lab_dir.glob("*.png")}
    assert names == {"curves.png", "confusion.png", "hidden-units.png", "misclassified.png"}
    html = (lab_dir / "report.html").read_text()
    assert "Warnings" not in html and "Both settings" in html
