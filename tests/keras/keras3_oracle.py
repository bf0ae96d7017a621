"""Keras 3 on its torch backend as the oracle of the convolution-family layers: the same layer
built on both sides, Keras's weights copied into nnlab's, then outputs and gradients compared."""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
keras3 = pytest.importorskip("keras")
torch = pytest.importorskip("torch")
if keras3.backend.backend() != "torch":  # pragma: no cover - another backend chosen first
    pytest.skip("the Keras oracle needs KERAS_BACKEND=torch", allow_module_level=True)

import nnlab  # noqa: E402
from nnlab.keras import layers  # noqa: E402


def keras_forward_backward(
    layer: Any, x: np.ndarray, g: np.ndarray, training: bool = False
) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """Keras's y, dL/dx and dL/dw (L = Σ y ⊙ g) for ``layer`` (already built)."""
    xt = torch.tensor(x, requires_grad=True)
    for w in layer.trainable_weights:
        w.value.grad = None
    y = layer(xt, training=training)
    (y * torch.tensor(g)).sum().backward()
    grads = [w.value.grad.detach().numpy().copy() for w in layer.trainable_weights]
    return y.detach().numpy(), xt.grad.numpy(), grads


def nnlab_forward_backward(
    layer: Any, x: np.ndarray, g: np.ndarray, training: bool = False
) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """The same for an nnlab.keras layer."""
    xt = nnlab.tensor(x, requires_grad=True)
    for w in layer.trainable_weights:
        w.grad = None
    y = layer(xt, training=training)
    (y * nnlab.tensor(g)).sum().backward()
    assert xt.grad is not None
    grads = [np.asarray(w.grad) for w in layer.trainable_weights]
    return y.numpy(), np.asarray(xt.grad), grads


def make_pair(cls_name: str, args: tuple[Any, ...], kwargs: dict[str, Any], shape: tuple[int, ...]):
    """The Keras layer (built on ``shape``) and nnlab's twin holding Keras's weights."""
    theirs = getattr(keras3.layers, cls_name)(*args, **kwargs)
    theirs.build((None, *shape[1:]))
    ours = getattr(layers, cls_name)(*args, **kwargs)
    ours.build((None, *shape[1:]))
    weights = [np.asarray(w) for w in theirs.get_weights()]
    rng = np.random.default_rng(0)
    # non-zero biases so that a bias in the wrong place shows
    weights = [w + rng.normal(0, 0.1, w.shape).astype(np.float32) for w in weights]
    theirs.set_weights(weights)
    ours.set_weights(weights)
    return theirs, ours
