"""One student's notebook, executed in its own process with limits (untrusted code).

:func:`run_notebook` copies the notebook into a fresh temporary folder and starts this module as a
worker process there (``python -m nnlab.exercises.sandbox``), in a session of its own, with
resource limits inherited by the Jupyter kernel it starts:

- a time limit on running the notebook's cells (the kernel's start not counted), after which the
  notebook is stopped; a wall-clock limit (:meth:`Limits.hard_limit_s`) and a CPU-time limit
  (``RLIMIT_CPU``) behind it, after which the worker's and the kernel's process groups are
  killed;
- address space (``RLIMIT_AS``): a large allocation raises ``MemoryError`` or kills the kernel;
- the size of any file written (``RLIMIT_FSIZE``) and no core dumps;
- where Linux offers Landlock (kernel 5.13+), no file written, created or deleted outside the
  temporary folder (:mod:`nnlab.exercises._landlock`); elsewhere the folder is only the working
  directory, ``HOME`` and ``TMPDIR``.

The worker runs the notebook top to bottom with nbclient and an ipykernel (errors in cells do
not stop it), then a grading cell that checks every task on hidden cases and writes the results
as JSON. The working folder, ``HOME`` and ``TMPDIR`` are the temporary folder, removed afterwards.
These limits protect the grader and the other students' rows from mistakes (an endless loop, a
crash, a memory hog); they are not a security boundary against deliberately malicious code (for
that, run the grader inside a container or a VM).
"""

from __future__ import annotations

import ast
import contextlib
import json
import math
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nnlab.atomic import atomic_writer
from nnlab.exercises._landlock import confine_writes

MAX_NOTEBOOK_BYTES = 20 * 2**20
MAX_RESULT_BYTES = 2 * 2**20
_RESULTS = "results.json"
_NOTEBOOK = "notebook.ipynb"
GRADING_S = 30.0  # the grading cell's own time limit (the hidden cases)
STARTUP_S = 60.0  # allowance for starting Python and the kernel, on top of the cells' time limit
_KEPT_ENV = ("PATH", "PYTHONPATH", "NNLAB_DATA", "LANG", "LC_ALL", "VIRTUAL_ENV")


@dataclass(frozen=True)
class Limits:
    """Per-notebook limits: ``timeout_s`` to run all the cells (the kernel's start not counted),
    ``memory_mb`` of address space per process, ``file_mb`` per file written."""

    timeout_s: float = 120.0
    memory_mb: int = 3072
    file_mb: int = 64

    def __post_init__(self) -> None:
        if not self.timeout_s > 0:
            raise ValueError(f"timeout must be > 0 seconds, got {self.timeout_s}")
        if self.memory_mb < 512:
            raise ValueError(f"memory limit must be >= 512 MB, got {self.memory_mb}")

    @property
    def hard_limit_s(self) -> float:
        """The wall-clock (and CPU-time) limit of the whole worker: the cells' limit, plus the
        kernel's start and the grading cell's own time."""
        return self.timeout_s + STARTUP_S + GRADING_S


@dataclass(frozen=True)
class Outcome:
    """What running one notebook gave: ``tasks`` (name, passed, message) when it ran, else
    ``error``, the reason it could not be graded; ``cell_errors``: the notebook's own errors."""

    tasks: tuple[tuple[str, bool, str], ...]
    error: str | None = None
    cell_errors: tuple[str, ...] = ()


def _lower_limit(which: int, soft: int, hard: int) -> None:
    """Lower a resource limit to (soft, hard), never above the limit already in force; a limit
    the system does not support is left as it is."""
    current_soft, current_hard = resource.getrlimit(which)
    if current_hard != resource.RLIM_INFINITY:
        hard = min(hard, current_hard)
    if current_soft != resource.RLIM_INFINITY:
        soft = min(soft, current_soft)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(which, (min(soft, hard), hard))


def _preexec(limits: Limits, folder: Path) -> Callable[[], None]:
    def apply() -> None:
        cpu = int(limits.hard_limit_s)
        memory = limits.memory_mb * 2**20
        files = limits.file_mb * 2**20
        _lower_limit(resource.RLIMIT_CPU, cpu, cpu + 5)
        _lower_limit(resource.RLIMIT_AS, memory, memory)
        _lower_limit(resource.RLIMIT_FSIZE, files, files)
        _lower_limit(resource.RLIMIT_CORE, 0, 0)
        confine_writes(str(folder))

    return apply


def _environment(folder: Path) -> dict[str, str]:
    env = {key: os.environ[key] for key in _KEPT_ENV if key in os.environ}
    env.update(
        HOME=str(folder),
        TMPDIR=str(folder),
        IPYTHONDIR=str(folder / ".ipython"),
        JUPYTER_RUNTIME_DIR=str(folder / ".runtime"),
        MPLCONFIGDIR=str(folder / ".matplotlib"),
        MPLBACKEND="Agg",
        OPENBLAS_NUM_THREADS="1",
        OMP_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def _session_leaders_under(parent: int) -> list[int]:
    """The children of ``parent`` that lead their own process group (the kernel started by the
    worker), read from /proc; empty where there is no /proc. The processes are found by the
    kernel's own table, never from a file the student's code could have written."""
    leaders = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()  # after "pid (comm) ": state ppid pgrp ...
        pid = int(entry.name)
        if len(fields) > 2 and int(fields[1]) == parent and int(fields[2]) == pid:
            leaders.append(pid)
    return leaders


def _kill(process: subprocess.Popen[bytes]) -> None:
    """Kill the kernel's process group (it runs in a session of its own, with the processes it
    started), then the worker's."""
    for group in [*_session_leaders_under(process.pid), process.pid]:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(group, signal.SIGKILL)
    process.wait()


def run_notebook(path: str | os.PathLike[str], lab: str, limits: Limits | None = None) -> Outcome:
    """Execute the notebook at ``path`` in a limited worker process and check lab ``lab``'s
    tasks; never raises for anything in the notebook (the reason is in ``Outcome.error``)."""
    limits = limits if limits is not None else Limits()
    source = Path(path)
    try:
        size = source.stat().st_size
    except OSError as exc:
        return Outcome((), f"cannot read the file: {exc.strerror}")
    if size > MAX_NOTEBOOK_BYTES:
        return Outcome((), f"the file is too large ({size} bytes > {MAX_NOTEBOOK_BYTES})")
    with tempfile.TemporaryDirectory(prefix="nnlab-grade-") as tmp:
        folder = Path(tmp)
        try:
            shutil.copyfile(source, folder / _NOTEBOOK)
        except OSError as exc:
            return Outcome((), f"cannot read the file: {exc.strerror}")
        command = [sys.executable, "-m", "nnlab.exercises.sandbox", _NOTEBOOK, lab]
        command.append(str(limits.timeout_s))
        with open(folder / "worker.log", "wb") as log:
            try:
                process = subprocess.Popen(
                    command,
                    cwd=folder,
                    env=_environment(folder),
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                    preexec_fn=_preexec(limits, folder),
                )
            except (OSError, subprocess.SubprocessError) as exc:
                return Outcome((), f"could not start the grading process: {exc}")
            timed_out = (
                f"timed out: killed after {limits.hard_limit_s:g} s (an endless "
                "loop that ignored the interrupt?)"
            )
            if not _wait(process, limits.hard_limit_s):
                _kill(process)
                return Outcome((), timed_out)
            if process.returncode == -signal.SIGXCPU:  # the CPU-time side of the same limit
                return Outcome((), timed_out)
        return _read_outcome(folder, process.returncode)


def _wait(process: subprocess.Popen[bytes], limit_s: float) -> bool:
    """Wait up to ``limit_s`` for the worker; False if it is still running. While it runs, its
    kernel's process group is looked up every 0.1 s: a worker killed by a signal (its CPU-time
    limit) leaves the kernel orphaned, and that group is then killed here."""
    deadline = time.monotonic() + limit_s
    groups: list[int] = []
    while True:
        try:
            process.wait(timeout=max(0.0, min(0.1, deadline - time.monotonic())))
        except subprocess.TimeoutExpired:
            if time.monotonic() >= deadline:
                return False
            groups = _session_leaders_under(process.pid) or groups
            continue
        if process.returncode < 0:
            for group in groups:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(group, signal.SIGKILL)
        return True


def _read_outcome(folder: Path, returncode: int) -> Outcome:
    results = folder / _RESULTS
    if not results.exists() or results.stat().st_size > MAX_RESULT_BYTES:
        why = f"signal {-returncode}" if returncode < 0 else f"status {returncode}"
        log = (folder / "worker.log").read_bytes()[-300:].decode("utf-8", "replace").strip()
        last = log.splitlines()[-1] if log else "no output"
        return Outcome((), f"the grading process failed ({why}): {last}")
    try:
        data = json.loads(results.read_text(encoding="utf-8"))
        tasks = tuple(
            (str(name), bool(passed), str(message)) for name, passed, message in data["tasks"]
        )
        error = None if data["error"] is None else str(data["error"])
        cell_errors = tuple(str(line) for line in data["cell_errors"])
    except (ValueError, KeyError, TypeError) as exc:
        return Outcome((), f"unreadable grading results ({exc})")
    return Outcome(tasks, error, cell_errors)


# ---------------------------------------------------------------- the worker (inside the limits)

_GRADING_CELL = """\
from nnlab.exercises.sandbox import record_results as _nnlab_record_results
_nnlab_record_results({lab!r}, globals(), {marker!r})
"""


def record_results(lab: str, namespace: dict[str, Any], marker: str) -> None:
    """The grading cell (run in the kernel after the student's cells): check every task and
    write ``results.json`` for the worker, tagged with ``marker``."""
    from nnlab.exercises.checker import run_checks
    from nnlab.exercises.exercise import get_exercise

    results = run_checks(get_exercise(lab).tasks, namespace)
    data = {"marker": marker, "tasks": [[r.name, r.passed, r.message] for r in results]}
    with atomic_writer(_RESULTS + ".kernel") as f:
        f.write(json.dumps(data).encode("utf-8"))


def defined_names(sources: Sequence[str]) -> set[str]:
    """Names a ``def`` or ``class`` statement defines in the cells (a regex for cells that do
    not parse)."""
    names: set[str] = set()
    for source in sources:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            names.update(re.findall(r"^\s*(?:def|class)\s+(\w+)", source, re.MULTILINE))
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
    return names


def _where(cells: Sequence[Any], index: int) -> str:
    """A cell as a reader finds it: its number (from 1, text cells counted) and first line."""
    lines = str(cells[index].get("source", "")).strip().splitlines()
    first = lines[0][:60] if lines else ""
    return f"cell {index + 1} ({first!r})"


def _cell_errors(cells: Sequence[Any]) -> list[tuple[int, str, str]]:
    errors = []
    for index, cell in enumerate(cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                errors.append((index, str(output.get("ename")), str(output.get("evalue"))[:300]))
    return errors


def grade_in_worker(notebook_path: str, lab: str, timeout_s: float) -> dict[str, Any]:
    """Read, run and check the notebook (called inside the limited process)."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    from nnlab.exercises.exercise import get_exercise

    failed: dict[str, Any] = {"tasks": [], "cell_errors": []}
    try:
        notebook = nbformat.read(notebook_path, as_version=4)
        nbformat.validate(notebook)
    except Exception as exc:  # any parse or schema error of an untrusted file
        first = str(exc).strip().splitlines()[:1]
        return {
            **failed,
            "error": f"not a readable Jupyter notebook ({type(exc).__name__}: "
            f"{first[0] if first else ''})",
        }
    tasks = get_exercise(lab).tasks
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    defined = defined_names([cell.source for cell in code_cells])
    if not any(task.name in defined for task in tasks):
        names = ", ".join(task.name for task in tasks)
        return {
            **failed,
            "error": f"none of the task functions ({names}) is defined in the "
            "notebook: were the task cells deleted, or is it another lab's notebook?",
        }
    marker = os.urandom(8).hex()
    for cell in code_cells:
        cell.outputs = []
    notebook.cells.append(nbformat.v4.new_code_cell(_GRADING_CELL.format(lab=lab, marker=marker)))
    client = NotebookClient(
        notebook,
        timeout=1,  # set before each cell: the time left
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": os.getcwd()}},
    )
    index = 0
    try:
        with client.setup_kernel():
            deadline = time.monotonic() + timeout_s
            for index, cell in enumerate(notebook.cells):
                if index == len(notebook.cells) - 1:
                    deadline = max(deadline, time.monotonic() + GRADING_S)  # the checks' own time
                client.timeout = max(1, math.ceil(deadline - time.monotonic()))
                client.execute_cell(cell, index)
    except DeadKernelError:
        return {
            **failed,
            "error": f"the kernel died in {_where(notebook.cells, index)} (a crash, or the "
            "memory limit)",
        }
    except CellTimeoutError:
        if index == len(notebook.cells) - 1:
            why = f"checking your functions took over {GRADING_S:g} s (an endless loop in one?)"
        else:
            why = (
                f"the cells ran past the {timeout_s:g} s limit, in {_where(notebook.cells, index)} "
                "(an endless loop?)"
            )
        return {**failed, "error": "timed out: " + why}
    errors = _cell_errors(notebook.cells[:-1])
    cell_errors = [f"{_where(notebook.cells, i)}: {name}: {value}" for i, name, value in errors]
    for i, name, _value in errors:
        if name == "MemoryError":
            return {
                "tasks": [],
                "cell_errors": cell_errors,
                "error": f"{_where(notebook.cells, i)} ran out of memory (MemoryError: over the "
                "memory limit)",
            }
    grading = _cell_errors(notebook.cells[-1:])
    try:
        data = json.loads(Path(_RESULTS + ".kernel").read_text(encoding="utf-8"))
        assert data["marker"] == marker
    except (OSError, ValueError, KeyError, AssertionError):
        why = f"{grading[0][1]}: {grading[0][2]}" if grading else "no results"
        return {
            **failed,
            "cell_errors": cell_errors,
            "error": f"the checks could not run after the notebook ({why})",
        }
    return {"tasks": data["tasks"], "cell_errors": cell_errors, "error": None}


def main(argv: Sequence[str] | None = None) -> int:
    """Worker entry point: ``python -m nnlab.exercises.sandbox NOTEBOOK LAB TIMEOUT``."""
    notebook_path, lab, timeout = argv if argv is not None else sys.argv[1:]
    result = grade_in_worker(notebook_path, lab, float(timeout))
    with atomic_writer(_RESULTS) as f:
        f.write(json.dumps(result).encode("utf-8"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
