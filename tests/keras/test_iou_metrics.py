"""The IoU metric family against Keras 3 (torch backend): random labels, out-of-range and ignored
labels, thresholds, one-hot inputs, integer and float sample weights, several updates, configs."""

from __future__ import annotations

import os
import warnings
from typing import Any

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
keras3 = pytest.importorskip("keras")
if keras3.backend.backend() != "torch":  # pragma: no cover - another backend chosen first
    pytest.skip("the Keras oracle needs KERAS_BACKEND=torch", allow_module_level=True)

from nnlab.keras import metrics  # noqa: E402


def _both(cls_name: str, **kwargs: Any) -> tuple[Any, Any]:
    return getattr(metrics, cls_name)(**kwargs), getattr(keras3.metrics, cls_name)(**kwargs)


def _run(pair: tuple[Any, Any], batches: list[tuple[Any, ...]]) -> tuple[float, float]:
    ours, theirs = pair
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for batch in batches:
            ours.update_state(*batch)
            theirs.update_state(*batch)
    return float(ours.result()), float(np.asarray(theirs.result()))


@pytest.mark.parametrize("dtype", [None, "float32"])
@pytest.mark.parametrize("ignore_class", [None, 1, -1])
def test_mean_iou_random_batches_match_keras(dtype: Any, ignore_class: Any) -> None:
    rng = np.random.default_rng(0)
    batches = []
    for _ in range(3):
        y = rng.integers(-1, 5, size=(6, 7))  # -1 and 4 are out of range for 4 classes
        p = rng.integers(-1, 5, size=(6, 7))
        w = rng.integers(0, 3, size=(6, 7)) if dtype is None else rng.random((6, 7))
        batches.append((y, p, w.astype(np.float32 if dtype else np.int32)))
    pair = _both("MeanIoU", num_classes=4, dtype=dtype, ignore_class=ignore_class)
    ours, theirs = _run(pair, batches)
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(
        pair[0].variables[0].numpy(), pair[1].variables[0].numpy().astype(pair[0].dtype)
    )


@pytest.mark.parametrize("targets", [[0], [2], [0, 2], [3, 1]])
def test_iou_target_classes_match_keras(targets: list[int]) -> None:
    rng = np.random.default_rng(1)
    y, p = rng.integers(0, 4, size=40), rng.integers(0, 4, size=40)
    w = rng.random(40).astype(np.float32)
    pair = _both("IoU", num_classes=4, target_class_ids=targets, dtype="float32")
    ours, theirs = _run(pair, [(y, p, w)])
    np.testing.assert_allclose(ours, theirs, rtol=1e-6)


def test_absent_classes_and_empty_state_match_keras() -> None:
    pair = _both("MeanIoU", num_classes=5)
    assert _run(pair, []) == pytest.approx(_run(_both("MeanIoU", num_classes=5), []))
    ours, theirs = _run(pair, [([0, 0, 1], [0, 1, 1])])
    assert ours == pytest.approx(theirs, rel=1e-6)


@pytest.mark.parametrize("threshold", [0.0, 0.3, 0.5, 1.0])
def test_binary_iou_thresholds_match_keras(threshold: float) -> None:
    rng = np.random.default_rng(2)
    y = rng.integers(0, 2, size=(5, 4)).astype(np.float32)
    p = rng.random((5, 4)).astype(np.float32)
    w = rng.random((5, 4)).astype(np.float32)
    for ids in ([0, 1], [0], [1]):
        pair = _both("BinaryIoU", target_class_ids=ids, threshold=threshold, dtype="float32")
        ours, theirs = _run(pair, [(y, p, w), (y[:2], p[:2])])
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("sparse_y_pred", [False, True])
def test_one_hot_variants_match_keras(sparse_y_pred: bool) -> None:
    rng = np.random.default_rng(3)
    y = np.eye(3, dtype=np.float32)[rng.integers(0, 3, size=12)]
    scores = rng.random((12, 3)).astype(np.float32)
    p = scores.argmax(-1) if sparse_y_pred else scores
    w = rng.random(12).astype(np.float32)
    kw = {"num_classes": 3, "dtype": "float32", "sparse_y_pred": sparse_y_pred}
    ours, theirs = _run(_both("OneHotMeanIoU", **kw), [(y, p, w)])
    np.testing.assert_allclose(ours, theirs, rtol=1e-6)
    ours, theirs = _run(_both("OneHotIoU", target_class_ids=[0, 2], **kw), [(y, p, w)])
    np.testing.assert_allclose(ours, theirs, rtol=1e-6)


def test_dense_inputs_on_another_axis_match_keras() -> None:
    rng = np.random.default_rng(4)
    y, p = rng.random((4, 3, 5)), rng.random((4, 3, 5))
    kw = {"num_classes": 3, "sparse_y_true": False, "sparse_y_pred": False, "axis": 1}
    ours, theirs = _both("MeanIoU", **kw)
    ours.update_state(y, p)
    theirs.update_state(y, p)  # (Keras's result() then sums its 1-D IoUs on axis 1 and fails)
    np.testing.assert_array_equal(ours.variables[0].numpy(), theirs.variables[0].numpy())


def test_float_weights_with_int_dtype_warn_and_truncate_as_keras() -> None:
    ours, theirs = _both("MeanIoU", num_classes=2)
    w = np.array([0.3, 1.7, 2.2, 0.9])
    with pytest.warns(UserWarning, match="float"):
        ours.update_state([0, 0, 1, 1], [0, 1, 0, 1], sample_weight=w)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs.update_state([0, 0, 1, 1], [0, 1, 0, 1], sample_weight=w)
    assert float(ours.result()) == pytest.approx(float(theirs.result()), rel=1e-6)


@pytest.mark.parametrize(
    "name,kwargs",
    [
        ("IoU", {"num_classes": 3, "target_class_ids": [0, 2], "ignore_class": 1}),
        ("MeanIoU", {"num_classes": 4, "sparse_y_true": False, "axis": 1}),
        ("BinaryIoU", {"target_class_ids": [1], "threshold": 0.3}),
        ("OneHotIoU", {"num_classes": 3, "target_class_ids": [1]}),
        ("OneHotMeanIoU", {"num_classes": 3, "ignore_class": 0}),
    ],
)
def test_get_config_matches_keras_and_round_trips(name: str, kwargs: dict[str, Any]) -> None:
    ours, theirs = _both(name, name="m", **kwargs)
    assert ours.get_config() == theirs.get_config()
    clone = type(ours).from_config(ours.get_config())
    assert clone.get_config() == ours.get_config()
    restored = metrics.deserialize(metrics.serialize(ours))
    assert type(restored) is type(ours) and restored.get_config() == ours.get_config()


def test_default_names_match_keras() -> None:
    for name, kwargs in [("MeanIoU", {"num_classes": 2}), ("BinaryIoU", {})]:
        ours = getattr(metrics, name)(**kwargs)
        assert ours.name == getattr(keras3.metrics, name)(**kwargs).name.rstrip("_0123456789")


def test_bad_arguments_are_named() -> None:
    with pytest.raises(ValueError, match="out of range"):
        metrics.IoU(num_classes=2, target_class_ids=[2])
    with pytest.raises(ValueError, match="num_classes"):
        metrics.MeanIoU(num_classes=0)
    with pytest.raises(ValueError, match="same number"):
        metrics.MeanIoU(num_classes=2).update_state([0, 1], [0, 1, 1])


@pytest.mark.parametrize(
    "make,loss",
    [
        (
            lambda: [
                metrics.IoU(3, [0, 2]),
                metrics.MeanIoU(3, ignore_class=1),
                metrics.BinaryIoU([0, 1], 0.3),
            ],
            "sparse_categorical_crossentropy",
        ),
        (
            lambda: [metrics.OneHotIoU(3, [1]), metrics.OneHotMeanIoU(3)],
            "categorical_crossentropy",
        ),
    ],
)
def test_iou_metrics_survive_nnlabs_own_model_file(tmp_path, make, loss):
    from nnlab import keras as nk
    from nnlab.keras.saving import saving_lib

    model = nk.Sequential([nk.Input((4,)), nk.layers.Dense(3, activation="softmax")])
    given = make()
    model.compile("adam", loss, metrics=given)
    saving_lib.save_model(model, tmp_path / "m.nnlab")
    again = saving_lib.load_model(tmp_path / "m.nnlab")
    loaded = [m for per_output in again._compile_metrics.per_output for m in per_output]
    assert [type(m) for m in loaded] == [type(m) for m in given]
    assert [m.get_config() for m in loaded] == [m.get_config() for m in given]
