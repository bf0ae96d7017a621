"""One epoch of keras-io's MNIST convnet (Conv2D 32, pool, Conv2D 64, pool, dropout, Dense 10;
Adam, batch 128) through ``nnlab.keras`` fit, an ``nnlab.nn`` + ``nnlab.optim`` loop, PyTorch
eager and Keras 3 on its torch backend, each in a fresh process, alternating over rounds; prints
the times and the ratios to PyTorch eager (target: nnlab.keras / torch <= 1.2), wall clock and
CPU time (the CPU ratio is the steadier one on a machine shared with other jobs).

Run: ``python -m benchmarks.mnist_convnet [--rounds 3] [--threads 2] [--impls keras torch]
[--images 6400]`` (MNIST from ``$NNLAB_DATA/mnist``; ``--images``: the first N training images
only, a quick run). The same workload runs in the whole suite (``python -m benchmarks``). The
per-op table and the share of time in GEMMs and im2col/col2im: ``python -m benchmarks.ops conv``.
"""

from __future__ import annotations

import argparse
import os
import statistics

from .__main__ import machine_info, run_one
from .workloads import WORKLOADS

IMPLS = WORKLOADS["mnist_convnet"][1]


def main(argv: list[str] | None = None) -> dict[str, dict[str, float]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--impls", nargs="+", choices=IMPLS, default=list(IMPLS))
    parser.add_argument("--images", type=int, default=0, help="training images (0: all)")
    args = parser.parse_args(argv)
    if "torch" not in args.impls:
        args.impls.append("torch")
    os.environ["NNLAB_BENCH_IMAGES"] = str(args.images)
    runs: dict[str, list[dict[str, float]]] = {impl: [] for impl in args.impls}
    for r in range(args.rounds):
        for impl in args.impls if r % 2 == 0 else reversed(args.impls):
            res = run_one("mnist_convnet", impl, args.threads)
            runs[impl].append(res)
            print(
                f"[round {r + 1}/{args.rounds}] {impl:6s} {res['seconds']:7.2f} s wall, "
                f"{res['cpu_seconds']:7.2f} s CPU, test accuracy {res['test_accuracy']:.4f}",
                flush=True,
            )
    info = machine_info(args.threads)
    print(
        f"\n{info['date']}, {info['cpu']} ({info['cores']} cores, {args.threads} threads), "
        f"{info['blas']}; images: {args.images or 'all'}; median over {args.rounds} rounds"
    )
    print("| implementation | wall s | CPU s | wall / torch | CPU / torch | test acc. |")
    print("|---|---:|---:|---:|---:|---:|")
    summary: dict[str, dict[str, float]] = {}
    for impl, results in runs.items():
        row = {
            key: statistics.median(res[key] for res in results)
            for key in ("seconds", "cpu_seconds", "test_accuracy")
        }
        for key in ("seconds", "cpu_seconds"):
            row[f"{key} / torch"] = statistics.median(
                a[key] / b[key] for a, b in zip(results, runs["torch"], strict=True)
            )
        summary[impl] = row
        print(
            f"| {impl} | {row['seconds']:.2f} | {row['cpu_seconds']:.2f} | "
            f"{row['seconds / torch']:.2f}x | {row['cpu_seconds / torch']:.2f}x | "
            f"{100 * row['test_accuracy']:.2f}% |"
        )
    return summary


if __name__ == "__main__":
    main()
