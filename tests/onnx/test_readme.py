"""The README's "Saving, loading and exporting" example runs and says what it prints."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")

README = Path(__file__).resolve().parents[2] / "README.md"


def _example() -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Saving, loading and exporting", 1)[1].split("\n## ", 1)[0]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_readme_round_trip_runs(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(_example(), "README.md", "exec"), namespace)  # noqa: S102 - our own README
    onnx_diff, restored_diff = (float(line) for line in capsys.readouterr().out.split())
    assert onnx_diff <= 1e-5 and restored_diff == 0.0
    model, x, y = namespace["model"], namespace["x"], namespace["y"]
    assert np.mean(model.predict(x).argmax(1) == y) > 0.9  # it did learn the quadrants
    assert sorted(p.name for p in tmp_path.iterdir()) == ["xor.keras", "xor.onnx"]
