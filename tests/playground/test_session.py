"""A training session: data, settings semantics, metrics, frames."""

from __future__ import annotations

import numpy as np
import pytest

from nnlab.playground import session as session_module
from nnlab.playground.export import export_message
from nnlab.playground.protocol import ProtocolError, encode_message
from nnlab.playground.session import Session, classification_metrics, regression_metrics


def test_xor_loss_falls_and_accuracy_rises() -> None:
    s = Session({"dataset": "xor", "features": ["x", "y", "xTimesY"]})
    first = s.history[-1][1]
    for _ in range(30):
        s.train_epoch()
    assert s.history[-1][1] < 0.5 * first
    assert s.metrics()["test_accuracy"] > 0.9


def test_learning_rate_keeps_the_network_and_noise_regenerates() -> None:
    s = Session()
    s.train_epoch()
    w = s.net.get_weights()[0][0].copy()
    assert s.update({"learningRate": 0.3}) == (False, False)
    assert s.epoch == 1 and np.array_equal(s.net.get_weights()[0][0], w)
    assert s.update({"noise": 20}) == (True, True)
    assert s.epoch == 0


def test_problem_and_dataset_agree() -> None:
    s = Session()
    s.update({"problem": "regression"})
    assert s.settings["dataset"] == "reg-plane"
    s.update({"dataset": "spiral"})
    assert s.settings["problem"] == "classification"
    assert s.net.output == "logit"
    s.update({"loss": "mse"})
    assert s.net.output == "tanh"


def test_layers_get_activations() -> None:
    s = Session({"networkShape": [3, 3, 3], "activation": "relu"})
    assert s.settings["activations"] == ["relu"] * 3
    s.update({"activations": ["tanh", "relu", "sigmoid"]})
    assert s.net.activations == ["tanh", "relu", "sigmoid"]
    s.update({"networkShape": []})
    assert s.settings["activations"] == [] and len(s.net.weights) == 1


def test_epoch_limit_pauses() -> None:
    s = Session({"maxEpochs": 4})
    s.playing = True
    s.train_for(10.0, max_epochs=100)
    assert s.epoch == 4 and not s.playing and s.limit_reached()


def test_metrics() -> None:
    m = classification_metrics(np.array([0.5, -0.2, 0.1, -0.9]), np.array([1, 1, -1, -1.0]))
    assert m == {"accuracy": 0.5, "confusion": [[1, 1], [1, 1]]}
    r = regression_metrics(np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 4.0]))
    assert r["rmse"] == pytest.approx(np.sqrt(1 / 3))
    assert r["r2"] == pytest.approx(1 - 1 / (14 / 3))


def test_uploaded_regression_points() -> None:
    s = Session()
    s.load_csv("\n".join(f"{i / 10},{-i / 10},{i / 100}" for i in range(20)))
    assert s.settings == {**s.settings, "dataset": "upload", "problem": "regression"}
    assert len(s.train_y) + len(s.test_y) == 20
    assert s.frame()["metrics"]["kind"] == "regression"


def test_a_slow_epoch_is_trained_across_frames() -> None:
    # 8 layers of 32 with batches of 1: one epoch takes longer than a frame's training slice,
    # so train_for stops inside it (the page still gets ~10+ updates a second) and resumes.
    s = Session(
        {
            "dataset": "xor",
            "networkShape": [32] * 8,
            "activations": ["tanh"] * 8,
            "batchSize": 1,
        }
    )
    before = [w.copy() for w, _ in s.net.get_weights()]
    assert s.train_for(1e-9) == 0
    assert s.epoch == 0 and 0 < s._cursor < len(s.train_x)
    after = s.net.get_weights()
    assert any(not np.array_equal(a, w) for a, (w, _) in zip(before, after, strict=True))
    s.train_epoch()  # finishes the epoch that was started
    assert s.epoch == 1 and s._order is None and len(s.history) == 2


DIVERGING = {
    "dataset": "circle",
    "learningRate": 10.0,
    "batchSize": 1,
    "networkShape": [32] * 6,
    "activation": "relu",
}


def test_a_diverging_session_pauses_and_its_frames_are_strict_json() -> None:
    s = Session(DIVERGING)
    s.playing = True
    for _ in range(20):  # an epoch at most per call; it diverges within the first
        s.train_for(10.0, max_epochs=1)
        if s.diverged:
            break
    assert s.diverged and not s.playing
    assert "diverged" in s.divergence_message()
    frame = s.frame()
    assert frame["diverged"] is True
    text = encode_message(frame)  # raises on NaN / inf
    assert "NaN" not in text and "Infinity" not in text
    assert frame["train_loss"] is None
    epoch = s.epoch
    assert s.train_for(1.0) == 0 and s.epoch == epoch  # no more training once diverged
    s.train_epoch()
    assert s.epoch == epoch
    for fmt in ("keras", "model"):
        with pytest.raises(ProtocolError, match="diverged"):
            export_message(s, fmt)
    s.reset()
    assert not s.diverged and s.frame()["diverged"] is False


def test_a_non_finite_parameter_with_a_finite_loss_is_divergence() -> None:
    s = Session({"networkShape": [3], "activation": "tanh"})
    s.net.weights[0].data[0, 0] = np.inf  # tanh saturates: every loss stays finite
    s.train_epoch()
    assert np.isfinite(s.losses[1]) and s.epoch == 1
    assert s.diverged


def test_strict_encoding_refuses_nan() -> None:
    with pytest.raises(ValueError):
        encode_message({"type": "frame", "train_loss": float("nan")})


def test_non_finite_weights_and_metrics_become_null() -> None:
    s = Session({"dataset": "reg-plane"})
    s.net.weights[0].data[0, 0] = np.nan
    s.train_epoch()  # the first batch loss is NaN
    assert s.diverged
    frame = s.frame()
    encode_message(frame)
    assert frame["weights"][0][0][0] is None
    assert frame["metrics"]["test_rmse"] is None and frame["metrics"]["test_r2"] is None


def test_history_is_thinned_and_frames_send_each_epoch_once(monkeypatch) -> None:
    monkeypatch.setattr(session_module, "HISTORY_CAP", 8)
    s = Session({"networkShape": [2]})
    sent: list[int] = [h[0] for h in s.frame()["history"]]
    for _ in range(70):
        s.train_epoch()
        sent += [h[0] for h in s.frame()["history"]]
    epochs = [h[0] for h in s.history]
    assert len(s.history) <= 8 and s.history_stride == 16
    assert epochs == list(range(0, 70 + 1, 16))  # the whole run, evenly spaced
    assert sent == sorted(set(sent)) and sent[-1] == 64
    assert s.frame()["train_loss"] == round(s.losses[1], 6) and s.losses[0] == 70
