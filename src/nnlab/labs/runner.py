"""Run labs: one lab's failure is caught and reported, the others still run.

For each lab :func:`run_lab` writes ``OUT/ID/report.html`` (always, with the reason on failure),
``OUT/ID/metrics.json`` (when ``run`` returned its metrics) and the figures; :func:`run_labs` also
writes ``OUT/summary.json`` (machine-readable status of every lab run into ``OUT``, merged with
earlier runs) and ``OUT/index.html``.
"""

from __future__ import annotations

import json
import time
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from nnlab.labs.base import LabContext
from nnlab.labs.registry import LABS, LabSpec, load_lab
from nnlab.report import figures
from nnlab.report.files import to_jsonable, write_json_atomic
from nnlab.report.html import write_report
from nnlab.report.index import IndexEntry, write_index

_OLD_OUTPUTS = ("*.png", "metrics.json", "report.html")


@dataclass
class LabResult:
    """The outcome of one lab: ``status`` ``"ok"`` or ``"failed"`` (``error`` says why)."""

    spec: LabSpec
    status: str
    seconds: float
    metrics: dict[str, Any] = field(default_factory=dict)
    key_result: str = ""
    error: str = ""
    report_path: Path | None = None

    @property
    def ok(self) -> bool:
        """True when the lab ran, returned its metrics and all its checks hold."""
        return self.status == "ok"


class ProgressSink(Protocol):
    """Receives live progress from the runner (the CLI prints it; tests may record it)."""

    def lab_started(self, spec: LabSpec, number: int, total: int) -> None: ...

    def progress(self, message: str) -> None: ...

    def lab_finished(self, result: LabResult) -> None: ...


def run_lab(
    spec: LabSpec,
    out: str | Path,
    *,
    quick: bool = False,
    seed: int = 0,
    sink: ProgressSink | None = None,
) -> LabResult:
    """Run one lab into ``out/ID``; never raises for an error inside the lab (``KeyboardInterrupt``
    still stops it)."""
    lab_dir = Path(out) / spec.id
    lab_dir.mkdir(parents=True, exist_ok=True)
    for pattern in _OLD_OUTPUTS:
        for stale in lab_dir.glob(pattern):
            stale.unlink()
    ctx = LabContext(
        spec, lab_dir, quick=quick, seed=seed, on_progress=sink.progress if sink else None
    )
    report = ctx.report
    start = time.perf_counter()
    returned = False
    try:
        run = load_lab(spec)
        with figures.style():
            metrics = run(ctx)
        report.metrics = _validate_metrics(spec, metrics)
        returned = True
        failed_checks = [check.label for check in report.checks if not check.passed]
        if failed_checks:
            raise AssertionError("check failed: " + "; ".join(failed_checks))
    except Exception as exc:
        report.status, report.error = "failed", f"{type(exc).__name__}: {exc}"
        report.traceback = traceback.format_exc()
    report.seconds = time.perf_counter() - start
    report.key_result = ctx.key_result or _key_result(spec, report.metrics)
    if returned:
        write_json_atomic(lab_dir / "metrics.json", report.metrics)
    report_path = _write_report_safely(report, lab_dir / "report.html")
    return LabResult(
        spec=spec,
        status=report.status,
        seconds=report.seconds,
        metrics=report.metrics,
        key_result=report.key_result,
        error=report.error,
        report_path=report_path,
    )


def run_labs(
    specs: Sequence[LabSpec],
    out: str | Path,
    *,
    quick: bool = False,
    seed: int = 0,
    sink: ProgressSink | None = None,
    catalogue: Sequence[LabSpec] = LABS,
) -> tuple[list[LabResult], Path]:
    """Run ``specs`` in order into ``out``; return the results and the index page's path.

    The index lists every lab of ``catalogue`` (plus any other lab run), with this run's results
    and, for labs not run now, the results of earlier runs found in ``out/summary.json``.
    """
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    results = []
    for number, spec in enumerate(specs, start=1):
        if sink is not None:
            sink.lab_started(spec, number, len(specs))
        result = run_lab(spec, out_dir, quick=quick, seed=seed, sink=sink)
        results.append(result)
        if sink is not None:
            sink.lab_finished(result)
    summary = _merge_summary(out_dir / "summary.json", results, quick=quick, seed=seed)
    write_json_atomic(out_dir / "summary.json", summary)
    listed = list(catalogue) + [spec for spec in specs if spec not in catalogue]
    entries = _index_entries(listed, summary, quick=quick, seed=seed)
    index = write_index(entries, out_dir / "index.html", seed=seed, quick=quick)
    return results, index


def _validate_metrics(spec: LabSpec, metrics: Any) -> dict[str, Any]:
    if not isinstance(metrics, Mapping):
        raise TypeError(f"run() must return a dict of metrics, got {type(metrics).__name__}")
    metrics = {str(key): value for key, value in metrics.items()}
    missing = [key for key in spec.keys if key not in metrics]
    if missing:
        raise KeyError(f"metrics lack the required key(s) {', '.join(missing)}")
    to_jsonable(metrics)  # raises TypeError naming a value that cannot go to JSON
    return metrics


def _key_result(spec: LabSpec, metrics: Mapping[str, Any]) -> str:
    if not metrics:
        return ""
    from nnlab.report.format import format_value

    keys = [key for key in spec.keys if key in metrics][:3]
    return ", ".join(f"{key} = {format_value(metrics[key])}" for key in keys)


def _write_report_safely(report: Any, path: Path) -> Path:
    try:
        return write_report(report, path)
    except Exception as exc:  # a lab's content the renderer cannot handle: keep the reason
        report.status = "failed"
        report.error = f"report could not be written ({type(exc).__name__}: {exc}); {report.error}"
        report.blocks = []
        report.traceback = traceback.format_exc()
        return write_report(report, path)


def _merge_summary(
    path: Path, results: Sequence[LabResult], *, quick: bool, seed: int
) -> dict[str, Any]:
    labs: dict[str, Any] = {}
    try:
        previous = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(previous, dict) and isinstance(previous.get("labs"), dict):
            labs = previous["labs"]
    except (OSError, ValueError):
        pass
    for result in results:
        labs[result.spec.id] = {
            "status": result.status,
            "key_result": result.key_result,
            "error": result.error,
            "seconds": round(result.seconds, 3),
            "quick": quick,
            "seed": seed,
            "report": f"{result.spec.id}/report.html",
        }
    return {"labs": labs}


def _index_entries(
    specs: Sequence[LabSpec], summary: Mapping[str, Any], *, quick: bool, seed: int
) -> list[IndexEntry]:
    entries = []
    for number, spec in enumerate(specs, start=1):
        info = summary["labs"].get(spec.id)
        if not isinstance(info, dict):
            entries.append(IndexEntry(number, spec.id, spec.title, spec.summary, "not run"))
            continue
        note = ""
        if info.get("quick") != quick or info.get("seed") != seed:
            mode = "quick" if info.get("quick") else "full"
            note = f"earlier run: {mode}, seed {info.get('seed')}"
        seconds = info.get("seconds")
        entries.append(
            IndexEntry(
                number=number,
                lab_id=spec.id,
                title=spec.title,
                summary=spec.summary,
                status=str(info.get("status", "not run")),
                key_result=str(info.get("key_result", "")),
                error=str(info.get("error", "")),
                seconds=float(seconds) if isinstance(seconds, (int, float)) else None,
                report=str(info.get("report", "")),
                note=note,
            )
        )
    return entries
