"""keras.config, keras.backend and the keras.utils helpers, against Keras 3 where it answers."""

from __future__ import annotations

import os
from collections.abc import Iterator

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
keras3 = pytest.importorskip("keras")
if keras3.backend.backend() != "torch":  # pragma: no cover - another backend chosen first
    pytest.skip("the Keras oracle needs KERAS_BACKEND=torch", allow_module_level=True)

import nnlab  # noqa: E402
from nnlab import keras  # noqa: E402


@pytest.fixture(autouse=True)
def default_settings() -> Iterator[None]:
    """Every test starts and ends with the default settings, in both libraries."""
    for lib in (keras, keras3):
        lib.config.set_image_data_format("channels_last")
        lib.config.set_epsilon(1e-7)
    yield
    for lib in (keras, keras3):
        lib.config.set_image_data_format("channels_last")
        lib.config.set_epsilon(1e-7)


def test_defaults_are_keras3s() -> None:
    for name in ("image_data_format", "epsilon", "floatx"):
        assert getattr(keras.config, name)() == getattr(keras3.config, name)(), name
        assert getattr(keras.backend, name)() == getattr(keras3.backend, name)(), name
    assert keras.config.backend() == keras.backend.backend() == "nnlab"


def test_image_data_format_is_the_default_of_the_spatial_layers() -> None:
    keras.config.set_image_data_format("channels_first")
    assert keras.backend.image_data_format() == "channels_first"
    made = [
        keras.layers.Conv2D(2, 3),
        keras.layers.Conv1D(2, 3),
        keras.layers.Conv2DTranspose(2, 3),
        keras.layers.MaxPooling2D(),
        keras.layers.GlobalAveragePooling2D(),
        keras.layers.ZeroPadding2D(),
        keras.layers.Flatten(),
    ]
    assert all(layer.data_format == "channels_first" for layer in made)
    assert keras.layers.Conv2D(2, 3, data_format="channels_last").data_format == "channels_last"
    x = np.random.default_rng(0).standard_normal((2, 3, 5, 5)).astype(np.float32)
    assert keras.layers.Conv2D(4, 3)(x).shape == (2, 4, 3, 3)  # channels on axis 1
    keras.config.set_image_data_format("CHANNELS_LAST")  # case-insensitive, as in Keras
    assert keras.layers.Conv2D(2, 3).data_format == "channels_last"


def test_bad_data_format_reads_as_keras3s_error() -> None:
    messages = []
    for lib in (keras, keras3):
        with pytest.raises(ValueError) as err:
            lib.config.set_image_data_format("channels_middle")
        messages.append(str(err.value))
    assert messages[0] == messages[1]
    with pytest.raises(ValueError, match="must be one of"):
        keras.layers.Conv2D(2, 3, data_format="nchw")


def test_epsilon_is_read_by_the_losses_and_metrics_when_they_compute() -> None:
    y_true = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]], np.float32)
    y_pred = np.array([[0.0, 1.0, 0.0], [0.2, 0.0, 0.8]], np.float32)
    for eps in (1e-7, 1e-3, 0.01):
        for lib in (keras, keras3):
            lib.backend.set_epsilon(eps)
        assert keras.config.epsilon() == eps
        for name in ("BinaryCrossentropy", "CategoricalCrossentropy", "KLDivergence"):
            mine = float(np.asarray(getattr(keras.losses, name)()(y_true, y_pred)))
            theirs = float(getattr(keras3.losses, name)()(y_true, y_pred))
            np.testing.assert_allclose(mine, theirs, rtol=1e-5, err_msg=f"{name} at {eps}")
        f1 = [lib.metrics.F1Score() for lib in (keras, keras3)]
        for m in f1:
            m.update_state(y_true, y_pred)
        np.testing.assert_allclose(
            np.asarray(f1[0].result()), np.asarray(f1[1].result()), rtol=1e-5, atol=1e-7
        )
    with pytest.raises(ValueError, match=r"epsilon must be in \(0, 0.5\)"):
        keras.config.set_epsilon(0.0)
    with pytest.raises(TypeError, match="expected a number"):
        keras.config.set_epsilon("small")


def test_floatx_is_float32_and_other_floats_are_refused_with_the_reason() -> None:
    keras.config.set_floatx("float32")
    assert keras.backend.floatx() == "float32"
    with pytest.raises(ValueError, match="computes in float32 only"):
        keras.backend.set_floatx("float64")
    messages = []
    for lib in (keras, keras3):
        with pytest.raises(ValueError) as err:
            lib.config.set_floatx("double")
        messages.append(str(err.value).split(". Expected")[0])
    assert messages[0] == messages[1]
    assert keras.config.floatx() == "float32"


def test_get_uid_counts_per_prefix_and_clear_session_restarts_it() -> None:
    keras.backend.clear_session()
    assert [keras.backend.get_uid("a"), keras.backend.get_uid("a"), keras.backend.get_uid()] == [
        1,
        2,
        1,
    ]
    assert keras.layers.Dense(1).name == "dense"
    keras.backend.clear_session()
    assert keras.backend.get_uid("a") == 1
    assert keras.layers.Dense(1).name == "dense"


@pytest.mark.parametrize(
    "dtype",
    [None, int, float, bool, str, np.float64, np.dtype("uint16"), "int8", "bfloat16", "string"],
)
def test_standardize_dtype_as_keras3(dtype: object) -> None:
    assert keras.backend.standardize_dtype(dtype) == keras3.backend.standardize_dtype(dtype)
    name = keras3.backend.standardize_dtype(dtype)
    assert keras.backend.is_float_dtype(name) == keras3.backend.is_float_dtype(name)
    assert keras.backend.is_int_dtype(name) == keras3.backend.is_int_dtype(name)


def test_standardize_dtype_refuses_what_keras3_refuses() -> None:
    for bad in ("float", "foo", [1]):
        with pytest.raises(ValueError, match="Invalid dtype"):
            keras.backend.standardize_dtype(bad)


def test_is_keras_tensor() -> None:
    x = keras.Input((3,))
    assert keras.backend.is_keras_tensor(x) and keras.utils.is_keras_tensor(x)
    assert not keras.backend.is_keras_tensor(np.ones(3))
    assert not keras.backend.is_keras_tensor(nnlab.tensor(np.ones(3)))


PAD_CASES = [
    ([[1, 2, 3], [4, 5], [6]], {}),
    ([[1, 2, 3], [4, 5], [6]], {"maxlen": 2}),
    ([[1, 2, 3], [4, 5], [6]], {"maxlen": 2, "truncating": "post"}),
    ([[1, 2, 3], [4, 5], [6]], {"maxlen": 4, "padding": "post", "value": -1}),
    ([[1, 2, 3], [], [6]], {"padding": "post"}),
    ([[0.5, 1.5], [2.5]], {"dtype": "float32", "value": 9.0}),
    ([np.ones((3, 2)), np.zeros((1, 2))], {"maxlen": 2, "dtype": "float64"}),
    ((np.arange(4), np.arange(2)), {"truncating": "post", "padding": "pre"}),
]


@pytest.mark.parametrize("sequences,kwargs", PAD_CASES)
def test_pad_sequences_as_keras3(sequences: list, kwargs: dict) -> None:
    mine = keras.utils.pad_sequences(sequences, **kwargs)
    theirs = keras3.utils.pad_sequences(sequences, **kwargs)
    assert mine.dtype == theirs.dtype
    np.testing.assert_array_equal(mine, theirs)


def test_pad_sequences_errors() -> None:
    with pytest.raises(ValueError, match='Padding type "middle" not understood'):
        keras.utils.pad_sequences([[1]], padding="middle")
    with pytest.raises(ValueError, match='Truncating type "x" not understood'):
        keras.utils.pad_sequences([[1]], truncating="x")
    with pytest.raises(ValueError, match="must be a list of iterables"):
        keras.utils.pad_sequences([[1], 2])
    with pytest.raises(ValueError, match="must be iterable"):
        keras.utils.pad_sequences(5)
    with pytest.raises(ValueError, match=r"Shape of sample \(3,\) of sequence at position 1"):
        keras.utils.pad_sequences([np.ones((2, 2)), np.ones((2, 3))])
    with pytest.raises(ValueError, match="maxlen must be an integer >= 0"):
        keras.utils.pad_sequences([[1]], maxlen=-1)
    assert keras.utils.pad_sequences([[1, 2]], maxlen=0).shape == (1, 0)
    assert keras.utils.pad_sequences([]).shape == (0, 0)


def test_normalize_as_keras3_and_differentiable_on_tensors() -> None:
    x = np.array([[3.0, 4.0], [0.0, 0.0], [1.0, -1.0]])
    for axis, order in ((-1, 2), (1, 2), (-1, 1)):
        np.testing.assert_allclose(
            keras.utils.normalize(x, axis, order), keras3.utils.normalize(x, axis, order)
        )
    # axis 0 (Keras 3.15 reads axis=0 as -1 there: ``axis or -1``)
    np.testing.assert_allclose(keras.utils.normalize(x, 0), x / np.linalg.norm(x, axis=0))
    t = nnlab.tensor(np.array([[3.0, 4.0]]), requires_grad=True)
    out = keras.utils.normalize(t)
    out.sum().backward()
    np.testing.assert_allclose(out.data, [[0.6, 0.8]], rtol=1e-6)
    assert t.grad is not None


def test_keras_utils_names_of_functions_defined_elsewhere() -> None:
    assert keras.utils.custom_object_scope is keras.saving.custom_object_scope
    assert keras.utils.register_keras_serializable is keras.saving.register_keras_serializable
    assert keras.utils.Sequence is keras.utils.PyDataset
    for args in ((1,), ((1, 2),), (1, 2), (1, 2, 3)):
        packed = keras.utils.pack_x_y_sample_weight(*args)
        assert packed == keras3.utils.pack_x_y_sample_weight(*args)
        assert keras.utils.unpack_x_y_sample_weight(packed) == (
            keras3.utils.unpack_x_y_sample_weight(packed)
        )
    with pytest.raises(AttributeError, match="has no attribute 'nothing'"):
        keras.utils.nothing  # noqa: B018


def test_models_save_model(tmp_path) -> None:
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    path = tmp_path / "m.keras"
    keras.models.save_model(model, path)
    again = keras.models.load_model(path)
    np.testing.assert_array_equal(again.get_weights()[0], model.get_weights()[0])


def test_timeseries_dataset_windows_as_keras_documents_them() -> None:
    # Keras's docstring, example 1: indices 0..98, sequence_length=10, sampling_rate=2,
    # sequence_stride=3
    steps = np.arange(100)
    ds = keras.utils.timeseries_dataset_from_array(
        steps[:99], None, sequence_length=10, sampling_rate=2, sequence_stride=3, batch_size=8
    )
    windows = np.concatenate([ds[i] for i in range(len(ds))])
    np.testing.assert_array_equal(windows[0], np.arange(0, 20, 2))
    np.testing.assert_array_equal(windows[1], np.arange(3, 23, 2))
    np.testing.assert_array_equal(windows[-1], np.arange(78, 98, 2))
    assert len(windows) == 27 and len(ds) == 4 and len(ds[3]) == 3
    # example 2: targets 10 steps ahead of windows of 10
    data, offset = np.arange(100), 10
    ds = keras.utils.timeseries_dataset_from_array(
        data[:-offset], data[offset:], sequence_length=offset, batch_size=200
    )
    inputs, targets = ds[0]
    np.testing.assert_array_equal(inputs[0], np.arange(10))
    assert targets[0] == 10 and len(targets) == 81
    # start/end index, shuffling with a seed (the same windows, in another order), iteration
    ds = keras.utils.timeseries_dataset_from_array(
        data, data * 10, 5, start_index=20, end_index=60, shuffle=True, seed=1, batch_size=7
    )
    batches = list(ds)
    starts = np.concatenate([x[:, 0] for x, _ in batches])
    assert sorted(starts) == list(range(20, 56))
    for x, y in batches:
        np.testing.assert_array_equal(y, x[:, 0] * 10)
        np.testing.assert_array_equal(x, x[:, :1] + np.arange(5))


def test_timeseries_dataset_trains_an_lstm_and_checks_its_arguments() -> None:
    rng = np.random.default_rng(0)
    series = rng.normal(size=(300, 3)).astype(np.float32)
    train = keras.utils.timeseries_dataset_from_array(
        series[:-5], series[5:, 0], sequence_length=12, batch_size=32, end_index=200
    )
    val = keras.utils.timeseries_dataset_from_array(
        series[:-5], series[5:, 0], sequence_length=12, batch_size=32, start_index=200
    )
    model = keras.Sequential([keras.Input((12, 3)), keras.layers.LSTM(4), keras.layers.Dense(1)])
    model.compile(optimizer="rmsprop", loss="mse", metrics=["mae"])
    history = model.fit(train, epochs=2, validation_data=val, verbose=0)
    assert set(history.history) == {"loss", "mae", "val_loss", "val_mae"}
    assert np.isfinite(model.evaluate(val, verbose=0)).all()
    for kwargs, message in (
        ({"sequence_length": 0}, "`sequence_length` must be higher than 0"),
        ({"sampling_rate": 300}, "`sampling_rate` must be lower than the length"),
        ({"start_index": 400}, "`start_index` must be 0 or greater"),
        ({"start_index": 50, "end_index": 40}, "`end_index` must be higher than `start_index`"),
        ({"batch_size": None}, "batch_size=None"),
    ):
        args = {"sequence_length": 4, **kwargs}
        with pytest.raises(ValueError, match=message):
            keras.utils.timeseries_dataset_from_array(series, None, **args)
