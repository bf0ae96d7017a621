"""The playground's work per frame: one epoch on 500 points (batches of 10, a 2-8-8-1 tanh network,
MSE ½(out - y)², plain SGD) plus the 100 x 100 output heatmap, nnlab vs PyTorch eager.

Also measures the frames a second the server sustains for one playing session over a real
WebSocket (uvicorn on 127.0.0.1, one epoch per frame), and for 20 sessions at once.

Run: ``python -m benchmarks.playground`` (PyTorch optional: without it only nnlab is timed).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import socket
import threading
import time
from collections.abc import Callable

import numpy as np

from nnlab.datasets import playground as pg_data
from nnlab.playground.network import PlaygroundNet
from nnlab.playground.session import HEATMAP_SIZE, grid_points

SHAPE = (8, 8)
BATCH = 10
LR = 0.03


def data() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    points, labels = pg_data.generate("circle", n=500, seed=0)
    return points, labels.astype(np.float32), grid_points(HEATMAP_SIZE)


def nnlab_frame() -> Callable[[], None]:
    x, y, grid = data()
    net = PlaygroundNet(2, SHAPE, ["tanh"] * len(SHAPE), "tanh", np.random.default_rng(0))

    def frame() -> None:
        for start in range(0, len(x), BATCH):
            net.train_batch(x[start : start + BATCH], y[start : start + BATCH], LR)
        net.predict(grid)

    return frame


def torch_frame() -> Callable[[], None]:
    import torch

    torch.set_num_threads(1)
    x, y, grid = (torch.tensor(a) for a in data())
    gen = np.random.default_rng(0)
    sizes = [2, *SHAPE, 1]
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True):
        w = torch.tensor(gen.uniform(-0.5, 0.5, (fan_out, fan_in)).astype(np.float32))
        params += [w.requires_grad_(), torch.full((fan_out,), 0.1).requires_grad_()]

    def forward(h: torch.Tensor) -> torch.Tensor:
        for i in range(0, len(params), 2):
            h = torch.nn.functional.linear(h, params[i], params[i + 1])
            h = torch.tanh(h)  # hidden tanh, and the Playground's tanh output
        return h[:, 0]

    def frame() -> None:
        for start in range(0, len(x), BATCH):
            out = forward(x[start : start + BATCH])
            loss = 0.5 * ((out - y[start : start + BATCH]) ** 2).mean()
            for p in params:
                p.grad = None
            loss.backward()
            with torch.no_grad():
                for p in params:
                    p -= LR * p.grad
        with torch.no_grad():
            forward(grid)

    return frame


def best_of(fn: Callable[[], None], repeat: int, number: int) -> float:
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - t0) / number)
    return min(times)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _play(url: str, seconds: float) -> int:
    import websockets

    settings = {"dataset": "circle", "networkShape": list(SHAPE), "percTrainData": 90}
    async with websockets.connect(url, max_size=None) as ws:
        for _ in range(3):
            await ws.recv()
        await ws.send(json.dumps({"type": "settings", "settings": settings}))
        await ws.send(json.dumps({"type": "play"}))
        frames, t_end = 0, time.perf_counter() + seconds
        while time.perf_counter() < t_end:
            if json.loads(await ws.recv())["type"] == "frame":
                frames += 1
        return frames


def server_fps(sessions: int, seconds: float) -> float:
    """Frames a second each of ``sessions`` playing sessions receives (the mean)."""
    import uvicorn

    from nnlab.playground.server import create_app

    port = _free_port()
    app = create_app(epochs_per_frame=1, max_sessions=max(32, sessions))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:

        async def main() -> list[int]:
            url = f"ws://127.0.0.1:{port}/ws"
            return await asyncio.gather(*[_play(url, seconds) for _ in range(sessions)])

        counts = asyncio.run(main())
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    return float(np.mean(counts)) / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--number", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    ours = best_of(nnlab_frame(), args.repeat, args.number)
    print(f"nnlab  : {ours * 1e3:7.2f} ms per frame (500 points, [8, 8] tanh, + 100x100 heatmap)")
    with contextlib.suppress(ImportError):
        theirs = best_of(torch_frame(), args.repeat, args.number)
        print(f"PyTorch: {theirs * 1e3:7.2f} ms per frame (eager, 1 thread)")
        print(f"ratio nnlab / PyTorch: {ours / theirs:.2f} (< 1: nnlab is faster)")
    one = server_fps(1, args.seconds)
    print(f"server : {one:6.1f} frames/s for 1 playing session (1 epoch per frame)")
    many = server_fps(20, args.seconds)
    print(f"server : {many:6.1f} frames/s per session with 20 playing at once")


if __name__ == "__main__":
    main()
