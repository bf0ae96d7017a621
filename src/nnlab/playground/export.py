"""Export a session's network: a runnable ``nnlab.keras`` script, or a saved Keras model file.

The script rebuilds the same data (the generator, noise, seed and split, or the uploaded points
embedded), the same features, the same layers with the current weights (Keras's kernel layout
(in, out) = the transpose of the playground's (out, in)), and an SGD setup whose steps equal the
playground's:

- Keras's MSE is mean (out - y)², twice the playground's ½ (out - y)², so the script's learning
  rate is half the page's;
- a Keras regularizer adds its penalty to the loss, the playground subtracts lr·rate·w (L2) or
  lr·rate·sign(w) (L1) after the step: with the learning rate ``k`` used by Keras the same step
  comes from ``l2(rate·lr / (2k))`` and ``l1(rate·lr / k)`` (L1's "dead weight" clamp at 0 is not
  reproduced);
- cross-entropy with a logit output is a sigmoid output and ``binary_crossentropy`` on labels
  (y + 1) / 2.
"""

from __future__ import annotations

import base64
import datetime as _dt
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from nnlab.playground.network import FEATURES
from nnlab.playground.protocol import ProtocolError

FEATURE_CODE = {
    "x": "x1",
    "y": "x2",
    "xSquared": "x1 * x1",
    "ySquared": "x2 * x2",
    "xTimesY": "x1 * x2",
    "sinX": "np.sin(x1)",
    "sinY": "np.sin(x2)",
}


def _array(a: np.ndarray) -> str:
    return f"np.array({np.round(a.astype(np.float64), 6).tolist()!r}, dtype=np.float32)"


def _setup(session: Any) -> dict[str, Any]:
    """The Keras equivalents of the session's output, loss, learning rate and regularizer."""
    s, net = session.settings, session.net
    lr = float(s["learningRate"])
    if net.output == "logit":
        out_act, loss, keras_lr, target = "sigmoid", "binary_crossentropy", lr, "(y + 1) / 2"
    else:
        out_act = "tanh" if net.output == "tanh" else "linear"
        loss, keras_lr, target = "mse", lr / 2, "y"
    reg = "None"
    rate = float(s["regularizationRate"])
    if s["regularization"] == "L2" and rate > 0:
        reg = f"keras.regularizers.l2({rate * lr / (2 * keras_lr):.6g})"
    elif s["regularization"] == "L1" and rate > 0:
        reg = f"keras.regularizers.l1({rate * lr / keras_lr:.6g})"
    return {"out_act": out_act, "loss": loss, "lr": keras_lr, "target": target, "reg": reg}


def check_exportable(session: Any) -> None:
    """Refuse to export a diverged network (its weights are inf/NaN: a script would hold a bare
    ``nan``, a model file weights that predict nothing)."""
    if session.diverged or not session.net.parameters_finite():
        raise ProtocolError(
            "export: training diverged, so the weights are infinite or NaN and there is nothing "
            "to export. Lower the learning rate, reset the network and train again."
        )


def keras_script(session: Any) -> str:
    """The Python source of a script that rebuilds and keeps training the current network."""
    with session.lock:
        check_exportable(session)
        s, net = session.settings, session.net
        setup = _setup(session)
        feats = s["features"]
        table = ", ".join(f'"{f}": {FEATURE_CODE[f]}' for f, _ in FEATURES if f in feats)
        lines = [
            f'"""A network exported from the nnlab playground ({_dt.date.today().isoformat()}).',
            "",
            f"Data set {s['dataset']!r} ({s['problem']}); {session.epoch} epochs on the page.",
            "Run it: python this_file.py [--epochs N]",
            '"""',
            "",
            "import argparse",
            "",
            "import numpy as np",
            "",
            "from nnlab import keras",
            "from nnlab.datasets import playground",
            "",
            "parser = argparse.ArgumentParser()",
            'parser.add_argument("--epochs", type=int, default=100)',
            "args = parser.parse_args()",
            "",
        ]
        if s["dataset"] == "upload" and session.upload is not None:
            pts, labels = session.upload[0], session.upload[1]
            lines += [
                "# The uploaded points.",
                f"points = {_array(pts)}",
                f"labels = {_array(labels)}",
            ]
        else:
            lines += [
                f"points, labels = playground.generate({s['dataset']!r}, "
                f"noise={s['noise'] / 100!r}, seed={s['seed']})",
            ]
        lines += [
            "(train_xy, train_y), (test_xy, test_y) = playground.train_test_split(",
            f"    points, labels, {s['percTrainData'] / 100!r}, seed={s['seed']}",
            ")",
            "",
            "",
            "def features(xy):",
            '    """The switched-on input features of points (N, 2)."""',
            "    x1, x2 = xy[:, 0], xy[:, 1]",
            f"    table = {{{table}}}",
            "    return np.stack(list(table.values()), axis=1).astype(np.float32)",
            "",
            "",
            "def targets(y):",
            f"    return ({setup['target']}).astype(np.float32).reshape(-1, 1)",
            "",
            "",
            f"model = keras.Sequential([keras.layers.Input(shape=({len(feats)},))])",
        ]
        for width, act in zip(s["networkShape"], s["activations"], strict=True):
            lines.append(
                f"model.add(keras.layers.Dense({width}, activation={act!r}, "
                f"kernel_regularizer={setup['reg']}))"
            )
            if s["dropout"] > 0:
                lines.append(f"model.add(keras.layers.Dropout({s['dropout']!r}))")
        lines.append(
            f"model.add(keras.layers.Dense(1, activation={setup['out_act']!r}, "
            f"kernel_regularizer={setup['reg']}))"
        )
        weights = []
        for w, b in net.get_weights():
            weights += [_array(w.T), _array(b)]
        metrics = '["accuracy"]' if s["problem"] == "classification" else "[]"
        lines += [
            "# The weights as they were on the page (kernels (in, out), then biases).",
            "model.set_weights([",
            *[f"    {w}," for w in weights],
            "])",
            "model.compile(",
            f"    optimizer=keras.optimizers.SGD(learning_rate={setup['lr']!r}),",
            f"    loss={setup['loss']!r},",
            f"    metrics={metrics},",
            ")",
            "model.fit(",
            "    features(train_xy),",
            "    targets(train_y),",
            f"    batch_size={s['batchSize']},",
            "    epochs=args.epochs,",
            "    validation_data=(features(test_xy), targets(test_y)),",
            "    verbose=2,",
            ")",
            'print("test:", model.evaluate(features(test_xy), targets(test_y), verbose=0))',
            "",
        ]
        return "\n".join(lines)


def _regularizer(keras: Any, setup: dict[str, Any]) -> Any:
    spec = setup["reg"]
    if spec == "None":
        return None
    kind, _, rest = spec.removeprefix("keras.regularizers.").partition("(")
    return getattr(keras.regularizers, kind)(float(rest.rstrip(")")))


def keras_model(session: Any) -> Any:
    """An ``nnlab.keras`` model with the session's layers and current weights, compiled."""
    try:
        from nnlab import keras
    except ImportError as exc:
        raise ProtocolError(f"saving a model file needs nnlab.keras ({exc})") from None
    with session.lock:
        check_exportable(session)
        s, net = session.settings, session.net
        setup = _setup(session)
        reg = _regularizer(keras, setup)
        model = keras.Sequential([keras.layers.Input(shape=(len(s["features"]),))])
        for width, act in zip(s["networkShape"], s["activations"], strict=True):
            model.add(keras.layers.Dense(width, activation=act, kernel_regularizer=reg))
            if s["dropout"] > 0:
                model.add(keras.layers.Dropout(s["dropout"]))
        model.add(keras.layers.Dense(1, activation=setup["out_act"], kernel_regularizer=reg))
        weights: list[np.ndarray] = []
        for w, b in net.get_weights():
            weights += [w.T.copy(), b]
        model.set_weights(weights)
        metrics = ["accuracy"] if s["problem"] == "classification" else []
        model.compile(
            optimizer=keras.optimizers.SGD(learning_rate=setup["lr"]),
            loss=setup["loss"],
            metrics=metrics,
        )
    return model


MODEL_FILENAME = "playground_model.keras"


def model_file(session: Any) -> bytes:
    """The bytes of the model saved with ``model.save``: a Keras 3 ``.keras`` file, which
    ``nnlab.keras.models.load_model`` and Keras 3's ``keras.saving.load_model`` both open."""
    model = keras_model(session)
    with tempfile.TemporaryDirectory(prefix="nnlab-playground-") as tmp:
        path = Path(tmp) / MODEL_FILENAME
        model.save(str(path))
        if not path.is_file():
            raise ProtocolError("the model was saved as a folder, not a single file")
        return path.read_bytes()


def export_message(session: Any, fmt: str) -> dict[str, Any]:
    """The ``export`` message for the page: a script (text) or a model file (base64)."""
    if fmt == "keras":
        return {
            "type": "export",
            "format": "keras",
            "filename": "playground_model.py",
            "mime": "text/x-python",
            "text": keras_script(session),
        }
    data = model_file(session)
    return {
        "type": "export",
        "format": "model",
        "filename": MODEL_FILENAME,
        "mime": "application/octet-stream",
        "base64": base64.b64encode(data).decode("ascii"),
    }
