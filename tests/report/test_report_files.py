"""Plain-JSON conversion and atomic writes (nnlab.report.files)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from nnlab.report.files import to_jsonable, write_json_atomic, write_text_atomic


def test_to_jsonable_converts_numpy_and_keys() -> None:
    value = {
        "a": np.float32(0.5),
        "b": np.int64(3),
        "c": np.array([[1, 2], [3, 4]]),
        "d": (np.bool_(True), None),
        1: {0.001: np.float64(-1.25)},
        "e": float("nan"),
        "f": -np.inf,
    }
    out = to_jsonable(value)
    assert out == {
        "a": 0.5,
        "b": 3,
        "c": [[1, 2], [3, 4]],
        "d": [True, None],
        "1": {"0.001": -1.25},
        "e": None,
        "f": None,
    }
    assert type(out["a"]) is float and type(out["b"]) is int and out["d"][0] is True
    json.dumps(out, allow_nan=False)


def test_to_jsonable_names_what_it_cannot_store() -> None:
    with pytest.raises(TypeError, match="type object"):
        to_jsonable({"x": object()})
    with pytest.raises(TypeError, match="dict key"):
        to_jsonable({(1, 2): 3})


def test_atomic_writes_replace_and_leave_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "metrics.json"
    write_json_atomic(target, {"k": np.float64(2.0)})
    write_json_atomic(target, {"k": 3})
    assert json.loads(target.read_text()) == {"k": 3}
    write_text_atomic(tmp_path / "page.html", "<p>é</p>")
    assert (tmp_path / "page.html").read_text(encoding="utf-8") == "<p>é</p>"
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == [
        "metrics.json",
        "page.html",
    ]


def test_failed_write_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "metrics.json"
    write_json_atomic(target, {"k": 1})
    with pytest.raises(TypeError):
        write_json_atomic(target, {"k": object()})
    assert json.loads(target.read_text()) == {"k": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["metrics.json"]
