"""Keras 3's alias names of layers, and TimeDistributed, against Keras 3 (torch backend)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import nnlab

from .error_oracle import assert_same_error
from .keras_oracle import keras, nk

ALIASES = [
    "AvgPool1D", "AvgPool2D", "Convolution1D", "Convolution1DTranspose", "Convolution2D",
    "Convolution2DTranspose", "GlobalAvgPool1D", "GlobalAvgPool2D", "GlobalMaxPool1D",
    "GlobalMaxPool2D", "MaxPool1D", "MaxPool2D", "SeparableConvolution2D",
]  # fmt: skip


@pytest.mark.parametrize("name", ALIASES)
def test_aliases_are_keras_classes(name: str) -> None:
    assert getattr(nk.layers, name).__name__ == getattr(keras.layers, name).__name__


@pytest.mark.parametrize(
    "make,shape",
    [
        (lambda lib: lib.layers.Dense(3, activation="tanh"), (2, 4, 5)),
        (lambda lib: lib.layers.Conv2D(2, 3), (2, 3, 5, 5, 1)),
        (lambda lib: lib.layers.BatchNormalization(), (4, 3, 5)),
    ],
)
def test_time_distributed_matches_keras(make, shape) -> None:
    theirs, ours = keras.layers.TimeDistributed(make(keras)), nk.layers.TimeDistributed(make(nk))
    theirs.build((None, *shape[1:]))
    ours.build((None, *shape[1:]))
    ours.set_weights(theirs.get_weights())
    rng = np.random.default_rng(0)
    x = rng.normal(size=shape).astype(np.float32)
    g = rng.normal(size=tuple(ours(x).shape)).astype(np.float32)
    xt = torch.tensor(x, requires_grad=True)
    yt = theirs(xt, training=True)
    (yt * torch.tensor(g)).sum().backward()
    xn = nnlab.tensor(x, requires_grad=True)
    yn = ours(xn, training=True)
    (yn * nnlab.tensor(g)).sum().backward()
    np.testing.assert_allclose(yn.numpy(), yt.detach().numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(np.asarray(xn.grad), xt.grad.numpy(), rtol=1e-4, atol=1e-4)
    for a, b in zip(ours.get_weights(), theirs.get_weights(), strict=True):  # BN's moving stats
        np.testing.assert_allclose(a, np.asarray(b), rtol=1e-5, atol=1e-6)
    out = theirs.compute_output_shape((None, *shape[1:]))
    assert ours.compute_output_shape((None, *shape[1:])) == tuple(out)
    revived = nk.layers.TimeDistributed.from_config(ours.get_config())
    assert revived.get_config() == ours.get_config()
    assert ours.get_config()["layer"]["class_name"] == theirs.get_config()["layer"]["class_name"]


def test_time_distributed_errors_match_keras() -> None:
    assert_same_error(lambda lib: lib.layers.TimeDistributed("dense"))
    assert_same_error(lambda lib: lib.layers.TimeDistributed(lib.layers.Dense(2)).build((None, 3)))


def test_layers_serialize_deserialize_like_keras() -> None:
    for make in (
        lambda lib: lib.layers.Dense(3, activation="relu", name="d"),
        lambda lib: lib.layers.Dropout(0.3, name="drop"),
        lambda lib: lib.layers.MultiHeadAttention(2, 4, name="mha"),
    ):
        ours, theirs = nk.layers.serialize(make(nk)), keras.layers.serialize(make(keras))
        assert {k: ours[k] for k in ("module", "class_name", "registered_name")} == {
            k: theirs[k] for k in ("module", "class_name", "registered_name")
        }
        back = nk.layers.deserialize(theirs)  # Keras's own description
        assert type(back).__name__ == theirs["class_name"]
        assert nk.layers.serialize(back)["config"] == ours["config"]
    assert_same_error(lambda lib: lib.layers.deserialize({"class_name": "Foo", "config": {}}))


@pytest.mark.parametrize("mode", ["one_hot", "multi_hot", "count"])
@pytest.mark.parametrize("tokens", [[3, 0, 2], [[1, 1, 3], [0, 2, 2]], [[1], [3]]])
def test_category_encoding_matches_keras(mode: str, tokens) -> None:
    x = np.array(tokens)
    theirs = keras.layers.CategoryEncoding(num_tokens=4, output_mode=mode)
    ours = nk.layers.CategoryEncoding(num_tokens=4, output_mode=mode)
    np.testing.assert_array_equal(ours(x).numpy(), np.asarray(theirs(x)))
    assert ours.compute_output_shape(x.shape) == tuple(theirs.compute_output_shape(x.shape))
    if mode == "count":
        w = np.arange(x.size, dtype=np.float32).reshape(x.shape)
        np.testing.assert_array_equal(
            ours(x, count_weights=w).numpy(), np.asarray(theirs(x, count_weights=w))
        )
    assert ours.get_config()["output_mode"] == theirs.get_config()["output_mode"]


def test_category_encoding_errors_match_keras() -> None:
    for make in (
        lambda lib: lib.layers.CategoryEncoding(num_tokens=None),
        lambda lib: lib.layers.CategoryEncoding(num_tokens=0),
        lambda lib: lib.layers.CategoryEncoding(num_tokens=3, output_mode="tf_idf"),
    ):
        assert_same_error(make)
