"""keras.callbacks.TensorBoard: event files read back with TensorBoard's own reader (the oracle),
tags and steps as Keras 3 writes them, values equal to the history's."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest

from nnlab import keras
from nnlab.keras.callbacks.tensorboard import EventFileWriter, crc32c, masked_crc32c

tb_reader = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")
tb_stub = pytest.importorskip("tensorboard.compat.tensorflow_stub.pywrap_tensorflow")
tensor_util = pytest.importorskip("tensorboard.util.tensor_util")


def _read(run_dir):
    guidance = {tb_reader.TENSORS: 0, tb_reader.SCALARS: 0, tb_reader.IMAGES: 0}
    acc = tb_reader.EventAccumulator(str(run_dir), size_guidance=guidance)
    acc.Reload()
    return acc


def _scalars(acc, tag):
    return [(e.step, e.value) for e in acc.Scalars(tag)]


def test_checksums_match_tensorboards():
    assert crc32c(b"123456789") == 0xE3069283  # the CRC-32C check value
    for data in (b"", b"a", bytes(range(256)), b"nnlab" * 100):
        assert masked_crc32c(data) == tb_stub.masked_crc32c(data)


def _model():
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [keras.Input((3,)), keras.layers.Dense(4, activation="relu"), keras.layers.Dense(1)]
    )
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse", metrics=["mae"])
    return model


def _data():
    x = np.random.default_rng(0).random((40, 3)).astype(np.float32)
    return x, x.sum(axis=1, keepdims=True)


def test_epoch_scalars_go_to_train_and_validation_as_keras_names_them(tmp_path):
    model, (x, y) = _model(), _data()
    board = keras.callbacks.TensorBoard(tmp_path / "logs")
    history = model.fit(
        x, y, epochs=3, batch_size=8, validation_split=0.25, verbose=0, callbacks=[board]
    ).history
    train, validation = _read(tmp_path / "logs" / "train"), _read(tmp_path / "logs" / "validation")
    assert sorted(train.Tags()["scalars"]) == ["epoch_learning_rate", "epoch_loss", "epoch_mae"]
    assert sorted(validation.Tags()["scalars"]) == [
        "epoch_loss",
        "epoch_mae",
        "evaluation_loss_vs_iterations",
        "evaluation_mae_vs_iterations",
    ]
    for name in ("loss", "mae"):
        steps, values = zip(*_scalars(train, f"epoch_{name}"), strict=True)
        assert steps == (0, 1, 2)
        np.testing.assert_allclose(values, history[name], rtol=1e-6)
        steps, values = zip(*_scalars(validation, f"epoch_{name}"), strict=True)
        np.testing.assert_allclose(values, history[f"val_{name}"], rtol=1e-6)
        # after each validation pass: the same numbers against the optimizer's iterations
        its = [step for step, _ in _scalars(validation, f"evaluation_{name}_vs_iterations")]
        assert its == [4, 8, 12]  # 30 training samples in batches of 8: 4 steps an epoch
    assert [v for _, v in _scalars(train, "epoch_learning_rate")] == pytest.approx([0.05] * 3)
    # the model's JSON for TensorBoard's graph tab ("conceptual graph"), at step 0
    (event,) = train.Tensors("keras")
    assert json.loads(event.tensor_proto.string_val[0]) == json.loads(model.to_json())


@pytest.mark.parametrize("update_freq,steps", [("batch", [1, 2, 3, 4, 5, 6]), (4, [4])])
def test_batch_scalars_every_update_freq_batches(tmp_path, update_freq, steps):
    model, (x, y) = _model(), _data()
    board = keras.callbacks.TensorBoard(tmp_path, update_freq=update_freq, write_graph=False)
    batches = []
    record = keras.callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: batches.append(logs))
    model.fit(x[:24], y[:24], epochs=2, batch_size=8, verbose=0, callbacks=[board, record])
    train = _read(tmp_path / "train")
    assert [s for s, _ in _scalars(train, "batch_loss")] == steps
    expected = [batches[s - 1]["loss"] for s in steps]
    np.testing.assert_allclose([v for _, v in _scalars(train, "batch_loss")], expected, rtol=1e-6)
    assert "keras" not in train.Tags()["tensors"]


def test_histograms_images_and_steps_per_second(tmp_path):
    matplotlib_image = pytest.importorskip("matplotlib.image")
    model, (x, y) = _model(), _data()
    board = keras.callbacks.TensorBoard(
        tmp_path, histogram_freq=2, write_images=True, write_steps_per_second=True
    )
    model.fit(x, y, epochs=3, batch_size=10, verbose=0, callbacks=[board])
    train = _read(tmp_path / "train")
    kernel = model.layers[0].get_weights()[0]  # (3, 4)
    histograms = [t for t in train.Tags()["tensors"] if t.endswith("/histogram")]
    assert len(histograms) == 4  # two kernels, two biases
    tag = next(t for t in histograms if t.startswith(model.layers[0].name) and "kernel" in t)
    events = train.Tensors(tag)
    assert [e.step for e in events] == [0, 2]  # every histogram_freq epochs
    table = tensor_util.make_ndarray(events[-1].tensor_proto)
    assert table.shape == (30, 3) and table[:, 2].sum() == kernel.size
    assert table[0, 0] == pytest.approx(kernel.min())
    assert table[-1, 1] == pytest.approx(kernel.max())
    # the kernel as a picture, its longer side across: (3, 4) stays (3, 4)
    image_tag = tag.replace("/histogram", "/image")
    picture = train.Images(image_tag)[-1]
    pixels = matplotlib_image.imread(io.BytesIO(picture.encoded_image_string), format="png")
    assert pixels.shape[:2] == (3, 4) and (picture.height, picture.width) == (3, 4)
    order = np.argsort(kernel.ravel())
    assert np.all(np.diff(pixels.reshape(-1)[order]) >= 0)  # brighter is larger
    rates = [v for _, v in _scalars(train, "epoch_steps_per_second")]
    assert len(rates) == 3 and all(r > 0 for r in rates)


def test_evaluate_alone_logs_against_the_optimizers_iterations(tmp_path):
    model, (x, y) = _model(), _data()
    model.fit(x, y, epochs=1, batch_size=10, verbose=0)
    loss, mae = model.evaluate(x, y, verbose=0, callbacks=[keras.callbacks.TensorBoard(tmp_path)])
    validation = _read(tmp_path / "validation")
    assert _scalars(validation, "evaluation_loss_vs_iterations") == [(4, pytest.approx(loss))]


def test_the_writer_flushes_whole_records_a_reader_takes_while_the_file_grows(tmp_path):
    writer = EventFileWriter(tmp_path)
    writer.scalar("x", 1.5, step=3)
    writer.flush()
    assert _scalars(_read(tmp_path), "x") == [(3, 1.5)]
    writer.scalar("x", 2.5, step=4)
    writer.close()
    assert _scalars(_read(tmp_path), "x") == [(3, 1.5), (4, 2.5)]


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"profile_batch": 2}, "profile_batch=2"),
        ({"embeddings_freq": 1}, "embeddings_freq=1"),
        ({"update_freq": "often"}, "update_freq must be 'epoch', 'batch' or a positive int"),
        ({"update_freq": 0}, "update_freq"),
        ({"histogram_freq": -1}, "histogram_freq must be a non-negative int"),
    ],
)
def test_bad_arguments_are_refused_by_name(kwargs, match):
    with pytest.raises(ValueError, match=match):
        keras.callbacks.TensorBoard(**kwargs)
