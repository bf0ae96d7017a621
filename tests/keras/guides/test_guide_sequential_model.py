"""keras-io guides/sequential_model.py ("The Sequential model"), ported with import changes only:
``import keras`` -> ``from nnlab import keras``; ``tf.ones`` -> ``np.ones`` (the guide's only use of
TensorFlow is to make an input). One pytest case per section of the guide; the guide's comments
("# 2", "# 6", "(40, 40, 32)") become assertions.

Skipped: the transfer-learning blueprints (``keras.applications.Xception``, pretrained weights; the
guide shows them as text, not code).
"""

from __future__ import annotations

import numpy as np

from nnlab import keras
from nnlab.keras import layers


def test_sequential_equals_function_of_layers():
    model = keras.Sequential(
        [
            layers.Dense(2, activation="relu", name="layer1"),
            layers.Dense(3, activation="relu", name="layer2"),
            layers.Dense(4, name="layer3"),
        ]
    )
    x = np.ones((3, 3))
    y = model(x)
    assert tuple(y.shape) == (3, 4)

    layer1 = layers.Dense(2, activation="relu", name="layer1")
    layer2 = layers.Dense(3, activation="relu", name="layer2")
    layer3 = layers.Dense(4, name="layer3")
    x = np.ones((3, 3))
    y = layer3(layer2(layer1(x)))
    assert tuple(y.shape) == (3, 4)


def test_creating_a_sequential_model():
    model = keras.Sequential(
        [
            layers.Dense(2, activation="relu"),
            layers.Dense(3, activation="relu"),
            layers.Dense(4),
        ]
    )
    assert len(model.layers) == 3

    model = keras.Sequential()
    model.add(layers.Dense(2, activation="relu"))
    model.add(layers.Dense(3, activation="relu"))
    model.add(layers.Dense(4))
    model.pop()
    assert len(model.layers) == 2

    model = keras.Sequential(name="my_sequential")
    model.add(layers.Dense(2, activation="relu", name="layer1"))
    model.add(layers.Dense(3, activation="relu", name="layer2"))
    model.add(layers.Dense(4, name="layer3"))
    assert model.name == "my_sequential"
    assert [layer.name for layer in model.layers] == ["layer1", "layer2", "layer3"]


def test_weights_created_on_first_call():
    layer = layers.Dense(3)
    assert layer.weights == []
    x = np.ones((1, 4))
    layer(x)
    assert [tuple(w.shape) for w in layer.weights] == [(4, 3), (3,)]

    model = keras.Sequential(
        [
            layers.Dense(2, activation="relu"),
            layers.Dense(3, activation="relu"),
            layers.Dense(4),
        ]
    )
    x = np.ones((1, 4))
    model(x)
    assert len(model.weights) == 6
    model.summary()


def test_input_object_and_summary(capsys):
    model = keras.Sequential()
    model.add(keras.Input(shape=(4,)))
    model.add(layers.Dense(2, activation="relu"))
    model.summary()
    assert len(model.layers) == 1  # the Input object is not a layer
    out = capsys.readouterr().out
    assert "(None, 2)" in out and "Total params: 10" in out


def test_input_shape_argument(capsys):
    model = keras.Sequential()
    model.add(layers.Dense(2, activation="relu", input_shape=(4,)))
    model.summary()
    assert len(model.weights) == 2
    assert "(None, 2)" in capsys.readouterr().out


def test_add_and_summary_debugging_workflow(capsys):
    model = keras.Sequential()
    model.add(keras.Input(shape=(250, 250, 3)))  # 250x250 RGB images
    model.add(layers.Conv2D(32, 5, strides=2, activation="relu"))
    model.add(layers.Conv2D(32, 3, activation="relu"))
    model.add(layers.MaxPooling2D(3))
    model.summary()
    assert "(None, 40, 40, 32)" in capsys.readouterr().out

    model.add(layers.Conv2D(32, 3, activation="relu"))
    model.add(layers.Conv2D(32, 3, activation="relu"))
    model.add(layers.MaxPooling2D(3))
    model.add(layers.Conv2D(32, 3, activation="relu"))
    model.add(layers.Conv2D(32, 3, activation="relu"))
    model.add(layers.MaxPooling2D(2))
    model.summary()
    assert "(None, 4, 4, 32)" in capsys.readouterr().out

    model.add(layers.GlobalMaxPooling2D())
    model.add(layers.Dense(10))
    assert tuple(model.output_shape) == (None, 10)


def test_feature_extraction_all_layers():
    initial_model = keras.Sequential(
        [
            keras.Input(shape=(250, 250, 3)),
            layers.Conv2D(32, 5, strides=2, activation="relu"),
            layers.Conv2D(32, 3, activation="relu"),
            layers.Conv2D(32, 3, activation="relu"),
        ]
    )
    feature_extractor = keras.Model(
        inputs=initial_model.inputs,
        outputs=[layer.output for layer in initial_model.layers],
    )
    x = np.ones((1, 250, 250, 3))
    features = feature_extractor(x)
    assert [tuple(f.shape) for f in features] == [
        (1, 123, 123, 32),
        (1, 121, 121, 32),
        (1, 119, 119, 32),
    ]


def test_feature_extraction_one_layer():
    initial_model = keras.Sequential(
        [
            keras.Input(shape=(250, 250, 3)),
            layers.Conv2D(32, 5, strides=2, activation="relu"),
            layers.Conv2D(32, 3, activation="relu", name="my_intermediate_layer"),
            layers.Conv2D(32, 3, activation="relu"),
        ]
    )
    feature_extractor = keras.Model(
        inputs=initial_model.inputs,
        outputs=initial_model.get_layer(name="my_intermediate_layer").output,
    )
    x = np.ones((1, 250, 250, 3))
    features = feature_extractor(x)
    assert tuple(features.shape) == (1, 121, 121, 32)


def test_freeze_all_layers_but_the_last():
    model = keras.Sequential(
        [
            keras.Input(shape=(784,)),
            layers.Dense(32, activation="relu"),
            layers.Dense(32, activation="relu"),
            layers.Dense(32, activation="relu"),
            layers.Dense(10),
        ]
    )
    before = model.get_weights()
    for layer in model.layers[:-1]:
        layer.trainable = False
    model.compile(optimizer="sgd", loss="mse")
    model.fit(np.random.random((16, 784)), np.random.random((16, 10)), epochs=1, verbose=0)
    after = model.get_weights()
    for b, a in zip(before[:-2], after[:-2], strict=True):
        np.testing.assert_array_equal(b, a)
    assert not np.array_equal(before[-2], after[-2])
    assert len(model.trainable_weights) == 2
