"""Convolution: whole-array NumPy, im2col through stride tricks and one GEMM.

Layout. Every op computes on channels-last arrays, x (N, H, W, C) with the kernel (kh, kw, C/G, O)
(Keras's NHWC / HWIO). PyTorch's layout, x (N, C, H, W) with the weight (O, C/G, kh, kw), is the
same data seen through a transposed view (``x.transpose(0, 2, 3, 1)`` copies nothing), so the
channels-first ops are thin views around the same core, and they return a view too: in a
channels-first network the activations stay channels-last in memory, which is what the im2col
gather wants (the C values of one pixel are contiguous). ``data_format`` selects the layout of
the arguments: "channels_first" (PyTorch's, the default) or "channels_last" (Keras's).

Why one channels-last core (measured at the MNIST convnet's sizes, ``python -m benchmarks.ops
conv``): the GEMMs take most of the time; the im2col copy is made in either layout, and reading
an NCHW array through the transposed view costs it little (a whole NCHW -> NHWC copy of conv2's
input, 128×32×13×13, is ~0.3 ms against ~15 ms for its forward GEMM); an NCHW-native im2col
(cols (N, C·kh·kw, OH·OW) and a batched GEMM giving NCHW directly) measured no faster.

Index math (stride s, dilation d, padding p, kernel k, per spatial axis; xp the padded input):

    OH = (H + p_top + p_bottom - d_h (kh - 1) - 1) // s_h + 1            (the same for OW)
    cols[n, oh, ow, g, i, j, c] = xp[n, oh s_h + i d_h, ow s_w + j d_w, g C/G + c]
    y[n, oh, ow, g O/G + o]     = Σ_{i,j,c} cols[n, oh, ow, g, i, j, c] K[i, j, c, g O/G + o] + b

``cols`` is one ``as_strided`` view of xp made contiguous (M = N·OH·OW rows of kh·kw·C/G values
per group), so the sum is one GEMM (one per group). The backward is two more GEMMs,
dK = colsᵀ g and dcols = g Kᵀ, then col2im scatters dcols back: for each of the kh·kw offsets
(i, j), dxp[:, i d_h : ... : s_h, j d_w : ... : s_w, :] += dcols[:, :, :, :, i, j, :], a whole-array
add (kh·kw of them, no loop over the batch or the pixels); each offset's block of dcols is made
by its own GEMM just before its add (:func:`col2im_matmul`). The poolings (``pool_ops``) use the
same windows.

Memory: ``cols`` (N·OH·OW·kh·kw·C values, the batch's own) is kept from the forward for the
backward and dropped there; a second backward on the same graph rebuilds it from the input.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .function import Function
from .ops import as_tensor
from .parallel import for_chunks
from .tensor import Tensor

DATA_FORMATS = ("channels_first", "channels_last")
Padding = str | int | tuple[int, ...]
IntPair = int | tuple[int, ...]


def check_format(op: str, data_format: str) -> bool:
    """True for channels_last; raise for an unknown data_format."""
    if data_format not in DATA_FORMATS:
        raise ValueError(f"{op}: data_format must be one of {DATA_FORMATS}, got {data_format!r}")
    return data_format == "channels_last"


def _pair(op: str, name: str, value: Any, minimum: int = 1) -> tuple[int, int]:
    """An int or a pair of ints, each >= minimum, as a pair."""
    pair = (value, value) if isinstance(value, int | np.integer) else tuple(value)
    if len(pair) != 2 or not all(
        isinstance(v, int | np.integer) and not isinstance(v, bool) and v >= minimum for v in pair
    ):
        raise ValueError(
            f"{op}: {name} must be an int >= {minimum} or a pair of them, got {value!r}"
        )
    return int(pair[0]), int(pair[1])


class Window(NamedTuple):
    """Where the windows of a conv or a pool lie on a (H, W) input."""

    kernel: tuple[int, int]
    stride: tuple[int, int]
    dilation: tuple[int, int]
    pads: tuple[tuple[int, int], tuple[int, int]]  # (top, bottom), (left, right)
    out: tuple[int, int]  # (OH, OW)

    def offsets(self) -> list[tuple[slice, slice]]:
        """For each kernel offset (i, j), the rows and columns of the padded input it reads."""
        (kh, kw), (sh, sw), (dh, dw), (oh, ow) = self.kernel, self.stride, self.dilation, self.out
        return [
            (
                slice(i * dh, i * dh + sh * (oh - 1) + 1, sh),
                slice(j * dw, j * dw + sw * (ow - 1) + 1, sw),
            )
            for i in range(kh)
            for j in range(kw)
        ]


def _pads(padding: Padding, size: int, k: int, s: int, d: int) -> tuple[int, int]:
    """(before, after) padding of one spatial axis. "same" gives OH = ceil(H / s) with the extra
    pixel after (TensorFlow's and PyTorch's rule: total = (OH - 1) s + d (k - 1) + 1 - H)."""
    if padding == "valid":
        return 0, 0
    if padding == "same":
        total = max((-(-size // s) - 1) * s + d * (k - 1) + 1 - size, 0)
        return total // 2, total - total // 2
    assert isinstance(padding, int)
    return padding, padding


def window(
    op: str, size: tuple[int, int], kernel: Any, stride: Any, padding: Any, dilation: Any = 1
) -> Window:
    """The windows of ``kernel`` on an input of spatial ``size``; raise a readable error for
    a bad option or a kernel larger than the padded input."""
    k = _pair(op, "kernel_size", kernel)
    s = _pair(op, "stride", stride)
    d = _pair(op, "dilation", dilation)
    if isinstance(padding, str):
        if padding not in ("valid", "same"):
            raise ValueError(
                f"{op}: padding must be 'valid', 'same', an int or a pair, got {padding!r}"
            )
        per_axis: tuple[Any, Any] = (padding, padding)
    else:
        per_axis = _pair(op, "padding", padding, minimum=0)
    pads = (
        _pads(per_axis[0], size[0], k[0], s[0], d[0]),
        _pads(per_axis[1], size[1], k[1], s[1], d[1]),
    )
    padded = (size[0] + sum(pads[0]), size[1] + sum(pads[1]))
    span = (d[0] * (k[0] - 1) + 1, d[1] * (k[1] - 1) + 1)
    if padded[0] < span[0] or padded[1] < span[1]:
        raise ValueError(
            f"{op}: kernel {k[0]}×{k[1]} (spanning {span[0]}×{span[1]} with dilation) is larger "
            f"than the padded input {padded[0]}×{padded[1]}"
        )
    out = ((padded[0] - span[0]) // s[0] + 1, (padded[1] - span[1]) // s[1] + 1)
    return Window(k, s, d, pads, out)


def pad_nhwc(x: np.ndarray, win: Window, value: float = 0.0) -> np.ndarray:
    """x (N, H, W, C) padded on H and W (x itself when there is no padding); C-ordered."""
    (t, b), (left, r) = win.pads
    if not (t or b or left or r):
        return x
    n, h, w, c = x.shape
    xp = np.full((n, h + t + b, w + left + r, c), value, dtype=x.dtype)
    xp[:, t : t + h, left : left + w] = x
    return xp


def crop_nhwc(xp: np.ndarray, win: Window) -> np.ndarray:
    """The inverse of :func:`pad_nhwc`: the (N, H, W, C) view inside the padding."""
    (t, b), (left, r) = win.pads
    return xp[:, t : xp.shape[1] - b, left : xp.shape[2] - r]


def im2col(xp: np.ndarray, win: Window, groups: int) -> np.ndarray:
    """cols (N·OH·OW, G, kh·kw·C/G) from the padded input xp (N, Hp, Wp, C), one copy:
    cols[n, oh, ow, g, i, j, c] = xp[n, oh s_h + i d_h, ow s_w + j d_w, g C/G + c]."""
    n, _, _, c = xp.shape
    sn, sh, sw, sc = xp.strides
    cg = c // groups
    (kh, kw), (th, tw), (dh, dw), (oh, ow) = win.kernel, win.stride, win.dilation, win.out
    view = as_strided(
        xp,
        shape=(n, oh, ow, groups, kh, kw, cg),
        strides=(sn, sh * th, sw * tw, sc * cg, sh * dh, sw * dw, sc),
        writeable=False,
    )
    cols = np.empty(view.shape, dtype=xp.dtype)
    for_chunks(n, lambda s: np.copyto(cols[s], view[s]), cols.size)
    return cols.reshape(n * oh * ow, groups, kh * kw * cg)


def col2im_matmul(
    g: np.ndarray, wk: np.ndarray, padded_shape: tuple[int, ...], win: Window
) -> np.ndarray:
    """dxp = col2im(g Kᵀ) (N, Hp, Wp, C), the adjoint of :func:`im2col` applied to dcols = g Kᵀ,
    one kernel offset (i, j) at a time: dxp[:, i d_h :: s_h, j d_w :: s_w] += g K[i, j]ᵀ.

    g (M, G, O/G), wk (G, kh·kw·C/G, O/G). Each offset's block of dcols, (M, C), is made by its
    own GEMM and added at once, so the (M, kh·kw·C) matrix dcols is never held; this measures
    faster than one GEMM then kh·kw strided adds (the source of each add is contiguous).
    """
    n, hp, wp, c = padded_shape
    groups, (kh, kw), (oh, ow) = wk.shape[0], win.kernel, win.out
    # per offset, the kernel's (G, O/G, C/G) block, transposed: dcols_ij = g K_ijᵀ
    blocks = np.ascontiguousarray(
        wk.reshape(groups, kh * kw, c // groups, -1).transpose(1, 0, 3, 2)
    )
    dxp = np.zeros(padded_shape, dtype=g.dtype)
    for k, (rows, cols) in enumerate(win.offsets()):
        add_into(dxp[:, rows, cols], grouped_matmul(g, blocks[k]).reshape(n, oh, ow, c))
    return dxp


def add_into(target: np.ndarray, source: np.ndarray) -> None:
    """target += source, split over the batch (the first axis) on the engine's threads."""
    for_chunks(len(target), lambda s: np.add(target[s], source[s], out=target[s]), source.size)


def grouped_matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(M, G, K) @ (G, K, P) -> (M, G·P): one GEMM per group (a plain 2-D GEMM when G = 1)."""
    m, g, _ = a.shape
    if g == 1:
        return a.reshape(m, -1) @ b[0]
    return np.matmul(a.transpose(1, 0, 2), b).transpose(1, 0, 2).reshape(m, -1)


def grouped_matmul_tn(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """aᵀ b per group: (M, G, K), (M, G, P) -> (G, K, P) (a plain 2-D GEMM when G = 1)."""
    m, g, _ = a.shape
    if g == 1:
        return (a.reshape(m, -1).T @ b.reshape(m, -1))[None]
    return np.matmul(a.transpose(1, 2, 0), b.transpose(1, 0, 2))


def bias_relu(y: np.ndarray, b: np.ndarray | None, relu: bool) -> None:
    """y <- y + b, then max(y, 0) if ``relu``, in place."""
    if b is not None:
        y += b
    if relu:
        np.maximum(y, 0, out=y)


def relu_mask(g: np.ndarray, y: np.ndarray, out: np.ndarray) -> None:
    """out <- g ⊙ [y > 0]: the gradient through ReLU, from its output y."""
    np.multiply(g, y > 0, out=out)


def column_sums(a: np.ndarray) -> np.ndarray:
    """Σ_m a[m, :] of an (M, P) array as the product 1ᵀ a (a GEMV): about 4× faster than
    ``a.sum(axis=0)`` for the tall (N·OH·OW, O) gradients of a convolution's bias."""
    return np.ones(a.shape[0], dtype=a.dtype) @ a


def _with_height(value: Any, height_value: int) -> tuple[Any, ...]:
    """A 1-D option (an int or a 1-tuple) as the 2-D pair (height_value, value)."""
    values = (value,) if isinstance(value, int | np.integer) else tuple(value)
    return (height_value, *values)


class Conv(Function):
    """y = x ⋆ K + b, the cross-correlation of deep learning (see the module docstring), in 1-D or
    2-D (a 1-D conv is a 2-D one on an input of height 1).

    Shapes, channels_first: x (N, C, [H,] W), weight (O, C/G, [kh,] kw), y (N, O, [OH,] OW);
    channels_last: x (N, [H,] W, C), kernel ([kh,] kw, C/G, O), y (N, [OH,] OW, O); bias (O,).
    Backward: db = Σ g, dK = colsᵀ g, dx = col2im(g Kᵀ) (GEMMs per group, and per offset for dx).
    With ``relu``, y = max(x ⋆ K + b, 0) in the same node and g is first masked by [y > 0].
    """

    __slots__ = (
        "nd",
        "opts",
        "last",
        "groups",
        "relu",
        "win",
        "xp",
        "cols",
        "wk",
        "out",
        "x_shape",
        "w_shape",
    )
    fresh_grads = True
    cols: np.ndarray | None
    out: np.ndarray | None

    def __init__(
        self,
        nd: int,
        stride: Any,
        padding: Any,
        dilation: Any,
        groups: int,
        data_format: str,
        relu: bool = False,
    ) -> None:
        self.nd, self.groups, self.relu = nd, groups, relu
        self.last = check_format(self.name, data_format)
        if nd == 1:  # a 1-D conv is a 2-D one of height 1: stride and dilation 1, no padding on H
            stride, dilation = _with_height(stride, 1), _with_height(dilation, 1)
            padding = padding if isinstance(padding, str) else _with_height(padding, 0)
        self.opts = (stride, padding, dilation)

    @property
    def name(self) -> str:
        return f"conv{self.nd}d"

    def _shapes_error(self, x: np.ndarray, w: np.ndarray) -> str | None:
        sp = "L" if self.nd == 1 else "H, W"
        ks = "k" if self.nd == 1 else "kH, kW"
        ndim = self.nd + 2
        if x.ndim != ndim:
            layout = f"(N, {sp}, C)" if self.last else f"(N, C, {sp})"
            return f"input must be {ndim}-D {layout}, got shape {x.shape}"
        if w.ndim != ndim:
            layout = (
                f"({ks}, in_channels/groups, out_channels)"
                if self.last
                else f"(out_channels, in_channels/groups, {ks})"
            )
            return f"weight must be {ndim}-D {layout}, got shape {w.shape}"
        return None

    def _nhwc(self, x: np.ndarray) -> np.ndarray:
        """An input or output-gradient array as (N, H, W, C): a view, no copy."""
        if self.nd == 1:
            x = x[:, None] if self.last else x[:, :, None]
        return x if self.last else x.transpose(0, 2, 3, 1)

    def _hwio(self, w: np.ndarray) -> np.ndarray:
        """The weight as a kernel (kh, kw, C/G, O): a view, no copy."""
        if self.nd == 1:
            w = w[None] if self.last else w[:, :, None]
        return w if self.last else w.transpose(2, 3, 1, 0)

    def forward(self, x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None) -> np.ndarray:
        op = self.name
        problem = self._shapes_error(x, w)
        if problem:
            raise ValueError(f"{op}: {problem}")
        if x.dtype.kind != "f" or x.dtype != w.dtype:
            raise TypeError(
                f"{op}: input and weight must have the same float dtype, "
                f"got {x.dtype} and {w.dtype}"
            )
        xn, k = self._nhwc(x), self._hwio(w)
        c, o, g = xn.shape[3], k.shape[3], self.groups
        if not isinstance(g, int | np.integer) or g < 1 or c % g or o % g:
            raise ValueError(
                f"{op}: groups={g} must be a positive int dividing in_channels={c} "
                f"and out_channels={o}"
            )
        if k.shape[2] * g != c:
            raise ValueError(
                f"{op}: input has {c} channels but the weight expects {k.shape[2] * g} "
                f"(in_channels/groups={k.shape[2]} × groups={g})"
            )
        if b is not None and b.shape != (o,):
            raise ValueError(f"{op}: bias must have shape ({o},), got {b.shape}")
        stride, padding, dilation = self.opts
        self.win = window(op, xn.shape[1:3], k.shape[:2], stride, padding, dilation)
        self.xp = pad_nhwc(xn, self.win)
        self.cols = im2col(self.xp, self.win, g)
        kh, kw, cg, _ = k.shape
        self.wk = np.ascontiguousarray(
            k.reshape(kh, kw, cg, g, o // g).transpose(3, 0, 1, 2, 4)
        ).reshape(g, -1, o // g)
        self.x_shape, self.w_shape = x.shape, w.shape
        y = grouped_matmul(self.cols, self.wk)
        if b is not None or self.relu:
            for_chunks(len(y), lambda s: bias_relu(y[s], b, self.relu), y.size)
        self.out = y if self.relu else None
        return self._from_nhwc(y.reshape(xn.shape[0], *self.win.out, o))

    def _from_nhwc(self, y: np.ndarray) -> np.ndarray:
        """An (N, H, W, C) array back in the caller's layout (a view)."""
        if self.last:
            return y[:, 0] if self.nd == 1 else y
        y = y.transpose(0, 3, 1, 2)
        return y[:, :, 0] if self.nd == 1 else y

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray | None, ...]:
        cols = self.cols if self.cols is not None else im2col(self.xp, self.win, self.groups)
        self.cols = None  # nothing the size of the batch's windows outlives the backward
        g_nhwc = self._nhwc(grad)
        m, groups, _ = cols.shape
        if self.out is not None:  # through the fused ReLU: g ⊙ [y > 0]
            out, masked = self.out.reshape(g_nhwc.shape), np.empty(g_nhwc.shape, grad.dtype)
            for_chunks(len(out), lambda s: relu_mask(g_nhwc[s], out[s], masked[s]), out.size)
            g2 = masked.reshape(m, groups, -1)
        else:
            g2 = np.ascontiguousarray(g_nhwc).reshape(m, groups, -1)  # (M, G, O/G)
        grads: list[np.ndarray | None] = [None, None]
        if self.inputs[0].requires_grad:
            dxp = col2im_matmul(g2, self.wk, self.xp.shape, self.win)
            grads[0] = self._grad_like_input(crop_nhwc(dxp, self.win), self.x_shape)
        if self.inputs[1].requires_grad:
            dk = grouped_matmul_tn(cols, g2)  # (G, kh·kw·C/G, O/G)
            (kh, kw), og = self.win.kernel, g2.shape[2]
            hwio = dk.reshape(groups, kh, kw, -1, og).transpose(1, 2, 3, 0, 4)  # (kh,kw,C/G,G,O/G)
            grads[1] = self._grad_like_weight(hwio.reshape(kh, kw, -1, groups * og))
        if len(self.inputs) == 3:
            grads.append(column_sums(g2.reshape(m, -1)) if self.inputs[2].requires_grad else None)
        return tuple(grads)

    def _grad_like_input(self, dx: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        dx = dx if self.last else dx.transpose(0, 3, 1, 2)
        return dx.reshape(shape)

    def _grad_like_weight(self, dk: np.ndarray) -> np.ndarray:
        """dK (kh, kw, C/G, O) in the weight's own layout and shape."""
        return (dk if self.last else dk.transpose(3, 2, 0, 1)).reshape(self.w_shape)


def _apply_conv(op: Conv, x: Any, weight: Any, bias: Any) -> Tensor:
    inputs = [as_tensor(x), as_tensor(weight)] + ([] if bias is None else [as_tensor(bias)])
    return op.apply(*inputs)


def conv2d(
    x: Any,
    weight: Any,
    bias: Any = None,
    stride: IntPair = 1,
    padding: Padding = 0,
    dilation: IntPair = 1,
    groups: int = 1,
    data_format: str = "channels_first",
    relu: bool = False,
) -> Tensor:
    """2-D convolution (cross-correlation) y = x ⋆ W + b in one node (then max(·, 0) if ``relu``,
    as ``dense`` does: one pass less over the activations forward and backward).

    Args:
        x: (N, C, H, W), or (N, H, W, C) with ``data_format="channels_last"``.
        weight: (O, C/groups, kh, kw) (PyTorch's layout), or the kernel (kh, kw, C/groups, O)
            (Keras's) with channels_last.
        bias: (O,) or None.
        stride, dilation: an int or a pair (height, width).
        padding: "valid" (0), "same" (OH = ceil(H / stride)), an int or a pair, zeros added
            on both sides.
        groups: channels split into ``groups`` independent convolutions (``groups = C`` with
            O = m·C is the depthwise convolution).

    Returns (N, O, OH, OW) (a view of an (N, OH, OW, O) array), or (N, OH, OW, O).
    """
    op = Conv(2, stride, padding, dilation, groups, data_format, relu)
    return _apply_conv(op, x, weight, bias)


def conv1d(
    x: Any,
    weight: Any,
    bias: Any = None,
    stride: int = 1,
    padding: str | int = 0,
    dilation: int = 1,
    groups: int = 1,
    data_format: str = "channels_first",
    relu: bool = False,
) -> Tensor:
    """1-D convolution: x (N, C, L) and weight (O, C/groups, k) (or x (N, L, C) and the kernel
    (k, C/groups, O) with channels_last), computed as a 2-D one of height 1; see :func:`conv2d`.
    """
    op = Conv(1, stride, padding, dilation, groups, data_format, relu)
    return _apply_conv(op, x, weight, bias)
