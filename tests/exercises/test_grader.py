"""The grader on a class folder: good, blank, endless, crashing, memory-hogging, corrupt,
non-notebook and cells-deleted notebooks each give one row, the bad ones score 0 with a reason."""

from __future__ import annotations

import csv
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from nnlab.cli import main
from nnlab.exercises import sandbox
from nnlab.exercises._landlock import landlock_abi
from nnlab.exercises.grader import grade_folder
from nnlab.exercises.sandbox import Limits, defined_names

from .conftest import with_cell, write


def test_defined_names_reads_defs_and_classes_even_in_broken_cells() -> None:
    names = defined_names(["def f(x):\n    return x\nclass G:\n    pass", "def h(:\n  oops"])
    assert names == {"f", "G", "h"}


@pytest.fixture
def class_folder(
    tmp_path: Path, monty_solution: nbformat.NotebookNode, monty_blank: nbformat.NotebookNode
) -> Path:
    folder = tmp_path / "submissions"
    folder.mkdir()
    outside = tmp_path / "escape.txt"
    writes = (  # in its own temporary folder; outside it, refused where Linux has Landlock
        "import os\nopen('written.txt', 'w').write(os.getcwd())\n"
        f"try:\n    open({str(outside)!r}, 'w').write('escaped')\nexcept PermissionError:\n    pass"
    )
    write(with_cell(monty_solution, writes), folder / "alice.ipynb")
    write(monty_blank, folder / "bob.ipynb")
    write(with_cell(monty_solution, "while True:\n    pass"), folder / "carol.ipynb")
    write(with_cell(monty_solution, "import os\nos._exit(3)"), folder / "dave.ipynb")
    hog = "import numpy as np\nbig = np.ones((2**31,))\nbig += 1"
    write(with_cell(monty_solution, hog), folder / "erin.ipynb")
    (folder / "frank.ipynb").write_text('{"cells": [ {"cell_type": "code", "sour')
    (folder / "grace.pdf").write_bytes(b"%PDF-1.4 not a notebook")
    deleted = nbformat.from_dict(monty_solution)
    deleted.cells = [c for c in deleted.cells if "task" not in c.metadata.get("nnlab", {})]
    write(deleted, folder / "heidi.ipynb")
    return folder


def test_class_folder_one_row_each_with_reasons(class_folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "grades.csv"
    status = main(
        [
            "grade",
            str(class_folder),
            "--lab",
            "monty-hall",
            "--out",
            str(out),
            "--timeout",
            "12",
            "--memory",
            "2048",
            "--jobs",
            "4",
        ]
    )
    assert status == 0
    rows = {row["student"]: row for row in csv.DictReader(out.open(encoding="utf-8"))}
    assert set(rows) == {"alice", "bob", "carol", "dave", "erin", "frank", "grace.pdf", "heidi"}
    assert rows["alice"]["score"] == "3" and rows["alice"]["max"] == "3"
    assert rows["alice"]["reason"] == ""
    assert rows["alice"]["posterior_from_joint"] == "PASS"
    assert rows["bob"]["score"] == "0" and rows["bob"]["reason"] == ""
    assert "not implemented" in rows["bob"]["posterior_from_joint"]
    reasons = {
        "carol": "timed out",
        "dave": "kernel died",
        "erin": "memory",
        "frank": "not a readable Jupyter notebook",
        "grace.pdf": "not a notebook",
        "heidi": "task cells deleted",
    }
    for student, words in reasons.items():
        assert rows[student]["score"] == "0", student
        assert words in rows[student]["reason"], (student, rows[student]["reason"])
        assert rows[student]["monty_hall_table"].startswith("FAIL: not graded"), student
    assert not (class_folder / "written.txt").exists() and not Path("written.txt").exists()
    assert (tmp_path / "escape.txt").exists() == (landlock_abi() == 0)
    feedback = (tmp_path / "feedback" / "alice.md").read_text(encoding="utf-8")
    assert "Score: 3 / 3" in feedback and "PASS" in feedback
    assert "timed out" in (tmp_path / "feedback" / "carol.md").read_text(encoding="utf-8")


@pytest.mark.slow
def test_one_broken_task_costs_only_that_task(
    tmp_path: Path, monty_solution: nbformat.NotebookNode
) -> None:
    wrong = "def p_win_switching(doors):\n    return 2 / 3"  # the 3-door answer, hard-coded
    notebook = nbformat.from_dict(monty_solution)
    notebook.cells.insert(len(notebook.cells) - 2, nbformat.v4.new_code_cell(wrong))
    write(notebook, tmp_path / "ivan.ipynb")
    (grade,) = grade_folder(tmp_path, "monty-hall", Limits(timeout_s=60, memory_mb=2048))
    assert grade.score == 2 and grade.reason == ""
    passed, message = grade.results["p_win_switching"]
    assert not passed
    assert "doors = 4" in message and "expected: 0.375" in message and "obtained: 0.666" in message
    assert "hint:" in message


def test_grade_rejects_unknown_lab_and_missing_folder(tmp_path: Path) -> None:
    out = str(tmp_path / "g.csv")
    assert main(["grade", str(tmp_path), "--lab", "no-such-lab", "--out", out]) == 2
    assert main(["grade", str(tmp_path / "absent"), "--lab", "monty-hall", "--out", out]) == 2


def test_the_hard_time_limit_kills_the_worker_and_its_kernel(
    tmp_path: Path, monty_solution: nbformat.NotebookNode, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sandbox, "STARTUP_S", 0.0)
    monkeypatch.setattr(sandbox, "GRADING_S", 0.0)
    path = write(monty_solution, tmp_path / "slow.ipynb")
    start = time.monotonic()
    outcome = sandbox.run_notebook(path, "monty-hall", Limits(timeout_s=1.0))
    assert time.monotonic() - start < 20
    assert (
        outcome.tasks == ()
        and outcome.error
        == "timed out: killed after 1 s (an endless loop that ignored the interrupt?)"
    )


@pytest.mark.slow
def test_the_hard_limit_kills_a_running_kernel(
    tmp_path: Path, monty_solution: nbformat.NotebookNode, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The kernel runs in a session of its own: it is found under the worker and killed too."""
    monkeypatch.setattr(sandbox, "STARTUP_S", 0.0)
    monkeypatch.setattr(sandbox, "GRADING_S", 0.0)
    found: list[int] = []
    leaders = sandbox._session_leaders_under

    def recording(parent: int) -> list[int]:
        found.extend(leaders(parent))
        return found

    monkeypatch.setattr(sandbox, "_session_leaders_under", recording)
    stubborn = "while True:\n    try:\n        pass\n    except KeyboardInterrupt:\n        pass"
    path = write(with_cell(monty_solution, stubborn), tmp_path / "stubborn.ipynb")
    outcome = sandbox.run_notebook(path, "monty-hall", Limits(timeout_s=20.0))
    assert outcome.error is not None and outcome.error.startswith("timed out: killed after 20 s")
    assert found, "the kernel should have been running"
    time.sleep(1.0)
    for pid in found:
        stat = Path(f"/proc/{pid}/stat")
        assert not stat.exists() or stat.read_text().split(") ")[1][0] == "Z", pid


def test_limits_are_checked_and_only_ever_lowered() -> None:
    with pytest.raises(ValueError, match="timeout must be > 0"):
        Limits(timeout_s=0)
    with pytest.raises(ValueError, match="memory limit must be >= 512 MB"):
        Limits(memory_mb=100)
    script = (
        "import resource\n"
        "from nnlab.exercises.sandbox import _lower_limit\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (2**20, 2**21))\n"
        "_lower_limit(resource.RLIMIT_FSIZE, 2**30, 2**30)\n"
        "print(resource.getrlimit(resource.RLIMIT_FSIZE))"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.stdout.strip() == f"({2**20}, {2**21})", result.stderr


def test_a_worker_killed_by_its_cpu_limit_takes_its_kernel_along() -> None:
    """SIGXCPU (the CPU-time side of the hard limit) kills the worker alone: the kernel it
    started in a session of its own is found while the worker runs and killed after it."""
    script = (
        "import os, signal, subprocess, sys, time\n"
        "kernel = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'],"
        " start_new_session=True)\n"
        "print(kernel.pid, flush=True)\n"
        "time.sleep(0.5)\n"
        "os.kill(os.getpid(), signal.SIGXCPU)\n"
    )
    worker = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE)
    assert sandbox._wait(worker, 20.0)  # type: ignore[arg-type]
    assert worker.returncode == -signal.SIGXCPU
    assert worker.stdout is not None
    kernel = int(worker.stdout.read())
    time.sleep(0.5)
    stat = Path(f"/proc/{kernel}/stat")
    assert not stat.exists() or stat.read_text().split(") ")[1][0] == "Z", kernel
