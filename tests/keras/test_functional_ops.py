"""Functional models across keras.ops and KerasTensor operators, checked against Keras 3: same
outputs with the same weights, the same config layout (operations as graph nodes), the same
structures, rank standardization and error texts."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest

import nnlab

from .keras_oracle import keras, nk

RNG = np.random.default_rng(3)


@pytest.fixture(autouse=True)
def _same_names():
    """Both libraries' automatic names restart together (tests elsewhere compare them)."""
    keras.utils.clear_session()
    nk.utils.clear_session()
    yield
    keras.utils.clear_session()
    nk.utils.clear_session()


def _ops_model(k):
    a = k.Input(shape=(3,), name="a")
    b = k.Input(shape=(3,), name="b")
    x = (a + b) * 2.0 - a / 4.0
    x = k.ops.expand_dims(x[:, 0:2], -1)
    x = k.ops.concatenate([x, k.ops.square(x)], axis=-1)
    x = k.layers.Dense(4, name="dense")(x)
    x = k.ops.mean(k.ops.relu(x), axis=1) + k.ops.sum(b, axis=-1, keepdims=True) ** 2
    return k.Model({"a": a, "b": b}, {"out": x, "aux": -a @ k.ops.ones((3, 2))})


def test_ops_graph_runs_like_keras() -> None:
    theirs, ours = _ops_model(keras), _ops_model(nk)
    ours.set_weights(theirs.get_weights())
    data = {"a": RNG.normal(size=(5, 3)).astype("float32"), "b": RNG.normal(size=(5, 3))}
    data["b"] = data["b"].astype("float32")
    got, want = ours(data), theirs(data)
    assert set(got) == set(want) == {"out", "aux"}
    for key in want:
        np.testing.assert_allclose(got[key].data, keras.ops.convert_to_numpy(want[key]), 1e-5)
    assert [la.name for la in ours.layers] == [la.name for la in theirs.layers]
    assert ours.output_shape == theirs.output_shape


def _strip(config):
    """The graph part of a config: operation entries without layer configs' details."""
    out = []
    for entry in config["layers"]:
        item = {k: entry[k] for k in ("class_name", "inbound_nodes")}
        if not entry["module"].startswith("keras.layers"):
            item.update(module=entry["module"], config=entry["config"])
        out.append(item)
    return out


def test_config_records_operations_as_keras_does() -> None:
    def build(k):
        a = k.Input(shape=(3,), batch_size=2, name="in_a")
        b = k.Input(shape=(3,), batch_size=2, name="in_b")
        x = k.ops.expand_dims((a + b)[:, 1:], axis=-1)
        y = k.layers.Dense(2, name="d")(k.ops.transpose(x, axes=(0, 2, 1)))
        return k.Model([a, b], [y, k.ops.softmax(y, axis=-1)])

    theirs = json.loads(json.dumps(build(keras).get_config()))
    ours = json.loads(nk.Model.to_json(build(nk)))["config"]
    rename = {}
    for t, o in zip(theirs["layers"], ours["layers"], strict=True):
        rename[o["name"]] = t["name"]
    text = json.dumps(_strip(ours))
    for old, new in sorted(rename.items(), key=lambda kv: -len(kv[0])):
        text = text.replace(f'"{old}"', f'"{new}"')
    assert json.loads(text) == _strip(theirs)
    assert [rename[n] for n, _, _ in ours["output_layers"]] == [
        n for n, _, _ in theirs["output_layers"]
    ]


def test_config_round_trip_keeps_structures() -> None:
    inputs = nk.Input(shape=(3,), name="x")
    h = nk.layers.Dense(4)(inputs)
    for outputs in [(h, h * 2), {"p": h, "q": [h[:, :2], nk.ops.exp(h)]}]:
        model = nk.Model(inputs, outputs)
        config = model.get_config()
        revived = nk.Model.from_config(copy.deepcopy(config))
        assert revived.get_config() == config
        out = revived(np.ones((2, 3), "float32"))
        assert type(out) is type(outputs)
        if isinstance(out, dict):
            assert isinstance(out["q"], list) and out["q"][0].shape == (2, 2)
        json_revived = nk.models.model_from_json(model.to_json())
        first = json_revived(np.ones((2, 3)))["p" if isinstance(outputs, dict) else 0]
        assert first.shape == (2, 4)


def test_slicing_a_graph_makes_new_inputs() -> None:
    inputs = nk.Input(shape=(None, 2), name="input")
    x1 = nk.layers.Dense(3, name="dense1")(inputs)
    x2 = nk.layers.Dense(4, name="dense2")(x1)
    outputs = nk.layers.Dense(5, name="dense3")(x2)
    full = nk.Model(inputs, outputs)
    part = nk.Model(x2, outputs)
    assert [type(la).__name__ for la in part.layers] == ["InputLayer", "Dense"]
    assert part.inputs[0].shape == (None, None, 4)
    x = RNG.normal(size=(2, 6, 2)).astype("float32")
    middle = nk.Model(inputs, x2)(x)
    np.testing.assert_allclose(part(middle).data, full(x).data, rtol=1e-6)


def test_inputs_by_name_and_nested_structures() -> None:
    i1, i2, i3 = nk.Input((1,), name="i1"), nk.Input((2,), name="i2"), nk.Input((3,), name="i3")
    model = nk.Model(
        {"1": i1, "others": {"2": i2, "3": i3}},
        {"1": i1 * 2, "others": {"2": i2 + 1, "3": nk.layers.Dense(3)(i3)}},
    )
    data = {"1": np.ones((2, 1)), "others": {"2": np.ones((2, 2)), "3": np.ones((2, 3))}}
    out = model(data)
    np.testing.assert_allclose(out["others"]["2"].data, 2.0)
    assert out["others"]["3"].shape == (2, 3)
    with pytest.raises(ValueError, match='Missing data for input "3"'):
        model({"1": np.ones((2, 1)), "others": {"2": np.ones((2, 2))}})
    flat = nk.Model([i1, i2], i1 + nk.ops.sum(i2, axis=-1, keepdims=True))
    np.testing.assert_allclose(flat({"i1": np.ones((2, 1)), "i2": np.ones((2, 2))}).data, 3.0)


def test_rank_standardization_like_keras() -> None:
    for k in (keras, nk):
        inputs = k.Input(shape=(3, 1), batch_size=2)
        model = k.Model(inputs, k.layers.Dense(2)(inputs))
        assert tuple(model(np.ones((2, 3))).shape) == (2, 3, 2)
        inputs = k.Input(shape=(3,), name="foo")
        model = k.Model(inputs, k.layers.Dense(2)(inputs))
        assert tuple(model(np.ones((2, 3, 1))).shape) == (2, 2)
        with pytest.raises(ValueError, match=r"name 'foo' and path ''\. Expected shape"):
            model(np.ones((2, 3, 4)))


@pytest.mark.parametrize("k", [keras, nk], ids=["keras", "nnlab"])
def test_errors_like_keras(k) -> None:
    a, b = k.Input((2,), name="a"), k.Input((2,), name="b")
    with pytest.raises(ValueError, match="Output with path `second` is not connected"):
        k.Model(a, {"first": a * 2, "second": b * 3})
    with pytest.raises(ValueError, match="All `inputs` values must be KerasTensors"):
        k.Model({"a": "a"}, a)
    with pytest.raises(ValueError, match="All `outputs` values must be KerasTensors"):
        k.Model(a, [a, 3])
    model = k.Model(a, k.layers.Dense(2)(a))
    with pytest.raises(AttributeError, match="`Model.layers` attribute is reserved"):
        model.layers = []


def test_keras_tensor_is_public_and_symbolic() -> None:
    x = nk.KerasTensor((None, 4))
    assert x.shape == (None, 4) and x.dtype == "float32"
    y = nk.ops.reshape(nk.ops.abs(x) ** 2, (-1, 2, 2))
    assert isinstance(y, nk.KerasTensor) and y.shape == (None, 2, 2)
    assert nk.ops.split(x, 2, axis=1)[1].shape == (None, 2)
    assert (x > 0).dtype == "bool"
    with pytest.raises(TypeError, match="boolean"):
        bool(x)
    layer = nk.layers.Dense(3)
    assert layer(nk.KerasTensor((1, 2))).shape == (1, 3)
    inputs = nk.Input((3,))
    model = nk.Model(inputs, np.arange(3.0) * 2 + inputs)  # NumPy defers to the KerasTensor
    np.testing.assert_allclose(model(np.ones((1, 3))).data, [[1.0, 3.0, 5.0]])


def test_keras_files_with_operations_load_both_ways(tmp_path) -> None:
    def build(k):
        inputs = k.Input((3,))
        x = k.layers.Dense(2, name="d")(inputs * 2.0 + 1.0)
        return k.Model(inputs, k.ops.softmax(x[:, 0:2] * x[:, 1:2], axis=-1))

    x = RNG.normal(size=(4, 3)).astype("float32")
    ours, theirs = build(nk), build(keras)
    ours.set_weights(theirs.get_weights())
    ours.save(tmp_path / "ours.keras")
    theirs.save(tmp_path / "theirs.keras")
    want = keras.ops.convert_to_numpy(theirs(x))
    read_by_keras = keras.models.load_model(tmp_path / "ours.keras")
    np.testing.assert_allclose(keras.ops.convert_to_numpy(read_by_keras(x)), want, 1e-5)
    read_by_nnlab = nk.models.load_model(tmp_path / "theirs.keras")
    np.testing.assert_allclose(read_by_nnlab(x).data, want, rtol=1e-5)


@pytest.mark.parametrize("k", [keras, nk], ids=["keras", "nnlab"])
def test_optional_inputs_take_none(k) -> None:
    x, extra = k.Input((4,), name="x"), k.Input((2,), name="extra", optional=True)
    model = k.Model([x, extra], k.layers.Dense(1)(x))
    assert tuple(model([np.ones((2, 4)), None]).shape) == (2, 1)
    strict = k.Model([x, k.Input((2,), name="needed")], k.layers.Dense(1)(x))
    with pytest.raises(ValueError, match="The input 'needed' is not optional, but None"):
        strict([np.ones((2, 4)), None])


def test_an_nnlab_tensor_on_the_left_of_a_symbolic_input_is_recorded_in_the_graph():
    scale = nnlab.tensor(np.array([1.0, 2.0, 3.0], np.float32))
    x = nk.Input((3,))
    model = nk.Model(x, scale * x + 1.0)
    out = model.predict(np.ones((2, 3), np.float32), verbose=0)
    np.testing.assert_allclose(out, [[2.0, 3.0, 4.0]] * 2)


def test_equality_of_keras_tensors_is_identity_as_in_keras_3():
    x, y = nk.Input((3,)), nk.Input((3,))
    assert (x == x) is True and (x == y) is False and x in [y, x]
    assert isinstance(nk.ops.equal(x, y), nk.KerasTensor)  # the elementwise comparison
    assert isinstance(x != y, nk.KerasTensor)  # Keras 3 records != as not_equal
