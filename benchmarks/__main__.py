"""nnlab's speed suite: ``python -m benchmarks [--rounds 3] [--threads N] [--only NAME ...]``.

Every (workload, implementation) runs in a fresh process; within a round the implementations
alternate (the order is reversed on odd rounds), so a machine that slows down mid-run does not
favour one side. Reported: the median time of each, the median of the per-round ratios
(nnlab / PyTorch eager, nnlab / hand-written NumPy, and / Keras 3 on torch where it runs), the
peak memory (max RSS of the process, and how much it grew while the workload ran), and for the
MNIST MLP the fraction of the machine's float32 matmul peak that each reaches. The table is
printed and written to ``benchmarks/RESULTS.md`` with the machine, the BLAS and the date.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path

from .workloads import HIDDEN, WORKLOADS

HERE = Path(__file__).resolve().parent
TARGETS = {  # (workload, impl, reference): the targets on the median per-round ratio
    ("mnist_mlp", "keras", "torch"): 0.8,
    ("mnist_mlp", "keras", "numpy"): 1.1,
    ("playground_net", "keras", "torch"): 0.5,
    ("mnist_convnet", "keras", "torch"): 1.2,
    ("readme_mlp", "keras", "torch"): 0.8,
}
REFERENCES = ("torch", "numpy", "keras3")  # a "vs" column for each one that was run
MEMORY_TARGET = ("mnist_mlp", "keras", "torch", 1.5)


def thread_env(threads: int) -> dict[str, str]:
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(threads)
    env["NNLAB_BENCH_THREADS"] = str(threads)
    return env


def run_one(workload: str, impl: str, threads: int) -> dict[str, float]:
    """Run one measurement in a fresh interpreter; return its JSON result."""
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.run_one", workload, impl],
        cwd=HERE.parent,
        env=thread_env(threads),
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(
            f"{workload}/{impl} failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}"
        )
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def machine_info(threads: int) -> dict[str, str]:
    import numpy as np
    from threadpoolctl import threadpool_info

    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    blas = ", ".join(
        f"{i.get('internal_api')} {i.get('version')} ({i.get('architecture', '?')})"
        for i in threadpool_info()
        if i.get("user_api") == "blas"
    )
    try:
        import torch

        torch_version = torch.__version__
    except ImportError:
        torch_version = "not installed"
    return {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "threads": str(threads),
        "blas": blas or "unknown",
        "python": platform.python_version(),
        "numpy": np.__version__,
        "torch": torch_version,
    }


def mnist_mlp_flops() -> float:
    """FLOPs of one epoch of 784-256-10 training: forward 2·N·(784·256 + 256·10); backward
    computes dW for both layers and dX for the second (the input needs no gradient)."""
    n, f1, f2 = 60_000, 784 * HIDDEN, HIDDEN * 10
    return 2 * n * (2 * f1 + 3 * f2)


def summarize(
    results: dict[str, dict[str, list[dict[str, float]]]], info: dict[str, str], peak: float
) -> str:
    lines = [
        "# nnlab speed suite",
        "",
        f"Run with `python -m benchmarks` on {info['date']}.",
        "",
        f"- CPU: {info['cpu']}, {info['cores']} cores; threads used: {info['threads']}",
        f"- BLAS: {info['blas']}",
        f"- Python {info['python']}, NumPy {info['numpy']}, PyTorch {info['torch']}",
        f"- float32 matmul peak (2048×2048): {peak / 1e9:.1f} GFLOP/s",
        "",
        "Times are medians over rounds, each run in a fresh process; ratios are the medians of",
        "the per-round ratios (below 1: nnlab is faster). Memory: peak RSS of the process, and",
        "in brackets its growth while the workload ran (data, model and training).",
        "",
    ]
    for workload, by_impl in results.items():
        doc = " ".join((WORKLOADS[workload][0].__doc__ or "").split())
        lines += [f"## {workload}", "", doc, ""]
        ref_names = [ref for ref in REFERENCES if ref != "keras3" or ref in by_impl]
        header = "| implementation | median s | " + " | ".join(f"vs {r}" for r in ref_names)
        lines += [header + " | peak MB (growth) | check |"]
        lines += ["|---|---:|" + "---:|" * len(ref_names) + "---:|---|"]
        for impl, runs in by_impl.items():
            med = statistics.median(r["seconds"] for r in runs)
            ratios = {}
            for ref in ref_names:
                if ref in by_impl and ref != impl:
                    per_round = [
                        a["seconds"] / b["seconds"]
                        for a, b in zip(runs, by_impl[ref], strict=False)
                    ]
                    ratios[ref] = f"{statistics.median(per_round):.2f}x"
            rss = statistics.median(r["peak_rss_mb"] for r in runs)
            grow = statistics.median(r["rss_growth_mb"] for r in runs)
            check = ", ".join(
                f"{k} {statistics.median(r[k] for r in runs):.4g}"
                for k in runs[0]
                if k not in {"seconds", "peak_rss_mb", "rss_growth_mb"}
            )
            if workload == "mnist_mlp":
                check += f", {mnist_mlp_flops() / med / peak:.0%} of matmul peak"
            cells = " | ".join(ratios.get(ref, "—") for ref in ref_names)
            lines.append(f"| {impl} | {med:.3f} | {cells} | {rss:.0f} ({grow:.0f}) | {check} |")
        lines.append("")
    lines += ["## Targets", ""]
    for (workload, impl, ref), target in TARGETS.items():
        if workload in results and impl in results[workload] and ref in results[workload]:
            runs, refs = results[workload][impl], results[workload][ref]
            ratio = statistics.median(
                a["seconds"] / b["seconds"] for a, b in zip(runs, refs, strict=False)
            )
            verdict = "met" if ratio <= target else "NOT met"
            lines.append(
                f"- {workload}: {impl} / {ref} = {ratio:.2f}x (target <= {target}x): {verdict}"
            )
    workload, impl, ref, target = MEMORY_TARGET
    if workload in results and impl in results[workload] and ref in results[workload]:
        ours = statistics.median(r["peak_rss_mb"] for r in results[workload][impl])
        theirs = statistics.median(r["peak_rss_mb"] for r in results[workload][ref])
        verdict = "met" if ours <= target * theirs else "NOT met"
        lines.append(
            f"- {workload} peak memory: {impl} {ours:.0f} MB vs {ref} {theirs:.0f} MB "
            f"= {ours / theirs:.2f}x (target <= {target}x): {verdict}"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--only", nargs="*", choices=sorted(WORKLOADS), help="workloads to run")
    parser.add_argument("--no-write", action="store_true", help="do not write RESULTS.md")
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    names = args.only or list(WORKLOADS)
    results: dict[str, dict[str, list[dict[str, float]]]] = {}
    failures: dict[str, dict[str, str]] = {}
    for name in names:
        impls = WORKLOADS[name][1]
        results[name] = {impl: [] for impl in impls}
        for r in range(args.rounds):
            order = impls if r % 2 == 0 else tuple(reversed(impls))
            for impl in order:
                if impl in failures.get(name, {}):
                    continue
                try:
                    res = run_one(name, impl, args.threads)
                except RuntimeError as e:
                    print(f"[{name}] {impl} FAILED: {e}", file=sys.stderr)
                    failures.setdefault(name, {})[impl] = str(e).strip().splitlines()[-1]
                    del results[name][impl]
                    continue
                results[name][impl].append(res)
                print(
                    f"[{name} round {r + 1}/{args.rounds}] {impl:6s} {res['seconds']:.3f} s",
                    flush=True,
                )
    peak = run_one("matmul_peak", "numpy", args.threads)["flops"]
    text = summarize(results, machine_info(args.threads), peak)
    if failures:
        text += "\n## Failed runs\n\n" + "".join(
            f"- {name}/{impl}: {why}\n" for name, d in failures.items() for impl, why in d.items()
        )
    print()
    print(text)
    if failures:
        raise SystemExit(1)
    if not args.no_write:
        tmp = HERE / "RESULTS.md.tmp"
        tmp.write_text(text)
        os.replace(tmp, HERE / "RESULTS.md")
        print(f"written to {HERE / 'RESULTS.md'}")


if __name__ == "__main__":
    main()
