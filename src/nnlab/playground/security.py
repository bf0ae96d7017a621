"""Who may talk to the playground: the Host and Origin checks, and the security headers.

DNS rebinding: a page at ``http://evil.example:8000`` whose name the attacker then points at
127.0.0.1 reaches the local server, and the browser treats it as same-origin with itself: its
requests carry ``Host: evil.example:8000`` and ``Origin: http://evil.example:8000``. The defence
is to answer only requests whose ``Host`` names this machine:

- a loopback name: ``localhost``, any 127.0.0.0/8 address, ``[::1]`` (with or without a port);
- the host the server was bound to (``--host``);
- the address the connection actually reached (``scope["server"]``, from the socket, not from the
  request), so that with ``--host 0.0.0.0`` the machine's LAN address typed in a browser works.

An attacker controls the name in ``Host`` (that is the point of rebinding) but can only make a
browser send a name it resolves: never ``localhost``, never an IP literal it did not type.

``Origin``, when present, must be the request's own origin: ``http(s)://`` + the (checked) Host.
That refuses a page elsewhere (another site, another local port, a sandboxed ``null`` origin)
driving the WebSocket. A request *without* ``Origin`` is allowed: browsers always send it on a
WebSocket handshake (RFC 6455 section 4.1) and on cross-origin requests, so its absence means a
non-browser client (a script, ``curl``, the tests), which runs on a machine that can reach the
port anyway and gains nothing from the page.

Every HTTP response gets ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: no-referrer``,
``X-Frame-Options: DENY`` and a Content-Security-Policy whose ``connect-src`` is the page's own
origin (its WebSocket) and whose ``frame-ancestors`` is ``'none'``.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any
from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_HOST = re.compile(
    r"^(?:\[(?P<ip6>[0-9a-f:.]+)\]|(?P<name>[a-z0-9.-]+))(?::(?P<port>[0-9]{1,5}))?$"
)

#: Everything comes from this origin; scripts and styles from files, never inline.
CSP = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
    "connect-src 'self' {ws}://{host}; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'none'"
)
HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}


def split_host(value: str) -> tuple[str, int | None] | None:
    """``name``, ``name:port``, ``1.2.3.4:port``, ``[::1]:port`` -> (host, port), the host
    lowercased and without brackets; None when the value is not a host (spaces, a path, a bad
    port, an unbracketed IPv6 address)."""
    match = _HOST.match(value.strip().lower())
    if match is None:
        return None
    port = match["port"]
    if port is not None and not 0 < int(port) < 65536:
        return None
    return match["ip6"] or match["name"], None if port is None else int(port)


def _address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def is_loopback(host: str) -> bool:
    """True for ``localhost``, 127.0.0.0/8 and ::1 (brackets allowed)."""
    address = _address(host)
    return host.lower() == "localhost" if address is None else address.is_loopback


def same_host(a: str, b: str) -> bool:
    """Two host names or addresses are the same (``::1`` == ``[::1]``, case-insensitive)."""
    ia, ib = _address(a), _address(b)
    if ia is not None or ib is not None:
        return ia == ib
    return a.lower() == b.lower()


class HostGuard:
    """ASGI middleware: the Host and Origin checks and the response headers (see the module).

    A refused HTTP request gets 400 (bad Host) or 403 (foreign Origin); a refused WebSocket is
    closed with code 1008 before it is accepted (uvicorn answers the handshake with 403), so no
    session is created for it.
    """

    def __init__(self, app: ASGIApp, bound_host: str) -> None:
        self.app = app
        self.bound_host = bound_host

    def host_allowed(self, host: str, scope: Scope) -> bool:
        server = scope.get("server") or (None,)
        trusted = [self.bound_host, *([server[0]] if server[0] else [])]
        return is_loopback(host) or any(same_host(host, t) for t in trusted)

    def refusal(self, scope: Scope) -> tuple[int, str] | None:
        """(status, reason) when the request must be refused, else None."""
        headers = Headers(scope=scope)
        raw = headers.get("host", "")
        parsed = split_host(raw)
        if parsed is None or not self.host_allowed(parsed[0], scope):
            return 400, f"invalid Host header {raw!r:.80}: use http://127.0.0.1 or localhost"
        origin = headers.get("origin")
        if origin is not None:
            parts = urlsplit(origin)
            if parts.scheme not in ("http", "https") or parts.netloc.lower() != raw.lower():
                return 403, f"requests from origin {origin!r:.80} are not allowed"
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        refused = self.refusal(scope)
        if refused is not None:
            if scope["type"] == "websocket":
                reason = refused[1][:120]  # a close reason has at most 123 bytes
                await send({"type": "websocket.close", "code": 1008, "reason": reason})
            else:
                await PlainTextResponse(refused[1], status_code=refused[0])(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await self.app(scope, receive, send)
            return
        await self.app(scope, receive, _with_headers(scope, send))


def _with_headers(scope: Scope, send: Send) -> Send:
    """``send`` that adds the security headers to the response start."""
    host = Headers(scope=scope)["host"].strip().lower()  # checked by HostGuard.refusal
    ws = "wss" if scope.get("scheme") == "https" else "ws"
    extra: dict[str, Any] = {**HEADERS, "content-security-policy": CSP.format(ws=ws, host=host)}

    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableHeaders(scope=message)
            for key, value in extra.items():
                headers[key] = value
        await send(message)

    return send_with_headers
