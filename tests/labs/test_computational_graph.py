"""The computational-graph lab in quick mode: backward = analytic = finite differences; the graph
is drawn with and without Graphviz."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from nnlab.labs import get_lab
from nnlab.labs._graph_plot import plot_graph
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


def test_fallback_drawing_lays_out_the_engine_graph() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    import nnlab

    x = nnlab.tensor(np.array(1.0), requires_grad=True)
    y = nnlab.tensor(np.array(2.0), requires_grad=True)
    out = x * y + x
    fig, ax = plt.subplots()
    plot_graph(ax, out, {"x": x, "y": y, "f": out})
    texts = sorted(t.get_text().split("\n")[0] for t in ax.texts if t.get_text())
    assert texts == ["Mul", "f = Add", "x", "y"]
    assert len([t for t in ax.texts if not t.get_text()]) == 4  # one arrow per edge
    plt.close(fig)
