"""Draw the course's graph f(x, y) = x² + xy + (x + y)² with nnlab, for the engine tour.

    python docs/_gen/engine_graph.py        # rewrites docs/img/course-graph.svg (needs `dot`)

The SVG is committed; ``tests/docs/test_generated.py`` checks that it shows the graph nnlab
records today (every node label and edge of :func:`nnlab.autograd.graph_of`).
"""

from __future__ import annotations

from pathlib import Path

import nnlab
from nnlab.autograd import draw

SVG = Path(__file__).resolve().parents[1] / "img" / "course-graph.svg"


def course_graph() -> tuple[nnlab.Tensor, dict[str, nnlab.Tensor]]:
    """f at (x, y) = (3, 2), with the names the figure shows."""
    x = nnlab.tensor(3.0, requires_grad=True)
    y = nnlab.tensor(2.0, requires_grad=True)
    f = x**2 + x * y + (x + y) ** 2
    return f, {"x": x, "y": y, "f": f}


def main() -> None:
    f, names = course_graph()
    draw(f, SVG, names)
    print(f"wrote {SVG}")


if __name__ == "__main__":
    main()
