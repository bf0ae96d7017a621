"""The README's Keras model: Dense 512 ReLU, Dropout 0.2, Dense 10 softmax, Adam (η = 0.001),
sparse categorical cross-entropy, accuracy as a metric, batch 128, one epoch of the 60,000 MNIST
training images (469 steps).

Four implementations, each timing only the epoch:

- ``keras``: the README's code on ``nnlab.keras`` (``fit(verbose=0)``);
- ``keras3``: the same code on Keras 3 with its torch backend;
- ``torch``: PyTorch eager, the usual loop, tracking the running loss and accuracy as Keras's
  metrics do (``loss.item()`` and the batch accuracy every step);
- ``numpy``: forward, backward and Adam written by hand on NumPy arrays, the same tracking.

Run alone: ``python -m benchmarks --only readme_mlp``.
"""

from __future__ import annotations

import math
import os
import time
from typing import Any

import numpy as np

Result = tuple[float, dict[str, float]]

HIDDEN, DROP, BATCH, LEARNING_RATE = 512, 0.2, 128, 0.001


def _data() -> tuple[np.ndarray, np.ndarray]:
    from .workloads import mnist_train

    return mnist_train()


def _accuracy(scores: np.ndarray, y: np.ndarray) -> float:
    return float((scores.argmax(1) == y).mean())


def _batches(n: int) -> list[np.ndarray]:
    order = np.random.default_rng(0).permutation(n)
    return [order[i : i + BATCH] for i in range(0, n, BATCH)]


def keras_readme(keras: Any) -> Result:
    """The README's code, as written, on ``keras`` (nnlab.keras or Keras 3)."""
    x, y = _data()
    keras.utils.set_random_seed(0)
    layers = keras.layers
    model = keras.Sequential(
        [
            keras.Input(shape=(784,)),
            layers.Dense(HIDDEN, activation="relu"),
            layers.Dropout(DROP),
            layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    t0 = time.perf_counter()
    history = model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
    seconds = time.perf_counter() - t0
    scores = np.asarray(model.predict(x, batch_size=4096, verbose=0))
    return seconds, {
        "train_accuracy": _accuracy(scores, y),
        "fit_accuracy": round(float(history.history["accuracy"][-1]), 4),
    }


def torch_readme() -> Result:
    import torch

    x, y = _data()
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(784, HIDDEN),
        torch.nn.ReLU(),
        torch.nn.Dropout(DROP),
        torch.nn.Linear(HIDDEN, 10),
    )
    opt = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE, eps=1e-7)
    loss_fn = torch.nn.CrossEntropyLoss()
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    batches = [torch.from_numpy(b) for b in _batches(len(x))]
    model.train()
    total = correct = seen = 0.0
    t0 = time.perf_counter()
    for idx in batches:
        xb, yb = xt[idx], yt[idx]
        opt.zero_grad()
        scores = model(xb)
        loss = loss_fn(scores, yb)
        loss.backward()
        opt.step()
        total += loss.item() * len(idx)
        correct += (scores.argmax(1) == yb).sum().item()
        seen += len(idx)
    seconds = time.perf_counter() - t0
    model.eval()
    with torch.no_grad():
        acc = _accuracy(model(xt).numpy(), y)
    return seconds, {"train_accuracy": acc, "fit_accuracy": round(correct / seen, 4)}


def numpy_readme() -> Result:
    """Hand-written forward, backward and Adam (whole-array NumPy, no autodiff)."""
    x, y = _data()
    rng = np.random.default_rng(0)
    sizes = ((784, HIDDEN), (HIDDEN, 10))
    params = []
    for n_in, n_out in sizes:
        limit = math.sqrt(6 / (n_in + n_out))
        params += [rng.uniform(-limit, limit, (n_in, n_out)).astype(np.float32)]
        params += [np.zeros(n_out, np.float32)]
    moments = [np.zeros_like(p) for p in params]
    velocities = [np.zeros_like(p) for p in params]
    b1, b2, eps = 0.9, 0.999, 1e-7
    keep_scale = np.float32(1 / (1 - DROP))
    correct = seen = 0
    total = 0.0
    t0 = time.perf_counter()
    for step, idx in enumerate(_batches(len(x)), start=1):
        xb, yb = x[idx], y[idx]
        k1, c1, k2, c2 = params
        h = xb @ k1
        h += c1
        np.maximum(h, 0, out=h)
        mask = (rng.random(h.shape, dtype=np.float32) >= DROP) * keep_scale
        mask *= h > 0
        h *= mask
        z = h @ k2
        z += c2
        correct += int((z.argmax(1) == yb).sum())
        z -= z.max(axis=1, keepdims=True)
        np.exp(z, out=z)
        z /= z.sum(axis=1, keepdims=True)
        rows = np.arange(len(yb))
        total += float(-np.log(z[rows, yb]).sum())
        seen += len(yb)
        z[rows, yb] -= 1
        z /= np.float32(len(yb))
        gh = z @ k2.T
        gh *= mask
        grads = [xb.T @ gh, gh.sum(axis=0), h.T @ z, z.sum(axis=0)]
        alpha = LEARNING_RATE * math.sqrt(1 - b2**step) / (1 - b1**step)
        for p, g, m, v in zip(params, grads, moments, velocities, strict=True):
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * g * g
            p -= alpha * m / (np.sqrt(v) + eps)
    seconds = time.perf_counter() - t0
    k1, c1, k2, c2 = params
    scores = np.maximum(x @ k1 + c1, 0) @ k2 + c2
    return seconds, {
        "train_accuracy": _accuracy(scores, y),
        "fit_accuracy": round(correct / seen, 4),
    }


def readme_mlp(impl: str) -> Result:
    """The README's model: Dense 512 ReLU, Dropout 0.2, Dense 10 softmax, Adam, sparse
    categorical cross-entropy, accuracy, batch 128, one epoch of the 60,000 training images."""
    if impl == "torch":
        return torch_readme()
    if impl == "numpy":
        return numpy_readme()
    if impl == "keras3":
        os.environ["KERAS_BACKEND"] = "torch"
        import keras

        return keras_readme(keras)
    from nnlab import keras as nnlab_keras

    return keras_readme(nnlab_keras)
