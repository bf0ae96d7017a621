"""``Module`` and ``Parameter``: the containers every network is built from (PyTorch's shape).

A ``Parameter`` is a leaf :class:`~nnlab.Tensor` that requires a gradient. A ``Module`` is any
object whose attributes hold Parameters and sub-Modules, directly or inside lists, tuples and
dicts; ``parameters()`` finds them all by walking the attributes, in the order they were set
(a parameter shared by two layers is listed once).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

from ..autograd import Tensor


class Parameter(Tensor):
    """A trainable tensor: a leaf with ``requires_grad=True``.

    ``data`` becomes float32 unless it is already a float64 array or tensor (kept for gradient
    checks); Python lists and scalars become float32.
    """

    __slots__ = ()

    def __init__(self, data: Any, requires_grad: bool = True) -> None:
        raw = data.data if isinstance(data, Tensor) else data
        arr = np.asarray(raw)
        if not (isinstance(raw, np.ndarray | np.generic) and arr.dtype == np.float64):
            if arr.dtype.kind not in "fiub":
                raise TypeError(f"Parameter: cannot make a parameter from dtype {arr.dtype}")
            arr = arr.astype(np.float32)
        super().__init__(arr, requires_grad=requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


def _walk(value: Any, prefix: str) -> Iterator[tuple[str, Any]]:
    """(name, item) for every Parameter or Module inside ``value`` (lists/tuples/dicts searched)."""
    if isinstance(value, Parameter | Module):
        yield prefix, value
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from _walk(item, f"{prefix}.{i}")
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _walk(item, f"{prefix}.{key}")


class Module:
    """Base class of layers and models.

    Subclasses set Parameters and sub-Modules as attributes in ``__init__`` (possibly inside lists,
    tuples or dicts) and implement ``forward``; calling the module calls ``forward``.

    Attributes:
        training: True in training mode (the default), False after :meth:`eval`. Layers such as
            ``Dropout`` behave differently in the two modes.
    """

    training: bool = True  # also the default for subclasses that skip super().__init__()
    _buffer_names: tuple[str, ...] = ()  # set by register_buffer

    def __init__(self) -> None:
        self.training = True

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    # ------------------------------------------------------------------ discovery
    def _members(self) -> Iterator[tuple[str, Any]]:
        """(name, Parameter or Module) directly held by this module (sub-modules not entered)."""
        for name, value in vars(self).items():
            if isinstance(value, Parameter | Module | list | tuple | Mapping):
                yield from _walk(value, name)

    def _dfs(self, prefix: str, seen: set[int]) -> Iterator[tuple[str, Any]]:
        """(dotted name, item): this module, then its members in attribute order, each
        sub-module entered where it is met (depth first); a module met twice is entered once."""
        seen.add(id(self))
        yield prefix, self
        for name, member in self._members():
            full = f"{prefix}.{name}" if prefix else name
            if isinstance(member, Module):
                if id(member) not in seen:
                    yield from member._dfs(full, seen)
            else:
                yield full, member

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """(dotted name, module) for this module ("" for itself) and every sub-module, once each."""
        for name, item in self._dfs(prefix, set()):
            if isinstance(item, Module):
                yield name, item

    def modules(self) -> Iterator[Module]:
        """This module and every sub-module (depth first, in attribute order)."""
        for _, module in self.named_modules():
            yield module

    def children(self) -> Iterator[Module]:
        """The direct sub-modules."""
        for _, member in self._members():
            if isinstance(member, Module):
                yield member

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Parameter]]:
        """(dotted name, parameter) for every parameter, e.g. ``("layers.0.weight", W)``.

        Order: attribute order, depth first; a parameter reachable twice is listed once, under
        the first name met.
        """
        seen: set[int] = set()
        for name, item in self._dfs(prefix, set()):
            if isinstance(item, Parameter) and id(item) not in seen:
                seen.add(id(item))
                yield name, item

    def register_buffer(self, name: str, value: np.ndarray | None) -> None:
        """Keep ``value`` as the attribute ``name``: state that is not trained (BatchNorm's
        running statistics). :meth:`state_dict` saves it and :meth:`load_state_dict` restores
        it in place; :meth:`parameters` and the optimizers never see it."""
        if name not in self._buffer_names:
            self._buffer_names = (*self._buffer_names, name)
        setattr(self, name, value)

    def named_buffers(self, prefix: str = "") -> Iterator[tuple[str, np.ndarray]]:
        """(dotted name, array) for every buffer of this module and its sub-modules (those set
        to None are skipped), e.g. ``("bn.running_mean", array)``."""
        for module_name, module in self.named_modules(prefix):
            for name in module._buffer_names:
                value = getattr(module, name)
                if value is not None:
                    yield (f"{module_name}.{name}" if module_name else name), value

    def parameters(self) -> list[Parameter]:
        """Every trainable parameter (see :meth:`named_parameters` for the order)."""
        return [p for _, p in self.named_parameters()]

    def num_parameters(self) -> int:
        """Total number of scalar parameters."""
        return sum(p.data.size for p in self.parameters())

    # ------------------------------------------------------------------ modes and gradients
    def train(self, mode: bool = True) -> Module:
        """Set training mode (``mode=True``) or evaluation mode on this module and all below."""
        for module in self.modules():
            module.training = bool(mode)
        return self

    def eval(self) -> Module:
        """Evaluation mode: same as ``train(False)``."""
        return self.train(False)

    def zero_grad(self) -> None:
        """Clear every parameter's accumulated gradient (``grad = None``)."""
        for p in self.parameters():
            p.grad = None

    # ------------------------------------------------------------------ state
    def _state(self) -> dict[str, np.ndarray]:
        """The arrays that make up the state: every parameter's, then every buffer."""
        state = {name: p.data for name, p in self.named_parameters()}
        state.update(self.named_buffers())
        return state

    def state_dict(self) -> dict[str, np.ndarray]:
        """A copy of every parameter's values and every buffer, keyed by dotted name."""
        return {name: arr.copy() for name, arr in self._state().items()}

    def load_state_dict(self, state: Mapping[str, Any], strict: bool = True) -> None:
        """Copy values from ``state`` (name -> array) into the parameters and buffers, in place.

        Shapes must match exactly; values are cast to each parameter's (buffer's) dtype. With
        ``strict`` (the default) the keys must be exactly those of :meth:`state_dict`.

        Raises:
            KeyError: missing or unexpected keys (``strict=True``).
            ValueError: a shape mismatch (nothing is modified then).
        """
        targets = self._state()
        if strict:
            missing = sorted(set(targets) - set(state))
            unexpected = sorted(set(state) - set(targets))
            if missing or unexpected:
                raise KeyError(
                    f"load_state_dict ({type(self).__name__}): missing keys {missing}, "
                    f"unexpected keys {unexpected}"
                )
        updates: list[tuple[np.ndarray, np.ndarray]] = []
        for name, value in state.items():
            if name not in targets:
                continue
            target = targets[name]
            arr = np.asarray(value.data if isinstance(value, Tensor) else value)
            if arr.shape != target.shape:
                raise ValueError(
                    f"load_state_dict ({type(self).__name__}): '{name}' has shape {arr.shape} "
                    f"in the state dict but {target.shape} in the model"
                )
            updates.append((target, arr))
        for target, arr in updates:
            np.copyto(target, arr, casting="unsafe")

    # ------------------------------------------------------------------ display
    def extra_repr(self) -> str:
        """The text inside the parentheses of this module's repr (layer settings)."""
        return ""

    def __repr__(self) -> str:
        children = [(n, m) for n, m in self._members() if isinstance(m, Module)]
        if not children:
            return f"{type(self).__name__}({self.extra_repr()})"
        lines = [f"{type(self).__name__}("]
        for name, child in children:
            body = repr(child).replace("\n", "\n  ")
            lines.append(f"  ({name}): {body}")
        lines.append(")")
        return "\n".join(lines)
