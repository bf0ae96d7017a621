"""Files of nnlab's earlier (.npz) model format are checked, never trusted: each malformed file
raises a ValueError naming the file and the problem, without allocating more than the file's real
content needs."""

from __future__ import annotations

import io
import json
import re
import struct
import tracemalloc
import zipfile
from collections.abc import Callable

import numpy as np
import pytest

from nnlab.keras import metrics
from nnlab.keras.layers import LAYERS, Dense
from nnlab.keras.models import Sequential, load_model
from nnlab.keras.optimizers import SGD, Adagrad, Adam, RMSprop
from nnlab.keras.saving import ModelFileError, archive, saving_lib, schema

Members = dict[str, bytes]


def _npy(array: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, np.asarray(array), allow_pickle=False)
    return buf.getvalue()


def _members(path) -> Members:
    with zipfile.ZipFile(path) as z:
        return {name.removesuffix(".npy"): z.read(name) for name in z.namelist()}


def _write(path, members: Members, compression: int = zipfile.ZIP_STORED) -> None:
    with zipfile.ZipFile(path, "w", compression) as z:
        for name, data in members.items():
            z.writestr(name + ".npy", data)


def _doc(members: Members) -> dict:
    return json.loads(str(np.load(io.BytesIO(members["config"]))))


def _set_doc(members: Members, doc: dict) -> None:
    members["config"] = _npy(np.array(json.dumps(doc)))


@pytest.fixture
def good(tmp_path):
    """A trained, compiled model file (Adam: slots m and v) and its members: Dense(3) on 4
    inputs then Dense(2): weights (4, 3), (3,), (3, 2), (2,)."""
    rng = np.random.default_rng(0)
    model = Sequential([Dense(3, activation="relu", input_dim=4), Dense(2)], seed=0)
    model.compile("adam", "mse", metrics=["mae"])
    model.fit(rng.normal(size=(8, 4)), rng.normal(size=(8, 2)), epochs=1, verbose=0)
    path = tmp_path / "good.keras"
    saving_lib.save_model(model, path)  # nnlab's earlier format
    return path, _members(path)


def _edit_doc(change: Callable[[dict], object]) -> Callable[[Members], None]:
    def edit(members: Members) -> None:
        doc = _doc(members)
        change(doc)
        _set_doc(members, doc)

    return edit


def _layer(doc: dict, i: int = 0) -> dict:
    return doc["model"]["config"]["layers"][i]["config"]


def _terabyte_header(members: Members) -> None:
    """weight.000's header claims 10⁶ x 10⁶ float32 (4 TB); its data is the real 48 bytes."""
    header = io.BytesIO()
    fields = {"descr": "<f4", "fortran_order": False, "shape": (1_000_000, 1_000_000)}
    np.lib.format.write_array_header_1_0(header, fields)
    members["weight.000"] = header.getvalue() + np.zeros((4, 3), np.float32).tobytes()


def _terabyte_config(members: Members) -> None:
    """The config declares a Dense layer of 10¹² units (a 16 TB kernel); the file holds 48 bytes."""
    doc = _doc(members)
    _layer(doc)["units"] = 10**12
    _set_doc(members, doc)


# (case, change to the good file's members, or the raw bytes of the file; the problem's regex)
CASES: list[tuple[str, Callable[[Members], None] | bytes, str]] = [
    ("empty", b"", r"not a model file: it is empty \(0 bytes\)"),
    ("not a zip", b"PK? certainly not", "not a .keras file: not a zip archive"),
    ("an .npy", _npy(np.zeros(3)), "it is a single NumPy .npy array"),
    (
        "no config",
        lambda m: m.pop("config"),
        r"not a \.keras file: it has no config\.json",
    ),
    (
        "config not text",
        lambda m: m.update(config=_npy(np.zeros(2))),
        "member 'config': has dtype float64; expected text",
    ),
    (
        "config not JSON",
        lambda m: m.update(config=_npy(np.array('{"format": '))),
        "member 'config' is not valid JSON",
    ),
    ("wrong version", _edit_doc(lambda d: d.update(version=2)), "format version 2; this nnlab"),
    (
        "wrong JSON type",
        _edit_doc(lambda d: _layer(d).update(units="3")),
        r"config\.model\.config\.layers\[0\]\.config\.units: expected an integer >= 1, got '3'",
    ),
    (
        "bool for a number",
        _edit_doc(lambda d: d["compile"]["optimizer"].update(learning_rate=True)),
        r"config\.compile\.optimizer\.learning_rate: expected a finite number, got True",
    ),
    (
        "NaN in the config",
        _edit_doc(lambda d: d["compile"]["optimizer"].update(learning_rate=float("nan"))),
        "member 'config' is not valid JSON .*NaN",
    ),
    (
        "missing key",
        _edit_doc(lambda d: d["compile"].pop("loss")),
        r"config\.compile: missing key\(s\) \['loss'\]",
    ),
    (
        "unexpected key",
        _edit_doc(lambda d: _layer(d).update(kernel_constraint=None)),
        r"config\.model\.config\.layers\[0\]\.config: unexpected key\(s\) \['kernel_constraint'\]",
    ),
    (
        "unknown metric",
        _edit_doc(lambda d: d["compile"]["metrics"][0].update(class_name="F3Score")),
        r"config\.compile\.metrics\[0\]\.class_name: unknown metric 'F3Score'",
    ),
    (
        "unknown layer",
        _edit_doc(lambda d: d["model"]["config"]["layers"][1].update(class_name="Conv2D")),
        r"layers\[1\]\.class_name: unknown layer 'Conv2D'",
    ),
    (
        "unknown activation",
        _edit_doc(lambda d: _layer(d).update(activation="swoosh")),
        "unknown activation 'swoosh'",
    ),
    (
        "unknown loss",
        _edit_doc(lambda d: d["compile"]["loss"].update(name="hinge2")),
        r"config\.compile\.loss\.name: unknown loss 'hinge2'",
    ),
    (
        "unknown optimizer",
        _edit_doc(lambda d: d["compile"]["optimizer"].update(name="Nadam")),
        "unknown optimizer 'Nadam'",
    ),
    (
        "out-of-range hyper-parameter",
        _edit_doc(lambda d: d["compile"]["optimizer"].update(beta_1=1.5)),
        r"config: compile\.optimizer: Adam: beta_1 must be in \[0, 1\)",
    ),
    (
        "bad generator state",
        _edit_doc(lambda d: d["rng_state"]["state"].update(state=-1)),
        r"config\.rng_state\.state\.state: expected an integer in \[0, 2\*\*128\)",
    ),
    (
        "terabyte shape in a .npy header",
        _terabyte_header,
        r"member 'weight\.000': declares shape \(1000000, 1000000\) of float32 \(4\.0 TB\) "
        "but holds 48 bytes of data",
    ),
    (
        "terabyte layer in the config",
        _terabyte_config,
        r"member 'weight\.000': has shape \(4, 3\); the model config implies \(4, 1000000000000\)",
    ),
    (
        "complex weights",
        lambda m: m.update({"weight.000": _npy(np.zeros((4, 3), np.complex64))}),
        r"member 'weight\.000': has dtype complex64; expected real floating point",
    ),
    (
        "integer weights",
        lambda m: m.update({"weight.001": _npy(np.zeros(3, np.int32))}),
        r"member 'weight\.001': has dtype int32; expected real floating point",
    ),
    (
        "NaN weight",
        lambda m: m.update({"weight.001": _npy(np.array([0.0, np.nan, 0.0], np.float32))}),
        r"member 'weight\.001': has 1 NaN or infinite value\(s\)",
    ),
    (
        "float64 weight beyond float32",
        lambda m: m.update({"weight.003": _npy(np.array([1e300, -1e300]))}),
        r"member 'weight\.003': has 2 NaN or infinite value\(s\) \(as float32\)",
    ),
    (
        "mis-shaped optimizer slot",
        lambda m: m.update({"optimizer.momentum.002": _npy(np.zeros((2, 3), np.float32))}),
        r"member 'optimizer\.momentum\.002': has shape \(2, 3\); the model config implies \(3, 2\)",
    ),
    (
        "non-finite optimizer slot",
        lambda m: m.update({"optimizer.velocity.000": _npy(np.full((4, 3), np.inf, np.float32))}),
        r"member 'optimizer\.velocity\.000': has 12 NaN or infinite value\(s\)",
    ),
    (
        "incomplete optimizer state",
        lambda m: m.pop("optimizer.velocity.001"),
        r"incomplete optimizer state: missing member\(s\) \['optimizer\.velocity\.001'\]",
    ),
    ("missing weight", lambda m: m.pop("weight.002"), r"missing member\(s\) \['weight\.002'\]"),
    (
        "unexpected member",
        lambda m: m.update(payload=_npy(np.zeros(1))),
        r"unexpected member\(s\) \['payload'\]",
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


def test_members_other_than_npy_arrays_or_twice_are_refused(good) -> None:
    path, members = good
    with zipfile.ZipFile(path, "a") as z:
        z.writestr("notes.txt", b"hello")
    with pytest.raises(ValueError, match=r"member 'notes\.txt': is not a \.npy array"):
        load_model(path)
    _write(path, members)
    with pytest.warns(UserWarning, match="Duplicate name"), zipfile.ZipFile(path, "a") as z:
        z.writestr("weight.000.npy", members["weight.000"])
    with pytest.raises(ValueError, match=r"member 'weight\.000': appears twice"):
        load_model(path)


def _patch_declared_size(path, member: str, size: int) -> None:
    """Rewrite the uncompressed size the zip directory declares for ``member``."""
    raw = bytearray(path.read_bytes())
    entry = raw.index(b"PK\x01\x02")  # the central directory's first entry
    name = member.encode()
    while raw[entry + 46 : entry + 46 + len(name)] != name:
        entry = raw.index(b"PK\x01\x02", entry + 4)
    raw[entry + 24 : entry + 28] = struct.pack("<I", size)  # its "uncompressed size" field
    path.write_bytes(bytes(raw))


def test_declared_size_must_match_the_stored_bytes(good) -> None:
    path, members = good
    size = len(members["weight.001"])
    _patch_declared_size(path, "weight.001.npy", size + 10**9)
    with pytest.raises(
        ValueError, match=rf"member 'weight\.001': is stored uncompressed in {size} bytes but "
    ):
        load_model(path)


def test_load_weights_checks_the_file_too(good) -> None:
    path, members = good
    members["weight.000"] = _npy(np.full((4, 3), np.nan, np.float32))
    _write(path, members)
    model = Sequential([Dense(3, input_dim=4), Dense(2)])
    with pytest.raises(
        ValueError, match=rf"^{re.escape(str(path))}: member 'weight\.000': has 12 NaN"
    ):
        model.load_weights(path)


def test_load_weights_into_a_different_model_names_the_file(good) -> None:
    path, _ = good
    with pytest.raises(
        ValueError, match=rf"^{re.escape(str(path))}: set_weights: the model has 2 weight arrays"
    ):
        Sequential([Dense(5, input_dim=4)]).load_weights(path)


def test_corrupted_member_bytes_fail_the_crc(good) -> None:
    path, members = good
    raw = bytearray(path.read_bytes())
    data = members["weight.002"]
    at = bytes(raw).index(data) + len(data) - 1
    raw[at] ^= 0xFF
    path.write_bytes(bytes(raw))
    with pytest.raises(
        ValueError, match=rf"^{re.escape(str(path))}: member 'weight\.002': cannot be read.*CRC"
    ):
        load_model(path)


def _bomb(path) -> None:
    """A valid model whose only weight is a (4, 2²⁴) float32 kernel of zeros (256 MiB), deflated to
    a ~260 kB member: a thousand-fold expansion."""
    model = Sequential([Dense(1, input_dim=4, use_bias=False, name="big")], seed=0)
    saving_lib.save_model(model, path)  # nnlab's earlier format
    members = _members(path)
    doc = _doc(members)
    _layer(doc)["units"] = 1 << 24
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("config.npy", _npy(np.array(json.dumps(doc))))
        with z.open("weight.000.npy", "w", force_zip64=True) as f:
            fields = {"descr": "<f4", "fortran_order": False, "shape": (4, 1 << 24)}
            np.lib.format.write_array_header_1_0(f, fields)
            chunk = bytes(1 << 20)
            for _ in range(256):
                f.write(chunk)


def _peak_bytes(fn: Callable[[], object]) -> int:
    """The peak of traced allocations (NumPy's included) while ``fn`` fails with ValueError."""
    tracemalloc.start()
    try:
        with pytest.raises(ValueError):
            fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_zip_bomb_is_refused_from_the_directory_without_allocating(tmp_path) -> None:
    path = tmp_path / "bomb.keras"
    _bomb(path)
    assert path.stat().st_size < 2_000_000
    with pytest.raises(
        ValueError, match=rf"^{re.escape(str(path))}: its members would expand to 268\.4 MB.*bomb"
    ):
        load_model(path)
    assert _peak_bytes(lambda: load_model(path)) < 50_000_000


@pytest.mark.parametrize("change", [_terabyte_header, _terabyte_config])
def test_terabyte_declarations_allocate_nothing_big(good, change) -> None:
    path, members = good
    change(members)
    _write(path, members)
    assert _peak_bytes(lambda: load_model(path)) < 50_000_000
    with pytest.raises(ValueError, match=rf"^{re.escape(str(path))}: member 'weight\.000'"):
        load_model(path)


def test_deflated_files_within_the_limit_load(good, tmp_path) -> None:
    path, members = good
    packed = tmp_path / "packed.keras"
    _write(packed, members, zipfile.ZIP_DEFLATED)
    a, b = load_model(path), load_model(packed)
    for wa, wb in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_array_equal(wa, wb)
    assert archive.MAX_EXPANSION == 100


def test_the_file_is_opened_once_and_only_expected_members_are_read(good, monkeypatch) -> None:
    path, _ = good
    opened: list[str] = []
    read: list[str] = []
    real_open, real_member = open, zipfile.ZipFile.open

    def spy_open(file, *args, **kwargs):
        opened.append(str(file))
        return real_open(file, *args, **kwargs)

    def spy_member(self, name, *args, **kwargs):
        read.append(getattr(name, "filename", name))
        return real_member(self, name, *args, **kwargs)

    monkeypatch.setattr(archive, "open", spy_open, raising=False)
    monkeypatch.setattr(zipfile.ZipFile, "open", spy_member)
    Sequential([Dense(3, input_dim=4), Dense(2)]).load_weights(path)
    assert opened == [str(path)]
    assert read == ["config.npy", *(f"weight.{i:03d}.npy" for i in range(4))]  # no slots
    opened.clear(), read.clear()
    load_model(path)
    assert opened == [str(path)] and len(read) == len(set(read)) == 1 + 4 + 8


# ------------------------------------------------------------------ the schema checker itself
@pytest.mark.parametrize(
    ("value", "schema_", "message"),
    [
        (3, schema.STR, "here: expected a string, got 3"),
        ([1, "a"], [schema.INT], r"here\[1\]: expected an integer, got 'a'"),
        ({"a": 1}, {"a": schema.INT, "b": schema.INT}, r"here: missing key\(s\) \['b'\]"),
        (None, {"a": schema.INT}, "here: expected an object, got None"),
        (float("inf"), schema.NUMBER, "expected a finite number, got inf"),
        ("x", schema.Nullable(schema.COUNT), "expected an integer >= 1"),
        ({"kind": 1}, schema.OneOf("thing", "kind", {"a": {}}), "here.kind: unknown thing 1"),
        ("b", schema.Names("color", {"a"}), r"here: unknown color 'b'; expected one of \['a'\]"),
    ],
)
def test_schema_check_names_where_and_what(value, schema_, message) -> None:
    with pytest.raises(ValueError, match=message):
        schema.check(value, schema_, "here")


def test_every_layer_class_has_a_config_schema_and_weight_shapes() -> None:
    """A new layer class must be described to the reader, or its models could not be loaded."""
    assert set(schema.LAYER_CONFIGS) == set(LAYERS) == set(saving_lib.WEIGHT_SHAPES)
    public_metrics = {getattr(metrics, name) for name in metrics.__all__}
    assert set(schema.METRIC_CLASSES.values()) == {
        cls for cls in public_metrics if isinstance(cls, type) and cls is not metrics.Metric
    }
    assert set(schema.OPTIMIZER.options) == {cls.__name__ for cls in (SGD, Adam, RMSprop, Adagrad)}


def test_schema_accepts_a_saved_document(good) -> None:
    _, members = good
    schema.check(_doc(members), schema.DOCUMENT, "config")
    schema.check(None, schema.Nullable(schema.COUNT), "here")
