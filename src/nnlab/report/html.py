"""The self-contained HTML report of one lab (figures as base64 PNG, formulas as SVG, CSS inline).

Layout: title and badges, the key result, what the lab shows, results (the metrics table and the
checked formulas), the lab's own sections in order (text, formulas, figures, tables, logs), the
corrections to the course notes, the settings used, and any warnings.
"""

from __future__ import annotations

import base64
import html
import os
from pathlib import Path

import nnlab
from nnlab.report import blocks
from nnlab.report.files import write_text_atomic
from nnlab.report.format import (
    format_number,
    format_value,
    inline_markup,
    math_html,
    page,
    table_html,
)


def render_report(report: blocks.Report) -> str:
    """The complete HTML document for ``report``."""
    parts = [_header(report), _key_result(report), _intro(report), _results(report)]
    parts.extend(_block(block) for block in report.blocks if not isinstance(block, blocks.Check))
    parts.extend([_corrections(report), _settings(report), _warnings(report), _footer()])
    return page(f"{report.title} — nnlab", "\n".join(part for part in parts if part))


def write_report(report: blocks.Report, path: str | os.PathLike[str]) -> Path:
    """Render ``report`` and write it atomically to ``path`` (usually ``OUT/ID/report.html``)."""
    return write_text_atomic(path, render_report(report))


def _header(report: blocks.Report) -> str:
    status_class = "status-ok" if report.status == "ok" else "status-failed"
    badges = [
        f'<li class="{status_class}">{html.escape(report.status)}</li>',
        f"<li>lab <code>{html.escape(report.lab_id)}</code></li>",
        f"<li>{format_number(round(report.seconds, 2))} s</li>",
    ]
    for name in ("seed", "quick"):
        if name in report.settings:
            badges.append(f"<li>{name} = {html.escape(format_value(report.settings[name]))}</li>")
    return (
        '<header><p class="crumb"><a href="../index.html">← all labs</a> · '
        "nnlab practical works</p>"
        f"<h1>{html.escape(report.title)}</h1>"
        f'<p class="summary">{inline_markup(report.summary)}</p>'
        f'<ul class="badges">{"".join(badges)}</ul></header>'
    )


def _key_result(report: blocks.Report) -> str:
    if report.status != "ok":
        trace = ""
        if report.traceback:
            trace = (
                "<details><summary>Traceback</summary>"
                f"<pre>{html.escape(report.traceback)}</pre></details>"
            )
        return (
            f'<div class="key failed error"><strong>This lab failed:</strong> '
            f"{html.escape(report.error)}{trace}</div>"
        )
    if not report.key_result:
        return ""
    return f'<div class="key"><strong>Key result:</strong> {inline_markup(report.key_result)}</div>'


def _intro(report: blocks.Report) -> str:
    if not report.intro:
        return ""
    paragraphs = "".join(f"<p>{inline_markup(text)}</p>" for text in report.intro)
    return f"<section><h2>What this lab shows</h2>{paragraphs}</section>"


def _results(report: blocks.Report) -> str:
    parts = []
    if report.metrics:
        rows = [(f"`{key}`", value) for key, value in report.metrics.items()]
        parts.append(
            table_html(
                ("metric (metrics.json)", "value"),
                rows,
                title="Metrics",
                caption="The numbers this run wrote to `metrics.json`.",
            )
        )
    if report.checks:
        parts.append(_checks(report.checks))
    if not parts:
        return ""
    return "<section><h2>Results</h2>" + "".join(parts) + "</section>"


def _checks(checks: list[blocks.Check]) -> str:
    rows = []
    for check in checks:
        label = inline_markup(check.label)
        if check.tex:
            label += "<br>" + math_html(check.tex, inline=True)
        rows.append(
            "<tr class='{cls}'><td>{label}</td><td class='num'>{value}</td>"
            "<td class='num'>{expected}</td><td class='num'>{error}</td>"
            "<td class='num'>{tol}</td><td class='verdict'>{verdict}</td></tr>".format(
                cls="pass" if check.passed else "fail",
                label=label,
                value=html.escape(format_value(check.value)),
                expected=html.escape(format_value(check.expected)),
                error=html.escape(format_number(check.error)),
                tol=html.escape(format_number(check.tolerance)),
                verdict="✓ holds" if check.passed else "✗ fails",
            )
        )
    passed = sum(check.passed for check in checks)
    head = "".join(
        f"<th>{name}</th>" for name in ("check", "computed", "expected", "|error|", "tolerance", "")
    )
    return (
        f'<div class="table-wrap"><table><caption>Checks: {passed} of {len(checks)} hold'
        f"</caption><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def _block(block: blocks.Block) -> str:
    if isinstance(block, blocks.Heading):
        return f"<h2>{inline_markup(block.text)}</h2>"
    if isinstance(block, blocks.Paragraph):
        return f"<p>{inline_markup(block.text)}</p>"
    if isinstance(block, blocks.Formula):
        caption = (
            f'<div class="caption">{inline_markup(block.caption)}</div>' if block.caption else ""
        )
        return f'<div class="formula">{math_html(block.tex, inline=False)}{caption}</div>'
    if isinstance(block, blocks.Figure):
        data = base64.b64encode(block.png).decode("ascii")
        alt = html.escape(block.caption or block.name, quote=True)
        caption = (
            f"<figcaption>{inline_markup(block.caption)}</figcaption>" if block.caption else ""
        )
        return (
            f'<figure id="fig-{html.escape(block.name, quote=True)}"><img alt="{alt}" '
            f'width="{block.width_px}" height="{block.height_px}" '
            f'src="data:image/png;base64,{data}">{caption}</figure>'
        )
    if isinstance(block, blocks.Table):
        return table_html(block.header, block.rows, title=block.title, caption=block.caption)
    if isinstance(block, blocks.LogBlock):
        lines = html.escape("\n".join(block.lines))
        return (
            f"<details><summary>{inline_markup(block.title)} ({len(block.lines)} lines)</summary>"
            f"<pre>{lines}</pre></details>"
        )
    raise TypeError(f"render_report: unknown block type {type(block).__name__}")


def _corrections(report: blocks.Report) -> str:
    if not report.corrections:
        return ""
    rows = [(c.notes_say, c.correct, c.explanation) for c in report.corrections]
    return (
        "<section><h2>Corrections to the course notes</h2>"
        + table_html(("The notes say", "Correct", "Why"), rows, css_class="corrections")
        + "</section>"
    )


def _settings(report: blocks.Report) -> str:
    if not report.settings:
        return ""
    rows = [(f"`{name}`", value) for name, value in report.settings.items()]
    return "<section><h2>Settings used</h2>" + table_html(("setting", "value"), rows) + "</section>"


def _warnings(report: blocks.Report) -> str:
    if not report.warnings:
        return ""
    items = "".join(f"<li>{html.escape(text)}</li>" for text in report.warnings)
    return f'<section><h2>Warnings</h2><ul class="warnings">{items}</ul></section>'


def _footer() -> str:
    return (
        f"<footer>Generated by nnlab {html.escape(nnlab.__version__)}. "
        "Self-contained: figures and formulas are embedded, no network needed.</footer>"
    )
