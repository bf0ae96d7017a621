"""One epoch of MNIST 784-256-10 (ReLU, SGD lr 0.1, batch 100) through ``nnlab.keras`` fit, an
``nnlab.nn`` + ``nnlab.optim`` loop, PyTorch eager and a hand-written NumPy loop, each in a fresh
process, alternating over rounds; prints the times and the ratios.

Run: ``python -m benchmarks.mnist_mlp [--rounds 3]`` (MNIST from ``$NNLAB_DATA/mnist``). The same
workload is part of the full suite, ``python -m benchmarks``.
"""

from __future__ import annotations

import sys

from .__main__ import main

if __name__ == "__main__":
    main(["--only", "mnist_mlp", "--no-write", *sys.argv[1:]])
