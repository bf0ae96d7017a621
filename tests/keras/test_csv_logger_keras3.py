"""CSVLogger: Keras 3's own tests (callbacks/csv_logger_test.py, imports changed), run on both
libraries, and the bytes written for NaN, infinities, NumPy scalars and lists compared with
Keras 3's."""

from __future__ import annotations

import csv
import re
import threading
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nnlab.keras import callbacks as ours
from nnlab.keras.training import NonFiniteLossWarning, _warn

from .callback_driver import drive
from .keras_oracle import keras, nk

TRAIN_SAMPLES, TEST_SAMPLES, INPUT_DIM, BATCH_SIZE = 10, 10, 3, 5
LIBS = pytest.mark.parametrize("lib", [nk, keras], ids=["nnlab", "keras"])


@LIBS
def test_CSVLogger(lib: Any, tmp_path: Path) -> None:  # noqa: N802 - Keras's name
    output_dim = 1
    np.random.seed(1337)
    filepath = tmp_path / "log.tsv"
    sep = "\t"
    x_train = np.random.random((TRAIN_SAMPLES, INPUT_DIM))
    y_train = np.random.random((TRAIN_SAMPLES, output_dim))
    x_test = np.random.random((TEST_SAMPLES, INPUT_DIM))
    y_test = np.random.random((TEST_SAMPLES, output_dim))

    def make_model() -> Any:
        model = lib.Sequential(
            [lib.layers.Dense(2, activation="relu"), lib.layers.Dense(output_dim)]
        )
        model.compile(loss="mse", optimizer="sgd", metrics=["mse"])
        return model

    def fit(model: Any, cbks: list, **kwargs: Any) -> Any:
        return model.fit(
            x_train,
            y_train,
            batch_size=BATCH_SIZE,
            validation_data=(x_test, y_test),
            callbacks=cbks,
            verbose=0,
            **kwargs,
        )

    # case 1, create new file with defined separator
    fit(make_model(), [lib.callbacks.CSVLogger(filepath, separator=sep)], epochs=1)
    with open(filepath) as csvfile:
        assert csv.Sniffer().sniff(csvfile.read()).delimiter == sep
    # case 2, append data to existing file, skip header
    model = make_model()
    cbks = [lib.callbacks.CSVLogger(filepath, separator=sep, append=True)]
    fit(model, cbks, epochs=1)
    # case 3, reuse of CSVLogger object
    fit(model, cbks, epochs=2)
    with open(filepath) as csvfile:
        list_lines = csvfile.readlines()
    assert all(line.count(sep) == 4 for line in list_lines)
    assert len(list_lines) == 5
    assert len(re.findall("epoch", " ".join(list_lines))) == 1
    filepath.unlink()
    # case 4, the validation loss is registered when validation_freq > 1
    cbks = [lib.callbacks.CSVLogger(filepath, separator=sep)]
    hist = fit(make_model(), cbks, validation_freq=3, epochs=5)
    with open(filepath) as csvfile:
        rows = list(csv.DictReader(csvfile, delimiter=sep))
    assert len(rows) == 5
    for idx, row in enumerate(rows, 1):
        expected = str(hist.history["val_loss"][0]) if idx == 3 else "NA"
        assert row["val_loss"] == expected


@LIBS
def test_stop_training_csv(lib: Any, tmp_path: Path) -> None:
    """CSVLogger with TerminateOnNaN does not write an invalid CSV. Keras applies the update of
    the batch whose loss is infinite (its weights, hence its val_loss, become NaN); nnlab stops
    before that update (a NonFiniteLossWarning says so), so its val_loss is infinite too: each
    writes its non-finite values as Python does, 'nan' / 'inf'."""
    csv_logfile = tmp_path / "csv_logger.csv"
    num_classes = 2
    np.random.seed(1337)
    x_train = np.random.random((TRAIN_SAMPLES, INPUT_DIM))
    y_train = lib.utils.to_categorical(np.random.choice(np.arange(num_classes), TRAIN_SAMPLES))
    x_test = np.random.random((TEST_SAMPLES, INPUT_DIM))
    y_test = lib.utils.to_categorical(np.random.choice(np.arange(num_classes), TEST_SAMPLES))
    model = lib.Sequential()
    initializer = lib.initializers.Constant(value=1e5)
    for _ in range(5):
        model.add(lib.layers.Dense(2, activation="relu", kernel_initializer=initializer))
    model.add(lib.layers.Dense(num_classes))
    model.compile(loss="mean_squared_error", optimizer="sgd")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NonFiniteLossWarning)
        history = model.fit(
            x_train,
            y_train,
            batch_size=BATCH_SIZE,
            validation_data=(x_test, y_test),
            callbacks=[lib.callbacks.TerminateOnNaN(), lib.callbacks.CSVLogger(csv_logfile)],
            epochs=20,
            verbose=0,
        )
    loss = history.history["loss"]
    assert len(loss) == 1 and not np.isfinite(loss[0])
    with open(csv_logfile) as f:
        values = [x for x in csv.reader(f) if x]
    assert values[0] == ["epoch", "loss", "val_loss"]
    val_loss = history.history["val_loss"][0]
    assert values[-1] == ["0", str(loss[0]), str(val_loss)]
    assert values[-1][2] == ("nan" if lib is keras else "inf")


def test_non_finite_warning_from_a_shallow_stack() -> None:
    """fit's warning points stacklevel frames up, or at the outermost frame when the stack is
    shallower (fit called from a script's top level raised ValueError before)."""
    caught: list[Any] = []

    def shallow() -> None:  # a thread's stack: a few frames of threading.py
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            _warn("diverged", stacklevel=10_000)
        caught.extend(record)

    thread = threading.Thread(target=shallow)
    thread.start()
    thread.join()
    assert [(w.category, str(w.message)) for w in caught] == [(NonFiniteLossWarning, "diverged")]


NAN, INF = float("nan"), float("inf")
CSV_CASES = {
    "nan and inf": [{"loss": NAN, "val_loss": INF}, {"loss": -INF, "val_loss": np.float32(NAN)}],
    "numpy scalars": [
        {"loss": np.float32(0.1), "val_loss": np.float64(0.1)},
        {"loss": 1 / 3, "val_loss": np.float32(1 / 3)},
    ],
    "0-d and 1-d arrays": [{"loss": np.array(0.5, np.float32), "val_loss": np.array([NAN, 1.0])}],
    "ints and bools": [{"loss": 1, "val_loss": True}],
    "lists with nan": [{"loss": [np.float32(0.1), NAN], "val_loss": (1e-20, 1e20)}],
    "a key missing later": [{"loss": 0.5, "val_loss": 0.25}, {"loss": NAN}],
}


@pytest.mark.parametrize("logs", CSV_CASES.values(), ids=CSV_CASES.keys())
def test_csv_bytes_match_keras_for_special_values(tmp_path: Path, logs: list) -> None:
    written = []
    for lib, name in ((ours, "ours.csv"), (keras.callbacks, "theirs.csv")):
        drive(lib.CSVLogger(str(tmp_path / name)), logs)
        written.append((tmp_path / name).read_bytes())
    assert written[0] == written[1] and written[0]
