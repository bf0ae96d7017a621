"""``RNN(cell)``: a cell run along the time axis, and its forms ``SimpleRNN``, ``LSTM``, ``GRU``
(Keras 3's names, arguments, defaults, weights and formulas; the cells are in :mod:`.rnn_cells`).

For inputs x of shape (B, T, F) and states s_0 (zeros, ``initial_state`` or, when ``stateful``,
the states the previous batch ended with): (y_t, s_t) = cell(x_t, s_{t-1}) for t = 0 … T-1, or
t = T-1 … 0 with ``go_backwards`` (the outputs then come in that reversed order, as in Keras).
The output is y_{T-1} (the last step processed), or the sequence (B, T, U) with
``return_sequences``; ``return_state`` adds the final states ([h, c] for LSTM, [h] otherwise).

A mask m (B, T) on the input (``Embedding(mask_zero=True)``, ``Masking``) skips the masked steps:
where m[:, t] is False, s_t = s_{t-1} and y_t = y_{t-1} (0 before the first kept step; 0 with
``zero_output_for_mask``). The output sequence carries the input's mask. Each step is built
from the engine's differentiable ops (dense, sigmoid, tanh, slicing, where, stack), so the
gradients are backpropagation through time.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nnlab.autograd import Tensor, stack, where

from ..variables import name_scope
from .base import Layer, plain_config, to_tensor
from .core import _serialize
from .input_spec import InputSpec
from .rnn_cells import GRUCell, LSTMCell, SimpleRNNCell
from .stacked_rnn_cells import StackedRNNCells, call_cell

__all__ = ["GRU", "LSTM", "RNN", "SimpleRNN"]


def _sizes(state_size: Any) -> list[Any]:
    return list(state_size) if isinstance(state_size, list | tuple) else [state_size]


def _flat(states: Any) -> list[Any]:
    if isinstance(states, list | tuple):
        return [s for item in states for s in _flat(item)]
    return [states]


def _pack(flat: list[Any], like: Any) -> list[Any]:
    """``flat`` regrouped as the (possibly nested) list ``like``."""
    out, i = [], 0
    for item in like:
        n = len(_flat(item))
        out.append(_pack(flat[i : i + n], item) if isinstance(item, list | tuple) else flat[i])
        i += n
    return out


class RNN(Layer):
    """Run ``cell`` (a cell layer, or a list of them: ``StackedRNNCells``) along the time axis
    of (B, T, F) inputs (see the module docstring).

    Args (Keras 3's): cell, return_sequences, return_state, go_backwards, stateful (keep the
    final states as the next call's initial ones; ``reset_states()`` zeroes them), unroll
    (accepted: the loop is always a Python loop over the steps), zero_output_for_mask.
    """

    def __init__(
        self,
        cell: Any,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        stateful: bool = False,
        unroll: bool = False,
        zero_output_for_mask: bool = False,
        **kwargs: Any,
    ) -> None:
        if isinstance(cell, list | tuple):
            cell = StackedRNNCells(cell)
        if "call" not in dir(cell):
            raise ValueError(f"Argument `cell` should have a `call` method. Received: cell={cell}")
        if "state_size" not in dir(cell):
            raise ValueError(
                "The RNN cell should have a `state_size` attribute (single integer or list of "
                f"integers, one integer per RNN state). Received: cell={cell}"
            )
        super().__init__(**kwargs)
        self.cell = cell
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.stateful = bool(stateful)
        self.unroll = bool(unroll)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.supports_masking = True
        self.states: list[Tensor] | None = None

    @property
    def state_size(self) -> list[Any]:
        return _sizes(self.cell.state_size)

    @property
    def _output_size(self) -> int:
        size = getattr(self.cell, "output_size", None)
        if size is None:
            first = self.state_size[0]
            size = first[0] if isinstance(first, list | tuple) else first
        if not isinstance(size, int | np.integer):
            raise ValueError("output_size must be an integer.")
        return int(size)

    def build(self, sequences_shape: Any, initial_state_shape: Any = None) -> None:
        shape = tuple(sequences_shape)
        if self.unroll and len(shape) > 1 and shape[1] is None:
            raise ValueError(
                "Cannot unroll a RNN if the time dimension is undefined. \n- If using a "
                "Sequential model, specify the time dimension by passing an `Input()` as your "
                "first layer.\n- If using the functional API, specify the time dimension by "
                "passing a `shape` or `batch_shape` argument to your `Input()`."
            )
        if isinstance(self.cell, Layer) and not self.cell.built:
            with name_scope(self.name, caller=self):  # weight paths 'lstm/lstm_cell/kernel'
                self.cell.build((shape[0], *shape[2:]))
            self.cell.built = True
        if self.stateful:
            if shape[0] is None:
                raise ValueError(
                    "When using `stateful=True` in a RNN, the batch size must be static. Found "
                    f"dynamic batch size: sequence.shape={shape}"
                )
            self.states = _flat(self.get_initial_state(shape[0]))
        self.built = True

    def get_initial_state(self, batch_size: int) -> list[Any]:
        make = getattr(self.cell, "get_initial_state", None)
        if make is not None:
            got = make(batch_size=batch_size)
            return list(got) if isinstance(got, list | tuple) else [got]
        return [Tensor(np.zeros((batch_size, int(d)), np.float32)) for d in self.state_size]

    def reset_states(self) -> None:
        self.reset_state()

    def reset_state(self) -> None:
        """Zero the states a stateful layer carries between calls."""
        if self.states is not None:
            for s in self.states:
                s.data[...] = 0

    def compute_output_shape(self, sequences_shape: Any, initial_state_shape: Any = None) -> Any:
        batch, length = sequences_shape[0], sequences_shape[1]
        size = self._output_size
        output = (batch, length, size) if self.return_sequences else (batch, size)
        if not self.return_state:
            return output
        states = [
            [(batch, int(d)) for d in s] if isinstance(s, list | tuple) else (batch, int(s))
            for s in self.state_size
        ]
        return [output, *states]

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        if isinstance(mask, list | tuple):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + [None] * len(self.state_size)
        return output_mask

    def _initial(self, sequences: Tensor, initial_state: Any) -> list[Any]:
        """The states of step 0 (nested as the cell's ``state_size``)."""
        batch = sequences.shape[0]
        if initial_state is None:
            if self.stateful:
                assert self.states is not None
                expected = self.states[0].shape[0]
                if batch != expected:
                    raise ValueError(
                        "If an RNN is stateful, the batch size of the input sequences must be "
                        "the same as the batch size of the initial state. \n"
                        f"- Expected batch size: {expected}\n- Received batch size: {batch}"
                    )
                return _pack([Tensor(s.data.copy()) for s in self.states], self._state_like())
            return self.get_initial_state(batch)
        given = list(initial_state) if isinstance(initial_state, list | tuple) else [initial_state]
        flat = [to_tensor(s) for s in _flat(given)]
        sizes = [int(d) for d in _flat(self.state_size)]
        if len(flat) != len(sizes):
            raise ValueError(
                f"Layer {self.name!r} expects {len(sizes)} initial state(s) of sizes {sizes}, "
                f"got {len(flat)}"
            )
        for s, d in zip(flat, sizes, strict=True):
            if tuple(s.shape) != (batch, d):
                raise ValueError(
                    f"Layer {self.name!r}: an initial state must have shape ({batch}, {d}), got "
                    f"{tuple(s.shape)}"
                )
        return _pack(flat, self._state_like())

    def _state_like(self) -> list[Any]:
        return [[0] * len(s) if isinstance(s, list | tuple) else 0 for s in self.state_size]

    def call(  # type: ignore[override]
        self,
        sequences: Tensor,
        initial_state: Any = None,
        mask: Any = None,
        training: bool | None = None,
    ) -> Any:
        if sequences.ndim < 3:
            raise ValueError(
                f"Layer {self.name!r} expects inputs of shape (batch, time, features), got "
                f"shape {tuple(sequences.shape)}"
            )
        if isinstance(mask, list | tuple):
            mask = mask[0]
        if isinstance(mask, Tensor):
            mask = mask.data
        states = self._initial(sequences, initial_state)
        steps = range(sequences.shape[1])
        order = reversed(steps) if self.go_backwards else steps
        cell = self.cell
        outputs: list[Tensor] = []
        previous: Tensor | None = None
        try:
            for t in order:
                # the states as a list, even a single one (Keras's cells read states[0])
                output, new_states = call_cell(cell, sequences[:, t], states, training)
                new_flat = _flat(new_states)
                if mask is not None:
                    keep = np.asarray(mask[:, t], dtype=bool)[:, None]
                    if previous is None or self.zero_output_for_mask:
                        previous = Tensor(np.zeros(output.shape, output.dtype))
                    output = where(keep, output, previous)
                    new_flat = [
                        where(keep, new, old)
                        for new, old in zip(new_flat, _flat(states), strict=True)
                    ]
                states = _pack(new_flat, self._state_like())
                previous = output
                if self.return_sequences or not outputs:
                    outputs.append(output)
                else:
                    outputs[0] = output
        finally:
            for reset in ("reset_dropout_mask", "reset_recurrent_dropout_mask"):
                getattr(cell, reset, lambda: None)()
        if self.stateful:
            assert self.states is not None
            for kept, new in zip(self.states, _flat(states), strict=True):
                kept.data[...] = new.data
        result = stack(outputs, axis=1) if self.return_sequences else outputs[-1]
        if self.return_state:  # nested as the cell's state_size (a list per stacked cell)
            return [result, *states]
        return result

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards,
            "stateful": self.stateful,
            "unroll": self.unroll,
            "zero_output_for_mask": self.zero_output_for_mask,
            "cell": _serialize(self.cell),
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> RNN:
        from . import deserialize

        config = plain_config(config)
        cell = config.pop("cell")
        if isinstance(cell, list):
            cell = [deserialize(c) for c in cell]
        elif isinstance(cell, dict):
            cell = deserialize(cell)
        return cls(cell, **config)


#: The cell arguments the layers expose (``lstm.units`` is ``lstm.cell.units``).
_CELL_ARGUMENTS = (
    "units",
    "activation",
    "recurrent_activation",
    "use_bias",
    "kernel_initializer",
    "recurrent_initializer",
    "bias_initializer",
    "kernel_regularizer",
    "recurrent_regularizer",
    "bias_regularizer",
    "kernel_constraint",
    "recurrent_constraint",
    "bias_constraint",
    "dropout",
    "recurrent_dropout",
    "unit_forget_bias",
    "reset_after",
    "implementation",
    "seed",
)


class _CellLayer(RNN):
    """What SimpleRNN, LSTM and GRU share: a cell of ``cell_class`` built from the layer's
    arguments, named as Keras names it, and a flat config (no 'cell' entry)."""

    cell_class: Any  # the cell's class
    cell_name: str

    def __init__(self, units: int, **kwargs: Any) -> None:
        cell_kwargs = {k: kwargs.pop(k) for k in list(kwargs) if k in _CELL_ARGUMENTS}
        kwargs.pop("use_cudnn", None)
        cell = self.cell_class(
            units,
            name=self.cell_name,
            dtype=kwargs.get("dtype"),
            trainable=kwargs.get("trainable", True),
            **cell_kwargs,
        )
        super().__init__(cell, **kwargs)
        self.input_spec = InputSpec(ndim=3)

    def __getattr__(self, name: str) -> Any:  # lstm.units is lstm.cell.units, as in Keras
        cell = self.__dict__.get("cell")
        if name in _CELL_ARGUMENTS and cell is not None:
            return getattr(cell, name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        cell_config = config.pop("cell")["config"]
        for key in ("name", "trainable", "dtype"):
            cell_config.pop(key, None)
        config["activity_regularizer"] = _serialize(self.activity_regularizer)
        return {**config, **cell_config}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> RNN:
        config = plain_config(config)
        return cls(**config)


class SimpleRNN(_CellLayer):
    """A fully connected recurrent layer: h_t = activation(x_t K + b + h_{t-1} R)
    (``SimpleRNNCell``; see the module docstring for the loop, masks and states)."""

    cell_class = SimpleRNNCell
    cell_name = "simple_rnn_cell"

    def __init__(self, units: int, activation: Any = "tanh", **kwargs: Any) -> None:
        super().__init__(units, activation=activation, **kwargs)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        del config["seed"]  # Keras's SimpleRNN config has none (its cell's has)
        return config


class LSTM(_CellLayer):
    """Long short-term memory (Hochreiter & Schmidhuber 1997), Keras 3's ``LSTM``: gates i, f,
    c, o, states [h, c] (``LSTMCell``; see the module docstring for the loop)."""

    cell_class = LSTMCell
    cell_name = "lstm_cell"

    def __init__(
        self,
        units: int,
        activation: Any = "tanh",
        recurrent_activation: Any = "sigmoid",
        unit_forget_bias: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            units,
            activation=activation,
            recurrent_activation=recurrent_activation,
            unit_forget_bias=unit_forget_bias,
            **kwargs,
        )


class GRU(_CellLayer):
    """Gated recurrent unit (Cho et al. 2014), Keras 3's ``GRU``: gates z, r, h, state [h];
    ``reset_after=True`` (the default, cuDNN's form) or False (``GRUCell``)."""

    cell_class = GRUCell
    cell_name = "gru_cell"

    def __init__(
        self,
        units: int,
        activation: Any = "tanh",
        recurrent_activation: Any = "sigmoid",
        reset_after: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            units,
            activation=activation,
            recurrent_activation=recurrent_activation,
            reset_after=reset_after,
            **kwargs,
        )
