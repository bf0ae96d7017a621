"""``Model.get_state_tree`` / ``set_state_tree``: every variable of a model by its Keras path.

The tree has four groups, as in Keras 3: ``trainable_variables``, ``non_trainable_variables``,
``optimizer_variables`` and ``metrics_variables``. Within a group a variable's path
('dense/kernel', 'adam/iteration', 'loss/total') is split on '/' into nested dicts:
``{"dense": {"kernel": array}}``.

Each variable is seen here as an entry: its path, a function reading its value and one writing
it. The loss trackers keep their running sums as Python floats (for the speed of ``fit``); their
entries read and write those.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from nnlab.autograd import Tensor

__all__ = ["GROUPS", "get_state_tree", "set_state_tree"]

GROUPS = (
    "trainable_variables",
    "non_trainable_variables",
    "optimizer_variables",
    "metrics_variables",
)

Entry = tuple[str, Callable[[], np.ndarray], Callable[[np.ndarray], None]]


def _variable_entries(variables: Iterable[Any]) -> list[Entry]:
    """A model's or a metric's variables: read a copy, write through ``assign``."""
    return [(v.path, v.numpy, v.assign) for v in variables]


def _optimizer_entry(optimizer: Any, path: str, ref: Any, value: np.ndarray) -> Entry:
    def read() -> np.ndarray:
        return np.array(value)

    def write(x: np.ndarray) -> None:
        optimizer._assign_ref(ref, x)

    return path, read, write


def _optimizer_entries(optimizer: Any) -> list[Entry]:
    refs, paths = optimizer._variable_refs(), optimizer.variable_paths
    values = optimizer.variables
    return [
        _optimizer_entry(optimizer, path, ref, value)
        for path, ref, value in zip(paths, refs, values, strict=True)
    ]


def _tracker_entry(tracker: Any, attr: str) -> Entry:
    """A loss tracker's running ``total`` or ``count`` (a float), as Keras's float32 variable."""

    def read() -> np.ndarray:
        return np.array(getattr(tracker, attr), np.float32)

    def write(x: np.ndarray) -> None:
        setattr(tracker, attr, float(np.asarray(x)))

    return f"{tracker.name}/{attr}", read, write


def _metric_entries(metrics: Iterable[Any]) -> list[Entry]:
    """The loss trackers' ``total`` and ``count`` (floats), the metrics' variables."""
    entries: list[Entry] = []
    for metric in metrics:
        if hasattr(metric, "variables"):
            entries += _variable_entries(metric.variables)
            continue
        entries += [_tracker_entry(metric, "total"), _tracker_entry(metric, "count")]
    return entries


def _entries(model: Any, group: str) -> list[Entry]:
    if group == "trainable_variables":
        return _variable_entries(model.trainable_variables)
    if group == "non_trainable_variables":
        return _variable_entries(model.non_trainable_variables)
    if group == "optimizer_variables":
        if model.optimizer is None:
            raise ValueError(
                f"model {model.name!r} has no optimizer; compile it first (the state tree holds "
                "the optimizer's variables)"
            )
        return _optimizer_entries(model.optimizer)
    return _metric_entries(model.metrics)


def _nest(entries: list[Entry], as_value: Callable[[np.ndarray], Any]) -> dict[str, Any]:
    """{'a/b/c': value, ...} as {'a': {'b': {'c': value}}}, refusing a path seen twice."""
    tree: dict[str, Any] = {}
    seen: set[str] = set()
    for path, read, _ in entries:
        if path in seen:
            raise ValueError(
                "The following variable path is found twice in the model: "
                f"'{path}'. `get_state_tree()` can only be called when all variable paths are "
                "unique. Make sure to give unique names to your layers (and other objects)."
            )
        seen.add(path)
        *parents, leaf = path.split("/")
        node = tree
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = as_value(read())
    return tree


def _flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """The inverse of ``_nest``: {'a': {'b': v}} as {'a/b': v}."""
    flat: dict[str, Any] = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}/"))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def get_state_tree(model: Any, value_format: str = "backend_tensor") -> dict[str, dict[str, Any]]:
    """The four groups of the model's variables as nested dicts of values: nnlab Tensors
    (``value_format="backend_tensor"``) or NumPy arrays (``"numpy_array"``), copies."""
    formats: dict[str, Callable[[np.ndarray], Any]] = {
        "backend_tensor": Tensor,
        "numpy_array": lambda a: a,
    }
    if value_format not in formats:
        raise ValueError(
            "Invalid `value_format` argument. Expected one of {'numpy_array', "
            f"'backend_tensor'}}. Received: value_format={value_format}"
        )
    return {group: _nest(_entries(model, group), formats[value_format]) for group in GROUPS}


def set_state_tree(model: Any, state_tree: dict[str, Any]) -> None:
    """Assign the values of ``state_tree`` (shaped like ``get_state_tree()``'s, any subset of
    groups and paths) to the model's variables. As in Keras, a path matching no variable is
    skipped; a value of the wrong shape is an error."""
    if not isinstance(state_tree, dict):
        raise TypeError(
            f"set_state_tree: expected a dict of groups, got {type(state_tree).__name__}"
        )
    for group, subtree in state_tree.items():
        if group not in GROUPS:
            raise ValueError(f"Unknown variable name: {group}")
        if not isinstance(subtree, dict):
            raise TypeError(
                f"set_state_tree: {group!r} must be a dict of paths, got {type(subtree).__name__}"
            )
        writers = {path: write for path, _, write in _entries(model, group)}
        for path, value in _flatten(subtree).items():
            if path in writers:
                writers[path](value.data if isinstance(value, Tensor) else value)
