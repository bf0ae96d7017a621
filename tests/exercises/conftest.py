"""Helpers for the exercise tests: notebooks built in memory and variants of them."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from nnlab.exercises import get_exercise
from nnlab.exercises.notebook import build_notebook


def write(notebook: nbformat.NotebookNode, path: Path) -> Path:
    path.write_text(nbformat.writes(notebook), encoding="utf-8")
    return path


def with_cell(notebook: nbformat.NotebookNode, source: str, at: int = 2) -> nbformat.NotebookNode:
    """A copy of ``notebook`` with a code cell inserted at position ``at``."""
    copy = nbformat.from_dict(notebook)
    copy.cells.insert(at, nbformat.v4.new_code_cell(source))
    return copy


@pytest.fixture(autouse=True)
def _grading_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")  # kernels on shared cores: no spinning threads


@pytest.fixture
def monty_solution() -> nbformat.NotebookNode:
    return build_notebook(get_exercise("monty-hall"), solution=True)


@pytest.fixture
def monty_blank() -> nbformat.NotebookNode:
    return build_notebook(get_exercise("monty-hall"), solution=False)
