"""ONNX export: every file passes onnx.checker and onnxruntime computes nnlab's predictions
(within 1e-5) on random inputs, with any batch size."""

from __future__ import annotations

import numpy as np
import pytest

from nnlab import nn
from nnlab.autograd import Tensor, no_grad
from nnlab.keras import regularizers
from nnlab.keras.layers import Activation, Dense, Dropout
from nnlab.keras.models import Sequential

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
nnlab_onnx = pytest.importorskip("nnlab.onnx")

TOL = 1e-5


def _run(path, x: np.ndarray) -> np.ndarray:
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(["output"], {"input": x.astype(np.float32)})[0]


def _nn_predict(module: nn.Module, x: np.ndarray) -> np.ndarray:
    module.eval()
    with no_grad():
        return module(Tensor(x.astype(np.float32))).data


def _check(path, expected_nodes: int | None = None) -> onnx.ModelProto:
    model = onnx.load(str(path))
    onnx.checker.check_model(model, full_check=True)
    assert model.opset_import[0].version >= 17
    batch = model.graph.input[0].type.tensor_type.shape.dim[0]
    assert batch.dim_param == "batch"  # dynamic batch dimension
    used = {name for node in model.graph.node for name in node.input}
    assert {t.name for t in model.graph.initializer} <= used  # no dead weights
    return model


def _torch_seeded(module: nn.Module) -> nn.Module:
    """Give BatchNorm non-trivial running statistics and affine parameters."""
    rng = np.random.default_rng(7)
    for m in module.modules():
        if isinstance(m, nn.BatchNorm1d | nn.BatchNorm2d):
            m.running_mean[...] = rng.normal(size=m.num_features)
            m.running_var[...] = rng.uniform(0.5, 2.0, size=m.num_features)
            m.weight.data[...] = rng.normal(size=m.num_features)
            m.bias.data[...] = rng.normal(size=m.num_features)
        if isinstance(m, nn.LayerNorm) and m.weight is not None:
            m.weight.data[...] = rng.normal(size=m.weight.shape)
    return module


NN_CASES = {
    "mlp": (
        lambda: nn.Sequential(
            nn.Linear(6, 16, rng=0),
            nn.ReLU(),
            nn.Dropout(0.5),
            nn.Linear(16, 4, rng=1),
            nn.Softmax(),
        ),
        (6,),
    ),
    "activations": (
        lambda: nn.Sequential(nn.Linear(5, 5, rng=0), nn.Tanh(), nn.Sigmoid(), nn.Identity()),
        (5,),
    ),
    "linear on 3-D": (lambda: nn.Sequential(nn.Linear(4, 3, bias=False, rng=0)), (7, 4)),
    "convnet": (
        lambda: nn.Sequential(
            nn.Conv2d(3, 8, 3, padding=1, rng=0),
            nn.BatchNorm2d(8),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(8, 6, 3, stride=2, rng=1),
            nn.ReLU(),
            nn.AvgPool2d(2, stride=1, padding=1),
            nn.Dropout2d(0.3),
            nn.Flatten(),
            nn.Linear(6 * 3 * 3, 5, rng=2),
        ),
        (3, 12, 12),
    ),
    "conv same dilated grouped": (
        lambda: nn.Sequential(
            nn.Conv2d(4, 8, (3, 4), padding="same", dilation=2, groups=2, rng=0),
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(),
        ),
        (4, 9, 10),
    ),
    "adaptive pool 2x2": (lambda: nn.Sequential(nn.AdaptiveAvgPool2d((2, 3))), (3, 8, 9)),
    "conv1d": (
        lambda: nn.Sequential(
            nn.Conv1d(3, 5, 3, padding=2, dilation=2, rng=0),
            nn.BatchNorm1d(5),
            nn.Tanh(),
            nn.Flatten(),
        ),
        (3, 11),
    ),
    "layer norm": (
        lambda: nn.Sequential(nn.LayerNorm((4, 5)), nn.Flatten(), nn.LayerNorm(20, bias=False)),
        (4, 5),
    ),
    "flatten middle axes": (lambda: nn.Sequential(nn.Flatten(1, 2)), (2, 3, 4)),
    "single layer": (lambda: nn.Linear(3, 2, rng=0), (3,)),
}


@pytest.mark.parametrize("case", list(NN_CASES))
def test_nn_modules_match_onnxruntime(case, tmp_path) -> None:
    make, shape = NN_CASES[case]
    module = _torch_seeded(make())
    rng = np.random.default_rng(1)
    example = rng.normal(size=(2, *shape)).astype(np.float32)
    path = tmp_path / "m.onnx"
    nnlab_onnx.export(module, example, path)
    _check(path)
    assert module.training  # export leaves the module's mode as it was
    for batch in (1, 5):
        x = rng.normal(size=(batch, *shape)).astype(np.float32)
        got, want = _run(path, x), _nn_predict(module, x)
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, atol=TOL, rtol=0)


def test_nn_node_names_follow_the_modules(tmp_path) -> None:
    module = nn.Sequential(nn.Linear(3, 4, rng=0), nn.ReLU(), nn.Sequential(nn.Linear(4, 2)))
    model = nnlab_onnx.export(module, np.zeros((1, 3), np.float32), tmp_path / "m.onnx")
    assert [n.name for n in model.graph.node] == ["0", "1", "2.0", "output"]
    assert [n.op_type for n in model.graph.node] == ["Gemm", "Relu", "Gemm", "Identity"]


def test_nn_unsupported_modules_are_named(tmp_path) -> None:
    class Custom(nn.Module):
        def forward(self, x):
            return x

    with pytest.raises(ValueError, match=r"module 1 \(Custom\) is not supported"):
        nnlab_onnx.export(nn.Sequential(nn.ReLU(), Custom()), np.zeros((1, 2)), tmp_path / "m")
    with pytest.raises(ValueError, match="track_running_stats=False"):
        nnlab_onnx.export(
            nn.BatchNorm1d(2, track_running_stats=False), np.zeros((1, 2)), tmp_path / "m"
        )
    with pytest.raises(ValueError, match="example_input must be a float array"):
        nnlab_onnx.export(nn.ReLU(), np.zeros(3), tmp_path / "m")
    assert not list(tmp_path.iterdir())  # nothing written


def _keras_mlp() -> Sequential:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(128, 6)).astype(np.float32)
    y = (x[:, :3].sum(1) > 0).astype(int) + (x[:, 3] > 0.5)
    model = Sequential(
        [
            Dense(16, activation="relu", input_dim=6, kernel_regularizer=regularizers.l2(1e-4)),
            Dropout(0.3),
            Dense(8, activation="tanh"),
            Dense(8, activation="sigmoid", use_bias=False),
            Dense(3),
            Activation("softmax"),
        ],
        seed=0,
    )
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(x, y, epochs=3, batch_size=32, verbose=0)
    return model


def test_keras_model_export_matches_onnxruntime(tmp_path) -> None:
    model = _keras_mlp()
    path = tmp_path / "mlp.onnx"
    model.export(path, format="onnx")
    proto = _check(path)
    names = {n.name for n in proto.graph.node}
    assert {layer.name for layer in model.layers} <= names
    x = np.random.default_rng(5).normal(size=(50, 6)).astype(np.float32)
    np.testing.assert_allclose(_run(path, x), model.predict(x), atol=TOL, rtol=0)


def test_keras_export_errors(tmp_path) -> None:
    with pytest.raises(ValueError, match="input shape is unknown"):
        Sequential([Dense(2)]).export(tmp_path / "m.onnx")
    with pytest.raises(ValueError, match="format must be 'onnx'"):
        Sequential([Dense(2, input_dim=2)]).export(tmp_path / "m", format="tf_saved_model")


def test_every_keras_activation_has_an_onnx_form(tmp_path) -> None:
    """Each activation nnlab.keras offers exports and matches onnxruntime."""
    from nnlab.keras import activations

    x = np.random.default_rng(2).normal(size=(20, 5)).astype(np.float32) * 3
    for name in activations.ACTIVATIONS:
        model = Sequential([Dense(6, activation=name, input_dim=5)], seed=1)  # even: glu
        model.export(tmp_path / f"{name}.onnx")
        with no_grad():  # the model as a function (glu halves the width predict expects)
            want = np.asarray(model(x).data)
        np.testing.assert_allclose(
            _run(tmp_path / f"{name}.onnx", x), want, atol=TOL, rtol=0, err_msg=name
        )


def test_the_mnist_mlp_lab_model_exports(tmp_path) -> None:
    """The MLP lab's network (nnlab.nn), trained for a few steps, in onnxruntime."""
    from nnlab.labs.mnist_mlp_dropout import build_model
    from nnlab.nn.functional import cross_entropy
    from nnlab.optim import Adam

    rng = np.random.default_rng(0)
    model = build_model(32, rng)
    x = rng.uniform(size=(64, 784)).astype(np.float32)
    y = rng.integers(0, 10, 64)
    optimizer = Adam(model.parameters(), lr=1e-3)
    for _ in range(3):
        optimizer.zero_grad()
        cross_entropy(model(Tensor(x)), y).backward()
        optimizer.step()
    nnlab_onnx.export(model, x[:1], tmp_path / "mlp.onnx")
    _check(tmp_path / "mlp.onnx")
    np.testing.assert_allclose(
        _run(tmp_path / "mlp.onnx", x), _nn_predict(model, x), atol=TOL, rtol=0
    )


def test_keras_convnet_export_matches_onnxruntime(tmp_path) -> None:
    from nnlab.keras import layers

    rng = np.random.default_rng(3)
    x = rng.normal(size=(16, 12, 12, 2)).astype(np.float32)
    y = (x.mean(axis=(1, 2, 3)) > 0).astype(int)
    model = Sequential(
        [
            layers.Input((12, 12, 2)),
            layers.Conv2D(6, 3, activation="relu", padding="same"),
            layers.MaxPooling2D(2),
            layers.Conv2D(5, 3, strides=2, activation="tanh", padding="same"),
            layers.AveragePooling2D(2, padding="same"),
            layers.GlobalAveragePooling2D(),
            layers.Dropout(0.3),
            layers.Dense(3, activation="softmax"),
        ],
        seed=0,
    )
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    model.export(tmp_path / "convnet.onnx")
    _check(tmp_path / "convnet.onnx")
    np.testing.assert_allclose(
        _run(tmp_path / "convnet.onnx", x), model.predict(x, verbose=0), atol=TOL, rtol=0
    )


def test_keras_functional_model_export_matches_onnxruntime(tmp_path) -> None:
    from nnlab.keras import layers
    from nnlab.keras.models import Model

    a, b = layers.Input((5,), name="left"), layers.Input((5,), name="right")
    shared = layers.Dense(4, activation="relu")
    h = layers.Concatenate()([layers.Multiply()([shared(a), shared(b)]), layers.Average()([a, b])])
    h = layers.LayerNormalization()(layers.BatchNormalization()(h))
    model = Model([a, b], layers.Dense(3, activation="softmax", name="probabilities")(h))
    model.compile("adam", "sparse_categorical_crossentropy")
    rng = np.random.default_rng(0)
    xa, xb = (rng.normal(size=(32, 5)).astype(np.float32) for _ in range(2))
    model.fit([xa, xb], rng.integers(0, 3, 32), epochs=2, verbose=0)
    proto = model.export(tmp_path / "f.onnx") or onnx.load(str(tmp_path / "f.onnx"))
    assert [i.name for i in proto.graph.input] == ["left", "right"]
    session = ort.InferenceSession(str(tmp_path / "f.onnx"), providers=["CPUExecutionProvider"])
    got = session.run(["output"], {"left": xa, "right": xb})[0]
    np.testing.assert_allclose(got, model.predict([xa, xb], verbose=0), atol=TOL, rtol=0)


def _lab17_convnet():
    """Lab 17's model (keras-io's Simple MNIST convnet), from the lab when this checkout has
    it, else the same layers."""
    try:
        from nnlab.labs.mnist_convnet import build_model
    except ImportError:
        from nnlab.keras import Input, layers

        def build_model():
            return Sequential(
                [
                    Input(shape=(28, 28, 1)),
                    layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
                    layers.MaxPooling2D(pool_size=(2, 2)),
                    layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
                    layers.MaxPooling2D(pool_size=(2, 2)),
                    layers.Flatten(),
                    layers.Dropout(0.5),
                    layers.Dense(10, activation="softmax"),
                ]
            )

    return build_model()


def test_the_mnist_convnet_lab_model_exports(tmp_path) -> None:
    """Lab 17's convnet, trained a few steps, exported and run in onnxruntime."""
    rng = np.random.default_rng(0)
    x = rng.uniform(size=(32, 28, 28, 1)).astype(np.float32)
    y = rng.integers(0, 10, 32)
    model = _lab17_convnet()
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    model.export(tmp_path / "convnet.onnx")
    _check(tmp_path / "convnet.onnx")
    want = model.predict(x, verbose=0)
    np.testing.assert_allclose(_run(tmp_path / "convnet.onnx", x), want, atol=TOL, rtol=0)
