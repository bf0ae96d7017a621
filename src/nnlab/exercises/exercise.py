"""One :class:`Exercise` per practical work: the notebook's text, its setup, its tasks and the
steps (figures, training) that run on the student's functions once they are written.

The exercise of lab ``monty-hall`` is ``EXERCISE`` in :mod:`nnlab.exercises.labs.monty_hall`,
imported on first use by :func:`get_exercise`.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from nnlab.exercises.task import Task
from nnlab.labs.registry import LABS, get_lab

PREAMBLE = """\
from collections.abc import Callable

import numpy as np
import matplotlib.pyplot as plt
from nnlab.exercises import check

LAB = {lab!r}
rng = np.random.default_rng(0)
"""


@dataclass(frozen=True)
class Step:
    """A part of the notebook after the tasks: a text cell, then a code cell that uses the
    student's functions (a figure, a training run, a comparison with the library)."""

    text: str
    code: str


@dataclass(frozen=True)
class Exercise:
    """A lab as a workbook: ``intro`` (markdown: the course's text and formulas), ``setup`` (code
    run after the common imports: data, constants), ``tasks`` (2 to 5), ``steps``."""

    lab: str
    intro: str
    setup: str
    tasks: tuple[Task, ...]
    steps: tuple[Step, ...]

    def __post_init__(self) -> None:
        get_lab(self.lab)  # a known lab id, or ValueError listing them
        if not 2 <= len(self.tasks) <= 5:
            raise ValueError(f"exercise {self.lab}: {len(self.tasks)} tasks, expected 2 to 5")
        names = [task.name for task in self.tasks]
        if len(set(names)) != len(names):
            raise ValueError(f"exercise {self.lab}: repeated task names {names}")

    @property
    def title(self) -> str:
        return get_lab(self.lab).title

    @property
    def setup_code(self) -> str:
        """The notebook's first code cell: the common imports, then the lab's setup."""
        return PREAMBLE.format(lab=self.lab) + ("\n" + self.setup if self.setup else "")


def module_name(lab: str) -> str:
    """The module holding lab ``lab``'s ``EXERCISE``."""
    return "nnlab.exercises.labs." + lab.replace("-", "_")


def get_exercise(lab: str) -> Exercise:
    """The exercise of lab ``lab`` (``ValueError`` listing the labs for an unknown id)."""
    get_lab(lab)
    exercise = importlib.import_module(module_name(lab)).EXERCISE
    assert isinstance(exercise, Exercise)
    return exercise


def lab_ids() -> list[str]:
    """Every lab's id, in the course's order (each has an exercise)."""
    return [spec.id for spec in LABS]
