"""Normalization layers: ``BatchNormalization``, ``LayerNormalization``, ``UnitNormalization``.

``BatchNormalization(axis=-1, momentum=0.99, epsilon=1e-3)``: y = γ (x - μ) / √(σ² + ε) + β per
feature on ``axis``. In training (``fit``) μ, σ² are the batch's (biased) mean and variance over
every other axis, and the moving statistics follow m ← momentum·m + (1 - momentum)·μ (same for
σ²); in inference the moving statistics are used. A frozen layer (``trainable = False``) always
runs in inference mode, as in Keras. Weights: gamma, beta (trainable), moving_mean,
moving_variance (non-trainable). Any rank (dense features, sequences, images with channels last).

``LayerNormalization(axis=-1, epsilon=1e-3)``: the same formula with μ, σ² of each sample over
``axis``. ``UnitNormalization(axis=-1)``: x / √max(Σ x², 1e-12).

``GroupNormalization(groups=32, axis=-1, epsilon=1e-3)``: the C channels on ``axis`` split into
``groups`` groups of C/groups; μ, σ² of each sample and group over the group's channels and every
other non-batch axis; then γ, β per channel (groups=-1: one channel per group, instance norm).
``RMSNormalization(axis=-1, epsilon=1e-6)``: y = x / √(mean(x²) + ε) · scale over ``axis``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nnlab.autograd import Tensor, batch_norm, layer_norm

from .base import Layer
from .core import _constraint, _initializer, _reg, _serialize
from .input_spec import InputSpec

__all__ = [
    "BatchNormalization",
    "GroupNormalization",
    "LayerNormalization",
    "RMSNormalization",
    "UnitNormalization",
]


class BatchNormalization(Layer):
    """Batch normalization over ``axis`` (see the module docstring)."""

    def __init__(
        self,
        axis: int = -1,
        momentum: float = 0.99,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer: Any = "zeros",
        gamma_initializer: Any = "ones",
        moving_mean_initializer: Any = "zeros",
        moving_variance_initializer: Any = "ones",
        beta_regularizer: Any = None,
        gamma_regularizer: Any = None,
        beta_constraint: Any = None,
        gamma_constraint: Any = None,
        synchronized: bool = False,
        **kwargs: Any,
    ) -> None:
        renorm = kwargs.pop("renorm", False)  # Keras's configs carry renorm_momentum=0.99
        kwargs.pop("renorm_momentum", None)
        if renorm or kwargs.pop("renorm_clipping", None):
            raise ValueError("BatchNormalization: renorm is not supported by nnlab.keras")
        super().__init__(**kwargs)
        self.axis, self.momentum, self.epsilon = int(axis), float(momentum), float(epsilon)
        self.center, self.scale = bool(center), bool(scale)
        self.beta_initializer = _initializer(beta_initializer, "BatchNormalization")
        self.gamma_initializer = _initializer(gamma_initializer, "BatchNormalization")
        self.moving_mean_initializer = _initializer(moving_mean_initializer, "BatchNormalization")
        self.moving_variance_initializer = _initializer(
            moving_variance_initializer, "BatchNormalization"
        )
        self.beta_regularizer = _reg(beta_regularizer, "BatchNormalization.beta_regularizer")
        self.gamma_regularizer = _reg(gamma_regularizer, "BatchNormalization.gamma_regularizer")
        self.beta_constraint, self.gamma_constraint = beta_constraint, gamma_constraint
        self.gamma: Tensor | None = None
        self.beta: Tensor | None = None

    def build(self, input_shape: Any) -> None:
        rank = len(input_shape)
        if not -rank <= self.axis < rank:
            raise ValueError(f"BatchNormalization: axis {self.axis} out of range for {input_shape}")
        self._axis = self.axis % rank
        dim = input_shape[self._axis]
        if dim is None:
            raise ValueError(f"BatchNormalization: the axis {self.axis} size must be known")
        shape = (dim,)
        if self.scale:
            self.gamma = self.add_weight(
                shape,
                self.gamma_initializer,
                regularizer=self.gamma_regularizer,
                constraint=self.gamma_constraint,
                name="gamma",
            )
        if self.center:
            self.beta = self.add_weight(
                shape,
                self.beta_initializer,
                regularizer=self.beta_regularizer,
                constraint=self.beta_constraint,
                name="beta",
            )
        self.moving_mean = self.add_weight(
            shape, self.moving_mean_initializer, trainable=False, name="moving_mean"
        )
        self.moving_variance = self.add_weight(
            shape, self.moving_variance_initializer, trainable=False, name="moving_variance"
        )
        self.built = True

    def call(self, inputs: Tensor, training: bool | None = None) -> Tensor:
        axis = self._axis
        if training and self.trainable:
            out = batch_norm(
                inputs,
                None,
                None,
                self.gamma,
                self.beta,
                training=True,
                eps=self.epsilon,
                axis=axis,
            )
            x = inputs.data
            reduce = tuple(i for i in range(x.ndim) if i != axis)
            mean = x.mean(axis=reduce)
            var = x.var(axis=reduce)
            m = np.float32(self.momentum)
            self.moving_mean.data[...] = self.moving_mean.data * m + mean * (1 - m)
            self.moving_variance.data[...] = self.moving_variance.data * m + var * (1 - m)
            return out
        return batch_norm(
            inputs,
            self.moving_mean.data,
            self.moving_variance.data,
            self.gamma,
            self.beta,
            training=False,
            eps=self.epsilon,
            axis=axis,
        )

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "axis": self.axis,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": _serialize(self.beta_initializer),
            "gamma_initializer": _serialize(self.gamma_initializer),
            "moving_mean_initializer": _serialize(self.moving_mean_initializer),
            "moving_variance_initializer": _serialize(self.moving_variance_initializer),
            "beta_regularizer": _serialize(self.beta_regularizer),
            "gamma_regularizer": _serialize(self.gamma_regularizer),
            "beta_constraint": _serialize(self.beta_constraint),
            "gamma_constraint": _serialize(self.gamma_constraint),
            "synchronized": False,
        }


class LayerNormalization(Layer):
    """Per-sample normalization over ``axis`` (the last by default), then γ·x̂ + β."""

    def __init__(
        self,
        axis: int = -1,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer: Any = "zeros",
        gamma_initializer: Any = "ones",
        beta_regularizer: Any = None,
        gamma_regularizer: Any = None,
        beta_constraint: Any = None,
        gamma_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        if kwargs.pop("rms_scaling", False):
            raise ValueError("LayerNormalization: rms_scaling is not supported by nnlab.keras")
        super().__init__(**kwargs)
        self.axis, self.epsilon = axis, float(epsilon)
        self.center, self.scale = bool(center), bool(scale)
        self.beta_initializer = _initializer(beta_initializer, "LayerNormalization")
        self.gamma_initializer = _initializer(gamma_initializer, "LayerNormalization")
        self.beta_regularizer = _reg(beta_regularizer, "LayerNormalization.beta_regularizer")
        self.gamma_regularizer = _reg(gamma_regularizer, "LayerNormalization.gamma_regularizer")
        self.beta_constraint, self.gamma_constraint = beta_constraint, gamma_constraint
        self.gamma: Tensor | None = None
        self.beta: Tensor | None = None

    def build(self, input_shape: Any) -> None:
        rank = len(input_shape)
        axes = self.axis if isinstance(self.axis, list | tuple) else [self.axis]
        self._axes = sorted(a % rank for a in axes)
        if self._axes != list(range(rank - len(self._axes), rank)):
            raise ValueError("LayerNormalization: nnlab.keras normalizes over the last axes only")
        shape = tuple(input_shape[a] for a in self._axes)
        if self.scale:
            self.gamma = self.add_weight(
                shape,
                self.gamma_initializer,
                regularizer=self.gamma_regularizer,
                constraint=self.gamma_constraint,
                name="gamma",
            )
        if self.center:
            self.beta = self.add_weight(
                shape,
                self.beta_initializer,
                regularizer=self.beta_regularizer,
                constraint=self.beta_constraint,
                name="beta",
            )
        self._shape = shape
        self.built = True

    def call(self, inputs: Tensor, training: bool | None = None) -> Tensor:
        return layer_norm(inputs, self._shape, self.gamma, self.beta, eps=self.epsilon)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "axis": self.axis,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "rms_scaling": False,
            "beta_initializer": _serialize(self.beta_initializer),
            "gamma_initializer": _serialize(self.gamma_initializer),
            "beta_regularizer": _serialize(self.beta_regularizer),
            "gamma_regularizer": _serialize(self.gamma_regularizer),
            "beta_constraint": _serialize(self.beta_constraint),
            "gamma_constraint": _serialize(self.gamma_constraint),
        }


class UnitNormalization(Layer):
    """x / √max(Σ_axis x², 1e-12): each sample scaled to unit L2 norm along ``axis``."""

    def __init__(self, axis: int = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = axis

    def call(self, inputs: Tensor, training: bool | None = None) -> Tensor:
        axis = tuple(self.axis) if isinstance(self.axis, list | tuple) else self.axis
        squared = (inputs * inputs).sum(axis=axis, keepdims=True)
        return inputs / squared.clip(1e-12, None).sqrt()

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}


class GroupNormalization(Layer):
    """Group normalization (Wu & He) over the channels on ``axis`` (see the module docstring).
    Weights (Keras's order): gamma (C,) then beta (C,)."""

    def __init__(
        self,
        groups: int = 32,
        axis: int = -1,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer: Any = "zeros",
        gamma_initializer: Any = "ones",
        beta_regularizer: Any = None,
        gamma_regularizer: Any = None,
        beta_constraint: Any = None,
        gamma_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        if (
            not isinstance(groups, int)
            or isinstance(groups, bool)
            or (groups <= 0 and groups != -1)
        ):
            raise ValueError(
                "Received an invalid value for argument `groups`, expected a positive integer "
                f"(or `-1` for instance normalization). Received: groups={groups}"
            )
        super().__init__(**kwargs)
        self.supports_masking = True
        self.groups, self.axis, self.epsilon = groups, axis, float(epsilon)
        self.center, self.scale = bool(center), bool(scale)
        self.beta_initializer = _initializer(beta_initializer, "GroupNormalization")
        self.gamma_initializer = _initializer(gamma_initializer, "GroupNormalization")
        self.beta_regularizer = _reg(beta_regularizer, "GroupNormalization")
        self.gamma_regularizer = _reg(gamma_regularizer, "GroupNormalization")
        self.beta_constraint = _constraint(beta_constraint, "beta_constraint")
        self.gamma_constraint = _constraint(gamma_constraint, "gamma_constraint")
        self.gamma: Tensor | None = None
        self.beta: Tensor | None = None

    def build(self, input_shape: Any) -> None:
        dim = input_shape[self.axis]
        if dim is None:
            raise ValueError(
                f"Axis {self.axis} of input tensor should have a defined dimension but the layer "
                f"received an input with shape {input_shape}."
            )
        if self.groups == -1:
            self.groups = dim
        if dim < self.groups:
            raise ValueError(
                f"Number of groups ({self.groups}) cannot be more than the number of channels "
                f"({dim})."
            )
        if dim % self.groups != 0:
            raise ValueError(
                f"Number of groups ({self.groups}) must be a multiple of the number of channels "
                f"({dim})."
            )
        self.input_spec = InputSpec(ndim=len(input_shape), axes={self.axis: dim})
        if self.scale:
            self.gamma = self.add_weight(
                (dim,),
                self.gamma_initializer,
                regularizer=self.gamma_regularizer,
                constraint=self.gamma_constraint,
                name="gamma",
            )
        if self.center:
            self.beta = self.add_weight(
                (dim,),
                self.beta_initializer,
                regularizer=self.beta_regularizer,
                constraint=self.beta_constraint,
                name="beta",
            )
        self.built = True

    def call(self, inputs: Tensor, training: bool | None = None) -> Tensor:
        shape = inputs.shape
        a = self.axis % len(shape)
        channels = shape[a]
        grouped = [*shape[:a], self.groups, channels // self.groups, *shape[a + 1 :]]
        x = inputs.reshape(*grouped)
        axes = tuple(i for i in range(1, len(grouped)) if i != a)
        centered = x - x.mean(axis=axes, keepdims=True)
        variance = (centered * centered).mean(axis=axes, keepdims=True)
        y = (centered / (variance + np.float32(self.epsilon)).sqrt()).reshape(*shape)
        per_channel = [1] * len(shape)
        per_channel[a] = channels
        if self.gamma is not None:
            y = y * self.gamma.reshape(*per_channel)
        if self.beta is not None:
            y = y + self.beta.reshape(*per_channel)
        return y

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "groups": self.groups,
            "axis": self.axis,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": _serialize(self.beta_initializer),
            "gamma_initializer": _serialize(self.gamma_initializer),
            "beta_regularizer": _serialize(self.beta_regularizer),
            "gamma_regularizer": _serialize(self.gamma_regularizer),
            "beta_constraint": _serialize(self.beta_constraint),
            "gamma_constraint": _serialize(self.gamma_constraint),
        }


class RMSNormalization(Layer):
    """y = x / √(mean(x²) + ε) · scale over ``axis`` (an axis or a list; ``scale`` learned,
    ones at first)."""

    def __init__(self, axis: Any = -1, epsilon: float = 1e-6, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis, self.epsilon = axis, float(epsilon)

    def build(self, input_shape: Any) -> None:
        if isinstance(self.axis, list | tuple):
            self.axis = sorted(self.axis)
            shape = tuple(input_shape[d] for d in self.axis)
        else:
            shape = (input_shape[self.axis],)
            self.axis = [self.axis]
        self.scale = self.add_weight(shape, "ones", name="scale")
        self.built = True

    def call(self, inputs: Tensor, training: bool | None = None) -> Tensor:
        axes = tuple(a % inputs.ndim for a in self.axis)
        mean_square = (inputs * inputs).mean(axis=axes, keepdims=True)
        per_axis = [inputs.shape[i] if i in axes else 1 for i in range(inputs.ndim)]
        return (
            inputs / (mean_square + np.float32(self.epsilon)).sqrt() * self.scale.reshape(*per_axis)
        )

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon}
