"""Who may talk to the playground: DNS rebinding is refused (HTTP and WebSocket, through the test
client and over a real socket), other origins are refused, and the security headers are sent."""

from __future__ import annotations

import socket

import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from nnlab.playground.security import is_loopback, same_host, split_host
from nnlab.playground.server import create_app

from .live import live_server, sessions

EVIL = "evil.example:8000"


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(host="mybox.lan")) as c:
        yield c


def test_split_host() -> None:
    assert split_host("LocalHost:8000") == ("localhost", 8000)
    assert split_host("127.0.0.1") == ("127.0.0.1", None)
    assert split_host("[::1]:8000") == ("::1", 8000)
    for bad in ("", "::1", "a b", "host:99999", "host:port", "x/y", "[::1", "h:1:2"):
        assert split_host(bad) is None, bad


def test_loopback_and_same_host() -> None:
    for host in ("localhost", "127.0.0.1", "127.8.9.10", "::1", "[::1]"):
        assert is_loopback(host), host
    for host in ("0.0.0.0", "::", "10.0.0.1", "localhost.evil.example", "evil.example"):
        assert not is_loopback(host), host
    assert same_host("::1", "[::1]") and same_host("MyBox", "mybox")
    assert not same_host("127.0.0.1", "127.0.0.2") and not same_host("mybox", "127.0.0.1")


@pytest.mark.parametrize(
    "host",
    ["localhost", "localhost:8000", "127.0.0.1:8000", "127.3.2.1", "[::1]:8000", "mybox.lan"],
)
def test_loopback_and_bound_hosts_get_the_page(client: TestClient, host: str) -> None:
    assert client.get("/", headers={"host": host}).status_code == 200


@pytest.mark.parametrize(
    "host", [EVIL, "evil.example", "localhost.evil.example", "10.1.2.3:8000", "", "a b"]
)
def test_other_hosts_are_refused(client: TestClient, host: str) -> None:
    for path in ("/", "/static/app.js", "/healthz"):
        response = client.get(path, headers={"host": host, "origin": f"http://{host}"})
        assert response.status_code == 400
        assert "Host" in response.text


def test_rebinding_websocket_is_refused_before_a_session_exists(client: TestClient) -> None:
    headers = {"host": EVIL, "origin": f"http://{EVIL}"}
    with (
        pytest.raises(WebSocketDisconnect) as info,
        client.websocket_connect("/ws", headers=headers),
    ):
        pass
    assert info.value.code == 1008
    assert client.get("/healthz").json()["sessions"] == 0


@pytest.mark.parametrize(
    "origin",
    [
        "http://evil.example",
        "http://127.0.0.1:9999",  # another local page (another port)
        "null",  # a sandboxed frame, a file
        "ftp://127.0.0.1:8000",
    ],
)
def test_websocket_from_another_origin_is_refused(client: TestClient, origin: str) -> None:
    headers = {"host": "127.0.0.1:8000", "origin": origin}
    with (
        pytest.raises(WebSocketDisconnect) as info,
        client.websocket_connect("/ws", headers=headers),
    ):
        pass
    assert info.value.code == 1008


@pytest.mark.parametrize("origin", ["http://127.0.0.1:8000", "https://127.0.0.1:8000", None])
def test_own_origin_and_no_origin_get_a_session(client: TestClient, origin: str | None) -> None:
    headers = {"host": "127.0.0.1:8000", **({"origin": origin} if origin else {})}
    with client.websocket_connect("/ws", headers=headers) as ws:
        assert ws.receive_json()["type"] == "hello"


def test_security_headers(client: TestClient) -> None:
    page = client.get("/", headers={"host": "127.0.0.1:8000"})
    csp = page.headers["content-security-policy"]
    assert "connect-src 'self' ws://127.0.0.1:8000;" in csp
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "no-referrer"
    script = client.get("/static/app.js", headers={"host": "localhost:8000"})
    assert script.headers["x-content-type-options"] == "nosniff"
    assert "ws://localhost:8000" in script.headers["content-security-policy"]


def test_rebinding_over_a_real_socket() -> None:
    """What an attacker's page does after re-pointing evil.example at 127.0.0.1."""
    with live_server(create_app()) as port:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            request = f"GET / HTTP/1.1\r\nHost: evil.example:{port}\r\nConnection: close\r\n\r\n"
            sock.sendall(request.encode())
            assert sock.recv(100).startswith(b"HTTP/1.1 400")
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        with pytest.raises(InvalidStatus) as info:
            connect(
                f"ws://evil.example:{port}/ws",
                sock=sock,
                origin=f"http://evil.example:{port}",  # type: ignore[arg-type]
                open_timeout=10,
            )
        assert info.value.response.status_code == 403
        assert sessions(port) == 0
        with connect(f"ws://127.0.0.1:{port}/ws", open_timeout=10) as ws:
            assert '"hello"' in str(ws.recv(timeout=10))
