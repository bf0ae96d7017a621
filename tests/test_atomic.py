"""Atomic writes of data files: permissions from the umask, nothing half-written, stale parts."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from nnlab.atomic import STALE_AFTER_S, atomic_writer, remove_stale_parts
from nnlab.datasets.download import download
from nnlab.datasets.idx import write_idx


@pytest.fixture
def set_umask() -> Iterator[Callable[[int], None]]:
    """``set_umask(mask)`` for the test; the previous umask is restored afterwards."""
    previous = os.umask(0o022)
    os.umask(previous)
    yield os.umask
    os.umask(previous)


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)])
def test_written_files_follow_the_umask(tmp_path: Path, set_umask, mask: int, mode: int) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "blob.bin").write_bytes(b"payload")
    set_umask(mask)
    written = write_idx(tmp_path / "a.idx", np.arange(3, dtype=np.uint8))
    fetched = download("blob.bin", tmp_path / "dest", [src.as_uri()], None, progress=False)
    assert _mode(written) == mode and _mode(fetched) == mode


def test_failed_write_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "data.gz"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError, match="interrupted"), atomic_writer(target) as f:
        f.write(b"new, half")
        raise RuntimeError("interrupted")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["data.gz"]
    with atomic_writer(target) as f:
        f.write(b"new")
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["data.gz"]


def _touch(path: Path, age_s: float) -> Path:
    path.write_bytes(b"partial")
    stat = path.stat()
    old = stat.st_mtime_ns - int(age_s * 1e9)
    os.utime(path, ns=(old, old))
    return path


def test_remove_stale_parts_only_ours_and_only_old(tmp_path: Path) -> None:
    old = STALE_AFTER_S + 60
    stale = [
        _touch(tmp_path / ".data.gz.0123abcd.part", old),  # ours
        _touch(tmp_path / ".data.gz.k_3xq9zz.part", old),  # tempfile.mkstemp's (older nnlab)
    ]
    kept = [
        _touch(tmp_path / ".data.gz.89abcdef.part", 1),  # fresh: a live download's
        _touch(tmp_path / ".other.gz.0123abcd.part", old),  # another file's
        _touch(tmp_path / "data.gz.part", old),  # not our naming
        _touch(tmp_path / ".data.gz.0123abcd.part.keep", old),
        _touch(tmp_path / ".data.gz.01234.part", old),
    ]
    (tmp_path / ".data.gz.fedcba98.part").mkdir()  # not a file
    assert sorted(remove_stale_parts(tmp_path, "data.gz")) == sorted(stale)
    assert not any(p.exists() for p in stale)
    assert all(p.exists() for p in kept)
    assert remove_stale_parts(tmp_path / "missing", "data.gz") == []


def test_download_cleans_stale_parts(tmp_path: Path) -> None:
    src, dest = tmp_path / "src", tmp_path / "dest"
    src.mkdir()
    dest.mkdir()
    (src / "data.gz").write_bytes(b"payload")
    stale = _touch(dest / ".data.gz.0123abcd.part", STALE_AFTER_S + 60)
    live = _touch(dest / ".data.gz.89abcdef.part", 1)
    download("data.gz", dest, [src.as_uri()], None, progress=False)
    assert sorted(p.name for p in dest.iterdir()) == sorted(["data.gz", live.name])
    assert not stale.exists()
