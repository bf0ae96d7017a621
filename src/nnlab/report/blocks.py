"""The pieces a lab report is made of, in the order a lab adds them.

A lab never builds these directly: it calls the :class:`nnlab.labs.base.LabContext` helpers
(``ctx.section``, ``ctx.paragraph``, ``ctx.formula``, ``ctx.figure``, ``ctx.table``, ``ctx.check``,
``ctx.log``, ``ctx.correction``), which append them to a :class:`Report`; :mod:`nnlab.report.html`
renders the report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Heading:
    """A section title inside the report body."""

    text: str


@dataclass(frozen=True)
class Paragraph:
    """Text with light markup: ``code`` in backticks, ``**bold**``, inline math in ``$...$``."""

    text: str


@dataclass(frozen=True)
class Formula:
    """A formula in TeX (the matplotlib mathtext subset, no ``$``) with an optional explanation.

    The renderer draws it to SVG; if mathtext cannot parse it the TeX source is shown as text.
    """

    tex: str
    caption: str = ""


@dataclass(frozen=True)
class Figure:
    """A figure saved as ``OUT/ID/<name>.png`` and embedded in the report."""

    name: str
    caption: str
    png: bytes
    width_px: int
    height_px: int


@dataclass(frozen=True)
class Table:
    """A table of cells (numbers are formatted by the renderer)."""

    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    caption: str = ""


@dataclass(frozen=True)
class Check:
    """A numerical check of a formula: ``|value - expected| <= tolerance``."""

    label: str
    value: Any
    expected: Any
    error: float
    tolerance: float
    passed: bool
    tex: str = ""


@dataclass
class LogBlock:
    """Log lines (e.g. a training script's ``Epoch 50: loss ...`` lines), shown collapsed.

    Mutable: ``ctx.log`` appends to the block created by its first call with that title.
    """

    title: str
    lines: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Correction:
    """Where the course notes are wrong: what they say, what is right, and why."""

    notes_say: str
    correct: str
    explanation: str


Block = Heading | Paragraph | Formula | Figure | Table | Check | LogBlock


@dataclass
class Report:
    """Everything one lab run produced, ready to render.

    ``status`` is ``"ok"`` or ``"failed"``; ``error`` holds the reason and ``traceback`` the
    traceback text for a failed run. ``metrics`` are the values written to ``metrics.json``.
    """

    lab_id: str
    title: str
    summary: str
    intro: list[str] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    metrics: dict[str, Any] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    corrections: list[Correction] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    key_result: str = ""
    status: str = "ok"
    error: str = ""
    traceback: str = ""
    seconds: float = 0.0

    @property
    def checks(self) -> list[Check]:
        """The numerical checks among the blocks, in order."""
        return [block for block in self.blocks if isinstance(block, Check)]

    @property
    def figures(self) -> list[Figure]:
        """The figures among the blocks, in order."""
        return [block for block in self.blocks if isinstance(block, Figure)]
