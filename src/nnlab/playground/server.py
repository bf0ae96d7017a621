"""The playground's web server: a Starlette ASGI app under uvicorn.

``GET /`` serves the page, ``/static/...`` its script and style, ``/healthz`` a small JSON status;
``/ws`` is the WebSocket of one training session per browser tab. Training runs in worker threads
(a shared pool), a few epochs per frame, so the event loop stays free to serve every tab. While a
session plays it sends about ``fps`` frames a second. A tab that closes ends its session; a
session with no message from its page for ``idle_timeout`` seconds is closed; at most
``max_sessions`` run at once. A send that does not complete within ``send_timeout`` seconds (a
client that stopped reading) ends the session: its tasks stop and its slot is freed at once.
Requests for other host names (DNS rebinding) and WebSocket connections from other web origins
are refused, see :mod:`nnlab.playground.security`. Messages go out as strict JSON (no NaN).
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import threading
import time
import webbrowser
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket, WebSocketDisconnect

from nnlab.datasets import playground as pg_data
from nnlab.playground import export, protocol
from nnlab.playground.network import ACTIVATIONS, FEATURES
from nnlab.playground.protocol import ProtocolError
from nnlab.playground.security import HostGuard, is_loopback
from nnlab.playground.session import Session

STATIC = Path(__file__).with_name("static")
log = logging.getLogger("nnlab.playground")


def dataset_previews(n: int = 120) -> dict[str, list[list[float]]]:
    """A few clean points of each data set (seed 0), for the page's data set buttons."""
    out = {}
    for name in pg_data.DATASETS:
        points, labels = pg_data.generate(name, noise=0.0, seed=0)
        idx = np.random.default_rng(0).choice(len(points), n, replace=False)
        out[name] = np.round(np.column_stack([points[idx], labels[idx]]), 2).tolist()
    return out


def limits() -> dict[str, Any]:
    """The bounds the page shows and enforces (the server enforces them again), and the lists
    it offers (features, activations, data sets): the page repeats none of them."""
    return {
        "maxLayers": protocol.MAX_LAYERS,
        "maxNeurons": protocol.MAX_NEURONS,
        "maxBatch": protocol.MAX_BATCH,
        "maxUploadPoints": protocol.MAX_UPLOAD_POINTS,
        "maxUploadChars": protocol.MAX_UPLOAD_CHARS,
        "learningRates": list(protocol.LEARNING_RATES),
        "regularizationRates": list(protocol.REG_RATES),
        "features": [list(f) for f in FEATURES],
        "activations": list(ACTIVATIONS),
        "datasets": {
            "classification": list(pg_data.CLASSIFICATION),
            "regression": list(pg_data.REGRESSION),
        },
    }


class SendTimeout(Exception):
    """A message could not be sent within ``send_timeout`` seconds: the client stopped reading."""


#: How a connection ends without it being the server's fault.
GONE = (WebSocketDisconnect, RuntimeError, SendTimeout)


class Connection:
    """One WebSocket and its :class:`Session`: a receive loop and a training loop (two tasks;
    when either ends, the other is cancelled)."""

    def __init__(self, ws: WebSocket, app: Starlette) -> None:
        self.ws, self.app = ws, app
        self.session = Session()
        self.send_lock = asyncio.Lock()
        self.wake = asyncio.Event()
        self.closed = False

    async def run_sync(self, fn: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.app.state.executor, fn, *args)

    async def send(self, msg: dict[str, Any]) -> None:
        """Send one message (strict JSON); raises :class:`SendTimeout` when the client does not
        take it within ``send_timeout`` seconds, after which nothing more is sent."""
        if self.closed:
            return
        await self._bounded(self._send_text(protocol.encode_message(msg)))

    async def _send_text(self, text: str) -> None:
        async with self.send_lock:
            if not self.closed:
                await self.ws.send_text(text)

    async def _bounded(self, step: Any) -> None:
        timeout = self.app.state.send_timeout
        try:
            await asyncio.wait_for(step, timeout)
        except asyncio.TimeoutError:
            self.closed = True
            raise SendTimeout(f"the client took no data for {timeout:g} s") from None

    async def run(self) -> None:
        tasks = [asyncio.create_task(self.talk()), asyncio.create_task(self.train_loop())]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            self.closed = True
            self.session.playing = False
            for task in tasks:
                task.cancel()
            await asyncio.wait(tasks)  # never raises the tasks' errors, only our cancellation
        for task in tasks:
            error = None if task.cancelled() else task.exception()
            if isinstance(error, SendTimeout):
                log.warning("playground: session ended: %s", error)
            elif error is not None and not isinstance(error, GONE):
                raise error  # a bug (e.g. a NaN in a message): fail loudly

    async def talk(self) -> None:
        """Greet the page, then answer its messages until it leaves or idles out."""
        await self.send(
            {
                "type": "hello",
                "settings": self.session.settings,
                "limits": limits(),
                "previews": self.app.state.previews,
            }
        )
        await self.send(await self.run_sync(self.session.data_message))
        await self.send(await self.run_sync(self.session.frame))
        await self.receive_loop()

    async def receive_loop(self) -> None:
        idle = self.app.state.idle_timeout
        while True:
            try:
                event = await asyncio.wait_for(self.ws.receive(), timeout=idle)
            except asyncio.TimeoutError:
                await self.send({"type": "closing", "reason": f"no activity for {idle:g} s"})
                await self._bounded(self.ws.close(code=1000))
                return
            if event["type"] == "websocket.disconnect":
                return
            self.session.last_active = time.monotonic()
            text = event.get("text")
            if text is None:
                await self.send({"type": "error", "message": "messages must be JSON text"})
                continue
            try:
                msg = protocol.parse_message(text)
                await self.handle(msg)
            except ProtocolError as exc:
                await self.send({"type": "error", "message": str(exc)})
            except GONE:
                raise
            except Exception as exc:  # never let one message take the server down
                log.exception("playground: message failed")
                await self.send({"type": "error", "message": f"internal error: {exc!r:.200}"})

    def _check_trainable(self) -> None:
        s = self.session
        if s.diverged:
            raise ProtocolError(f"{s.divergence_message()} (then press play)")
        if s.limit_reached():
            raise ProtocolError(
                f"the epoch limit ({s.settings['maxEpochs']}) is reached: raise it or reset"
            )

    async def report_divergence(self, was_diverged: bool) -> None:
        """Tell the page (once) that training diverged and paused."""
        s = self.session
        if s.diverged and not was_diverged:
            msg = {"type": "diverged", "epoch": s.epoch, "message": s.divergence_message()}
            await self.send(msg)

    async def handle(self, msg: dict[str, Any]) -> None:
        s = self.session
        kind = msg["type"]
        if kind == "ping":
            await self.send({"type": "pong"})
            return
        if kind == "play":
            self._check_trainable()
            s.playing = True
            self.wake.set()
            return
        if kind == "pause":
            s.playing = False
        elif kind == "step":
            s.playing = False
            self._check_trainable()
            await self.run_sync(s.train_epoch)
            await self.report_divergence(False)
        elif kind == "reset":
            await self.run_sync(s.reset)
        elif kind == "regenerate":
            await self.run_sync(s.regenerate)
            await self.send(await self.run_sync(s.data_message))
        elif kind == "settings":
            playing = s.playing
            new_data, new_net = await self.run_sync(s.update, msg["settings"])
            if new_data:
                await self.send(await self.run_sync(s.data_message))
            if msg["ignored"]:
                text = "; ".join(msg["ignored"])
                await self.send({"type": "error", "message": f"ignored settings: {text:.400}"})
            if s.notice:
                await self.send({"type": "notice", "message": s.notice})
                s.notice = None
            if new_net and playing:  # keep playing across a reset, as the Playground does
                s.playing = True
                self.wake.set()
        elif kind == "upload":
            await self.run_sync(s.load_csv, msg["csv"])
            n = len(s.train_y) + len(s.test_y)
            text = f"loaded {n} points ({s.settings['problem']})"
            await self.send({"type": "notice", "message": text})
            await self.send(await self.run_sync(s.data_message))
        elif kind == "set_weight":
            await self.run_sync(s.set_weight, msg["layer"], msg["to"], msg["from"], msg["value"])
        elif kind == "set_bias":
            await self.run_sync(s.set_bias, msg["layer"], msg["neuron"], msg["value"])
        elif kind == "export":
            await self.send(await self.run_sync(export.export_message, s, msg["format"]))
            return
        await self.send(await self.run_sync(s.frame))

    async def train_loop(self) -> None:
        state = self.app.state
        interval = 1.0 / state.fps
        while not self.closed:
            await self.wake.wait()
            self.wake.clear()
            while self.session.playing and not self.closed:
                started = time.perf_counter()
                was_diverged = self.session.diverged
                try:
                    frame = await self.run_sync(self._train_frame)
                except Exception as exc:  # a failed step pauses this session, not the server
                    log.exception("playground: training failed")
                    self.session.playing = False
                    await self.send({"type": "error", "message": f"training stopped: {exc!r:.200}"})
                    frame = await self.run_sync(self.session.frame)
                await self.report_divergence(was_diverged)
                await self.send(frame)
                rest = interval - (time.perf_counter() - started)
                await asyncio.sleep(max(rest, 0.0))

    def _train_frame(self) -> dict[str, Any]:
        s = self.session
        with s.lock:
            if s.playing:
                s.train_for(self.app.state.slice_seconds, self.app.state.epochs_per_frame)
            return s.frame()


async def _index(request: Request) -> Response:
    return FileResponse(STATIC / "index.html")  # HostGuard adds the CSP and the other headers


async def _health(request: Request) -> Response:
    return JSONResponse({"ok": True, "sessions": len(request.app.state.connections)})


async def _ws(ws: WebSocket) -> None:
    app = ws.app
    await ws.accept()  # HostGuard has checked the Host and the Origin
    if len(app.state.connections) >= app.state.max_sessions:
        await ws.send_json({"type": "closing", "reason": "too many sessions; try again later"})
        await ws.close(code=1013)
        return
    conn = Connection(ws, app)
    app.state.connections.add(conn)
    try:
        await conn.run()
    finally:
        app.state.connections.discard(conn)


def create_app(
    *,
    host: str = "127.0.0.1",
    idle_timeout: float = 900.0,
    send_timeout: float = 15.0,
    max_sessions: int = 32,
    fps: float = 30.0,
    epochs_per_frame: int = 3,
    slice_seconds: float = 0.03,
    workers: int = 4,
) -> Starlette:
    """The playground ASGI app.

    Args:
        host: the address or name the server is bound to; requests may name it in ``Host``
            (besides loopback names and the address they reached, see
            :mod:`nnlab.playground.security`).
        idle_timeout: seconds without a message from a page before its session is closed.
        send_timeout: seconds a message may wait for a client that does not read before its
            session is ended and its slot freed.
        max_sessions: the most sessions (tabs) served at once; more are refused politely.
        fps: the frame rate aimed at while playing (frames a second per session).
        epochs_per_frame: the most epochs trained between two frames.
        slice_seconds: stop adding epochs to a frame after this much training time.
        workers: threads of the pool that trains every session.
    """
    app = Starlette(
        routes=[
            Route("/", _index),
            Route("/healthz", _health),
            WebSocketRoute("/ws", _ws),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ],
        middleware=[Middleware(HostGuard, bound_host=host)],
    )
    app.state.idle_timeout = float(idle_timeout)
    app.state.send_timeout = float(send_timeout)
    app.state.max_sessions = int(max_sessions)
    app.state.fps = float(fps)
    app.state.epochs_per_frame = int(epochs_per_frame)
    app.state.slice_seconds = float(slice_seconds)
    app.state.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="playground")
    app.state.connections = set()
    app.state.previews = dataset_previews()
    return app


def page_url(host: str, port: int) -> str:
    """The address to open for a server bound to ``host:port``: an IPv6 address in brackets,
    a wildcard bind (0.0.0.0, ::) as this machine's loopback address."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return f"http://{host}:{port}/"
    if address.is_unspecified:
        address = ipaddress.ip_address("127.0.0.1" if address.version == 4 else "::1")
    shown = f"[{address}]" if address.version == 6 else str(address)
    return f"http://{shown}:{port}/"


def serve(host: str = "127.0.0.1", port: int = 8000, open_browser: bool = False) -> None:
    """Run the playground until interrupted; prints the URL (and opens it when asked), with a
    warning when the address is not a loopback one."""
    host = host.strip("[]")  # "[::1]" as written in a URL
    url = page_url(host, port)
    if not is_loopback(host):
        print(
            f"warning: listening on {host}: anyone who can reach this machine on port {port} "
            "can use the playground"
        )
    print(f"nnlab playground: {url}  (Ctrl+C to stop)", flush=True)
    if open_browser:
        threading.Timer(1.0, webbrowser.open, (url,)).start()
    uvicorn.run(
        create_app(host=host),
        host=host,
        port=port,
        log_level="warning",
        ws_max_size=2 * protocol.MAX_MESSAGE_CHARS,
        ws_ping_interval=20.0,
        ws_ping_timeout=20.0,
    )
