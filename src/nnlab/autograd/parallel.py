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
``NNLAB_NUM_THREADS``, else ``OMP_NUM_THREADS`` or the CPUs this process may run on, but 1 when
BLAS's idle threads would take the cores. OpenBLAS's workers spin for ~0.1 s after each matrix
product unless ``OPENBLAS_THREAD_TIMEOUT`` was set when NumPy loaded it (``import nnlab`` sets it
when it comes before NumPy): with them spinning, the chunks handed to another thread wait for a
core and a convnet epoch measured 10% slower than on one thread, against 25-35% faster with the
spin bounded. With one BLAS thread (``OPENBLAS_NUM_THREADS=1``) nothing spins.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

MIN_WORK = 1 << 19  # values per thread below which splitting costs more than it saves

_lock = threading.Lock()
_threads: int | None = None
_pool: ThreadPoolExecutor | None = None


def _env_threads(var: str) -> int | None:
    value = os.environ.get(var, "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else None


def _default_threads() -> int:
    explicit = _env_threads("NNLAB_NUM_THREADS")
    if explicit:
        return explicit
    blas = _env_threads("OPENBLAS_NUM_THREADS") or _env_threads("OMP_NUM_THREADS")
    if blas != 1 and not _blas_spin_bounded():
        return 1
    threads = _env_threads("OMP_NUM_THREADS")
    if threads:
        return threads
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _blas_spin_bounded() -> bool:
    """Whether OpenBLAS's idle threads stop spinning soon (see the module docstring)."""
    import nnlab

    return bool(getattr(nnlab, "_BLAS_SPIN_BOUNDED", False))


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


_worker = threading.local()  # busy: this thread is running a chunk


def _in_worker(fn: Callable[[slice], object], chunk: slice) -> object:
    """Run a chunk on a pool thread, marked busy: if it splits a job of its own, that job runs
    inline instead of waiting for a pool thread that may be this one (a deadlock)."""
    _worker.busy = True
    try:
        return fn(chunk)
    finally:
        _worker.busy = False


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
    if parts <= 1 or getattr(_worker, "busy", False):  # a chunk's own jobs run inline
        fn(slice(0, n))
        return
    bounds = [n * i // parts for i in range(parts + 1)]
    pool = _executor(get_num_threads() - 1)
    futures: list[Future[object]] = [
        pool.submit(_in_worker, fn, slice(bounds[i], bounds[i + 1])) for i in range(1, parts)
    ]
    try:
        fn(slice(bounds[0], bounds[1]))
    finally:
        for f in futures:
            f.result()
