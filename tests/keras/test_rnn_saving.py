"""``.keras`` files with recurrent layers: written by Keras 3 and read by nnlab, written by nnlab
and read by Keras 3 and by nnlab (predictions, weights, and training resumed from a compiled
file); the weight-shape rules the loader checks files with, against Keras's built layers; the
HDF5 groups (a layer's weights live in its cell's group, as Keras stores them)."""

from __future__ import annotations

import io
import zipfile

import h5py
import numpy as np
import pytest

from nnlab.keras.saving.weight_shapes import RULES, weight_shapes

from .keras_oracle import keras, nk

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # Keras's torch backend
RNG = np.random.default_rng(0)
T, F = 5, 4
X = RNG.normal(size=(6, T, F)).astype(np.float32)


def stacked(lib):
    return lib.Sequential(
        [
            lib.Input((T, F)),
            lib.layers.LSTM(3, return_sequences=True),
            lib.layers.Bidirectional(lib.layers.GRU(2, return_sequences=True), merge_mode="sum"),
            lib.layers.Bidirectional(lib.layers.SimpleRNN(2)),
            lib.layers.Dense(1),
        ]
    )


def cells(lib):
    return lib.Sequential(
        [
            lib.Input((T, F)),
            lib.layers.Masking(),
            lib.layers.RNN(
                [lib.layers.LSTMCell(3), lib.layers.GRUCell(2, reset_after=False)],
                return_sequences=True,
            ),
            lib.layers.GRU(2, use_bias=False, go_backwards=True),
        ]
    )


def functional(lib):
    inputs = lib.Input((T, F))
    seq, h, _ = lib.layers.LSTM(3, return_sequences=True, return_state=True)(inputs)
    y = lib.layers.Bidirectional(lib.layers.GRU(2), merge_mode="ave")(seq)
    return lib.Model(inputs, lib.layers.Concatenate()([y, h]))


def encoder_states(lib):
    inputs = lib.Input((T, F))
    _, _, fh, fc, bh, bc = lib.layers.Bidirectional(
        lib.layers.LSTM(3, return_state=True), merge_mode=None
    )(inputs)
    return lib.Model(inputs, lib.layers.Concatenate()([fh, fc, bh, bc]))


MODELS = [stacked, cells, functional, encoder_states]


@pytest.mark.parametrize("build", MODELS)
def test_keras_files_load_in_nnlab_and_nnlab_files_in_keras(build, tmp_path):
    theirs = build(keras)
    theirs.save(tmp_path / "k.keras")
    ours = nk.models.load_model(tmp_path / "k.keras")
    for a, b in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_array_equal(a, np.asarray(b))
    expect = theirs.predict(X, verbose=0)
    np.testing.assert_allclose(ours.predict(X, verbose=0), expect, rtol=1e-5, atol=1e-6)
    ours.save(tmp_path / "n.keras")
    again = keras.models.load_model(tmp_path / "n.keras")
    np.testing.assert_allclose(again.predict(X, verbose=0), expect, rtol=1e-5, atol=1e-6)
    mine = nk.models.load_model(tmp_path / "n.keras")
    np.testing.assert_array_equal(mine.predict(X, verbose=0), ours.predict(X, verbose=0))


def _groups(path):
    with zipfile.ZipFile(path) as archive:
        data = archive.read("model.weights.h5")
    found = {}
    with h5py.File(io.BytesIO(data)) as f:
        f.visititems(lambda name, obj: found.setdefault(name, getattr(obj, "shape", None)))
    return found


@pytest.mark.parametrize("build", [stacked, cells])
def test_nnlab_writes_the_weight_groups_keras_writes(build, tmp_path):
    theirs = build(keras)
    ours = build(nk)
    theirs.save(tmp_path / "k.keras")
    ours.save(tmp_path / "n.keras")
    assert _groups(tmp_path / "n.keras") == _groups(tmp_path / "k.keras")


def test_training_resumes_from_a_keras_file_as_in_keras(tmp_path):
    y = RNG.normal(size=(6, 1)).astype(np.float32)
    theirs = stacked(keras)
    theirs.compile(optimizer="adam", loss="mse")
    theirs.fit(X, y, epochs=1, batch_size=3, shuffle=False, verbose=0)
    theirs.save(tmp_path / "k.keras")
    ours = nk.models.load_model(tmp_path / "k.keras")
    hk = theirs.fit(X, y, epochs=2, batch_size=3, shuffle=False, verbose=0).history
    hn = ours.fit(X, y, epochs=2, batch_size=3, shuffle=False, verbose=0).history
    np.testing.assert_allclose(hn["loss"], hk["loss"], rtol=1e-4)
    for a, b in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(a, np.asarray(b), rtol=1e-4, atol=1e-5)


def test_save_weights_and_load_weights(tmp_path):
    ours = cells(nk)
    ours.save_weights(tmp_path / "w.weights.h5")
    other = cells(nk)
    other.load_weights(tmp_path / "w.weights.h5")
    for a, b in zip(other.get_weights(), ours.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    theirs = cells(keras)
    theirs.load_weights(tmp_path / "w.weights.h5")
    np.testing.assert_allclose(
        theirs.predict(X, verbose=0), ours.predict(X, verbose=0), rtol=1e-5, atol=1e-6
    )


L = keras.layers
RULE_CASES = [
    L.SimpleRNN(3),
    L.SimpleRNN(3, use_bias=False, return_sequences=True),
    L.LSTM(4, return_sequences=True),
    L.LSTM(4, use_bias=False, return_state=True),
    L.GRU(2),
    L.GRU(2, reset_after=False, return_sequences=True),
    L.GRU(2, use_bias=False),
    L.RNN(L.LSTMCell(3)),
    L.RNN([L.SimpleRNNCell(3), L.GRUCell(2, use_bias=False)], return_sequences=True),
    L.Bidirectional(L.LSTM(3)),
    L.Bidirectional(L.GRU(2, return_sequences=True), merge_mode="mul"),
    L.Bidirectional(
        L.GRU(2, return_sequences=True),
        backward_layer=L.SimpleRNN(3, return_sequences=True, go_backwards=True),
    ),
    L.Masking(),
]


@pytest.mark.parametrize("layer", RULE_CASES, ids=[type(c).__name__ for c in RULE_CASES])
def test_shape_rules_match_keras(layer):
    shape = (None, T, F)
    layer.build(shape)
    entry = {"class_name": type(layer).__name__, "config": layer.get_config()}
    [shapes] = weight_shapes([entry], shape)
    assert shapes == [tuple(w.shape) for w in layer.get_weights()]
    _, out = RULES[type(layer).__name__](layer.get_config(), shape)
    y = layer(np.zeros((2, T, F), np.float32))
    first = y[0] if isinstance(y, list | tuple) else y
    assert out == (None, *first.shape[1:])


def test_a_file_whose_weights_disagree_with_its_config_is_refused(tmp_path):
    theirs = keras.Sequential([keras.Input((T, F)), keras.layers.LSTM(3)])
    theirs.save(tmp_path / "k.keras")
    with zipfile.ZipFile(tmp_path / "k.keras") as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    members["config.json"] = members["config.json"].replace(b'"units": 3', b'"units": 5')
    with zipfile.ZipFile(tmp_path / "bad.keras", "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    with pytest.raises(ValueError, match="layers/lstm/cell/vars: shapes"):
        nk.models.load_model(tmp_path / "bad.keras")


def test_a_recurrent_layer_without_a_known_input_size_is_refused():
    entry = {"class_name": "LSTM", "config": {"units": 2}}
    with pytest.raises(ValueError, match="must be known"):
        weight_shapes([entry], (None, T, None))
    with pytest.raises(ValueError, match="expects inputs"):
        weight_shapes([entry], (None, F))
