"""Write the practical works' pages (``docs/labs/``) from runs of the labs themselves.

    python docs/_gen/labs.py                    # every lab (the MNIST labs in --quick mode)
    python docs/_gen/labs.py monty-hall --quick # one lab, quick

Each lab runs exactly as ``nnlab run ID --seed 0`` does (``--quick`` for the MNIST labs, which
train for minutes), and its report becomes ``docs/labs/ID.md``: what the lab shows, its sections
with their formulas, figures and tables, the checks, the corrections to the course notes and the
settings. The figures go to ``docs/labs/img/ID/`` (scaled down), the lab's exercise workbook and its
completed notebook to ``docs/labs/notebooks/``. ``docs/labs/index.md`` lists the labs. The pages
are committed; ``tests/docs/test_labs_pages.py`` checks that every lab has one.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from nnlab.exercises import get_exercise
from nnlab.exercises.notebook import build_notebook
from nnlab.labs.base import LabContext
from nnlab.labs.registry import LABS, LabSpec, load_lab, resolve_ids
from nnlab.report import blocks, figures
from nnlab.report.format import format_value

LABS_DIR = Path(__file__).resolve().parents[1] / "labs"
QUICK_BY_DEFAULT = frozenset({"mnist-softmax", "mnist-mlp-dropout", "mnist-convnet"})
FIGURE_WIDTH_PX = 720
SUMMARY = Path(__file__).with_name("labs-summary.json")  # key results, for the index


def number(spec: LabSpec) -> int:
    """The lab's number in the course (its position in ``LABS``, from 1)."""
    return LABS.index(spec) + 1


def run(spec: LabSpec, quick: bool, seed: int = 0) -> blocks.Report:
    """Run the lab as ``nnlab run`` does and return its report (``RuntimeError`` if it fails)."""
    with tempfile.TemporaryDirectory() as out:
        ctx = LabContext(spec, Path(out) / spec.id, quick=quick, seed=seed)
        with figures.style():
            ctx.report.metrics = load_lab(spec)(ctx)
        ctx.report.key_result = ctx.key_result or ""
        failed = [check.label for check in ctx.report.checks if not check.passed]
        if failed:
            raise RuntimeError(f"{spec.id}: checks failed: {failed}")
        return ctx.report


def _shrink_png(png: bytes) -> bytes:
    from PIL import Image

    image = Image.open(io.BytesIO(png))
    if image.width > FIGURE_WIDTH_PX:
        height = round(image.height * FIGURE_WIDTH_PX / image.width)
        image = image.resize((FIGURE_WIDTH_PX, height), Image.Resampling.LANCZOS)
    image = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _cell(value: Any) -> str:
    text = format_value(value) if not isinstance(value, str) else value
    return text.replace("|", "\\|").replace("\n", " ")


def _table(header: tuple[str, ...] | list[str], rows: Any) -> list[str]:
    lines = ["| " + " | ".join(_cell(h) for h in header) + " |"]
    lines.append("|" + "---|" * len(header))
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines + [""]


def _formula(tex: str, caption: str = "") -> list[str]:
    lines = ["\\[", tex.strip(), "\\]", ""]
    return lines + ([caption, ""] if caption else [])


def _block(block: Any, spec: LabSpec, images: Path) -> list[str]:
    if isinstance(block, blocks.Heading):
        return [f"### {block.text}", ""]
    if isinstance(block, blocks.Paragraph):
        return [block.text, ""]
    if isinstance(block, blocks.Formula):
        return _formula(block.tex, block.caption)
    if isinstance(block, blocks.Figure):
        folder = images / spec.id
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{block.name}.png").write_bytes(_shrink_png(block.png))
        caption = block.caption or block.name
        return [f"![{caption}](img/{spec.id}/{block.name}.png)", "", f"*{caption}*", ""]
    if isinstance(block, blocks.Table):
        title = [f"**{block.title}**", ""] if block.title else []
        caption = [block.caption, ""] if block.caption else []
        return title + _table(block.header, block.rows) + caption
    return []  # checks are gathered in one table; logs stay in the full report


def render(spec: LabSpec, report: blocks.Report, quick: bool, images: Path) -> str:
    """The page of one lab."""
    mode = " --quick" if quick else ""
    exercise = get_exercise(spec.id)
    lines = [
        f"# Lab {number(spec)}: {spec.title}",
        "",
        f"*{spec.summary}*",
        "",
        '!!! abstract "Run it, do it"',
        f"    - **Report**: `nnlab run {spec.id}` writes `nnlab-runs/{spec.id}/report.html` "
        "(this page shows the same report, from "
        f"`nnlab run {spec.id}{mode} --seed 0`).",
        f"    - **Exercise**: [the workbook](notebooks/{spec.id}.ipynb) "
        f"(`nnlab exercise {spec.id}`), checked by `nnlab check`; "
        f"[the completed notebook](notebooks/{spec.id}-solution.ipynb) "
        f"(`nnlab exercise {spec.id} --solution`).",
        f"    - **Code**: `{spec.module}` (`run(ctx)`), on the library it teaches.",
        "",
        f"**Key result**: {report.key_result}" if report.key_result else "",
        "",
        "## What this lab shows",
        "",
    ]
    for paragraph in report.intro:
        lines += [paragraph, ""]
    lines += ["## The lab, step by step", ""]
    for block in report.blocks:
        lines += _block(block, spec, images)
    if report.checks:
        lines += ["## Checks", "", "Every formula the lab checks numerically, on this run:", ""]
        rows = [
            (
                f"\\({c.tex}\\)" if c.tex else c.label,
                c.value,
                c.expected,
                f"{c.error:.2g}",
                f"{c.tolerance:.2g}",
                "yes" if c.passed else "NO",
            )
            for c in report.checks
        ]
        lines += _table(("check", "value", "expected", "error", "tolerance", "passed"), rows)
    if report.corrections:
        lines += ["## Corrections to the course notes", ""]
        for c in report.corrections:
            lines += [
                '!!! warning "The notes say"',
                f"    {c.notes_say}",
                "",
                f"    **Correct**: {c.correct}",
                "",
                f"    {c.explanation}",
                "",
            ]
    lines += ["## Your exercise", "", f"The workbook asks for {len(exercise.tasks)} functions:", ""]
    lines += [f"- `{task.name}`: {task.summary}" for task in exercise.tasks]
    lines += [""]
    if report.settings:
        lines += ["## Settings of this run", ""]
        lines += _table(("setting", "value"), sorted(report.settings.items()))
    text = "\n".join(lines)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.rstrip() + "\n"


def write_notebooks(spec: LabSpec, folder: Path) -> None:
    """The lab's workbook and its completed notebook, as ``nnlab exercise`` writes them."""
    import nbformat

    folder.mkdir(parents=True, exist_ok=True)
    exercise = get_exercise(spec.id)
    for solution, name in ((False, f"{spec.id}.ipynb"), (True, f"{spec.id}-solution.ipynb")):
        nbformat.write(build_notebook(exercise, solution=solution), str(folder / name))


def render_index(summary: dict[str, dict[str, Any]]) -> str:
    """``docs/labs/index.md``: the labs in the course's order."""
    lines = [
        "# Practical works",
        "",
        "The course's sixteen practical works and lab 17, each a module of `nnlab.labs` that runs",
        "on the library and writes an illustrated report (`nnlab run ID`, or `nnlab run all`), and",
        "each a Jupyter workbook to fill in (`nnlab exercise ID`, see the",
        "[guide](../guides/exercises.md)). Each page below is the lab's report from one run.",
        "",
        "| lab | what it teaches | key result |",
        "|---|---|---|",
    ]
    for spec in LABS:
        key = summary.get(spec.id, {}).get("key_result", "")
        title = f"{number(spec)}. [{spec.title}]({spec.id}.md)"
        lines.append(f"| {title} | {_cell(spec.summary)} | {_cell(key)} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("ids", nargs="*", default=["all"], help="lab ids (default: all)")
    parser.add_argument("--quick", action="store_true", help="every lab in --quick mode")
    args = parser.parse_args(argv)
    images = LABS_DIR / "img"
    images.mkdir(parents=True, exist_ok=True)
    summary = json.loads(SUMMARY.read_text()) if SUMMARY.exists() else {}
    for spec in resolve_ids(args.ids):
        quick = args.quick or spec.id in QUICK_BY_DEFAULT
        print(f"{spec.id}{' (quick)' if quick else ''} ...", file=sys.stderr, flush=True)
        for old in (images / spec.id).glob("*.png"):
            old.unlink()
        report = run(spec, quick)
        page = render(spec, report, quick, images)
        (LABS_DIR / f"{spec.id}.md").write_text(page, encoding="utf-8")
        write_notebooks(spec, LABS_DIR / "notebooks")
        summary[spec.id] = {"key_result": report.key_result, "quick": quick}
        SUMMARY.write_text(json.dumps(summary, indent=1, ensure_ascii=False) + "\n")
    (LABS_DIR / "index.md").write_text(render_index(summary), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
