"""The recurrent cells: one time step of ``SimpleRNN``, ``LSTM`` and ``GRU`` (Keras 3's
``SimpleRNNCell``, ``LSTMCell``, ``GRUCell``); ``StackedRNNCells`` is in
:mod:`.stacked_rnn_cells`.

A cell maps (x_t, states_{t-1}) to (output_t, states_t); ``layers.RNN`` runs it along the time
axis. With x_t of shape (B, F), U units, σ the recurrent activation (sigmoid) and g the
activation (tanh), and Keras's weights kernel K (F, nU), recurrent_kernel R (U, nU), bias b:

- SimpleRNNCell (n = 1): h_t = g(x_t K + b + h_{t-1} R); states [h].
- LSTMCell (n = 4, gates in Keras's order i, f, c, o): z = x_t K + h_{t-1} R + b split in four,
  i = σ(z_i), f = σ(z_f), c_t = f ⊙ c_{t-1} + i ⊙ g(z_c), o = σ(z_o), h_t = o ⊙ g(c_t);
  states [h, c]. ``unit_forget_bias`` starts b_f at 1.
- GRUCell (n = 3, gates z, r, h): x_t K + b_in split in (x_z, x_r, x_h); z = σ(x_z + h R_z),
  r = σ(x_r + h R_r); the candidate is ĥ = g(x_h + r ⊙ (h R_h + b_rec,h)) with ``reset_after``
  (bias of shape (2, 3U): input and recurrent biases) or ĥ = g(x_h + (r ⊙ h) R_h) without
  (bias (3U,)); h_t = z ⊙ h_{t-1} + (1 - z) ⊙ ĥ; states [h].

Dropout (training only) multiplies x_t by one mask of the input's shape drawn at the first step
of a sequence and kept for all its steps (0 or 1/(1-rate)); ``recurrent_dropout`` does the same
to h_{t-1}. With recurrent dropout, LSTM and GRU draw one mask per gate for each of the two, as
Keras's implementation 1 does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from nnlab.autograd import Tensor, dense

from ..utils import new_rng
from .base import Layer
from .core import _constraint, _initializer, _reg, _serialize, resolve_activation

__all__ = ["GRUCell", "LSTMCell", "SimpleRNNCell"]


def _units(units: Any) -> int:
    if isinstance(units, bool) or not isinstance(units, int | np.integer) or units <= 0:
        raise ValueError(
            "Received an invalid value for argument `units`, "
            f"expected a positive integer, got {units}."
        )
    return int(units)


def _rate(value: Any) -> float:
    return min(1.0, max(0.0, float(value)))


class _RecurrentCell(Layer):
    """What the three cells share: arguments, weights, dropout masks, config."""

    gates = 1  # blocks of U columns in the kernel
    state_size: Any
    output_size: int

    def __init__(
        self,
        units: int,
        activation: Any = "tanh",
        recurrent_activation: Any = "sigmoid",
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        recurrent_initializer: Any = "orthogonal",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        recurrent_regularizer: Any = None,
        bias_regularizer: Any = None,
        kernel_constraint: Any = None,
        recurrent_constraint: Any = None,
        bias_constraint: Any = None,
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        units = _units(units)
        kwargs.pop("implementation", None)
        super().__init__(**kwargs)
        cls = type(self).__name__
        self.units = units
        self.activation_name, self.activation = resolve_activation(activation, cls)
        self.recurrent_activation_name, self.recurrent_activation = resolve_activation(
            recurrent_activation, cls
        )
        self.use_bias = bool(use_bias)
        self.kernel_initializer = _initializer(kernel_initializer, cls)
        self.recurrent_initializer = _initializer(recurrent_initializer, cls)
        self.bias_initializer = _initializer(bias_initializer, cls)
        self.kernel_regularizer = _reg(kernel_regularizer, f"{cls}.kernel_regularizer")
        self.recurrent_regularizer = _reg(recurrent_regularizer, f"{cls}.recurrent_regularizer")
        self.bias_regularizer = _reg(bias_regularizer, f"{cls}.bias_regularizer")
        self.kernel_constraint = _constraint(kernel_constraint, "kernel_constraint")
        self.recurrent_constraint = _constraint(recurrent_constraint, "recurrent_constraint")
        self.bias_constraint = _constraint(bias_constraint, "bias_constraint")
        self.dropout = _rate(dropout)
        self.recurrent_dropout = _rate(recurrent_dropout)
        self.seed = seed
        self._noise_rng = new_rng(seed) if seed is not None else None
        self._masks: dict[str, Any] = {}
        self.kernel: Tensor | None = None
        self.recurrent_kernel: Tensor | None = None
        self.bias: Tensor | None = None

    # ---------------------------------------------------------------- weights
    def _bias_shape(self) -> tuple[int, ...]:
        return (self.gates * self.units,)

    def _bias_initializer(self) -> Any:
        return self.bias_initializer

    def build(self, input_shape: Any) -> None:
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(f"{type(self).__name__} {self.name!r}: the feature axis must be known")
        width = self.gates * self.units
        self.kernel = self.add_weight(
            shape=(input_dim, width),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
            name="kernel",
        )
        self.recurrent_kernel = self.add_weight(
            shape=(self.units, width),
            initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint,
            name="recurrent_kernel",
        )
        if self.use_bias:
            self.bias = self.add_weight(
                shape=self._bias_shape(),
                initializer=self._bias_initializer(),
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
                name="bias",
            )
        self.built = True

    # ---------------------------------------------------------------- dropout
    @property
    def _mask_count(self) -> int:
        """Masks per tensor: one per gate when recurrent dropout is on (Keras's
        implementation 1 for LSTM and GRU), else one."""
        return self.gates if self.recurrent_dropout > 0 and self.gates > 1 else 1

    def _dropout_masks(self, key: str, like: Tensor, rate: float) -> list[np.ndarray]:
        """The cached masks (0 or 1/(1-rate)) of ``like``'s shape for the current sequence."""
        masks = self._masks.get(key)
        if masks is None:
            rng = self._noise_rng if self._noise_rng is not None else self.rng
            keep = 1.0 - rate
            masks = [
                (rng.random(like.shape) < keep).astype(like.dtype) / np.float32(keep)
                for _ in range(self._mask_count)
            ]
            self._masks[key] = masks
        return masks

    def _dropped(self, x: Tensor, key: str, rate: float, training: Any) -> list[Tensor]:
        """x times each dropout mask when training with 0 < rate < 1; else [x] * count."""
        if training and 0.0 < rate < 1.0:
            return [x * m for m in self._dropout_masks(key, x, rate)]
        return [x] * self._mask_count

    def reset_dropout_mask(self) -> None:
        self._masks.pop("input", None)

    def reset_recurrent_dropout_mask(self) -> None:
        self._masks.pop("recurrent", None)

    # ---------------------------------------------------------------- helpers
    def _block(self, t: Tensor, k: int) -> Tensor:
        """Columns k*U .. (k+1)*U of a (B, nU) tensor: gate k's block."""
        return t[:, k * self.units : (k + 1) * self.units]

    def _gate_products(
        self, inputs: Tensor, h: Tensor, bias: Tensor | None, training: Any
    ) -> list[tuple[Tensor, Tensor]]:
        """Per gate k: (x K_k + b_k, h R_k) with each dropout mask applied (the projections for
        all gates at once when there is no recurrent dropout)."""
        kernel, recurrent = self.kernel, self.recurrent_kernel
        assert kernel is not None and recurrent is not None
        xs = self._dropped(inputs, "input", self.dropout, training)
        hs = self._dropped(h, "recurrent", self.recurrent_dropout, training)
        if len(xs) == 1:
            x_all, h_all = dense(xs[0], kernel, bias), dense(hs[0], recurrent)
            return [(self._block(x_all, k), self._block(h_all, k)) for k in range(self.gates)]
        out = []
        for k in range(self.gates):
            cols = slice(k * self.units, (k + 1) * self.units)
            b = None if bias is None else bias[cols]
            out.append((dense(xs[k], kernel[:, cols], b), dense(hs[k], recurrent[:, cols])))
        return out

    def get_initial_state(self, batch_size: int | None = None) -> list[Tensor]:
        sizes = self.state_size if isinstance(self.state_size, list) else [self.state_size]
        return [Tensor(np.zeros((batch_size or 1, d), np.float32)) for d in sizes]

    def compute_output_shape(self, input_shape: Any) -> tuple[Any, ...]:
        return (input_shape[0], self.units)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "units": self.units,
            "activation": self.activation_name,
            "recurrent_activation": self.recurrent_activation_name,
            "use_bias": self.use_bias,
            "kernel_initializer": _serialize(self.kernel_initializer),
            "recurrent_initializer": _serialize(self.recurrent_initializer),
            "bias_initializer": _serialize(self.bias_initializer),
            "kernel_regularizer": _serialize(self.kernel_regularizer),
            "recurrent_regularizer": _serialize(self.recurrent_regularizer),
            "bias_regularizer": _serialize(self.bias_regularizer),
            "kernel_constraint": _serialize(self.kernel_constraint),
            "recurrent_constraint": _serialize(self.recurrent_constraint),
            "bias_constraint": _serialize(self.bias_constraint),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "seed": self.seed,
        }


def _states(states: Any) -> list[Tensor]:
    return list(states) if isinstance(states, list | tuple) else [states]


class SimpleRNNCell(_RecurrentCell):
    """h_t = activation(x_t K + b + h_{t-1} R) (see the module docstring)."""

    def __init__(self, units: int, activation: Any = "tanh", **kwargs: Any) -> None:
        if "recurrent_activation" in kwargs:
            raise TypeError("SimpleRNNCell: unexpected argument(s) ['recurrent_activation']")
        super().__init__(units, activation=activation, **kwargs)
        self.state_size = self.units
        self.output_size = self.units

    def call(self, inputs: Tensor, states: Any, training: bool | None = None) -> Any:  # type: ignore[override]
        nested = isinstance(states, list | tuple)
        h_prev = _states(states)[0]
        assert self.kernel is not None and self.recurrent_kernel is not None
        x = self._dropped(inputs, "input", self.dropout, training)[0]
        h_prev = self._dropped(h_prev, "recurrent", self.recurrent_dropout, training)[0]
        z = dense(x, self.kernel, self.bias) + dense(h_prev, self.recurrent_kernel)
        h = self.activation(z)
        return h, ([h] if nested else h)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        del config["recurrent_activation"]
        return config


class LSTMCell(_RecurrentCell):
    """One LSTM step, gates i, f, c, o (see the module docstring); states [h, c]."""

    gates = 4

    def __init__(self, units: int, unit_forget_bias: bool = True, **kwargs: Any) -> None:
        super().__init__(units, **kwargs)
        self.unit_forget_bias = bool(unit_forget_bias)
        self.state_size = [self.units, self.units]
        self.output_size = self.units

    def _bias_initializer(self) -> Any:
        if not self.unit_forget_bias:
            return self.bias_initializer
        from ..variables import initial_value

        units, base = self.units, self.bias_initializer

        def forget_one(shape: Sequence[int], dtype: Any = None, rng: Any = None) -> np.ndarray:
            parts = [
                initial_value(base, (units,), dtype, rng),
                np.ones((units,), np.float32),
                initial_value(base, (2 * units,), dtype, rng),
            ]
            return np.concatenate(parts).astype(np.float32)

        return forget_one

    def call(self, inputs: Tensor, states: Any, training: bool | None = None) -> Any:  # type: ignore[override]
        h_prev, c_prev = _states(states)[:2]
        (xi, hi), (xf, hf), (xc, hc), (xo, ho) = self._gate_products(
            inputs, h_prev, self.bias, training
        )
        act, rec = self.activation, self.recurrent_activation
        i, f, o = rec(xi + hi), rec(xf + hf), rec(xo + ho)
        c = f * c_prev + i * act(xc + hc)
        h = o * act(c)
        return h, [h, c]

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "unit_forget_bias": self.unit_forget_bias}


class GRUCell(_RecurrentCell):
    """One GRU step, gates z, r, h (see the module docstring); states [h]."""

    gates = 3

    def __init__(self, units: int, reset_after: bool = True, **kwargs: Any) -> None:
        super().__init__(units, **kwargs)
        self.reset_after = bool(reset_after)
        self.state_size = self.units
        self.output_size = self.units

    def _bias_shape(self) -> tuple[int, ...]:
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def call(self, inputs: Tensor, states: Any, training: bool | None = None) -> Any:  # type: ignore[override]
        nested = isinstance(states, list | tuple)
        h_prev = _states(states)[0]
        bias, recurrent_bias = self.bias, None
        if bias is not None and self.reset_after:
            bias, recurrent_bias = bias[0], bias[1]
        recurrent = self.recurrent_kernel
        assert recurrent is not None
        (xz, hz), (xr, hr), (xh, hh) = self._gate_products(inputs, h_prev, bias, training)
        if recurrent_bias is not None:
            hz = hz + self._block_vector(recurrent_bias, 0)
            hr = hr + self._block_vector(recurrent_bias, 1)
            hh = hh + self._block_vector(recurrent_bias, 2)
        rec = self.recurrent_activation
        z, r = rec(xz + hz), rec(xr + hr)
        if self.reset_after:
            candidate = self.activation(xh + r * hh)
        else:  # the reset gate acts on h before the product with R_h
            h_for_h = self._dropped(h_prev, "recurrent", self.recurrent_dropout, training)[-1]
            candidate = self.activation(xh + dense(r * h_for_h, recurrent[:, 2 * self.units :]))
        h = z * h_prev + (1 - z) * candidate
        return h, ([h] if nested else h)

    def _block_vector(self, v: Tensor, k: int) -> Tensor:
        return v[k * self.units : (k + 1) * self.units]

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "reset_after": self.reset_after}
