"""Bad arguments and bad inputs of the core, reshaping, activation and preprocessing layers and of
the identifier look-ups: the same exception type as Keras 3 and Keras's message (exactly, or
Keras's first sentence followed by nnlab's list of valid names)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from .error_oracle import assert_same_error
from .keras_oracle import keras, nk


def ones(lib, *shape):
    return torch.ones(shape) if lib is keras else np.ones(shape, np.float32)


EXACT = {
    "dense_units_0": lambda L: L.layers.Dense(0),
    "dense_units_-1": lambda L: L.layers.Dense(-1),
    "dense_units_float": lambda L: L.layers.Dense(2.5),
    "dense_units_str": lambda L: L.layers.Dense("a"),
    "dense_rank_1": lambda L: L.layers.Dense(2)(ones(L, 3)),
    "dense_features": lambda L: (lambda d: (d(ones(L, 2, 3)), d(ones(L, 2, 4))))(L.layers.Dense(2)),
    "dense_symbolic_features": lambda L: (lambda d: (d(L.Input((2,))), d(L.Input((3,)))))(
        L.layers.Dense(2)
    ),
    "embedding_input_dim": lambda L: L.layers.Embedding(0, 3),
    "embedding_output_dim": lambda L: L.layers.Embedding(3, -2),
    "reshape_two_unknowns": lambda L: L.layers.Reshape((2, -1, -1)),
    "reshape_negative": lambda L: L.layers.Reshape((2, -3)),
    "reshape_size": lambda L: L.layers.Reshape((3,)).compute_output_shape((None, 4)),
    "reshape_size_unknown": lambda L: L.layers.Reshape((3, -1)).compute_output_shape((None, 4)),
    "permute_repeated": lambda L: L.layers.Permute((1, 1)),
    "permute_from_0": lambda L: L.layers.Permute((0, 1)),
    "permute_rank": lambda L: L.layers.Permute((2, 1))(ones(L, 2, 3)),
    "repeat_n_0": lambda L: L.layers.RepeatVector(0),
    "repeat_n_float": lambda L: L.layers.RepeatVector(2.0),
    "repeat_rank": lambda L: L.layers.RepeatVector(2)(ones(L, 2, 4, 3)),
    "flatten_data_format": lambda L: L.layers.Flatten(data_format="foo"),
    "flatten_rank_0": lambda L: L.layers.Flatten()(ones(L)),
    "leaky_relu_negative": lambda L: L.layers.LeakyReLU(negative_slope=-1),
    "relu_max_value": lambda L: L.layers.ReLU(max_value=-1),
    "relu_negative_slope": lambda L: L.layers.ReLU(negative_slope=-1),
    "relu_threshold": lambda L: L.layers.ReLU(threshold=-1),
    "normalization_mean_only": lambda L: L.layers.Normalization(mean=1.0),
    "l1_negative": lambda L: L.regularizers.L1(-1.0),
    "l2_string": lambda L: L.regularizers.L2("a"),
}

PREFIX = {
    "activation_name": lambda L: L.activations.get("foo"),
    "activation_case": lambda L: L.activations.get("ReLU"),
    "dense_activation": lambda L: L.layers.Dense(2, activation="foo"),
    "activation_layer": lambda L: L.layers.Activation("soft_max"),
    "dense_initializer": lambda L: L.layers.Dense(2, kernel_initializer="foo"),
    "initializer_case": lambda L: L.initializers.get("Glorot_Uniform"),
    "dense_regularizer": lambda L: L.layers.Dense(2, kernel_regularizer="foo"),
    "loss_name": lambda L: L.losses.get("foo"),
    "metric_name": lambda L: L.metrics.get("foo"),
    "reduction": lambda L: L.losses.MeanSquaredError(reduction="foo"),
}


@pytest.mark.parametrize("case", sorted(EXACT))
def test_same_error_as_keras(case: str) -> None:
    assert_same_error(EXACT[case])


@pytest.mark.parametrize("case", sorted(PREFIX))
def test_keras_message_first(case: str) -> None:
    assert_same_error(PREFIX[case], exact=False)


def test_input_spec_like_keras() -> None:
    for spec in [
        dict(ndim=3),
        dict(min_ndim=2, axes={-1: 4}),
        dict(shape=(None, 4)),
        dict(max_ndim=2),
    ]:
        ours, theirs = nk.layers.InputSpec(**spec), keras.layers.InputSpec(**spec)
        assert repr(ours) == repr(theirs)
        assert ours.get_config() == theirs.get_config()

    def custom(lib):
        class Needs3D(lib.layers.Layer):
            def __init__(self):
                super().__init__()
                self.input_spec = lib.layers.InputSpec(ndim=3)

            def call(self, x):
                return x

        return Needs3D()

    assert_same_error(lambda lib: custom(lib)(ones(lib, 2, 3)))
    assert_same_error(lambda lib: custom(lib)(lib.Input((3,))))
    np.testing.assert_array_equal(custom(nk)(np.ones((1, 2, 3))).numpy(), np.ones((1, 2, 3)))


def test_embedding_weights_argument_like_keras() -> None:
    table = np.arange(12, dtype=np.float32).reshape(4, 3)
    for weights in (table, [table]):
        ours = nk.layers.Embedding(4, 3, weights=weights)
        theirs = keras.layers.Embedding(4, 3, weights=weights)
        np.testing.assert_array_equal(ours.get_weights()[0], theirs.get_weights()[0])
        np.testing.assert_array_equal(ours(np.array([[3, 0]])).numpy(), table[[[3, 0]]])


def test_the_input_spec_is_checked_again_for_each_new_shape_and_dtype():
    layer = nk.layers.Dense(3)
    good = np.ones((2, 4), np.float32)
    layer(good)
    layer(good)  # the same shape and dtype again: already verified
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 4"):
        layer(np.ones((2, 5), np.float32))
    layer(np.ones((7, 4), np.float32))  # another batch size passes
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 4"):
        layer(np.ones((2, 5), np.float32))  # and the bad one still fails after it
