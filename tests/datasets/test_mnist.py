"""MNIST loading: search order, downloads (local server), strict checks, the flat helper."""

from __future__ import annotations

import gzip
import os
import re
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


@pytest.fixture
def load(mnist_tools):
    """``load(folder, arrays, **kwargs)``: ``load_data(folder, download=False, **kwargs)`` with
    the checksums of the fake ``arrays``."""

    def load(folder: Path | None, arrays, **kwargs):
        kwargs.setdefault("download", False)
        return mnist.load_data(folder, checksums=mnist_tools.checksums(arrays), **kwargs)

    return load


@pytest.mark.parametrize("gz", [True, False])
def test_loads_from_path(tmp_path: Path, mnist_tools, load, gz: bool) -> None:
    arrays = mnist_tools.fake()
    mnist_tools.write(tmp_path / "d", arrays, gz=gz)
    _assert_loaded(load(tmp_path / "d", arrays), arrays)


def test_dotted_file_names_accepted(tmp_path: Path, mnist_tools, load) -> None:
    arrays = mnist_tools.fake()
    for base, array in arrays.items():
        write_idx(tmp_path / base.replace("-idx", ".idx"), array)
    _assert_loaded(load(tmp_path, arrays), arrays)


def test_folder_choice(tmp_path: Path, mnist_tools, load, monkeypatch) -> None:
    first, second, third = (mnist_tools.fake(seed=s) for s in (1, 2, 3))
    given, env, cache = tmp_path / "given", tmp_path / "env", tmp_path / "home/.cache/nnlab/mnist"
    mnist_tools.write(cache, third)
    _assert_loaded(load(None, third), third)  # only the cache
    monkeypatch.setenv("NNLAB_DATA", str(env))
    assert mnist.data_dirs() == [env / "mnist", cache]
    _assert_loaded(load(None, third), third)  # $NNLAB_DATA/mnist holds nothing: the cache
    mnist_tools.write(env / "mnist", second)
    _assert_loaded(load(None, second), second)  # NNLAB_DATA before the cache
    mnist_tools.write(given, first)
    assert mnist.data_dirs(given) == [given]
    _assert_loaded(load(given, first), first)  # path first


def test_file_missing_from_path_is_not_taken_elsewhere(
    tmp_path: Path, mnist_tools, load, monkeypatch
) -> None:
    arrays = mnist_tools.fake()
    given, env = tmp_path / "given", tmp_path / "env"
    mnist_tools.write(given, arrays)
    mnist_tools.write(env / "mnist", arrays)
    mnist_tools.write(tmp_path / "home/.cache/nnlab/mnist", arrays)
    monkeypatch.setenv("NNLAB_DATA", str(env))
    (given / "t10k-labels-idx1-ubyte.gz").unlink()
    message = rf"t10k-labels-idx1-ubyte\[\.gz\] not found in {given} \(and download=False\)"
    with pytest.raises(FileNotFoundError, match=message):
        load(given, arrays)


def test_partial_nnlab_data_folder_is_an_error(
    tmp_path: Path, mnist_tools, load, monkeypatch
) -> None:
    arrays = mnist_tools.fake()
    env = tmp_path / "env"
    mnist_tools.write(env / "mnist", arrays)
    mnist_tools.write(tmp_path / "home/.cache/nnlab/mnist", arrays)  # complete, but not used
    monkeypatch.setenv("NNLAB_DATA", str(env))
    (env / "mnist/train-images-idx3-ubyte.gz").unlink()
    (env / "mnist/t10k-labels-idx1-ubyte.gz").unlink()
    message = (
        r"train-images-idx3-ubyte\[\.gz\], t10k-labels-idx1-ubyte\[\.gz\] not found in "
        rf"{env / 'mnist'} \(\$NNLAB_DATA/mnist\), which holds the others"
    )
    with pytest.raises(FileNotFoundError, match=message):
        load(None, arrays, download=True)  # nothing is downloaded into $NNLAB_DATA either


def test_missing_without_download(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"train-images-idx3-ubyte\[\.gz\], .* not found"):
        mnist.load_data(tmp_path, download=False)


def test_downloads_missing_files_into_path(tmp_path: Path, server, mnist_tools) -> None:
    arrays = mnist_tools.fake(seed=7)
    mnist_tools.write(server.root, arrays)
    dest = tmp_path / "new"
    mirrors = [server.url + "offline/", server.url]
    checksums = mnist_tools.checksums(arrays)
    result = mnist.load_data(dest, mirrors=mirrors, checksums=checksums, progress=False)
    _assert_loaded(result, arrays)
    assert sorted(p.name for p in dest.iterdir()) == sorted(b + ".gz" for b in BASES)
    assert len(server.requests) == 8  # each file: the failing mirror, then the good one
    result = mnist.load_data(dest, mirrors=mirrors, checksums=checksums, progress=False)
    _assert_loaded(result, arrays)
    assert len(server.requests) == 8  # nothing downloaded the second time
    # a file missing from `path` is downloaded into `path`, and only that one
    (dest / "t10k-images-idx3-ubyte.gz").unlink()
    mnist.load_data(dest, mirrors=[server.url], checksums=checksums, progress=False)
    assert server.requests[8:] == ["/t10k-images-idx3-ubyte.gz"]


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


@pytest.mark.parametrize("where", ["path", "env"])
def test_local_file_failing_its_checksum_is_named_and_kept(
    tmp_path: Path, mnist_tools, monkeypatch, server, where: str
) -> None:
    arrays = mnist_tools.fake()
    folder = tmp_path / "data/mnist"
    mnist_tools.write(folder, arrays)
    monkeypatch.setenv("NNLAB_DATA", str(tmp_path / "data"))
    bad = folder / "train-labels-idx1-ubyte.gz"
    content = bad.read_bytes()
    checksums = mnist_tools.checksums(arrays)
    expected = checksums["train-labels-idx1-ubyte"] = "ab" * 32
    actual = mnist_tools.checksums(arrays)["train-labels-idx1-ubyte"]
    with pytest.raises(mnist.ChecksumError) as info:  # even with downloads allowed
        mnist.load_data(
            folder if where == "path" else None, mirrors=[server.url], checksums=checksums
        )
    message = str(info.value)
    assert message.startswith(f"{bad}: SHA-256 mismatch: expected {expected}, got {actual}")
    assert "checksums={}" in message
    assert (info.value.path, info.value.expected, info.value.actual) == (bad, expected, actual)
    assert bad.read_bytes() == content and server.requests == []  # never deleted nor replaced


def test_default_checksums_reject_other_data(tmp_path: Path, mnist_tools) -> None:
    mnist_tools.write(tmp_path, mnist_tools.fake())
    expected = mnist.CHECKSUMS["train-images-idx3-ubyte"]
    message = rf"train-images-idx3-ubyte\.gz: SHA-256 mismatch: expected {expected}"
    with pytest.raises(mnist.ChecksumError, match=message):
        mnist.load_data(tmp_path, download=False)


def test_cached_file_failing_its_checksum(tmp_path: Path, server, mnist_tools) -> None:
    arrays = mnist_tools.fake(seed=4)
    mnist_tools.write(server.root, arrays)
    checksums = mnist_tools.checksums(arrays)
    cache = tmp_path / "home/.cache/nnlab/mnist"
    mnist_tools.write(cache, arrays)
    bad = cache / "t10k-images-idx3-ubyte.gz"
    write_idx(bad, mnist_tools.fake(seed=5)["t10k-images-idx3-ubyte"])  # same shape, other pixels
    content = bad.read_bytes()
    with pytest.raises(mnist.ChecksumError, match=rf"{bad}: SHA-256 mismatch.*download=True"):
        mnist.load_data(download=False, mirrors=[server.url], checksums=checksums)
    assert bad.read_bytes() == content and server.requests == []  # download=False: kept
    # with downloads allowed, the cached copy is downloaded again (after a warning)
    with pytest.warns(RuntimeWarning, match=rf"{bad}: SHA-256 mismatch.*downloading it again"):
        result = mnist.load_data(mirrors=[server.url], checksums=checksums, progress=False)
    _assert_loaded(result, arrays)
    assert server.requests == ["/t10k-images-idx3-ubyte.gz"]
    assert bad.read_bytes() == (server.root / bad.name).read_bytes()


def test_verdict_remembered_by_path_size_and_mtime(tmp_path: Path, mnist_tools, load) -> None:
    arrays = mnist_tools.fake()
    mnist_tools.write(tmp_path, arrays, gz=False)
    load(tmp_path, arrays)
    path = tmp_path / "train-labels-idx1-ubyte"
    stat = path.stat()
    forged = (arrays["train-labels-idx1-ubyte"] + 1) % 10
    path.write_bytes(idx_bytes(forged))  # the same size
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    (_, y), _ = load(tmp_path, arrays)  # same path, size and mtime: not read nor hashed again
    np.testing.assert_array_equal(y, arrays["train-labels-idx1-ubyte"])
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))  # a new mtime: checked again
    with pytest.raises(mnist.ChecksumError, match=str(path)):
        load(tmp_path, arrays)


def _broken(tmp_path: Path, mnist_tools, base: str, array: np.ndarray) -> tuple[Path, dict]:
    arrays = mnist_tools.fake()
    arrays[base] = array
    mnist_tools.write(tmp_path, arrays)
    return tmp_path / (base + ".gz"), arrays


def test_wrong_image_dimensions(tmp_path: Path, mnist_tools, load) -> None:
    bad = np.zeros((12, 27, 28), dtype=np.uint8)
    path, arrays = _broken(tmp_path, mnist_tools, "train-images-idx3-ubyte", bad)
    with pytest.raises(ValueError, match=rf"{path}: MNIST images must be uint8 of shape"):
        load(tmp_path, arrays)


def test_wrong_label_dtype(tmp_path: Path, mnist_tools, load) -> None:
    labels = np.zeros(5, dtype=np.int32)
    path, arrays = _broken(tmp_path, mnist_tools, "t10k-labels-idx1-ubyte", labels)
    with pytest.raises(ValueError, match=rf"{path}: MNIST labels must be uint8"):
        load(tmp_path, arrays)


def test_label_count_and_range(tmp_path: Path, mnist_tools, load) -> None:
    labels = np.zeros(11, dtype=np.uint8)
    path, arrays = _broken(tmp_path, mnist_tools, "train-labels-idx1-ubyte", labels)
    with pytest.raises(ValueError, match=rf"{path}: 11 labels, but .* holds 12 images"):
        load(tmp_path, arrays)
    labels = np.full(12, 10, np.uint8)
    path, arrays = _broken(tmp_path, mnist_tools, "train-labels-idx1-ubyte", labels)
    with pytest.raises(ValueError, match="digits 0..9, found 10"):
        load(tmp_path, arrays)


def _unchecked(folder: Path):
    """Structural checks alone: no checksums (the table would reject the changed bytes first)."""
    return mnist.load_data(folder, download=False, checksums={})


def test_truncated_file(tmp_path: Path, mnist_tools) -> None:
    mnist_tools.write(tmp_path, mnist_tools.fake(), gz=False)
    path = tmp_path / "t10k-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:-1])
    with pytest.raises(ValueError, match=rf"{path}: truncated IDX file"):
        _unchecked(tmp_path)


def test_bad_magic(tmp_path: Path, mnist_tools) -> None:
    mnist_tools.write(tmp_path, mnist_tools.fake(), gz=False)
    path = tmp_path / "train-labels-idx1-ubyte"
    path.write_bytes(b"\x08\x01" + path.read_bytes()[2:])
    with pytest.raises(ValueError, match=rf"{path}: bad IDX magic"):
        _unchecked(tmp_path)


def test_overflowing_idx_header(tmp_path: Path, mnist_tools) -> None:
    mnist_tools.write(tmp_path, mnist_tools.fake())
    path = tmp_path / "train-images-idx3-ubyte.gz"
    # 2**31 * 2**31 * 4 = 2**64, which wraps to 0 in int64: the empty payload would "fit"
    header = bytes([0, 0, 0x08, 3]) + b"".join(d.to_bytes(4, "big") for d in (2**31, 2**31, 4))
    path.write_bytes(gzip.compress(header))
    shape = re.escape("(2147483648, 2147483648, 4)")
    with pytest.raises(ValueError, match=rf"{path}: .*declared shape {shape}"):
        _unchecked(tmp_path)


def test_results_are_fresh_copies_and_cache_sees_changes(tmp_path: Path, mnist_tools, load) -> None:
    arrays = mnist_tools.fake()
    mnist_tools.write(tmp_path, arrays)
    (x, _), _ = load(tmp_path, arrays)
    x[:] = 0
    (x2, _), _ = load(tmp_path, arrays)
    np.testing.assert_array_equal(x2, arrays["train-images-idx3-ubyte"])
    # a rewritten file is read again (the cache is keyed by size and mtime)
    path = tmp_path / "train-labels-idx1-ubyte.gz"
    arrays["train-labels-idx1-ubyte"] = (arrays["train-labels-idx1-ubyte"] + 1) % 10
    path.write_bytes(gzip.compress(idx_bytes(arrays["train-labels-idx1-ubyte"])))
    os.utime(path, ns=(1, 1))
    (_, y3), _ = load(tmp_path, arrays)
    np.testing.assert_array_equal(y3, arrays["train-labels-idx1-ubyte"])


def test_load_mnist_flat(tmp_path: Path, mnist_tools) -> None:
    arrays = mnist_tools.fake()
    mnist_tools.write(tmp_path, arrays)
    checksums = mnist_tools.checksums(arrays)
    (x, y), (xt, yt) = mnist.load_mnist_flat(tmp_path, download=False, checksums=checksums)
    assert x.shape == (12, 784) and x.dtype == np.float32 and y.dtype == np.int64
    assert xt.shape == (5, 784) and yt.shape == (5,)
    assert x.min() >= 0.0 and x.max() <= 1.0
    np.testing.assert_allclose(x * 255, arrays["train-images-idx3-ubyte"].reshape(12, 784), 1e-5)
    np.testing.assert_array_equal(yt, arrays["t10k-labels-idx1-ubyte"])
    (x, y), (xt, yt) = mnist.load_mnist_flat(tmp_path, 3, download=False, checksums=checksums)
    assert x.shape == (3, 784) and y.shape == (3,) and xt.shape == (3, 784)
    with pytest.raises(ValueError, match="limit must be a positive int"):
        mnist.load_mnist_flat(tmp_path, limit=0, download=False)


def _real_dir() -> Path | None:
    env = os.environ.get("NNLAB_DATA")
    return Path(env) / "mnist" if env else None


REAL = _real_dir()


@pytest.mark.skipif(REAL is None, reason="NNLAB_DATA is not set (the full MNIST lives there)")
def test_real_mnist(monkeypatch) -> None:
    """The real files verify against the SHA-256 table, given as `path` or by NNLAB_DATA."""
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
    monkeypatch.setenv("NNLAB_DATA", str(REAL.parent))
    (_, y_env), _ = mnist.load_data(download=False)
    np.testing.assert_array_equal(y_env, y_train)


@pytest.mark.skipif(REAL is None, reason="NNLAB_DATA is not set (the full MNIST lives there)")
def test_real_mnist_checksums() -> None:
    from nnlab.datasets.download import sha256_of_content

    assert REAL is not None
    for base, digest in mnist.CHECKSUMS.items():
        found = mnist.find_file(base, [REAL])
        assert found is not None, base
        with found.open("rb") as f:
            assert sha256_of_content(f) == digest
