"""One matplotlib style for every lab figure, PNG export, formula rendering, label checks.

Labs draw on figures made by :func:`new_figure` (a plain :class:`matplotlib.figure.Figure` with
constrained layout, no pyplot state, so nothing leaks between labs) inside :func:`style` (the lab
runner enters it for the whole lab). :func:`figure_png` saves with a tight bounding box so no label
is clipped. Formulas are rendered offline by matplotlib's mathtext (a TeX subset) to SVG.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, cast

import matplotlib
import numpy as np
from cycler import cycler
from matplotlib import mathtext
from matplotlib.axes import Axes
from matplotlib.figure import Figure

#: Colour-blind-safe cycle (Okabe & Ito), then the matplotlib defaults.
PALETTE = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#000000",
    "#F0E442",
)

#: rcParams for every lab figure: readable fonts, light grid, no top/right spines.
STYLE: dict[str, Any] = {
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.labelsize": 11,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.fontsize": 10,
    "legend.framealpha": 0.85,
    "figure.titlesize": 13,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "grid.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": cycler(color=PALETTE),
    "lines.linewidth": 1.8,
    "image.cmap": "viridis",
    "figure.dpi": 100,
    "savefig.dpi": 110,
    "svg.fonttype": "path",
}

FIGURE_DPI = 110
FORMULA_FONT_SIZE = 15


@contextmanager
def style() -> Iterator[None]:
    """Apply :data:`STYLE` (and the non-interactive Agg rendering) inside the block."""
    with matplotlib.rc_context(cast(Any, STYLE)):
        yield


def new_figure(
    nrows: int = 1,
    ncols: int = 1,
    *,
    width: float | None = None,
    height: float | None = None,
    **subplot_kw: Any,
) -> tuple[Figure, Any]:
    """A figure with ``nrows x ncols`` axes and constrained layout; returns ``(fig, axes)``.

    ``width``/``height`` are in inches (default 4.2 in per column up to 12.6 in, 3.4 in per row).
    ``axes`` is one :class:`Axes` for a 1x1 grid, else an array as ``Figure.subplots`` gives.
    Extra keywords go to ``Figure.subplots`` (``sharex``, ``subplot_kw``, ...).
    """
    if nrows < 1 or ncols < 1:
        raise ValueError(f"new_figure: nrows and ncols must be >= 1, got {nrows} x {ncols}")
    fig_width = width if width is not None else min(4.2 * ncols + 1.0, 12.6)
    fig_height = height if height is not None else 3.4 * nrows + 0.4
    fig = Figure(figsize=(fig_width, fig_height), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=True, **subplot_kw)
    return fig, axes


def figure_png(fig: Figure, dpi: int = FIGURE_DPI) -> tuple[bytes, int, int]:
    """Render ``fig`` to PNG with a tight bounding box; return ``(png, width_px, height_px)``."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", pad_inches=0.12)
    png = buffer.getvalue()
    width, height = png_size(png)
    return png, width, height


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height in pixels read from a PNG header."""
    if png[:8] != b"\x89PNG\r\n\x1a\n" or len(png) < 24:
        raise ValueError("png_size: the data is not a PNG file")
    width, height = struct.unpack(">II", png[16:24])
    return int(width), int(height)


def close_figure(fig: Figure) -> None:
    """Release ``fig``; also drops it from pyplot's registry if it was made with pyplot."""
    import sys

    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close(fig)
    fig.clear()


def render_formula(tex: str, font_size: int = FORMULA_FONT_SIZE) -> bytes | None:
    """Render a TeX formula with matplotlib mathtext to SVG bytes; ``None`` if it cannot parse.

    ``tex`` is the math itself, without ``$`` delimiters (``r"KL(P \\parallel Q) \\geq 0"``).
    """
    source = tex.strip()
    if not source:
        raise ValueError("render_formula: the formula is empty")
    if not (source.startswith("$") and source.endswith("$")):
        source = f"${source}$"
    prop = matplotlib.font_manager.FontProperties(size=font_size)
    buffer = io.BytesIO()
    try:
        with matplotlib.rc_context({"svg.fonttype": "path", "mathtext.fontset": "dejavusans"}):
            mathtext.math_to_image(source, buffer, prop=prop, format="svg")
    except ValueError:
        return None
    return buffer.getvalue()


def unlabelled_axes(fig: Figure) -> list[str]:
    """Describe the visible data axes of ``fig`` that lack an x or a y label.

    Axes turned off (``ax.axis("off")``, e.g. image grids) and colour bars are not data axes and are
    skipped. Returns messages such as ``"axes 2 ('Loss'): no y label"``; empty when all is labelled.
    """
    problems: list[str] = []
    colorbar_axes = {id(getattr(image.colorbar, "ax", None)) for image in _mappables(fig)}
    for index, ax in enumerate(fig.axes, start=1):
        if not ax.axison or id(ax) in colorbar_axes or not _has_data(ax):
            continue
        title = ax.get_title() or ax.get_title(loc="left")
        name = f"axes {index}" + (f" ({title!r})" if title else "")
        if not ax.get_xlabel():
            problems.append(f"{name}: no x label")
        if not ax.get_ylabel():
            problems.append(f"{name}: no y label")
    return problems


def _has_data(ax: Axes) -> bool:
    return bool(ax.lines or ax.collections or ax.patches or ax.images)


def _mappables(fig: Figure) -> list[Any]:
    found: list[Any] = []
    for ax in fig.axes:
        found.extend(ax.images)
        found.extend(ax.collections)
    return [item for item in found if getattr(item, "colorbar", None) is not None]


def heatmap(
    ax: Axes,
    table: Any,
    *,
    xticklabels: Iterable[Any] | None = None,
    yticklabels: Iterable[Any] | None = None,
    fmt: Callable[[float], str] | None = None,
    cmap: str = "Blues",
) -> Any:
    """Draw a 2-D ``table`` (rows on the y axis) as an annotated heat map; return the image.

    Each cell shows ``fmt(value)`` (default: 3 significant digits), in white on dark cells.
    """
    values = np.asarray(table, dtype=float)
    if values.ndim != 2:
        raise ValueError(f"heatmap: table must be 2-D, got shape {values.shape}")
    image = ax.imshow(values, cmap=cmap, aspect="auto")
    ax.grid(False)
    rows, cols = values.shape
    ax.set_xticks(range(cols), [str(t) for t in xticklabels] if xticklabels is not None else None)
    ax.set_yticks(range(rows), [str(t) for t in yticklabels] if yticklabels is not None else None)
    finite = values[np.isfinite(values)]
    middle = (finite.min() + finite.max()) / 2 if finite.size else 0.0
    show = fmt or (lambda v: f"{v:.3g}")
    if rows * cols <= 400:
        for i in range(rows):
            for j in range(cols):
                colour = "white" if values[i, j] > middle else "black"
                ax.text(j, i, show(values[i, j]), ha="center", va="center", color=colour)
    return image
