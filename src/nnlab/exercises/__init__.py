"""The practical works as exercises: student workbooks in Jupyter, the checker, the grader.

- ``nnlab exercise LAB [--out DIR] [--solution]`` writes the lab's notebook (:mod:`.notebook`);
- ``check(LAB, globals())`` in the notebook, or ``nnlab check NOTEBOOK``, runs each task against
  the library's reference on hidden random cases (:mod:`.checker`);
- ``nnlab grade DIR --lab LAB --out grades.csv`` runs every student's notebook in its own limited
  process and writes the gradebook and a feedback file per student (:mod:`.grader`,
  :mod:`.sandbox`).
"""

from nnlab.exercises.checker import TaskResult, check, run_checks
from nnlab.exercises.exercise import Exercise, Step, get_exercise, lab_ids
from nnlab.exercises.task import Task

__all__ = [
    "Exercise",
    "Step",
    "Task",
    "TaskResult",
    "check",
    "get_exercise",
    "lab_ids",
    "run_checks",
]
