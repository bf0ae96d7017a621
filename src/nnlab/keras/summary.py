"""The text of ``model.summary()``, as Keras 3 draws it (76 characters wide)::

    Model: "sequential"
    ┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
    ┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
    ┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
    │ dense (Dense)                   │ (None, 512)            │       401,920 │
    ├─────────────────────────────────┼────────────────────────┼───────────────┤
    │ dense_1 (Dense)                 │ (None, 10)             │         5,130 │
    └─────────────────────────────────┴────────────────────────┴───────────────┘
     Total params: 407,050 (1.55 MB)
     Trainable params: 407,050 (1.55 MB)
     Non-trainable params: 0 (0.00 B)

A functional model has a fourth column, "Connected to", listing each call's inputs as
``layer[node][tensor]``, and shows its input layers. Text longer than a column wraps at
spaces (a word longer than the column ends in '…').
Sizes count 4 bytes per float32 parameter (1 KB = 1024 B).
"""

from __future__ import annotations

from typing import Any

__all__ = ["summary_lines"]

SEQUENTIAL_WIDTHS = (31, 22, 13)
FUNCTIONAL_WIDTHS = (19, 17, 10, 17)
RIGHT_ALIGNED = 2  # the Param # column


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for part in text.split("\n"):
        current = ""
        for word in part.split(" "):
            if len(word) > width:  # a word too long is cut with an ellipsis, as rich does
                word = word[: width - 1] + "…"
            candidate = f"{current} {word}" if current else word
            if len(candidate) <= width:
                current = candidate
            else:
                lines.append(current)
                current = word
        lines.append(current)
    return lines


def _row(cells: list[str], widths: tuple[int, ...], bar: str = "│") -> list[str]:
    wrapped = [_wrap(c, w) for c, w in zip(cells, widths, strict=True)]
    height = max(len(w) for w in wrapped)
    out = []
    for i in range(height):
        parts = []
        for j, (lines, w) in enumerate(zip(wrapped, widths, strict=True)):
            text = lines[i] if i < len(lines) else ""
            parts.append(text.rjust(w) if j == RIGHT_ALIGNED else text.ljust(w))
        out.append(f"{bar} " + f" {bar} ".join(parts) + f" {bar}")
    return out


def _rule(widths: tuple[int, ...], left: str, fill: str, mid: str, right: str) -> str:
    return left + mid.join(fill * (w + 2) for w in widths) + right


def readable_size(n_bytes: float) -> str:
    """Keras's sizes: '108.00 B', '1.55 MB' (powers of 1024)."""
    for unit in ("B", "KB", "MB", "GB"):
        if n_bytes < 1024 or unit == "GB":
            return f"{n_bytes:.2f} {unit}"
        n_bytes /= 1024
    return f"{n_bytes:.2f} TB"  # pragma: no cover


def _shape(layer: Any) -> str:
    nodes = [n for n in layer._inbound_nodes]
    if not nodes:
        return "?"
    outs = nodes[-1].outputs
    if isinstance(outs, list | tuple):
        return ", ".join(str(t.shape) for t in outs)
    return str(outs.shape)


def summary_lines(model: Any) -> list[str]:
    """The lines of the summary table (an unbuilt layer shows '?' and '0 (unbuilt)')."""
    from .models.functional import Functional

    functional = isinstance(model, Functional)
    widths = FUNCTIONAL_WIDTHS if functional else SEQUENTIAL_WIDTHS
    header = ["Layer (type)", "Output Shape", "Param #"] + (["Connected to"] if functional else [])
    lines = [f'Model: "{model.name}"', _rule(widths, "┏", "━", "┳", "┓")]
    lines += _row(header, widths, "┃")
    lines.append(_rule(widths, "┡", "━", "╇", "┩"))
    rows: list[list[str]] = []
    for layer in model._operations if functional else model.layers:
        built = getattr(layer, "built", True)
        params = layer.count_params() if hasattr(layer, "count_params") else 0
        cells = [
            f"{layer.name} ({type(layer).__name__})",
            _shape(layer),
            f"{params:,}" if built else "0 (unbuilt)",
        ]
        if functional:
            cells.append(_connections(model, layer))
        rows.append(cells)
    for i, cells in enumerate(rows):
        lines += _row(cells, widths)
        if i < len(rows) - 1:
            lines.append(_rule(widths, "├", "─", "┼", "┤"))
    lines.append(_rule(widths, "└", "─", "┴", "┘"))
    total = model.count_params()
    trainable = int(sum(w.data.size for w in model.trainable_weights))
    for label, n in (
        ("Total", total),
        ("Trainable", trainable),
        ("Non-trainable", total - trainable),
    ):
        lines.append(f" {label} params: {n:,} ({readable_size(4 * n)})")
    return lines


def _connections(model: Any, layer: Any) -> str:
    """'dense[0][0], b[0][0]' for each call of ``layer`` in ``model``, '-' for an input."""
    index = model._node_index()
    parts = []
    for node in layer._inbound_nodes:
        if id(node) not in index or node.is_input:
            continue
        for t in node.input_tensors:
            name, k, i = model._history(t, index)
            parts.append(f"{name}[{k}][{i}]")
    return ", ".join(parts) if parts else "-"
