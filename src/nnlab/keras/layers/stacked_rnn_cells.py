"""``StackedRNNCells(cells)``: cells run one after the other at each time step (what
``RNN([cell, cell, ...])`` builds), and ``call_cell``, how a layer calls a cell's step.

At step t, cell k maps (input_k, its states) to (output_k, its new states) with input_0 = x_t
and input_{k+1} = output_k; the stack's output is the last cell's, its states one list per cell.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from nnlab.autograd import Tensor

from ..variables import name_scope
from .base import Layer, _call_info, plain_config
from .core import _serialize

__all__ = ["StackedRNNCells", "call_cell"]


class StackedRNNCells(Layer):
    """Cells run one after the other at each step: cell k's output is cell k+1's input. Its
    ``state_size`` lists each cell's; the states are passed as one list per cell."""

    def __init__(self, cells: Sequence[Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        for cell in cells:
            if "call" not in dir(cell):
                raise ValueError(f"All cells must have a `call` method. Received cells={cells}")
            if "state_size" not in dir(cell):
                raise ValueError(
                    f"All cells must have a `state_size` attribute. Received cells={cells}"
                )
        self.cells = list(cells)

    @property
    def state_size(self) -> list[Any]:
        return [c.state_size for c in self.cells]

    @property
    def output_size(self) -> int:
        last = self.cells[-1]
        return int(getattr(last, "output_size", None) or _first_size(last.state_size))

    def get_initial_state(self, batch_size: int | None = None) -> list[Any]:
        return [_initial_states(c, batch_size) for c in self.cells]

    def build(self, input_shape: Any) -> None:
        shape = tuple(input_shape)
        for cell in self.cells:
            if isinstance(cell, Layer) and not cell.built:
                with name_scope(self.name, caller=self):  # 'rnn/stacked_rnn_cells/lstm_cell/..'
                    cell.build(shape)
                cell.built = True
            width = getattr(cell, "output_size", None) or _first_size(cell.state_size)
            shape = (shape[0], int(width))
        self.built = True

    def call(self, inputs: Tensor, states: Any, training: bool | None = None) -> Any:  # type: ignore[override]
        new_states = []
        for cell, cell_states in zip(self.cells, states, strict=True):
            as_list = list(cell_states) if isinstance(cell_states, list | tuple) else [cell_states]
            inputs, out_states = call_cell(cell, inputs, as_list, training)
            new_states.append(out_states)
        return inputs, new_states

    def reset_dropout_mask(self) -> None:
        for cell in self.cells:
            getattr(cell, "reset_dropout_mask", lambda: None)()

    def reset_recurrent_dropout_mask(self) -> None:
        for cell in self.cells:
            getattr(cell, "reset_recurrent_dropout_mask", lambda: None)()

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "cells": [_serialize_layer(c) for c in self.cells]}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> StackedRNNCells:
        from . import deserialize

        config = plain_config(config)
        cells = [deserialize(c) for c in config.pop("cells")]
        return cls(cells, **config)


def _first_size(size: Any) -> int:
    return int(size[0] if isinstance(size, list | tuple) else size)


def _initial_states(cell: Any, batch_size: int | None) -> list[Any]:
    make = getattr(cell, "get_initial_state", None)
    if make is not None:
        got = make(batch_size=batch_size)
        return list(got) if isinstance(got, list | tuple) else [got]
    sizes = cell.state_size if isinstance(cell.state_size, list | tuple) else [cell.state_size]
    return [Tensor(np.zeros((batch_size or 1, int(d)), np.float32)) for d in sizes]


def _serialize_layer(layer: Layer) -> dict[str, Any]:
    return dict(_serialize(layer))


def call_cell(cell: Any, inputs: Tensor, states: Any, training: Any) -> tuple[Tensor, Any]:
    """``cell.call(inputs, states)`` (with ``training`` when the cell takes it)."""
    step: Any = cell.call
    if isinstance(cell, Layer) and _call_info(type(cell))[0]:
        return step(inputs, states, training=training)
    return step(inputs, states)
