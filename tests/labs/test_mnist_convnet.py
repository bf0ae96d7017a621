"""The mnist-convnet lab (17) in quick mode (skipped when MNIST is not on disk): keras-io's
convnet on nnlab.keras trains on a subset, has Keras's 34,826 parameters, beats the softmax
regression trained the same way, and writes its five figures."""

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


def test_mnist_convnet_quick(tmp_path: Path) -> None:
    result = run_lab(get_lab("mnist-convnet"), tmp_path, quick=True, seed=0)
    assert result.ok, result.error
    lab_dir = tmp_path / "mnist-convnet"
    metrics = json.loads((lab_dir / "metrics.json").read_text())
    assert metrics["params"] == 34_826
    assert metrics["mlp_params"] == 784 * 128 + 128 + 128 * 10 + 10
    assert 0.85 < metrics["test_accuracy"] <= 1.0
    assert metrics["test_accuracy"] > metrics["softmax_test_accuracy"]
    assert metrics["train_seconds"] > 0 and metrics["epochs"] == 2
    names = {p.name for p in lab_dir.glob("*.png")}
    assert names == {
        "curves.png",
        "filters.png",
        "feature-maps.png",
        "confusion.png",
        "misclassified.png",
    }
    html = (lab_dir / "report.html").read_text()
    assert "Warnings" not in html and "Convnet vs the MLP labs" in html
    assert "Total params: 34,826" in html
