"""The workbooks as Jupyter runs them (nbclient with an ipykernel): every solution notebook runs
top to bottom with full marks, every blank one with score 0, a clear message per task and no
error but the blanks' NotImplementedError. All labs run under ``-m slow``; the default run
executes one lab here (and monty-hall, random-variables through the grader and `nnlab check`)."""

from __future__ import annotations

import re

import nbformat
import pytest
from nbclient import NotebookClient

from nnlab.exercises import get_exercise, lab_ids
from nnlab.exercises.notebook import build_notebook

QUICK_LAB = "computational-graph"  # the engine's Function subclasses: the most distinct workbook
LABS = [pytest.param(lab, marks=() if lab == QUICK_LAB else pytest.mark.slow) for lab in lab_ids()]


def execute(notebook: nbformat.NotebookNode) -> tuple[list[tuple[str, str]], str]:
    """Run all cells (errors do not stop the run); the errors (name, value) and the text of the
    final check cell."""
    NotebookClient(notebook, timeout=120, kernel_name="python3", allow_errors=True).execute()
    errors = [
        (out.ename, out.evalue)
        for cell in notebook.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if out.output_type == "error"
    ]
    final = notebook.cells[-1]
    assert final.metadata["nnlab"] == {"check": "all"}
    text = "".join(out.get("text", "") for out in final.outputs if out.output_type == "stream")
    return errors, text


@pytest.mark.parametrize("lab", lab_ids())
def test_notebook_layout(lab: str) -> None:
    exercise = get_exercise(lab)
    for solution in (False, True):
        notebook = build_notebook(exercise, solution)
        nbformat.validate(notebook)
        assert notebook.metadata["nnlab"] == {"lab": lab, "solution": solution}
        task_cells = [c for c in notebook.cells if "task" in c.metadata.get("nnlab", {})]
        assert [c.metadata["nnlab"]["task"] for c in task_cells] == [t.name for t in exercise.tasks]
        blanks = sum("raise NotImplementedError" in c.source for c in task_cells)
        assert blanks == (0 if solution else len(exercise.tasks))
        assert notebook.cells[0].source.startswith(f"# {exercise.title}")


@pytest.mark.parametrize("lab", LABS)
def test_solution_notebook_runs_with_full_marks(lab: str) -> None:
    n_tasks = len(get_exercise(lab).tasks)
    errors, final = execute(build_notebook(get_exercise(lab), solution=True))
    assert errors == []
    assert final.count("PASS ") == n_tasks and f"{n_tasks}/{n_tasks} task(s) pass" in final


@pytest.mark.parametrize("lab", LABS)
def test_blank_notebook_scores_zero_with_a_message_per_task(lab: str) -> None:
    tasks = get_exercise(lab).tasks
    errors, final = execute(build_notebook(get_exercise(lab), solution=False))
    assert errors, "the steps using the blanks should raise"
    assert {name for name, _ in errors} == {"NotImplementedError"}
    for task in tasks:
        assert re.search(rf"FAIL {task.name}: not implemented yet", final), final
    assert f"0/{len(tasks)} task(s) pass" in final
