"""Per-op overhead of the engine: forward + backward of a tiny 3-layer MLP built from raw ops
(matmul, add, tanh, mean of squares), nnlab vs PyTorch eager, in one run.

The playground trains 2-8-8-1 networks on batches of 10: there, the cost is the Python overhead
per op, not the arithmetic. Run: ``python -m benchmarks.ops`` (PyTorch optional: without it only
nnlab's time is printed).
"""

from __future__ import annotations

import argparse
import contextlib
import time
from collections.abc import Callable

import numpy as np

import nnlab

SIZES = (2, 8, 8, 1)


def _params(rng: np.random.Generator) -> list[np.ndarray]:
    arrays = []
    for n_in, n_out in zip(SIZES[:-1], SIZES[1:], strict=True):
        arrays.append(rng.uniform(-0.5, 0.5, (n_in, n_out)).astype(np.float32))
        arrays.append(np.full(n_out, 0.1, np.float32))
    return arrays


def nnlab_step(x: np.ndarray, y: np.ndarray, arrays: list[np.ndarray]) -> Callable[[], None]:
    params = [nnlab.tensor(a, requires_grad=True) for a in arrays]
    xt, yt = nnlab.tensor(x), nnlab.tensor(y)

    def step() -> None:
        h = xt
        for i in range(0, len(params) - 2, 2):
            h = (h @ params[i] + params[i + 1]).tanh()
        out = h @ params[-2] + params[-1]
        loss = ((out - yt) ** 2).mean()
        for p in params:
            p.grad = None
        loss.backward()

    return step


def torch_step(x: np.ndarray, y: np.ndarray, arrays: list[np.ndarray]) -> Callable[[], None]:
    import torch

    torch.set_num_threads(1)
    params = [torch.tensor(a, requires_grad=True) for a in arrays]
    xt, yt = torch.tensor(x), torch.tensor(y)

    def step() -> None:
        h = xt
        for i in range(0, len(params) - 2, 2):
            h = torch.tanh(h @ params[i] + params[i + 1])
        out = h @ params[-2] + params[-1]
        loss = ((out - yt) ** 2).mean()
        for p in params:
            p.grad = None
        loss.backward()

    return step


def time_per_call(step: Callable[[], None], seconds: float) -> float:
    """Median seconds per call over repeated timed blocks of ``step``."""
    for _ in range(50):
        step()
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < 0.2:
        step()
        n += 1
    block = max(n // 4, 1)
    samples = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end or len(samples) < 5:
        t0 = time.perf_counter()
        for _ in range(block):
            step()
        samples.append((time.perf_counter() - t0) / block)
    return float(np.median(samples))


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="timing budget per framework")
    parser.add_argument("--batch", type=int, default=10)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((args.batch, SIZES[0])).astype(np.float32)
    y = rng.standard_normal((args.batch, SIZES[-1])).astype(np.float32)
    arrays = _params(rng)
    results = {"nnlab": time_per_call(nnlab_step(x, y, arrays), args.seconds)}
    with contextlib.suppress(ImportError):
        results["torch"] = time_per_call(torch_step(x, y, arrays), args.seconds)
    print(f"tiny MLP {'-'.join(map(str, SIZES))}, batch {args.batch}, forward + backward:")
    for name, t in results.items():
        print(f"  {name:6s} {t * 1e6:8.1f} us/step")
    if "torch" in results:
        ratio = results["nnlab"] / results["torch"]
        print(f"  nnlab / torch = {ratio:.2f}x ({'faster' if ratio < 1 else 'slower'})")
        results["ratio"] = ratio
    return results


if __name__ == "__main__":
    main()
