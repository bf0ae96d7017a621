"""``keras.datasets.mnist.load_data()``: ((x_train, y_train), (x_test, y_test)), uint8 images of
shape (N, 28, 28) and uint8 labels, read by :func:`nnlab.datasets.mnist.load_data` (IDX files
checked against their published digests; found in ``$NNLAB_DATA/mnist`` or the cache)."""

from __future__ import annotations

from typing import Any

from nnlab.datasets import mnist as _mnist

__all__ = ["load_data"]


def load_data(path: str = "mnist.npz") -> Any:
    """MNIST's 60,000 training and 10,000 test digits, as Keras returns them."""
    return _mnist.load_data()
