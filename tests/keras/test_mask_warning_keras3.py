"""A layer that does not support masking given a masked input: Keras 3 warns that the mask is
destroyed (Layer.__call__: when the layer's ``supports_masking`` is False and its first input
carries a mask). Checked against Keras 3: which layers warn, the message, and the layers that
pass a mask on (or use it, as GlobalAveragePooling1D's masked mean)."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

from .keras_oracle import keras, nk

TOKENS = np.array([[1, 2, 0, 0], [3, 1, 4, 0]])
DESTROYED = "does not support masking and will therefore destroy the mask information"


def _masked_embedding(lib: Any) -> Any:
    emb = lib.layers.Embedding(5, 3, mask_zero=True, name="emb")
    emb.build((None, 4))
    emb.set_weights([np.arange(15, dtype=np.float32).reshape(5, 3) / 10])
    return emb


LAYERS = {
    "Flatten": lambda lib: lib.layers.Flatten(name="probe"),
    "Reshape": lambda lib: lib.layers.Reshape((12,), name="probe"),
    "Conv1D": lambda lib: lib.layers.Conv1D(2, 2, name="probe"),
    "GlobalMaxPooling1D": lambda lib: lib.layers.GlobalMaxPooling1D(name="probe"),
    "Dense": lambda lib: lib.layers.Dense(2, name="probe"),
    "Activation": lambda lib: lib.layers.Activation("relu", name="probe"),
    "Identity": lambda lib: lib.layers.Identity(name="probe"),
    "LayerNormalization": lambda lib: lib.layers.LayerNormalization(name="probe"),
    "UnitNormalization": lambda lib: lib.layers.UnitNormalization(name="probe"),
    "Rescaling": lambda lib: lib.layers.Rescaling(2.0, name="probe"),
    "SpatialDropout1D": lambda lib: lib.layers.SpatialDropout1D(0.5, name="probe"),
    "GlobalAveragePooling1D": lambda lib: lib.layers.GlobalAveragePooling1D(name="probe"),
}


def _run(lib: Any, make: Any) -> tuple[list[str], np.ndarray, bool]:
    """The mask warnings of ``probe(emb(tokens))``, its output and whether a mask comes out."""
    emb, probe = _masked_embedding(lib), make(lib)
    x = emb(TOKENS)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        y = probe(x)
    messages = [str(w.message) for w in record if "mask" in str(w.message)]
    has_mask = getattr(y, "_keras_mask", None) is not None
    return messages, lib.ops.convert_to_numpy(y), has_mask


@pytest.mark.parametrize("name", LAYERS)
def test_mask_warning_as_keras(name: str) -> None:
    theirs, ours = _run(keras, LAYERS[name]), _run(nk, LAYERS[name])
    assert ours[0] == theirs[0]
    if name != "SpatialDropout1D":  # not in training: the identity on both sides
        assert ours[1].shape == theirs[1].shape
    if name in ("Activation", "Identity", "Rescaling", "GlobalAveragePooling1D"):
        np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-6)


def test_the_message_names_the_layer() -> None:
    messages = _run(nk, LAYERS["Flatten"])[0]
    assert messages == [
        "Layer 'probe' (of type Flatten) was passed an input with a mask attached to it. "
        f"However, this layer {DESTROYED}. Downstream layers will not see the mask."
    ]


def test_no_warning_without_a_mask() -> None:
    layer = nk.layers.Flatten()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        layer(np.ones((2, 3, 4), np.float32))


def test_global_average_pooling_1d_mean_over_unmasked_steps_matches_keras() -> None:
    """Embedding(mask_zero) -> GlobalAveragePooling1D -> Dense: a model trained on padded
    sequences, fitted with both libraries from the same weights."""
    rng = np.random.default_rng(1)
    x = rng.integers(0, 5, size=(16, 6))
    x[:, 4:] = 0
    y = rng.normal(size=(16, 1)).astype(np.float32)
    models = []
    for lib in (keras, nk):
        model = lib.Sequential(
            [
                lib.Input((6,)),
                lib.layers.Embedding(5, 3, mask_zero=True),
                lib.layers.GlobalAveragePooling1D(),
                lib.layers.Dense(1),
            ]
        )
        model.compile(optimizer=lib.optimizers.SGD(0.1), loss="mse")
        models.append(model)
    theirs, ours = models
    ours.set_weights(theirs.get_weights())
    hk = theirs.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0).history["loss"]
    hn = ours.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(hn, hk, rtol=1e-5)
    for a, b in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(a, np.asarray(b), rtol=1e-5, atol=1e-6)
