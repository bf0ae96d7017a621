"""The computational-graph lab in quick mode: backward = analytic = finite differences; the graph
is drawn with and without Graphviz."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from nnlab.autograd import to_dot
from nnlab.labs import get_lab
from nnlab.labs._graph_plot import parse_dot
from nnlab.labs.runner import run_lab


def _metrics(out: Path) -> dict[str, float]:
    result = run_lab(get_lab("computational-graph"), out, quick=True, seed=0)
    assert result.ok, result.error
    loaded: dict[str, float] = json.loads(
        (out / "computational-graph" / "metrics.json").read_text()
    )
    return loaded


def test_computational_graph_quick(tmp_path: Path) -> None:
    metrics = _metrics(tmp_path)
    x, y = metrics["x"], metrics["y"]
    assert metrics["df_dx"] == pytest.approx(2 * x + y + 2 * (x + y), abs=1e-10)
    assert metrics["df_dy"] == pytest.approx(x + 2 * (x + y), abs=1e-10)
    assert 0 <= metrics["fd_max_error"] < 1e-6
    assert metrics["grid_max_error"] < 1e-10
    assert metrics["jacobian_max_error"] < 1e-10
    assert metrics["softmax_jacobian_max_error"] < 1e-12
    lab_dir = tmp_path / "computational-graph"
    html = (lab_dir / "report.html").read_text()
    assert "Warnings" not in html
    names = {p.name for p in lab_dir.glob("*.png")}
    assert {"graph.png", "finite-differences.png", "gradient-field.png"} <= names


def test_computational_graph_without_graphviz(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_which = shutil.which
    monkeypatch.setattr(
        shutil, "which", lambda cmd, *a, **k: None if cmd == "dot" else real_which(cmd, *a, **k)
    )
    metrics = _metrics(tmp_path)
    assert metrics["df_dx"] == pytest.approx(17.0)
    lab_dir = tmp_path / "computational-graph"
    assert (lab_dir / "graph.png").exists() and not (lab_dir / "graph-graphviz.png").exists()
    assert "not installed" in (lab_dir / "report.html").read_text()


def test_parse_dot_reads_to_dot_structure() -> None:
    import numpy as np

    import nnlab

    x = nnlab.tensor(np.array(1.0), requires_grad=True)
    y = nnlab.tensor(np.array(2.0), requires_grad=True)
    out = x * y + x
    graph = parse_dot(to_dot(out, {"x": x, "y": y, "f": out}))
    labels = sorted(label.split("\n")[0] for *_, label in graph.nodes.values())
    assert labels == ["Mul", "f = Add", "x", "y"]
    assert len(graph.edges) == 4
    with pytest.raises(ValueError, match="undeclared"):
        parse_dot("digraph g {\n  t1 -> t2;\n}")
