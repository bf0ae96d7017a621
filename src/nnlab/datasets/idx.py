"""The IDX file format (the format MNIST is distributed in), read and written with NumPy.

An IDX file is a header followed by the raw array, all big-endian::

    bytes 0-1   0x00 0x00                       (the magic number's zero prefix)
    byte  2     dtype code: 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32,
                            0x0D float32, 0x0E float64
    byte  3     ndim, the number of dimensions (1 for labels, 3 for images)
    4*ndim      the dimensions, one unsigned 32-bit big-endian integer each
    the rest    prod(dims) items of that dtype, row-major (C order), big-endian

So the magic number of MNIST's image files is 0x00000803 (uint8, 3-D) and of its label files
0x00000801 (uint8, 1-D). A file may be gzip-compressed (recognised by its content, not its
name). Anything else -- a wrong magic number, an unknown dtype code, a size that disagrees with the
dimensions (their product is computed exactly, so a header declaring 2**32 - 1 on each axis is
reported, not overflowed, and nothing of the declared size is allocated) -- is rejected with a
``ValueError`` that names the file and the declared shape.
"""

from __future__ import annotations

import gzip
import math
import os
import zlib
from pathlib import Path

import numpy as np

from nnlab.atomic import atomic_writer

__all__ = [
    "IDX_DTYPES",
    "atomic_write_bytes",
    "idx_bytes",
    "maybe_gunzip",
    "parse_idx",
    "read_bytes",
    "read_idx",
    "write_idx",
]

#: dtype code -> big-endian NumPy dtype.
IDX_DTYPES: dict[int, np.dtype] = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_GZIP_MAGIC = b"\x1f\x8b"


def read_bytes(path: str | os.PathLike[str]) -> bytes:
    """The content of ``path``, gunzipped when it is gzip data (detected from its first bytes).

    Raises ``ValueError`` naming the file for a truncated or corrupt gzip stream.
    """
    return maybe_gunzip(Path(path).read_bytes(), str(path))


def maybe_gunzip(raw: bytes, name: str) -> bytes:
    """``raw`` gunzipped when it starts with gzip's magic bytes, else ``raw`` itself.

    Raises ``ValueError`` naming ``name`` for a truncated or corrupt gzip stream.
    """
    if not raw.startswith(_GZIP_MAGIC):
        return raw
    try:
        return gzip.decompress(raw)
    except (EOFError, OSError, zlib.error) as exc:
        raise ValueError(f"{name}: corrupt or truncated gzip data ({exc})") from exc


def parse_idx(data: bytes, name: str = "<bytes>") -> np.ndarray:
    """Parse the bytes of an (uncompressed) IDX file into an array in native byte order.

    Args:
        data: the whole file content.
        name: how errors refer to the data (usually the file's path).

    Returns:
        An array of shape ``dims`` and the header's dtype (native byte order, writable).
    """
    if len(data) < 4:
        raise ValueError(f"{name}: not an IDX file: {len(data)} bytes, shorter than the header")
    if data[0] != 0 or data[1] != 0:
        raise ValueError(
            f"{name}: bad IDX magic number 0x{data[:4].hex()} (expected 0x0000 followed by a dtype "
            "code and the number of dimensions, e.g. 0x00000803 for MNIST images)"
        )
    code, ndim = data[2], data[3]
    if code not in IDX_DTYPES:
        known = ", ".join(f"0x{c:02X}" for c in IDX_DTYPES)
        raise ValueError(f"{name}: unknown IDX dtype code 0x{code:02X} (known: {known})")
    header_size = 4 + 4 * ndim
    if len(data) < header_size:
        raise ValueError(
            f"{name}: truncated IDX header: {ndim} dimensions need {header_size} bytes, "
            f"the file has {len(data)}"
        )
    dims = tuple(int(d) for d in np.frombuffer(data, dtype=">u4", count=ndim, offset=4))
    dtype = IDX_DTYPES[code]
    expected = math.prod(dims) * dtype.itemsize  # Python ints: no overflow, nothing allocated
    actual = len(data) - header_size
    if actual < expected:
        raise ValueError(
            f"{name}: truncated IDX file or corrupt header: the declared shape {dims} of "
            f"{dtype.name} needs {expected} data bytes, only {actual} present"
        )
    if actual > expected:
        raise ValueError(
            f"{name}: {actual - expected} unexpected trailing bytes after the IDX data "
            f"(dimensions {dims} of {dtype.name} need {expected} bytes)"
        )
    array = np.frombuffer(data, dtype=dtype, offset=header_size).reshape(dims)
    return array.astype(dtype.newbyteorder("="), copy=True)


def read_idx(path: str | os.PathLike[str]) -> np.ndarray:
    """Read an IDX file (plain or gzip-compressed) into an array; see :func:`parse_idx`."""
    return parse_idx(read_bytes(path), name=str(path))


def idx_bytes(array: np.ndarray) -> bytes:
    """The IDX encoding of ``array`` (uncompressed)."""
    array = np.asarray(array)
    codes = {dt.newbyteorder("="): code for code, dt in IDX_DTYPES.items()}
    native = array.dtype.newbyteorder("=")
    if native not in codes:
        raise TypeError(f"write_idx: dtype {array.dtype} has no IDX code (use one of {codes})")
    if array.ndim > 255:
        raise ValueError(f"write_idx: IDX allows at most 255 dimensions, got {array.ndim}")
    header = bytes([0, 0, codes[native], array.ndim])
    dims = np.asarray(array.shape, dtype=">u4").tobytes()
    body = np.ascontiguousarray(array, dtype=IDX_DTYPES[codes[native]]).tobytes()
    return header + dims + body


def write_idx(
    path: str | os.PathLike[str], array: np.ndarray, compress: bool | None = None
) -> Path:
    """Write ``array`` as an IDX file, atomically (a temporary file, then ``os.replace``).

    Args:
        path: destination; gzip-compressed when ``compress`` is true, or, when ``compress`` is
            ``None``, when the name ends in ``.gz``.
        array: uint8, int8, int16, int32, float32 or float64 data of any shape.
    """
    path = Path(path)
    data = idx_bytes(array)
    if compress or (compress is None and path.suffix == ".gz"):
        data = gzip.compress(data, mtime=0)
    atomic_write_bytes(path, data)
    return path


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically, with the umask's permissions; see
    :func:`nnlab.atomic.atomic_writer`."""
    with atomic_writer(path) as f:
        f.write(data)
