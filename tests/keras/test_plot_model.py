"""keras.utils.model_to_dot / plot_model: the boxes and arrows of a model's layer graph."""

from __future__ import annotations

import re
import shutil

import numpy as np
import pytest

from nnlab import keras
from nnlab.keras import layers


def _arrows(dot: str) -> set[tuple[str, str]]:
    """(source label's first line, target label's first line) for every arrow."""
    labels = dict(re.findall(r'^\s*(layer_\d+) \[label="([^"\\]*)', dot, flags=re.M))
    return {(labels[a], labels[b]) for a, b in re.findall(r"(layer_\d+) -> (layer_\d+);", dot)}


def _ticket_model():
    keras.utils.clear_session()
    title = keras.Input(shape=(10,), name="title")
    body = keras.Input(shape=(6,), name="body")
    shared = layers.Dense(4, activation="relu", name="shared")
    merged = layers.Concatenate(name="concat")([shared(title), layers.Dense(4, name="proj")(body)])
    inner = keras.Sequential([keras.Input((8,)), layers.Dense(3), layers.Dense(2)], name="inner")
    out = layers.Dense(1, activation="sigmoid", name="priority")(inner(merged))
    return keras.Model([title, body], out)


def test_functional_graph_boxes_and_arrows() -> None:
    dot = keras.utils.model_to_dot(_ticket_model())
    assert dot.startswith('digraph "functional" {')
    assert _arrows(dot) == {
        ("title (InputLayer)", "shared (Dense)"),
        ("body (InputLayer)", "proj (Dense)"),
        ("shared (Dense)", "concat (Concatenate)"),
        ("proj (Dense)", "concat (Concatenate)"),
        ("concat (Concatenate)", "inner (Sequential)"),
        ("inner (Sequential)", "priority (Dense)"),
    }


def test_expand_nested_draws_the_inner_model_in_a_frame() -> None:
    dot = keras.utils.model_to_dot(_ticket_model(), expand_nested=True)
    assert 'label="inner (Sequential)"; style=dashed;' in dot
    assert _arrows(dot) >= {
        ("concat (Concatenate)", "input_layer (InputLayer)"),
        ("input_layer (InputLayer)", "dense (Dense)"),
        ("dense (Dense)", "dense_1 (Dense)"),
        ("dense_1 (Dense)", "priority (Dense)"),
    }


def test_labels_show_what_is_asked() -> None:
    model = _ticket_model()
    plain = keras.utils.model_to_dot(model, show_layer_names=False)
    assert 'label="Dense"' in plain and "shared" not in plain
    full = keras.utils.model_to_dot(
        model,
        show_shapes=True,
        show_dtype=True,
        show_layer_activations=True,
        show_trainable=True,
        rankdir="LR",
        dpi=96,
    )
    assert "rankdir=LR; dpi=96;" in full
    shared = re.search(r'label="(shared \(Dense\)[^"]*)"', full).group(1).split("\\n")
    assert shared == [
        "shared (Dense)",
        "Input shape: (None, 10)",
        "Output shape: (None, 4)",
        "Input dtype: float32",
        "Output dtype: float32",
        "Activation: relu",
        "Trainable: True",
    ]
    assert "Input shape: [(None, 4), (None, 4)]" in full  # the concatenation's two inputs


def test_sequential_is_a_chain_and_a_subclassed_model_one_box() -> None:
    keras.utils.clear_session()
    seq = keras.Sequential([keras.Input((3,)), layers.Dense(2), layers.Dense(1)], name="s")
    assert _arrows(keras.utils.model_to_dot(seq)) == {
        ("input_layer (InputLayer)", "dense (Dense)"),
        ("dense (Dense)", "dense_1 (Dense)"),
    }

    class Sub(keras.Model):
        def __init__(self):
            super().__init__(name="sub")
            self.d = layers.Dense(1)

        def call(self, x):
            return self.d(x)

    model = Sub()
    model(np.ones((1, 2), np.float32))
    dot = keras.utils.model_to_dot(model)
    assert 'label="sub (Sub)"' in dot and "->" not in dot


def test_bad_arguments_are_refused() -> None:
    model = _ticket_model()
    with pytest.raises(ValueError, match="rankdir must be one of"):
        keras.utils.model_to_dot(model, rankdir="up")
    with pytest.raises(ValueError, match="dpi must be a positive integer"):
        keras.utils.model_to_dot(model, dpi=0)
    with pytest.raises(ValueError, match="unrecognized keyword arguments"):
        keras.utils.model_to_dot(model, colour="red")
    with pytest.raises(ValueError, match="This model has not yet been built"):
        keras.utils.model_to_dot(keras.Sequential([layers.Dense(1)]))
    with pytest.raises(ValueError, match=r"plot_model: unsupported file type '\.gif'"):
        keras.utils.plot_model(model, "model.gif")


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_plot_model_writes_the_picture(tmp_path) -> None:
    model = _ticket_model()
    svg = tmp_path / "model.svg"
    assert keras.utils.plot_model(model, svg, show_shapes=True) is None
    text = svg.read_text()
    assert "<svg" in text and "shared (Dense)" in text and "concat (Concatenate)" in text
    png = tmp_path / "model.png"
    keras.utils.plot_model(model, png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_model_without_graphviz_says_what_to_do(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match=r"Install Graphviz.*keras\.utils\.model_to_dot"):
        keras.utils.plot_model(_ticket_model(), tmp_path / "m.png")
    assert not (tmp_path / "m.png").exists()
