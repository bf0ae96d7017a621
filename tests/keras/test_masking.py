"""Masking, Embedding(mask_zero=True), the masks of the pass-through layers, and the losses
weighing masked steps 0, against Keras 3 (torch backend)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from nnlab.keras import utils

from .keras_oracle import keras, nk

RNG = np.random.default_rng(0)


def _padded() -> np.ndarray:
    x = RNG.normal(size=(3, 5, 4)).astype(np.float32)
    x[0, 3:] = 0.0  # padding steps
    x[2, 1] = 0.0
    x[1, 4, :2] = 0.0  # partly zero: kept
    return x


def test_masking_layer_matches_keras() -> None:
    x = _padded()
    theirs, ours = keras.layers.Masking(), nk.layers.Masking()
    yk = theirs(torch.tensor(x))
    yn = ours(x)
    np.testing.assert_array_equal(yn.numpy(), yk.numpy())
    np.testing.assert_array_equal(utils.get_keras_mask(yn), yk._keras_mask.numpy())
    np.testing.assert_array_equal(
        ours.compute_mask(x), theirs.compute_mask(torch.tensor(x)).numpy()
    )
    x[1, 2] = -1.0
    np.testing.assert_array_equal(
        nk.layers.Masking(-1.0).compute_mask(x),
        keras.layers.Masking(-1.0).compute_mask(torch.tensor(x)).numpy(),
    )
    assert ours.get_config()["mask_value"] == theirs.get_config()["mask_value"]


def test_embedding_mask_zero_matches_keras() -> None:
    idx = np.array([[3, 1, 0, 0], [2, 0, 4, 0]])
    theirs = keras.layers.Embedding(5, 3, mask_zero=True)
    ours = nk.layers.Embedding(5, 3, mask_zero=True)
    ours.build()
    theirs.build()
    ours.set_weights(theirs.get_weights())
    yk, yn = theirs(torch.tensor(idx)), ours(idx)
    np.testing.assert_allclose(yn.numpy(), yk.detach().numpy())
    np.testing.assert_array_equal(utils.get_keras_mask(yn), yk._keras_mask.numpy())
    np.testing.assert_array_equal(ours.compute_mask(idx), theirs.compute_mask(idx).numpy())
    assert nk.layers.Embedding(5, 3).compute_mask(idx) is None
    assert ours.supports_masking and not nk.layers.Embedding(5, 3).supports_masking


@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", "none"])
@pytest.mark.parametrize("loss", ["MeanSquaredError", "MeanAbsoluteError"])
def test_losses_weigh_masked_steps_zero_like_keras(loss: str, reduction: str) -> None:
    x = _padded()
    y_true = RNG.normal(size=(3, 5, 4)).astype(np.float32)
    w = RNG.uniform(size=(3, 5)).astype(np.float32)
    yk = keras.layers.Masking()(torch.tensor(x))
    yn = nk.layers.Masking()(x)
    for sample_weight in (None, w):
        theirs = getattr(keras.losses, loss)(reduction=reduction)(y_true, yk, sample_weight)
        ours = getattr(nk.losses, loss)(reduction=reduction)(y_true, yn, sample_weight)
        np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), rtol=1e-5, atol=1e-6)
    unmasked = getattr(nk.losses, loss)(reduction=reduction)(y_true, x)
    assert not np.allclose(unmasked.numpy(), ours.numpy())


def test_mask_registry_forgets_dead_tensors() -> None:
    import gc

    import nnlab

    t = nnlab.tensor(np.ones(3))
    utils.set_keras_mask(t, [True, False, True])
    np.testing.assert_array_equal(utils.get_keras_mask(t), [True, False, True])
    key = id(t)
    del t
    gc.collect()
    assert key not in utils._MASKS
    assert utils.get_keras_mask(nnlab.tensor(np.ones(3))) is None


@pytest.mark.parametrize(
    "make",
    [
        lambda lib: lib.layers.Dropout(0.5),
        lambda lib: lib.layers.ReLU(),
        lambda lib: lib.layers.Dense(3),
        lambda lib: lib.layers.GaussianNoise(0.1),
        lambda lib: lib.layers.ActivityRegularization(0.1),
    ],
)
def test_pass_through_layers_keep_the_mask(make) -> None:
    mask = np.array([[True, False, True]])
    x = np.ones((1, 3, 4), np.float32)
    ours, theirs = make(nk), make(keras)
    assert ours.supports_masking == theirs.supports_masking
    np.testing.assert_array_equal(ours.compute_mask(x, mask), mask)


def _probes(layers_module):
    class Probe(layers_module.Layer):
        """Receives the input's mask in ``call`` and passes it on."""

        def __init__(self):
            super().__init__()
            self.supports_masking = True

        def call(self, inputs, mask=None):
            self.seen = mask
            return inputs

    class Drop(layers_module.Layer):
        """Does not support masking: the mask stops here."""

        def call(self, inputs):
            return inputs * 1.0

    class MakeMask(layers_module.Layer):
        """Makes a mask of its own from the values (its compute_mask is called without one)."""

        def call(self, inputs):
            return inputs * 1.0

        def compute_mask(self, inputs, mask=None):
            data = inputs.data if hasattr(inputs, "data") else inputs
            return np.asarray(data).sum(axis=-1) > 0

    return Probe, Drop, MakeMask


def _mask(tensor, ours: bool):
    mask = utils.get_keras_mask(tensor) if ours else getattr(tensor, "_keras_mask", None)
    return None if mask is None else np.asarray(mask)


@pytest.mark.filterwarnings("ignore:Layer .* does not support masking")
def test_layer_call_passes_and_propagates_masks_as_keras() -> None:
    x = np.array([[1, 2, 0, 0], [3, 0, 0, 0]])
    seen, masks = {}, {}
    for name, lib in (("keras", keras), ("nnlab", nk)):
        probe_cls, drop_cls, make_cls = _probes(lib.layers)
        emb = lib.layers.Embedding(5, 3, mask_zero=True)
        probe = probe_cls()
        h = probe(lib.layers.Dense(2)(emb(x)))
        seen[name] = np.asarray(probe.seen)
        dropped = drop_cls()(h)
        made = make_cls()(lib.layers.Dense(2)(emb(x)))
        ours = name == "nnlab"
        masks[name] = (_mask(h, ours), _mask(dropped, ours), _mask(made, ours))
    np.testing.assert_array_equal(seen["nnlab"], seen["keras"])
    np.testing.assert_array_equal(masks["nnlab"][0], masks["keras"][0])
    assert masks["keras"][1] is None and masks["nnlab"][1] is None
    assert masks["nnlab"][2].shape == masks["keras"][2].shape == (2, 4)


def test_masked_sequence_loss_equals_keras() -> None:
    """Embedding(mask_zero=True) → Dense → Dense: the padding steps weigh 0 in the loss."""
    x = np.array([[1, 2, 0, 0], [3, 0, 0, 0], [4, 4, 1, 0]])
    y = np.array([[1, 2, 0, 0], [2, 1, 0, 0], [0, 1, 2, 1]])

    def build(lib):
        inp = lib.Input((4,), dtype="int32")
        h = lib.layers.Embedding(5, 3, mask_zero=True)(inp)
        out = lib.layers.Dense(3)(lib.layers.Dense(6, activation="relu")(h))
        model = lib.Model(inp, out)
        model.compile(loss=lib.losses.SparseCategoricalCrossentropy(from_logits=True))
        return model

    theirs, ours = build(keras), build(nk)
    ours.set_weights(theirs.get_weights())
    want = theirs.evaluate(x, y, verbose=0)
    assert ours.evaluate(x, y, verbose=0) == pytest.approx(want, rel=1e-6)
