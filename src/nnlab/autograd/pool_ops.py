"""Pooling (max, average, global) and channel dropout over NumPy, in both layouts.

The windows are those of the convolutions (:mod:`.conv_ops`): the ops compute on channels-last
views, x (N, H, W, C), and loop over the kh·kw kernel offsets (i, j) only, each step a whole-array
operation on xp[:, i :: s_h, j :: s_w] (no loop over the batch or the pixels).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .conv_ops import (
    IntPair,
    Padding,
    Window,
    check_format,
    crop_nhwc,
    pad_nhwc,
    window,
)
from .function import Function
from .ops import as_tensor
from .parallel import for_chunks
from .tensor import Tensor


def tiles(x: np.ndarray, win: Window) -> np.ndarray:
    """The view x6 (N, OH, kh, OW, kw, C) of x (N, H, W, C) cut into the kh×kw windows of a
    pooling with stride = kernel and no padding: x6[n, oh, i, ow, j, c] = x[n, oh kh + i,
    ow kw + j, c] (a reshape of x[:, :OH kh, :OW kw], no copy)."""
    (kh, kw), (oh, ow) = win.kernel, win.out
    n, c = x.shape[0], x.shape[3]
    return x[:, : oh * kh, : ow * kw].reshape(n, oh, kh, ow, kw, c)


class _Pool2d(Function):
    """Shared by the 2-D poolings: the window and the channels_first <-> NHWC views."""

    __slots__ = ("last", "opts", "win", "x_shape")
    fresh_grads = True

    def __init__(self, kernel: Any, stride: Any, padding: Any, data_format: str) -> None:
        self.last = check_format(self.name, data_format)
        self.opts = (kernel, kernel if stride is None else stride, padding)

    def _nhwc(self, x: np.ndarray) -> np.ndarray:
        if x.ndim != 4:
            layout = "(N, H, W, C)" if self.last else "(N, C, H, W)"
            raise ValueError(f"{self.name}: input must be 4-D {layout}, got shape {x.shape}")
        return x if self.last else x.transpose(0, 2, 3, 1)

    def _from_nhwc(self, y: np.ndarray) -> np.ndarray:
        return y if self.last else y.transpose(0, 3, 1, 2)

    def _window(self, xn: np.ndarray) -> Window:
        kernel, stride, padding = self.opts
        self.win = window(self.name, xn.shape[1:3], kernel, stride, padding)
        self.x_shape = xn.shape
        return self.win

    def _padded_zeros(self, dtype: np.dtype) -> np.ndarray:
        n, h, w, c = self.x_shape
        (t, b), (left, r) = self.win.pads
        return np.zeros((n, h + t + b, w + left + r, c), dtype=dtype)


class MaxPool2d(_Pool2d):
    """y[n, oh, ow, c] = max_{i,j} xp[n, oh s_h + i, ow s_w + j, c], xp padded with -inf.

    Forward: one whole-array ``np.maximum`` per kernel offset. Backward: the gradient of each
    window goes to its first maximal element in the offsets' order (PyTorch's rule for ties,
    which ReLU's zeros make common): per offset, hit = (xp[offset] == y) and not yet taken.
    When the windows tile the input (stride = kernel, no padding) and its channels are
    innermost in memory (NHWC, or the activations of an ``nnlab`` conv in either layout), the
    same rule runs on one reshaped view, without strided scatters (:meth:`_tiled_backward`).
    """

    __slots__ = ("xp", "out")

    @property
    def name(self) -> str:
        return "max_pool2d"

    def forward(self, x: np.ndarray) -> np.ndarray:
        xn = self._nhwc(x)
        win = self._window(xn)
        kh, kw = win.kernel
        if any(p > k // 2 for (p, _), k in zip(win.pads, win.kernel, strict=True)):
            raise ValueError(
                f"max_pool2d: padding {win.pads} must be at most half the kernel {kh}×{kw}"
            )
        self.xp = xp = pad_nhwc(xn, win, -np.inf)
        (r0, c0), *rest = win.offsets()
        out = np.empty((xn.shape[0], *win.out, xn.shape[3]), dtype=x.dtype)

        def chunk(s: slice) -> None:
            np.copyto(out[s], xp[s, r0, c0])
            for rows, cols in rest:
                np.maximum(out[s], xp[s, rows, cols], out=out[s])

        for_chunks(len(out), chunk, xp.size)
        self.out = out
        return self._from_nhwc(out)

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray]:
        g = grad if self.last else grad.transpose(0, 2, 3, 1)
        win = self.win
        tiled = win.stride == win.kernel and win.pads == ((0, 0), (0, 0))
        if tiled and self.xp.strides[3] == self.xp.itemsize:  # channels innermost in memory
            return (self._from_nhwc(self._tiled_backward(g)),)
        dxp = self._padded_zeros(grad.dtype)
        overlapping = win.stride[0] < win.kernel[0] or win.stride[1] < win.kernel[1]
        free = np.ones(self.out.shape, dtype=bool)  # windows whose maximum is not yet found
        hit = np.empty(self.out.shape, dtype=bool)
        for rows, cols in win.offsets():
            np.equal(self.xp[:, rows, cols], self.out, out=hit)
            hit &= free
            free ^= hit
            if overlapping:  # a pixel may be the maximum of several windows
                dxp[:, rows, cols] += g * hit
            else:
                np.multiply(g, hit, out=dxp[:, rows, cols])
        return (self._from_nhwc(crop_nhwc(dxp, win)),)

    def _tiled_backward(self, g: np.ndarray) -> np.ndarray:
        """The backward when the windows tile the input (stride = kernel, no padding: the
        default pooling): whole-array steps on the view x6[n, oh, i, ow, j, c] =
        x[n, oh kh + i, ow kw + j, c] (:func:`tiles`), with no strided scatter.

        hit = (x6 == y[:, :, None, :, None]) marks every maximum of each window; going
        through the offsets in order, hit[.., i, .., j, ..] &= not taken keeps the first one
        (ties); then dx6 = hit · g[:, :, None, :, None]. Rows and columns past the last
        window (H not a multiple of kh) get zeros.
        """
        x6 = tiles(self.xp, self.win)
        kh, kw = self.win.kernel
        oh, ow = self.win.out
        tiled = self.x_shape[1:3] == (oh * kh, ow * kw)
        dx = (np.empty if tiled else np.zeros)(self.x_shape, dtype=g.dtype)
        dx6 = tiles(dx, self.win)

        def chunk(s: slice) -> None:
            hit = x6[s] == self.out[s, :, None, :, None]
            taken = hit[:, :, 0, :, 0].copy()
            for i, j in np.ndindex(kh, kw):
                if i or j:
                    h = hit[:, :, i, :, j]
                    np.greater(h, taken, out=h)  # h and not taken
                    taken |= h
            np.multiply(hit, g[s, :, None, :, None], out=dx6[s])

        for_chunks(len(dx), chunk, x6.size)
        return dx


def max_pool2d(
    x: Any,
    kernel_size: IntPair,
    stride: IntPair | None = None,
    padding: Padding = 0,
    data_format: str = "channels_first",
) -> Tensor:
    """2-D max pooling over ``kernel_size`` windows (``stride`` defaults to the kernel size).

    ``padding``: an int or a pair (at most half the kernel, as PyTorch), or "valid"/"same"
    (Keras's); padded positions hold -inf and never win. x (N, C, H, W) -> (N, C, OH, OW)
    (channels_last: (N, H, W, C) -> (N, OH, OW, C)).
    """
    return MaxPool2d(kernel_size, stride, padding, data_format).apply(as_tensor(x))


class AvgPool2d(_Pool2d):
    """y[n, oh, ow, c] = (1 / D) Σ_{i,j} xp[n, oh s_h + i, ow s_w + j, c], xp zero-padded.

    D = kh·kw (``count_include_pad``, PyTorch's default) or the number of non-padded pixels in
    the window (Keras's "same"). Backward: each pixel of a window receives g / D.
    """

    __slots__ = ("count_include_pad", "divisor")

    def __init__(
        self, kernel: Any, stride: Any, padding: Any, count_include_pad: bool, data_format: str
    ) -> None:
        super().__init__(kernel, stride, padding, data_format)
        self.count_include_pad = count_include_pad

    @property
    def name(self) -> str:
        return "avg_pool2d"

    def forward(self, x: np.ndarray) -> np.ndarray:
        xn = self._nhwc(x)
        win = self._window(xn)
        xp = pad_nhwc(xn, win)
        out = np.zeros((xn.shape[0], *win.out, xn.shape[3]), dtype=x.dtype)
        for rows, cols in win.offsets():
            out += xp[:, rows, cols]
        if self.count_include_pad:
            self.divisor = np.asarray(win.kernel[0] * win.kernel[1], dtype=x.dtype)
        else:  # the same windows over a mask of the real pixels
            mask = pad_nhwc(np.ones((1, *xn.shape[1:3], 1), dtype=x.dtype), win)
            self.divisor = sum(mask[:, r, c] for r, c in win.offsets())  # type: ignore[assignment]
        out /= self.divisor
        return self._from_nhwc(out)

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray]:
        g = (grad if self.last else grad.transpose(0, 2, 3, 1)) / self.divisor
        dxp = self._padded_zeros(grad.dtype)
        for rows, cols in self.win.offsets():
            dxp[:, rows, cols] += g
        return (self._from_nhwc(crop_nhwc(dxp, self.win)),)


def avg_pool2d(
    x: Any,
    kernel_size: IntPair,
    stride: IntPair | None = None,
    padding: Padding = 0,
    count_include_pad: bool = True,
    data_format: str = "channels_first",
) -> Tensor:
    """2-D average pooling over ``kernel_size`` windows (``stride`` defaults to the kernel size),
    zero padding counted in the mean when ``count_include_pad`` (PyTorch's default) and left out
    otherwise (Keras's). Shapes as :func:`max_pool2d`."""
    return AvgPool2d(kernel_size, stride, padding, count_include_pad, data_format).apply(
        as_tensor(x)
    )


def _spatial_axes(op: str, x: Tensor, data_format: str) -> tuple[int, int]:
    last = check_format(op, data_format)
    if x.ndim != 4:
        layout = "(N, H, W, C)" if last else "(N, C, H, W)"
        raise ValueError(f"{op}: input must be 4-D {layout}, got shape {x.shape}")
    return (1, 2) if last else (2, 3)


def global_avg_pool2d(
    x: Any, keepdims: bool = False, data_format: str = "channels_first"
) -> Tensor:
    """The mean of each channel over H and W: (N, C, H, W) -> (N, C) ((N, C, 1, 1) with
    ``keepdims``, PyTorch's ``AdaptiveAvgPool2d((1, 1))``); the engine's ``mean`` op."""
    x = as_tensor(x)
    return x.mean(axis=_spatial_axes("global_avg_pool2d", x, data_format), keepdims=keepdims)


def global_max_pool2d(
    x: Any, keepdims: bool = False, data_format: str = "channels_first"
) -> Tensor:
    """The maximum of each channel over H and W: (N, C, H, W) -> (N, C) (ties share the
    gradient, as the engine's ``max``)."""
    x = as_tensor(x)
    return x.max(axis=_spatial_axes("global_max_pool2d", x, data_format), keepdims=keepdims)


class Dropout2d(Function):
    """Channel dropout: y = x ⊙ m / (1 - p) with one mask value m[n, c] ~ Bernoulli(1 - p) per
    sample and channel, shared by all its pixels; dy/dx = m / (1 - p)."""

    __slots__ = ("p", "rng", "channel_axis", "mask")

    def __init__(self, p: float, rng: np.random.Generator, channel_axis: int) -> None:
        self.p, self.rng, self.channel_axis = p, rng, channel_axis

    def forward(self, x: np.ndarray) -> np.ndarray:
        shape = [1] * x.ndim
        shape[0], shape[self.channel_axis] = x.shape[0], x.shape[self.channel_axis]
        keep = self.rng.random(shape, dtype=np.float32) >= self.p
        self.mask = keep.astype(x.dtype) * x.dtype.type(1 / (1 - self.p))
        return x * self.mask

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray]:
        return (grad * self.mask,)


def dropout2d(
    x: Any,
    p: float = 0.5,
    rng: np.random.Generator | None = None,
    training: bool = True,
    data_format: str = "channels_first",
) -> Tensor:
    """Zero whole channels of x (N, C, H, W) with probability ``p`` and scale the rest by
    1/(1 - p) (Keras's SpatialDropout2D); the identity when not ``training`` or p = 0."""
    if not 0 <= p < 1:
        raise ValueError(f"dropout2d: p (the drop probability) must be in [0, 1), got {p}")
    x = as_tensor(x)
    axis = (
        _spatial_axes("dropout2d", x, data_format)[0] - 1 if data_format == "channels_first" else 3
    )
    if not training or p == 0:
        return x
    return Dropout2d(p, rng if rng is not None else np.random.default_rng(), axis).apply(x)
