"""`nnlab exercise` and `nnlab check`: files written, refusals, exit statuses."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from nnlab.cli import main
from nnlab.exercises import lab_ids, sandbox
from nnlab.exercises.sandbox import Outcome


def test_exercise_all_writes_every_lab_blank_and_solution(tmp_path: Path) -> None:
    assert main(["exercise", "all", "--out", str(tmp_path)]) == 0
    assert main(["exercise", "all", "--out", str(tmp_path), "--solution"]) == 0
    for lab in lab_ids():
        for name in (f"{lab}.ipynb", f"{lab}-solution.ipynb"):
            notebook = nbformat.read(tmp_path / name, as_version=4)
            nbformat.validate(notebook)
            assert notebook.metadata["nnlab"]["lab"] == lab
    blank = (tmp_path / "monty-hall.ipynb").read_text(encoding="utf-8")
    assert "raise NotImplementedError" in blank
    assert "raise NotImplementedError" not in (tmp_path / "monty-hall-solution.ipynb").read_text(
        encoding="utf-8"
    )


def test_exercise_keeps_a_students_work_unless_forced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    work = tmp_path / "monty-hall.ipynb"
    work.write_text("my work")
    assert main(["exercise", "monty-hall", "--out", str(tmp_path)]) == 2
    assert "exists" in capsys.readouterr().err and work.read_text() == "my work"
    assert main(["exercise", "monty-hall", "--out", str(tmp_path), "--force"]) == 0
    assert json.loads(work.read_text())["nbformat"] == 4


def test_exercise_unknown_lab(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["exercise", "no-such-lab", "--out", str(tmp_path)]) == 2
    assert "unknown lab 'no-such-lab'" in capsys.readouterr().err


def test_check_exit_status_of_a_real_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["exercise", "random-variables", "--out", str(tmp_path), "--solution"]) == 0
    capsys.readouterr()
    assert main(["check", str(tmp_path / "random-variables-solution.ipynb")]) == 0
    assert "4/4 task(s) pass" in capsys.readouterr().out


@pytest.mark.slow
def test_check_exit_status_of_a_blank_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["exercise", "random-variables", "--out", str(tmp_path)]) == 0
    capsys.readouterr()
    assert main(["check", str(tmp_path / "random-variables.ipynb")]) == 1
    out = capsys.readouterr().out
    assert "FAIL expectation: not implemented yet" in out and "0/4 task(s) pass" in out


@pytest.mark.parametrize(
    ("outcome", "status", "shown"),
    [
        (Outcome((("a", True, "ok"), ("b", True, "ok"))), 0, "2/2 task(s) pass"),
        (Outcome((("a", True, "ok"), ("b", False, "values differ"))), 1, "FAIL b: values differ"),
        (Outcome((), "timed out: the cells ran past", ("cell 3: X: y",)), 1, "FAIL: timed out"),
    ],
)
def test_check_exit_status_follows_the_outcome(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    outcome: Outcome,
    status: int,
    shown: str,
) -> None:
    assert main(["exercise", "monty-hall", "--out", str(tmp_path)]) == 0
    monkeypatch.setattr(sandbox, "run_notebook", lambda *args, **kwargs: outcome)
    assert main(["check", str(tmp_path / "monty-hall.ipynb")]) == status
    assert shown in capsys.readouterr().out


def test_check_bad_inputs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(tmp_path / "absent.ipynb")]) == 2
    assert "no such notebook" in capsys.readouterr().err
    plain = tmp_path / "plain.ipynb"
    plain.write_text(json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    assert main(["check", str(plain)]) == 2
    assert "give --lab" in capsys.readouterr().err
    assert main(["check", str(plain), "--lab", "monty-hall"]) == 1
    assert "none of the task functions" in capsys.readouterr().out
