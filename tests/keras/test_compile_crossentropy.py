"""compile(loss='crossentropy') chooses binary / sparse / categorical cross-entropy as Keras 3's
compile does: the rule against Keras's own, and the evaluated loss against Keras's model."""

from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
keras3 = pytest.importorskip("keras")
if keras3.backend.backend() != "torch":  # pragma: no cover - another backend chosen first
    pytest.skip("the Keras oracle needs KERAS_BACKEND=torch", allow_module_level=True)

from keras.src.trainers.compile_utils import is_binary_or_sparse_categorical  # noqa: E402

import nnlab.keras as nk  # noqa: E402
from nnlab.keras import losses  # noqa: E402
from nnlab.keras.losses.compile_crossentropy import choose_crossentropy  # noqa: E402

SHAPES = [
    ((4, 1), (4, 1)),
    ((4,), (4, 3)),
    ((4, 1), (4, 3)),
    ((4, 3), (4, 3)),
    ((4, 2, 5), (4, 2, 5)),
]


@pytest.mark.parametrize("true_shape,pred_shape", SHAPES)
def test_choice_follows_keras_rule(true_shape: tuple, pred_shape: tuple) -> None:
    is_binary, is_sparse = is_binary_or_sparse_categorical(
        np.zeros(true_shape), np.zeros(pred_shape)
    )
    expected = (
        losses.BinaryCrossentropy
        if is_binary
        else losses.SparseCategoricalCrossentropy
        if is_sparse
        else losses.CategoricalCrossentropy
    )
    assert choose_crossentropy(true_shape, pred_shape) is expected


@pytest.mark.parametrize("identifier", ["crossentropy", "ce"])
@pytest.mark.parametrize("kind", ["binary", "sparse", "categorical"])
def test_evaluate_with_crossentropy_matches_keras(identifier: str, kind: str) -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(12, 4)).astype(np.float32)
    units, activation = (1, "sigmoid") if kind == "binary" else (3, "softmax")
    labels = rng.integers(0, units if units > 1 else 2, size=12)
    y = {
        "binary": labels.reshape(-1, 1).astype(np.float32),
        "sparse": labels,
        "categorical": np.eye(3, dtype=np.float32)[labels],
    }[kind]
    theirs = keras3.Sequential([keras3.Input((4,)), keras3.layers.Dense(units, activation)])
    ours = nk.Sequential([nk.Input((4,)), nk.layers.Dense(units, activation)])
    ours.set_weights(theirs.get_weights())
    theirs.compile(loss=identifier)
    ours.compile(loss=identifier)
    expected = theirs.evaluate(x, y, verbose=0)
    assert ours.evaluate(x, y, verbose=0) == pytest.approx(expected, rel=1e-5)


def test_fit_with_crossentropy_runs_and_learns() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(64, 2)).astype(np.float32)
    y = (x[:, :1] > 0).astype(np.float32)
    model = nk.Sequential([nk.Input((2,)), nk.layers.Dense(1, "sigmoid")])
    model.compile(optimizer="adam", loss="crossentropy")
    history = model.fit(x, y, epochs=5, verbose=0, shuffle=False)
    assert isinstance(model.compiled_loss[0], losses.CompileCrossentropy)
    assert isinstance(model.compiled_loss[0].chosen, losses.BinaryCrossentropy)
    assert history.history["loss"][-1] < history.history["loss"][0]
