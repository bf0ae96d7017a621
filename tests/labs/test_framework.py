"""The lab registry, the run context and the runner, exercised with small fake labs."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nnlab.labs import LABS, LabSpec, get_lab, load_lab, resolve_ids
from nnlab.labs.base import LabContext
from nnlab.labs.runner import run_lab, run_labs

ISSUE_ORDER = [
    "random-variables",
    "joint-conditional-bayes",
    "monty-hall",
    "ml-map",
    "gradient-descent",
    "linear-regression",
    "polynomial-overfitting",
    "ridge-regression",
    "bayesian-linear-regression",
    "kl-cross-entropy",
    "logistic-regression",
    "computational-graph",
    "sgd-linear-regression",
    "keras-logistic",
    "mnist-softmax",
    "mnist-mlp-dropout",
    "mnist-convnet",
]


def good_lab(ctx: LabContext) -> dict[str, Any]:
    steps = ctx.param("steps", full=1000, quick=50)
    ctx.intro("A fake lab that draws numbers and a figure.")
    ctx.section("Data")
    ctx.paragraph("Uses `ctx.rng` and the formula $E[X] = \\mu$.")
    ctx.formula(r"\bar{x}_n = \frac{1}{n}\sum_{i=1}^n x_i")
    draws = ctx.rng.normal(size=steps)
    for _ in ctx.track(range(steps), "drawing"):
        pass
    ctx.log("step 1: loss 0.5", title="Training log")
    fig, ax = ctx.new_figure()
    ax.plot(np.cumsum(draws) / np.arange(1, steps + 1))
    ax.set_xlabel("n")
    ax.set_ylabel("running mean")
    ctx.figure(fig, "running-mean", "The running mean.")
    ctx.table(["n", "mean"], [(steps, float(draws.mean()))], title="Summary")
    ctx.check("mean near 0", draws.mean(), 0.0, tol=1.0, tex=r"\bar{x} \approx 0")
    ctx.correction("2 is the variance", "2 is the standard deviation", "the code passes scale=2")
    ctx.key_result = f"mean {draws.mean():.3f}"
    return {
        "mean": np.float32(draws.mean()),
        "first": draws[:3],
        "per_degree": {0: np.int64(1), 1: 2.5},
        "diverged": float("inf"),
    }


def failing_lab(ctx: LabContext) -> dict[str, Any]:
    ctx.paragraph("about to fail")
    raise RuntimeError("the data file is missing")


def missing_key_lab(ctx: LabContext) -> dict[str, Any]:
    return {"mean": 1.0}


def failed_check_lab(ctx: LabContext) -> dict[str, Any]:
    ctx.check("one equals two", 1.0, 2.0, tol=0.1)
    return {"mean": 1.0, "first": [1], "per_degree": {}, "diverged": False}


def unlabelled_lab(ctx: LabContext) -> dict[str, Any]:
    fig, ax = ctx.new_figure()
    ax.plot([0, 1], [0, 1])
    ctx.figure(fig, "bare")
    return {"mean": 0.0, "first": [], "per_degree": {}, "diverged": False}


FAKES = {
    "good": good_lab,
    "failing": failing_lab,
    "missing-key": missing_key_lab,
    "failed-check": failed_check_lab,
    "unlabelled": unlabelled_lab,
}


@pytest.fixture
def fake_labs(monkeypatch: pytest.MonkeyPatch) -> dict[str, LabSpec]:
    specs = {}
    for lab_id, run in FAKES.items():
        name = "nnlab_fake_" + lab_id.replace("-", "_")
        module = types.ModuleType(name)
        module.run = run  # type: ignore[attr-defined]
        monkeypatch.setitem(sys.modules, name, module)
        specs[lab_id] = LabSpec(
            lab_id,
            f"Fake {lab_id}",
            "A fake lab for tests.",
            name,
            ("mean", "first", "per_degree", "diverged"),
        )
    return specs


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []

    def lab_started(self, spec: LabSpec, number: int, total: int) -> None:
        self.events.append(("start", (spec.id, number, total)))

    def progress(self, message: str) -> None:
        self.events.append(("progress", message))

    def lab_finished(self, result: Any) -> None:
        self.events.append(("finish", (result.spec.id, result.status)))


def test_registry_has_the_labs_in_the_issue_order() -> None:
    assert [spec.id for spec in LABS] == ISSUE_ORDER
    for spec in LABS:
        assert spec.module == "nnlab.labs." + spec.id.replace("-", "_")
        assert spec.title and spec.summary and spec.keys
    assert get_lab("monty-hall").keys == ("p_stay_exact", "p_switch_exact", "p_switch_simulated")


def test_resolve_ids_all_duplicates_and_unknown() -> None:
    assert resolve_ids(["all"]) == list(LABS)
    assert [s.id for s in resolve_ids(["ml-map", "monty-hall", "ml-map"])] == [
        "ml-map",
        "monty-hall",
    ]
    with pytest.raises(ValueError, match="unknown lab 'nope'; known labs: random-variables"):
        resolve_ids(["nope"])
    with pytest.raises(ValueError, match="no lab given"):
        resolve_ids([])


def test_missing_module_or_run_is_reported(tmp_path: Path) -> None:
    spec = LabSpec("ghost", "Ghost", "none", "nnlab.labs.ghost_lab_that_does_not_exist", ())
    with pytest.raises(ModuleNotFoundError, match="ghost_lab_that_does_not_exist"):
        load_lab(spec)
    result = run_lab(spec, tmp_path / "out")
    assert not result.ok and "ghost_lab_that_does_not_exist" in result.error
    with pytest.raises(TypeError, match="has no run"):
        load_lab(LabSpec("no-run", "No run", "none", "nnlab.labs.base", ()))


def test_import_error_inside_a_lab_is_reported_as_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "nnlab_fake_broken.py").write_text("import nnlab_no_such_dependency\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    spec = LabSpec("broken", "Broken", "none", "nnlab_fake_broken", ())
    result = run_lab(spec, tmp_path / "out")
    assert not result.ok
    assert "No module named 'nnlab_no_such_dependency'" in result.error


def test_good_lab_writes_metrics_report_and_figure(
    tmp_path: Path, fake_labs: dict[str, LabSpec]
) -> None:
    recorder = Recorder()
    result = run_lab(fake_labs["good"], tmp_path, quick=True, seed=3, sink=recorder)
    assert result.ok, result.error
    lab_dir = tmp_path / "good"
    metrics = json.loads((lab_dir / "metrics.json").read_text())
    assert isinstance(metrics["mean"], float)
    assert len(metrics["first"]) == 3
    assert metrics["per_degree"] == {"0": 1, "1": 2.5}
    assert metrics["diverged"] is None  # inf is not JSON
    assert (lab_dir / "running-mean.png").read_bytes()[:4] == b"\x89PNG"
    html = (lab_dir / "report.html").read_text()
    for text in (
        "What this lab shows",
        "data:image/png;base64,",
        "data:image/svg+xml;base64,",
        "Corrections to the course notes",
        "2 is the standard deviation",
        "Settings used",
        "Checks: 1 of 1 hold",
        "Training log",
        "<code>ctx.rng</code>",
    ):
        assert text in html
    assert "http://" not in html and "https://" not in html  # self-contained
    assert result.key_result == f"mean {metrics['mean']:.3f}"
    assert "step 1: loss 0.5" in html
    assert any(kind == "progress" and "100%" in str(msg) for kind, msg in recorder.events)
    assert not list(lab_dir.glob("*.tmp"))


def test_same_seed_same_numbers(tmp_path: Path, fake_labs: dict[str, LabSpec]) -> None:
    first = run_lab(fake_labs["good"], tmp_path / "a", quick=True, seed=7).metrics
    again = run_lab(fake_labs["good"], tmp_path / "b", quick=True, seed=7).metrics
    other = run_lab(fake_labs["good"], tmp_path / "c", quick=True, seed=8).metrics
    assert first["mean"] == again["mean"]
    assert first["mean"] != other["mean"]


def test_quick_and_full_sizes(tmp_path: Path, fake_labs: dict[str, LabSpec]) -> None:
    quick = run_lab(fake_labs["good"], tmp_path / "q", quick=True)
    full = run_lab(fake_labs["good"], tmp_path / "f", quick=False)
    assert '<td class="num">50</td>' in (tmp_path / "q/good/report.html").read_text()
    assert '<td class="num">1000</td>' in (tmp_path / "f/good/report.html").read_text()
    assert quick.ok and full.ok


def test_failure_is_caught_and_the_other_labs_run(
    tmp_path: Path, fake_labs: dict[str, LabSpec]
) -> None:
    specs = [fake_labs["failing"], fake_labs["good"]]
    recorder = Recorder()
    results, index = run_labs(specs, tmp_path, quick=True, sink=recorder, catalogue=specs)
    assert [r.status for r in results] == ["failed", "ok"]
    assert results[0].error == "RuntimeError: the data file is missing"
    assert not (tmp_path / "failing" / "metrics.json").exists()
    report = (tmp_path / "failing" / "report.html").read_text()
    assert "This lab failed" in report and "the data file is missing" in report
    assert "Traceback" in report
    page = index.read_text()
    assert 'href="failing/report.html"' in page and 'href="good/report.html"' in page
    assert "the data file is missing" in page
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["labs"]["failing"]["status"] == "failed"
    assert ("finish", ("good", "ok")) in recorder.events


def test_missing_keys_and_failed_checks_fail_the_lab(
    tmp_path: Path, fake_labs: dict[str, LabSpec]
) -> None:
    missing = run_lab(fake_labs["missing-key"], tmp_path)
    assert not missing.ok and "first, per_degree, diverged" in missing.error
    checked = run_lab(fake_labs["failed-check"], tmp_path)
    assert not checked.ok and "one equals two" in checked.error
    assert (tmp_path / "failed-check" / "metrics.json").exists()


def test_unlabelled_axes_become_report_warnings(
    tmp_path: Path, fake_labs: dict[str, LabSpec]
) -> None:
    result = run_lab(fake_labs["unlabelled"], tmp_path)
    assert result.ok
    html = (tmp_path / "unlabelled" / "report.html").read_text()
    assert "figure &#x27;bare&#x27;: axes 1: no x label" in html


def test_index_keeps_earlier_runs_and_stale_outputs_go(
    tmp_path: Path, fake_labs: dict[str, LabSpec]
) -> None:
    catalogue = [fake_labs["good"], fake_labs["failing"], fake_labs["unlabelled"]]
    run_labs([fake_labs["good"]], tmp_path, quick=True, catalogue=catalogue)
    (tmp_path / "good" / "old-figure.png").write_bytes(b"old")
    _, index = run_labs([fake_labs["failing"]], tmp_path, quick=True, catalogue=catalogue)
    page = index.read_text()
    assert 'href="good/report.html"' in page and 'href="failing/report.html"' in page
    assert "not run" in page  # the unlabelled lab
    run_labs([fake_labs["good"]], tmp_path, quick=False, catalogue=catalogue)
    assert not (tmp_path / "good" / "old-figure.png").exists()
    assert "earlier run: quick, seed 0" in (tmp_path / "index.html").read_text()


def test_context_validates_its_arguments(tmp_path: Path, fake_labs: dict[str, LabSpec]) -> None:
    ctx = LabContext(fake_labs["good"], tmp_path)
    with pytest.raises(ValueError, match="row 0 has 1 cells, header has 2"):
        ctx.table(["a", "b"], [(1,)])
    fig, _ = ctx.new_figure()
    with pytest.raises(ValueError, match="must match"):
        ctx.figure(fig, "Bad Name")
    with pytest.raises(ValueError, match="plain file name"):
        ctx.path("../escape")
    with pytest.raises(ValueError, match="seed must be a non-negative integer"):
        LabContext(fake_labs["good"], tmp_path, seed=-1)
    with pytest.raises(ValueError, match="shape"):
        ctx.check("shapes", [1.0, 2.0], [1.0, 2.0, 3.0])
    assert ctx.check("arrays", [1.0, 2.0], np.array([1.0, 2.0 + 1e-12]), tol=1e-9)
    assert not ctx.check("nan never holds", float("nan"), 0.0, tol=1.0)
