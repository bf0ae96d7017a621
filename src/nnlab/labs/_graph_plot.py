"""Lay out a computational graph (:func:`nnlab.autograd.graph_of`) with matplotlib.

Used by the computational-graph lab when Graphviz's ``dot`` is not installed: nodes are placed in
columns by their longest distance from an input (left to right, as ``rankdir=LR``), boxes for
tensors (dashed for constants), rounded boxes for operations, arrows for the edges.
"""

from __future__ import annotations

from matplotlib.axes import Axes

from nnlab.autograd import Tensor
from nnlab.autograd.graph import GraphNode, graph_of


def _levels(nodes: list[GraphNode], edges: list[tuple[str, str]]) -> dict[str, int]:
    """Column of each node: its longest path from a source (the graph is a DAG)."""
    level = {n.id: 0 for n in nodes}
    for _ in range(len(nodes)):
        changed = False
        for src, dst in edges:
            if level[dst] < level[src] + 1:
                level[dst] = level[src] + 1
                changed = True
        if not changed:
            break
    # a constant feeding a late op (the exponent of (x + y)²) sits just left of it
    sources = level.keys() - {dst for _, dst in edges}
    for node in sources:
        users = [level[dst] for src, dst in edges if src == node]
        if users:
            level[node] = min(users) - 1
    return level


def plot_graph(ax: Axes, root: Tensor, names: dict[str, Tensor] | None = None) -> None:
    """Draw the graph that computed ``root`` on ``ax`` (turned off: a diagram has no data axes)."""
    nodes, edges = graph_of(root, names)
    level = _levels(nodes, edges)
    columns: dict[int, list[str]] = {}
    for node in sorted(nodes, key=lambda n: n.label):
        columns.setdefault(level[node.id], []).append(node.id)
    pos = {}
    for col, members in columns.items():
        for row, node_id in enumerate(members):
            pos[node_id] = (float(col), (len(members) - 1) / 2 - row)
    for src, dst in edges:
        ax.annotate(
            "",
            xy=pos[dst],
            xytext=pos[src],
            arrowprops={"arrowstyle": "-|>", "color": "#555555", "shrinkA": 22, "shrinkB": 22},
        )
    for node in nodes:
        constant = not node.is_op and not node.requires_grad
        ax.text(
            *pos[node.id],
            node.label,
            ha="center",
            va="center",
            fontsize=10,
            bbox={
                "boxstyle": "round,pad=0.45" if node.is_op else "square,pad=0.4",
                "facecolor": "white" if constant else "#fde68a" if node.is_op else "#dbeafe",
                "edgecolor": "#333333",
                "linestyle": "--" if constant else "-",
            },
        )
    width = max(level.values(), default=0)
    height = max((len(m) for m in columns.values()), default=1)
    ax.set_xlim(-0.6, width + 0.6)
    ax.set_ylim(-height / 2 - 0.2, height / 2 + 0.2)
    ax.axis("off")
