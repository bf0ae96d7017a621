"""``keras.datasets``: ``mnist.load_data()`` on nnlab's verified MNIST reader."""

from __future__ import annotations

from . import mnist

__all__ = ["mnist"]
