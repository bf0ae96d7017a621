"""The IDX reader/writer: byte layout, round trips, and clear errors for broken files."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import numpy as np
import pytest

from nnlab.datasets.idx import idx_bytes, parse_idx, read_idx, write_idx


def test_parses_hand_written_bytes() -> None:
    # magic 0x00000801 (uint8, 1-D), 3 items
    data = bytes([0, 0, 0x08, 1, 0, 0, 0, 3, 7, 255, 0])
    out = parse_idx(data)
    assert out.dtype == np.uint8 and out.shape == (3,)
    assert out.tolist() == [7, 255, 0]
    # int32, 2-D (1, 2), big-endian values 1 and -2
    data = bytes([0, 0, 0x0C, 2, 0, 0, 0, 1, 0, 0, 0, 2]) + (1).to_bytes(4, "big")
    data += (-2).to_bytes(4, "big", signed=True)
    out = parse_idx(data)
    assert out.shape == (1, 2) and out.tolist() == [[1, -2]]
    assert out.dtype.isnative and out.flags.writeable


@pytest.mark.parametrize("dtype", ["u1", "i1", "i2", "i4", "f4", "f8"])
@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_round_trip(tmp_path: Path, dtype: str, suffix: str) -> None:
    rng = np.random.default_rng(1)
    array = (rng.normal(size=(3, 4, 5)) * 50).astype(dtype)
    path = write_idx(tmp_path / f"a{suffix}", array)
    assert path.read_bytes()[:2] == (b"\x1f\x8b" if suffix else b"\x00\x00")
    back = read_idx(path)
    assert back.dtype == np.dtype(dtype) and back.shape == (3, 4, 5)
    np.testing.assert_array_equal(back, array)
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary files left


def test_mnist_header_layout() -> None:
    images = np.zeros((2, 28, 28), dtype=np.uint8)
    data = idx_bytes(images)
    assert data[:4] == bytes.fromhex("00000803")
    assert data[4:16] == bytes.fromhex("00000002 0000001c 0000001c")
    assert len(data) == 16 + 2 * 28 * 28


def test_gzip_detected_by_content_not_name(tmp_path: Path) -> None:
    array = np.arange(6, dtype=np.uint8).reshape(2, 3)
    (tmp_path / "plain-named").write_bytes(gzip.compress(idx_bytes(array)))
    np.testing.assert_array_equal(read_idx(tmp_path / "plain-named"), array)


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_bad_magic_names_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "bad-magic", b"\x12\x34\x08\x01\x00\x00\x00\x01\x00")
    with pytest.raises(ValueError, match=r"bad-magic.*bad IDX magic number 0x12340801"):
        read_idx(path)


def test_unknown_dtype_code(tmp_path: Path) -> None:
    path = _write(tmp_path, "odd-dtype", b"\x00\x00\x07\x01\x00\x00\x00\x01\x00")
    with pytest.raises(ValueError, match=r"odd-dtype.*unknown IDX dtype code 0x07"):
        read_idx(path)


def test_truncated_header(tmp_path: Path) -> None:
    path = _write(tmp_path, "short-header", b"\x00\x00\x08\x03\x00\x00\x00\x02")
    with pytest.raises(ValueError, match=r"short-header.*truncated IDX header"):
        read_idx(path)
    with pytest.raises(ValueError, match="shorter than the header"):
        parse_idx(b"\x00\x00", name="tiny")


def test_truncated_data(tmp_path: Path) -> None:
    data = idx_bytes(np.zeros((4, 28, 28), dtype=np.uint8))
    path = _write(tmp_path, "cut.idx", data[:-10])
    with pytest.raises(ValueError, match=r"cut\.idx.*truncated IDX file.*\(4, 28, 28\)"):
        read_idx(path)


def test_trailing_bytes(tmp_path: Path) -> None:
    data = idx_bytes(np.zeros(5, dtype=np.uint8)) + b"xx"
    path = _write(tmp_path, "long.idx", data)
    with pytest.raises(ValueError, match=r"long\.idx.*2 unexpected trailing bytes"):
        read_idx(path)


def test_truncated_gzip(tmp_path: Path) -> None:
    data = gzip.compress(idx_bytes(np.arange(1000, dtype=np.int32)))
    path = _write(tmp_path, "cut.gz", data[: len(data) // 2])
    with pytest.raises(ValueError, match=r"cut\.gz.*corrupt or truncated gzip"):
        read_idx(path)


def test_write_rejects_unsupported_dtype_and_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="int64 has no IDX code"):
        write_idx(tmp_path / "x.idx", np.zeros(3, dtype=np.int64))
    assert list(tmp_path.iterdir()) == []


def test_write_replaces_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "x.idx"
    write_idx(path, np.zeros(3, dtype=np.uint8))
    write_idx(path, np.ones(2, dtype=np.float32))
    np.testing.assert_array_equal(read_idx(path), np.ones(2, dtype=np.float32))


@pytest.mark.parametrize(
    "dims",
    [(2**31, 2**31, 4), (2**32 - 1,) * 3],  # 2**64 wraps to 0 in int64; ~7.9e28 bytes
    ids=["wraps-int64", "huge"],
)
def test_overflowing_dimensions_name_file_and_shape(tmp_path: Path, dims: tuple) -> None:
    header = bytes([0, 0, 0x08, len(dims)]) + b"".join(d.to_bytes(4, "big") for d in dims)
    path = _write(tmp_path, "huge.idx", header)
    shape = re.escape(str(dims))
    with pytest.raises(ValueError, match=rf"huge\.idx: .*declared shape {shape} of uint8 needs"):
        read_idx(path)
