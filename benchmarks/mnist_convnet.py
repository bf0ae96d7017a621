"""One epoch of keras-io's MNIST convnet (Conv2D 32, pool, Conv2D 64, pool, dropout, Dense 10;
Adam, batch 128) through ``nnlab.keras`` fit, an ``nnlab.nn`` + ``nnlab.optim`` loop, PyTorch
eager and Keras 3 on its torch backend, each in a fresh process, alternating over rounds; prints
the times and the ratios (target: nnlab.keras / PyTorch eager <= 1.2).

Run: ``python -m benchmarks.mnist_convnet [--rounds 3] [--threads 2]`` (MNIST from
``$NNLAB_DATA/mnist``). The per-op table and the share of time in GEMMs and im2col/col2im:
``python -m benchmarks.ops conv``.
"""

from __future__ import annotations

import sys

from .__main__ import main

if __name__ == "__main__":
    main(["--only", "mnist_convnet", "--no-write", *sys.argv[1:]])
