"""A functional model called (or fitted) with inputs in another structure than its ``inputs``:
Keras 3's own tests (models/functional_test.py, imports changed) and a table of structures run
with both libraries: the same warnings ("The structure of `inputs` doesn't match the expected
structure"), the same errors, the same results."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

from nnlab.keras import Input, Model, layers, ops
from nnlab.keras.models.functional import Functional

from .keras_oracle import keras, nk

MESSAGE = "The structure of `inputs` doesn't match the expected structure"


def _structure_warnings(record: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in record if str(w.message).startswith(MESSAGE)]


# ------------------------------------------------------------------ Keras's own tests
def test_input_dict_with_extra_field() -> None:
    input_a = Input(shape=(3,), batch_size=2, name="a")
    outputs = input_a * 5 + 2
    model = Functional({"a": input_a}, outputs)
    with pytest.warns(UserWarning) as record:
        in_val = {"a": np.random.random((2, 3)), "b": np.random.random((2, 1))}
        out_val = model(in_val)
        assert out_val.shape == (2, 3)
        # Symbolic call
        input_a_2 = Input(shape=(3,), batch_size=2)
        input_b_2 = Input(shape=(1,), batch_size=2)
        out_val = model({"a": input_a_2, "b": input_b_2})
        assert out_val.shape == (2, 3)
    found = _structure_warnings(list(record))
    assert found and len(set(found)) == 1


def test_warning_for_mismatched_inputs_structure() -> None:
    i1 = Input((2,))
    i2 = Input((2,))
    outputs = layers.Add()([i1, i2])
    model = Model({"i1": i1, "i2": i2}, outputs)
    with pytest.warns(UserWarning) as record:
        model.predict([np.ones((2, 2)), np.zeros((2, 2))], verbose=0)
    assert len(_structure_warnings(list(record))) == 1
    # No warning for mismatched tuples and lists.
    model = Model([i1, i2], outputs)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        model.predict((np.ones((2, 2)), np.zeros((2, 2))), verbose=0)
    assert _structure_warnings(record) == []


def test_list_input_with_dict_build() -> None:
    x1 = Input((10,), name="IT")
    x2 = Input((10,), name="IS")
    y = layers.subtract([x1, x2])
    model = Model(inputs={"IT": x1, "IS": x2}, outputs=y)
    x1, x2 = ops.ones((1, 10)), ops.zeros((1, 10))
    model({"IT": x1, "IS": x2})  # works
    with pytest.raises(ValueError, match=MESSAGE):
        model([x1, x2])


# ------------------------------------------------------------------ against Keras 3
A, B = np.ones((2, 2), np.float32), np.full((2, 2), 3.0, np.float32)
S = np.arange(6, dtype=np.float32).reshape(2, 3)


def _models(lib: Any) -> dict[str, Any]:
    """The same functional models in ``lib``, weights fixed (ones), keyed by their inputs."""
    i1, i2 = lib.Input((2,), name="i1"), lib.Input((2,), name="i2")
    s = lib.Input((3,), name="s")
    it, is_ = lib.Input((2,), name="IT"), lib.Input((2,), name="IS")
    dense = lib.layers.Dense(1, kernel_initializer="ones")
    return {
        "dict": lib.Model({"i1": i1, "i2": i2}, lib.layers.subtract([i1, i2])),
        "list": lib.Model([i1, i2], lib.layers.subtract([i1, i2])),
        "unsorted dict": lib.Model({"IT": it, "IS": is_}, lib.layers.subtract([it, is_])),
        "single": lib.Model(s, dense(s)),
        "list of one": lib.Model([s], dense(s)),
    }


CALLS = [
    ("dict", "call", [A, B]),
    # Keras flattens this dict in sorted-key order and pairs the values with the inputs by
    # position ('extra' is given to i1): nnlab reads i1 and i2 by key; both warn
    ("dict", "call", {"i1": A, "i2": B, "zzz": A}),
    ("dict", "predict", [A, B]),
    ("dict", "predict", {"i1": A, "i2": B}),
    ("list", "call", (A, B)),
    ("list", "call", {"i1": A, "i2": B}),
    ("list", "call", {"i1": A, "other": B}),
    ("list", "predict", {"i1": A, "i2": B, "extra": A}),
    ("unsorted dict", "call", [A, B]),
    ("unsorted dict", "call", {"IT": A, "IS": B}),
    ("single", "call", [S]),
    ("single", "call", {"s": S}),
    ("single", "call", {"q": S}),
    ("single", "predict", [S]),
    ("list of one", "predict", S),
]


def _outcome(lib: Any, key: str, how: str, inputs: Any) -> tuple[str, Any, int]:
    """("ok", the output) or ("error", the message's first sentence), and the number of
    structure warnings."""
    model = _models(lib)[key]
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        try:
            out = model(inputs) if how == "call" else model.predict(inputs, verbose=0)
            result: tuple[str, Any] = ("ok", lib.ops.convert_to_numpy(out))
        except ValueError as err:
            message = str(err)
            kinds = [kind for kind in (MESSAGE, "Missing data for input") if kind in message]
            result = ("error", kinds or message)
    return (*result, len(_structure_warnings(record)))


@pytest.mark.parametrize(
    ("key", "how", "inputs"), CALLS, ids=[f"{k}-{h}-{i}" for i, (k, h, _) in enumerate(CALLS)]
)
def test_structures_warn_and_raise_as_keras(key: str, how: str, inputs: Any) -> None:
    kind_k, value_k, warned_k = _outcome(keras, key, how, inputs)
    kind_n, value_n, warned_n = _outcome(nk, key, how, inputs)
    assert kind_n == kind_k
    assert bool(warned_n) == bool(warned_k)
    if kind_k == "error":
        assert value_n == value_k
    elif isinstance(inputs, dict) and "zzz" in inputs:  # see CALLS
        np.testing.assert_allclose(value_n, A - B)
    else:
        np.testing.assert_allclose(value_n, value_k, rtol=1e-6)


def test_an_array_for_a_list_of_one_input_is_not_a_mismatch() -> None:
    """Keras wraps a backend tensor given to a model whose inputs are ``[x]`` silently but warns
    for a NumPy array (``ops.is_tensor`` is False for it); nnlab treats both as tensors."""
    s = Input((3,), name="s")
    model = Model([s], layers.Dense(1)(s))
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        model(S)
        model(ops.convert_to_tensor(S))
    assert _structure_warnings(record) == []


def test_fit_warns_once_and_trains_with_a_list_for_a_dict_model() -> None:
    """fit reads the structure once: one warning (Keras warns as it builds and as it traces its
    step), not one per batch; the batches reach the model in its own structure."""
    i1, i2 = Input((2,), name="i1"), Input((2,), name="i2")
    model = Model({"i1": i1, "i2": i2}, layers.Dense(1)(layers.concatenate([i1, i2])))
    model.compile(optimizer="sgd", loss="mse")
    x = [np.ones((8, 2)), np.zeros((8, 2))]
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        model.fit(x, np.ones((8, 1)), batch_size=2, epochs=2, verbose=0)
        model.fit({"i1": x[0], "i2": x[1]}, np.ones((8, 1)), batch_size=2, verbose=0)
    assert len(_structure_warnings(record)) == 1
