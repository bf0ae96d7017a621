"""MNIST, read from its IDX files, with the interface of ``keras.datasets.mnist.load_data()``.

The four files (``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``,
``t10k-images-idx3-ubyte``, ``t10k-labels-idx1-ubyte``, each either plain or ``.gz``) are looked
for, file by file, in

1. the ``path`` argument (a folder),
2. ``$NNLAB_DATA/mnist`` when the ``NNLAB_DATA`` environment variable is set,
3. ``~/.cache/nnlab/mnist``.

A file found nowhere is downloaded (see :mod:`nnlab.datasets.download`) from :data:`MIRRORS` into
``path`` when given, else into ``~/.cache/nnlab/mnist``; its decompressed content must match the
SHA-256 in :data:`CHECKSUMS`. Files already on disk are trusted but parsed strictly: wrong magic
numbers, dimensions other than (N, 28, 28) / (N,), labels outside 0..9, image and label counts that
disagree and truncated files are errors naming the file.

Parsed arrays are kept in memory (keyed by file path, size and modification time), so loading a
second time costs one copy; callers always get fresh arrays they may modify.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from nnlab.datasets.download import download as download_file
from nnlab.datasets.idx import read_idx

__all__ = ["CHECKSUMS", "MIRRORS", "data_dirs", "find_file", "load_data", "load_mnist_flat"]

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

_CACHE: dict[tuple[str, int, int], np.ndarray] = {}
_CACHE_MAX = 8


def cache_dir() -> Path:
    """``~/.cache/nnlab/mnist``, where downloads go when no ``path`` is given."""
    return Path.home() / ".cache" / "nnlab" / "mnist"


def data_dirs(path: str | os.PathLike[str] | None = None) -> list[Path]:
    """The folders searched, in order: ``path``, ``$NNLAB_DATA/mnist``, ``~/.cache/nnlab/mnist``."""
    dirs: list[Path] = []
    if path is not None:
        dirs.append(Path(path).expanduser())
    env = os.environ.get("NNLAB_DATA")
    if env:
        dirs.append(Path(env).expanduser() / "mnist")
    dirs.append(cache_dir())
    return dirs


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


def _read_cached(file: Path) -> np.ndarray:
    stat = file.stat()
    key = (str(file.resolve()), stat.st_size, stat.st_mtime_ns)
    if key not in _CACHE:
        if len(_CACHE) >= _CACHE_MAX:
            _CACHE.pop(next(iter(_CACHE)))
        array = read_idx(file)
        array.flags.writeable = False
        _CACHE[key] = array
    return _CACHE[key].copy()


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


def _locate(
    base: str,
    dirs: Sequence[Path],
    target: Path,
    download: bool,
    mirrors: Sequence[str],
    checksums: Mapping[str, str],
    progress: bool,
) -> Path:
    found = find_file(base, dirs)
    if found is not None:
        return found
    if not download:
        searched = ", ".join(str(d) for d in dirs)
        raise FileNotFoundError(
            f"MNIST file {base}[.gz] not found in {searched} (and download=False); "
            "set NNLAB_DATA to a folder holding mnist/ or pass path="
        )
    if target.exists() and not target.is_dir():
        raise NotADirectoryError(f"mnist.load_data: path {target} is not a folder")
    return download_file(base + ".gz", target, mirrors, checksums.get(base), progress=progress)


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
        path: a folder holding the IDX files (searched first; downloads go there when given).
        download: fetch missing files from the mirrors (else ``FileNotFoundError``).
        mirrors: base URLs to download from (default :data:`MIRRORS`).
        checksums: expected SHA-256 of the decompressed files by base name (default
            :data:`CHECKSUMS`); a base name missing from the mapping is not checked.
        progress: draw a download progress bar on stderr.

    Returns:
        ``((x_train, y_train), (x_test, y_test))``: uint8 images of shape (60000, 28, 28) and
        (10000, 28, 28) with pixel values 0..255, uint8 digit labels of shape (60000,) and (10000,).
    """
    dirs = data_dirs(path)
    target = Path(path).expanduser() if path is not None else cache_dir()
    mirrors = MIRRORS if mirrors is None else tuple(mirrors)
    checksums = CHECKSUMS if checksums is None else checksums
    splits = []
    for prefix in ("train", "t10k"):
        files = [
            _locate(f"{prefix}-{kind}", dirs, target, download, mirrors, checksums, progress)
            for kind in ("images-idx3-ubyte", "labels-idx1-ubyte")
        ]
        images = _read_cached(files[0])
        _check_images(files[0], images)
        labels = _read_cached(files[1])
        _check_labels(files[1], labels, images.shape[0], files[0])
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
