""".keras and .weights.h5 files are checked, never trusted: each malformed file raises a
ValueError naming the file and the problem, before anything large is allocated."""

from __future__ import annotations

import io
import json
import re
import struct
import tracemalloc
import zipfile
from collections.abc import Callable

import h5py
import numpy as np
import pytest

from nnlab.keras.layers import Dense, Dropout
from nnlab.keras.models import Sequential, load_model
from nnlab.keras.saving import ModelFileError

Members = dict[str, bytes]


@pytest.fixture
def good(tmp_path):
    """A trained, compiled model file: Dense(3) on 4 inputs, Dropout, Dense(2); Adam state."""
    rng = np.random.default_rng(0)
    model = Sequential([Dense(3, activation="relu", input_dim=4), Dropout(0.5), Dense(2)], seed=0)
    model.compile("adam", "mse", metrics=["mae"])
    model.fit(rng.normal(size=(8, 4)), rng.normal(size=(8, 2)), epochs=1, verbose=0)
    path = tmp_path / "good.keras"
    model.save(path)
    with zipfile.ZipFile(path) as z:
        members = {name: z.read(name) for name in z.namelist()}
    return path, members


def _write(path, members: Members) -> None:
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)


def _edit_config(edit: Callable[[dict], object]) -> Callable[[Members], None]:
    def change(members: Members) -> None:
        config = json.loads(members["config.json"])
        edit(config)
        members["config.json"] = json.dumps(config).encode()

    return change


def _layer(config: dict, i: int = 1) -> dict:
    return config["config"]["layers"][i]


def _edit_h5(edit: Callable[[h5py.File], object]) -> Callable[[Members], None]:
    def change(members: Members) -> None:
        buffer = io.BytesIO(members["model.weights.h5"])
        with h5py.File(buffer, "r+") as f:
            edit(f)
        members["model.weights.h5"] = buffer.getvalue()

    return change


def _replace(path: str, make: Callable[[h5py.Group, str], object]) -> Callable[[h5py.File], None]:
    def edit(f: h5py.File) -> None:
        group, name = path.rsplit("/", 1)
        del f[group][name]
        make(f[group], name)

    return edit


LAMBDA = {
    "module": "keras.layers",
    "class_name": "Lambda",
    "config": {"name": "lambda", "function": {"class_name": "__lambda__", "config": {}}},
    "registered_name": None,
}

# (case, change to the good file's members, or the raw bytes of the file; the problem's regex)
CASES: list[tuple[str, Callable[[Members], None] | bytes, str]] = [
    ("empty", b"", r"it is empty \(0 bytes\)"),
    ("not a zip", b"PK\x03\x04 truncated", "not a zip archive"),
    ("no config", lambda m: m.pop("config.json"), r"has no config\.json"),
    ("no weights", lambda m: m.pop("model.weights.h5"), r"missing member\(s\) \['model\.weights"),
    ("extra member", lambda m: m.update({"run.py": b"print()"}), "unexpected member 'run.py'"),
    ("config not json", lambda m: m.update({"config.json": b"{'a': 1"}), "not valid JSON"),
    (
        "NaN in json",
        lambda m: m.update({"config.json": m["config.json"].replace(b"0.5", b"NaN")}),
        "NaN is not a number JSON allows",
    ),
    (
        "deep json",
        lambda m: m.update({"config.json": b"[" * 100 + b"]" * 100}),
        "nested deeper than 64",
    ),
    ("config a list", lambda m: m.update({"config.json": b"[]"}), "expected an object"),
    ("layers not a list", _edit_config(lambda c: c["config"].update(layers=3)), "must be a list"),
    (
        "units a string",
        _edit_config(lambda c: _layer(c)["config"].update(units="3")),
        "units must be a positive integer, got '3'",
    ),
    (
        "bad batch shape",
        _edit_config(lambda c: _layer(c, 0)["config"].update(batch_shape=[None, -4])),
        r"input shape must be \[batch, d1, ...\] .* got \[None, -4\]",
    ),
    (
        "bad batch size",
        _edit_config(lambda c: _layer(c, 0)["config"].update(batch_shape=[0, 4])),
        r"batch size of null or >= 1 .* got \[0, 4\]",
    ),
    ("model class", _edit_config(lambda c: c.update(class_name="MyModel")), "not supported"),
    (
        "Lambda layer",
        _edit_config(lambda c: c["config"]["layers"].insert(1, LAMBDA)),
        "Lambda layer holds Python code",
    ),
    (
        "unknown class",
        _edit_config(lambda c: _layer(c).update(class_name="Conv3D")),
        "layer class 'Conv3D' is not supported",
    ),
    (
        "custom object",
        _edit_config(lambda c: _layer(c).update(registered_name="MyPackage>Dense")),
        "custom object 'Dense'",
    ),
    (
        "function in activation",
        _edit_config(
            lambda c: _layer(c)["config"].update(
                kernel_initializer={"class_name": "__lambda__", "config": {"code": "x"}}
            )
        ),
        "serialized Python function is refused",
    ),
    (
        "float16 layer",
        _edit_config(lambda c: _layer(c)["config"].update(dtype="float16")),
        "dtype 'float16' is not supported",
    ),
    (
        "unknown optimizer",
        _edit_config(lambda c: c["compile_config"]["optimizer"].update(class_name="Fancy")),
        "optimizer 'Fancy'",
    ),
    (
        "custom optimizer",
        _edit_config(
            lambda c: c["compile_config"]["optimizer"].update(registered_name="my_pkg>Adam")
        ),
        "custom object 'Adam'",
    ),
    (
        "learning rate not a number",
        _edit_config(
            lambda c: c["compile_config"]["optimizer"]["config"].update(learning_rate="x")
        ),
        "learning.rate",
    ),
    (
        "config disagrees with weights",
        _edit_config(lambda c: _layer(c)["config"].update(units=5)),
        r"layers/dense/vars: shapes \[\(4, 3\), \(3,\)\] differ from the \[\(4, 5\), \(5,\)\]",
    ),
    ("weights not hdf5", lambda m: m.update({"model.weights.h5": b"\x00" * 64}), "not an HDF5"),
    (
        "weights group missing",
        _edit_h5(lambda f: f["layers"].__delitem__("dense_1")),
        "layers/dense_1: is missing",
    ),
    (
        "weight missing",
        _edit_h5(lambda f: f["layers/dense/vars"].__delitem__("1")),
        r"layers/dense/vars: shapes \[\(4, 3\)\] differ",
    ),
    (
        "NaN weight",
        _edit_h5(
            _replace(
                "layers/dense/vars/0",
                lambda g, n: g.create_dataset(n, data=np.full((4, 3), np.nan)),
            )
        ),
        r"layers/dense/vars/0: has 12 NaN or infinite",
    ),
    (
        "overflowing weight",
        _edit_h5(
            _replace(
                "layers/dense/vars/1", lambda g, n: g.create_dataset(n, data=np.full(3, 1e300))
            )
        ),
        r"layers/dense/vars/1: has 3 NaN or infinite value\(s\) \(as float32\)",
    ),
    (
        "integer weight",
        _edit_h5(
            _replace(
                "layers/dense/vars/1", lambda g, n: g.create_dataset(n, data=np.ones(3, np.int32))
            )
        ),
        "has dtype int32; expected real floating point",
    ),
    (
        "compressed weight",
        _edit_h5(
            _replace(
                "layers/dense/vars/0",
                lambda g, n: g.create_dataset(n, data=np.ones((4, 3)), compression="gzip"),
            )
        ),
        "is compressed or filtered",
    ),
    (
        "soft link",
        _edit_h5(
            _replace(
                "layers/dense_1", lambda g, n: g.__setitem__(n, h5py.SoftLink("/layers/dense"))
            )
        ),
        "layers/dense_1: is a SoftLink",
    ),
    (
        "external link",
        _edit_h5(
            _replace(
                "layers/dense_1",
                lambda g, n: g.__setitem__(n, h5py.ExternalLink("/etc/hosts", "/")),
            )
        ),
        "layers/dense_1: is a ExternalLink",
    ),
    (
        "optimizer slots wrong",
        _edit_h5(lambda f: f["optimizer/vars"].__delitem__("5")),
        r"optimizer/vars: holds \['0', '1', '2', '3', '4', '6'",
    ),
]


@pytest.mark.parametrize(("change", "problem"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_malformed_file_raises_naming_the_file_and_the_problem(good, change, problem) -> None:
    path, members = good
    if isinstance(change, bytes):
        path.write_bytes(change)
    else:
        change(members)
        _write(path, members)
    with pytest.raises(ValueError, match=problem) as err:
        load_model(path)
    assert str(err.value).startswith(f"{path}: ")
    assert isinstance(err.value, ModelFileError)


def test_truncated_file_is_refused(good) -> None:
    path, _ = good
    raw = path.read_bytes()
    for cut in (len(raw) // 2, len(raw) - 10, 30):
        path.write_bytes(raw[:cut])
        with pytest.raises(ModelFileError, match=rf"^{re.escape(str(path))}: "):
            load_model(path)


def _patch_declared_size(path, member: str, size: int) -> None:
    """Rewrite the uncompressed size the zip directory declares for ``member``."""
    raw = bytearray(path.read_bytes())
    entry = raw.index(b"PK\x01\x02")
    name = member.encode()
    while raw[entry + 46 : entry + 46 + len(name)] != name:
        entry = raw.index(b"PK\x01\x02", entry + 4)
    raw[entry + 24 : entry + 28] = struct.pack("<I", size)
    path.write_bytes(bytes(raw))


def test_member_sizes_are_checked_from_the_directory(good) -> None:
    path, _ = good
    _patch_declared_size(path, "config.json", 4_000_000_000)
    with pytest.raises(ModelFileError, match=r"config\.json' declares 4000000000 bytes \(limit"):
        load_model(path)


def test_huge_declared_shapes_allocate_nothing_big(good) -> None:
    """A config asking for 10**12 units, or an HDF5 dataset declaring 8 GB it does not hold,
    is refused from the metadata."""
    path, members = good
    _edit_config(lambda c: _layer(c)["config"].update(units=10**12))(members)
    _write(path, members)
    tracemalloc.start()
    try:
        with pytest.raises(ModelFileError, match=r"differ from the \[\(4, 1000000000000\)"):
            load_model(path)
        assert tracemalloc.get_traced_memory()[1] < 50_000_000
    finally:
        tracemalloc.stop()

    path2 = path.with_name("big.keras")
    _, members = good
    _edit_config(lambda c: _layer(c)["config"].update(units=500_000_000))(members)

    def huge(f: h5py.File) -> None:
        for name, shape in (("0", (4, 500_000_000)), ("1", (500_000_000,))):
            del f["layers/dense/vars"][name]
            f["layers/dense/vars"].create_dataset(name, shape=shape, dtype="f4")  # no data

    _edit_h5(huge)(members)
    _write(path2, members)
    tracemalloc.start()
    try:
        with pytest.raises(ModelFileError, match=r"declares \(4, 500000000\) of float32"):
            load_model(path2)
        assert tracemalloc.get_traced_memory()[1] < 50_000_000
    finally:
        tracemalloc.stop()


def test_weights_file_checks(good, tmp_path) -> None:
    path, members = good
    target = Sequential([Dense(3, input_dim=4), Dropout(0.5), Dense(2)])
    weights = tmp_path / "w.weights.h5"
    weights.write_bytes(members["model.weights.h5"][:200])
    with pytest.raises(ModelFileError, match=rf"^{re.escape(str(weights))}: .*not an HDF5"):
        target.load_weights(weights)
    with pytest.raises(ModelFileError, match=r"a weights file \(HDF5\); read it with"):
        weights.write_bytes(members["model.weights.h5"])
        load_model(weights)
    with pytest.raises(ModelFileError, match=r"layers/dense/vars/0: has shape \(4, 3\); the mod"):
        Sequential([Dense(5, input_dim=4), Dropout(0.5), Dense(2)]).load_weights(weights)
