"""One measurement in this fresh process: ``python -m benchmarks.run_one WORKLOAD IMPL``.

Prints one JSON line: the timed seconds, the peak RSS in MB and its growth during the timed
part, and the workload's sanity numbers. ``matmul_peak numpy`` measures float32 matmul FLOP/s.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time

# As a script that starts with ``import nnlab`` (and the ``nnlab`` command): nnlab comes before
# NumPy, so OpenBLAS's idle threads stop spinning soon (nnlab/__init__.py) in every process,
# the hand-written NumPy loop's included; PyTorch's own BLAS and threads do not read it.
import nnlab  # noqa: F401


def _max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def matmul_peak() -> float:
    import numpy as np

    n = 2048
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n), dtype=np.float32)
    b = rng.standard_normal((n, n), dtype=np.float32)
    a @ b
    best = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - t0)
    return 2 * n**3 / best


def main() -> None:
    workload, impl = sys.argv[1], sys.argv[2]
    threads = int(os.environ.get("NNLAB_BENCH_THREADS", "0") or 0)
    if impl in ("torch", "keras3") and threads:
        import torch

        torch.set_num_threads(threads)
    if workload == "matmul_peak":
        print(json.dumps({"flops": matmul_peak()}))
        return
    from .workloads import WORKLOADS

    fn, impls = WORKLOADS[workload]
    if impl not in impls:
        raise SystemExit(f"unknown implementation {impl!r} for {workload}; choose from {impls}")
    before = _max_rss_mb()
    seconds, extra = fn(impl)
    after = _max_rss_mb()
    print(
        json.dumps(
            {"seconds": seconds, "peak_rss_mb": after, "rss_growth_mb": after - before, **extra}
        )
    )


if __name__ == "__main__":
    main()
