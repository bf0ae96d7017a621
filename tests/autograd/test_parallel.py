"""Batch-parallel array work (nnlab.autograd.parallel): the chunks cover the batch once, run on
several threads when the job is large enough, and give bit for bit the one-thread result."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import numpy as np
import pytest

import nnlab
from nnlab.autograd import conv2d, max_pool2d, parallel


@pytest.fixture
def threads():
    """Restore the thread count and the size threshold after the test."""
    saved = (parallel._threads, parallel.MIN_WORK)
    yield
    parallel.set_num_threads(saved[0] or parallel._default_threads())
    parallel.MIN_WORK = saved[1]


def test_set_num_threads_validates(threads):
    for bad in (0, -1, 1.5, True, "2"):
        with pytest.raises(ValueError, match="set_num_threads"):
            parallel.set_num_threads(bad)
    parallel.set_num_threads(3)
    assert parallel.get_num_threads() == 3


def test_default_threads_follow_the_environment(threads, monkeypatch):
    monkeypatch.setattr(parallel, "_blas_spin_bounded", lambda: True)
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    monkeypatch.setenv("NNLAB_NUM_THREADS", "5")
    assert parallel._default_threads() == 5
    monkeypatch.delenv("NNLAB_NUM_THREADS")
    monkeypatch.setenv("OMP_NUM_THREADS", "2")
    assert parallel._default_threads() == 2
    monkeypatch.setenv("OMP_NUM_THREADS", "junk")
    assert parallel._default_threads() >= 1


def test_one_thread_while_blas_threads_spin(threads, monkeypatch):
    """OpenBLAS's idle workers spinning (NumPy loaded before nnlab, no OPENBLAS_THREAD_TIMEOUT)
    would take the cores: the engine stays on one thread unless told otherwise."""
    monkeypatch.setattr(parallel, "_blas_spin_bounded", lambda: False)
    monkeypatch.delenv("NNLAB_NUM_THREADS", raising=False)
    monkeypatch.setenv("OMP_NUM_THREADS", "2")
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    assert parallel._default_threads() == 1
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")  # one BLAS thread: nothing spins
    assert parallel._default_threads() == 2
    monkeypatch.setenv("NNLAB_NUM_THREADS", "3")  # the user's choice wins
    assert parallel._default_threads() == 3


def test_importing_nnlab_first_bounds_the_blas_spin():
    code = (
        "import os, nnlab, numpy; "
        "print(os.environ['OPENBLAS_THREAD_TIMEOUT'], nnlab._BLAS_SPIN_BOUNDED)"
    )
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_THREAD_TIMEOUT"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.split() == ["18", "True"], out.stderr
    late = (
        "import os, numpy, nnlab; "
        "print(os.environ.get('OPENBLAS_THREAD_TIMEOUT'), nnlab._BLAS_SPIN_BOUNDED)"
    )
    out = subprocess.run([sys.executable, "-c", late], env=env, capture_output=True, text=True)
    assert out.stdout.split() == ["None", "False"], out.stderr
    env["OPENBLAS_THREAD_TIMEOUT"] = "20"  # the user's own setting is kept
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.split() == ["20", "True"], out.stderr


@pytest.mark.parametrize("n", [1, 2, 7, 100])
def test_chunks_cover_the_range_once_on_several_threads(threads, n):
    parallel.set_num_threads(3)
    parallel.MIN_WORK = 1
    seen = np.zeros(n, dtype=int)
    names = set()

    def fn(s: slice) -> None:
        seen[s] += 1
        names.add(threading.current_thread().name)

    parallel.for_chunks(n, fn, work=n)
    assert (seen == 1).all()
    assert (len(names) > 1) == (n > 1)  # a pool thread may take two chunks


def test_small_jobs_run_inline(threads):
    parallel.set_num_threads(4)
    names = []
    parallel.for_chunks(1000, lambda s: names.append(threading.current_thread().name), work=10)
    assert names == [threading.current_thread().name]


def test_an_error_in_a_chunk_is_raised(threads):
    parallel.set_num_threads(2)
    parallel.MIN_WORK = 1

    def fn(s: slice) -> None:
        if s.start > 0:
            raise RuntimeError("chunk failed")

    with pytest.raises(RuntimeError, match="chunk failed"):
        parallel.for_chunks(10, fn, work=10)


def _conv_pool_step(rng_seed: int, data_format: str) -> list[np.ndarray]:
    rng = np.random.default_rng(rng_seed)
    last = data_format == "channels_last"
    x = nnlab.tensor(
        rng.standard_normal((6, 9, 9, 3) if last else (6, 3, 9, 9)).astype(np.float32),
        requires_grad=True,
    )
    w = nnlab.tensor(
        rng.standard_normal((3, 3, 3, 4) if last else (4, 3, 3, 3)).astype(np.float32),
        requires_grad=True,
    )
    b = nnlab.tensor(rng.standard_normal(4).astype(np.float32), requires_grad=True)
    w2 = nnlab.tensor(
        rng.standard_normal((2, 2, 4, 5) if last else (5, 4, 2, 2)).astype(np.float32),
        requires_grad=True,
    )
    h = conv2d(x, w, b, relu=True, data_format=data_format)
    h = max_pool2d(h, 2, data_format=data_format)  # 7x7 -> 3x3: rows past the last window
    h = max_pool2d(h, 2, stride=1, padding=1, data_format=data_format)  # overlapping windows
    y = conv2d(h, w2, padding="same", data_format=data_format)
    (y * y).sum().backward()
    return [y.data, x.grad, w.grad, b.grad, w2.grad]


@pytest.mark.parametrize("data_format", ["channels_first", "channels_last"])
def test_conv_and_pool_on_threads_equal_one_thread(threads, data_format):
    parallel.set_num_threads(1)
    one = _conv_pool_step(0, data_format)
    parallel.set_num_threads(3)
    parallel.MIN_WORK = 1  # every job split, down to one sample per thread
    many = _conv_pool_step(0, data_format)
    for a, b in zip(one, many, strict=True):
        np.testing.assert_array_equal(a, b)


def test_a_chunk_that_splits_a_job_of_its_own_runs_it_inline(threads):
    """Nested jobs never wait for a pool thread that is busy running their caller."""
    parallel.set_num_threads(2)
    parallel.MIN_WORK = 1
    seen = np.zeros(8, dtype=int)

    def outer(s: slice) -> None:
        def inner(t: slice) -> None:
            seen[s][t] += 1

        parallel.for_chunks(s.stop - s.start, inner, work=100)

    parallel.for_chunks(8, outer, work=100)
    assert (seen == 1).all()
