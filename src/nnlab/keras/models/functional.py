"""The functional API (filled in by the next commit)."""

from __future__ import annotations

from typing import Any

from .model import Model


class Functional(Model):
    """A model defined by ``Model(inputs, outputs)``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError("the functional API is not implemented yet")

    def _clone(self, copy: Any, input_tensors: Any) -> Functional:
        raise NotImplementedError("the functional API is not implemented yet")
