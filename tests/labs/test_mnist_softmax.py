"""The mnist-softmax lab in quick mode (skipped when MNIST is not on disk): softmax regression
reaches > 80% on a test subset after a few hundred steps."""

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


def test_mnist_softmax_quick(tmp_path: Path) -> None:
    result = run_lab(get_lab("mnist-softmax"), tmp_path, quick=True, seed=0)
    assert result.ok, result.error
    lab_dir = tmp_path / "mnist-softmax"
    metrics = json.loads((lab_dir / "metrics.json").read_text())
    assert 0.8 < metrics["test_accuracy"] <= 1.0
    assert metrics["train_accuracy"] > 0.8
    assert metrics["test_loss"] < 0.7  # ln 10 = 2.30 at the zero initialization
    names = {p.name for p in lab_dir.glob("*.png")}
    assert names == {"curves.png", "confusion.png", "weights.png", "misclassified.png"}
    assert "Warnings" not in (lab_dir / "report.html").read_text()
