"""What a lab is (:class:`LabSpec`) and what it is given to run (:class:`LabContext`).

A lab is a module ``nnlab.labs.<module>`` with one function ``run(ctx: LabContext) -> dict``. It
reads like the practical work: data, model, result, figure, each step reported through ``ctx``::

    def run(ctx: LabContext) -> dict[str, float]:
        n = ctx.param("n_games", full=100_000, quick=2_000)   # recorded under "Settings used"
        ctx.intro("Why switching doors wins two times in three.")
        ctx.formula(r"p(x_1 = 1 \\mid y = 2) = 1/3")
        wins = simulate(n, ctx.rng)                          # ctx.rng: seeded by --seed
        ctx.check("p(switch) = 2/3", wins.mean(), 2 / 3, tol=0.03)
        fig, ax = ctx.new_figure()
        ax.plot(...); ax.set_xlabel("games"); ax.set_ylabel("win rate")
        ctx.figure(fig, "convergence", "Win rate as games accumulate.")
        ctx.key_result = f"switch wins {wins.mean():.3f}"
        return {"p_switch_simulated": wins.mean()}

The runner (:mod:`nnlab.labs.runner`) writes the returned metrics to ``OUT/ID/metrics.json`` and the
report to ``OUT/ID/report.html``; the figures are saved as ``OUT/ID/<name>.png`` when added.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from matplotlib.figure import Figure

from nnlab.labs.registry import LabSpec
from nnlab.report import blocks
from nnlab.report.figures import close_figure, figure_png, new_figure, unlabelled_axes
from nnlab.report.files import write_bytes_atomic

T = TypeVar("T")
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_PROGRESS_INTERVAL_S = 0.1


class LabContext:
    """Everything a lab gets: where to write, how big to run, randomness, and the report builder.

    Attributes: ``lab_id``; ``out_dir`` (``OUT/ID``, created); ``quick`` (small data, few steps:
    seconds per lab); ``seed`` and ``rng`` (``numpy.random.default_rng(seed)``: the same seed gives
    the same numbers); ``report`` (the :class:`nnlab.report.blocks.Report` being built);
    ``key_result`` (one line for the summary table and the index; optional).
    """

    def __init__(
        self,
        spec: LabSpec,
        out_dir: str | Path,
        *,
        quick: bool = False,
        seed: int = 0,
        on_progress: Callable[[str], None] | None = None,
    ) -> None:
        if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
            raise ValueError(f"LabContext: seed must be a non-negative integer, got {seed!r}")
        self.spec = spec
        self.lab_id = spec.id
        self.out_dir = Path(out_dir)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.quick = bool(quick)
        self.seed = int(seed)
        self.rng = np.random.default_rng(self.seed)
        self.key_result = ""
        self.report = blocks.Report(lab_id=spec.id, title=spec.title, summary=spec.summary)
        self.report.settings.update({"seed": self.seed, "quick": self.quick})
        self._on_progress = on_progress
        self._last_progress = 0.0
        self._logs: dict[str, blocks.LogBlock] = {}
        self._figure_names: set[str] = set()

    # ----- size and settings -------------------------------------------------------------------
    def param(self, name: str, *, full: T, quick: T) -> T:
        """``quick`` in quick mode, else ``full`` (the course's setting); recorded as ``name``."""
        value = quick if self.quick else full
        self.setting(name, value)
        return value

    def setting(self, name: str, value: Any) -> None:
        """Record a setting shown in the report's "Settings used" table."""
        if not name:
            raise ValueError("setting: name must be a non-empty string")
        self.report.settings[name] = value

    # ----- text ---------------------------------------------------------------------------------
    def intro(self, text: str) -> None:
        """A paragraph of "What this lab shows" (the top of the report)."""
        self.report.intro.append(text)

    def section(self, title: str) -> None:
        """Start a new section of the report body."""
        self.report.blocks.append(blocks.Heading(title))

    def paragraph(self, text: str) -> None:
        """A paragraph; `code`, **bold** and $TeX$ spans are rendered."""
        self.report.blocks.append(blocks.Paragraph(text))

    def formula(self, tex: str, caption: str = "") -> None:
        """A displayed formula in TeX (matplotlib mathtext subset, without ``$``)."""
        if not tex.strip():
            raise ValueError("formula: tex must not be empty")
        self.report.blocks.append(blocks.Formula(tex, caption))

    def correction(self, notes_say: str, correct: str, explanation: str) -> None:
        """Record a slip in the course notes: what they say, what is right, and why."""
        self.report.corrections.append(blocks.Correction(notes_say, correct, explanation))

    # ----- results ------------------------------------------------------------------------------
    def table(
        self,
        header: Sequence[str],
        rows: Iterable[Sequence[Any]],
        *,
        title: str = "",
        caption: str = "",
    ) -> None:
        """A table; each row must have ``len(header)`` cells (numbers are formatted for reading)."""
        header_t = tuple(str(cell) for cell in header)
        rows_t = tuple(tuple(row) for row in rows)
        for number, row in enumerate(rows_t):
            if len(row) != len(header_t):
                raise ValueError(
                    f"table {title!r}: row {number} has {len(row)} cells, "
                    f"header has {len(header_t)}"
                )
        self.report.blocks.append(blocks.Table(title, header_t, rows_t, caption))

    def check(
        self, label: str, value: Any, expected: Any, *, tol: float = 1e-9, tex: str = ""
    ) -> bool:
        """Check ``max |value - expected| <= tol`` (arrays element-wise) and list it in the report.

        A failed check fails the lab (after it has finished, so its outputs are still written).
        Returns whether it holds.
        """
        got = np.asarray(value, dtype=float)
        want = np.asarray(expected, dtype=float)
        try:
            diff = np.abs(got - want)
        except ValueError as exc:
            raise ValueError(
                f"check {label!r}: value shape {got.shape} and expected shape {want.shape} differ"
            ) from exc
        error = float(np.max(diff)) if diff.size else 0.0
        passed = bool(np.all(np.isfinite(diff))) and error <= tol
        self.report.blocks.append(
            blocks.Check(label, value, expected, error, float(tol), passed, tex)
        )
        return passed

    # ----- figures and files --------------------------------------------------------------------
    def new_figure(self, nrows: int = 1, ncols: int = 1, **kwargs: Any) -> tuple[Figure, Any]:
        """:func:`nnlab.report.figures.new_figure`: a styled figure, constrained layout."""
        return new_figure(nrows, ncols, **kwargs)

    def figure(self, fig: Figure, name: str, caption: str = "") -> Path:
        """Save ``fig`` as ``OUT/ID/<name>.png``, embed it in the report, and close it.

        ``name`` is lower-case letters, digits, ``-`` or ``_`` and unique within the lab. Axes with
        data but without x/y labels are listed as warnings in the report.
        """
        if not _NAME.match(name):
            raise ValueError(f"figure: name {name!r} must match [a-z0-9][a-z0-9_-]*")
        if name in self._figure_names:
            raise ValueError(f"figure: name {name!r} is already used in lab {self.lab_id!r}")
        self._figure_names.add(name)
        for problem in unlabelled_axes(fig):
            self.report.warnings.append(f"figure {name!r}: {problem}")
        png, width, height = figure_png(fig)
        close_figure(fig)
        path = write_bytes_atomic(self.out_dir / f"{name}.png", png)
        self.report.blocks.append(blocks.Figure(name, caption, png, width, height))
        return path

    def path(self, name: str) -> Path:
        """``OUT/ID/<name>`` for an extra output file (write it with ``nnlab.report.files``)."""
        if "/" in name or "\\" in name or name in ("", ".", ".."):
            raise ValueError(f"path: {name!r} must be a plain file name")
        return self.out_dir / name

    # ----- progress -----------------------------------------------------------------------------
    def progress(self, message: str, done: int | None = None, total: int | None = None) -> None:
        """Update the live progress line (``[#####-----]  50%  message`` when ``total`` is given).

        Updates are rate-limited, so calling this every step is cheap.
        """
        if self._on_progress is None:
            return
        now = time.monotonic()
        final = done is not None and total is not None and done >= total
        if not final and now - self._last_progress < _PROGRESS_INTERVAL_S:
            return
        self._last_progress = now
        if done is not None and total:
            fraction = min(max(done / total, 0.0), 1.0)
            filled = int(round(20 * fraction))
            message = f"[{'#' * filled}{'-' * (20 - filled)}] {100 * fraction:3.0f}%  {message}"
        self._on_progress(message)

    def track(self, items: Iterable[T], label: str = "", total: int | None = None) -> Iterator[T]:
        """Iterate over ``items`` while showing a progress bar (``total`` defaults to ``len``)."""
        if total is None and hasattr(items, "__len__"):
            total = len(items)  # type: ignore[arg-type]
        for count, item in enumerate(items):
            self.progress(label, count, total)
            yield item
        if total:
            self.progress(label, total, total)

    def log(self, line: str, title: str = "Log") -> None:
        """Add a line to the collapsible log block ``title`` (made on first use) and show it."""
        block = self._logs.get(title)
        if block is None:
            block = blocks.LogBlock(title)
            self._logs[title] = block
            self.report.blocks.append(block)
        block.lines.append(line)
        self.progress(line)
