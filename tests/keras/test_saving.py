"""Keras 3 model files (.keras, .weights.h5): round trip, layout, atomic writes, optimizer state,
nnlab's earlier format."""

from __future__ import annotations

import io
import json
import os
import zipfile

import h5py
import numpy as np
import pytest

from nnlab.keras import regularizers
from nnlab.keras.layers import Activation, Dense, Dropout
from nnlab.keras.models import Sequential, load_model
from nnlab.keras.optimizers import SGD, Adagrad, Adam, RMSprop, schedules
from nnlab.keras.saving import saving_lib


def trained(three_class) -> Sequential:
    x, y = three_class
    model = Sequential(
        [
            Dense(8, activation="relu", input_dim=4, kernel_regularizer=regularizers.l1_l2()),
            Dropout(0.2),
            Dense(3),
            Activation("softmax"),
        ],
        seed=0,
    )
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=3, batch_size=16, verbose=0)
    return model


def test_round_trip_identical_predictions_and_config(three_class, tmp_path) -> None:
    x, y = three_class
    model = trained(three_class)
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = load_model(path)
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))
    assert [type(layer).__name__ for layer in loaded.layers] == [
        "Dense",
        "Dropout",
        "Dense",
        "Activation",
    ]
    for a, b in zip(loaded.layers, model.layers, strict=True):
        assert a.get_config() == b.get_config()
    assert loaded.metrics_names == ["loss", "accuracy"]
    assert loaded.optimizer.get_config() == model.optimizer.get_config()
    assert loaded.evaluate(x, y, verbose=0) == model.evaluate(x, y, verbose=0)
    assert [p.name for p in tmp_path.iterdir()] == ["model.keras"]  # no temp file left


def test_optimizer_state_resumes_training_exactly(three_class, tmp_path) -> None:
    """Train, save, load, train on: the same weights as the uninterrupted run (Adam moments,
    iterations, shuffles and dropout masks all restored)."""
    x, y = three_class
    model = trained(three_class)
    model.save(tmp_path / "m.keras")
    loaded = load_model(tmp_path / "m.keras")
    assert loaded.optimizer.iterations == model.optimizer.iterations == 12
    for m in (model, loaded):
        m.fit(x, y, epochs=2, batch_size=16, verbose=0)
    for a, b in zip(model.get_weights(), loaded.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    "optimizer",
    [
        SGD(0.1, momentum=0.9, nesterov=True),
        RMSprop(0.01, momentum=0.5, centered=True),
        Adagrad(0.1),
        Adam(0.01),
        Adam(schedules.ExponentialDecay(0.05, decay_steps=3, decay_rate=0.5)),
    ],
    ids=["sgd", "rmsprop", "adagrad", "adam", "adam-schedule"],
)
def test_every_optimizer_state_round_trips(three_class, tmp_path, optimizer) -> None:
    x, y = three_class
    model = Sequential([Dense(5, activation="tanh", input_dim=4), Dense(3)], seed=1)
    model.compile(optimizer, "sparse_categorical_crossentropy")
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    model.save(tmp_path / "m.keras")
    loaded = load_model(tmp_path / "m.keras")
    for name, values in model.optimizer.slots.items():
        for a, b in zip(values, loaded.optimizer.slots[name], strict=True):
            np.testing.assert_array_equal(a, b)
    for m in (model, loaded):
        m.fit(x, y, epochs=1, batch_size=16, verbose=0)
    for a, b in zip(model.get_weights(), loaded.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_file_is_a_keras_zip_with_json_and_hdf5(three_class, tmp_path) -> None:
    model = trained(three_class)
    path = tmp_path / "m.keras"
    model.save(path)
    with zipfile.ZipFile(path) as z:
        assert sorted(z.namelist()) == ["config.json", "metadata.json", "model.weights.h5"]
        config = json.loads(z.read("config.json"))
        metadata = json.loads(z.read("metadata.json"))
        weights = z.read("model.weights.h5")
    assert metadata["keras_version"].startswith("3.")
    assert config["class_name"] == "Sequential" and config["module"] == "keras"
    layers = config["config"]["layers"]
    assert [entry["class_name"] for entry in layers] == [
        "InputLayer",
        "Dense",
        "Dropout",
        "Dense",
        "Activation",
    ]
    assert layers[0]["config"]["batch_shape"] == [None, 4]
    assert layers[1]["config"]["kernel_regularizer"]["class_name"] == "L1L2"
    assert layers[1]["build_config"] == {"input_shape": [None, 4]}
    assert config["compile_config"]["loss"] == "sparse_categorical_crossentropy"
    assert config["compile_config"]["metrics"] == ["accuracy"]
    with h5py.File(io.BytesIO(weights), "r") as f:
        np.testing.assert_array_equal(f["layers/dense/vars/0"][()], model.get_weights()[0])
        np.testing.assert_array_equal(f["layers/dense_1/vars/1"][()], model.get_weights()[3])
        assert f["optimizer/vars/0"][()] == 12  # iterations, learning rate, then m0 v0 m1 v1...
        slots = model.optimizer.slots
        m, v = (
            slots[a] if a in slots else slots[b] for a, b in (("m", "momentum"), ("v", "velocity"))
        )
        np.testing.assert_array_equal(f["optimizer/vars/2"][()], m[0])
        np.testing.assert_array_equal(f["optimizer/vars/3"][()], v[0])


def test_save_weights_load_weights(three_class, tmp_path) -> None:
    x, _ = three_class
    model = trained(three_class)
    model.save_weights(tmp_path / "w.weights.h5")
    model.save(tmp_path / "m.keras")
    for source in ("w.weights.h5", "m.keras"):
        other = Sequential(
            [
                Dense(8, activation="relu", input_dim=4),
                Dropout(0.2),
                Dense(3),
                Activation("softmax"),
            ],
            seed=5,
        )
        other.load_weights(tmp_path / source)
        np.testing.assert_array_equal(other.predict(x), model.predict(x))
    wrong = Sequential([Dense(2, input_dim=4)])
    with pytest.raises(
        ValueError, match=r"w\.weights\.h5: layers/dense/vars/0: has shape \(4, 8\)"
    ):
        wrong.load_weights(tmp_path / "w.weights.h5")


def test_earlier_npz_files_still_load(three_class, tmp_path) -> None:
    x, y = three_class
    model = trained(three_class)
    saving_lib.save_model(model, tmp_path / "old.keras")
    loaded = load_model(tmp_path / "old.keras")
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))
    assert loaded.evaluate(x, y, verbose=0) == model.evaluate(x, y, verbose=0)
    other = Sequential([Dense(8, input_dim=4), Dropout(0.2), Dense(3), Activation("softmax")])
    other.load_weights(tmp_path / "old.keras")
    np.testing.assert_array_equal(other.get_weights()[2], model.get_weights()[2])


def test_uncompiled_and_unbuilt_models(tmp_path) -> None:
    Sequential([Dense(2, input_dim=3)]).save(tmp_path / "a.keras")
    a = load_model(tmp_path / "a.keras")
    assert a.optimizer is None and a.built
    Sequential([Dense(2)]).save(tmp_path / "b.keras")
    assert not load_model(tmp_path / "b.keras").built


def test_missing_file(tmp_path) -> None:
    with pytest.raises(FileNotFoundError, match="missing.keras: no such file"):
        load_model(tmp_path / "missing.keras")


def _fail_fsync(monkeypatch) -> None:
    """Fail after every byte is written to the temporary file, before it is flushed to disk."""

    def boom(fd):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", boom)


def _fail_mid_archive(monkeypatch) -> None:
    """Fail in the middle of writing the archive: after its first member."""
    real = zipfile.ZipFile.writestr

    def partial(self, name, data, *args, **kwargs):
        real(self, name, data, *args, **kwargs)
        raise OSError("disk full")

    monkeypatch.setattr(zipfile.ZipFile, "writestr", partial)


def _fail_replace(monkeypatch) -> None:
    """Fail when moving the complete temporary file into place."""

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)


@pytest.mark.parametrize("failure", [_fail_mid_archive, _fail_fsync, _fail_replace])
def test_failed_write_leaves_previous_file_and_no_temp_file(
    three_class, tmp_path, monkeypatch, failure
) -> None:
    model = trained(three_class)
    path = tmp_path / "m.keras"
    model.save(path)
    before = path.read_bytes()
    model.fit(*three_class, epochs=1, verbose=0)  # the new save would differ
    failure(monkeypatch)
    with pytest.raises(OSError, match="disk full"):
        model.save(path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m.keras"]
    monkeypatch.undo()
    assert load_model(path).get_weights()[0].shape == (4, 8)


def test_custom_loss_saves_uncompiled_with_warning(tmp_path) -> None:
    model = Sequential([Dense(1, input_dim=2)])

    def my_loss(y_true, y_pred):
        return ((y_pred - y_true) ** 2).mean()

    model.compile("adam", my_loss)
    model.fit(np.ones((4, 2)), np.ones((4, 1)), epochs=1, verbose=0)  # Adam state is saved too
    with pytest.warns(UserWarning, match="custom loss 'my_loss' cannot be stored"):
        model.save(tmp_path / "c.keras")
    loaded = load_model(tmp_path / "c.keras")
    assert loaded.optimizer is None
