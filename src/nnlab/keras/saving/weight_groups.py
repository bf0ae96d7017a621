"""Where Keras 3 stores the weights of a layer that holds other objects, in ``model.weights.h5``.

Most layers keep their weights in their own group, ``layers/<path>/vars``. A recurrent layer
keeps them in its cell's, and a Bidirectional layer in its two layers' cells' (Keras's tracker
names the attributes):

    layers/lstm/vars                                   (none)
    layers/lstm/cell/vars/0..2                         kernel, recurrent_kernel, bias
    layers/rnn/cell/cells/<cell path>/vars/...         RNN over a list of cells: 'lstm_cell',
                                                       'lstm_cell_1', ... (as layer paths)
    layers/bidirectional/forward_layer/cell/vars/...   then backward_layer/cell/vars/...

``weight_groups(entry)`` lists a layer's groups from its serialized entry (class name and
config) as (suffix of the layer's path, object name, number of weights or None for "all the
rest"), in ``get_weights`` order; :func:`split` cuts a layer's arrays (or shapes) into them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from .serialization import layer_paths

__all__ = ["layer_entry", "split", "weight_groups"]

Group = tuple[str, str, int | None]
T = TypeVar("T")

#: The cell a recurrent layer builds, by layer class (Keras names it so).
CELL_NAMES = {"SimpleRNN": "simple_rnn_cell", "LSTM": "lstm_cell", "GRU": "gru_cell"}
CELLS = ("SimpleRNNCell", "LSTMCell", "GRUCell")


def _cell_count(config: dict[str, Any]) -> int:
    """kernel, recurrent_kernel and, with ``use_bias``, bias."""
    return 3 if config.get("use_bias", True) else 2


def _cell_groups(prefix: str, cell: Any) -> list[Group]:
    if not isinstance(cell, dict):
        return [(prefix, "cell", None)]
    cls, config = cell.get("class_name"), cell.get("config") or {}
    name = str(config.get("name", "cell"))
    if cls == "StackedRNNCells":  # the list's items by class, made unique as model.layers
        out: list[Group] = [(prefix, name, 0)]
        inner_cells = [c for c in config.get("cells") or [] if isinstance(c, dict)]
        paths = layer_paths([str(c.get("class_name")) for c in inner_cells])
        for inner, path in zip(inner_cells, paths, strict=True):
            out += _cell_groups(f"{prefix}/cells/{path.removeprefix('layers/')}", inner)
        return out
    return [(prefix, name, _cell_count(config) if cls in CELLS else None)]


def weight_groups(entry: dict[str, Any]) -> list[Group]:
    """The HDF5 groups of one layer's weights (see the module docstring)."""
    cls, config = entry.get("class_name"), entry.get("config") or {}
    name = str(config.get("name", ""))
    if cls in CELL_NAMES:
        return [("", name, 0), ("/cell", CELL_NAMES[str(cls)], _cell_count(config))]
    if cls == "RNN":
        return [("", name, 0), *_cell_groups("/cell", config.get("cell"))]
    if cls == "Bidirectional":
        out: list[Group] = [("", name, 0)]
        for key in ("layer", "backward_layer"):
            inner = config.get(key)
            if isinstance(inner, dict):
                side = "/forward_layer" if key == "layer" else "/backward_layer"
                out += [(side + s, n, c) for s, n, c in weight_groups(inner)]
        return out
    return [("", name, None)]


def layer_entry(layer: Any) -> dict[str, Any]:
    """A live layer's entry (class name and config), for :func:`weight_groups`."""
    if type(layer).__name__ not in (*CELL_NAMES, "RNN", "Bidirectional"):
        return {"class_name": type(layer).__name__, "config": {"name": layer.name}}
    return {"class_name": type(layer).__name__, "config": layer.get_config()}


def split(path: str, groups: Sequence[Group], items: Sequence[T]) -> list[tuple[str, str, list[T]]]:
    """(HDF5 path, object name, its share of ``items``) for each group; a count of None takes
    the rest. ValueError when the counts do not add up to ``len(items)``."""
    out, i = [], 0
    for suffix, name, count in groups:
        n = len(items) - i if count is None else count
        out.append((path + suffix, name, list(items[i : i + n])))
        i += n
    if i != len(items):
        raise ValueError(f"{path}: {len(items)} weights, but its groups hold {i}")
    return out
