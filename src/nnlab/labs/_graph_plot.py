"""Lay out a graph given as the DOT text of :func:`nnlab.autograd.to_dot` with matplotlib.

Used by the computational-graph lab when Graphviz's ``dot`` is not installed: nodes are placed in
columns by their longest distance from an input (left to right, as ``rankdir=LR``), boxes for
tensors, rounded boxes for operations, arrows for the edges.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from matplotlib.axes import Axes

_NODE = re.compile(r'^\s*(t\d+) \[shape=(\w+), style=(\w+), fillcolor="([^"]+)", label="(.*)"\];$')
_EDGE = re.compile(r"^\s*(t\d+) -> (t\d+);$")


@dataclass
class DotGraph:
    """Nodes (id -> shape, style, fill colour, label with real newlines) and edges (from, to)."""

    nodes: dict[str, tuple[str, str, str, str]]
    edges: list[tuple[str, str]]


def parse_dot(text: str) -> DotGraph:
    """Parse the node and edge lines of ``to_dot``'s output (other lines are ignored)."""
    nodes: dict[str, tuple[str, str, str, str]] = {}
    edges: list[tuple[str, str]] = []
    for line in text.splitlines():
        if match := _NODE.match(line):
            node, shape, style, fill, label = match.groups()
            nodes[node] = (shape, style, fill, label.replace("\\n", "\n"))
        elif match := _EDGE.match(line):
            edges.append((match.group(1), match.group(2)))
    missing = {n for edge in edges for n in edge} - nodes.keys()
    if missing:
        raise ValueError(f"parse_dot: edges refer to undeclared nodes {sorted(missing)}")
    return DotGraph(nodes, edges)


def _levels(graph: DotGraph) -> dict[str, int]:
    """Column of each node: its longest path from a source (the graph is a DAG)."""
    level = dict.fromkeys(graph.nodes, 0)
    for _ in range(len(graph.nodes)):
        changed = False
        for src, dst in graph.edges:
            if level[dst] < level[src] + 1:
                level[dst] = level[src] + 1
                changed = True
        if not changed:
            break
    else:
        raise ValueError("parse_dot: the graph has a cycle")
    # a constant feeding a late op (the exponent of (x + y)²) sits just left of it
    sources = graph.nodes.keys() - {dst for _, dst in graph.edges}
    for node in sources:
        users = [level[dst] for src, dst in graph.edges if src == node]
        if users:
            level[node] = min(users) - 1
    return level


def plot_dot(ax: Axes, text: str) -> None:
    """Draw the DOT graph ``text`` on ``ax`` (turned off: a diagram has no data axes)."""
    graph = parse_dot(text)
    level = _levels(graph)
    columns: dict[int, list[str]] = {}
    for node in sorted(graph.nodes, key=lambda n: graph.nodes[n][3]):
        columns.setdefault(level[node], []).append(node)
    pos = {}
    for col, members in columns.items():
        for row, node in enumerate(members):
            pos[node] = (float(col), (len(members) - 1) / 2 - row)
    for src, dst in graph.edges:
        ax.annotate(
            "",
            xy=pos[dst],
            xytext=pos[src],
            arrowprops={"arrowstyle": "-|>", "color": "#555555", "shrinkA": 22, "shrinkB": 22},
        )
    for node, (shape, style, fill, label) in graph.nodes.items():
        box = "round,pad=0.45" if shape == "ellipse" else "square,pad=0.4"
        ax.text(
            *pos[node],
            label,
            ha="center",
            va="center",
            fontsize=10,
            bbox={
                "boxstyle": box,
                "facecolor": fill if style == "filled" else "white",
                "edgecolor": "#333333",
                "linestyle": "--" if style == "dashed" else "-",
            },
        )
    width = max(level.values(), default=0)
    height = max((len(m) for m in columns.values()), default=1)
    ax.set_xlim(-0.6, width + 0.6)
    ax.set_ylim(-height / 2 - 0.2, height / 2 + 0.2)
    ax.axis("off")
