"""Transposed convolution ("deconvolution"): the adjoint of a convolution, as an op.

A convolution maps an input z (N, Hz, Wz, O) to x (N, H, W, I) (channels-last, kernel K of the
convolution (kh, kw, O/G, I)). Its transpose maps the other way, x (N, H, W, I) to z: it is the
convolution's input-gradient computation with x in the place of the output gradient. So

    forward  (this op)  = col2im(x Kᵀ)      one GEMM per kernel offset, then a scatter-add
    backward, dx        = im2col(g) K        the convolution's forward on g: one GEMM
    backward, dK        = im2col(g)ᵀ x       the convolution's weight gradient: one GEMM
    backward, db        = Σ_{n, i, j} g

with the im2col/col2im helpers of :mod:`.conv_ops`, whole-array NumPy as there.

Index math (groups 1; stride s, dilation d, kernel k, k_eff = d (k - 1) + 1 per axis; x has H rows):

    full[n, h s_h + i d_h, w s_w + j d_w, o] += Σ_c x[n, h, w, c] K[i, j, o, c]   (i < kh, j < kw)
    full has Hf = (H - 1) s + k_eff + output_padding rows (the last output_padding get no term)
    y = full[:, p_before : Hf - p_after] + b,   OH = (H - 1) s + k_eff - p_before - p_after + op

PyTorch's ``padding`` p crops p rows on both sides, its ``output_padding`` adds rows at the end:
OH = (H - 1) s - 2 p + d (k - 1) + output_padding + 1. Keras's "same" needs an asymmetric crop,
so ``padding`` also takes (before, after) pairs per axis.

Layout. channels_first (PyTorch's, the default): x (N, I, H, W), weight (I, O/G, kh, kw),
y (N, O, OH, OW). channels_last (Keras's): x (N, H, W, I), kernel (kh, kw, O/G, I) (Keras's
Conv2DTranspose kernel, (kh, kw, filters, in_channels) with groups=1), y (N, OH, OW, O). Both are
views of the same channels-last core, as in :mod:`.conv_ops`. Groups: the I input channels split
into G groups of I/G, group g producing output channels g O/G ... (g + 1) O/G.

Memory: nothing the size of the windows is kept from the forward; the backward builds im2col(g)
once and drops it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .conv_ops import Window, check_format, col2im_matmul, grouped_matmul, grouped_matmul_tn, im2col
from .function import Function
from .ops import as_tensor
from .tensor import Tensor

Pads = tuple[int, int]


def int_tuple(op: str, name: str, value: Any, nd: int, minimum: int) -> tuple[int, ...]:
    """An int or an nd-tuple of ints >= minimum, as an nd-tuple; a readable error otherwise."""
    try:
        values = (value,) * nd if isinstance(value, int | np.integer) else tuple(value)
    except TypeError:  # not an int nor a sequence
        values = ()
    if len(values) != nd or not all(
        isinstance(v, int | np.integer) and not isinstance(v, bool) and v >= minimum for v in values
    ):
        raise ValueError(f"{op}: {name} must be an int >= {minimum} or {nd} of them, got {value!r}")
    return tuple(int(v) for v in values)


def _crops(op: str, padding: Any, nd: int) -> tuple[Pads, ...]:
    """``padding`` as (before, after) per spatial axis, from an int, nd ints, nd (before, after)
    pairs, or in 1-D one (before, after) pair (all >= 0)."""
    if isinstance(padding, int | np.integer):
        padding = (padding,) * nd
    flat = isinstance(padding, tuple | list) and all(
        isinstance(p, int | np.integer) for p in padding
    )
    if flat and len(padding) == nd:
        return tuple((p, p) for p in int_tuple(op, "padding", padding, nd, 0))
    if flat and nd == 1:
        padding = (padding,)
    try:
        pairs = tuple(int_tuple(op, "padding", p, 2, 0) for p in padding)
    except (TypeError, ValueError):
        pairs = ()
    if len(pairs) != nd:
        raise ValueError(
            f"{op}: padding must be an int, {nd} ints or {nd} (before, after) pairs of ints >= 0, "
            f"got {padding!r}"
        )
    return tuple((p[0], p[1]) for p in pairs)


class ConvTranspose(Function):
    """y = the transposed convolution of x by W, plus b (see the module docstring), in 1-D or
    2-D (a 1-D one is a 2-D one of height 1).

    Shapes, channels_first: x (N, I, [H,] W), weight (I, O/G, [kh,] kw), y (N, O, [OH,] OW);
    channels_last: x (N, [H,] W, I), kernel ([kh,] kw, O/G, I), y (N, [OH,] OW, O); bias (O,).
    """

    __slots__ = (
        "nd",
        "last",
        "groups",
        "stride",
        "dilation",
        "crops",
        "extra",
        "xn",
        "wk",
        "shapes",
    )
    fresh_grads = True

    def __init__(
        self,
        nd: int,
        stride: Any,
        padding: Any,
        output_padding: Any,
        dilation: Any,
        groups: int,
        data_format: str,
    ) -> None:
        op = f"conv_transpose{nd}d"
        self.nd, self.last = nd, check_format(op, data_format)
        if not isinstance(groups, int | np.integer) or isinstance(groups, bool) or groups < 1:
            raise ValueError(f"{op}: groups must be a positive int, got {groups!r}")
        self.groups = int(groups)
        stride = int_tuple(op, "stride", stride, nd, 1)
        dilation = int_tuple(op, "dilation", dilation, nd, 1)
        crops = _crops(op, padding, nd)
        extra = int_tuple(op, "output_padding", output_padding, nd, 0)
        if nd == 1:  # height 1: stride and dilation 1, nothing cropped or added on H
            stride, dilation, crops, extra = (
                (1, *stride),
                (1, *dilation),
                ((0, 0), *crops),
                (0, *extra),
            )
        self.stride, self.dilation, self.extra = stride, dilation, extra
        self.crops: tuple[Pads, Pads] = (crops[0], crops[1])

    @property
    def name(self) -> str:
        return f"conv_transpose{self.nd}d"

    def _nhwc(self, x: np.ndarray) -> np.ndarray:
        """An input or output-gradient array as (N, H, W, C): a view, no copy."""
        if self.nd == 1:
            x = x[:, None] if self.last else x[:, :, None]
        return x if self.last else x.transpose(0, 2, 3, 1)

    def _from_nhwc(self, y: np.ndarray) -> np.ndarray:
        """An (N, H, W, C) array in the caller's layout (a view)."""
        if not self.last:
            y = y.transpose(0, 3, 1, 2)
            return y[:, :, 0] if self.nd == 1 else y
        return y[:, 0] if self.nd == 1 else y

    def _hwoi(self, w: np.ndarray) -> np.ndarray:
        """The weight as (kh, kw, O/G, I): a view, no copy."""
        if self.nd == 1:
            w = w[None] if self.last else w[:, :, None]
        return w if self.last else w.transpose(2, 3, 1, 0)

    def _full(self, size: tuple[int, int], kernel: tuple[int, int]) -> tuple[int, int]:
        """The uncropped output's (Hf, Wf): (H - 1) s + d (k - 1) + 1 + output_padding."""
        h, w = (
            (n - 1) * s + d * (k - 1) + 1 + e
            for n, k, s, d, e in zip(
                size, kernel, self.stride, self.dilation, self.extra, strict=True
            )
        )
        return h, w

    def _check(self, x: np.ndarray, w: np.ndarray, b: np.ndarray | None) -> None:
        op, ndim = self.name, self.nd + 2
        sp, ks = ("L", "k") if self.nd == 1 else ("H, W", "kH, kW")
        if x.ndim != ndim:
            layout = f"(N, {sp}, C)" if self.last else f"(N, C, {sp})"
            raise ValueError(f"{op}: input must be {ndim}-D {layout}, got shape {x.shape}")
        if w.ndim != ndim:
            layout = (
                f"({ks}, out_channels/groups, in_channels)"
                if self.last
                else f"(in_channels, out_channels/groups, {ks})"
            )
            raise ValueError(f"{op}: weight must be {ndim}-D {layout}, got shape {w.shape}")
        if x.dtype.kind != "f" or x.dtype != w.dtype:
            raise TypeError(
                f"{op}: input and weight must have the same float dtype, "
                f"got {x.dtype} and {w.dtype}"
            )
        c_in = x.shape[-1] if self.last else x.shape[1]
        w_in = w.shape[-1] if self.last else w.shape[0]
        if c_in != w_in:
            raise ValueError(f"{op}: input has {c_in} channels but the weight expects {w_in}")
        if c_in % self.groups:
            raise ValueError(
                f"{op}: groups={self.groups} must divide in_channels={c_in} (and out_channels)"
            )
        o = (w.shape[-2] if self.last else w.shape[1]) * self.groups
        if b is not None and b.shape != (o,):
            raise ValueError(f"{op}: bias must have shape ({o},), got {b.shape}")

    def forward(self, x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None) -> np.ndarray:
        self._check(x, w, b)
        xn, k = self._nhwc(x), self._hwoi(w)
        n, h, wd, c_in = xn.shape
        kh, kw, og, _ = k.shape
        g = self.groups
        full = self._full((h, wd), (kh, kw))  # Hf, Wf: the uncropped output
        out = [f - sum(c) for f, c in zip(full, self.crops, strict=True)]
        if min(out) < 1:
            raise ValueError(
                f"{self.name}: padding {self.crops[2 - self.nd :]} crops the whole output "
                f"(uncropped size {tuple(full[2 - self.nd :])})"
            )
        # the convolution this op is the transpose of: from the full (Hf, Wf) grid to (H, W)
        self.shapes = (
            Window(
                kernel=(kh, kw),
                stride=self.stride,
                dilation=self.dilation,
                pads=self.crops,
                out=(h, wd),
            ),
            x.shape,
            w.shape,
        )
        self.xn = xn
        self.wk = np.ascontiguousarray(
            k.reshape(kh, kw, og, g, c_in // g).transpose(3, 0, 1, 2, 4)
        ).reshape(g, -1, c_in // g)  # (G, kh·kw·O/G, I/G)
        x2 = np.ascontiguousarray(xn).reshape(n * h * wd, g, c_in // g)
        yf = col2im_matmul(x2, self.wk, (n, full[0], full[1], og * g), self.shapes[0])
        (t, bt), (lf, rt) = self.crops
        y = yf[:, t : full[0] - bt, lf : full[1] - rt]
        if b is not None:
            y = y + b
        return self._from_nhwc(y)

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray | None, ...]:
        win, x_shape, w_shape = self.shapes
        gn = self._nhwc(grad)
        n, oh, ow, o = gn.shape
        (t, bt), (lf, rt) = self.crops
        h, wd = win.out
        full = self._full((h, wd), win.kernel)
        gp = np.zeros((n, full[0], full[1], o), dtype=grad.dtype)
        gp[:, t : t + oh, lf : lf + ow] = gn
        cols = im2col(gp, win, self.groups)  # (N·H·W, G, kh·kw·O/G)
        grads: list[np.ndarray | None] = [None, None]
        if self.inputs[0].requires_grad:
            dx = grouped_matmul(cols, self.wk).reshape(n, h, wd, -1)
            dx = dx if self.last else dx.transpose(0, 3, 1, 2)
            grads[0] = dx.reshape(x_shape)
        if self.inputs[1].requires_grad:
            g, c_in = self.groups, self.xn.shape[3]
            x2 = np.ascontiguousarray(self.xn).reshape(-1, g, c_in // g)
            dk = grouped_matmul_tn(cols, x2)  # (G, kh·kw·O/G, I/G)
            kh, kw = win.kernel
            hwoi = dk.reshape(g, kh, kw, o // g, c_in // g).transpose(1, 2, 3, 0, 4)
            hwoi = hwoi.reshape(kh, kw, o // g, c_in)
            grads[1] = (hwoi if self.last else hwoi.transpose(3, 2, 0, 1)).reshape(w_shape)
        if len(self.inputs) == 3:
            grads.append(gn.sum(axis=(0, 1, 2)) if self.inputs[2].requires_grad else None)
        return tuple(grads)


def _apply(op: ConvTranspose, x: Any, weight: Any, bias: Any) -> Tensor:
    inputs = [as_tensor(x), as_tensor(weight)] + ([] if bias is None else [as_tensor(bias)])
    return op.apply(*inputs)


def conv_transpose2d(
    x: Any,
    weight: Any,
    bias: Any = None,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    groups: int = 1,
    dilation: Any = 1,
    data_format: str = "channels_first",
) -> Tensor:
    """2-D transposed convolution, the adjoint of :func:`~nnlab.autograd.conv2d` plus a bias
    (argument order as ``torch.nn.functional.conv_transpose2d``).

    Args:
        x: (N, I, H, W), or (N, H, W, I) with ``data_format="channels_last"``.
        weight: (I, O/groups, kh, kw) (PyTorch's layout), or (kh, kw, O/groups, I) (Keras's
            Conv2DTranspose kernel) with channels_last.
        bias: (O,) or None.
        stride, dilation: an int or a pair (height, width).
        padding: rows/columns cropped from the uncropped output: an int, a pair (both sides of
            each axis), or ((top, bottom), (left, right)).
        output_padding: an int or a pair: rows/columns added at the end (bottom, right).
        groups: the input channels split into ``groups`` independent transposed convolutions.

    Returns (N, O, OH, OW) with OH = (H - 1) s - p_top - p_bottom + d (kh - 1) + output_padding + 1,
    or (N, OH, OW, O).
    """
    op = ConvTranspose(2, stride, padding, output_padding, dilation, groups, data_format)
    return _apply(op, x, weight, bias)


def conv_transpose1d(
    x: Any,
    weight: Any,
    bias: Any = None,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    groups: int = 1,
    dilation: Any = 1,
    data_format: str = "channels_first",
) -> Tensor:
    """1-D transposed convolution: x (N, I, L), weight (I, O/groups, k) (or x (N, L, I), kernel
    (k, O/groups, I) with channels_last) -> OL = (L - 1) s - p_before - p_after + d (k - 1) +
    output_padding + 1; computed as a 2-D one of height 1, see :func:`conv_transpose2d`.
    ``padding``: an int or one (before, after) pair."""
    op = ConvTranspose(1, stride, padding, output_padding, dilation, groups, data_format)
    return _apply(op, x, weight, bias)
