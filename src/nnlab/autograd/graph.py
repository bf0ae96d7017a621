"""Draw the computational graph behind a tensor: Graphviz DOT text, rendered with ``dot``."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from nnlab.atomic import atomic_writer

from .tensor import Tensor


def _shape(t: Tensor) -> str:
    return "scalar" if t.ndim == 0 else "×".join(str(n) for n in t.shape)


@dataclass(frozen=True)
class GraphNode:
    """One node of a drawn graph: an op (``is_op``) or a leaf tensor (``requires_grad`` tells a
    variable from a constant). ``label`` may contain newlines."""

    id: str
    label: str
    is_op: bool
    requires_grad: bool


def graph_of(
    root: Tensor, names: dict[str, Tensor] | None = None
) -> tuple[list[GraphNode], list[tuple[str, str]]]:
    """The graph that computed ``root``: its nodes and its edges (input id, op id).

    Leaves are labelled with their name from ``names`` (or their value, for a one-element
    constant such as an exponent) and their shape; ops with their name and output shape.
    """
    label_of = {id(t): name for name, t in (names or {}).items()}
    nodes: list[GraphNode] = []
    edges: list[tuple[str, str]] = []
    seen: set[int] = set()
    stack = [root]
    while stack:
        t = stack.pop()
        if id(t) in seen:
            continue
        seen.add(id(t))
        node = f"t{id(t)}"
        name = label_of.get(id(t))
        if t._fn is None:
            if name:
                label = f"{name}\n{_shape(t)}"
            elif t.size == 1 and not t.requires_grad:
                label = f"{t.data.item():g}"
            else:
                label = _shape(t)
            nodes.append(GraphNode(node, label, False, t.requires_grad))
            continue
        label = f"{t._fn.name}\n{_shape(t)}"
        nodes.append(GraphNode(node, f"{name} = {label}" if name else label, True, True))
        for inp in t._fn.inputs:
            edges.append((f"t{id(inp)}", node))
            stack.append(inp)
    return nodes, edges


def to_dot(root: Tensor, names: dict[str, Tensor] | None = None) -> str:
    """The graph that computed ``root`` (see :func:`graph_of`) as Graphviz DOT text: a box per
    leaf (dashed for constants), an ellipse per op, edges from inputs to ops to outputs."""
    nodes, edges = graph_of(root, names)
    lines = ["digraph nnlab {", "  rankdir=LR;", '  node [fontname="Helvetica", fontsize=11];']
    for n in nodes:
        label = n.label.replace("\n", "\\n")
        if n.is_op:
            attrs = 'shape=ellipse, style=filled, fillcolor="#fde68a"'
        else:
            style = "filled" if n.requires_grad else "dashed"
            attrs = f'shape=box, style={style}, fillcolor="#dbeafe"'
        lines.append(f'  {n.id} [{attrs}, label="{label}"];')
    lines += [f"  {a} -> {b};" for a, b in edges]
    lines.append("}")
    return "\n".join(lines) + "\n"


def draw(
    root: Tensor, path: str | os.PathLike[str], names: dict[str, Tensor] | None = None
) -> Path:
    """Render the graph of ``root`` to ``path`` (format from the suffix: .png, .svg, .pdf).

    Needs Graphviz's ``dot`` program; raises ``RuntimeError`` explaining how to install it when
    it is missing. The file is written atomically.
    """
    return render_dot(to_dot(root, names), path, "draw", hint="nnlab.autograd.to_dot(tensor)")


def render_dot(
    text: str,
    path: str | os.PathLike[str],
    where: str,
    formats: tuple[str, ...] = ("png", "svg", "pdf"),
    hint: str = "",
) -> Path:
    """Render the DOT ``text`` with Graphviz's ``dot`` to ``path`` (its suffix names the format,
    one of ``formats``), atomically; errors say ``where`` they come from (and, without ``dot``,
    name ``hint``, the call that gives the DOT text)."""
    out = Path(path)
    fmt = out.suffix.lstrip(".").lower()
    if fmt not in formats:
        allowed = ", ".join("." + f for f in formats)
        raise ValueError(f"{where}: unsupported file type {out.suffix!r} for {out}; use {allowed}")
    dot = shutil.which("dot")
    if dot is None:
        raise RuntimeError(
            f"{where}: Graphviz's 'dot' program was not found. Install Graphviz "
            "(Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz)"
            + (f", or use {hint} to get the DOT text." if hint else ".")
        )
    try:
        result = subprocess.run(
            [dot, f"-T{'jpg' if fmt == 'jpeg' else fmt}"],
            input=text.encode(),
            check=True,
            capture_output=True,
        )
    except subprocess.CalledProcessError as e:
        raise RuntimeError(
            f"{where}: dot failed: {e.stderr.decode(errors='replace').strip()}"
        ) from None
    with atomic_writer(out) as f:
        f.write(result.stdout)
    return out
