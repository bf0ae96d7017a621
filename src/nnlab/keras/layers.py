"""Keras layers for ``Sequential`` models: ``Input``, ``Dense``, ``Activation``, ``Dropout``.

A layer is *built* once the width of its input is known (from ``input_dim=`` /
``input_shape=``, from ``Input(shape=)``, from the layer before it, or from the data at the first
``fit``/``predict``);
building draws its weights from the model's seeded generator.

``Dense(units)`` computes y = activation(x K + b) for x of shape (batch, input_dim), with the Keras
kernel K of shape (input_dim, units) and bias b of shape (units,), as one fused graph node
(:func:`nnlab.autograd.dense`). ``get_weights``/``set_weights`` use that same layout.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nnlab.autograd import Tensor, dense, dropout
from nnlab.nn import Parameter

from . import activations, initializers, regularizers
from .utils import new_rng, snake_case, unique_name

__all__ = ["Activation", "Dense", "Dropout", "Input", "InputLayer", "Layer"]


def _input_dim_from(input_dim: Any, input_shape: Any, where: str) -> int | None:
    if input_shape is not None:
        shape = tuple(input_shape) if isinstance(input_shape, list | tuple) else (input_shape,)
        if len(shape) != 1:
            raise ValueError(
                f"{where}: input_shape must be (features,) for these layers, got {input_shape!r}; "
                "flatten the data first, e.g. x.reshape(len(x), -1)"
            )
        input_dim = shape[0]
    if input_dim is None:
        return None
    if not isinstance(input_dim, int | np.integer) or input_dim < 1:
        raise ValueError(f"{where}: input_dim must be a positive integer, got {input_dim!r}")
    return int(input_dim)


class Layer:
    """Base class: ``build(input_dim, rng)`` once, then ``call(x, training)`` on batches.

    Attributes:
        name: unique name ('dense', 'dense_1', ...).
        input_dim: width of the input once known (None before).
        units: width of the output once known.
    """

    def __init__(self, name: str | None = None, input_dim: Any = None, input_shape: Any = None):
        cls = type(self).__name__
        self.name = name or unique_name(snake_case(cls))
        self.input_dim = _input_dim_from(input_dim, input_shape, cls)
        self.units: int | None = None
        self.built = False

    # ---------------------------------------------------------------- building
    def build(self, input_dim: int, rng: np.random.Generator) -> None:
        """Create the weights for inputs of width ``input_dim``."""
        if self.input_dim is not None and self.input_dim != input_dim:
            raise ValueError(
                f"layer {self.name!r} expects {self.input_dim} input features, got {input_dim}"
            )
        self.input_dim = input_dim
        self.units = self._output_dim(input_dim)
        self._create_weights(input_dim, rng)
        self.built = True

    def _output_dim(self, input_dim: int) -> int:
        return input_dim

    def _create_weights(self, input_dim: int, rng: np.random.Generator) -> None:
        pass

    # ---------------------------------------------------------------- computing
    def call(self, x: Tensor, training: bool = False) -> Tensor:
        raise NotImplementedError

    @property
    def activation(self) -> str:
        """The activation applied last by this layer ('linear' when none)."""
        return "linear"

    @property
    def parameters(self) -> list[Parameter]:
        """The trainable tensors, in ``get_weights`` order."""
        return []

    def regularization(self) -> Tensor | None:
        """The weight penalty of this layer (a scalar Tensor), or None."""
        return None

    # ---------------------------------------------------------------- weights
    def get_weights(self) -> list[np.ndarray]:
        """Copies of the weights in Keras's layout."""
        return [p.data.copy() for p in self.parameters]

    def set_weights(self, weights: list[np.ndarray]) -> None:
        """Overwrite the weights (Keras layout), checking count and shapes."""
        params = self.parameters
        expected = [p.shape for p in params]
        arrays = [np.asarray(w) for w in weights]
        if [a.shape for a in arrays] != expected:
            raise ValueError(
                f"layer {self.name!r}: set_weights expects arrays of shapes {expected}, got "
                f"{[a.shape for a in arrays]}"
            )
        for p, a in zip(params, arrays, strict=True):
            p.data[...] = a

    def count_params(self) -> int:
        return sum(p.data.size for p in self.parameters)

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments (JSON-compatible), for saving."""
        return {"name": self.name, "input_dim": self.input_dim}

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r} units={self.units}>"


class InputLayer(Layer):
    """The input of a model: ``Input(shape=(n,))`` fixes the width n of the data."""

    def __init__(self, shape: Any = None, name: str | None = None, **kwargs: Any) -> None:
        if shape is None and "input_shape" in kwargs:
            shape = kwargs.pop("input_shape")
        if kwargs:
            raise TypeError(f"Input: unexpected arguments {sorted(kwargs)}")
        if shape is None:
            raise ValueError("Input: shape=(features,) is required")
        super().__init__(name or unique_name("input"), input_shape=shape)


def Input(shape: Any = None, name: str | None = None, **kwargs: Any) -> InputLayer:  # noqa: N802
    """The model input; ``shape`` is ``(features,)`` (the batch axis is implied)."""
    return InputLayer(shape, name=name, **kwargs)


class Dense(Layer):
    """y = activation(x K + b); kernel K: (input_dim, units), bias b: (units,) (Parameters)."""

    def __init__(
        self,
        units: int,
        activation: str | None = None,
        use_bias: bool = True,
        kernel_initializer: str = "glorot_uniform",
        bias_initializer: str = "zeros",
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        input_dim: int | None = None,
        input_shape: Any = None,
        name: str | None = None,
    ) -> None:
        if isinstance(units, bool) or not isinstance(units, int | np.integer) or units < 1:
            raise ValueError(f"Dense: units must be a positive integer, got {units!r}")
        self._activation = activations.resolve_name(activation, "Dense")
        self.kernel_initializer = initializers.resolve_name(kernel_initializer, "Dense")
        self.bias_initializer = initializers.resolve_name(bias_initializer, "Dense")
        self.kernel_regularizer = regularizers.get(kernel_regularizer, "Dense.kernel_regularizer")
        self.bias_regularizer = regularizers.get(bias_regularizer, "Dense.bias_regularizer")
        super().__init__(name, input_dim, input_shape)
        self.units = int(units)
        self.use_bias = bool(use_bias)
        self._act_fn = activations.get(self._activation)
        self.kernel: Parameter | None = None
        self.bias: Parameter | None = None

    def _output_dim(self, input_dim: int) -> int:
        assert self.units is not None
        return self.units

    def _create_weights(self, input_dim: int, rng: np.random.Generator) -> None:
        units = self._output_dim(input_dim)
        kernel = initializers.initialize(self.kernel_initializer, (input_dim, units), rng)
        self.kernel = Parameter(kernel)
        if self.use_bias:
            self.bias = Parameter(initializers.initialize(self.bias_initializer, (units,), rng))

    @property
    def activation(self) -> str:
        return self._activation

    @property
    def parameters(self) -> list[Parameter]:
        return [p for p in (self.kernel, self.bias) if p is not None]

    def call(self, x: Tensor, training: bool = False, activate: bool = True) -> Tensor:
        """activation(x K + b); with ``activate=False`` the pre-activation values (logits)."""
        if activate and self._activation == "relu":  # fused: one node, ReLU in place
            return dense(x, self.kernel, self.bias, relu=True)  # type: ignore[arg-type]
        z = dense(x, self.kernel, self.bias)  # type: ignore[arg-type]
        return self._act_fn(z) if activate else z

    def regularization(self) -> Tensor | None:
        total = None
        for reg, p in ((self.kernel_regularizer, self.kernel), (self.bias_regularizer, self.bias)):
            if reg is not None and p is not None:
                total = reg(p) if total is None else total + reg(p)
        return total

    def get_config(self) -> dict[str, Any]:
        regs = {
            key: None if reg is None else reg.get_config()
            for key, reg in (
                ("kernel_regularizer", self.kernel_regularizer),
                ("bias_regularizer", self.bias_regularizer),
            )
        }
        return {
            **super().get_config(),
            "units": self.units,
            "activation": self._activation,
            "use_bias": self.use_bias,
            "kernel_initializer": self.kernel_initializer,
            "bias_initializer": self.bias_initializer,
            **regs,
        }


class Activation(Layer):
    """y = activation(x), elementwise ('relu', 'sigmoid', 'tanh', 'linear'; 'softmax' by row)."""

    def __init__(self, activation: str, name: str | None = None, **kwargs: Any) -> None:
        self._activation = activations.resolve_name(activation, "Activation")
        self._act_fn = activations.get(self._activation)
        super().__init__(name, **kwargs)

    @property
    def activation(self) -> str:
        return self._activation

    def call(self, x: Tensor, training: bool = False) -> Tensor:
        return self._act_fn(x)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "activation": self._activation}


class Dropout(Layer):
    """Inverted dropout: in training zero each input with probability ``rate`` and scale the
    survivors by 1 / (1 - rate); the identity in evaluation and prediction.

    The mask is drawn from ``default_rng(seed)`` when ``seed`` is given, else from the model's
    seeded generator.
    """

    def __init__(
        self, rate: float, seed: int | None = None, name: str | None = None, **kwargs: Any
    ) -> None:
        if not isinstance(rate, int | float) or not 0 <= rate < 1:
            raise ValueError(f"Dropout: rate (the fraction dropped) must be in [0, 1), got {rate}")
        super().__init__(name, **kwargs)
        self.rate = float(rate)
        self.seed = seed
        self.rng: np.random.Generator | None = None if seed is None else new_rng(seed)

    def _create_weights(self, input_dim: int, rng: np.random.Generator) -> None:
        if self.rng is None:
            self.rng = rng

    def call(self, x: Tensor, training: bool = False) -> Tensor:
        return dropout(x, self.rate, self.rng, training=training)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


LAYERS: dict[str, type[Layer]] = {"Dense": Dense, "Activation": Activation, "Dropout": Dropout}
