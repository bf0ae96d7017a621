"""The ``nnlab`` command: ``list``, ``run``, ``exercise``, ``check``, ``grade``, ``demo``,
``playground`` and ``--version``.

``nnlab run ID [ID ...] | all [--out DIR] [--quick] [--seed N]`` runs labs with live progress,
prints a summary table and the index page's path, and exits with status 1 if any lab failed
(after running the others).
"""

from __future__ import annotations

import argparse
import importlib
import os
import shutil
import sys
import time
from collections.abc import Sequence
from typing import TextIO

import nnlab
from nnlab.labs.registry import LABS, LabSpec, resolve_ids

DEFAULT_OUT = "nnlab-runs"
_NON_TTY_INTERVAL_S = 5.0


class TerminalProgress:
    """Prints which lab runs and its progress: one rewritten line on a terminal, a line every few
    seconds otherwise (CI logs)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self._last = 0.0
        self._shown = False

    def lab_started(self, spec: LabSpec, number: int, total: int) -> None:
        self._write_line(f"[{number}/{total}] {spec.id}: {spec.title}")
        self._last = time.monotonic()

    def progress(self, message: str) -> None:
        if self.tty:
            width = max(shutil.get_terminal_size((100, 20)).columns - 1, 20)
            text = ("    " + message)[:width]
            self.stream.write("\r" + text.ljust(width))
            self.stream.flush()
            self._shown = True
        elif time.monotonic() - self._last >= _NON_TTY_INTERVAL_S:
            self._last = time.monotonic()
            self._write_line("    " + message)

    def lab_finished(self, result: object) -> None:
        from nnlab.labs.runner import LabResult

        assert isinstance(result, LabResult)
        if result.ok:
            line = f"    ok in {result.seconds:.1f} s: {result.key_result}"
        else:
            line = f"    FAILED after {result.seconds:.1f} s: {result.error}"
        self._write_line(line)

    def _write_line(self, text: str) -> None:
        if self._shown:
            self.stream.write("\r" + " " * max(shutil.get_terminal_size((100, 20)).columns - 1, 20))
            self.stream.write("\r")
            self._shown = False
        self.stream.write(text + "\n")
        self.stream.flush()


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and documentation)."""
    parser = argparse.ArgumentParser(
        prog="nnlab",
        description="Neural networks from first principles: the course's practical works.",
    )
    parser.add_argument("--version", action="version", version=f"nnlab {nnlab.__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    commands.add_parser("list", help="list the labs: id, title, one line each")

    run = commands.add_parser("run", help="run labs and write their reports")
    run.add_argument("ids", nargs="+", metavar="ID", help="lab ids (see `nnlab list`) or 'all'")
    run.add_argument("--out", default=DEFAULT_OUT, help=f"output folder (default ./{DEFAULT_OUT})")
    run.add_argument("--quick", action="store_true", help="small data, few steps: seconds per lab")
    run.add_argument("--seed", type=_seed, default=0, help="random seed (default 0)")

    _add_exercise_commands(commands)

    demo = commands.add_parser("demo", help="the course's graph example, gradients by autodiff")
    demo.add_argument("--x", type=float, default=2.0, help="x (default 2)")
    demo.add_argument("--y", type=float, default=1.0, help="y (default 1)")

    play = commands.add_parser("playground", help="start the browser playground")
    play.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    play.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    play.add_argument("--open", action="store_true", help="open a browser tab")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``nnlab`` console script; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return _dispatch(args)
    except BrokenPipeError:  # `nnlab list | head`: the reader left; say nothing more
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - stdout must stay open until exit
        return 0


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "list":
        return _list(sys.stdout)
    if args.command == "run":
        return _run(args.ids, out=args.out, quick=args.quick, seed=args.seed, stream=sys.stdout)
    if args.command == "demo":
        return _demo(args.x, args.y, sys.stdout)
    if args.command in _EXERCISE_COMMANDS:
        return _EXERCISE_COMMANDS[args.command](args)
    return _playground(args.host, args.port, args.open)


def _add_exercise_commands(commands: argparse._SubParsersAction) -> None:
    exercise = commands.add_parser("exercise", help="write a lab's exercise notebook (Jupyter)")
    exercise.add_argument("lab", metavar="LAB", help="lab id (see `nnlab list`) or 'all'")
    exercise.add_argument("--out", default=".", help="output folder (default: the current one)")
    exercise.add_argument(
        "--solution", action="store_true", help="write the completed notebook (LAB-solution.ipynb)"
    )
    exercise.add_argument("--force", action="store_true", help="replace an existing notebook")

    check = commands.add_parser("check", help="run a notebook and check its tasks")
    check.add_argument("notebook", metavar="NOTEBOOK", help="the .ipynb file")
    check.add_argument("--lab", help="lab id (default: read from the notebook's metadata)")
    check.add_argument("--timeout", type=_positive, default=300.0, help="seconds (default 300)")

    grade = commands.add_parser("grade", help="grade a folder of notebooks (one per student)")
    grade.add_argument("folder", metavar="DIR", help="folder holding one notebook per student")
    grade.add_argument("--lab", required=True, help="lab id of the exercise")
    grade.add_argument("--out", required=True, help="the CSV gradebook to write")
    grade.add_argument(
        "--timeout",
        type=_positive,
        default=120.0,
        help="seconds for a notebook's cells (default 120)",
    )
    grade.add_argument(
        "--memory", type=int, default=3072, help="MB of memory per notebook (default 3072)"
    )
    grade.add_argument(
        "--jobs", type=int, default=1, help="notebooks graded at the same time (default 1)"
    )


def _exercise(args: argparse.Namespace) -> int:
    from nnlab.exercises.exercise import get_exercise, lab_ids
    from nnlab.exercises.notebook import write_notebook

    try:
        labs = lab_ids() if args.lab == "all" else [get_exercise(args.lab).lab]
        for lab in labs:
            path = write_notebook(get_exercise(lab), args.out, args.solution, args.force)
            sys.stdout.write(f"wrote {path}\n")
    except (ValueError, FileExistsError) as exc:
        sys.stderr.write(f"nnlab exercise: {exc}\n")
        return 2
    return 0


def _notebook_lab(path: str) -> str:
    """The lab id stored in a notebook written by ``nnlab exercise``."""
    import json

    try:
        with open(path, encoding="utf-8") as f:
            metadata = json.load(f).get("metadata", {})
        lab = metadata["nnlab"]["lab"]
    except (OSError, ValueError, AttributeError, KeyError, TypeError) as exc:
        raise ValueError(f"cannot read the lab from {path} ({exc}); give --lab LAB") from None
    if not isinstance(lab, str):
        raise ValueError(f"{path}: its metadata names no lab; give --lab LAB")
    return lab


def _check(args: argparse.Namespace) -> int:
    from nnlab.exercises.exercise import get_exercise
    from nnlab.exercises.sandbox import Limits, run_notebook

    try:
        if not os.path.isfile(args.notebook):
            raise ValueError(f"no such notebook: {args.notebook}")
        lab = args.lab or _notebook_lab(args.notebook)
        get_exercise(lab)
    except ValueError as exc:
        sys.stderr.write(f"nnlab check: {exc}\n")
        return 2
    sys.stdout.write(f"Running {args.notebook} ({lab}) and checking its tasks...\n")
    outcome = run_notebook(args.notebook, lab, Limits(timeout_s=args.timeout))
    for line in outcome.cell_errors:
        sys.stdout.write(f"error in the notebook: {line}\n")
    if outcome.error is not None:
        sys.stdout.write(f"FAIL: {outcome.error}\n")
        return 1
    for name, passed, message in outcome.tasks:
        sys.stdout.write(f"{'PASS' if passed else 'FAIL'} {name}: {message}\n")
    n_passed = sum(ok for _, ok, _ in outcome.tasks)
    sys.stdout.write(f"{n_passed}/{len(outcome.tasks)} task(s) pass\n")
    return 0 if n_passed == len(outcome.tasks) else 1


def _grade(args: argparse.Namespace) -> int:
    from nnlab.exercises.grader import Grade, grade_folder, write_gradebook
    from nnlab.exercises.sandbox import Limits

    def show(grade: Grade) -> None:
        why = f"  ({grade.reason})" if grade.reason else ""
        sys.stdout.write(f"{grade.student}: {grade.score}/{grade.max_score}{why}\n")
        sys.stdout.flush()

    try:
        limits = Limits(timeout_s=args.timeout, memory_mb=args.memory)
        grades = grade_folder(args.folder, args.lab, limits, progress=show, jobs=args.jobs)
    except (ValueError, NotADirectoryError) as exc:
        sys.stderr.write(f"nnlab grade: {exc}\n")
        return 2
    feedback = write_gradebook(grades, args.lab, args.out)
    sys.stdout.write(f"{len(grades)} notebook(s) graded: {args.out}; feedback in {feedback}\n")
    return 0


_EXERCISE_COMMANDS = {"exercise": _exercise, "check": _check, "grade": _grade}


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {value}")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--seed must be an integer, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"--seed must be >= 0, got {value}")
    return value


def _list(stream: TextIO) -> int:
    width = max(len(spec.id) for spec in LABS)
    for number, spec in enumerate(LABS, start=1):
        stream.write(f"{number:2d}. {spec.id.ljust(width)}  {spec.title}\n")
        stream.write(f"    {' ' * width}  {spec.summary}\n")
    return 0


def _run(ids: Sequence[str], *, out: str, quick: bool, seed: int, stream: TextIO) -> int:
    try:
        specs = resolve_ids(ids, LABS)
    except ValueError as exc:
        sys.stderr.write(f"nnlab run: {exc}\n")
        return 2
    import matplotlib

    matplotlib.use("Agg")
    from nnlab.labs.runner import run_labs

    mode = "quick" if quick else "full (course settings)"
    stream.write(f"Running {len(specs)} lab(s), {mode}, seed {seed}, into {out}\n")
    sink = TerminalProgress(stream)
    results, index = run_labs(specs, out, quick=quick, seed=seed, sink=sink, catalogue=LABS)
    rows = [
        (
            r.spec.id,
            "ok" if r.ok else "FAILED",
            r.key_result if r.ok else r.error,
            f"{r.seconds:.1f}",
        )
        for r in results
    ]
    stream.write("\n" + _table(("lab", "status", "key result", "seconds"), rows) + "\n")
    failed = [r for r in results if not r.ok]
    stream.write(f"\nIndex: {index.resolve()}\n")
    if failed:
        stream.write(f"{len(failed)} of {len(results)} lab(s) failed:\n")
        for result in failed:
            stream.write(f"  {result.spec.id}: {result.error}\n")
        return 1
    return 0


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    widths[2] = min(widths[2], 90)

    def line(cells: Sequence[str]) -> str:
        parts = []
        for i, cell in enumerate(cells):
            text = str(cell)
            if len(text) > widths[i]:
                text = text[: widths[i] - 1] + "…"
            parts.append(text.rjust(widths[i]) if i == 3 else text.ljust(widths[i]))
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(header), rule, *(line(row) for row in rows)])


def _demo(x: float, y: float, stream: TextIO) -> int:
    import numpy as np

    xt = nnlab.tensor(np.array(x, dtype=np.float64), requires_grad=True)
    yt = nnlab.tensor(np.array(y, dtype=np.float64), requires_grad=True)
    f = xt**2 + xt * yt + (xt + yt) ** 2
    f.backward()
    analytic = (2 * x + y + 2 * (x + y), x + 2 * (x + y))
    engine = (float(np.asarray(xt.grad)), float(np.asarray(yt.grad)))
    stream.write("f(x, y) = x^2 + x*y + (x + y)^2\n")
    stream.write(f"at x = {x:g}, y = {y:g}:  f = {float(f.item()):.10g}\n\n")
    stream.write(f"{'':8s}{'reverse mode (nnlab)':>22s}{'analytic':>16s}{'|difference|':>15s}\n")
    for name, got, want, formula in zip(
        ("df/dx", "df/dy"),
        engine,
        analytic,
        ("2x + y + 2(x + y)", "x + 2(x + y)"),
        strict=True,
    ):
        stream.write(f"{name:8s}{got:22.10g}{want:16.10g}{abs(got - want):15.2e}   = {formula}\n")
    return 0


def _playground(host: str, port: int, open_browser: bool) -> int:
    server = importlib.import_module("nnlab.playground.server")  # imported only when used
    server.serve(host=host, port=port, open_browser=open_browser)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
