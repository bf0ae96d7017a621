"""The nnlab command: list, run (with fake labs), demo, playground, --version."""

from __future__ import annotations

import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest

import nnlab
from nnlab import cli
from nnlab.labs import LABS, LabSpec


def ok_lab(ctx: Any) -> dict[str, float]:
    ctx.progress("halfway", 1, 2)
    ctx.key_result = "score 0.75"
    return {"score": 0.75}


def broken_lab(ctx: Any) -> dict[str, float]:
    raise ValueError("bad setting")


@pytest.fixture
def fake_registry(monkeypatch: pytest.MonkeyPatch) -> tuple[LabSpec, ...]:
    specs = []
    for lab_id, run in (("fake-ok", ok_lab), ("fake-broken", broken_lab)):
        name = "nnlab_cli_" + lab_id.replace("-", "_")
        module = types.ModuleType(name)
        module.run = run  # type: ignore[attr-defined]
        monkeypatch.setitem(sys.modules, name, module)
        specs.append(LabSpec(lab_id, lab_id.title(), "fake", name, ("score",)))
    monkeypatch.setattr(cli, "LABS", tuple(specs))
    return tuple(specs)


def test_list_shows_every_lab(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["list"]) == 0
    out = capsys.readouterr().out
    for number, spec in enumerate(LABS, start=1):
        assert f"{number:2d}. {spec.id}" in out
        assert spec.summary in out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"nnlab {nnlab.__version__}"


def test_python_dash_m_runs_the_cli() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "nnlab", "--version"], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == f"nnlab {nnlab.__version__}"


def test_run_unknown_id_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["run", "no-such-lab"]) == 2
    assert "unknown lab 'no-such-lab'" in capsys.readouterr().err


def test_run_reports_failures_after_running_all(
    fake_registry: tuple[LabSpec, ...], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = cli.main(["run", "all", "--out", str(tmp_path), "--quick", "--seed", "5"])
    out = capsys.readouterr().out
    assert status == 1
    assert "[1/2] fake-ok" in out and "[2/2] fake-broken" in out
    assert "score 0.75" in out
    assert "fake-broken: ValueError: bad setting" in out
    assert f"Index: {(tmp_path / 'index.html').resolve()}" in out
    assert (tmp_path / "fake-ok" / "metrics.json").exists()
    assert (tmp_path / "fake-broken" / "report.html").exists()


def test_run_success_exits_0(
    fake_registry: tuple[LabSpec, ...], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["run", "fake-ok", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "lab" in out and "key result" in out and "seconds" in out
    assert "failed" not in out


def test_bad_seed_is_rejected(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["run", "all", "--seed", "-3"])
    assert "--seed must be >= 0" in capsys.readouterr().err


def test_demo_matches_the_analytic_gradients(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["demo", "--x", "2", "--y", "1"]) == 0
    out = capsys.readouterr().out
    lines = {line.split()[0]: line.split() for line in out.splitlines() if line.startswith("df/")}
    assert float(lines["df/dx"][1]) == pytest.approx(11.0)  # 2x + y + 2(x + y)
    assert float(lines["df/dy"][1]) == pytest.approx(8.0)  # x + 2(x + y)
    assert float(lines["df/dx"][2]) == 11.0 and float(lines["df/dy"][2]) == 8.0
    assert "f = 15" in out


def test_playground_calls_serve(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, Any]] = []
    server = types.ModuleType("nnlab.playground.server")
    server.serve = lambda **kwargs: calls.append(kwargs)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "nnlab.playground.server", server)
    assert cli.main(["playground", "--host", "0.0.0.0", "--port", "9001", "--open"]) == 0
    assert calls == [{"host": "0.0.0.0", "port": 9001, "open_browser": True}]
