"""The playground's HTTP routes and WebSocket protocol, through Starlette's test client."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect
from websockets.sync.client import connect

from nnlab.playground.server import create_app

from .live import live_server, sessions
from .test_session import DIVERGING


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(create_app()) as c:
        yield c


def receive_until(ws: Any, kind: str, limit: int = 200) -> dict[str, Any]:
    """Read messages until one of type ``kind`` (skipping others, e.g. frames while playing)."""
    for _ in range(limit):
        msg = ws.receive_json()
        if msg["type"] == kind:
            return msg
    raise AssertionError(f"no {kind!r} message in {limit} messages")


def open_session(ws: Any) -> tuple[dict, dict, dict]:
    hello = ws.receive_json()
    data = ws.receive_json()
    frame = ws.receive_json()
    assert (hello["type"], data["type"], frame["type"]) == ("hello", "data", "frame")
    return hello, data, frame


def test_page_and_static_files(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    for element_id in ("play", "step", "reset", "epoch", "train-loss", "test-loss", "heatmap"):
        assert f'id="{element_id}"' in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert "http://" not in page.text and "https://" not in page.text  # nothing from the internet
    for name in ("app.js", "style.css"):
        assert client.get(f"/static/{name}").status_code == 200
    assert client.get("/static/../server.py").status_code == 404
    assert client.get("/healthz").json() == {"ok": True, "sessions": 0}


def test_start_step_and_frame_contents(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        hello, data, frame = open_session(ws)
        assert hello["settings"]["networkShape"] == [4, 2]
        assert set(hello["previews"]) == {
            "circle", "xor", "gauss", "spiral", "reg-plane", "reg-gauss"
        }  # fmt: skip
        limits = hello["limits"]
        assert limits["datasets"]["regression"] == ["reg-plane", "reg-gauss"]
        assert "relu" in limits["activations"] and limits["features"][0] == ["x", "X₁"]
        assert len(data["train"]) == 250 and len(data["test"]) == 250
        assert frame["epoch"] == 0
        assert len(base64.b64decode(frame["heatmap"])) == 100 * 100
        assert [len(layer) for layer in frame["neurons"]] == [4, 2]
        assert len(base64.b64decode(frame["neurons"][0][0])) == 20 * 20
        assert [len(w) for w in frame["weights"]] == [4, 2, 1]
        assert frame["metrics"]["kind"] == "classification"
        assert sum(map(sum, frame["metrics"]["confusion"])) == 250
        ws.send_json({"type": "step"})
        after = receive_until(ws, "frame")
        assert after["epoch"] == 1
        assert [h[0] for h in after["history"]] == [1]


def test_change_settings_rebuilds_network_and_data(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        open_session(ws)
        ws.send_json(
            {"type": "settings", "settings": {"networkShape": [8, 8, 3], "activation": "relu"}}
        )
        frame = receive_until(ws, "frame")
        assert [len(w) for w in frame["weights"]] == [8, 8, 3, 1]
        assert frame["settings"]["activations"] == ["relu", "relu", "relu"]
        ws.send_json({"type": "settings", "settings": {"dataset": "reg-plane", "noise": 10}})
        data = receive_until(ws, "data")
        assert data["problem"] == "regression" and len(data["train"]) == 600
        frame = receive_until(ws, "frame")
        assert frame["metrics"]["kind"] == "regression"
        # the learning rate keeps the weights; features reset them
        ws.send_json({"type": "step"})
        assert receive_until(ws, "frame")["epoch"] == 1
        ws.send_json({"type": "settings", "settings": {"learningRate": 0.1}})
        assert receive_until(ws, "frame")["epoch"] == 1
        ws.send_json({"type": "settings", "settings": {"features": ["x", "y", "xTimesY"]}})
        frame = receive_until(ws, "frame")
        assert frame["epoch"] == 0 and len(frame["weights"][0][0]) == 3


def test_bad_messages_get_errors_and_the_session_lives_on(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        open_session(ws)
        for bad in (
            "garbage",
            '{"type": "settings", "settings": {"networkShape": [1000]}}',
            '{"type": "set_weight", "layer": 7, "to": 0, "from": 0, "value": 1}',
            '{"type": "upload", "csv": "1,2"}',
            "[" * 50_000,
        ):
            ws.send_text(bad)
            assert receive_until(ws, "error")["message"]
        ws.send_bytes(b"\x00\x01")
        assert "JSON text" in receive_until(ws, "error")["message"]
        ws.send_json({"type": "ping"})
        assert receive_until(ws, "pong") == {"type": "pong"}
        ws.send_json({"type": "step"})
        assert receive_until(ws, "frame")["epoch"] == 1


def test_play_streams_frames_and_stops_at_the_epoch_limit(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        open_session(ws)
        ws.send_json({"type": "settings", "settings": {"dataset": "xor", "maxEpochs": 12}})
        receive_until(ws, "frame")
        ws.send_json({"type": "play"})
        epochs = []
        while True:
            frame = receive_until(ws, "frame")
            epochs.append(frame["epoch"])
            if not frame["playing"]:
                break
        assert epochs == sorted(epochs) and epochs[-1] == 12
        ws.send_json({"type": "play"})
        assert "epoch limit" in receive_until(ws, "error")["message"]


def test_upload_and_edit_weights(client: TestClient) -> None:
    csv = "x,y,label\n" + "\n".join(f"{i % 5},{i % 3},{1 if i % 2 else 0}" for i in range(40))
    with client.websocket_connect("/ws") as ws:
        open_session(ws)
        ws.send_json({"type": "upload", "csv": csv})
        assert "loaded 40 points" in receive_until(ws, "notice")["message"]
        data = receive_until(ws, "data")
        assert len(data["train"]) + len(data["test"]) == 40
        frame = receive_until(ws, "frame")
        assert frame["settings"]["dataset"] == "upload"
        ws.send_json({"type": "set_weight", "layer": 1, "to": 1, "from": 3, "value": 2.5})
        assert receive_until(ws, "frame")["weights"][1][1][3] == 2.5


def test_export_keras_script_is_python(client: TestClient, tmp_path: Any) -> None:
    with client.websocket_connect("/ws") as ws:
        open_session(ws)
        ws.send_json({"type": "settings", "settings": {"dropout": 0.1, "regularization": "L2"}})
        receive_until(ws, "frame")
        ws.send_json({"type": "export", "format": "keras"})
        out = receive_until(ws, "export")
    assert out["filename"].endswith(".py")
    source = out["text"]
    compile(source, "export.py", "exec")
    assert "keras.Sequential" in source and "model.set_weights" in source
    keras = pytest.importorskip("nnlab.keras")
    if not hasattr(keras, "Sequential"):
        pytest.skip("nnlab.keras has no Sequential yet: the script compiles but cannot run")
    script = tmp_path / "export.py"
    script.write_text(source)
    run = subprocess.run(
        [sys.executable, str(script), "--epochs", "1"], capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    assert "test:" in run.stdout


def test_refuses_other_origins_and_too_many_sessions() -> None:
    with TestClient(create_app(max_sessions=1)) as client:
        with (
            pytest.raises(WebSocketDisconnect) as info,
            client.websocket_connect("/ws", headers={"origin": "http://evil.example"}) as ws,
        ):
            ws.receive_json()
        assert info.value.code == 1008
        with client.websocket_connect("/ws") as first:
            open_session(first)
            with client.websocket_connect("/ws") as second:
                assert second.receive_json()["type"] == "closing"


def test_idle_session_is_closed() -> None:
    with TestClient(create_app(idle_timeout=0.3)) as client, client.websocket_connect("/ws") as ws:
        open_session(ws)
        assert "no activity" in receive_until(ws, "closing")["reason"]


def test_twenty_sessions_all_keep_training() -> None:
    with TestClient(create_app()) as client, contextlib.ExitStack() as stack:
        sockets = [stack.enter_context(client.websocket_connect("/ws")) for _ in range(20)]
        for ws in sockets:
            open_session(ws)
            ws.send_json({"type": "settings", "settings": {"dataset": "xor", "maxEpochs": 6}})
            receive_until(ws, "frame")
        for ws in sockets:
            ws.send_json({"type": "play"})
        for ws in sockets:
            frame = receive_until(ws, "frame")
            while frame["playing"]:
                frame = receive_until(ws, "frame")
            assert frame["epoch"] == 6
        assert client.get("/healthz").json()["sessions"] == 20


@pytest.mark.parametrize(
    "host, url, warns",
    [
        ("127.0.0.1", "http://127.0.0.1:8123/", False),
        ("127.0.0.2", "http://127.0.0.2:8123/", False),
        ("localhost", "http://localhost:8123/", False),
        ("::1", "http://[::1]:8123/", False),
        ("[::1]", "http://[::1]:8123/", False),
        ("0.0.0.0", "http://127.0.0.1:8123/", True),
        ("::", "http://[::1]:8123/", True),
        ("fe80::1", "http://[fe80::1]:8123/", True),
        ("192.168.1.5", "http://192.168.1.5:8123/", True),
    ],
)
def test_serve_prints_the_url_and_warns_off_loopback(
    monkeypatch, capsys, host: str, url: str, warns: bool
) -> None:
    import uvicorn

    from nnlab.playground import server

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append(kw))
    server.serve(host=host, port=8123)
    out = capsys.readouterr().out
    assert f"nnlab playground: {url} " in out
    assert ("anyone who can reach this machine" in out) == warns
    assert calls[0]["host"] == host.strip("[]") and calls[0]["port"] == 8123


def test_serve_binds_localhost_by_default(monkeypatch, capsys) -> None:
    import uvicorn

    from nnlab.playground import server

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append(kw))
    server.serve(port=8123)
    assert "http://127.0.0.1:8123/" in capsys.readouterr().out
    assert calls[0]["host"] == "127.0.0.1"


def strict_json(text: str) -> dict[str, Any]:
    """Parse a message as the browser's JSON.parse does: NaN and Infinity are errors."""

    def refuse(name: str) -> None:
        raise AssertionError(f"{name} in a message to the page: {text[:200]}")

    return json.loads(text, parse_constant=refuse)


def test_a_diverging_session_sends_strict_json_pauses_and_says_so(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        open_session(ws)
        ws.send_json({"type": "settings", "settings": DIVERGING})
        ws.send_json({"type": "play"})
        for _ in range(500):
            msg = strict_json(ws.receive_text())
            if msg["type"] == "diverged":
                break
        else:
            raise AssertionError("no 'diverged' message")
        assert "training diverged at epoch" in msg["message"]
        frame = strict_json(ws.receive_text())
        assert frame["type"] == "frame" and frame["diverged"] and not frame["playing"]
        ws.send_json({"type": "export", "format": "keras"})
        assert "diverged" in receive_until(ws, "error")["message"]
        ws.send_json({"type": "play"})
        assert "diverged" in receive_until(ws, "error")["message"]
        ws.send_json({"type": "reset"})
        frame = strict_json(ws.receive_text())
        assert frame["type"] == "frame" and not frame["diverged"] and frame["epoch"] == 0


def ws_frame(text: str) -> bytes:
    """One masked (client-to-server) WebSocket text frame."""
    payload = text.encode()
    assert len(payload) < 126
    mask = os.urandom(4)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return bytes([0x81, 0x80 | len(payload)]) + mask + masked


def test_a_client_that_stops_reading_loses_its_slot() -> None:
    """A raw client that plays, then never reads: once the socket buffers are full a send
    waits past ``send_timeout``, the session ends and its slot (the only one) is free again."""
    app = create_app(send_timeout=0.5, max_sessions=1, fps=60)
    with live_server(app) as port, socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.settimeout(10)
        sock.connect(("127.0.0.1", port))
        key = base64.b64encode(os.urandom(16)).decode()
        sock.sendall(
            (
                f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                "Sec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        assert sock.recv(12) == b"HTTP/1.1 101"  # then never read again
        settings = {"networkShape": [32] * 8, "activation": "tanh"}  # ~200 kB frames
        sock.sendall(ws_frame(json.dumps({"type": "settings", "settings": settings})))
        sock.sendall(ws_frame('{"type": "play"}'))
        deadline = time.monotonic() + 60
        while sessions(port) != 1:  # the session starts...
            assert time.monotonic() < deadline, "the session did not start"
            time.sleep(0.02)
        while sessions(port) != 0:  # ...and is dropped
            assert time.monotonic() < deadline, "the stuck session still holds its slot"
            time.sleep(0.1)
        with connect(f"ws://127.0.0.1:{port}/ws", open_timeout=10) as ws:  # the slot is free
            assert strict_json(str(ws.recv(timeout=10)))["type"] == "hello"
