"""The Keras-layer exporters work from ``get_config()`` and ``get_weights()`` alone, so Keras 3's
own layers are their oracle: export a Keras 3 model, run it in onnxruntime, compare with Keras's
predictions. This covers every layer class nnlab.keras exports, ahead of nnlab having them all."""

from __future__ import annotations

import os

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")
from nnlab.onnx import export_keras  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # Keras's torch backend
TOL = 1e-5
L = keras.layers


def _randomize(model) -> None:
    """Non-trivial weights everywhere (BatchNorm statistics included)."""
    rng = np.random.default_rng(0)
    for layer in model.layers:
        weights = layer.get_weights()
        if isinstance(layer, L.BatchNormalization):
            weights = [
                rng.normal(size=w.shape) if i < len(weights) - 1 else rng.uniform(0.5, 2, w.shape)
                for i, w in enumerate(weights)
            ]
        else:
            weights = [rng.normal(size=w.shape) * 0.5 for w in weights]
        layer.set_weights([w.astype(np.float32) for w in weights])


CASES = {
    "convnet 2d": (
        (12, 12, 3),
        lambda: [
            L.Conv2D(8, 3, padding="same", activation="relu"),
            L.BatchNormalization(),
            L.MaxPooling2D(2),
            L.Conv2D(6, (3, 2), strides=2, dilation_rate=1, activation="tanh"),
            L.AveragePooling2D(2, strides=1, padding="same"),
            L.SpatialDropout2D(0.2),
            L.Flatten(),
            L.Dropout(0.5),
            L.Dense(5, activation="softmax"),
        ],
    ),
    "conv 2d same strided, global pools": (
        (9, 10, 4),
        lambda: [
            L.Conv2D(6, 3, strides=2, padding="same", use_bias=False),
            L.MaxPooling2D(3, strides=2, padding="same"),
            L.GlobalAveragePooling2D(),
        ],
    ),
    "depthwise, separable, padding, cropping, upsampling": (
        (9, 8, 3),
        lambda: [
            L.ZeroPadding2D(((1, 2), (0, 1))),
            L.DepthwiseConv2D(3, depth_multiplier=2, activation="relu"),
            L.UpSampling2D((2, 1)),
            L.SeparableConv2D(4, (3, 2), strides=2, padding="same", depth_multiplier=2),
            L.Cropping2D(((1, 0), (0, 1))),
            L.DepthwiseConv2D(2, use_bias=False, dilation_rate=1),
            L.Flatten(),
        ],
    ),
    "conv 1d": (
        (20, 3),
        lambda: [
            L.Conv1D(5, 3, padding="causal", dilation_rate=2, activation="elu"),
            L.Conv1D(4, 2, strides=2, padding="same", activation="swish"),
            L.MaxPooling1D(2),
            L.AveragePooling1D(2, padding="same"),
            L.GlobalMaxPooling1D(),
        ],
    ),
    "grouped conv, global max 2d": (
        (8, 8, 4),
        lambda: [L.Conv2D(8, 3, groups=2, activation="gelu"), L.GlobalMaxPooling2D(keepdims=True)],
    ),
    "norms and activation layers": (
        (6, 5),
        lambda: [
            L.LayerNormalization(),
            L.Dense(7, activation="softplus"),
            L.BatchNormalization(center=False),
            L.LeakyReLU(negative_slope=0.1),
            L.ELU(alpha=0.5),
            L.ReLU(max_value=2.0),
            L.Reshape((7, 6)),
            L.LayerNormalization(axis=[1, 2], scale=False),
            L.Softmax(axis=1),
            L.GaussianNoise(0.1),
        ],
    ),
    "image augmentation (the identity at inference)": (
        (6, 7, 3),
        lambda: [
            L.RandomFlip(),
            L.RandomRotation(0.1),
            L.RandomZoom(0.1),
            L.RandomTranslation(0.1, 0.2),
            L.RandomContrast(0.2),
            L.RandomBrightness(0.1),
            L.Conv2D(2, 3),
        ],
    ),
    "activations": (
        (4,),
        lambda: (
            [
                L.Dense(4, activation=a)
                for a in (
                    "selu",
                    "softsign",
                    "hard_sigmoid",
                    "relu6",
                    "mish",
                    "exponential",
                    "silu",
                )
            ]
            + [L.Activation("log_softmax")]
        ),
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_keras_layers_export_matches_keras(case, tmp_path) -> None:
    shape, make = CASES[case]
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(shape), *make()])
    _randomize(model)
    path = tmp_path / "m.onnx"
    export_keras(model, path)
    onnx.checker.check_model(onnx.load(str(path)), full_check=True)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    x = np.random.default_rng(1).normal(size=(6, *shape)).astype(np.float32)
    got = session.run(["output"], {"input": x})[0]
    want = np.asarray(model.predict(x, verbose=0))
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, atol=TOL, rtol=1e-5)


def test_unsupported_layers_are_named(tmp_path) -> None:
    model = keras.Sequential(
        [keras.Input((4,)), L.Dense(3), L.UnitNormalization(name="unit_normalization")]
    )
    with pytest.raises(ValueError, match=r"layer 'unit_normalization' \(UnitNormalization\) has"):
        export_keras(model, tmp_path / "m.onnx")


def test_functional_models_with_merges_and_shared_layers(tmp_path) -> None:
    """Two inputs, a shared Dense called twice, every merging layer, two outputs."""
    keras.utils.set_random_seed(0)
    a, b = keras.Input((6,), name="left"), keras.Input((6,), name="right")
    shared = L.Dense(5, activation="tanh")
    ha, hb = shared(a), shared(b)
    merged = [
        L.Add()([ha, hb]),
        L.Subtract()([ha, hb]),
        L.Multiply()([ha, hb, ha]),
        L.Average()([ha, hb]),
        L.Maximum()([ha, hb]),
        L.Minimum()([ha, hb]),
    ]
    joined = L.Concatenate()(merged)
    first = L.Dense(3, activation="softmax", name="classes")(joined)
    second = L.Dense(1, name="score")(L.Concatenate(axis=1)([joined, a]))
    model = keras.Model([a, b], [first, second])
    _randomize(model)
    path = tmp_path / "f.onnx"
    proto = export_keras(model, path)
    assert [i.name for i in proto.graph.input] == ["left", "right"]
    assert [o.name for o in proto.graph.output] == ["classes", "score"]
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(1)
    xa, xb = (rng.normal(size=(7, 6)).astype(np.float32) for _ in range(2))
    got = session.run(["classes", "score"], {"left": xa, "right": xb})
    want = model.predict([xa, xb], verbose=0)
    for g_, w_ in zip(got, want, strict=True):
        np.testing.assert_allclose(g_, np.asarray(w_), atol=TOL, rtol=1e-5)


def test_functional_convnet_with_a_residual_block(tmp_path) -> None:
    keras.utils.set_random_seed(0)
    x = keras.Input((10, 10, 3))
    h = L.Conv2D(8, 3, padding="same", activation="relu")(x)
    r = L.BatchNormalization()(L.Conv2D(8, 3, padding="same")(h))
    h = L.ReLU()(L.Add()([h, r]))
    out = L.Dense(4, activation="softmax")(L.GlobalAveragePooling2D()(L.MaxPooling2D()(h)))
    model = keras.Model(x, out)
    _randomize(model)
    export_keras(model, tmp_path / "r.onnx")
    session = ort.InferenceSession(str(tmp_path / "r.onnx"), providers=["CPUExecutionProvider"])
    data = np.random.default_rng(2).normal(size=(5, 10, 10, 3)).astype(np.float32)
    np.testing.assert_allclose(
        session.run(["output"], {"input": data})[0],
        np.asarray(model.predict(data, verbose=0)),
        atol=TOL,
        rtol=1e-5,
    )
