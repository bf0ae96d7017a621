"""The lab report and index pages (nnlab.report.html, nnlab.report.index, nnlab.report.format)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nnlab.report import blocks
from nnlab.report.format import format_number, format_value, inline_markup
from nnlab.report.html import render_report, write_report
from nnlab.report.index import IndexEntry, render_index


def make_report() -> blocks.Report:
    report = blocks.Report("demo", "Demo <lab>", "Shows & tells.")
    report.intro.append("Intro with `code` and **bold**.")
    report.blocks.extend(
        [
            blocks.Heading("Part 1"),
            blocks.Paragraph("Inline $p(x \\mid y)$ and a <script>."),
            blocks.Formula(r"\frac{a}{b}", "a fraction"),
            blocks.Formula(r"\begin{pmatrix} 1 \end{pmatrix}", "not mathtext"),
            blocks.Table("T", ("a", "b"), ((1, 2.5), ("x", None))),
            blocks.Check("2/3", 0.6667, 2 / 3, 3e-5, 1e-3, True, r"p = \frac{2}{3}"),
            blocks.Check("bad", 1.0, 2.0, 1.0, 0.1, False),
            blocks.LogBlock("Training log", ["line 1", "line 2"]),
        ]
    )
    report.metrics = {"p": 0.5, "per": {"0": 1.0}}
    report.settings = {"seed": 0, "quick": True}
    report.corrections.append(blocks.Correction("H(p) + H(p,q)", "H(p,q) - H(p)", "sign"))
    report.key_result = "p = 0.5"
    return report


def test_report_has_every_section_and_escapes_text(tmp_path: Path) -> None:
    html = render_report(make_report())
    for text in (
        "<h1>Demo &lt;lab&gt;</h1>",
        "Shows &amp; tells.",
        "What this lab shows",
        "<code>code</code> and <strong>bold</strong>",
        "Key result:</strong> p = 0.5",
        "Checks: 1 of 2 hold",
        "✓ holds",
        "✗ fails",
        "<h2>Part 1</h2>",
        "a &lt;script&gt;.",
        'class="math-inline"',
        '<code class="tex">\\begin{pmatrix} 1 \\end{pmatrix}</code>',
        "Corrections to the course notes",
        "Settings used",
        "Training log (2 lines)",
        "<style>",
    ):
        assert text in html, text
    assert "<script>" not in html
    path = write_report(make_report(), tmp_path / "r" / "report.html")
    assert path.read_text(encoding="utf-8") == html


def test_failed_report_shows_reason_and_traceback() -> None:
    report = blocks.Report("x", "X", "s", status="failed", error="boom", traceback="Trace <here>")
    html = render_report(report)
    assert "This lab failed:</strong> boom" in html
    assert "Trace &lt;here&gt;" in html


def test_number_formatting() -> None:
    assert format_number(2 / 3) == "0.66667"
    assert format_number(-1.5) == "−1.5"
    assert format_number(1e-12) == "1e-12"
    assert format_number(np.int64(7)) == "7"
    assert format_number(float("inf")) == "∞"
    assert format_value(True) == "yes"
    assert format_value(np.arange(12)) == "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, …]"
    assert format_value({"0": 1.0, "1": None}) == "0: 1, 1: —"
    assert inline_markup("cost is \\$5") == "cost is $5"


def test_index_links_reports_and_marks_failures() -> None:
    entries = [
        IndexEntry(1, "a", "Lab A", "does a", "ok", "x = 1", "", 1.25, "a/report.html"),
        IndexEntry(
            2, "b", "Lab B", "does b", "failed", "", "RuntimeError: no", 0.1, "b/report.html"
        ),
        IndexEntry(3, "c", "Lab C", "does c", "not run"),
    ]
    html = render_index(entries, seed=4, quick=True)
    assert '<a href="a/report.html">Lab A</a>' in html
    assert "failed:</strong> RuntimeError: no" in html
    assert "1 ok" in html and "1 failed" in html and "1 not run" in html
    assert "seed = 4" in html and "quick mode" in html
