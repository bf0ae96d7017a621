"""Export: the Keras script and the saved model file reproduce the playground's network."""

from __future__ import annotations

import base64
import os

import numpy as np
import pytest

from nnlab.playground.export import export_message, keras_script
from nnlab.playground.network import feature_matrix
from nnlab.playground.session import Session

keras = pytest.importorskip("nnlab.keras")


@pytest.mark.parametrize(
    "settings",
    [
        {"dataset": "xor", "loss": "ce", "features": ["x", "y", "xTimesY"]},
        {"dataset": "circle", "loss": "mse", "networkShape": [3], "activation": "relu"},
        {"dataset": "reg-gauss", "networkShape": [5, 4], "activations": ["sigmoid", "linear"]},
    ],
)
def test_model_file_predicts_like_the_session(settings: dict, tmp_path) -> None:
    session = Session(settings)
    for _ in range(3):
        session.train_epoch()
    msg = export_message(session, "model")
    path = tmp_path / msg["filename"]
    path.write_bytes(base64.b64decode(msg["base64"]))
    model = keras.models.load_model(str(path))
    x = feature_matrix(session.test_xy, session.settings["features"])
    out = np.asarray(model.predict(x, verbose=0))[:, 0]
    if session.net.output == "logit":
        out = 2 * out - 1  # sigmoid p -> 2p - 1 = tanh(z / 2), the playground's display
    np.testing.assert_allclose(out, session.net.predict(x), rtol=1e-4, atol=1e-5)


def test_keras_3_opens_the_model_file(tmp_path) -> None:
    """The file is Keras 3's format: Keras itself loads it and predicts what nnlab predicts."""
    os.environ.setdefault("KERAS_BACKEND", "torch")
    real_keras = pytest.importorskip("keras")
    session = Session({"dataset": "spiral", "networkShape": [6, 3], "dropout": 0.1})
    for _ in range(2):
        session.train_epoch()
    msg = export_message(session, "model")
    path = tmp_path / msg["filename"]
    path.write_bytes(base64.b64decode(msg["base64"]))
    ours, theirs = keras.models.load_model(str(path)), real_keras.saving.load_model(path)
    x = feature_matrix(session.test_xy, session.settings["features"])
    np.testing.assert_allclose(theirs.predict(x, verbose=0), ours.predict(x), atol=1e-6)
    assert theirs.optimizer.__class__.__name__ == "SGD"


def test_script_embeds_uploaded_points_and_regularizer() -> None:
    session = Session()
    session.load_csv("\n".join(f"{i % 4},{i % 3},{i % 2}" for i in range(12)))
    session.update({"regularization": "L1", "regularizationRate": 0.01, "loss": "mse"})
    source = keras_script(session)
    assert "points = np.array(" in source and "playground.generate" not in source
    # MSE: Keras's mean (out - y)^2 is twice the playground's, so lr / 2 and l1(2 * rate)
    assert "learning_rate=0.015" in source and "keras.regularizers.l1(0.02)" in source
    compile(source, "script.py", "exec")
