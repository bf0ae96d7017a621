"""ONNX export of ``nnlab.keras`` models (Keras's layout: channels last).

Layers are read only through ``get_config()`` and ``get_weights()`` and recognized by class name,
as Keras serializes them, so any layer implementation with Keras's configs exports:

==========================================  ==================================================
nnlab.keras (Keras 3 names)                 ONNX (opset 18)
==========================================  ==================================================
Dense (y = act(x K + b))                    Gemm on 2-D inputs, else MatMul + Add; activation
Activation, ReLU, LeakyReLU, ELU, Softmax   Relu, LeakyRelu, Elu, Softmax, Sigmoid, Tanh, ...
Dropout and the other noise layers          Identity (inference)
The random image layers but RandomCrop      Identity (inference)
Flatten, Reshape                            Flatten (axis=1), Reshape (batch kept)
Conv1D, Conv2D                              Transpose to channels first, Conv, Transpose back
Conv1DTranspose, Conv2DTranspose            the same around a ConvTranspose
DepthwiseConv2D, SeparableConv2D            Conv (group = channels), then a 1x1 Conv
ZeroPadding, Cropping, UpSampling 1D/2D/3D  Pad, Slice, Resize (nearest)
Max/AveragePooling1D/2D                     Transpose, MaxPool / AveragePool, Transpose
GlobalAverage/MaxPooling1D/2D               ReduceMean / ReduceMax over the spatial axes
BatchNormalization (inference)              Mul, Add: y = x s + t, s = γ/√(σ² + ε), t = β - μ s
LayerNormalization                          LayerNormalization
Add, Average, Maximum, Minimum              Sum, Mean, Max, Min
Subtract, Multiply, Concatenate             Sub, Mul, Concat
==========================================  ==================================================

Sequential and functional models (several inputs and outputs, shared layers) are exported; the
order of the layer calls comes from :mod:`.keras_graph`.

``padding="same"`` maps to ONNX's ``SAME_UPPER`` (the extra pixel after, as Keras pads).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from typing import Any

import numpy as np

from . import keras_graph
from .graph import Graph

__all__ = ["export_keras"]

Shape = tuple[int | None, ...]  # the batch axis is None
Emit = Callable[[Graph, str, str, dict[str, Any], list[np.ndarray], Shape], str]


# ------------------------------------------------------------------------------ activations
def _swish(g: Graph, x: str, name: str) -> str:
    return g.node("Mul", [x, g.node("Sigmoid", [x], f"{name}.sigmoid")], name)


def _gelu(g: Graph, x: str, name: str) -> str:  # 0.5 x (1 + erf(x / √2)), Keras's exact form
    erf = g.node(
        "Erf",
        [g.node("Mul", [x, g.constant(f"{name}.c", 1 / math.sqrt(2))], f"{name}.s")],
        f"{name}.erf",
    )
    one = g.node("Add", [erf, g.constant(f"{name}.one", 1.0)], f"{name}.add")
    half = g.node("Mul", [x, g.constant(f"{name}.half", 0.5)], f"{name}.half")
    return g.node("Mul", [half, one], name)


def _mish(g: Graph, x: str, name: str) -> str:
    soft = g.node("Softplus", [x], f"{name}.softplus")
    return g.node("Mul", [x, g.node("Tanh", [soft], f"{name}.tanh")], name)


def _log_sigmoid(g: Graph, x: str, name: str) -> str:  # -softplus(-x)
    soft = g.node("Softplus", [g.node("Neg", [x], f"{name}.neg")], f"{name}.softplus")
    return g.node("Neg", [soft], name)


def _tanh_shrink(g: Graph, x: str, name: str) -> str:  # x - tanh(x)
    return g.node("Sub", [x, g.node("Tanh", [x], f"{name}.tanh")], name)


def _squareplus(g: Graph, x: str, name: str) -> str:  # (x + √(x² + 4)) / 2
    square = g.node("Mul", [x, x], f"{name}.square")
    root = g.node(
        "Sqrt",
        [g.node("Add", [square, g.constant(f"{name}.b", 4.0)], f"{name}.add")],
        f"{name}.sqrt",
    )
    total = g.node("Add", [x, root], f"{name}.sum")
    return g.node("Mul", [total, g.constant(f"{name}.half", 0.5)], name)


def _glu(g: Graph, x: str, name: str) -> str:  # a σ(b), a and b the halves of the last axis
    a, b = g.split(x, f"{name}.split", 2, axis=-1)
    return g.node("Mul", [a, g.node("Sigmoid", [b], f"{name}.sigmoid")], name)


def _sparse_plus(g: Graph, x: str, name: str) -> str:  # x for x >= 1, else clip(x+1, 0, 2)²/4
    one = g.constant(f"{name}.one", 1.0)
    shifted = g.node("Add", [x, one], f"{name}.shift")
    inner = g.node(
        "Clip",
        [shifted, g.constant(f"{name}.min", 0.0), g.constant(f"{name}.max", 2.0)],
        f"{name}.clip",
    )
    square = g.node("Mul", [inner, inner], f"{name}.square")
    quarter = g.node("Mul", [square, g.constant(f"{name}.quarter", 0.25)], f"{name}.quarter")
    above = g.node("GreaterOrEqual", [x, one], f"{name}.above")
    return g.node("Where", [above, x, quarter], name)


def _sparse_sigmoid(g: Graph, x: str, name: str) -> str:  # clip((x + 1) / 2, 0, 1)
    shifted = g.node("Add", [x, g.constant(f"{name}.one", 1.0)], f"{name}.shift")
    half = g.node("Mul", [shifted, g.constant(f"{name}.half", 0.5)], f"{name}.half")
    return _clip(0.0, 1.0)(g, half, name)


def _sparsemax(g: Graph, x: str, name: str) -> str:
    """max(x - τ, 0) over the last axis, without sorting: for each element i, k_i counts the
    elements z_j >= z_i and s_i sums them; i is in the support when 1 + k_i z_i > s_i, and
    τ = (sum of the support - 1) / its size (the sorted algorithm's test, element by element)."""
    last = g.constant(f"{name}.last", [-1], np.int64)
    zi = g.node("Unsqueeze", [x, last], f"{name}.zi")
    zj = g.node("Unsqueeze", [x, g.constant(f"{name}.second", [-2], np.int64)], f"{name}.zj")
    ge = g.node("Cast", [g.node("GreaterOrEqual", [zj, zi], f"{name}.ge")], f"{name}.gef", to=1)
    k = g.node("ReduceSum", [ge, last], f"{name}.k", keepdims=0)
    s = g.node(
        "ReduceSum", [g.node("Mul", [ge, zj], f"{name}.gezj"), last], f"{name}.s", keepdims=0
    )
    kz = g.node("Mul", [k, x], f"{name}.kz")
    one = g.constant(f"{name}.one", 1.0)
    lhs = g.node("Add", [kz, one], f"{name}.lhs")
    support = g.node("Cast", [g.node("Greater", [lhs, s], f"{name}.in")], f"{name}.sup", to=1)
    size = g.node("ReduceSum", [support, last], f"{name}.size", keepdims=1)
    total = g.node(
        "ReduceSum", [g.node("Mul", [support, x], f"{name}.supx"), last], f"{name}.sum", keepdims=1
    )
    minus = g.node("Sub", [total, one], f"{name}.minus")
    tau = g.node("Div", [minus, size], f"{name}.tau")
    return g.node("Relu", [g.node("Sub", [x, tau], f"{name}.shifted")], name)


def _clip(low: float, high: float) -> Callable[[Graph, str, str], str]:
    def emit(g: Graph, x: str, name: str) -> str:
        bounds = [g.constant(f"{name}.min", low), g.constant(f"{name}.max", high)]
        return g.node("Clip", [x, *bounds], name)

    return emit


def _simple(op: str, **attributes: Any) -> Callable[[Graph, str, str], str]:
    return lambda g, x, name: g.node(op, [x], name, **attributes)


#: Keras activation name -> emitter(graph, input, node name) -> output.
ACTIVATIONS: dict[str, Callable[[Graph, str, str], str]] = {
    "linear": lambda g, x, name: x,
    "relu": _simple("Relu"),
    "sigmoid": _simple("Sigmoid"),
    "tanh": _simple("Tanh"),
    "softmax": _simple("Softmax", axis=-1),
    "log_softmax": _simple("LogSoftmax", axis=-1),
    "elu": _simple("Elu", alpha=1.0),
    "selu": _simple("Selu"),
    "softplus": _simple("Softplus"),
    "softsign": _simple("Softsign"),
    "exponential": _simple("Exp"),
    "leaky_relu": _simple("LeakyRelu", alpha=0.2),
    "hard_sigmoid": _simple("HardSigmoid", alpha=1 / 6, beta=0.5),
    "relu6": _clip(0.0, 6.0),
    "hard_tanh": _clip(-1.0, 1.0),
    "hard_silu": _simple("HardSwish"),
    "hard_swish": _simple("HardSwish"),
    "celu": _simple("Celu", alpha=1.0),
    "log_sigmoid": _log_sigmoid,
    "tanh_shrink": _tanh_shrink,
    "squareplus": _squareplus,
    "glu": _glu,
    "swish": _swish,
    "silu": _swish,
    "gelu": _gelu,
    "mish": _mish,
    "hard_shrink": _simple("Shrink", lambd=0.5, bias=0.0),
    "soft_shrink": _simple("Shrink", lambd=0.5, bias=0.5),
    "sparse_plus": _sparse_plus,
    "sparse_sigmoid": _sparse_sigmoid,
    "sparsemax": _sparsemax,
}


def _activation(g: Graph, x: str, name: str, spec: Any) -> str:
    """The activation ``spec`` applied to ``x`` by a node named ``name`` (none for 'linear')."""
    key = "linear" if spec is None else spec
    if isinstance(key, dict):  # a serialized activation object
        key = key.get("config", {}).get("name", key.get("class_name"))
    if key not in ACTIVATIONS:
        raise ValueError(f"export: layer {name!r}: activation {spec!r} has no ONNX form here")
    return ACTIVATIONS[key](g, x, name)


# --------------------------------------------------------------------------------- layers
def _dense(
    g: Graph, x: str, name: str, cfg: dict[str, Any], w: list[np.ndarray], shape: Shape
) -> str:
    kernel = g.constant(f"{name}.kernel", w[0])
    bias = [g.constant(f"{name}.bias", w[1])] if len(w) > 1 else []
    if len(shape) == 2:
        out = g.node("Gemm", [x, kernel, *bias], name)
    else:
        out = g.node("MatMul", [x, kernel], name)
        if bias:
            out = g.node("Add", [out, *bias], f"{name}.bias_add")
    return _activation(g, out, f"{name}.activation", cfg.get("activation"))


def _activation_layer(
    g: Graph, x: str, name: str, cfg: dict[str, Any], w: list[np.ndarray], shape: Shape
) -> str:
    return _activation(g, x, name, cfg.get("activation"))


def _identity(
    g: Graph, x: str, name: str, cfg: dict[str, Any], w: list[np.ndarray], shape: Shape
) -> str:
    return g.node("Identity", [x], name)


def _relu_layer(
    g: Graph, x: str, name: str, cfg: dict[str, Any], w: list[np.ndarray], shape: Shape
) -> str:
    if cfg.get("threshold", 0.0) or cfg.get("negative_slope", 0.0):
        raise ValueError(f"export: layer {name!r}: ReLU threshold/negative_slope not exported")
    if cfg.get("max_value") is not None:
        return _clip(0.0, float(cfg["max_value"]))(g, x, name)
    return g.node("Relu", [x], name)


def _leaky_relu(
    g: Graph, x: str, name: str, cfg: dict[str, Any], w: list[np.ndarray], shape: Shape
) -> str:
    alpha = cfg.get("negative_slope", cfg.get("alpha", 0.3))
    return g.node("LeakyRelu", [x], name, alpha=float(alpha))


def _elu(
    g: Graph, x: str, name: str, cfg: dict[str, Any], w: list[np.ndarray], shape: Shape
) -> str:
    return g.node("Elu", [x], name, alpha=float(cfg.get("alpha", 1.0)))


def _softmax(
    g: Graph, x: str, name: str, cfg: dict[str, Any], w: list[np.ndarray], shape: Shape
) -> str:
    axis = cfg.get("axis", -1)
    if not isinstance(axis, int):
        raise ValueError(f"export: layer {name!r}: Softmax over several axes is not exported")
    return g.node("Softmax", [x], name, axis=axis)


def _flatten(
    g: Graph, x: str, name: str, cfg: dict[str, Any], w: list[np.ndarray], shape: Shape
) -> str:
    if cfg.get("data_format") == "channels_first" and len(shape) > 2:
        perm = [0, *range(2, len(shape)), 1]  # Keras flattens channels_first in channels_last order
        x = g.node("Transpose", [x], f"{name}.to_channels_last", perm=perm)
    return g.node("Flatten", [x], name, axis=1)


def _reshape(
    g: Graph, x: str, name: str, cfg: dict[str, Any], w: list[np.ndarray], shape: Shape
) -> str:
    target = g.constant(f"{name}.shape", [0, *cfg["target_shape"]], np.int64)
    return g.node("Reshape", [x, target], name)


def _channels_first(nd: int) -> tuple[list[int], list[int]]:
    """Permutations NHWC -> NCHW and back, for ``nd`` spatial axes."""
    return [0, nd + 1, *range(1, nd + 1)], [0, *range(2, nd + 2), 1]


def _spatial(op: str, nd: int) -> Emit:
    """Conv/pool layers: transpose to channels first, apply ``op``, transpose back."""

    def emit(
        g: Graph, x: str, name: str, cfg: dict[str, Any], w: list[np.ndarray], shape: Shape
    ) -> str:
        last = cfg.get("data_format", "channels_last") != "channels_first"
        to_first, to_last = _channels_first(nd)
        if last:
            x = g.node("Transpose", [x], f"{name}.to_channels_first", perm=to_first)
        inputs, attributes = [x], _window_attributes(op, nd, cfg, name)
        if op == "Conv":
            kernel = np.transpose(
                w[0], (nd + 1, nd, *range(nd))
            )  # (k..., in, out) -> (out, in, k...)
            inputs.append(g.constant(f"{name}.kernel", kernel))
            if cfg.get("use_bias", True):
                inputs.append(g.constant(f"{name}.bias", w[1]))
            attributes["group"] = int(cfg.get("groups", 1))
        out = g.node(op, inputs, name, **attributes)
        if last:
            out = g.node("Transpose", [out], f"{name}.to_channels_last", perm=to_last)
        if op != "Conv":
            return out
        return _activation(g, out, f"{name}.activation", cfg.get("activation"))

    return emit


def _conv_transpose(nd: int) -> Emit:
    """Conv1DTranspose, Conv2DTranspose: a ConvTranspose (channels first) whose pads and
    output_padding place Keras's output window in the uncropped output."""

    def emit(
        g: Graph, x: str, name: str, cfg: dict[str, Any], w: list[np.ndarray], shape: Shape
    ) -> str:
        from nnlab.keras.layers.conv_transpose import transpose_window

        last = cfg.get("data_format", "channels_last") != "channels_first"
        to_first, to_last = _channels_first(nd)
        if last:
            x = g.node("Transpose", [x], f"{name}.to_channels_first", perm=to_first)
        kernel, strides = _ints(cfg["kernel_size"], nd), _ints(cfg.get("strides", 1), nd)
        dilations = _ints(cfg.get("dilation_rate", 1), nd)
        extra = cfg.get("output_padding")
        extra = [None] * nd if extra is None else _ints(extra, nd)
        windows = [
            transpose_window(k, s, d, cfg.get("padding", "valid"), e)
            for k, s, d, e in zip(kernel, strides, dilations, extra, strict=True)
        ]
        # (k..., filters, in) -> (in, filters, k...), ONNX's ConvTranspose weight
        inputs = [x, g.constant(f"{name}.kernel", np.transpose(w[0], (nd + 1, nd, *range(nd))))]
        if cfg.get("use_bias", True):
            inputs.append(g.constant(f"{name}.bias", w[1]))
        out = g.node(
            "ConvTranspose",
            inputs,
            name,
            kernel_shape=kernel,
            strides=strides,
            dilations=dilations,
            pads=[start for start, _, _ in windows] + [end for _, end, _ in windows],
            output_padding=[e for _, _, e in windows],
        )
        if last:
            out = g.node("Transpose", [out], f"{name}.to_channels_last", perm=to_last)
        return _activation(g, out, f"{name}.activation", cfg.get("activation"))

    return emit


def _depthwise(separable: bool) -> Emit:
    """DepthwiseConv2D: a Conv with one group per input channel (output channel c m + j);
    SeparableConv2D: that, then a 1x1 Conv (the pointwise kernel) with the bias."""

    def emit(
        g: Graph, x: str, name: str, cfg: dict[str, Any], w: list[np.ndarray], shape: Shape
    ) -> str:
        last = cfg.get("data_format", "channels_last") != "channels_first"
        to_first, to_last = _channels_first(2)
        if last:
            x = g.node("Transpose", [x], f"{name}.to_channels_first", perm=to_first)
        kh, kw, c, m = w[0].shape
        kernel = np.transpose(w[0], (2, 3, 0, 1)).reshape(c * m, 1, kh, kw)
        attributes = _window_attributes("Conv", 2, cfg, name)
        inputs = [x, g.constant(f"{name}.depthwise_kernel", kernel)]
        if not separable and cfg.get("use_bias", True):
            inputs.append(g.constant(f"{name}.bias", w[1]))
        out = g.node(
            "Conv", inputs, f"{name}.depthwise" if separable else name, group=c, **attributes
        )
        if separable:
            pointwise = np.transpose(w[1], (3, 2, 0, 1))  # (1, 1, C m, F) -> (F, C m, 1, 1)
            inputs = [out, g.constant(f"{name}.pointwise_kernel", pointwise)]
            if cfg.get("use_bias", True):
                inputs.append(g.constant(f"{name}.bias", w[2]))
            out = g.node("Conv", inputs, name, kernel_shape=[1, 1])
        if last:
            out = g.node("Transpose", [out], f"{name}.to_channels_last", perm=to_last)
        return _activation(g, out, f"{name}.activation", cfg.get("activation"))

    return emit


def _sides(value: Any, nd: int) -> list[tuple[int, int]]:
    """Keras's padding/cropping forms, as (before, after) per spatial axis: an int; in 1-D one
    (before, after) pair; otherwise one int or one pair per axis."""
    if isinstance(value, int):
        return [(value, value)] * nd
    if nd == 1:
        return [(int(value[0]), int(value[1]))]
    return [(int(v), int(v)) if isinstance(v, int) else (int(v[0]), int(v[1])) for v in value]


def _spatial_axes(cfg: dict[str, Any], nd: int) -> list[int]:
    first = cfg.get("data_format", "channels_last") == "channels_first"
    return list(range(2, nd + 2)) if first else list(range(1, nd + 1))


def _zero_padding(
    g: Graph, x: str, name: str, cfg: dict[str, Any], w: list[np.ndarray], shape: Shape
) -> str:
    nd = len(shape) - 2
    begin, end = [0] * len(shape), [0] * len(shape)
    for axis, (before, after) in zip(
        _spatial_axes(cfg, nd), _sides(cfg["padding"], nd), strict=True
    ):
        begin[axis], end[axis] = before, after
    return g.node("Pad", [x, g.constant(f"{name}.pads", begin + end, np.int64)], name)


def _cropping(
    g: Graph, x: str, name: str, cfg: dict[str, Any], w: list[np.ndarray], shape: Shape
) -> str:
    nd = len(shape) - 2
    axes, sides = _spatial_axes(cfg, nd), _sides(cfg["cropping"], nd)
    ends = [int(shape[a] or 0) - after for a, (_, after) in zip(axes, sides, strict=True)]
    inputs = [
        x,
        g.constant(f"{name}.starts", [before for before, _ in sides], np.int64),
        g.constant(f"{name}.ends", ends, np.int64),
        g.constant(f"{name}.axes", axes, np.int64),
    ]
    return g.node("Slice", inputs, name)


def _upsampling(
    g: Graph, x: str, name: str, cfg: dict[str, Any], w: list[np.ndarray], shape: Shape
) -> str:
    if cfg.get("interpolation", "nearest") != "nearest":
        raise ValueError(f"export: layer {name!r}: only nearest upsampling is exported")
    nd = len(shape) - 2
    size = _ints(cfg.get("size", 2), nd)
    scales = [1.0] * len(shape)
    for axis, factor in zip(_spatial_axes(cfg, nd), size, strict=True):
        scales[axis] = float(factor)
    inputs = [x, "", g.constant(f"{name}.scales", scales)]  # no region of interest
    return g.node(
        "Resize",
        inputs,
        name,
        mode="nearest",
        coordinate_transformation_mode="asymmetric",
        nearest_mode="floor",
    )


def _ints(value: Any, nd: int) -> list[int]:
    return [int(value)] * nd if isinstance(value, int) else [int(v) for v in value]


def _window_attributes(op: str, nd: int, cfg: dict[str, Any], name: str) -> dict[str, Any]:
    if op == "Conv":
        kernel = _ints(cfg["kernel_size"], nd)
        strides = _ints(cfg.get("strides", 1), nd)
        attributes: dict[str, Any] = {"dilations": _ints(cfg.get("dilation_rate", 1), nd)}
    else:
        kernel = _ints(cfg["pool_size"], nd)
        strides = _ints(cfg.get("strides") or kernel, nd)
        attributes = {}
    attributes.update(kernel_shape=kernel, strides=strides)
    padding = cfg.get("padding", "valid")
    if padding == "same":
        attributes["auto_pad"] = "SAME_UPPER"
    elif padding == "causal" and op == "Conv" and nd == 1:
        attributes["pads"] = [attributes["dilations"][0] * (kernel[0] - 1), 0]
    elif padding == "valid":
        attributes["pads"] = [0] * (2 * nd)
    else:
        raise ValueError(f"export: layer {name!r}: padding {padding!r} is not exported")
    return attributes


def _global_pool(op: str, nd: int) -> Emit:
    def emit(
        g: Graph, x: str, name: str, cfg: dict[str, Any], w: list[np.ndarray], shape: Shape
    ) -> str:
        first = cfg.get("data_format", "channels_last") == "channels_first"
        axes = list(range(2, nd + 2)) if first else list(range(1, nd + 1))
        keep = int(bool(cfg.get("keepdims", False)))
        return g.node(op, [x, g.constant(f"{name}.axes", axes, np.int64)], name, keepdims=keep)

    return emit


def _batch_norm(
    g: Graph, x: str, name: str, cfg: dict[str, Any], w: list[np.ndarray], shape: Shape
) -> str:
    arrays = list(w)
    gamma = arrays.pop(0) if cfg.get("scale", True) else None
    beta = arrays.pop(0) if cfg.get("center", True) else None
    mean, var = arrays
    eps = float(cfg.get("epsilon", 1e-3))
    s = (1.0 if gamma is None else gamma.astype(np.float64)) / np.sqrt(var.astype(np.float64) + eps)
    t = (0.0 if beta is None else beta.astype(np.float64)) - mean.astype(np.float64) * s
    axis = cfg.get("axis", -1)
    axis = axis[0] if isinstance(axis, list | tuple) and len(axis) == 1 else axis
    if not isinstance(axis, int):
        raise ValueError(f"export: layer {name!r}: BatchNormalization over several axes")
    axis %= len(shape)
    broadcast = (-1, *([1] * (len(shape) - 1 - axis)))  # align with the channel axis
    scaled = g.node(
        "Mul", [x, g.constant(f"{name}.scale", np.reshape(s, broadcast))], f"{name}.mul"
    )
    return g.node("Add", [scaled, g.constant(f"{name}.shift", np.reshape(t, broadcast))], name)


def _layer_norm(
    g: Graph, x: str, name: str, cfg: dict[str, Any], w: list[np.ndarray], shape: Shape
) -> str:
    if cfg.get("rms_scaling"):
        raise ValueError(f"export: layer {name!r}: rms_scaling is not exported")
    axes = cfg.get("axis", -1)
    axes = sorted(a % len(shape) for a in (axes if isinstance(axes, list | tuple) else [axes]))
    if axes != list(range(axes[0], len(shape))):
        raise ValueError(f"export: layer {name!r}: LayerNormalization must be over trailing axes")
    arrays = list(w)
    normalized = tuple(int(d or 1) for d in shape[axes[0] :])  # axes >= 1: never the batch
    gamma = arrays.pop(0) if cfg.get("scale", True) else np.ones(normalized, np.float32)
    inputs = [x, g.constant(f"{name}.gamma", np.reshape(gamma, normalized))]
    if cfg.get("center", True):
        inputs.append(g.constant(f"{name}.beta", np.reshape(arrays.pop(0), normalized)))
    return g.node(
        "LayerNormalization", inputs, name, axis=axes[0], epsilon=float(cfg.get("epsilon", 1e-3))
    )


#: Keras class name -> emitter(graph, input, node name, config, weights, input shape) -> output.
LAYERS: dict[str, Emit] = {
    "Dense": _dense,
    "Activation": _activation_layer,
    "ReLU": _relu_layer,
    "LeakyReLU": _leaky_relu,
    "ELU": _elu,
    "Softmax": _softmax,
    "Flatten": _flatten,
    "Reshape": _reshape,
    "Conv1D": _spatial("Conv", 1),
    "Conv2D": _spatial("Conv", 2),
    "DepthwiseConv2D": _depthwise(separable=False),
    "SeparableConv2D": _depthwise(separable=True),
    "Conv1DTranspose": _conv_transpose(1),
    "Conv2DTranspose": _conv_transpose(2),
    "ZeroPadding1D": _zero_padding,
    "ZeroPadding2D": _zero_padding,
    "ZeroPadding3D": _zero_padding,
    "Cropping1D": _cropping,
    "Cropping2D": _cropping,
    "Cropping3D": _cropping,
    "UpSampling1D": _upsampling,
    "UpSampling2D": _upsampling,
    "UpSampling3D": _upsampling,
    "MaxPooling1D": _spatial("MaxPool", 1),
    "MaxPooling2D": _spatial("MaxPool", 2),
    "AveragePooling1D": _spatial("AveragePool", 1),
    "AveragePooling2D": _spatial("AveragePool", 2),
    "GlobalAveragePooling1D": _global_pool("ReduceMean", 1),
    "GlobalAveragePooling2D": _global_pool("ReduceMean", 2),
    "GlobalMaxPooling1D": _global_pool("ReduceMax", 1),
    "GlobalMaxPooling2D": _global_pool("ReduceMax", 2),
    "BatchNormalization": _batch_norm,
    "LayerNormalization": _layer_norm,
}
for _noise in (
    "Dropout",
    "SpatialDropout1D",
    "SpatialDropout2D",
    "SpatialDropout3D",
    "GaussianNoise",
    "GaussianDropout",
    "AlphaDropout",
    "ActivityRegularization",
    "Identity",
    "RandomFlip",
    "RandomRotation",
    "RandomZoom",
    "RandomTranslation",
    "RandomContrast",
    "RandomBrightness",
):
    LAYERS[_noise] = _identity


# ---------------------------------------------------------------------------- merging layers
def _variadic(op: str) -> Callable[[Graph, list[str], str, dict[str, Any]], str]:
    return lambda g, xs, name, cfg: g.node(op, xs, name)


def _multiply(g: Graph, xs: list[str], name: str, cfg: dict[str, Any]) -> str:
    out = xs[0]
    for i, x in enumerate(xs[1:], start=1):
        out = g.node("Mul", [out, x], name if i == len(xs) - 1 else f"{name}.{i}")
    return out


#: Keras merging class name -> emitter(graph, inputs, node name, config) -> output.
MERGES: dict[str, Callable[[Graph, list[str], str, dict[str, Any]], str]] = {
    "Add": _variadic("Sum"),
    "Average": _variadic("Mean"),
    "Maximum": _variadic("Max"),
    "Minimum": _variadic("Min"),
    "Subtract": lambda g, xs, name, cfg: g.node("Sub", xs, name),
    "Multiply": _multiply,
    "Concatenate": lambda g, xs, name, cfg: g.node(
        "Concat", xs, name, axis=int(cfg.get("axis", -1))
    ),
}


# ----------------------------------------------------------------------------- the model
def export_keras(model: Any, path: str | os.PathLike[str]) -> Any:
    """Write a Sequential or functional model as an ONNX model at ``path``; returns the checked
    ``onnx.ModelProto``. Layers are read through ``get_config()`` and ``get_weights()``.

    One input is named ``input``, several after their Input layers; one output is named
    ``output``, several after the layers computing them; nodes are named after the layers."""
    p = keras_graph.plan(model)
    g = Graph(model.name)
    single_in, single_out = len(p.inputs) == 1, len(p.outputs) == 1
    tensors = {ref: g.unique("input" if single_in else ref.split(":")[0]) for ref, _ in p.inputs}
    for call in p.calls:
        layer, cls = call.layer, type(call.layer).__name__
        node = layer.name if call.output.endswith(":0") else call.output.replace(":", "_")
        xs = [tensors[r] for r in call.inputs]
        if call.merged and cls in MERGES:
            tensors[call.output] = MERGES[cls](g, xs, node, layer.get_config())
            continue
        if call.merged or cls not in LAYERS:
            raise ValueError(
                f"export: layer {layer.name!r} ({cls}) has no ONNX export; supported: "
                f"{sorted([*LAYERS, *MERGES])}"
            )
        weights = [np.asarray(w, np.float32) for w in layer.get_weights()]
        shape = p.shapes[call.inputs[0]]
        tensors[call.output] = LAYERS[cls](g, xs[0], node, layer.get_config(), weights, shape)
    return g.save(
        path,
        [(tensors[ref], shape) for ref, shape in p.inputs],
        [(tensors[ref], "output" if single_out else ref.split(":")[0]) for ref in p.outputs],
    )
