"""The benchmarked workloads, one function per (workload, implementation).

Each function prepares its data and model, then times only the training (or op) loop and
returns ``(seconds, extra)`` where ``extra`` holds a sanity number (e.g. the final loss or
accuracy), so that a fast but broken implementation cannot win. All float32.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

from .convnet import mnist_convnet
from .readme_mlp import readme_mlp

Result = tuple[float, dict[str, float]]

MNIST_LR = 0.1
MNIST_BATCH = 100
HIDDEN = 256


# ----------------------------------------------------------------------------------- data
def mnist_train(limit: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """MNIST training images as float32 (N, 784) in [0, 1] and int64 labels."""
    from nnlab.datasets import mnist

    (x, y), _ = mnist.load_data()
    if limit is not None:
        x, y = x[:limit], y[:limit]
    return x.reshape(len(x), -1).astype(np.float32) / 255.0, y.astype(np.int64)


def playground_data(n: int = 500, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two noisy 2-D classes (xor-like), like the playground's sets: (n, 2) float32, int64."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-5, 5, (n, 2)).astype(np.float32)
    y = (x[:, 0] * x[:, 1] >= 0).astype(np.int64)
    return x, y


def _glorot(rng: np.random.Generator, n_in: int, n_out: int) -> np.ndarray:
    limit = np.sqrt(6 / (n_in + n_out))
    return rng.uniform(-limit, limit, (n_in, n_out)).astype(np.float32)


def _accuracy(logits: np.ndarray, y: np.ndarray) -> float:
    return float((logits.argmax(1) == y).mean())


def _epoch_batches(n: int, batch: int, rng: np.random.Generator) -> list[np.ndarray]:
    order = rng.permutation(n)
    return [order[i : i + batch] for i in range(0, n, batch)]


def _window_batches(n: int, batch: int, steps: int, rng: np.random.Generator) -> list[np.ndarray]:
    """``steps`` consecutive batches over reshuffled epochs (TF's ``next_batch``)."""
    out: list[np.ndarray] = []
    while len(out) < steps:
        out.extend(_epoch_batches(n, batch, rng)[: steps - len(out)])
    return out


def _stack(
    sizes: tuple[int, ...],
    drop: float,
    *,
    linear: Callable[[int, int], Any],
    activation: Callable[[], Any],
    dropout: Callable[[float], Any],
) -> list[Any]:
    """The MLP's modules in order: linear, then activation (and dropout) after each hidden one."""
    layers: list[Any] = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        layers.append(linear(a, b))
        if i < len(sizes) - 2:
            layers.append(activation())
            if drop:
                layers.append(dropout(drop))
    return layers


# ------------------------------------------------------------------- MLP: three frameworks
def numpy_mlp(
    x: np.ndarray,
    y: np.ndarray,
    sizes: tuple[int, ...],
    batches: list[np.ndarray],
    lr: float,
    act: str = "relu",
    drop: float = 0.0,
) -> Result:
    """Hand-written forward/backward/SGD, no autodiff: the zero-overhead reference."""
    rng = np.random.default_rng(0)
    ws = [_glorot(rng, a, b) for a, b in zip(sizes[:-1], sizes[1:], strict=True)]
    bs = [np.zeros(b, np.float32) for b in sizes[1:]]
    lr32 = np.float32(lr)
    keep_scale = np.float32(1 / (1 - drop)) if drop else np.float32(1)
    t0 = time.perf_counter()
    for idx in batches:
        xb, yb = x[idx], y[idx]
        acts: list[np.ndarray] = [xb]
        derivs: list[np.ndarray] = []  # d(activation)/d(pre-activation), dropout mask included
        h = xb
        for w, b in zip(ws[:-1], bs[:-1], strict=True):
            h = h @ w
            h += b
            if act == "relu":
                d = h > 0
                h *= d
            else:
                np.tanh(h, out=h)
                d = 1 - h * h
            if drop:
                keep = (rng.random(h.shape, dtype=np.float32) >= drop) * keep_scale
                h *= keep
                d = d * keep
            derivs.append(d)
            acts.append(h)
        z = h @ ws[-1]
        z += bs[-1]
        z -= z.max(axis=1, keepdims=True)
        np.exp(z, out=z)
        z /= z.sum(axis=1, keepdims=True)
        z[np.arange(len(yb)), yb] -= 1
        z /= np.float32(len(yb))
        g = z
        for i in range(len(ws) - 1, -1, -1):
            gw = acts[i].T @ g
            gb = g.sum(axis=0)
            if i > 0:
                g = g @ ws[i].T
                g *= derivs[i - 1]
            ws[i] -= lr32 * gw
            bs[i] -= lr32 * gb
    seconds = time.perf_counter() - t0
    h = x
    for w, b in zip(ws[:-1], bs[:-1], strict=True):
        h = h @ w + b
        h = np.maximum(h, 0) if act == "relu" else np.tanh(h)
    return seconds, {"train_accuracy": _accuracy(h @ ws[-1] + bs[-1], y)}


def torch_mlp(
    x: np.ndarray,
    y: np.ndarray,
    sizes: tuple[int, ...],
    batches: list[np.ndarray],
    lr: float,
    act: str = "relu",
    drop: float = 0.0,
) -> Result:
    import torch

    torch.manual_seed(0)
    model = torch.nn.Sequential(
        *_stack(
            sizes,
            drop,
            linear=torch.nn.Linear,
            activation=torch.nn.ReLU if act == "relu" else torch.nn.Tanh,
            dropout=torch.nn.Dropout,
        )
    )
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    tbatches = [torch.from_numpy(b) for b in batches]
    model.train()
    t0 = time.perf_counter()
    for idx in tbatches:
        opt.zero_grad()
        loss = loss_fn(model(xt[idx]), yt[idx])
        loss.backward()
        opt.step()
    seconds = time.perf_counter() - t0
    model.eval()
    with torch.no_grad():
        acc = _accuracy(model(xt).numpy(), y)
    return seconds, {"train_accuracy": acc}


def nnlab_nn_mlp(
    x: np.ndarray,
    y: np.ndarray,
    sizes: tuple[int, ...],
    batches: list[np.ndarray],
    lr: float,
    act: str = "relu",
    drop: float = 0.0,
) -> Result:
    """The same loop written with nnlab.nn modules and nnlab.optim, as a student would."""
    import nnlab
    from nnlab import nn, optim

    rng = np.random.default_rng(0)
    model = nn.Sequential(
        *_stack(
            sizes,
            drop,
            linear=lambda a, b: nn.Linear(a, b, rng=rng),
            activation=nn.ReLU if act == "relu" else nn.Tanh,
            dropout=lambda p: nn.Dropout(p, rng=rng),
        )
    )
    opt = optim.SGD(model.parameters(), lr=lr)
    model.train()
    t0 = time.perf_counter()
    for idx in batches:
        opt.zero_grad()
        loss = nnlab.softmax_cross_entropy(model(nnlab.tensor(x[idx])), y[idx])
        loss.backward()
        opt.step()
    seconds = time.perf_counter() - t0
    model.eval()
    with nnlab.no_grad():
        acc = _accuracy(model(nnlab.tensor(x)).data, y)
    return seconds, {"train_accuracy": acc}


def keras_mlp(
    x: np.ndarray,
    y: np.ndarray,
    sizes: tuple[int, ...],
    batch: int,
    epochs: int,
    lr: float,
    act: str = "relu",
    drop: float = 0.0,
) -> Result:
    """``nnlab.keras`` Sequential + fit(verbose=0): what the course's Keras code runs."""
    from nnlab import keras

    layers: list[Any] = [keras.layers.Input(shape=(sizes[0],))]
    for n in sizes[1:-1]:
        layers.append(keras.layers.Dense(n, activation=act))
        if drop:
            layers.append(keras.layers.Dropout(drop))
    layers.append(keras.layers.Dense(sizes[-1], activation="softmax"))
    model = keras.Sequential(layers)
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate=lr),
        loss="sparse_categorical_crossentropy",
    )
    t0 = time.perf_counter()
    model.fit(x, y, batch_size=batch, epochs=epochs, verbose=0, shuffle=True)
    seconds = time.perf_counter() - t0
    acc = _accuracy(model.predict(x, batch_size=4096, verbose=0), y)
    return seconds, {"train_accuracy": acc}


# ------------------------------------------------------------------------- the workloads
def mnist_mlp(impl: str) -> Result:
    """784-256-10 ReLU, SGD lr 0.1, batch 100, one epoch of the 60,000 training images."""
    x, y = mnist_train()
    sizes = (784, HIDDEN, 10)
    if impl == "keras":
        return keras_mlp(x, y, sizes, MNIST_BATCH, 1, MNIST_LR)
    batches = _epoch_batches(len(x), MNIST_BATCH, np.random.default_rng(0))
    fn = {"nn": nnlab_nn_mlp, "torch": torch_mlp, "numpy": numpy_mlp}[impl]
    return fn(x, y, sizes, batches, MNIST_LR)


def playground_net(impl: str) -> Result:
    """2-8-8-2 tanh, softmax cross-entropy, SGD lr 0.03, batch 10, 500 points, 30 epochs."""
    x, y = playground_data()
    sizes = (2, 8, 8, 2)
    if impl == "keras":
        return keras_mlp(x, y, sizes, 10, 30, 0.03, act="tanh")
    rng = np.random.default_rng(0)
    batches = [b for _ in range(30) for b in _epoch_batches(len(x), 10, rng)]
    fn = {"torch": torch_mlp, "numpy": numpy_mlp, "nn": nnlab_nn_mlp}[impl]
    return fn(x, y, sizes, batches, 0.03, act="tanh")


def mnist_softmax(impl: str) -> Result:
    """The course's softmax regression: W = 0, lr 0.5, 1000 steps of 100 (as keras: 2 epochs
    of 50,000 images)."""
    x, y = mnist_train(50_000)
    sizes = (784, 10)
    if impl == "keras":
        return keras_mlp(x, y, sizes, 100, 2, 0.5)
    batches = _window_batches(len(x), 100, 1000, np.random.default_rng(0))
    fn = {"torch": torch_mlp, "numpy": numpy_mlp, "nn": nnlab_nn_mlp}[impl]
    return fn(x, y, sizes, batches, 0.5)


def mnist_dropout(impl: str) -> Result:
    """The course's MLP with dropout: 784-256-10, ReLU, dropout 0.5, SGD lr 0.1, 2000 steps of
    100 (as keras: 4 epochs of 50,000 images)."""
    x, y = mnist_train(50_000)
    sizes = (784, HIDDEN, 10)
    if impl == "keras":
        return keras_mlp(x, y, sizes, 100, 4, MNIST_LR, drop=0.5)
    batches = _window_batches(len(x), 100, 2000, np.random.default_rng(0))
    fn = {"torch": torch_mlp, "numpy": numpy_mlp, "nn": nnlab_nn_mlp}[impl]
    return fn(x, y, sizes, batches, MNIST_LR, drop=0.5)


OP_ITERS = 20_000


def _op_loop(impl: str, op: str) -> Result:
    rng = np.random.default_rng(0)
    a_np = rng.standard_normal((8, 8)).astype(np.float32)
    b_np = rng.standard_normal((8, 8)).astype(np.float32)
    if impl == "torch":
        import torch

        a = torch.tensor(a_np, requires_grad=True)
        b = torch.tensor(b_np, requires_grad=True)
        g = torch.ones(8, 8)
    else:
        import nnlab

        a = nnlab.tensor(a_np, requires_grad=True)
        b = nnlab.tensor(b_np, requires_grad=True)
        g = np.ones((8, 8), np.float32)
    fn: Callable[[Any, Any], Any] = (lambda p, q: p + q) if op == "add" else (lambda p, q: p @ q)
    t0 = time.perf_counter()
    for _ in range(OP_ITERS):
        a.grad = None
        b.grad = None
        fn(a, b).backward(g)
    seconds = time.perf_counter() - t0
    return seconds, {"us_per_op": seconds / OP_ITERS * 1e6}


def op_add(impl: str) -> Result:
    """Forward + backward of one 8x8 add, 20,000 times."""
    return _op_loop(impl, "add")


def op_matmul(impl: str) -> Result:
    """Forward + backward of one 8x8 matmul, 20,000 times."""
    return _op_loop(impl, "matmul")


WORKLOADS: dict[str, tuple[Callable[[str], Result], tuple[str, ...]]] = {
    "mnist_mlp": (mnist_mlp, ("keras", "nn", "torch", "numpy")),
    "playground_net": (playground_net, ("keras", "nn", "torch", "numpy")),
    "mnist_softmax": (mnist_softmax, ("keras", "nn", "torch", "numpy")),
    "mnist_dropout": (mnist_dropout, ("keras", "nn", "torch", "numpy")),
    "op_add": (op_add, ("nnlab", "torch")),
    "op_matmul": (op_matmul, ("nnlab", "torch")),
    "mnist_convnet": (mnist_convnet, ("keras", "nn", "torch", "keras3")),
    "readme_mlp": (readme_mlp, ("keras", "torch", "numpy", "keras3")),
}
