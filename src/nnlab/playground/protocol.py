"""The WebSocket protocol between the page and a training session, and its validation.

Every message is one JSON object with a ``"type"``. From the page:

- ``{"type": "settings", "settings": {...}}``: change some settings (keys of :data:`DEFAULTS`);
  with ``"lenient": true`` (a shared link) bad keys are skipped and reported instead;
- ``{"type": "play"}``, ``"pause"``, ``"step"`` (one epoch), ``"reset"`` (new weights),
  ``"regenerate"`` (new seed, new points);
- ``{"type": "upload", "csv": "x,y,label\\n..."}``: own 2-D points (see :func:`parse_csv`);
- ``{"type": "set_weight", "layer": l, "to": j, "from": i, "value": v}`` and
  ``{"type": "set_bias", "layer": l, "neuron": j, "value": v}``: edit the network by hand;
- ``{"type": "export", "format": "keras" | "model"}``: the network as a script or a model file;
- ``{"type": "ping"}``.

To the page: ``hello`` (settings, limits, dataset previews), ``data`` (the points), ``frame`` (the
state after some epochs), ``export``, ``error`` (a bad message; the session keeps running),
``notice``, ``diverged`` (training blew up and paused: ``epoch``, ``message``) and ``closing``.
:func:`parse_message` turns raw text into a checked :class:`dict` or raises
:class:`ProtocolError` with a message that names the offending field; :func:`encode_message`
writes a message as strict JSON.
"""

from __future__ import annotations

import json
import math
from typing import Any

from nnlab.playground.network import ACTIVATIONS, FEATURES

#: Bounds: the largest message, the network, the data.
MAX_MESSAGE_CHARS = 1_000_000
MAX_UPLOAD_CHARS = 500_000
MAX_UPLOAD_POINTS = 2_000
MIN_UPLOAD_POINTS = 4
MAX_LAYERS = 8
MAX_NEURONS = 32
MAX_BATCH = 100
MAX_EPOCH_LIMIT = 1_000_000
COORD_LIMIT = 6.0
MAX_LENIENT_KEYS = 64

LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
REG_RATES = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
DATASET_NAMES = ("circle", "xor", "gauss", "spiral", "reg-plane", "reg-gauss", "upload")
FEATURE_NAMES = tuple(name for name, _ in FEATURES)

#: The settings of a session and their defaults (TensorFlow Playground's, plus loss, dropout,
#: per-layer activations and an epoch limit). Key names follow the Playground's URL hash.
DEFAULTS: dict[str, Any] = {
    "dataset": "circle",
    "problem": "classification",
    "noise": 0,
    "percTrainData": 50,
    "batchSize": 10,
    "seed": 1,
    "learningRate": 0.03,
    "activation": "tanh",
    "activations": ["tanh", "tanh"],
    "regularization": "none",
    "regularizationRate": 0.0,
    "networkShape": [4, 2],
    "features": ["x", "y"],
    "loss": "ce",
    "dropout": 0.0,
    "maxEpochs": 0,
}

#: Settings whose change keeps the current weights (the Playground resets on everything else
#: except the learning rate; these only change how later steps are taken).
KEEP_NETWORK = frozenset(
    {"learningRate", "regularization", "regularizationRate", "batchSize", "dropout", "maxEpochs"}
)
#: Settings whose change regenerates the points.
NEW_DATA = frozenset({"dataset", "problem", "noise", "percTrainData", "seed"})

MESSAGE_TYPES = frozenset(
    {
        "settings",
        "play",
        "pause",
        "step",
        "reset",
        "regenerate",
        "upload",
        "set_weight",
        "set_bias",
        "export",
        "ping",
    }
)


class ProtocolError(ValueError):
    """A message from the page that cannot be used; its text goes back in an ``error`` message."""


def _int(key: str, value: Any, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ProtocolError(f"{key} must be an integer in [{lo}, {hi}], got {value!r:.40}")
    if isinstance(value, float) and (not math.isfinite(value) or value != int(value)):
        raise ProtocolError(f"{key} must be an integer in [{lo}, {hi}], got {value!r}")
    if not lo <= value <= hi:
        raise ProtocolError(f"{key} must be in [{lo}, {hi}], got {value!r:.40}")
    return int(value)


def _float(key: str, value: Any, lo: float, hi: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ProtocolError(f"{key} must be a finite number in [{lo}, {hi}], got {value!r:.40}")
    if not lo <= value <= hi:  # also refuses NaN, ±inf and integers past float's range
        raise ProtocolError(f"{key} must be in [{lo}, {hi}], got {value!r:.40}")
    return float(value)


def _choice(key: str, value: Any, choices: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise ProtocolError(f"{key} must be one of {list(choices)}, got {value!r:.40}")
    return value


def _list(key: str, value: Any, max_len: int) -> list[Any]:
    if not isinstance(value, list) or len(value) > max_len:
        raise ProtocolError(f"{key} must be a list of at most {max_len} items, got {value!r:.60}")
    return value


def validate_settings(raw: Any) -> dict[str, Any]:
    """Check a partial settings object; returns the cleaned values (unknown keys are errors)."""
    if not isinstance(raw, dict):
        raise ProtocolError(f"settings must be an object, got {type(raw).__name__}")
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in DEFAULTS:
            raise ProtocolError(f"unknown setting {key!r:.40}; known: {sorted(DEFAULTS)}")
        if key == "dataset":
            out[key] = _choice(key, value, DATASET_NAMES)
        elif key == "problem":
            out[key] = _choice(key, value, ("classification", "regression"))
        elif key == "noise":
            out[key] = _int(key, value, 0, 50)
        elif key == "percTrainData":
            out[key] = _int(key, value, 10, 90)
        elif key == "batchSize":
            out[key] = _int(key, value, 1, MAX_BATCH)
        elif key == "seed":
            out[key] = _int(key, value, 0, 2**31 - 1)
        elif key == "learningRate":
            out[key] = _float(key, value, 1e-6, 10.0)
        elif key == "activation":
            out[key] = _choice(key, value, ACTIVATIONS)
        elif key == "activations":
            out[key] = [_choice(key, a, ACTIVATIONS) for a in _list(key, value, MAX_LAYERS)]
        elif key == "regularization":
            out[key] = _choice(key, value, ("none", "L1", "L2"))
        elif key == "regularizationRate":
            out[key] = _float(key, value, 0.0, 10.0)
        elif key == "networkShape":
            out[key] = [_int(key, n, 1, MAX_NEURONS) for n in _list(key, value, MAX_LAYERS)]
        elif key == "features":
            names = [_choice(key, f, FEATURE_NAMES) for f in _list(key, value, len(FEATURE_NAMES))]
            if not names:
                raise ProtocolError("features: switch on at least one input feature")
            out[key] = [f for f in FEATURE_NAMES if f in names]
        elif key == "loss":
            out[key] = _choice(key, value, ("ce", "mse"))
        elif key == "dropout":
            out[key] = _float(key, value, 0.0, 0.9)
        elif key == "maxEpochs":
            out[key] = _int(key, value, 0, MAX_EPOCH_LIMIT)
    return out


def validate_lenient(raw: dict[str, Any]) -> dict[str, Any]:
    """Check settings key by key (for a shared link): ``{"settings": good, "ignored": [errors]}``.

    At most :data:`MAX_LENIENT_KEYS` keys are looked at; the rest are ignored.
    """
    good: dict[str, Any] = {}
    ignored: list[str] = []
    for i, (key, value) in enumerate(raw.items()):
        if i >= MAX_LENIENT_KEYS:
            ignored.append(f"{len(raw) - i} more keys")
            break
        try:
            good.update(validate_settings({key: value}))
        except ProtocolError as exc:
            ignored.append(str(exc))
    return {"settings": good, "ignored": ignored}


def parse_message(text: Any) -> dict[str, Any]:
    """Parse and check one message from the page. Raises :class:`ProtocolError` when it is bad."""
    if not isinstance(text, str):
        raise ProtocolError("messages must be JSON text, not binary")
    if len(text) > MAX_MESSAGE_CHARS:
        raise ProtocolError(f"message too large ({len(text)} > {MAX_MESSAGE_CHARS} characters)")
    try:
        msg = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ProtocolError(f"message is not valid JSON: {str(exc):.80}") from None
    if not isinstance(msg, dict):
        raise ProtocolError(f"a message must be a JSON object, got {type(msg).__name__}")
    kind = msg.get("type")
    if not isinstance(kind, str) or kind not in MESSAGE_TYPES:
        raise ProtocolError(f"unknown message type {kind!r:.40}; known: {sorted(MESSAGE_TYPES)}")
    if kind == "settings":
        raw = msg.get("settings")
        if msg.get("lenient") is True and isinstance(raw, dict):
            return {"type": kind, **validate_lenient(raw)}
        return {"type": kind, "settings": validate_settings(raw), "ignored": []}
    if kind == "upload":
        csv = msg.get("csv")
        if not isinstance(csv, str):
            raise ProtocolError("upload: 'csv' must be the file's text")
        if len(csv) > MAX_UPLOAD_CHARS:
            raise ProtocolError(f"upload: file too large ({len(csv)} > {MAX_UPLOAD_CHARS} chars)")
        return {"type": kind, "csv": csv}
    if kind == "set_weight":
        return {
            "type": kind,
            "layer": _int("layer", msg.get("layer"), 0, MAX_LAYERS),
            "to": _int("to", msg.get("to"), 0, MAX_NEURONS),
            "from": _int("from", msg.get("from"), 0, MAX_NEURONS),
            "value": _float("value", msg.get("value"), -100.0, 100.0),
        }
    if kind == "set_bias":
        return {
            "type": kind,
            "layer": _int("layer", msg.get("layer"), 0, MAX_LAYERS),
            "neuron": _int("neuron", msg.get("neuron"), 0, MAX_NEURONS),
            "value": _float("value", msg.get("value"), -100.0, 100.0),
        }
    if kind == "export":
        return {"type": kind, "format": _choice("format", msg.get("format"), ("keras", "model"))}
    return {"type": kind}


def encode_message(msg: dict[str, Any]) -> str:
    """A message to the page as strict JSON text. NaN and ±inf raise ``ValueError``: the
    browser's ``JSON.parse`` rejects them, so a non-finite value that slips through must fail
    here, loudly, not freeze the page."""
    return json.dumps(msg, allow_nan=False, separators=(",", ":"))


def _cell(text: str, row: int, column: str) -> float:
    try:
        value = float(text)
    except ValueError:
        shown = f"{text.strip()!r:.20}"
        raise ProtocolError(f"upload: line {row}: {column} {shown} is not a number") from None
    if not math.isfinite(value):
        raise ProtocolError(f"upload: line {row}: {column} must be finite, got {text.strip()!r}")
    return value


def parse_csv(text: str) -> tuple[list[tuple[float, float]], list[float], str]:
    """Parse uploaded points: lines ``x,y,label`` (commas, semicolons or tabs; an optional header).

    x and y must lie in [-6, 6] (the plotted square); 4..2000 points. Labels that are all -1/+1
    or 0/1 make a classification set (0 becomes -1); any other finite labels a regression set.
    Returns ``(points, labels, problem)``.
    """
    points: list[tuple[float, float]] = []
    labels: list[float] = []
    for row, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        cells = line.replace(";", ",").replace("\t", ",").split(",")
        if len(cells) != 3:
            raise ProtocolError(
                f"upload: line {row}: expected 3 columns x,y,label, got {len(cells)}"
            )
        if not points and not labels and _is_header(cells):
            continue
        x, y = _cell(cells[0], row, "x"), _cell(cells[1], row, "y")
        label = _cell(cells[2], row, "label")
        if abs(x) > COORD_LIMIT or abs(y) > COORD_LIMIT:
            raise ProtocolError(
                f"upload: line {row}: point ({x:g}, {y:g}) lies outside [-6, 6]²; rescale the data"
            )
        if len(points) >= MAX_UPLOAD_POINTS:
            raise ProtocolError(f"upload: at most {MAX_UPLOAD_POINTS} points, the file has more")
        points.append((x, y))
        labels.append(label)
    if len(points) < MIN_UPLOAD_POINTS:
        raise ProtocolError(f"upload: need at least {MIN_UPLOAD_POINTS} points, got {len(points)}")
    distinct = set(labels)
    if distinct <= {-1.0, 1.0} or distinct <= {0.0, 1.0}:
        return points, [1.0 if v > 0 else -1.0 for v in labels], "classification"
    return points, labels, "regression"


def _is_header(cells: list[str]) -> bool:
    try:
        [float(c) for c in cells]
    except ValueError:
        return True
    return False
