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

import warnings
from typing import Any

import numpy as np

from nnlab.autograd import Tensor, batch_norm, layer_norm

from ..utils import get_keras_mask
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
        renorm = bool(kwargs.pop("renorm", False))
        renorm_clipping = kwargs.pop("renorm_clipping", None)
        renorm_momentum = float(kwargs.pop("renorm_momentum", 0.99))
        if renorm:
            renorm_clipping = dict(renorm_clipping or {})
            keys = ["rmax", "rmin", "dmax"]
            if set(renorm_clipping) - set(keys):
                raise ValueError(
                    "Received invalid keys for `renorm_clipping` argument: "
                    f"{renorm_clipping}. Supported values: {keys}. (BatchNormalization)"
                )
            rmax, rmin = renorm_clipping.get("rmax"), renorm_clipping.get("rmin")
            dmax = renorm_clipping.get("dmax")
            if rmax is not None and rmin is not None and rmax < rmin:
                raise ValueError(
                    "rmax should be greater than rmin in the `renorm_clipping` argument. "
                    f"Received: rmax={rmax}, rmin={rmin}. (BatchNormalization)"
                )
            if dmax is not None and dmax < 0:
                raise ValueError(
                    "dmax should be non-negative in the `renorm_clipping` argument. "
                    f"Received: dmax={dmax}. (BatchNormalization)"
                )
        self.renorm, self.renorm_clipping = renorm, renorm_clipping
        self.renorm_momentum = renorm_momentum
        super().__init__(**kwargs)
        self.supports_masking = True
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
        if self.renorm:
            # Batch renormalization tracks standard deviations: moving_stddev (inference) and
            # renorm_mean / renorm_stddev (the r, d corrections), stddevs starting at
            # √(moving_variance_initializer), as in Keras.
            self.moving_stddev = self.add_weight(
                shape, self.moving_variance_initializer, trainable=False, name="moving_stddev"
            )
            self.renorm_mean = self.add_weight(
                shape, self.moving_mean_initializer, trainable=False, name="renorm_mean"
            )
            self.renorm_stddev = self.add_weight(
                shape, self.moving_variance_initializer, trainable=False, name="renorm_stddev"
            )
            for weight in (self.moving_stddev, self.renorm_stddev):
                weight.data[...] = np.sqrt(weight.data)
        self.built = True

    def call(self, inputs: Tensor, training: bool | None = None, mask: Any = None) -> Tensor:
        axis = self._axis
        if mask is None:
            mask = get_keras_mask(inputs)
        if mask is not None:
            mask = np.asarray(mask.data if isinstance(mask, Tensor) else mask)
            if mask.ndim != inputs.ndim - 1:
                raise ValueError(
                    "The mask provided should be one dimension less than the inputs. Received: "
                    f"mask.shape={mask.shape}, inputs.shape={inputs.shape} (BatchNormalization)"
                )
        if training and self.trainable and (mask is not None or self.renorm):
            return self._train_step_composed(inputs, mask)
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

    def _train_step_composed(self, inputs: Tensor, mask: np.ndarray | None) -> Tensor:
        """Training with a mask and/or renorm, from differentiable tensor ops.

        Mask m (inputs' shape without the last axis, broadcast over it): μ = Σ m·x / (Σ m + 1e-7),
        σ² = Σ m·(x - μ)² / (Σ m + 1e-7) over every axis but ``axis`` -- masked values take no
        part in the statistics. Renorm: σ_B = √(σ² + ε), r = σ_B / max(renorm_stddev, √ε),
        d = (μ - renorm_mean) / max(renorm_stddev, √ε), clipped to [rmin, rmax] and
        [-dmax, dmax], held constant (no gradient); y = x̂·(r·γ) + (d·γ + β). Then
        renorm_mean, renorm_stddev follow renorm_momentum, moving_mean and moving_stddev follow
        momentum, and moving_variance = max(moving_stddev² - ε, 0).
        """
        axis, eps = self._axis, np.float32(self.epsilon)
        reduce = tuple(i for i in range(inputs.ndim) if i != axis)
        per_axis = [inputs.shape[i] if i == axis else 1 for i in range(inputs.ndim)]
        if mask is None:
            mean = inputs.mean(axis=reduce, keepdims=True)
            centred = inputs - mean
            variance = (centred * centred).mean(axis=reduce, keepdims=True)
        else:
            weights = np.broadcast_to(mask[..., None], inputs.shape).astype(np.float32)
            count = weights.sum(axis=reduce, keepdims=True) + np.float32(1e-7)
            mean = (inputs * weights).sum(axis=reduce, keepdims=True) / count
            centred = (inputs - mean) * weights
            variance = (centred * centred).sum(axis=reduce, keepdims=True) / count
        gamma = None if self.gamma is None else self.gamma.reshape(*per_axis)
        beta = None if self.beta is None else self.beta.reshape(*per_axis)
        batch_mean = mean.data.reshape(-1)
        batch_variance = variance.data.reshape(-1)
        m = np.float32(self.momentum)
        if self.renorm:
            stddev = np.sqrt(batch_variance + eps)
            floor = np.maximum(self.renorm_stddev.data, np.sqrt(eps))
            r = stddev / floor
            d = (batch_mean - self.renorm_mean.data) / floor
            clip = self.renorm_clipping or {}
            if clip.get("rmin") is not None:
                r = np.maximum(r, np.float32(clip["rmin"]))
            if clip.get("rmax") is not None:
                r = np.minimum(r, np.float32(clip["rmax"]))
            if clip.get("dmax") is not None:
                d = np.clip(d, -np.float32(clip["dmax"]), np.float32(clip["dmax"]))
            r = r.astype(np.float32).reshape(per_axis)
            d = d.astype(np.float32).reshape(per_axis)
            beta = (
                (d if gamma is None else gamma * d)
                if beta is None
                else beta + (d if gamma is None else gamma * d)
            )
            gamma = r if gamma is None else gamma * r
            rm = np.float32(self.renorm_momentum)
            self.renorm_mean.data[...] = self.renorm_mean.data * rm + batch_mean * (1 - rm)
            self.renorm_stddev.data[...] = self.renorm_stddev.data * rm + stddev * (1 - rm)
            self.moving_mean.data[...] = self.moving_mean.data * m + batch_mean * (1 - m)
            new_stddev = self.moving_stddev.data * m + stddev * (1 - m)
            self.moving_stddev.data[...] = new_stddev
            self.moving_variance.data[...] = np.maximum(new_stddev * new_stddev - eps, 0)
        else:
            self.moving_mean.data[...] = self.moving_mean.data * m + batch_mean * (1 - m)
            self.moving_variance.data[...] = self.moving_variance.data * m + batch_variance * (
                1 - m
            )
        out = (inputs - mean) / (variance + eps).sqrt()
        if gamma is not None:
            out = out * gamma
        if beta is not None:
            out = out + beta
        return out

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
            "renorm": self.renorm,
            "renorm_clipping": self.renorm_clipping,
            "renorm_momentum": self.renorm_momentum,
        }


class LayerNormalization(Layer):
    """Per-sample normalization over ``axis`` (the last by default), then γ·x̂ + β."""

    supports_masking = True  # a mask passes through unchanged, as in Keras

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
        # rms_scaling (deprecated in Keras 3, kept for its configs): y = γ·x / √(Var[x] + ε),
        # no centring and no β -- Keras's formula, which scales by the variance, not the RMS.
        self.rms_scaling = bool(kwargs.pop("rms_scaling", False))
        if self.rms_scaling:
            warnings.warn(
                "You passed `rms_scaling=True`, which is deprecated: it scales the input by the "
                "variance, not the root mean square; use `keras.layers.RMSNormalization` for RMS "
                "normalization.",
                stacklevel=2,
            )
        super().__init__(**kwargs)
        if isinstance(axis, list | tuple):
            axis = list(axis)
        elif isinstance(axis, bool) or not isinstance(axis, int | np.integer):
            raise TypeError(
                "Expected an int or a list/tuple of ints for the argument 'axis', but received: "
                f"{axis!r} (LayerNormalization)"
            )
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
        if self.scale or self.rms_scaling:
            self.gamma = self.add_weight(
                shape,
                self.gamma_initializer,
                regularizer=self.gamma_regularizer,
                constraint=self.gamma_constraint,
                name="gamma",
            )
        if self.center and not self.rms_scaling:
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
        if self.rms_scaling:
            axes = tuple(self._axes)
            mean = inputs.mean(axis=axes, keepdims=True)
            centred = inputs - mean
            variance = (centred * centred).mean(axis=axes, keepdims=True)
            out = inputs / (variance + np.float32(self.epsilon)).sqrt()
            return out if self.gamma is None else out * self.gamma
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
            "rms_scaling": self.rms_scaling,
            "beta_initializer": _serialize(self.beta_initializer),
            "gamma_initializer": _serialize(self.gamma_initializer),
            "beta_regularizer": _serialize(self.beta_regularizer),
            "gamma_regularizer": _serialize(self.gamma_regularizer),
            "beta_constraint": _serialize(self.beta_constraint),
            "gamma_constraint": _serialize(self.gamma_constraint),
        }


class UnitNormalization(Layer):
    """x / √max(Σ_axis x², 1e-12): each sample scaled to unit L2 norm along ``axis``."""

    supports_masking = True  # a mask passes through unchanged, as in Keras

    def __init__(self, axis: int | list[int] | tuple[int, ...] = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if isinstance(axis, list | tuple):
            self.axis: int | list[int] = list(axis)
        elif isinstance(axis, int):
            self.axis = axis
        else:
            raise TypeError(
                "Invalid value for `axis` argument: expected an int or a list/tuple of ints. "
                f"Received: axis={axis}"
            )

    def call(self, inputs: Tensor, training: bool | None = None) -> Tensor:
        axis = tuple(self.axis) if isinstance(self.axis, list) else self.axis
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
