"""Model files: round trip, no pickle, atomic writes, optimizer state, bad files."""

from __future__ import annotations

import json
import os
import zipfile

import numpy as np
import pytest

from nnlab.keras import regularizers
from nnlab.keras.layers import Activation, Dense, Dropout
from nnlab.keras.models import Sequential, load_model


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
    assert loaded.get_config() == model.get_config()
    assert loaded.metrics_names == ["loss", "accuracy"]
    assert loaded.optimizer.get_config() == model.optimizer.get_config()
    assert loaded.evaluate(x, y, verbose=0) == model.evaluate(x, y, verbose=0)
    assert [p.name for p in tmp_path.iterdir()] == ["model.keras"]  # no temp file left


def test_optimizer_state_resumes_training_exactly(three_class, tmp_path) -> None:
    x, y = three_class
    model = trained(three_class)
    model.save(tmp_path / "m.keras")
    loaded = load_model(tmp_path / "m.keras")
    assert loaded.optimizer.iterations == model.optimizer.iterations == 12
    for m in (model, loaded):  # same Adam moments, same shuffles and dropout masks
        m.fit(x, y, epochs=2, batch_size=16, verbose=0)
    for a, b in zip(model.get_weights(), loaded.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_file_is_a_documented_npz_without_pickle(three_class, tmp_path) -> None:
    model = trained(three_class)
    path = tmp_path / "m.npz"
    model.save(path)
    with np.load(path, allow_pickle=False) as archive:
        names = set(archive.files)
        doc = json.loads(str(archive["config"]))
        kernel = archive["weight.000"]
    assert {
        "config",
        "weight.000",
        "weight.003",
        "optimizer.momentum.000",
        "optimizer.velocity.003",
    } <= names
    assert doc["format"] == "nnlab.keras" and doc["version"] == 1
    assert doc["compile"]["loss"]["name"] == "sparse_categorical_crossentropy"
    np.testing.assert_array_equal(kernel, model.get_weights()[0])
    with zipfile.ZipFile(path) as z:
        assert all(name.endswith(".npy") for name in z.namelist())


def test_save_weights_load_weights(three_class, tmp_path) -> None:
    x, _ = three_class
    model = trained(three_class)
    model.save_weights(tmp_path / "w.keras")
    other = Sequential(
        [Dense(8, activation="relu", input_dim=4), Dropout(0.2), Dense(3), Activation("softmax")],
        seed=5,
    )
    other.load_weights(tmp_path / "w.keras")
    np.testing.assert_array_equal(other.predict(x), model.predict(x))
    wrong = Sequential([Dense(2, input_dim=4)])
    with pytest.raises(ValueError, match="weight arrays"):
        wrong.load_weights(tmp_path / "w.keras")


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


def _fail_mid_array(monkeypatch) -> None:
    """Fail in the middle of writing the archive: after the config and the first weights."""
    real = np.savez

    def partial(file, **arrays):
        real(file, **dict(list(arrays.items())[:2]))
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", partial)


def _fail_replace(monkeypatch) -> None:
    """Fail when moving the complete temporary file into place."""

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)


@pytest.mark.parametrize("failure", [_fail_mid_array, _fail_fsync, _fail_replace])
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


def test_custom_loss_loads_uncompiled_with_warning(tmp_path) -> None:
    model = Sequential([Dense(1, input_dim=2)])

    def my_loss(y_true, y_pred):
        return ((y_pred - y_true) ** 2).mean()

    model.compile("adam", my_loss)
    model.fit(np.ones((4, 2)), np.ones((4, 1)), epochs=1, verbose=0)  # Adam state is saved too
    model.save(tmp_path / "c.keras")
    with pytest.warns(UserWarning, match="custom loss 'my_loss'"):
        loaded = load_model(tmp_path / "c.keras")
    assert loaded.optimizer is None
