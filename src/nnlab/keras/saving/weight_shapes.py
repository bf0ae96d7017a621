"""The weight shapes a layer's Keras config implies, computed before any layer is built.

A file's ``config.json`` could ask for ``Dense(10**12)``; building that layer would allocate
terabytes before its weights could be compared with the file's. So the loader first walks the
configs with these rules, ``rule(config, input_shape) -> (get_weights shapes, output shape)``
(pure arithmetic on the config, Keras's formulas), compares the shapes with those the HDF5 file
declares, and only then builds the model. A class without a rule cannot be loaded.

Output lengths of a window of size k, dilation d, stride s over length n (Keras's):
``valid``: ⌊(n - d (k - 1) - 1) / s⌋ + 1; ``same``: ⌈n / s⌉; ``causal`` (Conv1D): ⌊(n - 1) / s⌋ + 1.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["RULES", "weight_shapes"]

Shape = tuple[int | None, ...]  # with the batch axis (None)
WeightShape = tuple[int, ...]
Rule = Callable[[dict[str, Any], Shape], tuple[list[WeightShape], Shape]]


def _count(config: dict[str, Any], key: str) -> int:
    value = config.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{key} must be a positive integer, got {value!r}")
    return value


def _ints(config: dict[str, Any], key: str, nd: int, default: Any = None) -> tuple[int, ...]:
    value = config.get(key, default)
    if value is None:
        value = default
    values = [value] * nd if isinstance(value, int) else value
    if (
        not isinstance(values, list | tuple)
        or len(values) != nd
        or not all(isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in values)
    ):
        raise ValueError(f"{key} must be {nd} positive integer(s), got {value!r}")
    return tuple(values)


def _dim(shape: Shape, axis: int) -> int:
    d = shape[axis]
    if d is None:
        raise ValueError(f"input dimension {axis} of {shape} must be known")
    return d


def _axis(config: dict[str, Any], shape: Shape) -> int:
    axis = config.get("axis", -1)
    if isinstance(axis, list | tuple) and len(axis) == 1:
        axis = axis[0]
    if not isinstance(axis, int) or not -len(shape) < axis < len(shape) or axis % len(shape) == 0:
        raise ValueError(f"axis {axis!r} is not a feature axis of inputs {shape}")
    return axis % len(shape)


def _length(n: int, k: int, s: int, d: int, padding: str) -> int:
    if padding == "same":
        return -(-n // s)
    if padding == "causal":
        return (n - 1) // s + 1
    if padding == "valid":
        return max((n - d * (k - 1) - 1) // s + 1, 0)
    raise ValueError(f"padding must be 'valid' or 'same', got {padding!r}")


def _spatial(config: dict[str, Any], shape: Shape, nd: int) -> tuple[int, list[int], bool]:
    """(channels, spatial sizes, channels_last) of an input of rank nd + 2."""
    if len(shape) != nd + 2:
        raise ValueError(f"expects inputs of rank {nd + 2}, got {shape}")
    last = config.get("data_format", "channels_last") != "channels_first"
    dims = [_dim(shape, a) for a in range(1, nd + 2)]
    return (dims[-1], dims[:-1], True) if last else (dims[0], dims[1:], False)


def _assemble(batch: Any, channels: int, sizes: Sequence[int], last: bool) -> Shape:
    return (batch, *sizes, channels) if last else (batch, channels, *sizes)


# --------------------------------------------------------------------------------- rules
def _none(config: dict[str, Any], shape: Shape) -> tuple[list[WeightShape], Shape]:
    return [], shape


def _dense(config: dict[str, Any], shape: Shape) -> tuple[list[WeightShape], Shape]:
    units = _count(config, "units")
    kernel: list[WeightShape] = [(_dim(shape, -1), units)]
    return kernel + ([(units,)] if config.get("use_bias", True) else []), (*shape[:-1], units)


def _conv(nd: int) -> Rule:
    def rule(config: dict[str, Any], shape: Shape) -> tuple[list[WeightShape], Shape]:
        channels, sizes, last = _spatial(config, shape, nd)
        filters, groups = _count(config, "filters"), config.get("groups", 1)
        k = _ints(config, "kernel_size", nd)
        s, d = _ints(config, "strides", nd, 1), _ints(config, "dilation_rate", nd, 1)
        if not isinstance(groups, int) or groups < 1 or channels % groups or filters % groups:
            raise ValueError(f"groups={groups!r} must divide {channels} channels and {filters}")
        padding = config.get("padding", "valid")
        out = [
            _length(n, ki, si, di, padding) for n, ki, si, di in zip(sizes, k, s, d, strict=True)
        ]
        weights: list[WeightShape] = [(*k, channels // groups, filters)]
        if config.get("use_bias", True):
            weights.append((filters,))
        return weights, _assemble(shape[0], filters, out, last)

    return rule


def _depthwise(separable: bool) -> Rule:
    """DepthwiseConv2D: kernel (kh, kw, C, m), bias (C m,); SeparableConv2D adds the pointwise
    kernel (1, 1, C m, filters) and its bias is (filters,)."""

    def rule(config: dict[str, Any], shape: Shape) -> tuple[list[WeightShape], Shape]:
        channels, sizes, last = _spatial(config, shape, 2)
        m = _count(config, "depth_multiplier") if "depth_multiplier" in config else 1
        k = _ints(config, "kernel_size", 2)
        s, d = _ints(config, "strides", 2, 1), _ints(config, "dilation_rate", 2, 1)
        padding = config.get("padding", "valid")
        out = [
            _length(n, ki, si, di, padding) for n, ki, si, di in zip(sizes, k, s, d, strict=True)
        ]
        weights: list[WeightShape] = [(*k, channels, m)]
        filters = channels * m
        if separable:
            filters = _count(config, "filters")
            weights.append((1, 1, channels * m, filters))
        if config.get("use_bias", True):
            weights.append((filters,))
        return weights, _assemble(shape[0], filters, out, last)

    return rule


def _pairs(value: Any, key: str) -> tuple[tuple[int, int], tuple[int, int]]:
    """Keras's 2-D padding/cropping: an int, (h, w), or ((top, bottom), (left, right))."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = (value, value)
    if isinstance(value, list | tuple) and len(value) == 2:
        out = [(v, v) if isinstance(v, int) else tuple(v) for v in value]
        if all(len(p) == 2 and all(isinstance(i, int) and i >= 0 for i in p) for p in out):
            return (out[0][0], out[0][1]), (out[1][0], out[1][1])
    raise ValueError(
        f"{key} must be an int, (h, w) or ((top, bottom), (left, right)), got {value!r}"
    )


def _resize(sign: int, key: str) -> Rule:
    """ZeroPadding2D (sign +1) and Cropping2D (sign -1): no weights."""

    def rule(config: dict[str, Any], shape: Shape) -> tuple[list[WeightShape], Shape]:
        channels, (h, w), last = _spatial(config, shape, 2)
        (t, b), (left, r) = _pairs(config.get(key), key)
        out = [h + sign * (t + b), w + sign * (left + r)]
        if min(out) < 1:
            raise ValueError(f"{key} {config.get(key)} leaves nothing of {shape}")
        return [], _assemble(shape[0], channels, out, last)

    return rule


def _upsampling(config: dict[str, Any], shape: Shape) -> tuple[list[WeightShape], Shape]:
    channels, sizes, last = _spatial(config, shape, 2)
    size = _ints(config, "size", 2, 2)
    return [], _assemble(
        shape[0], channels, [n * f for n, f in zip(sizes, size, strict=True)], last
    )


def _pool(nd: int) -> Rule:
    def rule(config: dict[str, Any], shape: Shape) -> tuple[list[WeightShape], Shape]:
        channels, sizes, last = _spatial(config, shape, nd)
        k = _ints(config, "pool_size", nd)
        s = _ints(config, "strides", nd, k)
        padding = config.get("padding", "valid")
        out = [_length(n, ki, si, 1, padding) for n, ki, si in zip(sizes, k, s, strict=True)]
        return [], _assemble(shape[0], channels, out, last)

    return rule


def _global_pool(nd: int) -> Rule:
    def rule(config: dict[str, Any], shape: Shape) -> tuple[list[WeightShape], Shape]:
        channels, _, last = _spatial(config, shape, nd)
        if config.get("keepdims", False):
            return [], _assemble(shape[0], channels, [1] * nd, last)
        return [], (shape[0], channels)

    return rule


def _flatten(config: dict[str, Any], shape: Shape) -> tuple[list[WeightShape], Shape]:
    return [], (shape[0], math.prod(_dim(shape, a) for a in range(1, len(shape))))


def _reshape(config: dict[str, Any], shape: Shape) -> tuple[list[WeightShape], Shape]:
    target = config.get("target_shape")
    if not isinstance(target, list | tuple) or not all(
        isinstance(t, int) and not isinstance(t, bool) and (t >= 1 or t == -1) for t in target
    ):
        raise ValueError(f"target_shape must be a list of positive integers, got {target!r}")
    size = math.prod(_dim(shape, a) for a in range(1, len(shape)))
    known = math.prod(t for t in target if t != -1)
    if list(target).count(-1) > 1 or size % known or (-1 not in target and known != size):
        raise ValueError(f"target_shape {target} does not hold the {size} values of {shape}")
    return [], (shape[0], *(size // known if t == -1 else t for t in target))


def _batch_norm(config: dict[str, Any], shape: Shape) -> tuple[list[WeightShape], Shape]:
    c = _dim(shape, _axis(config, shape))
    n = int(bool(config.get("scale", True))) + int(bool(config.get("center", True))) + 2
    return [(c,)] * n, shape


def _layer_norm(config: dict[str, Any], shape: Shape) -> tuple[list[WeightShape], Shape]:
    axes = config.get("axis", -1)
    axes = axes if isinstance(axes, list | tuple) else [axes]
    if not axes or not all(isinstance(a, int) and -len(shape) < a < len(shape) for a in axes):
        raise ValueError(f"axis {axes!r} is not a feature axis of inputs {shape}")
    if any(a % len(shape) == 0 for a in axes):
        raise ValueError(f"axis {axes!r} includes the batch axis")
    param = tuple(_dim(shape, a) for a in axes)
    n = int(bool(config.get("scale", True))) + int(bool(config.get("center", True)))
    return [param] * n, shape


def _embedding(config: dict[str, Any], shape: Shape) -> tuple[list[WeightShape], Shape]:
    vocabulary, width = _count(config, "input_dim"), _count(config, "output_dim")
    return [(vocabulary, width)], (*shape, width)


#: Keras class name -> rule(config, input shape) -> (get_weights shapes, output shape).
RULES: dict[str, Rule] = {
    "Dense": _dense,
    "Conv1D": _conv(1),
    "Conv2D": _conv(2),
    "DepthwiseConv2D": _depthwise(separable=False),
    "SeparableConv2D": _depthwise(separable=True),
    "ZeroPadding2D": _resize(+1, "padding"),
    "Cropping2D": _resize(-1, "cropping"),
    "UpSampling2D": _upsampling,
    "MaxPooling1D": _pool(1),
    "MaxPooling2D": _pool(2),
    "AveragePooling1D": _pool(1),
    "AveragePooling2D": _pool(2),
    "GlobalAveragePooling1D": _global_pool(1),
    "GlobalAveragePooling2D": _global_pool(2),
    "GlobalMaxPooling1D": _global_pool(1),
    "GlobalMaxPooling2D": _global_pool(2),
    "Flatten": _flatten,
    "Reshape": _reshape,
    "BatchNormalization": _batch_norm,
    "LayerNormalization": _layer_norm,
    "Embedding": _embedding,
}
for _same in (
    "Activation",
    "ReLU",
    "LeakyReLU",
    "ELU",
    "Softmax",
    "Dropout",
    "SpatialDropout1D",
    "SpatialDropout2D",
    "GaussianNoise",
    "GaussianDropout",
    "ActivityRegularization",
    "Identity",
    "UnitNormalization",
):
    RULES[_same] = _none


# ---------------- transposed convolutions and the 1-D/3-D spatial layers (kconvT)
def _transpose_length(n: int, k: int, s: int, d: int, padding: str, extra: int | None) -> int:
    """Keras's output length of a transposed convolution (k_eff = d (k - 1) + 1): "valid":
    (n - 1) s + k_eff + extra, extra defaulting to max(k_eff, s) - k_eff; "same": n s, or
    (n - 1) s + k_eff mod 2 + extra."""
    k_eff = d * (k - 1) + 1
    if padding == "valid":
        return (n - 1) * s + k_eff + (max(k_eff, s) - k_eff if extra is None else extra)
    if padding == "same":
        return n * s if extra is None else (n - 1) * s + k_eff % 2 + extra
    raise ValueError(f"padding must be 'valid' or 'same', got {padding!r}")


def _conv_transpose(nd: int) -> Rule:
    """Conv1DTranspose, Conv2DTranspose: kernel (*k, filters, channels), bias (filters,)."""

    def rule(config: dict[str, Any], shape: Shape) -> tuple[list[WeightShape], Shape]:
        channels, sizes, last = _spatial(config, shape, nd)
        filters = _count(config, "filters")
        k = _ints(config, "kernel_size", nd)
        s, d = _ints(config, "strides", nd, 1), _ints(config, "dilation_rate", nd, 1)
        extra = config.get("output_padding")
        extras = [None] * nd if extra is None else [extra] * nd if isinstance(extra, int) else extra
        if (
            not isinstance(extras, list | tuple)
            or len(extras) != nd
            or not all(e is None or (isinstance(e, int) and e >= 0) for e in extras)
        ):
            raise ValueError(f"output_padding must be {nd} non-negative integer(s), got {extra!r}")
        padding = config.get("padding", "valid")
        out = [
            _transpose_length(n, ki, si, di, padding, e)
            for n, ki, si, di, e in zip(sizes, k, s, d, extras, strict=True)
        ]
        if min(out) < 1:
            raise ValueError(f"the output of {shape} would be empty ({out})")
        weights: list[WeightShape] = [(*k, filters, channels)]
        if config.get("use_bias", True):
            weights.append((filters,))
        return weights, _assemble(shape[0], filters, out, last)

    return rule


def _sides_nd(value: Any, nd: int, key: str) -> list[tuple[int, int]]:
    """Keras's padding/cropping: an int; in 1-D (before, after); else an int or a pair per axis."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = [value] * nd if nd > 1 else [value, value]
    if isinstance(value, list | tuple) and nd == 1 and len(value) == 2:
        value = [value]
    if isinstance(value, list | tuple) and len(value) == nd:
        out = [(v, v) if isinstance(v, int) else tuple(v) for v in value]
        if all(len(p) == 2 and all(isinstance(i, int) and i >= 0 for i in p) for p in out):
            return [(p[0], p[1]) for p in out]
    raise ValueError(f"{key} must be an int or (before, after) pairs per axis, got {value!r}")


def _resize_nd(nd: int, sign: int, key: str, default: Any) -> Rule:
    """ZeroPadding1D/3D (sign +1) and Cropping1D/3D (sign -1): no weights."""

    def rule(config: dict[str, Any], shape: Shape) -> tuple[list[WeightShape], Shape]:
        channels, sizes, last = _spatial(config, shape, nd)
        sides = _sides_nd(config.get(key, default), nd, key)
        out = [n + sign * sum(p) for n, p in zip(sizes, sides, strict=True)]
        if min(out) < 1:
            raise ValueError(f"{key} {config.get(key)} leaves nothing of {shape}")
        return [], _assemble(shape[0], channels, out, last)

    return rule


def _upsampling_nd(nd: int) -> Rule:
    def rule(config: dict[str, Any], shape: Shape) -> tuple[list[WeightShape], Shape]:
        channels, sizes, last = _spatial(config, shape, nd)
        size = _ints(config, "size", nd, 2)
        out = [n * f for n, f in zip(sizes, size, strict=True)]
        return [], _assemble(shape[0], channels, out, last)

    return rule


RULES.update(
    {
        "Conv1DTranspose": _conv_transpose(1),
        "Conv2DTranspose": _conv_transpose(2),
        "ZeroPadding1D": _resize_nd(1, +1, "padding", 1),
        "ZeroPadding3D": _resize_nd(3, +1, "padding", 1),
        "Cropping1D": _resize_nd(1, -1, "cropping", 1),
        "Cropping3D": _resize_nd(3, -1, "cropping", 1),
        "UpSampling1D": _upsampling_nd(1),
        "UpSampling3D": _upsampling_nd(3),
        "SpatialDropout3D": _none,
    }
)
# ---------------- end of the kconvT rules


# ---------------- the recurrent layers (krnn): x (B, T, F) -> (B, T, U) or (B, U)
_GATES = {"SimpleRNNCell": 1, "LSTMCell": 4, "GRUCell": 3, "SimpleRNN": 1, "LSTM": 4, "GRU": 3}


def _cell_shapes(cls: str, config: dict[str, Any], features: int) -> tuple[list[WeightShape], int]:
    """(kernel, recurrent_kernel[, bias]) of a SimpleRNN/LSTM/GRU cell and its output width."""
    units, width = _count(config, "units"), _GATES[cls] * _count(config, "units")
    shapes: list[WeightShape] = [(features, width), (units, width)]
    if config.get("use_bias", True):
        two = cls in ("GRU", "GRUCell") and config.get("reset_after", True)
        shapes.append((2, width) if two else (width,))
    return shapes, units


def _cells(spec: Any, features: int) -> tuple[list[WeightShape], int]:
    """The weights and output width of an ``RNN``'s cell entry (one cell or StackedRNNCells)."""
    if not isinstance(spec, dict):
        raise ValueError(f"cell must be a serialized cell, got {str(spec)[:60]}")
    cls, config = spec.get("class_name"), spec.get("config") or {}
    if cls == "StackedRNNCells":
        shapes: list[WeightShape] = []
        for inner in config.get("cells") or []:
            part, features = _cells(inner, features)
            shapes += part
        return shapes, features
    if cls not in ("SimpleRNNCell", "LSTMCell", "GRUCell"):
        raise ValueError(f"cell class {str(cls)[:40]!r} cannot be loaded from a file")
    return _cell_shapes(str(cls), config, features)


def _sequence_output(config: dict[str, Any], shape: Shape, units: int) -> Shape:
    """The first output's shape (the states that ``return_state`` adds come after it)."""
    return (shape[0], shape[1], units) if config.get("return_sequences") else (shape[0], units)


def _recurrent(cls: str) -> Rule:
    def rule(config: dict[str, Any], shape: Shape) -> tuple[list[WeightShape], Shape]:
        if len(shape) != 3:
            raise ValueError(f"expects inputs (batch, time, features), got {shape}")
        features = _dim(shape, 2)
        if cls == "RNN":
            shapes, units = _cells(config.get("cell"), features)
        else:
            shapes, units = _cell_shapes(cls, config, features)
        return shapes, _sequence_output(config, shape, units)

    return rule


def _bidirectional(config: dict[str, Any], shape: Shape) -> tuple[list[WeightShape], Shape]:
    sides = []
    for key in ("layer", "backward_layer"):
        inner = config.get(key) or config.get("layer")
        if not isinstance(inner, dict) or inner.get("class_name") not in _RECURRENT:
            raise ValueError(f"{key} must be a recurrent layer, got {str(inner)[:60]}")
        sides.append(RULES[inner["class_name"]](inner.get("config") or {}, shape))
    (forward, out), (backward, out_back) = sides
    if config.get("merge_mode", "concat") == "concat":  # else the forward layer's shape
        out = (*out[:-1], _dim(out, -1) + _dim(out_back, -1))
    return forward + backward, out


_RECURRENT = ("SimpleRNN", "LSTM", "GRU", "RNN")
RULES.update({cls: _recurrent(cls) for cls in _RECURRENT})
RULES["Bidirectional"] = _bidirectional
RULES["Masking"] = _none
# ---------------- end of the krnn rules


# ---------------- the image preprocessing layers: no weights; the crops and resizes set (H, W)
def _image_size(config: dict[str, Any], shape: Shape) -> tuple[list[WeightShape], Shape]:
    channels, _, last = _spatial(config, shape, 2)
    size = [_count(config, "height"), _count(config, "width")]
    return [], _assemble(shape[0], channels, size, last)


for _image in ("Resizing", "CenterCrop", "RandomCrop"):
    RULES[_image] = _image_size
for _image in (
    "RandomFlip",
    "RandomRotation",
    "RandomZoom",
    "RandomTranslation",
    "RandomContrast",
    "RandomBrightness",
):
    RULES[_image] = _none
# ---------------- end of the image preprocessing rules


def weight_shapes(entries: Sequence[Any], shape: Shape) -> list[list[WeightShape]]:
    """Each layer's ``get_weights`` shapes the configs imply, for inputs of ``shape``."""
    out = []
    for entry in entries:
        cls, config = entry["class_name"], entry["config"]
        rule = RULES.get(cls)
        if rule is None:
            raise ValueError(f"layer class {cls!r} cannot be loaded from a file (no shape rule)")
        try:
            shapes, shape = rule(config, shape)
        except ValueError as err:
            raise ValueError(f"layer {config.get('name')!r} ({cls}): {err}") from None
        out.append(shapes)
    return out
