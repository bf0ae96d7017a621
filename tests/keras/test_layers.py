"""Layers: Dense config and arguments, Activation, Dropout, Input, initializers, regularizers."""

from __future__ import annotations

import numpy as np
import pytest

import nnlab
from nnlab import keras
from nnlab.keras import initializers, regularizers, utils
from nnlab.keras.layers import Activation, Dense, Dropout, Input
from nnlab.keras.models import Sequential


def test_automatic_names_and_clear_session() -> None:
    assert [Dense(1).name, Dense(1).name, Dropout(0.1).name] == ["dense", "dense_1", "dropout"]
    assert Sequential().name == "sequential" and Sequential().name == "sequential_1"
    utils.clear_session()
    assert Dense(1).name == "dense"
    assert Dense(1, name="out").name == "out"


def test_dense_arguments() -> None:
    layer = Dense(3, input_dim=2, use_bias=False, kernel_initializer="ones")
    Sequential([layer])
    assert layer.weights == [layer.kernel] and layer.bias is None
    np.testing.assert_array_equal(layer.get_weights()[0], np.ones((2, 3)))
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="units"):
            Dense(bad)
    with pytest.raises(ValueError, match="input_shape"):
        Dense(2, input_shape=(28, -1))
    with pytest.raises(ValueError, match="input_dim"):
        Dense(2, input_dim=0)
    with pytest.raises(ValueError, match="regularizer"):
        Dense(2, kernel_regularizer="l3")
    with pytest.raises(ValueError, match="Expected a float value between 0 and 1"):
        Dropout(1.5)
    with pytest.raises(ValueError, match="shape="):
        Input()
    # as in Keras 3, only the first layer's input shape counts; a later one is ignored
    model = Sequential([Dense(4, input_dim=2), Dense(1, input_dim=3)])
    assert model.layers[1].kernel.shape == (4, 1)


@pytest.mark.parametrize("name", ["relu", "sigmoid", "tanh", "softmax", "linear"])
def test_activations(name) -> None:
    x = np.array([[-2.0, 0.5, 3.0]])
    expected = {
        "relu": np.maximum(x, 0),
        "sigmoid": 1 / (1 + np.exp(-x)),
        "tanh": np.tanh(x),
        "softmax": np.exp(x) / np.exp(x).sum(),
        "linear": x,
    }[name]
    out = Activation(name).call(nnlab.tensor(x)).data
    np.testing.assert_allclose(out, expected, rtol=1e-12)
    layer = Dense(3, activation=name, input_dim=3, kernel_initializer="zeros")
    Sequential([layer])
    layer.set_weights([np.eye(3), np.zeros(3)])
    np.testing.assert_allclose(layer.call(nnlab.tensor(x)).data, expected, rtol=1e-6)


def test_fused_activations_only_for_keras_own_functions() -> None:
    """Dense fuses Keras's relu and tanh into the engine's dense node (Conv2D its relu): a
    user's function that only shares the name runs as written, in a layer and through fit."""

    def relu(x):
        return x * 2.0

    def tanh(x):
        return x + 1.0

    x = np.ones((1, 2), np.float32)
    for act, expected in ((relu, 4.0), (tanh, 3.0), ("relu", 2.0), ("tanh", np.tanh(2.0))):
        layer = Dense(3, activation=act, kernel_initializer="ones")
        np.testing.assert_allclose(layer(x).data, np.full((1, 3), expected), rtol=1e-6)
    conv = keras.layers.Conv2D(1, 1, activation=relu, kernel_initializer="ones")
    np.testing.assert_allclose(conv(-np.ones((1, 2, 2, 1), np.float32)).data.ravel(), -2.0)
    model = Sequential([Input((2,)), Dense(1, activation=tanh, kernel_initializer="zeros")])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, np.zeros((1, 1), np.float32), epochs=1, verbose=0)  # d/dz (z + 1)^2 = 2 at z=0
    np.testing.assert_allclose(model.layers[0].bias.data, [-0.02], rtol=1e-6)


def test_initializer_statistics() -> None:
    rng = np.random.default_rng(0)
    fan_in, fan_out = 400, 200
    for name, std in [
        ("glorot_uniform", np.sqrt(2 / (fan_in + fan_out))),
        ("glorot_normal", np.sqrt(2 / (fan_in + fan_out))),
        ("he_uniform", np.sqrt(2 / fan_in)),
        ("he_normal", np.sqrt(2 / fan_in)),
        ("random_normal", 0.05),
        ("random_uniform", 0.05 / np.sqrt(3)),
    ]:
        w = initializers.get(name)((fan_in, fan_out), rng=rng)
        assert w.dtype == np.float32 and w.shape == (fan_in, fan_out)
        assert w.std() == pytest.approx(std, rel=0.03), name
        assert abs(w.mean()) < 0.01 * max(std, 0.05)
    normal = initializers.get("he_normal")((fan_in, fan_out), rng=rng)
    assert np.abs(normal).max() <= 2 * np.sqrt(2 / fan_in) / 0.87962566103423978 + 1e-6
    assert (initializers.get("zeros")((2,), rng=rng) == 0).all()
    assert (initializers.get("ones")((2,), rng=rng) == 1).all()


def test_regularizer_values() -> None:
    w = nnlab.tensor(np.array([[1.0, -2.0], [0.5, 0.0]]), requires_grad=True)
    assert regularizers.l1(0.1)(w).item() == pytest.approx(0.35)
    assert regularizers.l2()(w).item() == pytest.approx(0.01 * 5.25)
    both = regularizers.l1_l2(l1=0.1, l2=0.2)
    assert both(w).item() == pytest.approx(0.35 + 1.05)
    both(w).backward()
    np.testing.assert_allclose(w.grad, 0.1 * np.sign(w.data) + 0.4 * w.data)
    with pytest.raises(ValueError, match="Invalid value for argument l2"):
        regularizers.l2(-1.0)


def test_to_categorical() -> None:
    np.testing.assert_array_equal(
        utils.to_categorical([2, 0]), np.array([[0, 0, 1], [1, 0, 0]], dtype=np.float32)
    )
    assert utils.to_categorical(np.array([[1], [0]]), num_classes=4).shape == (2, 4)
    with pytest.raises(ValueError, match="num_classes"):
        utils.to_categorical([5], num_classes=3)
    with pytest.raises(ValueError, match="seed"):
        utils.set_random_seed(-1)


def test_sublayers_found_in_nested_containers_in_attribute_order() -> None:
    """Layers held in lists, tuples, dicts and other mappings (nested) are the model's layers,
    in attribute order, each once; their weights train."""
    import types

    class Block(keras.layers.Layer):
        def __init__(self) -> None:
            super().__init__()
            self.first = Dense(2, name="first")
            self.groups = {"a": [Dense(2, name="a0"), (Dense(2, name="a1"),)], "b": []}
            self.frozen_view = types.MappingProxyType({"c": Dense(2, name="c")})
            self.again = [self.first]  # the same layer twice: listed once
            self.numbers = [1, 2.0, "x", None]

        def call(self, x):
            x = self.first(x)
            for layer in (*self.groups["a"][:1], self.groups["a"][1][0]):
                x = layer(x)
            return self.frozen_view["c"](x)

    block = Block()
    block(np.ones((1, 3), np.float32))
    names = [layer.name for layer in block._flatten_layers(include_self=False)]
    assert names == ["first", "a0", "a1", "c"]
    assert len(block.trainable_weights) == 8


def test_wrapper_base_class() -> None:
    """keras.layers.Wrapper: a subclass writes call around self.layer, whose weights it owns;
    its config holds the wrapped layer, and a non-layer is refused with Keras's message."""

    class Twice(keras.layers.Wrapper):
        def call(self, inputs, training=None):
            return self.layer(inputs) * 2.0

    layer = Twice(Dense(2, kernel_initializer="ones"))
    out = layer(np.ones((1, 3), np.float32))
    np.testing.assert_allclose(out.data, [[6.0, 6.0]])
    assert len(layer.trainable_weights) == 2
    config = layer.get_config()
    assert config["layer"]["class_name"] == "Dense"
    revived = Twice.from_config(config)
    assert isinstance(revived.layer, Dense) and revived.layer.units == 2
    with pytest.raises(ValueError, match="supplied to Wrapper isn't a supported layer type"):
        keras.layers.Wrapper("not a layer")
