"""Keras 3's weights file (``model.weights.h5``, ``*.weights.h5``): writing it, and reading it
without trusting it.

Layout (Keras's ``H5IOStore``): a group per saved object holding a ``vars`` group whose datasets
``"0"``, ``"1"``, ... are the object's variables in order; the ``vars`` group carries the object's
name as attribute ``name``::

    vars                    {name: <model name>}   (the model's own variables: none)
    layers/dense/vars/0     kernel (in, units)     {name: 'dense'} on layers/dense/vars
    layers/dense/vars/1     bias (units,)
    optimizer/vars/0        iterations (int32 scalar)
    optimizer/vars/1        learning_rate (float32 scalar)
    optimizer/vars/2...     the optimizer's slots (see :mod:`.keras_compile`)

Reading checks, before a dataset's data is read: the path exists and is made of hard links only
(no soft or external links), the ``vars`` group holds exactly the datasets ``"0"``..``"n-1"``, each
has the expected shape and a real floating-point dtype (or an integer one for ``iterations``), its
data is stored in the file itself (no external raw files, no virtual datasets), uncompressed, and
the bytes stored equal shape x itemsize (a dataset declaring terabytes is refused from its header).
Values must be finite. Every problem raises a ``ModelFileError`` (a ``ValueError``) naming the
file.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from typing import Any, NoReturn

import numpy as np

from .archive import ModelFileError

__all__ = ["WeightsReader", "write_weights"]

Shape = tuple[int, ...]


def _h5py() -> Any:
    try:
        import h5py
    except ImportError as err:  # pragma: no cover - h5py is a dependency
        raise ImportError("Keras files need h5py: pip install h5py") from err
    return h5py


def write_weights(
    model_name: str,
    layers: Sequence[tuple[str, str, Sequence[np.ndarray]]],
    optimizer: tuple[str, Sequence[np.ndarray]] | None = None,
) -> bytes:
    """The bytes of a Keras weights file: ``layers`` as (h5 path, layer name, arrays)."""
    h5py = _h5py()
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        f.create_group("vars").attrs["name"] = model_name
        f.create_group("layers")
        for path, name, arrays in layers:
            group = f.create_group(f"{path}/vars")
            group.attrs["name"] = name
            for i, array in enumerate(arrays):
                group.create_dataset(str(i), data=np.asarray(array))
        if optimizer is not None:
            name, arrays = optimizer
            group = f.create_group("optimizer/vars")
            group.attrs["name"] = name
            for i, array in enumerate(arrays):
                group.create_dataset(str(i), data=np.asarray(array))
    return buffer.getvalue()


class WeightsReader:
    """A weights file opened from its bytes; ``where`` (e.g. 'm.keras: model.weights.h5') names
    it in errors. Use as a context manager."""

    def __init__(self, data: bytes, where: str) -> None:
        self.where = where
        h5py = _h5py()
        self._h5py = h5py
        try:
            self._file = h5py.File(io.BytesIO(data), "r")
        except (OSError, ValueError) as err:
            self._fail("", f"is not an HDF5 file ({err})")

    def __enter__(self) -> WeightsReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self._file.close()

    def _fail(self, path: str, problem: str) -> NoReturn:
        at = f": {path}" if path else ""
        raise ModelFileError(f"{self.where}{at}: {problem}")

    def _group(self, path: str) -> Any:
        node = self._file
        walked = ""
        for part in path.split("/"):
            walked = f"{walked}/{part}" if walked else part
            try:
                link = node.get(part, getlink=True)
            except (KeyError, OSError, ValueError) as err:  # pragma: no cover - h5py errors
                self._fail(walked, f"cannot be read ({err})")
            if link is None:
                self._fail(walked, "is missing")
            if not isinstance(link, self._h5py.HardLink):
                self._fail(walked, f"is a {type(link).__name__}; only plain groups are read")
            node = node[part]
        if not isinstance(node, self._h5py.Group):
            self._fail(path, "is not a group")
        return node

    def has(self, path: str) -> bool:
        try:
            return path.split("/")[0] in self._file and path in self._file
        except (KeyError, OSError, ValueError):  # pragma: no cover
            return False

    def count(self, path: str) -> int:
        """Number of variables stored under ``path/vars``."""
        return len(self._names(path))

    def _names(self, path: str) -> list[str]:
        group = self._group(f"{path}/vars" if path else "vars")
        names = sorted(group.keys())
        wanted = [str(i) for i in range(len(names))]
        if sorted(names, key=lambda s: (len(s), s)) != wanted:
            self._fail(
                f"{path}/vars", f"holds {names[:8]}; expected datasets '0'..'{len(names) - 1}'"
            )
        return wanted

    def shapes(self, path: str) -> list[Shape]:
        """The declared shapes of ``path/vars/*`` (metadata only: nothing is read)."""
        group = self._group(f"{path}/vars")
        return [self._dataset(group, f"{path}/vars/{name}").shape for name in self._names(path)]

    def _dataset(self, group: Any, where: str) -> Any:
        name = where.rsplit("/", 1)[1]
        link = group.get(name, getlink=True)
        if not isinstance(link, self._h5py.HardLink):
            self._fail(where, "is a link, not a dataset")
        ds = group[name]
        if not isinstance(ds, self._h5py.Dataset):
            self._fail(where, "is not a dataset")
        return ds

    def _datasets(self, path: str, shapes: Sequence[Shape], integer_first: bool) -> list[Any]:
        group = self._group(f"{path}/vars")
        names = self._names(path)
        if len(names) != len(shapes):
            self._fail(
                f"{path}/vars", f"holds {len(names)} arrays; the model expects {len(shapes)}"
            )
        datasets = [self._dataset(group, f"{path}/vars/{n}") for n in names]
        for i, (ds, shape) in enumerate(zip(datasets, shapes, strict=True)):
            self._check(ds, f"{path}/vars/{i}", tuple(shape), integer=integer_first and i == 0)
        return datasets

    def check(self, path: str, shapes: Sequence[Shape], *, integer_first: bool = False) -> None:
        """Check ``path/vars`` against ``shapes`` from the metadata alone (nothing is read)."""
        self._datasets(path, shapes, integer_first)

    def read(
        self, path: str, shapes: Sequence[Shape], *, integer_first: bool = False
    ) -> list[np.ndarray]:
        """The arrays of ``path/vars``: exactly ``len(shapes)`` of those shapes, checked, then
        read (float32, finite; the first one an integer when ``integer_first``)."""
        datasets = self._datasets(path, shapes, integer_first)
        return [
            self._values(ds, f"{path}/vars/{i}", integer=integer_first and i == 0)
            for i, ds in enumerate(datasets)
        ]

    def _check(self, ds: Any, where: str, shape: Shape, integer: bool) -> None:
        if ds.shape != shape:
            self._fail(where, f"has shape {ds.shape}; the model expects {shape}")
        kinds = "iu" if integer else "f"
        if ds.dtype.kind not in kinds or ds.dtype.itemsize not in (1, 2, 4, 8):
            wanted = "an integer" if integer else "real floating point (float16/32/64)"
            self._fail(where, f"has dtype {ds.dtype}; expected {wanted}")
        plist = ds.id.get_create_plist()
        layout = plist.get_layout()
        h5d = self._h5py.h5d
        if layout not in (h5d.COMPACT, h5d.CONTIGUOUS, h5d.CHUNKED):
            self._fail(where, "is a virtual dataset (data in other files); refused")
        if plist.get_external_count():
            self._fail(where, "keeps its data in external files; refused")
        if plist.get_nfilters():
            self._fail(where, "is compressed or filtered; Keras weights are stored plainly")
        nbytes = math.prod(shape) * ds.dtype.itemsize
        stored = ds.id.get_storage_size()
        if stored != nbytes:
            self._fail(
                where, f"declares {shape} of {ds.dtype} ({nbytes} bytes) but stores {stored} bytes"
            )

    def _values(self, ds: Any, where: str, integer: bool) -> np.ndarray:
        try:
            array = np.asarray(ds[()])
        except (OSError, ValueError, TypeError) as err:
            self._fail(where, f"cannot be read ({err})")
        if integer:
            return array.astype(np.int64)
        with np.errstate(over="ignore"):
            values = array.astype(np.float32)
        bad = values.size - int(np.count_nonzero(np.isfinite(values)))
        if bad:
            self._fail(where, f"has {bad} NaN or infinite value(s) (as float32); must be finite")
        return values
