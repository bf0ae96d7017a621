"""The few assertions of Keras's ``testing.TestCase`` the ported cases use, on NumPy."""

from __future__ import annotations

from typing import Any

import numpy as np


def to_numpy(x: Any) -> np.ndarray:
    """A tensor, variable or array of either library as a NumPy array."""
    if type(x).__module__.startswith("torch"):  # a torch tensor (Keras 3 on its torch backend)
        return np.asarray(x.detach().cpu().numpy())
    if hasattr(x, "value") and type(x.value).__module__.startswith("torch"):  # a Keras Variable
        return np.asarray(x.value.detach().cpu().numpy())
    if hasattr(x, "numpy"):
        return np.asarray(x.numpy())
    return np.asarray(x)


def assert_all_close(a: Any, b: Any, rtol: float = 1e-6, atol: float = 1e-6) -> None:
    """``self.assertAllClose`` of Keras's TestCase."""
    np.testing.assert_allclose(to_numpy(a), to_numpy(b), rtol=rtol, atol=atol)


def no_grad():
    """``torch.no_grad()`` of the guides' torch edition: the engine the Keras under test runs on
    (nnlab's own engine for nnlab.keras; torch when the suite is checked on Keras 3)."""
    import nnlab

    if getattr(nnlab, "keras", None) is not None and nnlab.keras.__name__ == "keras":
        import torch

        return torch.no_grad()
    return nnlab.no_grad()


def run_layer_test(
    layer_cls: Any,
    init_kwargs: dict[str, Any],
    input_shape: tuple[int, ...],
    expected_output_shape: tuple[int, ...],
    expected_num_trainable_weights: int = 0,
    expected_num_non_trainable_weights: int = 0,
    expected_num_losses: int = 0,
    call_kwargs: dict[str, Any] | None = None,
) -> None:
    """The public-API part of ``run_layer_test`` of Keras's TestCase: the config round trip, an
    eager call on random data, the output shape, the counts of weights and losses. (Keras's helper
    also checks seed generators, masking and its private tracking; those lines are not ported.)"""
    layer = layer_cls(**init_kwargs)
    config = layer.get_config()
    revived = layer_cls.from_config(config)
    assert revived.get_config() == config
    x = np.random.random(input_shape).astype("float32")
    y = layer(x, **(call_kwargs or {}))
    assert tuple(to_numpy(y).shape) == tuple(expected_output_shape)
    assert len(layer.trainable_weights) == expected_num_trainable_weights
    assert len(layer.non_trainable_weights) == expected_num_non_trainable_weights
    assert len(layer.losses) == expected_num_losses


def keras3() -> Any:
    """Keras 3 itself on its torch backend: the oracle of every number."""
    import os

    import pytest

    os.environ.setdefault("KERAS_BACKEND", "torch")
    module = pytest.importorskip("keras")
    if module.backend.backend() != "torch":  # pragma: no cover
        pytest.skip("the Keras oracle needs KERAS_BACKEND=torch")
    return module
