"""The teacher's gradebook: every notebook of a folder run and checked, one CSV row per student.

``nnlab grade DIR --lab LAB --out grades.csv [--timeout S] [--memory MB]`` grades each file of
``DIR`` (hidden files skipped) in its own limited process (:mod:`nnlab.exercises.sandbox`). The
score is the number of tasks passed; a notebook that cannot be graded (not a notebook, corrupt,
an endless loop, a crash, over the memory limit, its task cells deleted) scores 0 and its row
says why. Next to the CSV, ``feedback/STUDENT.md`` holds each student's full report.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from nnlab.atomic import atomic_writer
from nnlab.exercises.exercise import get_exercise
from nnlab.exercises.sandbox import Limits, Outcome, run_notebook


@dataclass(frozen=True)
class Grade:
    """One student's row: ``student`` (the file's name without ``.ipynb``), ``file``, ``score``
    out of ``max_score``, ``results`` per task (name -> (passed, message)), ``reason`` when the
    notebook could not be graded, and the notebook's own ``cell_errors``."""

    student: str
    file: str
    score: int
    max_score: int
    results: dict[str, tuple[bool, str]]
    reason: str = ""
    cell_errors: tuple[str, ...] = ()


def grade_file(path: Path, lab: str, limits: Limits) -> Grade:
    """Grade one file; anything wrong with it becomes the row's reason, never an exception."""
    tasks = [task.name for task in get_exercise(lab).tasks]
    student = path.name[: -len(".ipynb")] if path.name.endswith(".ipynb") else path.name
    if path.suffix != ".ipynb":
        outcome = Outcome((), f"not a notebook: {path.name} is not an .ipynb file")
    else:
        outcome = run_notebook(path, lab, limits)
    results = {name: (passed, message) for name, passed, message in outcome.tasks}
    if outcome.error is None and set(results) != set(tasks):
        outcome = Outcome((), "the checker did not report every task", outcome.cell_errors)
    if outcome.error is not None:
        results = {name: (False, "not graded: " + outcome.error) for name in tasks}
    score = sum(passed for passed, _ in results.values())
    return Grade(
        student, path.name, score, len(tasks), results, outcome.error or "", outcome.cell_errors
    )


def grade_folder(
    folder: str | os.PathLike[str],
    lab: str,
    limits: Limits | None = None,
    progress: Callable[[Grade], None] | None = None,
    jobs: int = 1,
) -> list[Grade]:
    """Grade every regular, non-hidden file in ``folder``; rows in name order. ``jobs``
    notebooks run at the same time (each in its own process, with its own limits)."""
    root = Path(folder)
    if not root.is_dir():
        raise NotADirectoryError(f"{root} is not a folder of notebooks")
    get_exercise(lab)  # an unknown lab fails here, before any notebook runs
    limits = limits if limits is not None else Limits()
    if jobs < 1:
        raise ValueError(f"jobs must be >= 1, got {jobs}")
    paths = [p for p in sorted(root.iterdir()) if not p.name.startswith(".") and p.is_file()]

    def grade(path: Path) -> Grade:
        result = grade_file(path, lab, limits)
        if progress is not None:
            progress(result)
        return result

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(grade, paths))


def _first_line(message: str) -> str:
    return message.splitlines()[0] if message else ""


def gradebook_csv(grades: list[Grade], lab: str) -> str:
    """The CSV text: student, file, score, max, reason, then one column per task."""
    tasks = [task.name for task in get_exercise(lab).tasks]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["student", "file", "score", "max", "reason", *tasks])
    for g in grades:
        cells = [
            "PASS" if g.results[name][0] else "FAIL: " + _first_line(g.results[name][1])
            for name in tasks
        ]
        writer.writerow([g.student, g.file, g.score, g.max_score, g.reason, *cells])
    return out.getvalue()


def feedback_markdown(grade: Grade, lab: str) -> str:
    """One student's report: score, reason, every task's full message, the cells' errors."""
    lines = [f"# {get_exercise(lab).title}: {grade.student}", ""]
    lines.append(f"**Score: {grade.score} / {grade.max_score}**")
    if grade.reason:
        lines += ["", f"Not graded: {grade.reason}"]
    lines += ["", "## Tasks", ""]
    for name, (passed, message) in grade.results.items():
        lines.append(f"### {name}: {'PASS' if passed else 'FAIL'}")
        lines += ["", "```", message, "```", ""]
    if grade.cell_errors:
        lines += ["## Errors in the notebook's cells", ""]
        lines += [f"- {line}" for line in grade.cell_errors]
    return "\n".join(lines) + "\n"


def write_gradebook(grades: list[Grade], lab: str, out: str | os.PathLike[str]) -> Path:
    """Write the CSV at ``out`` and ``feedback/STUDENT.md`` beside it (atomically); returns the
    feedback folder."""
    out_path = Path(out)
    with atomic_writer(out_path) as f:
        f.write(gradebook_csv(grades, lab).encode("utf-8"))
    feedback = out_path.parent / "feedback"
    for grade in grades:
        with atomic_writer(feedback / f"{grade.student}.md") as f:
            f.write(feedback_markdown(grade, lab).encode("utf-8"))
    return feedback
