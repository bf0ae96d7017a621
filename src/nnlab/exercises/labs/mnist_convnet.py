"""Exercise: the MNIST convnet (lab 17). A convolution in Keras's layout, max pooling, and the
size rule of a 'valid' window, written with NumPy, then run on real digits and compared with the
library's ``Conv2D`` and ``MaxPooling2D``."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from nnlab.autograd import conv2d, max_pool2d
from nnlab.exercises.exercise import Exercise, Step
from nnlab.exercises.labs._engine import constant
from nnlab.exercises.labs.mnist_softmax import MNIST_SETUP
from nnlab.exercises.task import Case, Task


def valid_output_size(n: np.ndarray, k: np.ndarray, stride: np.ndarray) -> np.ndarray:
    """How many positions a window of size k takes along an axis of length n, moving by
    ``stride`` and never leaving the input ('valid' padding): floor((n - k) / stride) + 1.

    n, k, stride: integer arrays of one shape (elementwise), k <= n, stride >= 1. Returns that
    shape.
    """
    return (n - k) // stride + 1


def conv2d_valid(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """Keras's Conv2D with stride 1 and 'valid' padding, channels last:
    out[n, i, j, f] = b[f] + Σ_{a < kh, b < kw, c < C} x[n, i + a, j + b, c] K[a, b, c, f].

    x: (N, H, W, C); kernel: (kh, kw, C, F) (Keras's layout, HWIO); bias: (F,).
    Returns (N, H - kh + 1, W - kw + 1, F).
    """
    kh, kw = kernel.shape[:2]
    n, h, w, _ = x.shape
    out = np.zeros((n, h - kh + 1, w - kw + 1, kernel.shape[3])) + bias
    for a in range(kh):  # one product per kernel offset: the shifted image times K[a, b]
        for b in range(kw):
            out += x[:, a : a + h - kh + 1, b : b + w - kw + 1, :] @ kernel[a, b]
    return out


def max_pool(x: np.ndarray, size: int) -> np.ndarray:
    """Max pooling with an s × s window and stride s = ``size`` ('valid': rows and columns that
    do not fill a window are dropped): out[n, i, j, c] = max of x[n, is : is + s, js : js + s, c].

    x: (N, H, W, C); size >= 1. Returns (N, H // size, W // size, C).
    """
    n, h, w, c = x.shape
    oh, ow = h // size, w // size
    windows = x[:, : oh * size, : ow * size, :].reshape(n, oh, size, ow, size, c)
    return windows.max(axis=(2, 4))


def _size_reference(n: np.ndarray, k: np.ndarray, stride: np.ndarray) -> np.ndarray:
    # the library's pooling on an (n, 1) image: its output height is the size rule's answer
    return np.array(
        [
            max_pool2d(constant(np.zeros((1, 1, int(a), 1))), (int(b), 1), (int(s), 1)).shape[2]
            for a, b, s in zip(n.ravel(), k.ravel(), stride.ravel(), strict=True)
        ]
    ).reshape(n.shape)


def _conv_reference(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray) -> np.ndarray:
    out = conv2d(constant(x), constant(kernel), constant(bias), data_format="channels_last")
    return np.asarray(out.data)


def _pool_reference(x: np.ndarray, size: int) -> np.ndarray:
    return np.asarray(max_pool2d(constant(x), size, data_format="channels_last").data)


def _sizes(rng: np.random.Generator) -> Iterator[Case]:
    yield {"n": np.array([28, 26, 13]), "k": np.array([3, 2, 3]), "stride": np.array([1, 2, 1])}
    for shape in [(1,), (4,), (2, 3)] * 4:
        k = rng.integers(1, 6, size=shape)
        yield {
            "n": k + rng.integers(0, 30, size=shape),
            "k": k,
            "stride": rng.integers(1, 4, size=shape),
        }


def _convolutions(rng: np.random.Generator) -> Iterator[Case]:
    for n, h, w, c, kh, kw, f in [
        (1, 3, 3, 1, 3, 3, 1),
        (2, 5, 4, 1, 3, 2, 2),
        (3, 7, 7, 2, 3, 3, 4),
        (1, 6, 8, 3, 1, 1, 2),
        (2, 8, 5, 2, 2, 3, 3),
    ] * 2:
        yield {
            "x": rng.normal(size=(n, h, w, c)),
            "kernel": rng.normal(size=(kh, kw, c, f)),
            "bias": rng.normal(size=f),
        }


def _pools(rng: np.random.Generator) -> Iterator[Case]:
    for n, h, w, c, size in [(1, 2, 2, 1, 2), (2, 4, 6, 3, 2), (1, 5, 7, 2, 2), (2, 9, 9, 1, 3)]:
        yield {"x": rng.normal(size=(n, h, w, c)), "size": size}
    for _ in range(6):
        size = int(rng.integers(1, 4))
        shape = (int(rng.integers(1, 3)), *rng.integers(size, 10, size=2), int(rng.integers(1, 4)))
        yield {"x": rng.normal(size=shape), "size": size}


EXERCISE = Exercise(
    lab="mnist-convnet",
    intro=r"""
keras-io's *Simple MNIST convnet*: two blocks of **convolution** (3 × 3 kernels, ReLU) and
**max pooling** (2 × 2), then dropout and a softmax layer. A convolution slides one small kernel
over the image: with Keras's layout (channels last, kernel $K$ of shape $(k_h, k_w, C, F)$),

$$\mathrm{out}[n, i, j, f] = b_f + \sum_{a, b, c} x[n, i + a, j + b, c]\, K[a, b, c, f],$$

and with 'valid' padding a window of size $k$ moving by $s$ fits $\lfloor (n - k)/s \rfloor + 1$
times along an axis of length $n$ (28 → 26 → 13 → 11 → 5 in the lab's network). Max pooling keeps
the largest value of each window. The same few weights are used at every position: 34,826
parameters in all, against 79,510 for lab 16's MLP with 100 hidden units.
""",
    setup=MNIST_SETUP.format(limit=2000) + "images = x_test[:8].reshape(-1, 28, 28, 1)\n",
    tasks=(
        Task(
            valid_output_size,
            _size_reference,
            _sizes,
            "(n - k) // stride + 1: the last window starts at most n - k away from the first",
        ),
        Task(
            conv2d_valid,
            _conv_reference,
            _convolutions,
            "for every kernel offset (a, b), add x shifted by (a, b) times K[a, b] (a (C, F) "
            "matrix), then the bias",
        ),
        Task(
            max_pool,
            _pool_reference,
            _pools,
            "cut the image into size × size blocks (reshape to (N, H//s, s, W//s, s, C)) and take "
            "the max over the two block axes",
        ),
    ),
    steps=(
        Step(
            "## Edges in digits\n\nTwo hand-made kernels (a vertical and a horizontal edge "
            "detector) through your convolution, ReLU and pooling, compared with the library's "
            "layers loaded with the same weights.",
            """\
from nnlab.keras import layers

edges = np.zeros((3, 3, 1, 2))
edges[:, :, 0, 0] = [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]  # vertical edges (Sobel)
edges[:, :, 0, 1] = edges[:, :, 0, 0].T  # horizontal edges
maps = max_pool(np.maximum(conv2d_valid(images, edges, np.zeros(2)), 0), 2)
conv = layers.Conv2D(2, 3, activation="relu")
conv.build((None, 28, 28, 1))
conv.set_weights([edges.astype(np.float32), np.zeros(2, np.float32)])
library = layers.MaxPooling2D(2)(conv(images.astype(np.float32)))
print("feature maps:", maps.shape, " size rule:", valid_output_size(np.array([28]),
      np.array([3]), np.array([1])))
print("largest difference from Conv2D + MaxPooling2D:",
      float(np.abs(maps - np.asarray(library.data)).max()))
""",
        ),
    ),
)
