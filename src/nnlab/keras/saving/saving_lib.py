"""The nnlab.keras model file: a NumPy ``.npz`` archive (a zip of ``.npy`` arrays), no pickle.

Members (every one a plain numeric or unicode array, so ``np.load(path, allow_pickle=False)``
reads the file and nothing in it can execute code):

- ``config``: a 0-d unicode array holding a JSON document::

      {"format": "nnlab.keras", "version": 1,
       "model": {"class_name": "Sequential", "config": {"name", "seed", "input_dim",
                 "layers": [{"class_name": "Dense", "config": {...}}, ...]}},
       "rng_state": {...},  # the model generator's state (shuffling, dropout), to resume exactly
       "compile": null | {"optimizer": {"name": "Adam", "learning_rate": ...},
                          "loss": {"name": "sparse_categorical_crossentropy", "from_logits": false,
                                   "custom": false},  # true: a loss function, not restored
                          "metrics": [{"class_name": "Accuracy", "name": "accuracy"}],
                          "optimizer_iterations": 1876}}

- ``weight.000``, ``weight.001``, ...: the arrays of ``model.get_weights()`` in order, in Keras's
  layout (Dense: kernel (input_dim, units) then bias (units,)), float32;
- ``optimizer.<slot>.<i>``: the optimizer's state for weight i (e.g. Adam's ``m`` and ``v``), when
  the optimizer was saved, so training resumes where it stopped.

The file is written to a temporary file in the destination folder and moved into place with
``os.replace``: a crash never leaves a half-written model, and a failed save removes its temporary
file and leaves any file already at the path untouched. The name is used as given (no suffix is
added); ``.keras`` or ``.npz`` are good choices.

Reading trusts nothing: the archive and each member are checked by :mod:`.archive` (sizes, zip
bombs, ``.npy`` headers, dtypes, finite values) and the JSON document by :mod:`.schema` (types,
keys, known names) before a model is built; the weight shapes the config implies must be the
shapes stored. Every problem raises ``ModelFileError`` (a ``ValueError``) naming the file.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import warnings
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, NoReturn

import numpy as np

from .. import losses, metrics, optimizers
from ..layers import LAYERS
from . import schema
from .archive import Archive, ModelFileError, open_archive

if TYPE_CHECKING:
    from ..models import Sequential

__all__ = ["FORMAT", "VERSION", "load_model", "read_weights", "save_model"]

FORMAT = "nnlab.keras"
VERSION = 1

Shape = tuple[int, ...]
Slots = dict[str, list[np.ndarray]]


# ---------------------------------------------------------------------------------- writing
def _metric_config(m: metrics.Metric) -> dict[str, Any]:
    config = {k: v for k, v in m.get_config().items() if k != "dtype"}
    return {"class_name": type(m).__name__, **config, "name": m.name}


def _optimizer_config(optimizer: optimizers.Optimizer) -> dict[str, Any]:
    """This format's optimizer entry: the class name, the learning rate and its schema's args."""
    cls, cfg = type(optimizer).__name__, optimizer.get_config()
    args = {k: cfg[k] for k in schema._OPTIMIZER_ARGS.get(cls, {})}
    return {"name": cls, "learning_rate": optimizer.learning_rate, **args}


def _compile_config(model: Sequential, include_optimizer: bool) -> dict[str, Any] | None:
    if model.loss is None or model.optimizer is None or not include_optimizer:
        return None
    return {
        "optimizer": _optimizer_config(model.optimizer),
        "loss": {
            "name": model.loss.name,
            "from_logits": model.loss.from_logits,
            "custom": isinstance(model.loss, losses.FunctionLoss),
        },
        "metrics": [_metric_config(m) for m in model.compiled_metrics],
        "optimizer_iterations": model.optimizer.iterations,
    }


def save_model(
    model: Sequential, path: str | os.PathLike[str], include_optimizer: bool = True
) -> None:
    """Write ``model`` to ``path`` atomically (see the module docstring for the format)."""
    path = os.fspath(path)
    document = {
        "format": FORMAT,
        "version": VERSION,
        "model": {"class_name": "Sequential", "config": model._legacy_config()},
        "rng_state": model._rng.bit_generator.state,
        "compile": _compile_config(model, include_optimizer),
    }
    arrays: dict[str, np.ndarray] = {"config": np.array(json.dumps(document, allow_nan=False))}
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


# ---------------------------------------------------------------------------------- reading
def _reject_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not a number JSON allows")


def _read_document(archive: Archive) -> dict[str, Any]:
    """The JSON config: parsed, of this format and version, and following ``schema.DOCUMENT``."""
    path = archive.path
    if "config" not in archive.names:
        raise ModelFileError(f"{path}: not an nnlab.keras model file: it has no 'config' member")
    try:
        document = json.loads(archive.read_text("config"), parse_constant=_reject_constant)
    except (ValueError, RecursionError) as err:
        raise ModelFileError(f"{path}: member 'config' is not valid JSON ({err})") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ModelFileError(f"{path}: not an nnlab.keras model file (its config has no format)")
    if document.get("version") != VERSION:
        raise ModelFileError(
            f"{path}: format version {document.get('version')!r}; this nnlab reads version "
            f"{VERSION}"
        )
    try:
        schema.check(document, schema.DOCUMENT, "config")
    except ValueError as err:
        raise ModelFileError(f"{path}: {err}") from None
    return document


def _dense_weights(cfg: dict[str, Any], width: int) -> tuple[list[Shape], int]:
    units = cfg["units"]
    return [(width, units), (units,)] if cfg["use_bias"] else [(width, units)], units


def _no_weights(cfg: dict[str, Any], width: int) -> tuple[list[Shape], int]:
    return [], width


#: The arrays each layer class stores (Keras's layout) and its output width, from its config.
WEIGHT_SHAPES: dict[str, Callable[[dict[str, Any], int], tuple[list[Shape], int]]] = {
    "Dense": _dense_weights,
    "Activation": _no_weights,
    "Dropout": _no_weights,
}


def _weight_shapes(path: str, model_cfg: dict[str, Any]) -> list[Shape]:
    """The shapes of ``get_weights()`` the config implies (none when the input width is unknown)."""
    layers = model_cfg["layers"]
    width = layers[0]["config"]["input_dim"] if layers else None
    if width is None:
        width = model_cfg["input_dim"]
    elif model_cfg["input_dim"] not in (None, width):
        raise ModelFileError(
            f"{path}: config: the model's input_dim {model_cfg['input_dim']} differs from its "
            f"first layer's {width}"
        )
    if width is None:
        return []
    shapes: list[Shape] = []
    for spec in layers:
        layer_shapes, width = WEIGHT_SHAPES[spec["class_name"]](spec["config"], width)
        shapes += layer_shapes
    return shapes


@contextlib.contextmanager
def _blaming(path: str, what: str) -> Iterator[None]:
    """Turn a constructor's complaint about a stored value into a ModelFileError naming ``path``."""
    try:
        yield
    except (ValueError, TypeError, OverflowError) as err:
        raise ModelFileError(f"{path}: {what}: {err}") from None


def _custom_loss(document: dict[str, Any]) -> bool:
    """Whether the model was compiled with a loss function, which a file cannot hold."""
    return document["compile"] is not None and document["compile"]["loss"]["custom"]


def _stored_optimizer(path: str, document: dict[str, Any]) -> optimizers.Optimizer | None:
    """The optimizer the config describes (not yet attached to a model), if it has one."""
    cfg = document["compile"]
    if cfg is None:
        return None
    with _blaming(path, "config: compile.optimizer"):
        return optimizers.get(cfg["optimizer"])


def _read_slots(archive: Archive, names: tuple[str, ...], shapes: list[Shape]) -> Slots:
    """The optimizer state: all of it (one array per weight and slot) or none."""
    members = {s: [f"optimizer.{s}.{i:03d}" for i in range(len(shapes))] for s in names}
    wanted = {m for ms in members.values() for m in ms}
    missing = sorted(wanted - archive.names)
    if len(missing) == len(wanted):
        return {}
    if missing:
        raise ModelFileError(
            f"{archive.path}: incomplete optimizer state: missing member(s) {missing}"
        )
    return {
        s: [archive.read_weights(m, shape) for m, shape in zip(ms, shapes, strict=True)]
        for s, ms in members.items()
    }


def _read(
    path: str, with_optimizer: bool
) -> tuple[dict[str, Any], list[np.ndarray], optimizers.Optimizer | None, Slots]:
    """Document, weights, optimizer and its state, all checked; the state is read only when
    ``with_optimizer`` and the compile settings can be restored (not for a custom loss). The file
    is opened once and only expected members are read."""
    with open_archive(path) as archive:
        document = _read_document(archive)
        shapes = _weight_shapes(path, document["model"]["config"])
        optimizer = _stored_optimizer(path, document)
        restore = with_optimizer and optimizer is not None and not _custom_loss(document)
        slot_names = optimizer.slot_names if optimizer is not None else ()
        weight_members = [f"weight.{i:03d}" for i in range(len(shapes))]
        archive.require(
            ["config", *weight_members],
            optional=[f"optimizer.{s}.{i:03d}" for s in slot_names for i in range(len(shapes))],
        )
        weights = [archive.read_weights(m, s) for m, s in zip(weight_members, shapes, strict=True)]
        slots = _read_slots(archive, slot_names, shapes) if restore else {}
    return document, weights, optimizer, slots


def read_weights(path: str | os.PathLike[str]) -> list[np.ndarray]:
    """The weight arrays stored in a model file, in ``get_weights`` order (float32, checked)."""
    return _read(os.fspath(path), with_optimizer=False)[1]


def _compile(
    model: Sequential,
    cfg: dict[str, Any],
    optimizer: optimizers.Optimizer,
    slots: Slots,
) -> None:
    model.compile(
        optimizer=optimizer,
        loss=losses.get(cfg["loss"]),
        metrics=[
            schema.METRIC_CLASSES[m["class_name"]](
                **{k: v for k, v in m.items() if k != "class_name"}
            )
            for m in cfg["metrics"]
        ],
    )
    optimizer.iterations = cfg["optimizer_iterations"]
    if slots:
        params = model._parameters()
        optimizer.build(params)
        for name, values in slots.items():
            for dst, src in zip(optimizer.slots[name], values, strict=True):
                dst[...] = src


def load_model(path: str | os.PathLike[str], compile: bool = True) -> Sequential:  # noqa: A002
    """Rebuild the model stored at ``path``: layers, weights, and (if it was compiled and
    ``compile``) optimizer, loss, metrics and optimizer state."""
    from ..models import Sequential

    path = os.fspath(path)
    document, weights, optimizer, slots = _read(path, with_optimizer=compile)
    cfg = document["model"]["config"]
    with _blaming(path, "config"):
        layers = [LAYERS[spec["class_name"]](**spec["config"]) for spec in cfg["layers"]]
        model = Sequential(layers, name=cfg["name"], seed=cfg["seed"])
        if cfg["input_dim"] is not None and model.input_dim is None:
            model.build(cfg["input_dim"])
        model._rng.bit_generator.state = document["rng_state"]
    if model.built:
        model.set_weights(weights)
    compile_cfg = document["compile"]
    if compile and compile_cfg is not None:
        if _custom_loss(document):
            warnings.warn(
                f"load_model: the model was compiled with the custom loss "
                f"{compile_cfg['loss']['name']!r}, which cannot be stored; it is returned "
                "uncompiled: call model.compile(...) again",
                stacklevel=2,
            )
        else:
            assert optimizer is not None
            with _blaming(path, "config: compile"):
                _compile(model, compile_cfg, optimizer, slots)
    return model
