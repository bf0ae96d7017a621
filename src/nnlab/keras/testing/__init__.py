"""``keras.testing``: what Keras 3's own unit tests import from ``keras.src.testing``, for
nnlab (see :mod:`.test_case`): ``TestCase`` and the device queries, and the submodules
``test_case`` and ``test_utils`` (``get_test_data``, ``named_product``)."""

from . import test_case, test_utils
from .test_case import (
    TestCase,
    jax_uses_gpu,
    tensorflow_uses_gpu,
    torch_uses_gpu,
    uses_gpu,
    uses_tpu,
)

__all__ = [
    "TestCase",
    "jax_uses_gpu",
    "tensorflow_uses_gpu",
    "test_case",
    "test_utils",
    "torch_uses_gpu",
    "uses_gpu",
    "uses_tpu",
]
