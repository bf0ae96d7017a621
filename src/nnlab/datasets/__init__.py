"""Data sets: MNIST from IDX files, the course's synthetic sets, the Playground sets, a DataLoader.

- :mod:`nnlab.datasets.mnist`: ``load_data()`` as in Keras; ``load_mnist_flat()`` for MLPs.
- :mod:`nnlab.datasets.synthetic`: ``linear``, ``two_blobs``, ``polynomial``.
- :mod:`nnlab.datasets.playground`: ``circle``, ``xor``, ``gauss``, ``spiral``, ``reg_plane``,
  ``reg_gauss``, ``generate(name)``, ``train_test_split``.
- :mod:`nnlab.datasets.loader`: ``DataLoader``, ``Dataset``, ``TensorDataset``.
- :mod:`nnlab.datasets.idx`, :mod:`nnlab.datasets.download`, :mod:`nnlab.atomic`: the IDX
  format, checked downloads, atomic writes.
"""

from nnlab.datasets import download, idx, loader, mnist, playground, synthetic
from nnlab.datasets.loader import DataLoader, Dataset, TensorDataset
from nnlab.datasets.mnist import load_mnist_flat

__all__ = [
    "DataLoader",
    "Dataset",
    "TensorDataset",
    "download",
    "idx",
    "load_mnist_flat",
    "loader",
    "mnist",
    "playground",
    "synthetic",
]
