"""Per-op speed of the engine, nnlab vs PyTorch eager, in one run.

``mlp`` (the default): forward + backward of a tiny 3-layer MLP built from raw ops (matmul, add,
tanh, mean of squares). The playground trains 2-8-8-1 networks on batches of 10: there, the cost
is the Python overhead per op, not the arithmetic.

``conv``: the layers of the MNIST convnet (Conv2D(32, 3, relu) → MaxPool(2) → Conv2D(64, 3, relu)
→ MaxPool(2) → Flatten → Dropout(0.5) → Dense(10), batch 128) one op at a time, forward +
backward, and the whole training step; nnlab in both layouts (channels_first: PyTorch's NCHW /
OIHW, channels_last: Keras's NHWC / HWIO) against PyTorch's NCHW. The whole step runs as
``nnlab.nn.Sequential`` (as torch's) and from the engine's ops in the Keras layout, the ReLU
fused into the conv (how the Keras layers run it). Last, the share of each training step spent
in the GEMMs, in im2col and col2im and in max pooling (the kernels timed in place).

Run: ``python -m benchmarks.ops [mlp|conv] [--threads N]`` (PyTorch optional: without it only
nnlab's time is printed). ``--threads`` sets PyTorch's intra-op threads; NumPy's BLAS takes its
count from ``OPENBLAS_NUM_THREADS``, so set both to the same N.
"""

from __future__ import annotations

import argparse
import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

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


def time_interleaved(steps: dict[str, Callable[[], None]], seconds: float) -> dict[str, float]:
    """Median seconds per call of each step, and (key "NAME/torch") the median over rounds of
    each step's time divided by torch's in the same round. A round calls every step once, in
    an order reversed every other round, so a machine shared with other jobs slows both sides
    of a ratio alike (for steps of milliseconds, where a block of one call is long enough)."""
    for step in steps.values():
        for _ in range(3):
            step()
    samples: dict[str, list[float]] = {name: [] for name in steps}
    names = list(steps)
    end = time.perf_counter() + seconds * len(steps)
    while time.perf_counter() < end or len(samples[names[0]]) < 7:
        for name in names:
            t0 = time.perf_counter()
            steps[name]()
            samples[name].append(time.perf_counter() - t0)
        names.reverse()
    results = {name: float(np.median(ts)) for name, ts in samples.items()}
    if "torch" in samples:
        for name in steps:
            if name != "torch":
                rounds = np.divide(samples[name], samples["torch"])
                results[f"{name}/torch"] = float(np.median(rounds))
    return results


def _report(title: str, results: dict[str, float]) -> dict[str, float]:
    """Print each time and each nnlab variant's ratio to torch (computed from the times unless
    ``results`` has it already, as "NAME/torch")."""
    print(f"{title}, forward + backward:")
    for name, t in list(results.items()):
        if "/" not in name:
            print(f"  {name:22s} {t * 1e6:10.1f} us/step")
    if "torch" in results:
        for name in [n for n in results if n.startswith("nnlab") and "/" not in n]:
            ratio = results.setdefault(f"{name}/torch", results[name] / results["torch"])
            print(f"  {name} / torch = {ratio:.2f}x ({'faster' if ratio < 1 else 'slower'})")
    return results


def run_mlp(args: argparse.Namespace) -> dict[str, float]:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((args.batch, SIZES[0])).astype(np.float32)
    y = rng.standard_normal((args.batch, SIZES[-1])).astype(np.float32)
    arrays = _params(rng)
    results = {"nnlab": time_per_call(nnlab_step(x, y, arrays), args.seconds)}
    with contextlib.suppress(ImportError):
        results["torch"] = time_per_call(torch_step(x, y, arrays), args.seconds)
    title = f"tiny MLP {'-'.join(map(str, SIZES))}, batch {args.batch}"
    return _report(title, results)


@dataclass(frozen=True)
class ConvCase:
    """One layer of the MNIST convnet (or the whole step): input (C, H, W) per sample."""

    name: str
    title: str
    shape: tuple[int, int, int]
    out_channels: int = 0  # a conv when > 0, else a 2×2 pool
    input_grad: bool = True  # the first layer's input needs no gradient
    pool: str = "max"  # "max" or "avg" (for a pool)


CONV_CASES = (
    ConvCase("conv1", "conv2d 1->32 3x3 on 28x28 (no input grad)", (1, 28, 28), 32, False),
    ConvCase("pool1", "max_pool2d 2x2 on 32x26x26", (32, 26, 26)),
    ConvCase("conv2", "conv2d 32->64 3x3 on 13x13", (32, 13, 13), 64),
    ConvCase("pool2", "max_pool2d 2x2 on 64x11x11", (64, 11, 11)),
    ConvCase("avgpool1", "avg_pool2d 2x2 on 32x26x26", (32, 26, 26), pool="avg"),
)
LAYOUTS = ("channels_first", "channels_last")


def _conv_arrays(case: ConvCase, batch: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x (N, C, H, W), weight (O, C, 3, 3), bias (O,): float32, NCHW / OIHW."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, *case.shape)).astype(np.float32)
    w = (0.1 * rng.standard_normal((case.out_channels, case.shape[0], 3, 3))).astype(np.float32)
    return x, w, np.zeros(case.out_channels, np.float32)


def nnlab_layer_step(case: ConvCase, batch: int, layout: str) -> Callable[[], None]:
    x, w, b = _conv_arrays(case, batch)
    if layout == "channels_last":
        x, w = x.transpose(0, 2, 3, 1).copy(), w.transpose(2, 3, 1, 0).copy()
    xt = nnlab.tensor(x, requires_grad=case.input_grad)
    wt, bt = nnlab.tensor(w, requires_grad=True), nnlab.tensor(b, requires_grad=True)

    def forward() -> nnlab.Tensor:
        if case.out_channels:
            return nnlab.autograd.conv2d(xt, wt, bt, data_format=layout)
        if case.pool == "avg":
            return nnlab.autograd.avg_pool2d(xt, 2, data_format=layout)
        return nnlab.autograd.max_pool2d(xt, 2, data_format=layout)

    grad = np.ones_like(forward().data)  # in the layout the output has (as in a network)

    def step() -> None:
        xt.grad = wt.grad = bt.grad = None
        forward().backward(grad)

    return step


def torch_layer_step(case: ConvCase, batch: int) -> Callable[[], None]:
    import torch
    import torch.nn.functional as tf

    x, w, b = (torch.tensor(a) for a in _conv_arrays(case, batch))
    x.requires_grad_(case.input_grad)
    w.requires_grad_(True)
    b.requires_grad_(True)

    def forward() -> torch.Tensor:
        if case.out_channels:
            return tf.conv2d(x, w, b)
        return tf.avg_pool2d(x, 2) if case.pool == "avg" else tf.max_pool2d(x, 2)

    grad = torch.ones(forward().shape)

    def step() -> None:
        x.grad = w.grad = b.grad = None
        forward().backward(grad)

    return step


def _mnist_batch(batch: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.random((batch, 1, 28, 28), dtype=np.float32), rng.integers(0, 10, batch)


def nnlab_convnet_step(batch: int) -> Callable[[], None]:
    from nnlab import nn

    net = nn.Sequential(
        nn.Conv2d(1, 32, 3, rng=0), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, rng=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(0.5, rng=2), nn.Linear(1600, 10, rng=3),
    )  # fmt: skip
    x, t = _mnist_batch(batch)

    def step() -> None:
        net.zero_grad()
        nn.functional.cross_entropy(net(x), t).backward()

    return step


def nnlab_channels_last_convnet_step(batch: int) -> Callable[[], None]:
    """The same network from the engine's ops as the Keras layers will call them: NHWC
    activations, HWIO kernels, the ReLU fused into the conv, Dense's (in, out) kernel."""
    from nnlab import autograd as ag

    rng = np.random.default_rng(0)
    shapes = [(3, 3, 1, 32), (32,), (3, 3, 32, 64), (64,), (1600, 10), (10,)]
    params = [
        nnlab.tensor(rng.uniform(-0.1, 0.1, s).astype(np.float32), requires_grad=True)
        for s in shapes
    ]
    k1, b1, k2, b2, k3, b3 = params
    x, t = _mnist_batch(batch)
    x = x.transpose(0, 2, 3, 1).copy()
    drop_rng = np.random.default_rng(1)

    def step() -> None:
        for p in params:
            p.grad = None
        h = ag.conv2d(x, k1, b1, data_format="channels_last", relu=True)
        h = ag.max_pool2d(h, 2, data_format="channels_last")
        h = ag.conv2d(h, k2, b2, data_format="channels_last", relu=True)
        h = ag.max_pool2d(h, 2, data_format="channels_last")
        h = ag.dropout(h.reshape(batch, -1), 0.5, drop_rng)
        ag.softmax_cross_entropy(ag.dense(h, k3, b3), t).backward()

    return step


def torch_convnet_step(batch: int) -> Callable[[], None]:
    import torch
    from torch import nn

    net = nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(0.5), nn.Linear(1600, 10),
    )  # fmt: skip
    x, t = (torch.tensor(a) for a in _mnist_batch(batch))

    def step() -> None:
        net.zero_grad()
        nn.functional.cross_entropy(net(x), t).backward()

    return step


KERNELS = ("grouped_matmul", "grouped_matmul_tn", "im2col", "col2im_matmul")


@contextlib.contextmanager
def timed_kernels(totals: dict[str, float]) -> Iterator[None]:
    """Add the seconds spent in the conv kernels (the GEMMs, im2col, col2im) and in the
    max-pooling forward and backward to ``totals`` while the block runs. col2im's own GEMMs (one
    per kernel offset) are counted as GEMM time ("gemm in col2im"), not as col2im's."""
    from nnlab.autograd import conv_ops, pool_ops

    saved = {name: getattr(conv_ops, name) for name in KERNELS}
    saved_pool = {name: getattr(pool_ops.MaxPool2d, name) for name in ("forward", "backward")}
    inside_col2im = [False]

    def timed(key: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*a: Any, **k: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                dt = time.perf_counter() - t0
                totals[key] = totals.get(key, 0.0) + dt
                if key == "grouped_matmul" and inside_col2im[0]:
                    totals["gemm in col2im"] = totals.get("gemm in col2im", 0.0) + dt

        return wrapper

    def col2im(*a: Any, **k: Any) -> Any:
        inside_col2im[0] = True
        try:
            return timed("col2im_matmul", saved["col2im_matmul"])(*a, **k)
        finally:
            inside_col2im[0] = False

    try:
        for name in KERNELS[:3]:
            setattr(conv_ops, name, timed(name, saved[name]))
        conv_ops.col2im_matmul = col2im
        for name, fn in saved_pool.items():
            setattr(pool_ops.MaxPool2d, name, timed(f"max_pool2d {name}", fn))
        yield
    finally:
        for name, fn in saved.items():
            setattr(conv_ops, name, fn)
        for name, fn in saved_pool.items():
            setattr(pool_ops.MaxPool2d, name, fn)


def time_shares(step: Callable[[], None], steps: int) -> dict[str, float]:
    """The fraction of a training step's time spent in GEMMs, im2col, col2im (its scatter-adds,
    its GEMMs excluded) and max pooling, over ``steps`` steps."""
    step()
    totals: dict[str, float] = {}
    with timed_kernels(totals):
        t0 = time.perf_counter()
        for _ in range(steps):
            step()
        total = time.perf_counter() - t0
    gemm = totals.get("grouped_matmul", 0.0) + totals.get("grouped_matmul_tn", 0.0)
    return {
        "GEMMs (conv forward, dK, dcols)": gemm / total,
        "im2col": totals.get("im2col", 0.0) / total,
        "col2im (scatter-adds)": (
            totals.get("col2im_matmul", 0.0) - totals.get("gemm in col2im", 0.0)
        )
        / total,
        "max pooling (forward + backward)": (
            totals.get("max_pool2d forward", 0.0) + totals.get("max_pool2d backward", 0.0)
        )
        / total,
        "step seconds": total / steps,
    }


def run_conv(args: argparse.Namespace) -> dict[str, float]:
    results: dict[str, float] = {}
    for case in CONV_CASES:
        steps = {
            f"nnlab {layout}": nnlab_layer_step(case, args.batch, layout) for layout in LAYOUTS
        }
        with contextlib.suppress(ImportError):
            steps["torch"] = torch_layer_step(case, args.batch)
        timings = time_interleaved(steps, args.seconds)
        for name, t in _report(f"{case.title}, batch {args.batch}", timings).items():
            results[f"{case.name}: {name}"] = t
    steps = {
        "nnlab nn": nnlab_convnet_step(args.batch),
        "nnlab ops channels_last": nnlab_channels_last_convnet_step(args.batch),
    }
    with contextlib.suppress(ImportError):
        steps["torch"] = torch_convnet_step(args.batch)
    title = f"MNIST convnet training step (cross-entropy), batch {args.batch}"
    for name, t in _report(title, time_interleaved(steps, args.seconds)).items():
        results[f"convnet: {name}"] = t
    for name in ("nnlab nn", "nnlab ops channels_last"):
        shares = time_shares(steps[name], steps=10)
        print(f"share of the {name} step ({1e3 * shares.pop('step seconds'):.0f} ms) spent in:")
        for part, share in shares.items():
            print(f"  {part:34s} {100 * share:5.1f}%")
            results[f"share {name}: {part}"] = share
    return results


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("suite", nargs="?", choices=("mlp", "conv"), default="mlp")
    parser.add_argument("--seconds", type=float, default=2.0, help="timing budget per framework")
    parser.add_argument("--batch", type=int, default=None, help="10 (mlp) or 128 (conv)")
    parser.add_argument("--threads", type=int, default=1, help="PyTorch's intra-op threads")
    args = parser.parse_args(argv)
    with contextlib.suppress(ImportError):
        import torch

        torch.set_num_threads(args.threads)
    if args.suite == "conv":
        args.batch = args.batch or 128
        return run_conv(args)
    args.batch = args.batch or 10
    return run_mlp(args)


if __name__ == "__main__":
    main()
