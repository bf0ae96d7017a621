"""The nnlab.keras model file: a NumPy ``.npz`` archive (a zip of ``.npy`` arrays), no pickle.

Members (every one a plain numeric or unicode array, so ``np.load(path, allow_pickle=False)``
reads the file and nothing in it can execute code):

- ``config``: a 0-d unicode array holding a JSON document::

      {"format": "nnlab.keras", "version": 1,
       "model": {"class_name": "Sequential", "config": {"name", "seed", "input_dim",
                 "layers": [{"class_name": "Dense", "config": {...}}, ...]}},
       "rng_state": {...},  # the model generator's state (shuffling, dropout), to resume exactly
       "compile": null | {"optimizer": {"name": "Adam", "learning_rate": ...},
                          "loss": {"name": "sparse_categorical_crossentropy", "from_logits": false},
                          "metrics": [{"class_name": "Accuracy", "name": "accuracy"}],
                          "optimizer_iterations": 1876}}

- ``weight.000``, ``weight.001``, ...: the arrays of ``model.get_weights()`` in order, in Keras's
  layout (Dense: kernel (input_dim, units) then bias (units,)), float32;
- ``optimizer.<slot>.<i>``: the optimizer's state for weight i (e.g. Adam's ``m`` and ``v``), when
  the optimizer was saved, so training resumes where it stopped.

The file is written to a temporary file in the destination folder and moved into place with
``os.replace``: a crash never leaves a half-written model. The name is used as given (no suffix is
added); ``.keras`` or ``.npz`` are good choices.
"""

from __future__ import annotations

import json
import os
import tempfile
import warnings
import zipfile
from typing import TYPE_CHECKING, Any

import numpy as np

from . import losses, metrics, optimizers
from .layers import LAYERS

if TYPE_CHECKING:
    from .models import Sequential

__all__ = ["FORMAT", "VERSION", "load_model", "read_weights", "save_model"]

FORMAT = "nnlab.keras"
VERSION = 1


def _metric_config(m: metrics.Metric) -> dict[str, Any]:
    cfg: dict[str, Any] = {"class_name": type(m).__name__, "name": m.name}
    if isinstance(m, metrics.BinaryAccuracy):
        cfg["threshold"] = m.threshold
    return cfg


def _compile_config(model: Sequential, include_optimizer: bool) -> dict[str, Any] | None:
    if model.loss is None or model.optimizer is None or not include_optimizer:
        return None
    return {
        "optimizer": model.optimizer.get_config(),
        "loss": {**model.loss.get_config(), "custom": isinstance(model.loss, losses.FunctionLoss)},
        "metrics": [_metric_config(m) for m in model.compiled_metrics],
        "optimizer_iterations": model.optimizer.iterations,
    }


def save_model(model: Sequential, path: str | os.PathLike[str], include_optimizer: bool = True):
    """Write ``model`` to ``path`` atomically (see the module docstring for the format)."""
    path = os.fspath(path)
    document = {
        "format": FORMAT,
        "version": VERSION,
        "model": {"class_name": "Sequential", "config": model.get_config()},
        "rng_state": model._rng.bit_generator.state,
        "compile": _compile_config(model, include_optimizer),
    }
    arrays: dict[str, np.ndarray] = {"config": np.array(json.dumps(document))}
    if model.built:
        for i, w in enumerate(model.get_weights()):
            arrays[f"weight.{i:03d}"] = w
    if include_optimizer and model.optimizer is not None:
        for slot, values in model.optimizer.slots.items():
            for i, v in enumerate(values):
                arrays[f"optimizer.{slot}.{i:03d}"] = v
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".nnlab-model-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)  # type: ignore[arg-type]
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def _read(path: str | os.PathLike[str]) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"load_model: no such file: {path!r}")
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in archive.files}
    except (ValueError, OSError, zipfile.BadZipFile) as err:
        raise ValueError(f"load_model: {path!r} is not an nnlab.keras model file ({err})") from None
    try:
        document = json.loads(str(arrays.pop("config")))
    except (KeyError, json.JSONDecodeError):
        raise ValueError(f"load_model: {path!r} has no readable 'config' member") from None
    if document.get("format") != FORMAT:
        raise ValueError(f"load_model: {path!r} is not an nnlab.keras model file")
    if document.get("version") != VERSION:
        raise ValueError(
            f"load_model: {path!r} has format version {document.get('version')}, this nnlab "
            f"reads version {VERSION}"
        )
    return document, arrays


def read_weights(path: str | os.PathLike[str]) -> list[np.ndarray]:
    """The weight arrays stored in a model file, in ``get_weights`` order."""
    _, arrays = _read(path)
    keys = sorted(k for k in arrays if k.startswith("weight."))
    return [arrays[k] for k in keys]


def _build_compile(model: Sequential, cfg: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
    if cfg["loss"].get("custom"):
        warnings.warn(
            f"load_model: the model was compiled with the custom loss {cfg['loss']['name']!r}, "
            "which cannot be stored; it is returned uncompiled: call model.compile(...) again",
            stacklevel=3,
        )
        return
    metric_classes = {
        name: cls for name in metrics.__all__ if isinstance(cls := getattr(metrics, name), type)
    }
    compiled_metrics = []
    for m in cfg["metrics"]:
        args = {k: v for k, v in m.items() if k != "class_name"}
        compiled_metrics.append(metric_classes[m["class_name"]](**args))
    model.compile(
        optimizer=optimizers.get(cfg["optimizer"]),
        loss=losses.get(cfg["loss"]),
        metrics=compiled_metrics,
    )
    opt = model.optimizer
    assert opt is not None
    opt.iterations = int(cfg.get("optimizer_iterations", 0))
    params = model._parameters()
    slots = {
        name: [arrays.get(f"optimizer.{name}.{i:03d}") for i in range(len(params))]
        for name in opt.slot_names
    }
    if slots and all(v is not None for values in slots.values() for v in values):
        opt.build(params)
        for name, values in slots.items():
            for dst, src in zip(opt.slots[name], values, strict=True):
                dst[...] = src


def load_model(path: str | os.PathLike[str], compile: bool = True) -> Sequential:  # noqa: A002
    """Rebuild the model stored at ``path``: layers, weights, and (if it was compiled and
    ``compile``) optimizer, loss, metrics and optimizer state."""
    from .models import Sequential

    document, arrays = _read(path)
    cfg = document["model"]["config"]
    layers = []
    for spec in cfg["layers"]:
        cls = LAYERS.get(spec["class_name"])
        if cls is None:
            raise ValueError(f"load_model: unknown layer class {spec['class_name']!r} in {path!r}")
        layers.append(cls(**spec["config"]))
    model = Sequential(layers, name=cfg["name"], seed=cfg["seed"])
    if cfg["input_dim"] is not None and model.input_dim is None:
        model.build(cfg["input_dim"])
    if model.built:
        model.set_weights(read_weights(path))
    if "rng_state" in document:
        model._rng.bit_generator.state = document["rng_state"]
    if compile and document["compile"] is not None:
        _build_compile(model, document["compile"], arrays)
    return model
