"""Reading a model archive (a zip of ``.npy`` members) without trusting a byte of it.

The checks run in this order, each before anything is allocated from what it guards:

1. the file: not empty, not a lone ``.npy`` array, a zip archive;
2. its directory: each name at most once and expected by the caller (nothing else is read), each
   member stored or deflated and unencrypted, its compressed bytes inside the file, all members
   together no larger than the file, and their declared uncompressed sizes together at most
   ``MAX_EXPANSION`` times the file's size (plus ``ALLOWANCE``): a zip bomb expands a
   thousand-fold, float weights barely compress;
3. a member's ``.npy`` header: format version 1 or 2, the expected dtype (real floating point for
   arrays, unicode for text) and shape, and header + shape x itemsize bytes equal to the member's
   declared uncompressed size (so a header claiming terabytes is refused before any data is read);
4. its data: exactly that many bytes, with a bounded read (zipfile checks the CRC); arrays are
   converted to float32 and must be finite.

Every error is a ``ModelFileError`` (a ``ValueError``): ``"<path>: <member>: <problem>"``.
The file is opened once; each member is read once, in one pass over its bytes.
"""

from __future__ import annotations

import contextlib
import math
import os
import zipfile
import zlib
from collections.abc import Collection, Iterator, KeysView
from typing import IO, Any, NoReturn

import numpy as np
from numpy.lib import format as npy

__all__ = ["ALLOWANCE", "MAX_EXPANSION", "Archive", "ModelFileError", "open_archive"]

MAX_EXPANSION = 100
ALLOWANCE = 1 << 20  # 1 MiB: small all-zero arrays compress far more than 100-fold
_MAX_HEADER = 10_000  # numpy's own limit on a .npy header
_NPY_MAGIC = b"\x93NUMPY"
_FLOAT_SIZES = (2, 4, 8)  # float16, float32, float64
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError)


class ModelFileError(ValueError):
    """A model file is malformed; the message names the file and the problem."""


def _size_text(n: int) -> str:
    for unit, size in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} bytes"


@contextlib.contextmanager
def open_archive(path: str) -> Iterator[Archive]:
    """Open ``path`` once and yield its checked :class:`Archive` (closed on exit).

    A missing file raises ``FileNotFoundError``; a malformed one ``ModelFileError``."""
    if not os.path.exists(path):
        raise FileNotFoundError(f"{path}: no such file")
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        if size == 0:
            raise ModelFileError(f"{path}: not an nnlab.keras model file: it is empty (0 bytes)")
        if f.read(len(_NPY_MAGIC)) == _NPY_MAGIC:
            raise ModelFileError(
                f"{path}: not an nnlab.keras model file: it is a single NumPy .npy array, not "
                "the .npz archive model.save writes"
            )
        f.seek(0)
        try:
            zf = zipfile.ZipFile(f)
        except _ZIP_ERRORS as err:
            raise ModelFileError(
                f"{path}: not an nnlab.keras model file: not a zip archive ({err})"
            ) from None
        with zf:
            yield Archive(path, zf, size)


class Archive:
    """The members of a model archive, checked against what the caller expects."""

    def __init__(self, path: str, zf: zipfile.ZipFile, size: int) -> None:
        self.path, self._zip, self._size = path, zf, size
        self._members: dict[str, zipfile.ZipInfo] = {}
        for info in zf.infolist():
            name = info.filename.removesuffix(".npy")
            if name == info.filename:
                self._fail(name, "is not a .npy array (a model archive holds only those)")
            if name in self._members:
                self._fail(name, "appears twice in the archive")
            self._members[name] = info
        self._check_sizes()

    def _fail(self, member: str, problem: str) -> NoReturn:
        raise ModelFileError(f"{self.path}: member {member!r}: {problem}")

    @property
    def names(self) -> KeysView[str]:
        """The member names, without the '.npy' suffix."""
        return self._members.keys()

    def _check_sizes(self) -> None:
        for name, info in self._members.items():
            if info.flag_bits & 0x1:
                self._fail(name, "is encrypted")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                self._fail(
                    name, f"uses compression method {info.compress_type}, not stored/deflate"
                )
            if info.compress_type == zipfile.ZIP_STORED and info.file_size != info.compress_size:
                self._fail(
                    name,
                    f"is stored uncompressed in {info.compress_size} bytes but declares "
                    f"{info.file_size}",
                )
            if info.header_offset + info.compress_size > self._size:
                self._fail(name, f"extends past the end of the file ({self._size} bytes)")
        stored = sum(info.compress_size for info in self._members.values())
        if stored > self._size:
            raise ModelFileError(
                f"{self.path}: its members claim {stored} bytes in a file of {self._size}: "
                "overlapping members (a zip bomb)"
            )
        declared = sum(info.file_size for info in self._members.values())
        if declared > MAX_EXPANSION * self._size + ALLOWANCE:
            raise ModelFileError(
                f"{self.path}: its members would expand to {_size_text(declared)} from a file of "
                f"{_size_text(self._size)}, more than {MAX_EXPANSION}-fold: a zip bomb"
            )

    def require(self, required: Collection[str], optional: Collection[str] = ()) -> None:
        """Every name in ``required`` present; nothing outside ``required`` and ``optional``."""
        missing = sorted(set(required) - self._members.keys())
        if missing:
            raise ModelFileError(f"{self.path}: missing member(s) {missing}")
        unexpected = sorted(self._members.keys() - set(required) - set(optional))
        if unexpected:
            raise ModelFileError(f"{self.path}: unexpected member(s) {unexpected}")

    @contextlib.contextmanager
    def _reading(self, name: str) -> Iterator[IO[bytes]]:
        """The member's byte stream; errors of zipfile and zlib become ModelFileError."""
        if name not in self._members:
            self._fail(name, "is missing")
        try:
            with self._zip.open(self._members[name]) as fp:
                yield fp
        except ModelFileError:
            raise
        except _ZIP_ERRORS as err:
            self._fail(name, f"cannot be read ({type(err).__name__}: {err})")

    def _header(self, name: str, fp: IO[bytes]) -> tuple[tuple[int, ...], bool, np.dtype[Any]]:
        """The member's .npy header (shape, Fortran order, dtype); the data size is checked
        against the member's declared size before anything else is read."""
        try:
            version = npy.read_magic(fp)
            if version == (1, 0):
                shape, fortran, dtype = npy.read_array_header_1_0(fp, _MAX_HEADER)
            elif version == (2, 0):
                shape, fortran, dtype = npy.read_array_header_2_0(fp, _MAX_HEADER)
            else:
                raise ValueError(f".npy format version {version} is not supported")
        except ValueError as err:
            self._fail(name, f"has no valid .npy header ({err})")
        data_bytes = math.prod(shape) * dtype.itemsize
        held = self._members[name].file_size - fp.tell()
        if data_bytes != held:
            self._fail(
                name,
                f"declares shape {shape} of {dtype} ({_size_text(data_bytes)}) but holds "
                f"{_size_text(held)} of data",
            )
        return shape, fortran, dtype

    def _read(self, name: str, kind: str, shape: tuple[int, ...] | None) -> np.ndarray:
        with self._reading(name) as fp:
            found, fortran, dtype = self._header(name, fp)
            if dtype.kind != kind or (kind == "f" and dtype.itemsize not in _FLOAT_SIZES):
                wanted = "real floating point (float16/32/64)" if kind == "f" else "text"
                self._fail(name, f"has dtype {dtype}; expected {wanted}")
            if shape is not None and found != shape:
                self._fail(name, f"has shape {found}; the model config implies {shape}")
            nbytes = math.prod(found) * dtype.itemsize
            data = fp.read(nbytes)  # bounded: never more than the header said
            if len(data) != nbytes:
                self._fail(name, f"is truncated ({len(data)} of {nbytes} bytes)")
        return np.frombuffer(data, dtype).reshape(found, order="F" if fortran else "C")

    def read_text(self, name: str) -> str:
        """A 0-d unicode member (the JSON config)."""
        return str(self._read(name, "U", ()).item())

    def read_weights(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """A real floating-point member of exactly ``shape``, as float32, every value finite."""
        array = self._read(name, "f", shape)
        with np.errstate(over="ignore"):
            weights = array.astype(np.float32)
        bad = weights.size - int(np.count_nonzero(np.isfinite(weights)))
        if bad:
            self._fail(
                name, f"has {bad} NaN or infinite value(s) (as float32); weights must be finite"
            )
        return weights
