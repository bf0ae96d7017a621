"""Convolution layers, Keras 3's: ``Conv1D``, ``Conv2D``, ``DepthwiseConv2D``, ``SeparableConv2D``.

Layout (Keras's): inputs are channels_last by default, (batch, [rows,] cols, channels), and the
kernel is always (*kernel_size, in_channels / groups, filters) (HWIO), whatever the data_format.
Each output pixel is the cross-correlation of the kernel with the window of the input under it:

    y[n, oh, ow, o] = act(b[o] + Σ_{i,j,c} x[n, oh s_h + i d_h, ow s_w + j d_w, c] K[i, j, c, o])

(s the strides, d the dilation rate, x zero-padded for ``padding="same"``), computed by the
engine's :func:`nnlab.autograd.conv2d` (im2col + one GEMM; a ReLU activation fused into the
same node). Output size per spatial axis, as Keras's ``compute_conv_output_shape``:
"valid": ⌊(L - d (k - 1) - 1) / s⌋ + 1; "same" (and Conv1D's "causal"): ⌈L / s⌉.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from nnlab.autograd import Tensor, conv1d, conv2d, pad

from .. import activations
from ..config import standardize_data_format
from .base import Layer
from .core import (
    _constraint,
    _initializer,
    _reg,
    _serialize,
    apply_activation,
    resolve_activation,
)

__all__ = ["Conv1D", "Conv2D", "DepthwiseConv2D", "SeparableConv2D"]

Shape = tuple[int | None, ...]


# ------------------------------------------------------------------ shared argument helpers
def standardize_tuple(
    value: Any, n: int, name: str, where: str, minimum: int = 1
) -> tuple[int, ...]:
    """An int or an ``n``-tuple of ints >= ``minimum`` as an ``n``-tuple (Keras's rule)."""
    values = (value,) * n if isinstance(value, int | np.integer) else tuple(value)
    if len(values) != n or not all(
        isinstance(v, int | np.integer) and not isinstance(v, bool) and v >= minimum for v in values
    ):
        raise ValueError(
            f"{where}: {name} must be an int >= {minimum} or a tuple of {n} of them, got {value!r}"
        )
    return tuple(int(v) for v in values)


def standardize_padding(padding: Any, where: str, allowed: Sequence[str]) -> str:
    value = padding.lower() if isinstance(padding, str) else padding
    if value not in allowed:
        raise ValueError(f"{where}: padding must be one of {tuple(allowed)}, got {padding!r}")
    return str(value)


def check_rank(where: str, input_shape: Sequence[Any], rank: int, data_format: str) -> None:
    """``input_shape`` must be (batch, *spatial (rank of them), channels) in data_format."""
    if len(input_shape) != rank + 2:
        spatial = "steps" if rank == 1 else "rows, cols"
        layout = (
            f"(batch, {spatial}, channels)"
            if data_format == "channels_last"
            else f"(batch, channels, {spatial})"
        )
        raise ValueError(
            f"{where} expects {rank + 2}-D input {layout}, got shape {tuple(input_shape)}"
        )


def spatial_and_channels(shape: Sequence[Any], data_format: str) -> tuple[list[Any], Any]:
    """(spatial sizes, channel count) of a (batch, ...) shape in data_format."""
    if data_format == "channels_last":
        return list(shape[1:-1]), shape[-1]
    return list(shape[2:]), shape[1]


def with_spatial(batch: Any, spatial: Sequence[Any], channels: Any, data_format: str) -> Shape:
    if data_format == "channels_last":
        return (batch, *spatial, channels)
    return (batch, channels, *spatial)


def conv_output_length(
    length: int | None, kernel: int, stride: int, dilation: int, padding: str
) -> int | None:
    """Keras's output size of one spatial axis (None stays None)."""
    if length is None:
        return None
    if padding == "valid":
        return (length - dilation * (kernel - 1) - 1) // stride + 1
    return -(-length // stride)  # "same" and "causal"


# ------------------------------------------------------------------ the layers
class BaseConv(Layer):
    """What the convolutions share: arguments, checks, the kernel and bias, the output shape.

    Weights (in ``get_weights`` order): ``kernel`` (*kernel_size, in_channels / groups, filters)
    and ``bias`` (filters,) when ``use_bias``.
    """

    rank = 2

    def __init__(
        self,
        filters: int | None,
        kernel_size: Any,
        strides: Any = 1,
        padding: str = "valid",
        data_format: str | None = None,
        dilation_rate: Any = 1,
        groups: int = 1,
        activation: Any = None,
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        kernel_constraint: Any = None,
        bias_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        where, rank = type(self).__name__, self.rank
        if filters is not None and (
            isinstance(filters, bool) or not isinstance(filters, int | np.integer) or filters < 1
        ):
            raise ValueError(f"{where}: filters must be a positive int, got {filters!r}")
        if isinstance(groups, bool) or not isinstance(groups, int | np.integer) or groups < 1:
            raise ValueError(f"{where}: groups must be a positive int, got {groups!r}")
        if filters is not None and filters % groups:
            raise ValueError(f"{where}: filters={filters} must be divisible by groups={groups}")
        self.filters = None if filters is None else int(filters)
        self.groups = int(groups)
        self.kernel_size = standardize_tuple(kernel_size, rank, "kernel_size", where)
        self.strides = standardize_tuple(strides, rank, "strides", where)
        self.dilation_rate = standardize_tuple(dilation_rate, rank, "dilation_rate", where)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(
                f"{where}: strides > 1 together with dilation_rate > 1 is not supported "
                f"(got strides={self.strides}, dilation_rate={self.dilation_rate})"
            )
        allowed = ("valid", "same", "causal") if rank == 1 else ("valid", "same")
        self.padding = standardize_padding(padding, where, allowed)
        self.data_format = standardize_data_format(data_format)
        self.activation_name, self.activation = resolve_activation(activation, where)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = _initializer(kernel_initializer, where)
        self.bias_initializer = _initializer(bias_initializer, where)
        self.kernel_regularizer = _reg(kernel_regularizer, f"{where}.kernel_regularizer")
        self.bias_regularizer = _reg(bias_regularizer, f"{where}.bias_regularizer")
        self.kernel_constraint = _constraint(kernel_constraint, where)
        self.bias_constraint = _constraint(bias_constraint, where)
        self.kernel: Tensor | None = None
        self.bias: Tensor | None = None

    # ---------------------------------------------------------------- shapes and weights
    def _in_channels(self, input_shape: Sequence[Any]) -> int:
        where = type(self).__name__
        check_rank(where, input_shape, self.rank, self.data_format)
        channels = spatial_and_channels(input_shape, self.data_format)[1]
        if channels is None:
            raise ValueError(
                f"{where}: the channel dimension of the input must be known, got "
                f"shape {tuple(input_shape)}"
            )
        if channels % self.groups:
            raise ValueError(
                f"{where}: the input's {channels} channels must be divisible by "
                f"groups={self.groups}"
            )
        return int(channels)

    def _build_bias(self, size: int) -> None:
        """The bias vector of ``size`` output channels, when ``use_bias``."""
        if self.use_bias:
            self.bias = self.add_weight(
                shape=(size,),
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
                name="bias",
            )

    def build(self, input_shape: Sequence[Any]) -> None:
        channels = self._in_channels(input_shape)
        assert self.filters is not None
        self.kernel = self.add_weight(
            shape=(*self.kernel_size, channels // self.groups, self.filters),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
            name="kernel",
        )
        self._build_bias(self.filters)
        self.built = True

    def _out_channels(self, in_channels: Any) -> Any:
        return self.filters

    def compute_output_shape(self, input_shape: Sequence[Any]) -> Shape:
        check_rank(type(self).__name__, input_shape, self.rank, self.data_format)
        spatial, channels = spatial_and_channels(input_shape, self.data_format)
        out = [
            conv_output_length(n, k, s, d, self.padding)
            for n, k, s, d in zip(
                spatial, self.kernel_size, self.strides, self.dilation_rate, strict=True
            )
        ]
        return with_spatial(input_shape[0], out, self._out_channels(channels), self.data_format)

    # ---------------------------------------------------------------- computing
    def _fused_relu(self) -> bool:  # Keras's relu itself (not any function named relu)
        return self.activation is activations.relu

    def _convolve(
        self,
        x: Tensor,
        kernel: Tensor,
        bias: Tensor | None,
        groups: int,
        relu: bool,
        pointwise: bool = False,
    ) -> Tensor:
        """The engine's conv of x with a Keras (HWIO) kernel, in this layer's data_format, with
        this layer's strides, padding and dilation (none of them when ``pointwise``: 1×1)."""
        padding: Any = "valid" if pointwise else self.padding
        strides = (1,) * self.rank if pointwise else self.strides
        dilation = (1,) * self.rank if pointwise else self.dilation_rate
        if padding == "causal":  # Conv1D only: pad d (k - 1) zeros before the steps
            widths = [(0, 0)] * 3
            widths[1 if self.data_format == "channels_last" else 2] = (
                dilation[0] * (self.kernel_size[0] - 1),
                0,
            )
            x, padding = pad(x, widths), "valid"
        if self.data_format == "channels_first":  # the engine's channels_first weight: (O, I, ...)
            kernel = kernel.transpose(self.rank + 1, self.rank, *range(self.rank))
        if self.rank == 1:
            return conv1d(
                x, kernel, bias, strides[0], padding, dilation[0], groups, self.data_format, relu
            )
        return conv2d(x, kernel, bias, strides, padding, dilation, groups, self.data_format, relu)

    def _activate(self, y: Tensor, relu: bool) -> Tensor:
        """The activation after the conv (already applied when the ReLU was fused into it)."""
        return y if relu else apply_activation(self.activation_name, self.activation, y)

    def call(self, inputs: Any, training: bool | None = None) -> Tensor:
        assert self.kernel is not None
        relu = self._fused_relu()
        y = self._convolve(inputs, self.kernel, self.bias, self.groups, relu)
        return self._activate(y, relu)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "groups": self.groups,
            "activation": self.activation_name,
            "use_bias": self.use_bias,
            "kernel_initializer": _serialize(self.kernel_initializer),
            "bias_initializer": _serialize(self.bias_initializer),
            "kernel_regularizer": _serialize(self.kernel_regularizer),
            "bias_regularizer": _serialize(self.bias_regularizer),
            "activity_regularizer": _serialize(self.activity_regularizer),
            "kernel_constraint": _serialize(self.kernel_constraint),
            "bias_constraint": _serialize(self.bias_constraint),
        }


class Conv2D(BaseConv):
    """2-D convolution: (batch, rows, cols, channels) -> (batch, new_rows, new_cols, filters).

    ``Conv2D(32, 3, activation="relu")`` has a (3, 3, channels, 32) kernel and a (32,) bias:
    9·channels·32 + 32 parameters. ``groups`` splits the channels into independent convolutions.
    """

    rank = 2


class Conv1D(BaseConv):
    """1-D convolution over steps: (batch, steps, channels) -> (batch, new_steps, filters);
    kernel (kernel_size, channels / groups, filters). ``padding="causal"`` pads d·(k - 1) zeros
    before the sequence so that output t sees only inputs up to t."""

    rank = 1


class DepthwiseConv2D(BaseConv):
    """Each input channel convolved with its own ``depth_multiplier`` filters (no mixing across
    channels): y[..., c·M + m] = Σ_{i,j} x[n, oh s + i d, ow s + j d, c] K[i, j, c, m] + b[c·M + m].

    Weights: ``kernel`` (kh, kw, channels, depth_multiplier), ``bias`` (channels · multiplier,).
    It is the engine's grouped convolution with groups = channels.
    """

    rank = 2

    def __init__(
        self,
        kernel_size: Any,
        strides: Any = (1, 1),
        padding: str = "valid",
        depth_multiplier: int = 1,
        data_format: str | None = None,
        dilation_rate: Any = (1, 1),
        activation: Any = None,
        use_bias: bool = True,
        depthwise_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        depthwise_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        depthwise_constraint: Any = None,
        bias_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        if (
            isinstance(depth_multiplier, bool)
            or not isinstance(depth_multiplier, int | np.integer)
            or depth_multiplier < 1
        ):
            raise ValueError(
                f"{type(self).__name__}: depth_multiplier must be a positive int, "
                f"got {depth_multiplier!r}"
            )
        super().__init__(
            None,
            kernel_size,
            strides=strides,
            padding=padding,
            data_format=data_format,
            dilation_rate=dilation_rate,
            activation=activation,
            use_bias=use_bias,
            kernel_initializer=depthwise_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=depthwise_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            kernel_constraint=depthwise_constraint,
            bias_constraint=bias_constraint,
            **kwargs,
        )
        self.depth_multiplier = int(depth_multiplier)

    def _out_channels(self, in_channels: Any) -> Any:
        return None if in_channels is None else in_channels * self.depth_multiplier

    def build(self, input_shape: Sequence[Any]) -> None:
        channels = self._in_channels(input_shape)
        self.kernel = self.add_weight(
            shape=(*self.kernel_size, channels, self.depth_multiplier),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
            name="kernel",
        )
        self._build_bias(channels * self.depth_multiplier)
        self.built = True

    def _depthwise(self, x: Tensor, bias: Tensor | None, relu: bool) -> Tensor:
        """The grouped conv: kernel (kh, kw, C, M) seen as (kh, kw, 1, C·M), groups = C."""
        assert self.kernel is not None
        kh, kw, channels, multiplier = self.kernel.shape
        kernel = self.kernel.reshape(kh, kw, 1, channels * multiplier)
        return self._convolve(x, kernel, bias, channels, relu)

    def call(self, inputs: Any, training: bool | None = None) -> Tensor:
        relu = self._fused_relu()
        y = self._depthwise(inputs, self.bias, relu)
        return self._activate(y, relu)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        for key in ("filters", "groups"):
            del config[key]
        renamed = {
            "kernel_initializer": "depthwise_initializer",
            "kernel_regularizer": "depthwise_regularizer",
            "kernel_constraint": "depthwise_constraint",
        }
        out = {renamed.get(key, key): value for key, value in config.items()}
        out["depth_multiplier"] = self.depth_multiplier
        return out


class SeparableConv2D(DepthwiseConv2D):
    """A depthwise convolution (``depth_multiplier`` filters per channel) then a pointwise one
    (1×1, mixing the channels into ``filters``): far fewer weights than a full Conv2D.

    Weights: ``depthwise_kernel`` (kh, kw, channels, M), ``pointwise_kernel``
    (1, 1, channels·M, filters), ``bias`` (filters,).
    """

    def __init__(
        self,
        filters: int,
        kernel_size: Any,
        strides: Any = (1, 1),
        padding: str = "valid",
        data_format: str | None = None,
        dilation_rate: Any = (1, 1),
        depth_multiplier: int = 1,
        activation: Any = None,
        use_bias: bool = True,
        depthwise_initializer: Any = "glorot_uniform",
        pointwise_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        depthwise_regularizer: Any = None,
        pointwise_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        depthwise_constraint: Any = None,
        pointwise_constraint: Any = None,
        bias_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        if isinstance(filters, bool) or not isinstance(filters, int | np.integer) or filters < 1:
            raise ValueError(f"SeparableConv2D: filters must be a positive int, got {filters!r}")
        super().__init__(
            kernel_size,
            strides=strides,
            padding=padding,
            depth_multiplier=depth_multiplier,
            data_format=data_format,
            dilation_rate=dilation_rate,
            activation=activation,
            use_bias=use_bias,
            depthwise_initializer=depthwise_initializer,
            bias_initializer=bias_initializer,
            depthwise_regularizer=depthwise_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            depthwise_constraint=depthwise_constraint,
            bias_constraint=bias_constraint,
            **kwargs,
        )
        self.filters = int(filters)
        self.pointwise_initializer = _initializer(pointwise_initializer, "SeparableConv2D")
        self.pointwise_regularizer = _reg(
            pointwise_regularizer, "SeparableConv2D.pointwise_regularizer"
        )
        self.pointwise_constraint = _constraint(pointwise_constraint, "SeparableConv2D")
        self.pointwise_kernel: Tensor | None = None

    def _out_channels(self, in_channels: Any) -> Any:
        return self.filters

    def build(self, input_shape: Sequence[Any]) -> None:
        channels = self._in_channels(input_shape)
        assert self.filters is not None
        self.kernel = self.add_weight(
            shape=(*self.kernel_size, channels, self.depth_multiplier),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
            name="depthwise_kernel",
        )
        self.pointwise_kernel = self.add_weight(
            shape=(1, 1, channels * self.depth_multiplier, self.filters),
            initializer=self.pointwise_initializer,
            regularizer=self.pointwise_regularizer,
            constraint=self.pointwise_constraint,
            name="pointwise_kernel",
        )
        self._build_bias(self.filters)
        self.built = True

    @property
    def depthwise_kernel(self) -> Tensor | None:
        return self.kernel

    def call(self, inputs: Any, training: bool | None = None) -> Tensor:
        assert self.pointwise_kernel is not None
        depthwise = self._depthwise(inputs, None, relu=False)
        relu = self._fused_relu()
        y = self._convolve(depthwise, self.pointwise_kernel, self.bias, 1, relu, pointwise=True)
        return self._activate(y, relu)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["filters"] = self.filters
        config["pointwise_initializer"] = _serialize(self.pointwise_initializer)
        config["pointwise_regularizer"] = _serialize(self.pointwise_regularizer)
        config["pointwise_constraint"] = _serialize(self.pointwise_constraint)
        return config
