"""Batch-parallel array work: the non-GEMM half of a convnet step on every core.

NumPy's BLAS splits each matrix product over the cores, but its element-wise ufuncs and copies
run on one: in a convnet step the im2col copy, the max pooling and the ReLU masks then leave the
other cores idle for about half of the step. Those operations are independent from one sample
to the next, and NumPy releases the GIL inside them, so cutting the batch into one contiguous
chunk per thread and running the chunks on Python threads divides their time by the number of
cores (PyTorch parallelizes the same operations with OpenMP).

    for_chunks(n, fn, work)   calls fn(slice(a, b)) for chunks [a, b) covering range(n)

Each ``fn`` writes its own rows of arrays allocated beforehand, so the chunks never touch the
same memory and the result is bit for bit the one-thread result. Small jobs (``work`` below
:data:`MIN_WORK` values per thread) run inline: a thread hand-off costs some 10-30 µs.

The thread count is :func:`get_num_threads`: ``set_num_threads(n)``, else the environment's
``NNLAB_NUM_THREADS`` or ``OMP_NUM_THREADS``, else the CPUs this process may run on.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

MIN_WORK = 1 << 17  # values per thread below which splitting costs more than it saves

_lock = threading.Lock()
_threads: int | None = None
_pool: ThreadPoolExecutor | None = None


def _default_threads() -> int:
    for var in ("NNLAB_NUM_THREADS", "OMP_NUM_THREADS"):
        value = os.environ.get(var, "").strip()
        if value.isdigit() and int(value) > 0:
            return int(value)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def get_num_threads() -> int:
    """The number of threads the engine's batch-parallel operations use (as PyTorch's
    ``torch.get_num_threads``)."""
    global _threads
    if _threads is None:
        _threads = _default_threads()
    return _threads


def set_num_threads(n: int) -> None:
    """Use ``n`` threads (n >= 1) for the engine's batch-parallel operations; 1 runs them all
    on the calling thread. BLAS keeps its own setting (``OPENBLAS_NUM_THREADS``)."""
    global _threads, _pool
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"set_num_threads: n must be an int >= 1, got {n!r}")
    with _lock:
        _threads = n
        if _pool is not None:
            _pool.shutdown(wait=True)
            _pool = None


def _executor(workers: int) -> ThreadPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="nnlab")
        return _pool


def for_chunks(n: int, fn: Callable[[slice], object], work: int) -> None:
    """Call ``fn(slice(a, b))`` on contiguous chunks covering ``range(n)``, one per thread,
    the first on the calling thread; ``work`` is the job's size in array values (it decides
    how many threads are worth it). Returns when every chunk is done; re-raises the first
    exception of a chunk."""
    parts = min(get_num_threads(), n, work // MIN_WORK)
    if parts <= 1:
        fn(slice(0, n))
        return
    bounds = [n * i // parts for i in range(parts + 1)]
    pool = _executor(get_num_threads() - 1)
    futures: list[Future[object]] = [
        pool.submit(fn, slice(bounds[i], bounds[i + 1])) for i in range(1, parts)
    ]
    try:
        fn(slice(bounds[0], bounds[1]))
    finally:
        for f in futures:
            f.result()
