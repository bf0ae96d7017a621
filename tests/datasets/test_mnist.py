"""MNIST loading: search order, downloads (local server), strict checks, the flat helper."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import numpy as np
import pytest

from nnlab.datasets import mnist
from nnlab.datasets.download import DownloadError
from nnlab.datasets.idx import idx_bytes, write_idx

BASES = list(mnist.CHECKSUMS)


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No real NNLAB_DATA, and a HOME (hence ~/.cache/nnlab/mnist) inside tmp_path."""
    monkeypatch.delenv("NNLAB_DATA", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


def _assert_loaded(result, arrays) -> None:
    (x_train, y_train), (x_test, y_test) = result
    expected = [arrays[b] for b in BASES]
    for got, want in zip((x_train, y_train, x_test, y_test), expected, strict=True):
        assert got.dtype == np.uint8 and got.shape == want.shape
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("gz", [True, False])
def test_loads_from_path(tmp_path: Path, mnist_tools, gz: bool) -> None:
    arrays = mnist_tools.fake()
    mnist_tools.write(tmp_path / "d", arrays, gz=gz)
    _assert_loaded(mnist.load_data(tmp_path / "d", download=False), arrays)


def test_dotted_file_names_accepted(tmp_path: Path, mnist_tools) -> None:
    arrays = mnist_tools.fake()
    for base, array in arrays.items():
        write_idx(tmp_path / base.replace("-idx", ".idx"), array)
    _assert_loaded(mnist.load_data(tmp_path, download=False), arrays)


def test_search_order(tmp_path: Path, mnist_tools, monkeypatch) -> None:
    first, second, third = (mnist_tools.fake(seed=s) for s in (1, 2, 3))
    given, env, cache = tmp_path / "given", tmp_path / "env", tmp_path / "home/.cache/nnlab/mnist"
    mnist_tools.write(cache, third)
    _assert_loaded(mnist.load_data(download=False), third)  # only the cache
    mnist_tools.write(env / "mnist", second)
    monkeypatch.setenv("NNLAB_DATA", str(env))
    assert mnist.data_dirs(given) == [given, env / "mnist", cache]
    _assert_loaded(mnist.load_data(download=False), second)  # NNLAB_DATA before the cache
    mnist_tools.write(given, first)
    _assert_loaded(mnist.load_data(given, download=False), first)  # path first
    # a file missing from `path` is taken from the next folder
    (given / "t10k-labels-idx1-ubyte.gz").unlink()
    (x_tr, y_tr), (x_te, y_te) = mnist.load_data(given, download=False)
    np.testing.assert_array_equal(x_te, first["t10k-images-idx3-ubyte"])
    np.testing.assert_array_equal(y_te, second["t10k-labels-idx1-ubyte"])


def test_missing_without_download(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"train-images-idx3-ubyte\[\.gz\] not found"):
        mnist.load_data(tmp_path, download=False)


def test_downloads_missing_files_into_path(tmp_path: Path, server, mnist_tools) -> None:
    arrays = mnist_tools.fake(seed=7)
    mnist_tools.write(server.root, arrays)
    dest = tmp_path / "new"
    mirrors = [server.url + "offline/", server.url]
    result = mnist.load_data(
        dest, mirrors=mirrors, checksums=mnist_tools.checksums(arrays), progress=False
    )
    _assert_loaded(result, arrays)
    assert sorted(p.name for p in dest.iterdir()) == sorted(b + ".gz" for b in BASES)
    assert len(server.requests) == 8  # each file: the failing mirror, then the good one
    _assert_loaded(mnist.load_data(dest, mirrors=mirrors, progress=False), arrays)
    assert len(server.requests) == 8  # nothing downloaded the second time


def test_download_goes_to_cache_without_path(tmp_path: Path, server, mnist_tools) -> None:
    arrays = mnist_tools.fake(seed=8)
    mnist_tools.write(server.root, arrays)
    mnist.load_data(mirrors=[server.url], checksums=mnist_tools.checksums(arrays), progress=False)
    cache = tmp_path / "home/.cache/nnlab/mnist"
    assert sorted(p.name for p in cache.iterdir()) == sorted(b + ".gz" for b in BASES)


def test_download_checksum_mismatch_leaves_nothing(tmp_path: Path, server, mnist_tools) -> None:
    arrays = mnist_tools.fake(seed=9)
    mnist_tools.write(server.root, arrays)
    dest = tmp_path / "new"
    with pytest.raises(DownloadError, match="SHA-256 mismatch"):
        mnist.load_data(dest, mirrors=[server.url], progress=False)  # the real MNIST checksums
    assert list(dest.iterdir()) == []


def _broken(tmp_path: Path, mnist_tools, base: str, array: np.ndarray) -> Path:
    arrays = mnist_tools.fake()
    arrays[base] = array
    mnist_tools.write(tmp_path, arrays)
    return tmp_path / (base + ".gz")


def test_wrong_image_dimensions(tmp_path: Path, mnist_tools) -> None:
    bad = np.zeros((12, 27, 28), dtype=np.uint8)
    path = _broken(tmp_path, mnist_tools, "train-images-idx3-ubyte", bad)
    with pytest.raises(ValueError, match=rf"{path}: MNIST images must be uint8 of shape"):
        mnist.load_data(tmp_path, download=False)


def test_wrong_label_dtype(tmp_path: Path, mnist_tools) -> None:
    path = _broken(tmp_path, mnist_tools, "t10k-labels-idx1-ubyte", np.zeros(5, dtype=np.int32))
    with pytest.raises(ValueError, match=rf"{path}: MNIST labels must be uint8"):
        mnist.load_data(tmp_path, download=False)


def test_label_count_and_range(tmp_path: Path, mnist_tools) -> None:
    path = _broken(tmp_path, mnist_tools, "train-labels-idx1-ubyte", np.zeros(11, dtype=np.uint8))
    with pytest.raises(ValueError, match=rf"{path}: 11 labels, but .* holds 12 images"):
        mnist.load_data(tmp_path, download=False)
    path = _broken(tmp_path, mnist_tools, "train-labels-idx1-ubyte", np.full(12, 10, np.uint8))
    with pytest.raises(ValueError, match="digits 0..9, found 10"):
        mnist.load_data(tmp_path, download=False)


def test_truncated_file(tmp_path: Path, mnist_tools) -> None:
    mnist_tools.write(tmp_path, mnist_tools.fake(), gz=False)
    path = tmp_path / "t10k-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:-1])
    with pytest.raises(ValueError, match=rf"{path}: truncated IDX file"):
        mnist.load_data(tmp_path, download=False)


def test_bad_magic(tmp_path: Path, mnist_tools) -> None:
    mnist_tools.write(tmp_path, mnist_tools.fake(), gz=False)
    path = tmp_path / "train-labels-idx1-ubyte"
    path.write_bytes(b"\x08\x01" + path.read_bytes()[2:])
    with pytest.raises(ValueError, match=rf"{path}: bad IDX magic"):
        mnist.load_data(tmp_path, download=False)


def test_results_are_fresh_copies_and_cache_sees_changes(tmp_path: Path, mnist_tools) -> None:
    arrays = mnist_tools.fake()
    mnist_tools.write(tmp_path, arrays)
    (x, _), _ = mnist.load_data(tmp_path, download=False)
    x[:] = 0
    (x2, _), _ = mnist.load_data(tmp_path, download=False)
    np.testing.assert_array_equal(x2, arrays["train-images-idx3-ubyte"])
    # a rewritten file is read again (the cache is keyed by size and mtime)
    path = tmp_path / "train-labels-idx1-ubyte.gz"
    new_labels = (arrays["train-labels-idx1-ubyte"] + 1) % 10
    path.write_bytes(gzip.compress(idx_bytes(new_labels)))
    os.utime(path, ns=(1, 1))
    (_, y3), _ = mnist.load_data(tmp_path, download=False)
    np.testing.assert_array_equal(y3, new_labels)


def test_load_mnist_flat(tmp_path: Path, mnist_tools) -> None:
    arrays = mnist_tools.fake()
    mnist_tools.write(tmp_path, arrays)
    (x, y), (xt, yt) = mnist.load_mnist_flat(tmp_path, download=False)
    assert x.shape == (12, 784) and x.dtype == np.float32 and y.dtype == np.int64
    assert xt.shape == (5, 784) and yt.shape == (5,)
    assert x.min() >= 0.0 and x.max() <= 1.0
    np.testing.assert_allclose(x * 255, arrays["train-images-idx3-ubyte"].reshape(12, 784), 1e-5)
    np.testing.assert_array_equal(yt, arrays["t10k-labels-idx1-ubyte"])
    (x, y), (xt, yt) = mnist.load_mnist_flat(tmp_path, limit=3, download=False)
    assert x.shape == (3, 784) and y.shape == (3,) and xt.shape == (3, 784)
    with pytest.raises(ValueError, match="limit must be a positive int"):
        mnist.load_mnist_flat(tmp_path, limit=0, download=False)


def _real_dir() -> Path | None:
    env = os.environ.get("NNLAB_DATA")
    return Path(env) / "mnist" if env else None


REAL = _real_dir()


@pytest.mark.skipif(REAL is None, reason="NNLAB_DATA is not set (the full MNIST lives there)")
def test_real_mnist() -> None:
    assert REAL is not None
    (x_train, y_train), (x_test, y_test) = mnist.load_data(REAL, download=False, progress=False)
    assert x_train.shape == (60000, 28, 28) and y_train.shape == (60000,)
    assert x_test.shape == (10000, 28, 28) and y_test.shape == (10000,)
    assert {a.dtype for a in (x_train, y_train, x_test, y_test)} == {np.dtype(np.uint8)}
    assert y_train[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert y_test[:5].tolist() == [7, 2, 1, 0, 4]
    assert np.bincount(y_train).tolist()[:2] == [5923, 6742]
    assert x_train.max() == 255 and x_train.min() == 0
    (xf, yf), _ = mnist.load_mnist_flat(REAL, limit=100, download=False)
    assert xf.shape == (100, 784) and yf.dtype == np.int64


@pytest.mark.skipif(REAL is None, reason="NNLAB_DATA is not set (the full MNIST lives there)")
def test_real_mnist_checksums() -> None:
    from nnlab.datasets.download import sha256_of_content

    assert REAL is not None
    for base, digest in mnist.CHECKSUMS.items():
        found = mnist.find_file(base, [REAL])
        assert found is not None, base
        with found.open("rb") as f:
            assert sha256_of_content(f) == digest
