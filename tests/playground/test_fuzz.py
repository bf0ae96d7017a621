"""Malformed messages: the protocol parser and a live session answer thousands of them with
errors, never crash, and a fresh session still trains afterwards."""

from __future__ import annotations

import json
import random
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from nnlab.playground import protocol
from nnlab.playground.protocol import ProtocolError, parse_message
from nnlab.playground.server import create_app

from .test_server import open_session, receive_until

N_MESSAGES = 2000
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=20,
)
TYPES = st.sampled_from(sorted(protocol.MESSAGE_TYPES)) | st.text(max_size=10)
KEYS = st.sampled_from([*protocol.DEFAULTS, "type", "settings", "lenient", "csv", "format"])


def _parses_or_refuses(text: str) -> None:
    try:
        out = parse_message(text)
    except ProtocolError as exc:
        assert str(exc)
    else:
        assert isinstance(out, dict) and out["type"] in protocol.MESSAGE_TYPES


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=200))
def test_any_text_parses_or_is_refused(text: str) -> None:
    _parses_or_refuses(text)


@settings(max_examples=200, deadline=None)
@given(
    kind=TYPES,
    fields=st.dictionaries(KEYS, JSON_VALUES, max_size=6),
    settings_=st.dictionaries(KEYS, JSON_VALUES, max_size=6),
)
def test_any_json_object_parses_or_is_refused(
    kind: str, fields: dict[str, Any], settings_: dict[str, Any]
) -> None:
    message = {**fields, "type": kind, "settings": settings_}
    _parses_or_refuses(json.dumps(message))


def malformed(rng: random.Random) -> str:
    """One random bad (or occasionally good) message: broken JSON, wrong types, huge numbers,
    unknown keys, deep nesting, huge strings."""
    # not play (it streams frames), export (slow), ping (its pong marks the end of a batch)
    kind = rng.choice(
        [*sorted(protocol.MESSAGE_TYPES - {"play", "export", "ping"}), "nope", 7, None]
    )
    junk: list[Any] = [
        rng.randint(-(10**30), 10**30),
        rng.uniform(-1e308, 1e308),
        "x" * rng.randint(0, 5000),
        [rng.random()] * rng.randint(0, 50),
        {"k" * rng.randint(1, 30): 1},
        None,
        True,
        "",
    ]
    roll = rng.randrange(9)
    if roll == 0:  # not JSON
        return "".join(chr(rng.randint(0, 0x2FFF)) for _ in range(rng.randint(0, 80)))
    if roll == 1:  # a valid message cut short
        text = json.dumps({"type": "settings", "settings": {"noise": 10}})
        return text[: rng.randrange(len(text))]
    if roll == 2:  # deep nesting
        depth = rng.choice([10, 1000, 100_000])
        return (
            '{"type": "settings", "settings": {"networkShape": ' + "[" * depth + "]" * depth + "}}"
        )
    if roll == 3:  # NaN, Infinity and numbers past float
        value = rng.choice(["NaN", "Infinity", "-Infinity", "1e999", "9" * 400])
        return f'{{"type": "set_weight", "layer": 0, "to": 0, "from": 0, "value": {value}}}'
    if roll == 4:  # a huge string
        return json.dumps({"type": kind, "csv": "1,2,3\n" * rng.randint(1, 200_000)})
    if roll == 5:  # unknown or wrongly typed settings
        key = rng.choice([*protocol.DEFAULTS, "bogus", "__proto__"])
        lenient = rng.random() < 0.5
        return json.dumps(
            {"type": "settings", "settings": {key: rng.choice(junk)}, "lenient": lenient}
        )
    if roll == 6:  # not an object
        return json.dumps(rng.choice(junk))
    fields = {
        rng.choice(["layer", "to", "from", "neuron", "value", "format", "x"]): rng.choice(junk)
    }
    return json.dumps({"type": kind, **fields})


def test_a_session_survives_thousands_of_malformed_messages() -> None:
    rng = random.Random(0)
    replies: dict[str, int] = {}
    refused = 0
    with TestClient(create_app()) as client:
        with client.websocket_connect("/ws") as ws:
            open_session(ws)
            for start in range(0, N_MESSAGES, 50):
                for _ in range(50):
                    text = malformed(rng)
                    try:
                        parse_message(text)
                    except ProtocolError:
                        refused += 1
                    ws.send_text(text)
                ws.send_json({"type": "ping"})
                while (msg := ws.receive_json())["type"] != "pong":
                    replies[msg["type"]] = replies.get(msg["type"], 0) + 1
                    if msg["type"] == "error":
                        assert "internal error" not in msg["message"], msg["message"]
                    assert msg["type"] != "closing", (start, msg)
        assert replies["error"] >= refused > N_MESSAGES // 2  # one error per refused message
        with client.websocket_connect("/ws") as fresh:  # a new session trains as usual
            open_session(fresh)
            fresh.send_json({"type": "step"})
            assert receive_until(fresh, "frame")["epoch"] == 1
