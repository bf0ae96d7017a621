"""The workbook as a Jupyter notebook (nbformat 4), blank or with the solutions filled in.

Layout: the lab's text; the setup cell; per task a text cell, the code cell to fill (tagged
``nnlab: {"task": NAME}`` in its metadata) and a check cell; the steps (figures, training) that
use the student's functions; a final check of every task.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import nbformat
from nbformat.notebooknode import NotebookNode

from nnlab.atomic import atomic_writer
from nnlab.exercises.exercise import Exercise

KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}


def _code(source: str, **metadata: object) -> NotebookNode:
    return nbformat.v4.new_code_cell(source.rstrip("\n"), metadata=metadata)


def _text(source: str) -> NotebookNode:
    return nbformat.v4.new_markdown_cell(source.strip("\n"))


def build_notebook(exercise: Exercise, solution: bool = False) -> NotebookNode:
    """The notebook of ``exercise``: blank tasks, or (``solution``) the model answers."""
    how = (
        "This is the **solution** notebook: every task is filled in with the model answer."
        if solution
        else "Write each function where it says `raise NotImplementedError`, run its cell and "
        "the check cell below it (or `nnlab check THIS.ipynb` in a shell). The figures and the "
        "training further down run on your functions."
    )
    cells = [
        _text(f"# {exercise.title}\n\n{exercise.intro.strip()}\n\n{how}"),
        _code(exercise.setup_code, nnlab={"setup": True}),
    ]
    for number, task in enumerate(exercise.tasks, start=1):
        summary = re.sub(r"([_*\\`])", r"\\\1", task.summary)  # plain text in Markdown
        cells.append(_text(f"## Task {number}: `{task.name}`\n\n{summary}"))
        source = task.solution_source() if solution else task.stub_source()
        cells.append(_code(source, nnlab={"task": task.name}))
        cells.append(_code(f'check(LAB, globals(), "{task.name}")', nnlab={"check": task.name}))
    for step in exercise.steps:
        cells.append(_text(step.text))
        cells.append(_code(step.code))
    cells.append(_text("## Check every task"))
    cells.append(_code("check(LAB, globals())", nnlab={"check": "all"}))
    notebook = nbformat.v4.new_notebook(
        cells=cells,
        metadata={
            "kernelspec": KERNELSPEC,
            "language_info": {"name": "python"},
            "nnlab": {"lab": exercise.lab, "solution": solution},
        },
    )
    nbformat.validate(notebook)
    return notebook


def notebook_name(lab: str, solution: bool) -> str:
    """``LAB.ipynb``, or ``LAB-solution.ipynb`` for the solution."""
    return f"{lab}-solution.ipynb" if solution else f"{lab}.ipynb"


def write_notebook(
    exercise: Exercise,
    out_dir: str | os.PathLike[str],
    solution: bool = False,
    overwrite: bool = False,
) -> Path:
    """Write the notebook into ``out_dir`` atomically and return its path. An existing file is
    kept (``FileExistsError``) unless ``overwrite``: it may hold a student's work."""
    path = Path(out_dir) / notebook_name(exercise.lab, solution)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists (it may hold your work); use --force to replace it")
    text = nbformat.writes(build_notebook(exercise, solution))
    with atomic_writer(path) as f:
        f.write(text.encode("utf-8"))
    return path
