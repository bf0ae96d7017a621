"""One epoch of keras-io's "Simple MNIST convnet", four ways (the ``mnist_convnet`` workload).

The network (lab 17): Conv2D(32, 3, relu) → MaxPooling2D(2) → Conv2D(64, 3, relu) →
MaxPooling2D(2) → Flatten → Dropout(0.5) → Dense(10, softmax); Adam (lr 0.001), categorical
cross-entropy, batches of 128, one pass over the 60,000 training images (469 steps).

- ``keras``: ``nnlab.keras`` Sequential + ``fit(verbose=0)``, channels_last (NHWC, HWIO kernels);
- ``nn``: ``nnlab.nn`` modules + ``nnlab.optim.Adam``, channels_first (PyTorch's NCHW);
- ``torch``: the same ``torch.nn`` network and ``torch.optim.Adam``, eager, NCHW;
- ``keras3``: Keras 3 itself on its torch backend (``KERAS_BACKEND=torch``), channels_last.

The sanity number is the test accuracy after the epoch (about 97.5% for each), measured outside
the timed part, in chunks of 1,000 images.
"""

from __future__ import annotations

import os
import time
from typing import Any

import numpy as np

Result = tuple[float, dict[str, float]]

BATCH = 128
EVAL_BATCH = 1000  # the test set is scored in chunks (peak memory as in training)
LEARNING_RATE = 1e-3


def mnist_images() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """MNIST as float32 (N, 28, 28, 1) images in [0, 1] (channels_last) and int64 digits; the
    first ``$NNLAB_BENCH_IMAGES`` training images only when that is set (a quick run)."""
    from nnlab.datasets import mnist

    (x, y), (x_test, y_test) = mnist.load_data()
    limit = int(os.environ.get("NNLAB_BENCH_IMAGES", "0") or 0) or None
    x, y = x[:limit], y[:limit]

    def images(a: np.ndarray) -> np.ndarray:
        return (a.astype(np.float32) / 255.0)[..., None]

    return (images(x), y.astype(np.int64)), (images(x_test), y_test.astype(np.int64))


def _batches(n: int) -> list[np.ndarray]:
    order = np.random.default_rng(0).permutation(n)
    return [order[i : i + BATCH] for i in range(0, n, BATCH)]


def _accuracy(scores: np.ndarray, y: np.ndarray) -> float:
    return float((scores.argmax(axis=1) == y).mean())


def torch_convnet() -> Result:
    """PyTorch eager, NCHW."""
    import torch
    from torch import nn

    (x, y), (x_test, y_test) = mnist_images()
    torch.manual_seed(0)
    net = nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(0.5), nn.Linear(1600, 10),
    )  # fmt: skip
    opt = torch.optim.Adam(net.parameters(), lr=LEARNING_RATE)
    xt = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))
    yt = torch.from_numpy(y)
    batches = [torch.from_numpy(b) for b in _batches(len(x))]
    net.train()
    t0, c0 = time.perf_counter(), time.process_time()
    for idx in batches:
        opt.zero_grad()
        nn.functional.cross_entropy(net(xt[idx]), yt[idx]).backward()
        opt.step()
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    net.eval()
    x_test_nchw = torch.from_numpy(np.ascontiguousarray(x_test.transpose(0, 3, 1, 2)))
    with torch.no_grad():
        scores = np.concatenate([net(chunk).numpy() for chunk in x_test_nchw.split(EVAL_BATCH)])
    return seconds, {"test_accuracy": _accuracy(scores, y_test), "cpu_seconds": cpu}


def nnlab_nn_convnet() -> Result:
    """``nnlab.nn`` + ``nnlab.optim``, NCHW as PyTorch."""
    import nnlab
    from nnlab import nn, optim

    (x, y), (x_test, y_test) = mnist_images()
    rng = np.random.default_rng(0)
    net = nn.Sequential(
        nn.Conv2d(1, 32, 3, rng=rng), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, rng=rng), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(0.5, rng=rng), nn.Linear(1600, 10, rng=rng),
    )  # fmt: skip
    opt = optim.Adam(net.parameters(), lr=LEARNING_RATE)
    x_nchw = np.ascontiguousarray(x.transpose(0, 3, 1, 2))
    net.train()
    t0, c0 = time.perf_counter(), time.process_time()
    for idx in _batches(len(x)):
        opt.zero_grad()
        nnlab.softmax_cross_entropy(net(nnlab.tensor(x_nchw[idx])), y[idx]).backward()
        opt.step()
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    net.eval()
    x_test_nchw = np.ascontiguousarray(x_test.transpose(0, 3, 1, 2))
    with nnlab.no_grad():
        scores = np.concatenate(
            [
                net(nnlab.tensor(x_test_nchw[i : i + EVAL_BATCH])).numpy()
                for i in range(0, len(x_test_nchw), EVAL_BATCH)
            ]
        )
    return seconds, {"test_accuracy": _accuracy(scores, y_test), "cpu_seconds": cpu}


def keras_convnet(keras: Any) -> Result:
    """keras-io's code, as written, on ``keras`` (nnlab.keras or Keras 3)."""
    (x, y), (x_test, y_test) = mnist_images()
    keras.utils.set_random_seed(0)
    layers = keras.layers
    model = keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Flatten(),
            layers.Dropout(0.5),
            layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(
        loss="categorical_crossentropy",
        optimizer=keras.optimizers.Adam(learning_rate=LEARNING_RATE),
        metrics=["accuracy"],
    )
    y_onehot = np.eye(10, dtype=np.float32)[y]
    t0, c0 = time.perf_counter(), time.process_time()
    model.fit(x, y_onehot, batch_size=BATCH, epochs=1, verbose=0)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    scores = np.asarray(model.predict(x_test, batch_size=EVAL_BATCH, verbose=0))
    return seconds, {"test_accuracy": _accuracy(scores, y_test), "cpu_seconds": cpu}


def mnist_convnet(impl: str) -> Result:
    """keras-io's MNIST convnet (Conv 32, pool, Conv 64, pool, dropout, Dense 10), Adam, batch
    128, one epoch of the 60,000 training images; keras (nnlab.keras, NHWC), nn (nnlab.nn,
    NCHW), torch (eager, NCHW), keras3 (Keras 3 on torch, NHWC)."""
    if impl == "torch":
        return torch_convnet()
    if impl == "nn":
        return nnlab_nn_convnet()
    if impl == "keras3":
        os.environ["KERAS_BACKEND"] = "torch"
        import keras

        return keras_convnet(keras)
    from nnlab import keras as nnlab_keras

    return keras_convnet(nnlab_keras)
