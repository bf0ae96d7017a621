"""The checker on every lab's tasks, without Jupyter: the model answers pass, the blanks fail as
"not implemented", and wrong, hard-coded or slightly-off answers fail with the smallest failing
input, the expected and obtained values and a hint."""

from __future__ import annotations

import copy
import io
from typing import Any

import numpy as np
import pytest

from nnlab.autograd import Function
from nnlab.exercises import check, get_exercise, lab_ids, run_checks
from nnlab.exercises.checker import case_size, check_task, compare
from nnlab.exercises.exercise import PREAMBLE
from nnlab.exercises.task import Task
from nnlab.labs.registry import LABS

ALL_TASKS = [(lab, task) for lab in lab_ids() for task in get_exercise(lab).tasks]
TASK_IDS = [f"{lab}:{task.name}" for lab, task in ALL_TASKS]


def namespace_of(sources: list[str]) -> dict[str, Any]:
    """Run the notebook's preamble and the given cells, as the kernel would."""
    namespace: dict[str, Any] = {}
    exec(PREAMBLE.format(lab="x"), namespace)
    exec("from nnlab.autograd import Function, tensor", namespace)
    for source in sources:
        exec(compile(source, "<cell>", "exec"), namespace)
    return namespace


def test_every_lab_has_an_exercise_with_2_to_5_tasks() -> None:
    assert lab_ids() == [spec.id for spec in LABS]
    for lab in lab_ids():
        exercise = get_exercise(lab)
        assert exercise.lab == lab and 2 <= len(exercise.tasks) <= 5
        for task in exercise.tasks:
            assert "=" in (task.solution.__doc__ or ""), f"{task.name}: docstring states no formula"
            assert task.hint


@pytest.mark.parametrize("lab", lab_ids())
def test_model_answers_pass_from_their_notebook_source(lab: str) -> None:
    exercise = get_exercise(lab)
    namespace = namespace_of([task.solution_source() for task in exercise.tasks])
    for seed in (0, 1, 2):
        results = run_checks(exercise.tasks, namespace, seed=seed)
        assert all(r.passed for r in results), [r.line() for r in results if not r.passed]


@pytest.mark.parametrize("lab", lab_ids())
def test_blanks_fail_as_not_implemented(lab: str) -> None:
    exercise = get_exercise(lab)
    stubs = [task.stub_source() for task in exercise.tasks]
    for task, stub in zip(exercise.tasks, stubs, strict=True):
        assert "raise NotImplementedError" in stub
        assert (task.solution.__doc__ or "").splitlines()[0] in stub  # the docstring is kept
        assert stub.splitlines()[0] == task.solution_source().splitlines()[0]
    results = run_checks(exercise.tasks, namespace_of(stubs), seed=0)
    assert [r.passed for r in results] == [False] * len(exercise.tasks)
    assert all("not implemented yet" in r.message for r in results)


def _perturbed(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return type(value)(_perturbed(v) for v in value)
    return np.asarray(value, dtype=float) * 1.001 + 1e-3


@pytest.mark.parametrize(("lab", "task"), ALL_TASKS, ids=TASK_IDS)
def test_wrong_answers_fail_with_input_expected_obtained_and_hint(lab: str, task: Task) -> None:
    rng = np.random.default_rng(7)
    if task.adapter is not None:
        base = task.solution

        class Doubled(base):  # type: ignore[valid-type, misc]
            def backward(self, g: np.ndarray) -> tuple[np.ndarray, ...]:
                return tuple(2 * grad for grad in super().backward(g))

        result = check_task(task, Doubled, rng)
        assert not result.passed and "values differ" in result.message
        assert "expected:" in result.message and "hint:" in result.message
        return
    first = min(task.cases(np.random.default_rng(3)), key=case_size)
    constant_answer = task.reference(**copy.deepcopy(first))  # right on one case only

    def hard_coded(**_: Any) -> Any:
        return constant_answer

    def slightly_off(**kwargs: Any) -> Any:
        return _perturbed(task.solution(**kwargs))

    for wrong in (hard_coded, slightly_off):
        result = check_task(task, wrong, rng)
        assert not result.passed, wrong.__name__
        for part in ("smallest failing input:", "expected:", "hint:"):
            assert part in result.message, (wrong.__name__, result.message)


def test_the_smallest_failing_case_is_reported() -> None:
    task = get_exercise("random-variables").tasks[0]  # expectation(values, probs)

    def wrong_when_long(values: np.ndarray, probs: np.ndarray) -> float:
        return float(values @ probs) + (1.0 if values.size > 4 else 0.0)

    cases = list(task.cases(np.random.default_rng(5)))
    smallest = min(c["values"].size for c in cases if c["values"].size > 4)
    result = check_task(task, wrong_when_long, np.random.default_rng(5))
    assert not result.passed
    assert f"values = array(shape=({smallest},)" in result.message
    assert "obtained:" in result.message and "E[X] = Σ x p(x)" in result.message


def test_a_function_modifying_its_input_cannot_change_the_expected_value() -> None:
    task = get_exercise("random-variables").tasks[0]

    def sneaky(values: np.ndarray, probs: np.ndarray) -> float:
        answer = float(values @ probs)
        values[:] = 0.0
        probs[:] = 0.0
        return answer

    assert check_task(task, sneaky, np.random.default_rng(0)).passed


def test_errors_none_and_missing_functions_are_reported() -> None:
    task = get_exercise("monty-hall").tasks[1]  # posterior_from_joint

    def raises(joint: np.ndarray, opened: int) -> np.ndarray:
        raise ValueError("oops")

    def returns_none(joint: np.ndarray, opened: int) -> None:
        return None

    rng = np.random.default_rng(0)
    assert "raised ValueError: oops" in check_task(task, raises, rng).message
    assert "returned None" in check_task(task, returns_none, rng).message
    assert "is not defined" in check_task(task, None, rng).message
    assert "is not a function" in check_task(task, 42, rng).message
    graph = get_exercise("computational-graph").tasks[1]  # Multiply
    assert "nnlab.autograd.Function" in check_task(graph, lambda a, b: a * b, rng).message


def test_compare() -> None:
    assert compare(1.0, 1.0 + 1e-12, 1e-6, 1e-9) is None
    assert (
        compare(np.ones(3), np.ones((3, 1)), 1e-6, 1e-9) == "expected shape (3,), got shape (3, 1)"
    )
    assert compare((1.0, 2.0), (1.0,), 1e-6, 1e-9) == "expected a tuple of 2 values, got tuple"
    assert compare((1.0, 2.0), (1.0, 2.5), 1e-6, 1e-9) == "item 1: values differ"
    assert compare(float("inf"), np.inf, 1e-6, 1e-9) is None
    assert "a number or an array" in (compare(1.0, "one", 1e-6, 1e-9) or "")


def test_check_prints_a_report_and_names_unknown_tasks() -> None:
    exercise = get_exercise("kl-cross-entropy")
    namespace = {task.name: task.solution for task in exercise.tasks}
    out = io.StringIO()
    check("kl-cross-entropy", namespace, "entropy", stream=out)
    assert out.getvalue().startswith("PASS entropy:") and "1/1 task(s) pass" in out.getvalue()
    with pytest.raises(ValueError, match="no task named nope"):
        check("kl-cross-entropy", namespace, "nope", stream=out)
    with pytest.raises(ValueError, match="unknown lab"):
        get_exercise("nope")


def test_engine_tasks_accept_only_function_subclasses() -> None:
    task = get_exercise("computational-graph").tasks[2]  # Exponential
    assert issubclass(task.solution, Function)
    assert check_task(task, task.solution, np.random.default_rng(0)).passed
