"""Losses against Keras 3 (torch backend): values for every reduction with and without sample
weights, gradients in y_pred (Keras's through torch.autograd), the function forms, custom
losses by subclassing, and the fusion seam of the training loop (logits_loss, prepare_targets)."""

from __future__ import annotations

import os

import numpy as np
import pytest

import nnlab
from nnlab.keras import losses

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")
torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)
N = 6


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def _data(kind: str) -> tuple[np.ndarray, np.ndarray]:
    """(y_true, y_pred) float32 of one kind."""
    z = RNG.normal(size=(N, 4)) * 2
    if kind == "regression":
        y, p = RNG.normal(size=(N, 3)), RNG.normal(size=(N, 3))
    elif kind == "regression_1d":
        y, p = RNG.normal(size=(N,)), RNG.normal(size=(N, 1))
    elif kind == "positive":
        y, p = RNG.random((N, 3)) * 3, RNG.random((N, 3)) * 3 + 0.01
    elif kind == "distributions":
        y, p = _softmax(RNG.normal(size=(N, 4))), _softmax(z)
    elif kind == "binary":
        y, p = (RNG.random((N, 3)) > 0.5) * 1.0, 1 / (1 + np.exp(-z[:, :3]))
    elif kind == "binary_logits":
        y, p = (RNG.random((N, 3)) > 0.5) * 1.0, z[:, :3]
    elif kind == "onehot":
        y, p = np.eye(4)[RNG.integers(0, 4, N)], _softmax(z)
    elif kind == "onehot_logits":
        y, p = np.eye(4)[RNG.integers(0, 4, N)], z
    elif kind == "sparse":
        y, p = RNG.integers(0, 4, N) * 1.0, _softmax(z)
    elif kind == "sparse_logits":
        y, p = RNG.integers(0, 4, (N, 1)) * 1.0, z
    elif kind == "sequence_logits":  # (N, T, K) scores with (N, T) labels
        y, p = RNG.integers(0, 4, (N, 5)) * 1.0, RNG.normal(size=(N, 5, 4))
    elif kind == "signs":
        y, p = np.sign(RNG.normal(size=(N, 3))), RNG.normal(size=(N, 3))
    elif kind == "zero_one":
        y, p = (RNG.random((N, 3)) > 0.5) * 1.0, RNG.normal(size=(N, 3))
    else:
        raise AssertionError(kind)
    return y.astype(np.float32), p.astype(np.float32)


CASES = [
    ("MeanSquaredError", {}, "regression"),
    ("MeanSquaredError", {}, "regression_1d"),
    ("MeanAbsoluteError", {}, "regression"),
    ("MeanAbsolutePercentageError", {}, "regression"),
    ("MeanSquaredLogarithmicError", {}, "positive"),
    ("Huber", {}, "regression"),
    ("Huber", {"delta": 0.5}, "regression"),
    ("LogCosh", {}, "regression"),
    ("CosineSimilarity", {}, "regression"),
    ("CosineSimilarity", {"axis": 0}, "regression"),
    ("Hinge", {}, "signs"),
    ("Hinge", {}, "zero_one"),
    ("SquaredHinge", {}, "zero_one"),
    ("CategoricalHinge", {}, "onehot_logits"),
    ("KLDivergence", {}, "distributions"),
    ("Poisson", {}, "positive"),
    ("BinaryCrossentropy", {}, "binary"),
    ("BinaryCrossentropy", {"from_logits": True}, "binary_logits"),
    ("BinaryCrossentropy", {"label_smoothing": 0.2}, "binary"),
    ("BinaryCrossentropy", {"from_logits": True, "label_smoothing": 0.1}, "binary_logits"),
    ("BinaryFocalCrossentropy", {}, "binary"),
    (
        "BinaryFocalCrossentropy",
        {"apply_class_balancing": True, "alpha": 0.4, "gamma": 1.5, "from_logits": True},
        "binary_logits",
    ),
    ("BinaryFocalCrossentropy", {"label_smoothing": 0.1}, "binary"),
    ("CategoricalCrossentropy", {}, "onehot"),
    ("CategoricalCrossentropy", {"from_logits": True}, "onehot_logits"),
    ("CategoricalCrossentropy", {"label_smoothing": 0.1}, "onehot"),
    ("CategoricalCrossentropy", {"from_logits": True, "label_smoothing": 0.2}, "onehot_logits"),
    ("CategoricalCrossentropy", {"from_logits": True, "axis": 0}, "onehot_logits"),
    ("CategoricalFocalCrossentropy", {}, "onehot"),
    (
        "CategoricalFocalCrossentropy",
        {"alpha": 0.5, "gamma": 3.0, "from_logits": True, "label_smoothing": 0.1},
        "onehot_logits",
    ),
    ("SparseCategoricalCrossentropy", {}, "sparse"),
    ("SparseCategoricalCrossentropy", {"from_logits": True}, "sparse_logits"),
    ("SparseCategoricalCrossentropy", {"from_logits": True}, "sequence_logits"),
    ("SparseCategoricalCrossentropy", {"ignore_class": 2}, "sparse"),
    ("SparseCategoricalCrossentropy", {"from_logits": True, "ignore_class": 1}, "sparse_logits"),
    ("Dice", {}, "binary"),
    ("Dice", {"axis": 1}, "binary"),
    ("Tversky", {"alpha": 0.3, "beta": 0.7, "axis": 1}, "binary"),
    ("CategoricalGeneralizedCrossEntropy", {"q": 0.3}, "sparse"),
]
REDUCTIONS = ["sum_over_batch_size", "sum", "none", None, "mean_with_sample_weight"]


def _keras_loss(loss, y: np.ndarray, p: np.ndarray, w) -> tuple[np.ndarray, np.ndarray]:
    """Keras's loss value and its gradient in y_pred for the upstream weights ``G`` (ones)."""
    pt = torch.tensor(p, requires_grad=True)
    out = loss(y, pt, sample_weight=w)
    out.sum().backward()
    return out.detach().numpy(), pt.grad.numpy()


def _ours(loss, y: np.ndarray, p: np.ndarray, w) -> tuple[np.ndarray, np.ndarray]:
    pt = nnlab.tensor(p, requires_grad=True)
    out = loss(y, pt, sample_weight=w)
    assert isinstance(out, nnlab.Tensor) and out.dtype == np.float32
    out.sum().backward()
    return out.data, pt.grad


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize(
    ("cls", "kwargs", "kind"), CASES, ids=[f"{c}{k or ''}-{d}" for c, k, d in CASES]
)
def test_loss_equals_keras(cls: str, kwargs: dict, kind: str, weighted: bool) -> None:
    if weighted and kwargs.get("axis") == 0:
        pytest.skip("per-sample losses along axis 0 are not one per sample")
    y, p = _data(kind)
    w = RNG.random(y.shape[:1] if kind != "sequence_logits" else y.shape).astype(np.float32)
    for reduction in REDUCTIONS:
        ours = getattr(losses, cls)(reduction=reduction, **kwargs)
        theirs = getattr(keras.losses, cls)(reduction=reduction, **kwargs)
        assert ours.name == theirs.name and ours.reduction == theirs.reduction
        sw = w if weighted else None
        value, grad = _ours(ours, y, p, sw)
        want, want_grad = _keras_loss(theirs, y, p, sw)
        np.testing.assert_allclose(value, want, rtol=2e-5, atol=1e-6, err_msg=str(reduction))
        np.testing.assert_allclose(grad, want_grad, rtol=2e-4, atol=1e-6, err_msg=str(reduction))
    config = ours.get_config()
    keras_config = {k: v for k, v in theirs.get_config().items() if k != "dtype"}
    assert keras_config.items() <= config.items()  # Keras leaves out Huber's delta, axis of ...
    assert type(ours).from_config(config).get_config() == config


FUNCTIONS = [
    ("mean_squared_error", {}, "regression"),
    ("mean_absolute_error", {}, "regression"),
    ("mean_absolute_percentage_error", {}, "regression"),
    ("mean_squared_logarithmic_error", {}, "positive"),
    ("huber", {"delta": 2.0}, "regression"),
    ("log_cosh", {}, "regression"),
    ("cosine_similarity", {}, "regression"),
    ("hinge", {}, "zero_one"),
    ("squared_hinge", {}, "signs"),
    ("categorical_hinge", {}, "onehot_logits"),
    ("kl_divergence", {}, "distributions"),
    ("poisson", {}, "positive"),
    ("binary_crossentropy", {"from_logits": True}, "binary_logits"),
    ("binary_focal_crossentropy", {"gamma": 1.0}, "binary"),
    ("categorical_crossentropy", {"label_smoothing": 0.3}, "onehot"),
    ("categorical_focal_crossentropy", {}, "onehot"),
    ("sparse_categorical_crossentropy", {"from_logits": True}, "sparse_logits"),
]


@pytest.mark.parametrize(
    ("fn", "kwargs", "kind"), FUNCTIONS, ids=[f"{f}-{k}" for f, _, k in FUNCTIONS]
)
def test_function_form_equals_keras(fn: str, kwargs: dict, kind: str) -> None:
    y, p = _data(kind)
    ours = getattr(losses, fn)(y, p, **kwargs)
    want = getattr(keras.losses, fn)(y, p, **kwargs)
    np.testing.assert_allclose(ours.data, keras.ops.convert_to_numpy(want), rtol=2e-5, atol=1e-6)


def test_tensors_in_and_float64_gradient_by_finite_differences() -> None:
    y, p = _data("onehot_logits")
    loss = losses.CategoricalFocalCrossentropy(from_logits=True, label_smoothing=0.1)
    p64 = p.astype(np.float64)
    pt = nnlab.tensor(p64, requires_grad=True)
    loss(nnlab.tensor(y), pt).backward()
    h = 1e-6
    numeric = np.zeros_like(p64)
    for idx in np.ndindex(p64.shape):
        plus, minus = p64.copy(), p64.copy()
        plus[idx] += h
        minus[idx] -= h
        numeric[idx] = (loss(y, plus).item() - loss(y, minus).item()) / (2 * h)
    np.testing.assert_allclose(pt.grad, numeric, rtol=1e-5, atol=1e-8)


def test_sample_weight_of_a_lower_rank_and_bad_arguments() -> None:
    y, p = _data("sequence_logits")
    w = RNG.random((N, 1)).astype(np.float32)  # one weight per sequence
    for reduction in REDUCTIONS:
        ours = losses.SparseCategoricalCrossentropy(from_logits=True, reduction=reduction)
        theirs = keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction=reduction)
        np.testing.assert_allclose(
            ours(y, p, sample_weight=w).data,
            keras.ops.convert_to_numpy(theirs(y, p, sample_weight=w)),
            rtol=1e-5,
        )
    with pytest.raises(ValueError, match=r"sample_weight of shape \(6,\) does not broadcast"):
        losses.SparseCategoricalCrossentropy(from_logits=True)(y, p, sample_weight=w[:, 0])
    with pytest.raises(ValueError, match="reduction"):
        losses.MeanSquaredError(reduction="average")
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 3\]"):
        losses.sparse_categorical_crossentropy(np.array([4]), np.ones((1, 4)))
    with pytest.raises(ValueError, match=r"y_true of shape \(2, 3\) does not match"):
        losses.categorical_crossentropy(np.ones((2, 3)), np.ones((2, 4)))
    with pytest.raises(ValueError, match="same shape"):
        losses.binary_crossentropy(np.ones((2, 1)), np.ones((2, 4)))


class MeanFourthPower(losses.Loss):
    """A custom loss as in Keras's guide: subclass Loss, implement call."""

    def call(self, y_true, y_pred):
        d = y_pred - y_true
        return (d * d * d * d).mean(axis=-1)


def test_custom_loss_by_subclassing() -> None:
    y, p = _data("regression")
    w = RNG.random(N).astype(np.float32)
    loss = MeanFourthPower()
    assert loss.name == "mean_fourth_power" and loss.reduction == "sum_over_batch_size"
    expected = np.mean(np.mean((p - y) ** 4, axis=-1) * w)
    assert loss(y, p, sample_weight=w).item() == pytest.approx(expected, rel=1e-5)
    total = MeanFourthPower(reduction="sum", name="m4")(y, p)
    assert total.item() == pytest.approx(np.sum(np.mean((p - y) ** 4, axis=-1)), rel=1e-5)


# ---------------------------------------------------------- the training loop's fusion seam
Z = RNG.normal(size=(6, 3))
P = _softmax(Z)
LABELS = np.array([0, 2, 1, 1, 0, 2])
ONEHOT = np.eye(3)[LABELS]


def t(a: np.ndarray) -> nnlab.Tensor:
    return nnlab.tensor(a, requires_grad=True)


def test_logits_loss_equals_the_probability_form() -> None:
    expected = -np.mean(np.log(P[np.arange(6), LABELS]))
    cce = losses.get("categorical_crossentropy")
    scce = losses.get("sparse_categorical_crossentropy")
    assert cce.fused_activation == scce.fused_activation == "softmax"
    assert cce(ONEHOT, t(P)).item() == pytest.approx(expected)
    assert cce.logits_loss(ONEHOT, t(Z)).item() == pytest.approx(expected)
    assert scce(LABELS, t(P)).item() == pytest.approx(expected)
    assert scce.logits_loss(LABELS, t(Z)).item() == pytest.approx(expected)
    w = np.arange(6.0)
    weighted = losses.CategoricalCrossentropy(label_smoothing=0.1)
    assert weighted.logits_loss(ONEHOT, t(Z), sample_weight=w).item() == pytest.approx(
        weighted(ONEHOT, t(P), sample_weight=w).item()
    )


def test_binary_logits_are_stable() -> None:
    z = RNG.normal(size=(8, 1)) * 3
    y = (RNG.random((8, 1)) > 0.5).astype(float)
    p = 1 / (1 + np.exp(-z))
    bce = losses.get("binary_crossentropy")
    assert bce.fused_activation == "sigmoid"
    assert bce.logits_loss(y, t(z)).item() == pytest.approx(bce(y, t(p)).item())
    big = bce.logits_loss(np.zeros((1, 1)), t(np.array([[1000.0]])))
    assert big.item() == pytest.approx(1000.0)  # log(1 + e^1000) without overflow
    clipped = bce(np.zeros((1, 1)), t(np.array([[1.0]])))  # p = 1 clipped to 1 - 1e-7
    assert clipped.item() == pytest.approx(-np.log(1e-7), rel=1e-3)


def test_gradient_from_logits_is_softmax_minus_target() -> None:
    z = t(Z)
    losses.get("categorical_crossentropy").logits_loss(ONEHOT, z).backward()
    np.testing.assert_allclose(z.grad, (P - ONEHOT) / 6, atol=1e-12)


def test_prepare_targets() -> None:
    bce = losses.get("binary_crossentropy")
    assert bce.prepare_targets([0, 1, 1], 1, "fit").shape == (3, 1)
    scce = losses.get("sparse_categorical_crossentropy")
    out = scce.prepare_targets(np.array([[1.0], [2.0]]), 3, "fit")
    assert out.dtype == np.intp and out.tolist() == [1, 2]
    with pytest.raises(ValueError, match="one-hot targets use"):
        scce.prepare_targets(ONEHOT, 3, "fit")
    # NaN/inf targets pass (Keras 3 takes them; a non-finite loss then stops fit)
    assert np.isnan(losses.get("mse").prepare_targets([np.nan], 1, "fit")).all()
    with pytest.raises(TypeError, match="numeric"):
        losses.get("mse").prepare_targets(["a"], 1, "fit")


def test_get_serialize_deserialize() -> None:
    assert isinstance(losses.get("Binary Crossentropy"), losses.BinaryCrossentropy)
    assert isinstance(losses.get("Huber"), losses.Huber)
    assert isinstance(losses.get("kld"), losses.KLDivergence)
    assert losses.get({"name": "binary_crossentropy", "from_logits": True}).from_logits
    huber = losses.Huber(delta=0.3, reduction="sum")
    back = losses.deserialize(losses.serialize(huber))
    assert isinstance(back, losses.Huber) and back.get_config() == huber.get_config()
    from_keras = losses.get(
        keras.losses.serialize(keras.losses.BinaryCrossentropy(from_logits=True, axis=0))
    )
    assert isinstance(from_keras, losses.BinaryCrossentropy)
    assert from_keras.from_logits and from_keras.axis == 0
    custom = losses.get(lambda y, p: (p - y).abs())
    assert custom(np.ones((2, 1)), t(np.zeros((2, 1)))).item() == 1.0
    with pytest.raises(ValueError, match="unknown loss 'hinge2'"):
        losses.get("hinge2")
    with pytest.raises(ValueError, match="loss must be"):
        losses.get(3)


def test_infinite_targets_are_accepted_like_keras() -> None:
    """Keras 3 trains on NaN/inf targets (TerminateOnNaN then stops the fit): the targets pass
    the loss's check and the loss is Keras's (inf)."""
    import torch

    y = np.array([[np.inf], [1.0]], np.float32)
    prepared = losses.MeanSquaredError().prepare_targets(y, 1, "fit")
    assert np.isinf(prepared[0, 0])
    p = np.array([[0.5], [0.25]], np.float32)
    ours = losses.MeanSquaredError()(y, p).numpy()
    theirs = keras.losses.MeanSquaredError()(torch.tensor(y), torch.tensor(p)).numpy()
    np.testing.assert_array_equal(ours, theirs)
