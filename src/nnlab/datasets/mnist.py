"""MNIST, read from its IDX files, with the interface of ``keras.datasets.mnist.load_data()``.

The four files (``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``,
``t10k-images-idx3-ubyte``, ``t10k-labels-idx1-ubyte``, each either plain or ``.gz``) are read
from one folder, never mixed from several:

1. the ``path`` argument (a folder) when given: a file missing there is downloaded into it, or,
   with ``download=False``, is an error naming it;
2. else ``$NNLAB_DATA/mnist``, when the ``NNLAB_DATA`` environment variable is set and that folder
   holds any of the four files: then it must hold all four (an error names the missing ones;
   nothing is ever downloaded there);
3. else ``~/.cache/nnlab/mnist``, where missing files are downloaded.

Downloads come from :data:`MIRRORS` (see :mod:`nnlab.datasets.download`). Every file, downloaded
or found on disk, is checked against the SHA-256 of its decompressed content in :data:`CHECKSUMS`;
a mismatch is a :class:`ChecksumError` naming the file and both digests. A file of the user's
(in ``path`` or ``$NNLAB_DATA``) is never deleted or replaced; a file in the cache that fails is
downloaded again (with ``download=True``). The files are then parsed strictly: wrong magic numbers,
dimensions other than (N, 28, 28) / (N,), labels outside 0..9, image and label counts that disagree
and truncated files are errors naming the file.

Hashing costs one SHA-256 pass over the bytes already decompressed for parsing (about 30 ms for
the 55 MB of the four files, next to about 200 ms to gunzip and parse them). Each file's digest is
kept in memory with its parsed array, keyed by the file's absolute path, size and modification
time: loading a second time in the same process reads, hashes and parses nothing and costs one
copy; callers always get fresh arrays they may modify.
"""

from __future__ import annotations

import hashlib
import os
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, NamedTuple

import numpy as np

from nnlab.datasets.download import download as download_file
from nnlab.datasets.idx import maybe_gunzip, parse_idx

__all__ = [
    "CHECKSUMS",
    "MIRRORS",
    "ChecksumError",
    "cache_dir",
    "data_dirs",
    "find_file",
    "load_data",
    "load_mnist_flat",
]

#: Base URLs of public MNIST mirrors serving the four ``.gz`` files, tried in this order.
MIRRORS: tuple[str, ...] = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)

#: SHA-256 of the *decompressed* files, by base name.
CHECKSUMS: dict[str, str] = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}


_Kind = Literal["path", "env", "cache"]  # the folder given as `path`, $NNLAB_DATA/mnist, our cache


class ChecksumError(ValueError):
    """A data file whose decompressed content does not have the expected SHA-256."""

    def __init__(self, path: Path, expected: str, actual: str, hint: str):
        self.path, self.expected, self.actual = path, expected, actual
        super().__init__(
            f"{path}: SHA-256 mismatch: expected {expected}, got {actual} (of the decompressed "
            f"content); {hint}"
        )


class _Loaded(NamedTuple):
    sha256: str
    array: np.ndarray  # read-only; callers get copies


_CACHE: dict[tuple[str, int, int], _Loaded] = {}
_CACHE_MAX = 8


def cache_dir() -> Path:
    """``~/.cache/nnlab/mnist``, where downloads go when no ``path`` is given."""
    return Path.home() / ".cache" / "nnlab" / "mnist"


def _env_dir() -> Path | None:
    env = os.environ.get("NNLAB_DATA")
    return Path(env).expanduser() / "mnist" if env else None


def data_dirs(path: str | os.PathLike[str] | None = None) -> list[Path]:
    """The candidate folders, in order: ``[path]`` when given, else ``$NNLAB_DATA/mnist`` (when
    the variable is set) and ``~/.cache/nnlab/mnist``. The files are read from one of them."""
    if path is not None:
        return [Path(path).expanduser()]
    env = _env_dir()
    return ([env] if env is not None else []) + [cache_dir()]


def _candidate_names(base: str) -> list[str]:
    """``train-images-idx3-ubyte`` -> its ``.gz`` form, itself, and ``train-images.idx3-ubyte``."""
    dotted = base.replace("-idx", ".idx")
    return [base + ".gz", base, dotted + ".gz", dotted]


def find_file(base: str, dirs: Sequence[Path]) -> Path | None:
    """The first existing file for ``base`` (any accepted spelling) in ``dirs``, or ``None``."""
    for folder in dirs:
        for name in _candidate_names(base):
            candidate = folder / name
            if candidate.is_file():
                return candidate
    return None


def _choose_folder(
    path: str | os.PathLike[str] | None,
) -> tuple[Path, _Kind]:
    """The one folder the four files come from, and which of the three it is."""
    if path is not None:
        return Path(path).expanduser(), "path"
    env = _env_dir()
    if env is not None and any(find_file(base, [env]) for base in CHECKSUMS):
        return env, "env"
    return cache_dir(), "cache"


def _read_verified(file: Path, expected: str | None, hint: str) -> np.ndarray:
    """``file`` parsed as IDX once the SHA-256 of its decompressed content matched ``expected``
    (``None``: not checked); ``hint`` ends a :class:`ChecksumError`'s message."""
    with file.open("rb") as f:
        stat = os.fstat(f.fileno())
        key = (str(file.resolve()), stat.st_size, stat.st_mtime_ns)
        loaded = _CACHE.get(key)
        if loaded is None:
            loaded = _load(f.read(), file, expected, hint)
            if len(_CACHE) >= _CACHE_MAX:
                _CACHE.pop(next(iter(_CACHE)))
            _CACHE[key] = loaded
    _check_digest(file, loaded.sha256, expected, hint)
    return loaded.array.copy()


def _load(raw: bytes, file: Path, expected: str | None, hint: str) -> _Loaded:
    """Gunzip, hash, check the digest, then parse: nothing unverified is parsed."""
    data = maybe_gunzip(raw, str(file))
    digest = hashlib.sha256(data).hexdigest()
    _check_digest(file, digest, expected, hint)
    array = parse_idx(data, str(file))
    array.flags.writeable = False
    return _Loaded(digest, array)


def _check_digest(file: Path, actual: str, expected: str | None, hint: str) -> None:
    if expected is not None and actual != expected.lower():
        raise ChecksumError(file, expected.lower(), actual, hint)


def _check_images(file: Path, images: np.ndarray) -> None:
    if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != (28, 28):
        raise ValueError(
            f"{file}: MNIST images must be uint8 of shape (N, 28, 28), "
            f"got {images.dtype} of shape {images.shape}"
        )


def _check_labels(file: Path, labels: np.ndarray, n_images: int, images_file: Path) -> None:
    if labels.dtype != np.uint8 or labels.ndim != 1:
        raise ValueError(
            f"{file}: MNIST labels must be uint8 of shape (N,), "
            f"got {labels.dtype} of shape {labels.shape}"
        )
    if labels.shape[0] != n_images:
        raise ValueError(
            f"{file}: {labels.shape[0]} labels, but {images_file} holds {n_images} images"
        )
    if labels.size and labels.max() > 9:
        raise ValueError(f"{file}: MNIST labels must be digits 0..9, found {labels.max()}")


@dataclass(frozen=True)
class _Folder:
    """The one folder the four files are read from, and what may be done there."""

    path: Path
    kind: _Kind
    download: bool
    mirrors: tuple[str, ...]
    checksums: Mapping[str, str]
    progress: bool

    def complete(self) -> None:
        """Download the missing files, or raise ``FileNotFoundError`` naming them."""
        missing = [base for base in CHECKSUMS if find_file(base, [self.path]) is None]
        if not missing:
            return
        names = ", ".join(f"{base}[.gz]" for base in missing)
        if self.kind == "env":
            raise FileNotFoundError(
                f"MNIST file(s) {names} not found in {self.path} ($NNLAB_DATA/mnist), which holds "
                "the others; the four files are read from one folder: complete it, or unset "
                f"NNLAB_DATA to use {cache_dir()}"
            )
        if not self.download:
            raise FileNotFoundError(
                f"MNIST file(s) {names} not found in {self.path} (and download=False); "
                "set NNLAB_DATA to a folder holding mnist/ or pass path="
            )
        for base in missing:
            self.fetch(base)

    def fetch(self, base: str) -> None:
        if self.path.exists() and not self.path.is_dir():
            raise NotADirectoryError(f"mnist.load_data: path {self.path} is not a folder")
        download_file(
            base + ".gz", self.path, self.mirrors, self.checksums.get(base), progress=self.progress
        )

    def read(self, base: str) -> tuple[Path, np.ndarray]:
        """The file for ``base`` and its verified array; a cached file that fails its checksum
        is downloaded again when downloads are allowed."""
        expected = self.checksums.get(base)
        file = self.file(base)
        try:
            return file, _read_verified(file, expected, self.hint)
        except ChecksumError as err:
            if self.kind != "cache" or not self.download:
                raise
            warnings.warn(f"{err}; downloading it again", RuntimeWarning, stacklevel=3)
        self.fetch(base)
        file = self.file(base)
        return file, _read_verified(file, expected, self.hint)

    def file(self, base: str) -> Path:
        found = find_file(base, [self.path])
        if found is None:
            raise FileNotFoundError(f"MNIST file {base}[.gz] not found in {self.path}")
        return found

    @property
    def hint(self) -> str:
        if self.kind == "cache":
            return "delete it, or load with download=True to download it again"
        return (
            "it is not the standard MNIST file: replace it, or pass checksums={} to skip the "
            "check (nnlab never deletes or replaces your files)"
        )


def load_data(
    path: str | os.PathLike[str] | None = None,
    *,
    download: bool = True,
    mirrors: Sequence[str] | None = None,
    checksums: Mapping[str, str] | None = None,
    progress: bool = True,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Load MNIST as ``keras.datasets.mnist.load_data()`` does.

    Args:
        path: the folder holding the four IDX files; all four are read from there, missing ones
            are downloaded into it. Default: ``$NNLAB_DATA/mnist`` or ``~/.cache/nnlab/mnist``
            (see the module's docstring).
        download: fetch missing files from the mirrors (else ``FileNotFoundError``).
        mirrors: base URLs to download from (default :data:`MIRRORS`).
        checksums: expected SHA-256 of the decompressed files by base name (default
            :data:`CHECKSUMS`); a base name missing from the mapping is not checked.
        progress: draw a download progress bar on stderr.

    Returns:
        ``((x_train, y_train), (x_test, y_test))``: uint8 images of shape (60000, 28, 28) and
        (10000, 28, 28) with pixel values 0..255, uint8 digit labels of shape (60000,) and (10000,).

    Raises:
        FileNotFoundError: a file missing from the folder (named), and not downloaded.
        ChecksumError: a file whose content is not the expected one (named, with both digests).
        ValueError: a file that is not MNIST-shaped IDX data (named).
    """
    folder = _Folder(
        *_choose_folder(path),
        download=download,
        mirrors=MIRRORS if mirrors is None else tuple(mirrors),
        checksums=CHECKSUMS if checksums is None else checksums,
        progress=progress,
    )
    folder.complete()
    splits = []
    for prefix in ("train", "t10k"):
        images_file, images = folder.read(f"{prefix}-images-idx3-ubyte")
        _check_images(images_file, images)
        labels_file, labels = folder.read(f"{prefix}-labels-idx1-ubyte")
        _check_labels(labels_file, labels, images.shape[0], images_file)
        splits.append((images, labels))
    return splits[0], splits[1]


def load_mnist_flat(
    path: str | os.PathLike[str] | None = None,
    limit: int | None = None,
    *,
    download: bool = True,
    mirrors: Sequence[str] | None = None,
    checksums: Mapping[str, str] | None = None,
    progress: bool = True,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """MNIST ready for a multilayer perceptron: flattened float32 pixels in [0, 1], int64 labels.

    ``x = images.reshape(N, 784) / 255`` (float32), ``y = labels`` (int64, digits 0..9).

    Args:
        path, download, mirrors, checksums, progress: as for :func:`load_data`.
        limit: keep only the first ``limit`` examples of each split (train and test), for quick
            runs.

    Returns:
        ``((x_train, y_train), (x_test, y_test))`` with shapes (N, 784) and (N,).
    """
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise ValueError(f"load_mnist_flat: limit must be a positive int or None, got {limit!r}")
    (x_train, y_train), (x_test, y_test) = load_data(
        path, download=download, mirrors=mirrors, checksums=checksums, progress=progress
    )

    def flat(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x, y = x[:limit], y[:limit]
        pixels = x.reshape(x.shape[0], -1).astype(np.float32) / np.float32(255.0)
        return pixels, y.astype(np.int64)

    return flat(x_train, y_train), flat(x_test, y_test)
