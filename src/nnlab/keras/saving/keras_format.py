"""Keras 3's ``.keras`` file, written and read by nnlab: Keras opens nnlab's files and nnlab
opens Keras's (for the layers nnlab has).

A ``.keras`` file is a zip archive (members stored uncompressed) of

- ``metadata.json``: ``{"keras_version": "3.x.y", "date_saved": "YYYY-MM-DD@HH:MM:SS"}``; nnlab
  adds ``"nnlab": {"rng_state": ...}``, the state of the model's generator (shuffling, dropout),
  so that training resumed from a file continues exactly as it would have (Keras ignores it);
- ``config.json``: the model serialized as Keras does (:mod:`.serialization`), with its
  ``compile_config`` (:mod:`.keras_compile`);
- ``model.weights.h5``: the weights and the optimizer's variables (:mod:`.h5_store`).

``save_weights`` writes the HDF5 weights file alone (Keras names it ``*.weights.h5``);
``load_weights`` reads one, or the weights of a ``.keras`` file, or of nnlab's earlier format.

Writing is atomic (:func:`nnlab.atomic.atomic_writer`). Reading trusts nothing: the archive holds
only the three members, each at most its size limit (checked from the zip directory, before
reading, and again while reading), not encrypted, not a zip bomb; the JSON is parsed without
NaN/Infinity and with a nesting limit; each layer is rebuilt only from nnlab's own classes
(Keras's ``safe_mode``: ``Lambda`` and custom objects refused); the weight shapes the config
implies are compared with the shapes the HDF5 file declares before any layer is built. Every
problem raises :class:`ModelFileError` (a ``ValueError``) whose message starts with the file.

Files of nnlab's earlier format (an ``.npz`` archive, :mod:`.saving_lib`) are recognized by
their content and still load.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
import warnings
import zipfile
import zlib
from collections.abc import Iterator
from typing import Any, NoReturn

import numpy as np

from nnlab.atomic import atomic_writer

from . import keras_compile, object_registration, saving_lib
from . import serialization as ser
from .archive import ModelFileError
from .h5_store import WeightsReader, write_weights
from .weight_groups import layer_entry, split, weight_groups
from .weight_shapes import RULES, weight_shapes

__all__ = ["KERAS_VERSION", "LIMITS", "load_model", "load_weights", "save_model", "save_weights"]

#: The Keras release whose file layout nnlab writes (and tests against).
KERAS_VERSION = "3.15.1"
CONFIG, METADATA, WEIGHTS = "config.json", "metadata.json", "model.weights.h5"
#: Largest accepted (uncompressed) size of each member, in bytes.
LIMITS = {CONFIG: 16 << 20, METADATA: 1 << 16, WEIGHTS: 4 << 30}
_MAX_EXPANSION, _ALLOWANCE = 100, 1 << 20
_JSON_DEPTH = 64
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError)
_HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
#: Layers that take a list of tensors (functional models only); none has weights.
MERGING = ("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate")


# ---------------------------------------------------------------------------------- writing
def _rng_state(model: Any) -> Any:
    rng = getattr(model, "rng", None) or getattr(model, "_rng", None)
    return rng.bit_generator.state if isinstance(rng, np.random.Generator) else None


def _h5_bytes(model: Any, with_optimizer: bool) -> bytes:
    layers = ser.model_layers(model)
    entries = [
        group
        for path, layer in zip(ser.layer_paths(model), layers, strict=True)
        for group in split(path, weight_groups(layer_entry(layer)), layer.get_weights())
    ]
    optimizer = None
    if with_optimizer and model.optimizer is not None and model.loss is not None:
        name = type(model.optimizer).__name__.lower()
        optimizer = (name, keras_compile.optimizer_arrays(model.optimizer))
    return write_weights(model.name, entries, optimizer)


def save_model(model: Any, path: str | os.PathLike[str], include_optimizer: bool = True) -> None:
    """Write ``model`` as a Keras 3 ``.keras`` file at ``path`` (atomically)."""
    entry = ser.serialize_model(model)
    compiled = keras_compile.compile_config(model) if include_optimizer else None
    if compiled is not None:
        entry["compile_config"] = compiled
    metadata = {
        "keras_version": KERAS_VERSION,
        "date_saved": time.strftime("%Y-%m-%d@%H:%M:%S"),
        "nnlab": {"rng_state": _rng_state(model)},
    }
    members = {
        METADATA: json.dumps(metadata, allow_nan=False).encode(),
        CONFIG: json.dumps(entry, allow_nan=False).encode(),
        WEIGHTS: _h5_bytes(model, compiled is not None),
    }
    with atomic_writer(path) as f, zipfile.ZipFile(f, "w", zipfile.ZIP_STORED) as z:
        for name, data in members.items():
            z.writestr(name, data)


def save_weights(model: Any, path: str | os.PathLike[str]) -> None:
    """Write the weights (and optimizer state) as Keras 3's ``.weights.h5`` file (atomically)."""
    data = _h5_bytes(model, with_optimizer=True)
    with atomic_writer(path) as f:
        f.write(data)


# ---------------------------------------------------------------------------------- reading
class _Zip:
    """The members of a .keras archive, checked from its directory before anything is read."""

    def __init__(self, path: str, zf: zipfile.ZipFile, size: int) -> None:
        self.path, self._zip = path, zf
        self._infos: dict[str, zipfile.ZipInfo] = {}
        for info in zf.infolist():
            name = info.filename
            if name not in LIMITS:
                self.fail(f"unexpected member {name!r}; a .keras file holds {sorted(LIMITS)}")
            if name in self._infos:
                self.fail(f"member {name!r} appears twice")
            if info.flag_bits & 0x1:
                self.fail(f"member {name!r} is encrypted")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                self.fail(f"member {name!r} uses compression method {info.compress_type}")
            if info.file_size > LIMITS[name]:
                self.fail(f"member {name!r} declares {info.file_size} bytes (limit {LIMITS[name]})")
            if info.header_offset + info.compress_size > size:
                self.fail(f"member {name!r} extends past the end of the file ({size} bytes)")
            self._infos[name] = info
        declared = sum(i.file_size for i in self._infos.values())
        if declared > _MAX_EXPANSION * size + _ALLOWANCE:
            self.fail(f"its members would expand to {declared} bytes from {size}: a zip bomb")
        missing = sorted({CONFIG, WEIGHTS} - self._infos.keys())
        if missing:
            self.fail(f"missing member(s) {missing}")

    def fail(self, problem: str) -> NoReturn:
        raise ModelFileError(f"{self.path}: {problem}")

    def has(self, name: str) -> bool:
        return name in self._infos

    def read(self, name: str) -> bytes:
        info = self._infos[name]
        try:
            with self._zip.open(info) as fp:
                data = fp.read(info.file_size + 1)  # bounded: never more than declared
        except _ZIP_ERRORS as err:
            self.fail(f"member {name!r} cannot be read ({type(err).__name__}: {err})")
        if len(data) != info.file_size:
            self.fail(f"member {name!r} holds {len(data)} bytes, not the {info.file_size} declared")
        return data

    def read_json(self, name: str) -> Any:
        return parse_json(self.read(name), f"{self.path}: {name}")


def _reject_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not a number JSON allows")


def _depth(value: Any, limit: int) -> int:
    stack, deepest = [(value, 1)], 0
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        children = (
            item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        )
        stack.extend((child, depth + 1) for child in children)
    return deepest


def parse_json(data: bytes, where: str) -> Any:
    """A JSON document (no NaN/Infinity, nesting at most 64 levels) or ModelFileError."""
    try:
        value = json.loads(data.decode("utf-8"), parse_constant=_reject_constant)
    except (ValueError, RecursionError, UnicodeDecodeError) as err:
        raise ModelFileError(f"{where}: not valid JSON ({str(err)[:100]})") from None
    if _depth(value, _JSON_DEPTH) > _JSON_DEPTH:
        raise ModelFileError(f"{where}: JSON nested deeper than {_JSON_DEPTH} levels")
    return value


def _kind(path: str) -> str:
    """'keras', 'npz' (nnlab's earlier format) or 'h5', from the file's content."""
    if not os.path.exists(path):
        raise FileNotFoundError(f"{path}: no such file")
    with open(path, "rb") as f:
        head = f.read(8)
    if not head:
        raise ModelFileError(f"{path}: not a model file: it is empty (0 bytes)")
    if head == _HDF5_MAGIC:
        return "h5"
    if head.startswith(b"\x93NUMPY"):
        raise ModelFileError(f"{path}: not a model file: it is a single NumPy .npy array")
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
    except _ZIP_ERRORS as err:
        raise ModelFileError(f"{path}: not a .keras file: not a zip archive ({err})") from None
    if CONFIG in names:
        return "keras"
    if "config.npy" in names:
        return "npz"
    raise ModelFileError(
        f"{path}: not a .keras file: it has no {CONFIG} (members: {sorted(names)[:5]})"
    )


@contextlib.contextmanager
def _open(path: str) -> Iterator[_Zip]:
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        try:
            zf = zipfile.ZipFile(f)
        except _ZIP_ERRORS as err:
            raise ModelFileError(f"{path}: not a .keras file: not a zip archive ({err})") from None
        with zf:
            yield _Zip(path, zf, size)


@contextlib.contextmanager
def _blaming(where: str) -> Iterator[None]:
    """A complaint about a stored value becomes a ModelFileError naming the file."""
    try:
        yield
    except ModelFileError:
        raise
    except (ValueError, TypeError, KeyError, OverflowError) as err:
        raise ModelFileError(f"{where}: {err}") from None


def _input_shape(entry: dict[str, Any], entries: list[dict[str, Any]]) -> ser.Shape | None:
    """A Sequential model's input shape: its InputLayer's, else its build shape."""
    shape = None
    if entries and entries[0].get("class_name") == "InputLayer":
        cfg = entries[0]["config"]
        shape = cfg.get("batch_shape") or cfg.get("batch_input_shape")
    config, build = entry["config"], entry.get("build_config") or {}
    return _check_shape(shape or config.get("build_input_shape") or build.get("input_shape"))


def _check_shape(shape: Any) -> ser.Shape | None:
    if shape is None:
        return None

    def dim(d: Any) -> bool:
        return isinstance(d, int) and not isinstance(d, bool) and d >= 1

    if (
        not isinstance(shape, list)
        or len(shape) < 2
        or not (shape[0] is None or dim(shape[0]))  # Input(batch_size=n) fixes the batch
        or not all(dim(d) for d in shape[1:])
    ):
        raise ValueError(
            "input shape must be [batch, d1, ...] with a batch size of null or >= 1 and dims "
            f">= 1, got {str(shape)[:60]}"
        )
    return tuple(shape)


def _expected_shapes(entry: dict[str, Any]) -> list[tuple[str, list[tuple[int, ...]] | None]]:
    """(HDF5 path, weight shapes or None if unknown) of each saved layer, from the config alone:
    a Sequential model's shapes follow from its input shape, a functional model's layers each
    from their build_config."""
    cls, entries = ser.layer_entries(entry)
    custom = [e for e in entries if e["class_name"] not in RULES and ser.custom_object(e)]
    if cls == "Sequential":
        layers = [e for e in entries if e["class_name"] != "InputLayer"]
        shape = _input_shape(entry, entries)
        shapes: list[Any] = [None] * len(layers)
        if shape is not None and not custom:  # a custom layer's shapes are its own business
            shapes = list(weight_shapes(layers, shape))
    else:
        layers = entries
        shapes = []
        for e in entries:
            build = (e.get("build_config") or {}).get("input_shape")
            if (
                e["class_name"] in MERGING
                or e["class_name"] == "InputLayer"
                or build is None
                or any(e is c for c in custom)
            ):
                shapes.append(None)  # no weights (or not built)
            else:
                shapes.append(weight_shapes([e], _check_shape(build) or ())[0])
    paths = ser.layer_paths([e["class_name"] for e in layers])
    out: list[tuple[str, list[tuple[int, ...]] | None]] = []
    for path, e, layer_shapes in zip(paths, layers, shapes, strict=True):
        if layer_shapes is None:
            out.append((path, None))
        else:  # a recurrent layer's weights live in its cell's group (weight_groups)
            out += [(p, part) for p, _, part in split(path, weight_groups(e), layer_shapes)]
    return out


def _read_layer(reader: WeightsReader, h5_path: str, layer: Any) -> list[np.ndarray]:
    """The arrays of one layer, from its group or its sub-objects' (``weight_groups``)."""
    shapes = [w.shape for w in layer.get_weights()]
    parts = split(h5_path, weight_groups(layer_entry(layer)), shapes)
    return [a for path, _, part in parts for a in reader.read(path, part)]


def _build(path: str, entry: Any, reader: WeightsReader) -> Any:
    """The model of ``entry``, its weights read from ``reader``: the config is checked (safe
    mode, supported classes) and the shapes it implies compared with the HDF5 file's before any
    layer is built."""
    with _blaming(f"{path}: {CONFIG}"):
        ser.check_safe(entry)
        expected = _expected_shapes(entry)
    with _blaming(f"{path}: {WEIGHTS}"):
        for h5_path, shapes in expected:
            if shapes and reader.shapes(h5_path) != shapes:
                raise ModelFileError(
                    f"{reader.where}: {h5_path}/vars: shapes {reader.shapes(h5_path)} differ from "
                    f"the {shapes} the config implies"
                )
            if shapes:
                reader.check(h5_path, shapes)  # dtypes and stored bytes, before building
    with _blaming(f"{path}: {CONFIG}"):
        model = ser.deserialize_model(entry)
    layers = ser.model_layers(model)
    with _blaming(f"{path}: {WEIGHTS}"):
        for h5_path, layer in zip(ser.layer_paths(model), layers, strict=True):
            if layer.get_weights():
                layer.set_weights(_read_layer(reader, h5_path, layer))
    return model


def _restore_compile(path: str, model: Any, entry: dict[str, Any], reader: WeightsReader) -> None:
    with _blaming(f"{path}: {CONFIG}: compile_config"):
        keras_compile.compile_model(model, entry["compile_config"])
    if getattr(model, "optimizer", None) is None or not reader.has("optimizer/vars"):
        return
    with _blaming(f"{path}: {WEIGHTS}"):
        params = ser.trainable_params(model)
        stored = reader.count("optimizer")
        shapes = keras_compile.optimizer_shapes(model.optimizer, params, stored)
        arrays = reader.read("optimizer", shapes, integer_first=True)
        keras_compile.restore_optimizer(model.optimizer, arrays)


def _restore_rng(model: Any, metadata: Any) -> None:
    state = metadata.get("nnlab", {}).get("rng_state") if isinstance(metadata, dict) else None
    rng = getattr(model, "rng", None) or getattr(model, "_rng", None)
    if isinstance(state, dict) and isinstance(rng, np.random.Generator):
        try:
            rng.bit_generator.state = state
        except (ValueError, TypeError, KeyError):
            warnings.warn(
                "load_model: the stored generator state is invalid; ignored", stacklevel=3
            )


def load_model(
    path: str | os.PathLike[str],
    compile: bool = True,  # noqa: A002
    custom_objects: dict[str, Any] | None = None,
) -> Any:
    """The model stored at ``path`` (a Keras 3 ``.keras`` file, or nnlab's earlier format),
    compiled as it was when ``compile`` and the file holds a compile_config. Custom layers and
    functions the file names are found among those registered with
    ``register_keras_serializable``, in ``custom_objects`` (name -> object) and in an active
    ``custom_object_scope``."""
    if custom_objects:
        scope = {**object_registration.scope_objects(), **custom_objects}
        with object_registration.CustomObjectScope(scope):
            return load_model(path, compile=compile)
    path = os.fspath(path)
    kind = _kind(path)
    if kind == "npz":
        return saving_lib.load_model(path, compile=compile)
    if kind == "h5":
        raise ModelFileError(f"{path}: a weights file (HDF5); read it with model.load_weights")
    with _open(path) as archive:
        entry = archive.read_json(CONFIG)
        metadata = archive.read_json(METADATA) if archive.has(METADATA) else {}
        weights = archive.read(WEIGHTS)
    if not isinstance(entry, dict):
        raise ModelFileError(f"{path}: {CONFIG}: expected an object, got {str(entry)[:60]}")
    with WeightsReader(weights, f"{path}: {WEIGHTS}") as reader:
        model = _build(path, entry, reader)
        if compile and entry.get("compile_config") is not None:
            _restore_compile(path, model, entry, reader)
    _restore_rng(model, metadata)
    return model


def load_weights(model: Any, path: str | os.PathLike[str]) -> None:
    """Set ``model``'s weights from a ``.weights.h5`` file, a ``.keras`` file, or a file of
    nnlab's earlier format; each layer's shapes must match."""
    path = os.fspath(path)
    kind = _kind(path)
    if kind == "npz":
        weights = saving_lib.read_weights(path)
        with _blaming(path):
            model.set_weights(weights)
        return
    if kind == "keras":
        with _open(path) as archive:
            data, where = archive.read(WEIGHTS), f"{path}: {WEIGHTS}"
    else:
        with open(path, "rb") as f:
            data, where = f.read(LIMITS[WEIGHTS] + 1), path
        if len(data) > LIMITS[WEIGHTS]:
            raise ModelFileError(f"{path}: larger than {LIMITS[WEIGHTS]} bytes")
    layers = ser.model_layers(model)
    with WeightsReader(data, where) as reader, _blaming(path):
        arrays = [
            _read_layer(reader, h5_path, layer)
            for h5_path, layer in zip(ser.layer_paths(model), layers, strict=True)
        ]
        for layer, values in zip(layers, arrays, strict=True):
            layer.set_weights(values)
