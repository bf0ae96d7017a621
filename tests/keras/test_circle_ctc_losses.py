"""Circle and CTC losses against Keras 3 (torch backend): values, gradients (torch autograd through
Keras's formulas), reductions, sample weights, edge cases, registration and configs."""

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
from nnlab.keras import losses  # noqa: E402


def _keras_value_and_grad(loss: Any, y: np.ndarray, x: np.ndarray, **kw: Any) -> tuple[Any, Any]:
    xt = torch.tensor(x, requires_grad=True)
    out = loss(torch.tensor(y), xt, **kw)
    out.sum().backward()
    return out.detach().numpy(), xt.grad.numpy()


def _ours_value_and_grad(loss: Any, y: np.ndarray, x: np.ndarray, **kw: Any) -> tuple[Any, Any]:
    xt = nnlab.tensor(x, requires_grad=True)
    out = loss(y, xt, **kw)
    out.sum().backward()
    return out.numpy(), xt.grad


def _embeddings(rng: np.random.Generator, n: int, d: int) -> np.ndarray:
    e = rng.normal(size=(n, d)).astype(np.float32)
    return e / np.linalg.norm(e, axis=1, keepdims=True)


@pytest.mark.parametrize("remove_diagonal", [True, False])
@pytest.mark.parametrize("gamma,margin", [(80.0, 0.4), (2.0, 0.25)])
def test_circle_function_matches_keras(remove_diagonal: bool, gamma: float, margin: float) -> None:
    rng = np.random.default_rng(0)
    x = _embeddings(rng, 8, 5)
    y = np.array([0, 1, 2, 0, 1, 2, 3, 0])  # class 3 has no positive pair: its loss is 0
    kw = {"remove_diagonal": remove_diagonal, "gamma": gamma, "margin": margin}
    v_k, g_k = _keras_value_and_grad(keras3.losses.circle, y, x, **kw)
    v_o, g_o = _ours_value_and_grad(losses.circle, y, x, **kw)
    np.testing.assert_allclose(v_o, v_k, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(g_o, g_k, rtol=1e-3, atol=1e-4)


def test_circle_with_reference_set_matches_keras() -> None:
    rng = np.random.default_rng(1)
    x, ref = _embeddings(rng, 4, 3), _embeddings(rng, 6, 3)
    y, ref_y = np.array([0, 1, 1, 2]), np.array([0, 0, 1, 2, 2, 1])
    kw = {"ref_labels": ref_y, "ref_embeddings": ref, "remove_diagonal": False}
    expected = keras3.losses.circle(y, x, **kw)
    ours = losses.circle(y, x, **kw).numpy()
    np.testing.assert_allclose(ours, np.asarray(expected), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize(
    "reduction", ["sum_over_batch_size", "sum", None, "mean_with_sample_weight"]
)
def test_circle_class_reductions_and_weights_match_keras(reduction: Any) -> None:
    rng = np.random.default_rng(2)
    x = _embeddings(rng, 6, 4)
    y = np.array([0, 0, 1, 1, 2, 3])
    w = rng.random(6).astype(np.float32)
    ours = losses.Circle(gamma=10.0, reduction=reduction)
    theirs = keras3.losses.Circle(gamma=10.0, reduction=reduction)
    for weight in (None, w):
        np.testing.assert_allclose(
            ours(y, x, sample_weight=weight).numpy(),
            np.asarray(theirs(y, x, sample_weight=weight)),
            rtol=1e-4,
            atol=1e-5,
        )


def _ctc_case(rng: np.random.Generator, labels: list[list[int]], steps: int, k: int) -> Any:
    width = max(len(r) for r in labels)
    y = np.zeros((len(labels), width), np.int32)
    for i, row in enumerate(labels):
        y[i, : len(row)] = row
    return y, rng.normal(size=(len(labels), steps, k)).astype(np.float32)


@pytest.mark.parametrize(
    "labels,steps",
    [
        ([[1, 2, 3], [2, 2, 0], [1, 0, 0]], 7),  # repeats need a blank in between
        ([[3, 3, 3]], 5),  # exactly feasible: every blank forced
        ([[1], [2]], 1),
        ([[1, 2]], 12),
    ],
)
def test_ctc_function_matches_keras(labels: list[list[int]], steps: int) -> None:
    rng = np.random.default_rng(3)
    y, x = _ctc_case(rng, labels, steps, 4)
    v_k, g_k = _keras_value_and_grad(keras3.losses.ctc, y, x)
    v_o, g_o = _ours_value_and_grad(losses.ctc, y, x)
    np.testing.assert_allclose(v_o, v_k, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(g_o, g_k, rtol=1e-4, atol=1e-5)


def test_ctc_infeasible_label_is_infinite_as_keras() -> None:
    y = np.array([[1, 1, 1]], np.int32)  # needs 5 steps
    x = np.zeros((1, 3, 3), np.float32)
    assert np.isinf(losses.ctc(y, x).numpy()[0])
    assert np.isinf(np.asarray(keras3.losses.ctc(y, x))[0])


@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", None])
def test_ctc_class_matches_keras(reduction: Any) -> None:
    rng = np.random.default_rng(4)
    y, x = _ctc_case(rng, [[1, 2], [3, 0], [2, 1]], 6, 5)
    w = np.array([0.5, 1.0, 2.0], np.float32)
    for weight in (None, w):
        np.testing.assert_allclose(
            losses.CTC(reduction=reduction)(y, x, sample_weight=weight).numpy(),
            np.asarray(keras3.losses.CTC(reduction=reduction)(y, x, sample_weight=weight)),
            rtol=1e-5,
        )


def test_ctc_bad_shapes_are_named() -> None:
    with pytest.raises(ValueError, match="y_true"):
        losses.ctc(np.zeros((2, 3, 1)), np.zeros((2, 4, 3), np.float32))
    with pytest.raises(ValueError, match="y_pred"):
        losses.ctc(np.zeros((2, 3)), np.zeros((2, 4), np.float32))
    with pytest.raises(ValueError, match="labels"):
        losses.ctc(np.array([[5]]), np.zeros((1, 4, 3), np.float32))


@pytest.mark.parametrize(
    "name,kwargs",
    [("Circle", {"gamma": 30.0, "margin": 0.3, "remove_diagonal": False}), ("CTC", {})],
)
def test_configs_match_keras_and_round_trip(name: str, kwargs: dict[str, Any]) -> None:
    ours = getattr(losses, name)(name="l", **kwargs)
    theirs = getattr(keras3.losses, name)(name="l", **kwargs)
    assert ours.get_config() == theirs.get_config()
    restored = losses.deserialize(losses.serialize(ours))
    assert type(restored) is type(ours) and restored.get_config() == ours.get_config()
    assert type(losses.get(name)) is type(ours)
    assert type(losses.get(name.lower())) is type(ours)


def test_keras_module_layout_holds_the_new_losses() -> None:
    """Keras's keras.src.losses.losses module holds these classes and functions too."""
    from nnlab.keras.losses import losses as module

    for name in ("Circle", "CTC", "circle", "ctc", "Dice", "Tversky", "dice", "tversky"):
        assert getattr(module, name) is getattr(losses, name)
    assert module.CategoricalGeneralizedCrossEntropy is losses.CategoricalGeneralizedCrossEntropy
