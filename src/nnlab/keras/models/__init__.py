"""Keras models: ``Model`` (functional and subclassed), ``Sequential``, cloning and files."""

from __future__ import annotations

import os
from typing import Any

from .cloning import clone_model, model_from_json
from .model import Model
from .sequential import Sequential

__all__ = ["Model", "Sequential", "clone_model", "load_model", "model_from_json", "save_model"]


def save_model(
    model: Any,
    filepath: str | os.PathLike[str],
    overwrite: bool = True,
    zipped: bool | None = None,
    **kwargs: Any,
) -> None:
    """Keras's function form of ``model.save(filepath)``."""
    model.save(filepath, overwrite=overwrite, zipped=zipped, **kwargs)


def load_model(
    filepath: str | os.PathLike[str], custom_objects: Any = None, compile: bool = True
) -> Any:  # noqa: A002
    """Read a model written by ``model.save`` (compiled again when it was compiled)."""
    from .. import saving

    return saving.load_model(filepath, compile=compile, custom_objects=custom_objects)  # kvar
