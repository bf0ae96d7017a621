"""Text helpers shared by the report and index pages: numbers, inline markup, the page shell."""

from __future__ import annotations

import base64
import html
import math
import re
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

from nnlab.report.figures import render_formula

_INLINE = re.compile(r"`([^`]+)`|\*\*(.+?)\*\*|(?<!\\)\$(.+?)(?<!\\)\$")
_MAX_ITEMS = 10


def format_number(value: float | np.number[Any] | np.bool_) -> str:
    """A number as a person reads it: integers exact, floats to 5 significant digits."""
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    number = float(value)
    if math.isnan(number):
        return "nan"
    if math.isinf(number):
        return "∞" if number > 0 else "−∞"
    if number == 0:
        return "0"
    text = f"{number:.5g}"
    return text.replace("-", "−") if text.startswith("-") and "e" not in text else text


def format_value(value: Any) -> str:
    """A metric value as short text: numbers, ``yes``/``no``, ``[a, b, …]``, ``k: v`` maps."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, np.bool_, int, float, np.integer, np.floating)):
        return format_number(value)
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, Mapping):
        items = list(value.items())
        parts = [f"{key}: {format_value(item)}" for key, item in items[:_MAX_ITEMS]]
        return ", ".join(parts) + (", …" if len(items) > _MAX_ITEMS else "")
    if isinstance(value, (list, tuple)):
        parts = [format_value(item) for item in value[:_MAX_ITEMS]]
        return "[" + ", ".join(parts) + (", …" if len(value) > _MAX_ITEMS else "") + "]"
    return str(value)


def is_numeric(value: Any) -> bool:
    """True for numbers (not booleans): they are right-aligned in tables."""
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_)
    )


@lru_cache(maxsize=512)
def formula_svg(tex: str, font_size: int) -> bytes | None:
    """Cached :func:`nnlab.report.figures.render_formula`."""
    return render_formula(tex, font_size)


def math_html(tex: str, *, inline: bool) -> str:
    """An ``<img>`` with the formula drawn as SVG, or the TeX in ``<code>`` if it cannot parse."""
    svg = formula_svg(tex, 12 if inline else 15)
    alt = html.escape(tex, quote=True)
    if svg is None:
        return f'<code class="tex">{html.escape(tex)}</code>'
    data = base64.b64encode(svg).decode("ascii")
    css = "math-inline" if inline else "math"
    return f'<img class="{css}" alt="{alt}" title="{alt}" src="data:image/svg+xml;base64,{data}">'


def inline_markup(text: str) -> str:
    """Escape ``text`` for HTML, then render `code`, **bold** and $math$ spans."""
    out: list[str] = []
    position = 0
    for match in _INLINE.finditer(text):
        out.append(html.escape(text[position : match.start()]))
        code, bold, tex = match.groups()
        if code is not None:
            out.append(f"<code>{html.escape(code)}</code>")
        elif bold is not None:
            out.append(f"<strong>{html.escape(bold)}</strong>")
        else:
            out.append(math_html(tex, inline=True))
        position = match.end()
    out.append(html.escape(text[position:]))
    return "".join(out).replace("\\$", "$")


@lru_cache(maxsize=1)
def stylesheet() -> str:
    """The report CSS (``nnlab/report/style.css``), inlined into every page."""
    return resources.files("nnlab.report").joinpath("style.css").read_text(encoding="utf-8")


def page(title: str, body: str) -> str:
    """A complete, self-contained HTML document (inline CSS, no external resources)."""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>\n{stylesheet()}</style>\n</head>\n"
        f"<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


def table_html(
    header: tuple[str, ...] | list[str],
    rows: list[tuple[Any, ...]] | tuple[tuple[Any, ...], ...],
    *,
    title: str = "",
    caption: str = "",
    css_class: str = "",
    row_classes: list[str] | None = None,
) -> str:
    """An HTML table: numbers formatted and right-aligned, text cells with inline markup."""
    head = "".join(f"<th>{inline_markup(str(cell))}</th>" for cell in header)
    body_rows = []
    for index, row in enumerate(rows):
        cells = []
        for cell in row:
            if is_numeric(cell):
                cells.append(f'<td class="num">{html.escape(format_value(cell))}</td>')
            elif isinstance(cell, str):
                cells.append(f"<td>{inline_markup(cell)}</td>")
            else:
                cells.append(f"<td>{html.escape(format_value(cell))}</td>")
        row_class = row_classes[index] if row_classes else ""
        attr = f' class="{row_class}"' if row_class else ""
        body_rows.append(f"<tr{attr}>{''.join(cells)}</tr>")
    cap = f"<caption>{inline_markup(title)}</caption>" if title else ""
    attr = f' class="{css_class}"' if css_class else ""
    note = f'<p class="table-caption">{inline_markup(caption)}</p>' if caption else ""
    return (
        f'<div class="table-wrap"><table{attr}>{cap}<thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body_rows)}</tbody></table>{note}</div>"
    )


def as_fraction(value: float, max_denominator: int = 1000, tol: float = 1e-9) -> str:
    """``value`` as a fraction ``"1/6"`` if it is one (within ``tol``), else ``format_number``."""
    from fractions import Fraction

    fraction = Fraction(float(value)).limit_denominator(max_denominator)
    if abs(float(fraction) - float(value)) > tol:
        return format_number(value)
    if fraction.denominator == 1:
        return str(fraction.numerator)
    return f"{fraction.numerator}/{fraction.denominator}"
