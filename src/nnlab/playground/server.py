"""The playground's web server: a Starlette ASGI app under uvicorn.

``GET /`` serves the page, ``/static/...`` its script and style, ``/healthz`` a small JSON status;
``/ws`` is the WebSocket of one training session per browser tab. Training runs in worker threads
(a shared pool), a few epochs per frame, so the event loop stays free to serve every tab. While a
session plays it sends about ``fps`` frames a second. A tab that closes ends its session; a
session with no message from its page for ``idle_timeout`` seconds is closed; at most
``max_sessions`` run at once. WebSocket connections from other web origins are refused (a page
elsewhere on the internet cannot drive a local server).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
import webbrowser
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket, WebSocketDisconnect

from nnlab.datasets import playground as pg_data
from nnlab.playground import export, protocol
from nnlab.playground.network import FEATURES
from nnlab.playground.protocol import ProtocolError
from nnlab.playground.session import Session

STATIC = Path(__file__).with_name("static")
log = logging.getLogger("nnlab.playground")

CSP = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
    "connect-src 'self' ws: wss:; frame-ancestors 'none'"
)


def dataset_previews(n: int = 120) -> dict[str, list[list[float]]]:
    """A few clean points of each data set (seed 0), for the page's data set buttons."""
    out = {}
    for name in pg_data.DATASETS:
        points, labels = pg_data.generate(name, noise=0.0, seed=0)
        idx = np.random.default_rng(0).choice(len(points), n, replace=False)
        out[name] = np.round(np.column_stack([points[idx], labels[idx]]), 2).tolist()
    return out


def limits() -> dict[str, Any]:
    """The bounds the page shows and enforces (the server enforces them again)."""
    return {
        "maxLayers": protocol.MAX_LAYERS,
        "maxNeurons": protocol.MAX_NEURONS,
        "maxBatch": protocol.MAX_BATCH,
        "maxUploadPoints": protocol.MAX_UPLOAD_POINTS,
        "maxUploadChars": protocol.MAX_UPLOAD_CHARS,
        "learningRates": list(protocol.LEARNING_RATES),
        "regularizationRates": list(protocol.REG_RATES),
        "features": [list(f) for f in FEATURES],
    }


class Connection:
    """One WebSocket and its :class:`Session`: a receive loop and a training loop."""

    def __init__(self, ws: WebSocket, app: Starlette) -> None:
        self.ws, self.app = ws, app
        self.session = Session()
        self.send_lock = asyncio.Lock()
        self.wake = asyncio.Event()
        self.closed = False

    async def run_sync(self, fn: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.app.state.executor, fn, *args)

    async def send(self, msg: dict[str, Any]) -> None:
        if self.closed:
            return
        async with self.send_lock:
            await self.ws.send_json(msg)

    async def run(self) -> None:
        trainer = asyncio.create_task(self.train_loop())
        try:
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
        except (WebSocketDisconnect, RuntimeError):
            pass  # the tab went away while we were sending
        finally:
            self.closed = True
            self.session.playing = False
            self.wake.set()
            trainer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await trainer

    async def receive_loop(self) -> None:
        idle = self.app.state.idle_timeout
        while True:
            try:
                event = await asyncio.wait_for(self.ws.receive(), timeout=idle)
            except asyncio.TimeoutError:
                await self.send({"type": "closing", "reason": f"no activity for {idle:g} s"})
                await self.ws.close(code=1000)
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
            except (WebSocketDisconnect, RuntimeError):
                raise
            except Exception as exc:  # never let one message take the server down
                log.exception("playground: message failed")
                await self.send({"type": "error", "message": f"internal error: {exc!r:.200}"})

    async def handle(self, msg: dict[str, Any]) -> None:
        s = self.session
        kind = msg["type"]
        if kind == "ping":
            await self.send({"type": "pong"})
            return
        if kind == "play":
            if s.limit_reached():
                raise ProtocolError(
                    f"the epoch limit ({s.settings['maxEpochs']}) is reached: raise it or reset"
                )
            s.playing = True
            self.wake.set()
            return
        if kind == "pause":
            s.playing = False
        elif kind == "step":
            s.playing = False
            await self.run_sync(s.train_epoch)
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
                try:
                    frame = await self.run_sync(self._train_frame)
                except Exception as exc:  # a failed step pauses this session, not the server
                    log.exception("playground: training failed")
                    self.session.playing = False
                    await self.send({"type": "error", "message": f"training stopped: {exc!r:.200}"})
                    frame = await self.run_sync(self.session.frame)
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
    return FileResponse(STATIC / "index.html", headers={"Content-Security-Policy": CSP})


async def _health(request: Request) -> Response:
    return JSONResponse({"ok": True, "sessions": len(request.app.state.connections)})


def _same_origin(ws: WebSocket) -> bool:
    origin = ws.headers.get("origin")
    if origin is None:
        return True  # not a browser page (scripts, tests)
    return urlsplit(origin).netloc == ws.headers.get("host", "")


async def _ws(ws: WebSocket) -> None:
    app = ws.app
    if not _same_origin(ws):
        await ws.close(code=1008)
        return
    await ws.accept()
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
    idle_timeout: float = 900.0,
    max_sessions: int = 32,
    fps: float = 30.0,
    epochs_per_frame: int = 3,
    slice_seconds: float = 0.03,
    workers: int = 4,
) -> Starlette:
    """The playground ASGI app.

    Args:
        idle_timeout: seconds without a message from a page before its session is closed.
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
        ]
    )
    app.state.idle_timeout = float(idle_timeout)
    app.state.max_sessions = int(max_sessions)
    app.state.fps = float(fps)
    app.state.epochs_per_frame = int(epochs_per_frame)
    app.state.slice_seconds = float(slice_seconds)
    app.state.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="playground")
    app.state.connections = set()
    app.state.previews = dataset_previews()
    return app


def serve(host: str = "127.0.0.1", port: int = 8000, open_browser: bool = False) -> None:
    """Run the playground until interrupted; prints the URL (and opens it when asked)."""
    url = f"http://{host}:{port}/"
    if host not in ("127.0.0.1", "localhost", "::1"):
        print(f"warning: listening on {host}: anyone who can reach this machine can use it")
    print(f"nnlab playground: {url}  (Ctrl+C to stop)", flush=True)
    if open_browser:
        threading.Timer(1.0, webbrowser.open, (url,)).start()
    uvicorn.run(
        create_app(),
        host=host,
        port=port,
        log_level="warning",
        ws_max_size=2 * protocol.MAX_MESSAGE_CHARS,
        ws_ping_interval=20.0,
        ws_ping_timeout=20.0,
    )
