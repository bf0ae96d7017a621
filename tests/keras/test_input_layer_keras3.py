"""InputLayer / Input arguments as Keras 3 (torch backend): the same errors and warnings for
the same bad combinations, input_tensor reuse, the ``sparse`` attribute and ``call()``."""

from __future__ import annotations

import numpy as np
import pytest

from .keras_oracle import keras, nk


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"shape": (3,), "batch_shape": (2, 3)}, "cannot pass both `shape` and `batch_shape`"),
        (
            {"batch_size": 4, "batch_shape": (2, 3)},
            "cannot pass both `batch_size` and `batch_shape`",
        ),
        ({}, "You must pass a `shape` argument"),
        ({"input_tensor": np.zeros((2, 3))}, "Argument `input_tensor` must be a KerasTensor"),
        ({"shape": (4,), "tensor": True}, "incompatible `shape`"),
        ({"batch_shape": (2, 4), "tensor": True}, "incompatible `batch_shape`"),
        ({"batch_size": 5, "tensor": True}, "incompatible `batch_size`"),
        ({"dtype": "float16", "tensor": True}, "incompatible `dtype`"),
    ],
)
def test_errors_as_keras(kwargs, message) -> None:
    for lib in (keras, nk):
        args = dict(kwargs)
        if args.pop("tensor", False):
            args["input_tensor"] = (
                keras.KerasTensor(shape=(2, 3), dtype="float32")
                if lib is keras
                else nk.layers.input_layer.KerasTensor((2, 3), dtype="float32")
            )
        with pytest.raises(ValueError, match=message):
            lib.layers.InputLayer(**args)


def test_input_shape_is_deprecated_as_keras() -> None:
    for lib in (keras, nk):
        with pytest.warns(UserWarning, match="Argument `input_shape` is deprecated"):
            layer = lib.layers.InputLayer(input_shape=(3,), batch_size=4)
        assert tuple(layer.batch_shape) == (4, 3)


def test_input_tensor_is_the_output_and_call_takes_nothing() -> None:
    tensor = nk.layers.input_layer.KerasTensor((2, 3), dtype="float32")
    layer = nk.layers.InputLayer(input_tensor=tensor, batch_size=2, shape=(3,))
    assert layer.output is tensor
    assert tuple(layer.batch_shape) == (2, 3) and layer.dtype == "float32"
    theirs = keras.layers.InputLayer(shape=(32,))
    ours = nk.layers.InputLayer(shape=(32,))
    assert ours.sparse is theirs.sparse is False
    assert ours.call() is theirs.call() is None
    assert ours.get_config()["sparse"] is theirs.get_config()["sparse"]
