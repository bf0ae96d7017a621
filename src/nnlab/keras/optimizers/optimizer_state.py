"""The per-parameter state of a Keras optimizer, and the same state as Keras 3's flat list of
``variables`` (for saving): the step count, the learning rate (unless a schedule), the EMA
averages, the gradient accumulators, then each group of slots parameter by parameter (e.g. Adam:
m₀, v₀, m₁, v₁, ...), then optimizer-wide scalars (Nadam's momentum product)."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from nnlab.autograd import Tensor
from nnlab.optim.base import OptimizerBase

__all__ = ["OptimizerState"]


class OptimizerState(OptimizerBase):
    """State arrays per parameter, named by ``slot_groups``; see the module docstring.

    Subclasses set ``slot_groups`` (the names of their per-parameter arrays, grouped as Keras
    creates them) and, for optimizer-wide scalars, ``_scalar_variables``: the names of attributes
    holding a Keras ``Variable`` made by ``build`` (``None`` until then).
    """

    slot_groups: tuple[tuple[str, ...], ...] = ()
    _scalar_variables: tuple[str, ...] = ()
    # set by the Optimizer subclass:
    name: str
    use_ema: bool
    gradient_accumulation_steps: int | None
    _iterations: int
    _learning_rate: Any
    learning_rate: Any

    def __init__(self) -> None:
        super().__init__()
        self._params: list[Tensor] = []  # every parameter with state, in first-seen order

    @property
    def built(self) -> bool:
        """Whether the optimizer holds state for some parameters."""
        return bool(self._params)

    def build(self, variables: Sequence[Tensor]) -> None:
        """Create the state of ``variables`` (called once, by the first update, with all of
        them; a subclass may extend it to make its own variables, as in Keras)."""
        self._track(variables)

    def _track(self, variables: Sequence[Tensor]) -> None:
        """Create the state of the parameters in ``variables`` that have none yet."""
        for i, p in enumerate(variables):
            if not isinstance(p, Tensor):
                raise TypeError(
                    f"{type(self).__name__}: variable {i} is a {type(p).__name__}, not a "
                    "Parameter (nnlab Tensor)"
                )
            if p not in self.state:
                self._state(p)

    def _init_state(self, p: Tensor) -> dict[str, Any]:
        self._params.append(p)
        state = {
            name: np.full_like(p.data, self._slot_initial_value(name))
            for group in self.slot_groups
            for name in group
        }
        if self.use_ema:
            state["average"] = np.zeros_like(p.data)
        if self.gradient_accumulation_steps:
            state["gradient_accumulator"] = np.zeros_like(p.data)
        return state

    def _slot_initial_value(self, name: str) -> float:
        return 0.0

    # Keras's API for optimizers written by users (``build`` + ``update_step``):
    def add_variable_from_reference(
        self, reference_variable: Tensor, name: str | None = None, initializer: Any = "zeros"
    ) -> Tensor:
        """A new state Tensor shaped like ``reference_variable`` (``initializer``: a name or a
        number; zeros by default)."""
        from .. import initializers

        ref = reference_variable.data
        init = initializers.Constant(initializer) if not isinstance(initializer, str) else None
        value = (init or initializers.get(initializer))(ref.shape, ref.dtype)  # type: ignore[misc]
        return Tensor(value)

    def _get_variable_index(self, variable: Tensor) -> int:
        """The position of ``variable`` among the parameters the optimizer was built with."""
        for i, p in enumerate(self._params):
            if p is variable:
                return i
        raise ValueError(f"{type(self).__name__}: unknown variable {variable!r}")

    @staticmethod
    def assign(variable: Tensor, value: Any) -> None:
        """variable <- value, in place."""
        variable.data[...] = value.data if isinstance(value, Tensor) else value

    @staticmethod
    def assign_add(variable: Tensor, value: Any) -> None:
        """variable <- variable + value, in place."""
        variable.data[...] += value.data if isinstance(value, Tensor) else value

    @staticmethod
    def assign_sub(variable: Tensor, value: Any) -> None:
        """variable <- variable - value, in place."""
        variable.data[...] -= value.data if isinstance(value, Tensor) else value

    @property
    def slot_names(self) -> tuple[str, ...]:
        """The per-parameter state arrays of this optimizer's update, in Keras's order."""
        return tuple(name for group in self.slot_groups for name in group)

    @property
    def slots(self) -> dict[str, list[np.ndarray]]:
        """Slot name -> one (live) array per parameter, in the order the parameters were seen."""
        return {name: [self.state[p][name] for p in self._params] for name in self.slot_names}

    def _variable_refs(self) -> list[tuple[Tensor | None, str]]:
        """(parameter, slot) for every array of ``variables``, in Keras 3's order."""
        refs: list[tuple[Tensor | None, str]] = [(None, "iterations")]
        if not callable(self._learning_rate):
            refs.append((None, "learning_rate"))
        for extra in (("average",) if self.use_ema else ()) + (
            ("gradient_accumulator",) if self.gradient_accumulation_steps else ()
        ):
            refs += [(p, extra) for p in self._params]
        for group in self.slot_groups:
            refs += [(p, name) for p in self._params for name in group]
        refs += [(None, attr) for attr in self._scalar_variables if getattr(self, attr) is not None]
        return refs

    @property
    def variable_paths(self) -> list[str]:
        """Keras 3's ``path`` of each entry of ``variables``: 'adam/iteration',
        'adam/learning_rate', then '{optimizer}/{parameter path with _ for /}_{slot}' (e.g.
        'adam/dense_kernel_momentum'), then the optimizer-wide variables' own paths."""
        paths = []
        for p, name in self._variable_refs():
            if p is not None:
                owner = str(getattr(p, "path", None) or getattr(p, "name", None) or "var")
                paths.append(f"{self.name}/{owner.replace('/', '_')}_{name}")
            elif name == "iterations":
                paths.append(f"{self.name}/iteration")
            elif name == "learning_rate":
                paths.append(f"{self.name}/learning_rate")
            else:
                paths.append(getattr(self, name).path)
        return paths

    @property
    def variables(self) -> list[np.ndarray]:
        """All state as arrays, in Keras 3's order: the step count, the learning rate (unless a
        schedule), the EMA averages, the gradient accumulators, then each slot group per
        parameter (e.g. Adam: m₀, v₀, m₁, v₁, ...). Slot arrays are the live state."""
        out = []
        for p, name in self._variable_refs():
            if p is not None:
                out.append(self.state[p][name])
            elif name == "iterations":
                out.append(np.array(self._iterations, dtype=np.int32))  # Keras's "int" on torch
            elif name == "learning_rate":
                out.append(np.array(self.learning_rate, dtype=np.float32))
            else:
                out.append(getattr(self, name).data.copy())
        return out

    def set_weights(self, weights: Sequence[Any]) -> None:
        """Overwrite all state from arrays in ``variables`` order (the optimizer must be built)."""
        if not self.built:
            raise ValueError(
                "You are calling `set_weights()` on an optimizer that has not yet been built. "
                "Please call `optimizer.build(trainable_variables)` to create the optimizer "
                "weights before calling `set_weights()`."
            )
        refs = self._variable_refs()
        if len(weights) != len(refs):
            raise ValueError(
                f"{type(self).__name__}.set_weights: expected {len(refs)} arrays (one per entry "
                f"of `variables`), got {len(weights)}"
            )
        for ref, value in zip(refs, weights, strict=True):
            self._assign_ref(ref, value)

    def _assign_ref(self, ref: tuple[Tensor | None, str], value: Any) -> None:
        """Overwrite the state array ``ref`` (an entry of ``_variable_refs``) with ``value``."""
        p, name = ref
        value = np.asarray(value.data if isinstance(value, Tensor) else value)
        if p is None and name == "iterations":
            self._iterations = int(value)
            return
        if p is None and name == "learning_rate":
            self.learning_rate = float(value)
            return
        dst = self.state[p][name] if p is not None else getattr(self, name).data
        if dst.shape != value.shape:
            raise ValueError(
                f"{type(self).__name__}.set_weights: state {name!r} has shape "
                f"{dst.shape}, got {value.shape}"
            )
        dst[...] = value

    def save_own_variables(self, store: dict[str, Any]) -> None:
        """Write ``variables`` into ``store`` under "0", "1", ... (the .keras file layout)."""
        for i, value in enumerate(self.variables):
            store[str(i)] = np.array(value)

    def load_own_variables(self, store: Any) -> None:
        """Read the state ``save_own_variables`` wrote; warns and skips when the number of
        arrays differs (an optimizer not built yet, or built on other parameters), as Keras."""
        expected = len(self._variable_refs())
        if len(store.keys()) != expected:
            warnings.warn(
                f"Skipping variable loading for optimizer '{self.name}', because it has "
                f"{expected} variables whereas the saved optimizer has {len(store.keys())} "
                "variables.",
                stacklevel=2,
            )
            return
        self.set_weights([store[str(i)] for i in range(expected)])
