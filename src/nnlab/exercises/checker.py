"""The checker: each task of a lab run against its reference on hidden random cases.

``check(LAB, globals())`` in a notebook prints one line per task, PASS or FAIL; a failure shows
the smallest failing input, the expected and the obtained values, and a hint pointing to the
course's formula. :func:`run_checks` returns the same results as data (for the grader).

Each case is given to the reference and to the student's function as separate copies, so a
function that modifies its input in place cannot change the expected value.
"""

from __future__ import annotations

import copy
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

import numpy as np

from nnlab.exercises.task import Case, Task

N_CASES = 25


@dataclass(frozen=True)
class TaskResult:
    """The outcome of one task: ``passed``, and ``message`` (why it failed, or what passed)."""

    name: str
    passed: bool
    message: str

    def line(self) -> str:
        """The report's line(s) for this task."""
        status = "PASS" if self.passed else "FAIL"
        return f"{status} {self.name}: {self.message}"


def format_value(value: Any) -> str:
    """A short, readable rendering of an input or output (arrays abbreviated)."""
    if isinstance(value, np.ndarray):
        text = np.array2string(value, precision=6, threshold=24, edgeitems=3)
        return f"array(shape={value.shape}, dtype={value.dtype}) {text}"
    if isinstance(value, tuple | list):
        inner = ", ".join(format_value(v) for v in value)
        return f"({inner})" if isinstance(value, tuple) else f"[{inner}]"
    if isinstance(value, float | np.floating):
        return f"{float(value):.10g}"
    return repr(value)


def case_size(case: Case) -> int:
    """How big a case is (number of numbers in it): failures are reported smallest first."""
    return sum(int(np.size(v)) if not callable(v) else 1 for v in case.values())


def compare(expected: Any, obtained: Any, rtol: float, atol: float) -> str | None:
    """``None`` when ``obtained`` matches ``expected`` (same structure and shapes, values within
    ``np.allclose``'s tolerances, NaN and inf where expected); else the difference in words."""
    if isinstance(expected, tuple | list):
        if not isinstance(obtained, tuple | list) or len(obtained) != len(expected):
            return f"expected a tuple of {len(expected)} values, got {type(obtained).__name__}"
        for i, (e, o) in enumerate(zip(expected, obtained, strict=True)):
            problem = compare(e, o, rtol, atol)
            if problem is not None:
                return f"item {i}: {problem}"
        return None
    if obtained is None:
        return "the function returned None (a missing `return`?)"
    try:
        got = np.asarray(obtained, dtype=np.float64)
    except (TypeError, ValueError):
        return f"expected a number or an array, got {type(obtained).__name__}"
    want = np.asarray(expected, dtype=np.float64)
    if got.shape != want.shape:
        return f"expected shape {want.shape}, got shape {got.shape}"
    if not np.allclose(got, want, rtol=rtol, atol=atol, equal_nan=True):
        return "values differ"
    return None


def check_task(task: Task, candidate: Any, rng: np.random.Generator) -> TaskResult:
    """Run ``candidate`` (the student's function or class) on the task's hidden cases."""
    if candidate is None:
        return TaskResult(
            task.name, False, f"{task.name} is not defined: run its cell (was it deleted?)"
        )
    try:
        function = task.adapter(candidate) if task.adapter is not None else candidate
    except Exception as exc:  # the student's class may be anything
        return TaskResult(task.name, False, f"cannot use {task.name}: {exc}")
    if not callable(function):
        return TaskResult(task.name, False, f"{task.name} is not a function")
    cases = sorted(task.cases(rng), key=case_size)[:N_CASES]
    for case in cases:
        expected = task.reference(**copy.deepcopy(case))
        try:
            obtained = function(**copy.deepcopy(case))
        except NotImplementedError:
            return TaskResult(task.name, False, "not implemented yet (the body still raises)")
        except Exception as exc:  # the student's error, reported with the input
            problem = f"raised {type(exc).__name__}: {exc}"
            return _failure(task, case, expected, problem, None)
        difference = compare(expected, obtained, task.rtol, task.atol)
        if difference is not None:
            return _failure(task, case, expected, difference, obtained)
    return TaskResult(task.name, True, f"{len(cases)} hidden cases")


def _failure(task: Task, case: Case, expected: Any, problem: str, obtained: Any) -> TaskResult:
    lines = [problem, "  smallest failing input:"]
    lines += [f"    {name} = {format_value(value)}" for name, value in case.items()]
    lines.append(f"  expected: {format_value(expected)}")
    if obtained is not None:
        lines.append(f"  obtained: {format_value(obtained)}")
    lines.append(f"  hint: {task.hint}")
    return TaskResult(task.name, False, "\n".join(lines))


def run_checks(
    tasks: Sequence[Task],
    namespace: Mapping[str, Any],
    names: Sequence[str] = (),
    seed: int | None = None,
) -> list[TaskResult]:
    """Check the tasks named in ``names`` (all when empty) against ``namespace`` (the notebook's
    ``globals()``); a fresh random seed each call unless ``seed`` is given."""
    known = {task.name: task for task in tasks}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ValueError(f"no task named {', '.join(unknown)}; tasks: {', '.join(known)}")
    chosen = [known[name] for name in names] if names else list(tasks)
    rng = np.random.default_rng(seed)
    return [check_task(task, namespace.get(task.name), rng) for task in chosen]


def report(results: Sequence[TaskResult], stream: TextIO) -> None:
    """Print one block per task and the score."""
    for result in results:
        stream.write(result.line() + "\n")
    passed = sum(result.passed for result in results)
    stream.write(f"{passed}/{len(results)} task(s) pass\n")


def check(
    lab: str,
    namespace: Mapping[str, Any],
    *names: str,
    seed: int | None = None,
    stream: TextIO | None = None,
) -> None:
    """The notebook's check cell: ``check("monty-hall", globals())`` checks every task of the lab,
    ``check("monty-hall", globals(), "posterior_from_joint")`` one of them. Prints the report."""
    from nnlab.exercises.exercise import get_exercise

    results = run_checks(get_exercise(lab).tasks, namespace, names, seed)
    report(results, stream if stream is not None else sys.stdout)
