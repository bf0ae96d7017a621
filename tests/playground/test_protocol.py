"""The playground's message validation and CSV parsing."""

from __future__ import annotations

import json

import pytest

from nnlab.playground import protocol
from nnlab.playground.protocol import ProtocolError, parse_csv, parse_message, validate_settings


def msg(obj: object) -> str:
    return json.dumps(obj)


def test_defaults_validate_as_they_are() -> None:
    assert validate_settings(protocol.DEFAULTS) == protocol.DEFAULTS


def test_good_messages_parse() -> None:
    assert parse_message(msg({"type": "play"})) == {"type": "play"}
    out = parse_message(
        msg({"type": "settings", "settings": {"networkShape": [8, 8], "noise": 10}})
    )
    assert out["settings"] == {"networkShape": [8, 8], "noise": 10}
    out = parse_message(msg({"type": "set_weight", "layer": 0, "to": 1, "from": 0, "value": 0.5}))
    assert out == {"type": "set_weight", "layer": 0, "to": 1, "from": 0, "value": 0.5}
    assert parse_message(msg({"type": "export", "format": "keras"}))["format"] == "keras"


def test_features_are_put_in_display_order() -> None:
    assert validate_settings({"features": ["sinY", "x"]})["features"] == ["x", "sinY"]


@pytest.mark.parametrize(
    "settings, field",
    [
        ({"networkShape": [4] * 9}, "networkShape"),
        ({"networkShape": [33]}, "networkShape"),
        ({"networkShape": [0]}, "networkShape"),
        ({"networkShape": "4,2"}, "networkShape"),
        ({"networkShape": [True]}, "networkShape"),
        ({"networkShape": [2.5]}, "networkShape"),
        ({"learningRate": float("nan")}, "learningRate"),
        ({"learningRate": 100}, "learningRate"),
        ({"learningRate": "0.03"}, "learningRate"),
        ({"noise": 51}, "noise"),
        ({"percTrainData": 5}, "percTrainData"),
        ({"batchSize": 0}, "batchSize"),
        ({"batchSize": 10**30}, "batchSize"),
        ({"dataset": "moons"}, "dataset"),
        ({"activation": "gelu"}, "activation"),
        ({"activations": ["tanh", "swish"]}, "activations"),
        ({"features": []}, "features"),
        ({"features": ["x", "cosX"]}, "features"),
        ({"dropout": 0.95}, "dropout"),
        ({"maxEpochs": -1}, "maxEpochs"),
        ({"regularization": "L3"}, "regularization"),
        ({"seed": -4}, "seed"),
        ({"__proto__": 1}, "unknown setting"),
    ],
)
def test_bad_settings_name_the_field(settings: dict, field: str) -> None:
    with pytest.raises(ProtocolError, match=field):
        validate_settings(settings)


@pytest.mark.parametrize(
    "text, words",
    [
        ("not json", "not valid JSON"),
        ("[1, 2]", "JSON object"),
        ('{"type": "fly"}', "unknown message type"),
        ("{}", "unknown message type"),
        ('{"type": "settings", "settings": 3}', "settings must be an object"),
        ('{"type": "export", "format": "exe"}', "format"),
        ('{"type": "upload"}', "csv"),
        ('{"type": "set_weight", "layer": 0, "to": 0, "from": 0, "value": 1e300}', "value"),
        ("[" * 100_000 + "]" * 100_000, "JSON"),
        ('{"type": "play", "x": "' + "a" * 1_100_000 + '"}', "too large"),
    ],
)
def test_bad_messages_raise_protocol_errors(text: str, words: str) -> None:
    with pytest.raises(ProtocolError, match=words):
        parse_message(text)


def test_binary_message_is_rejected() -> None:
    with pytest.raises(ProtocolError, match="JSON text"):
        parse_message(b'{"type": "play"}')


def test_csv_classification_with_header_and_01_labels() -> None:
    text = "x,y,label\n1,2,1\n-1,-2,0\n3;3;1\n-3\t-3\t0\n# a comment\n"
    points, labels, problem = parse_csv(text)
    assert problem == "classification"
    assert points == [(1.0, 2.0), (-1.0, -2.0), (3.0, 3.0), (-3.0, -3.0)]
    assert labels == [1.0, -1.0, 1.0, -1.0]


def test_csv_real_labels_make_regression() -> None:
    text = "\n".join(f"{i / 10},{-i / 10},{i / 20}" for i in range(10))
    _, labels, problem = parse_csv(text)
    assert problem == "regression"
    assert labels[3] == pytest.approx(0.15)


@pytest.mark.parametrize(
    "text, words",
    [
        ("1,2\n3,4\n", "line 1: expected 3 columns"),
        ("1,2,1\n1,2,1\n1,2,1\n1,nan,1\n", "line 4: y must be finite"),
        ("1,2,1\n1,2,1\n1,2,1\n1,abc,1\n", "line 4: y 'abc' is not a number"),
        ("1,2,1\n7,2,1\n", r"outside \[-6, 6\]"),
        ("1,2,1\n", "at least 4 points"),
        ("\n".join(["0,0,1"] * 2001), "at most 2000 points"),
    ],
)
def test_bad_csv_says_where(text: str, words: str) -> None:
    with pytest.raises(ProtocolError, match=words):
        parse_csv(text)


def test_lenient_settings_keep_the_good_keys() -> None:
    text = msg({"type": "settings", "lenient": True, "settings": {"noise": 10, "batchSize": -3}})
    out = parse_message(text)
    assert out["settings"] == {"noise": 10}
    assert len(out["ignored"]) == 1 and "batchSize" in out["ignored"][0]
