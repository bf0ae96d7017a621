"""ONNX export of the transposed convolutions and the 1-D/3-D padding, cropping and upsampling
layers: Keras 3's models (the exporter reads configs and weights only) and nnlab's, run in
onnxruntime and compared with Keras's and nnlab's predictions; nnlab.nn's ConvTranspose
modules against their own outputs."""

from __future__ import annotations

import os

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")

import nnlab  # noqa: E402
from nnlab import keras as nnlab_keras  # noqa: E402
from nnlab import nn  # noqa: E402
from nnlab.onnx import export, export_keras  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # Keras's torch backend
TOL = 1e-5


def _layers(k):
    """The same stacks in Keras 3 and nnlab.keras: (input shape, layers)."""
    L = k.layers
    return {
        "conv2d transpose": (
            (5, 4, 3),
            [
                L.Conv2DTranspose(4, 3, strides=2, padding="same", activation="relu"),
                L.Conv2DTranspose(3, (2, 3), strides=(3, 1), output_padding=(1, 0)),
                L.Conv2DTranspose(2, 3, padding="same", dilation_rate=2, use_bias=False),
                L.Conv2DTranspose(2, 3, strides=2, padding="same", output_padding=1),
                L.Conv2DTranspose(2, 2, strides=3, data_format="channels_first"),
            ],
        ),
        "conv1d transpose and 1-D layers": (
            (6, 3),
            [
                L.ZeroPadding1D((2, 1)),
                L.Conv1DTranspose(4, 3, strides=2, activation="tanh"),
                L.UpSampling1D(3),
                L.Cropping1D((1, 4)),
                L.Conv1DTranspose(2, 4, strides=3, padding="same", output_padding=2),
            ],
        ),
        "3-D layers": (
            (3, 4, 2, 2),
            [
                L.ZeroPadding3D((1, (0, 2), 0)),
                L.UpSampling3D((2, 1, 3)),
                L.Cropping3D(((1, 0), 1, (2, 1))),
                L.ZeroPadding3D(1, data_format="channels_first"),
            ],
        ),
    }


def _run(path, x):
    onnx.checker.check_model(onnx.load(str(path)), full_check=True)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(["output"], {"input": x})[0]


@pytest.mark.parametrize("case", list(_layers(keras)))
def test_keras_and_nnlab_models_export_and_match(case, tmp_path) -> None:
    shape, stack = _layers(keras)[case]
    keras.utils.set_random_seed(0)
    theirs = keras.Sequential([keras.Input(shape), *stack])
    rng = np.random.default_rng(0)
    for layer in theirs.layers:  # non-zero biases too
        layer.set_weights(
            [rng.normal(0, 0.3, w.shape).astype(np.float32) for w in layer.get_weights()]
        )
    x = np.random.default_rng(1).normal(size=(3, *shape)).astype(np.float32)
    want = np.asarray(theirs.predict(x, verbose=0))
    export_keras(theirs, tmp_path / "k.onnx")
    np.testing.assert_allclose(_run(tmp_path / "k.onnx", x), want, atol=TOL, rtol=1e-5)

    ours = nnlab_keras.Sequential([nnlab_keras.Input(shape), *_layers(nnlab_keras)[case][1]])
    ours.set_weights(theirs.get_weights())
    np.testing.assert_allclose(ours.predict(x, verbose=0), want, atol=TOL, rtol=1e-5)
    export_keras(ours, tmp_path / "n.onnx")
    np.testing.assert_allclose(_run(tmp_path / "n.onnx", x), want, atol=TOL, rtol=1e-5)


def test_nn_conv_transpose_modules_export(tmp_path) -> None:
    model = nn.Sequential(
        nn.ConvTranspose2d(3, 4, 3, stride=2, padding=1, output_padding=1, rng=0),
        nn.ReLU(),
        nn.ConvTranspose2d(4, 6, (2, 3), stride=(1, 2), dilation=(2, 1), groups=2, rng=1),
    )
    x = np.random.default_rng(2).normal(size=(2, 3, 5, 4)).astype(np.float32)
    export(model, x, tmp_path / "m.onnx")
    with nnlab.no_grad():
        want = model(x).numpy()
    np.testing.assert_allclose(_run(tmp_path / "m.onnx", x), want, atol=TOL, rtol=1e-5)
    sequence = nn.Sequential(nn.ConvTranspose1d(2, 3, 4, stride=3, padding=1, rng=0))
    s = np.random.default_rng(3).normal(size=(2, 2, 7)).astype(np.float32)
    export(sequence, s, tmp_path / "s.onnx")
    with nnlab.no_grad():
        want = sequence(s).numpy()
    np.testing.assert_allclose(_run(tmp_path / "s.onnx", s), want, atol=TOL, rtol=1e-5)
