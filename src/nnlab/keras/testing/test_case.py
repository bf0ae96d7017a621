"""``keras.testing``: the test case that Keras 3's own unit tests derive from, for nnlab.

Keras's tests (``keras/src/**/*_test.py``) are written against ``keras.src.testing.TestCase``:
NumPy-style assertions (``assertAllClose``, ``assertDType``, ...), a config and serialization
round trip (``run_class_serialization_test``) and ``run_layer_test``, the standard checks of a
layer class. With this module such a test runs on nnlab with its imports changed only
(``from keras.src import testing`` becomes ``from nnlab.keras import testing``).

``run_layer_test(layer_cls, init_kwargs, input_shape=... | input_data=..., ...)`` checks, as
Keras's does:

1. serialization: ``get_config`` -> ``from_config`` -> ``get_config`` gives the same config,
   and so does ``serialize_keras_object`` -> ``deserialize_keras_object``;
2. build: ``layer.build(input_shape)`` builds it, with the expected numbers of trainable and
   non-trainable weights and of random generators;
3. a symbolic call (on ``KerasTensor`` inputs) gives the expected output shape and dtype;
4. an eager call on the data (or on uniform random data in [0, 3)) gives the expected output
   (shape, dtype, values) and the expected number of ``losses``;
5. training: one ``fit`` step of a model wrapping the layer, with the loss sum(y_pred).

What nnlab leaves out, and why: sparse and ragged tensors (NumPy has neither: such a check is
skipped), the mixed-precision check (nnlab computes in float32; Keras also skips it on a CPU
under torch) and the count of torch parameters (a torch-backend detail).
"""

from __future__ import annotations

import json
import shutil
import tempfile
import unittest
from pathlib import Path
from typing import Any

import numpy as np

from nnlab.autograd import Tensor

from .. import backend, ops

try:  # Keras's tests use absl's parameterized decorators, which need its TestCase
    from absl.testing import parameterized

    _Base: type = parameterized.TestCase
except ImportError:  # pragma: no cover - absl comes with Keras, the tests' oracle
    _Base = unittest.TestCase

__all__ = [
    "TestCase",
    "jax_uses_gpu",
    "tensorflow_uses_gpu",
    "torch_uses_gpu",
    "uses_gpu",
    "uses_tpu",
]

_EAGER_DTYPES = {"float16", "float32", "float64", "int8", "uint8", "int16", "uint16", "int32"}
_EAGER_DTYPES |= {"uint32", "int64", "uint64"}


def uses_gpu() -> bool:
    """nnlab computes on the CPU (NumPy): False."""
    return False


def uses_tpu() -> bool:
    return False


def jax_uses_gpu() -> bool:
    return False


def tensorflow_uses_gpu() -> bool:
    return False


def torch_uses_gpu() -> bool:
    return False


class TestCase(_Base):
    """Keras 3's ``testing.TestCase`` on nnlab objects (see the module docstring)."""

    maxDiff = None

    def setUp(self) -> None:
        super().setUp()
        backend.clear_session()  # automatic names restart: cases are independent

    def get_temp_dir(self) -> str:
        path = tempfile.mkdtemp()
        self.addCleanup(lambda: shutil.rmtree(path, ignore_errors=True))
        return path

    # ------------------------------------------------------------------ assertions
    def convert_to_numpy(self, x: Any) -> np.ndarray:
        if isinstance(x, np.ndarray):
            return x
        if isinstance(x, Tensor):
            return x.data
        return np.array(x)

    def assertAllClose(  # noqa: N802 (Keras's name)
        self,
        actual: Any,
        desired: Any,
        atol: float = 1e-6,
        rtol: float = 1e-6,
        tpu_atol: float | None = None,
        tpu_rtol: float | None = None,
        msg: str | None = None,
    ) -> None:
        np.testing.assert_allclose(
            self.convert_to_numpy(actual),
            self.convert_to_numpy(desired),
            atol=atol,
            rtol=rtol,
            err_msg=msg or "",
        )

    def assertNotAllClose(  # noqa: N802
        self, x1: Any, x2: Any, atol: float = 1e-6, rtol: float = 1e-6, msg: str | None = None
    ) -> None:
        try:
            self.assertAllClose(x1, x2, atol=atol, rtol=rtol)
        except AssertionError:
            return
        raise AssertionError(
            f"The two values are close at all elements. \n{msg or ''}.\nValues: {x1}"
        )

    def assertAlmostEqual(  # noqa: N802
        self,
        actual: Any,
        desired: Any,
        decimal: int = 3,
        tpu_decimal: int | None = None,
        msg: str | None = None,
    ) -> None:
        np.testing.assert_almost_equal(
            self.convert_to_numpy(actual),
            self.convert_to_numpy(desired),
            decimal=decimal,
            err_msg=msg or "",
        )

    def assertAllEqual(self, actual: Any, desired: Any, msg: str | None = None) -> None:  # noqa: N802
        np.testing.assert_array_equal(
            self.convert_to_numpy(actual), self.convert_to_numpy(desired), err_msg=msg or ""
        )

    def assertLen(self, iterable: Any, expected_len: int, msg: str | None = None) -> None:  # noqa: N802
        self.assertEqual(len(iterable), expected_len, msg=msg)

    def assertSparse(self, x: Any, sparse: bool = True) -> None:  # noqa: N802
        self.assertFalse(sparse, "nnlab has no sparse tensors")

    def assertRagged(self, x: Any, ragged: bool = True) -> None:  # noqa: N802
        self.assertFalse(ragged, "nnlab has no ragged tensors")

    def assertDType(self, x: Any, dtype: Any, msg: str | None = None) -> None:  # noqa: N802
        got = backend.standardize_dtype(x.dtype if hasattr(x, "dtype") else type(x))
        want = backend.standardize_dtype(dtype)
        default = (
            "The dtype of x does not match the expected one. "
            f"Received: x.dtype={got} and dtype={want}"
        )
        self.assertEqual(got, want, msg=msg or default)

    def assertFileExists(self, path: Any) -> None:  # noqa: N802
        if not Path(path).is_file():
            raise AssertionError(f"File {path} does not exist")

    # ------------------------------------------------------------------ round trips
    def run_class_serialization_test(self, instance: Any, custom_objects: Any = None) -> Any:
        """``from_config(get_config())`` and ``deserialize(serialize())`` give an object with
        the same config and the same attributes; returns the second one."""
        from ..saving import custom_object_scope, deserialize_keras_object, serialize_keras_object

        config_json = _json_with_tuples(instance.get_config())
        names = set(dir(instance)) - {"__annotations__"}
        with custom_object_scope(custom_objects or {}):
            revived = type(instance).from_config(instance.get_config())
        self.assertEqual(config_json, _json_with_tuples(revived.get_config()))
        self.assertEqual(names, set(dir(revived)) - {"__annotations__"})
        serialized = json.loads(_json_with_tuples(serialize_keras_object(instance)))
        with custom_object_scope(custom_objects or {}):
            revived = deserialize_keras_object(_tuples_back(serialized))
        self.assertEqual(config_json, _json_with_tuples(revived.get_config()))
        self.assertEqual(names, set(dir(revived)) - {"__annotations__"})
        return revived

    def run_layer_test(
        self,
        layer_cls: Any,
        init_kwargs: dict[str, Any] | None,
        input_shape: Any = None,
        input_dtype: Any = None,
        input_sparse: bool = False,
        input_ragged: bool = False,
        input_data: Any = None,
        call_kwargs: dict[str, Any] | None = None,
        expected_output_shape: Any = None,
        expected_output_dtype: Any = None,
        expected_output_sparse: bool = False,
        expected_output_ragged: bool = False,
        expected_output: Any = None,
        expected_num_trainable_weights: int | None = None,
        expected_num_non_trainable_weights: int | None = None,
        expected_num_non_trainable_variables: int | None = None,
        expected_num_seed_generators: int | None = None,
        expected_num_losses: int | None = None,
        supports_masking: bool | None = None,
        expected_mask_shape: Any = None,
        custom_objects: Any = None,
        run_training_check: bool = True,
        run_mixed_precision_check: bool = True,
        assert_built_after_instantiation: bool = False,
        tpu_atol: float | None = None,
        tpu_rtol: float | None = None,
    ) -> None:
        """The standard checks of a layer class (see the module docstring)."""
        if input_shape is not None and input_data is not None:
            raise ValueError("input_shape and input_data cannot be passed at the same time.")
        if expected_output_shape is not None and expected_output is not None:
            raise ValueError(
                "expected_output_shape and expected_output cannot be passed at the same time."
            )
        if expected_output is not None and input_data is None:
            raise ValueError("In order to use expected_output, input_data must be provided.")
        if expected_mask_shape is not None and supports_masking is not True:
            raise ValueError("In order to use expected_mask_shape, supports_masking must be True.")
        if input_sparse or input_ragged or expected_output_sparse or expected_output_ragged:
            self.skipTest("nnlab has no sparse or ragged tensors")
        init_kwargs = init_kwargs or {}
        call_kwargs = call_kwargs or {}
        if input_shape is not None and input_dtype is None:
            input_dtype = _map_shapes(lambda _: "float32", input_shape)
        has_input = input_data is not None or input_shape is not None

        def call(layer: Any, inputs: Any) -> Any:
            if isinstance(inputs, dict):
                return layer(**inputs, **call_kwargs)
            return layer(inputs, **call_kwargs)

        counts = {
            "trainable": expected_num_trainable_weights,
            "non_trainable": expected_num_non_trainable_weights,
            "non_trainable_variables": expected_num_non_trainable_variables,
            "seed_generators": expected_num_seed_generators,
        }
        if has_input:  # counts not given: those of the layer called once on the data
            if input_data is None:
                input_data = _eager_inputs(input_shape, input_dtype)
            layer = layer_cls(**init_kwargs)
            call(layer, input_data)
            found = _counts(layer)
            counts = {k: found[k] if v is None else v for k, v in counts.items()}

        layer = layer_cls(**init_kwargs)
        self.run_class_serialization_test(layer, custom_objects)
        if supports_masking is not None:
            self.assertEqual(
                layer.supports_masking, supports_masking, msg="Unexpected supports_masking value"
            )
        if not has_input:
            return

        def check_built(layer: Any) -> None:
            self.assertTrue(layer.built)
            found = _counts(layer)
            for key, expected in counts.items():
                if expected is not None:
                    self.assertEqual(found[key], expected, msg=f"Unexpected number of {key}")

        def check_outputs(layer: Any, output: Any, eager: bool) -> None:
            outputs, shapes = _flat(output), None
            if expected_output_shape is not None:
                shapes = _flat_shapes(expected_output_shape)
                got = [tuple(o.shape) for o in outputs]
                self.assertTrue(
                    len(shapes) == len(got)
                    and all(_shape_matches(e, g) for e, g in zip(shapes, got, strict=True)),
                    msg=f"Expected output shapes {expected_output_shape} but received {got}",
                )
            if expected_output_dtype is not None:
                wanted = _flat(expected_output_dtype)
                if len(wanted) == 1 and len(outputs) > 1:
                    wanted = wanted * len(outputs)
                got_dtypes = [backend.standardize_dtype(o.dtype) for o in outputs]
                self.assertEqual(
                    got_dtypes,
                    list(wanted),
                    msg=f"Expected output dtypes {expected_output_dtype} but received {got_dtypes}",
                )
            if eager:
                if expected_output is not None:
                    for ref, value in zip(_flat(expected_output), outputs, strict=True):
                        self.assertAllClose(ref, value, msg="Unexpected output value")
                if expected_num_losses is not None:
                    self.assertLen(layer.losses, expected_num_losses)

        # build
        if input_shape is None:
            build_shape = _map_arrays(lambda a: tuple(np.shape(_array(a))), input_data)
        else:
            build_shape = input_shape
        layer = layer_cls(**init_kwargs)
        if isinstance(build_shape, dict):
            layer.build(**build_shape)
        else:
            layer.build(build_shape)
        check_built(layer)

        # a symbolic call
        from ..layers.input_layer import KerasTensor

        if input_shape is None:
            symbolic = _map_arrays(
                lambda a: KerasTensor(np.shape(_array(a)), dtype=_dtype_name(a)), input_data
            )
        else:
            symbolic = _map_shape_dtype(
                lambda s, d: KerasTensor(s, dtype=d), input_shape, input_dtype
            )
        layer = layer_cls(**init_kwargs)
        check_outputs(layer, call(layer, symbolic), eager=False)
        check_built(layer)
        if expected_mask_shape is not None:
            mask = layer.compute_mask(symbolic)
            self.assertEqual(tuple(expected_mask_shape), tuple(mask.shape))
        if assert_built_after_instantiation:
            self.assertTrue(
                layer_cls(**init_kwargs).built,
                msg=f"{layer_cls} is stateless, so it should be built after instantiation.",
            )

            class ModifiedBuildLayer(layer_cls):
                def build(self, *args: Any, **kwargs: Any) -> None:
                    pass

            self.assertFalse(
                ModifiedBuildLayer(**init_kwargs).built,
                msg=f"The `build` of {layer_cls} is overriden, so it should not be built "
                "after instantiation.",
            )

        # an eager call, then one training step through it
        layer = layer_cls(**init_kwargs)
        output = call(layer, input_data)
        check_outputs(layer, output, eager=True)
        if run_training_check:
            _training_step(layer, input_data, output)


# ---------------------------------------------------------------------------------- helpers
def _counts(layer: Any) -> dict[str, int]:
    return {
        "trainable": len(layer.trainable_weights),
        "non_trainable": len(layer.non_trainable_weights),
        "non_trainable_variables": len(layer.non_trainable_variables),
        "seed_generators": _seed_generator_count(layer),
    }


def _seed_generator_count(layer: Any) -> int:
    """The random sources of the layer and its sub-layers (Keras counts their SeedGenerators):
    each ``SeedGenerator`` held, else one per layer that draws random numbers (takes ``seed``)."""
    import inspect

    from ..random import SeedGenerator

    count = 0
    for sub in layer._flatten_layers():
        held = [v for v in vars(sub).values() if isinstance(v, SeedGenerator)]
        if held:
            count += len(held)
        elif "seed" in inspect.signature(type(sub).__init__).parameters:
            count += 1
    return count


def _training_step(layer: Any, input_data: Any, output: Any) -> None:
    """One fit step of a model around ``layer`` with the loss sum(y_pred) (Keras's check)."""
    from ..losses import Loss
    from ..models import Model

    class TestModel(Model):
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.layer = inner

        def call(self, x: Any, training: bool | None = False) -> Any:
            return self.layer(x, training=training)

    class TestLoss(Loss):
        def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Any:
            return ops.sum(y_pred)

    data = (_map_arrays(_array, input_data), _map_arrays(_array, output))

    def batches() -> Any:
        while True:
            yield data

    model = TestModel(layer)
    model.compile(optimizer="sgd", loss=TestLoss())
    model.fit(batches(), steps_per_epoch=1, verbose=0)


def _array(x: Any) -> np.ndarray:
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def _dtype_name(x: Any) -> str:
    return backend.standardize_dtype(_array(x).dtype)


def _is_shape(x: Any) -> bool:
    return isinstance(x, list | tuple) and all(isinstance(e, int | type(None)) for e in x)


def _map_shapes(fn: Any, shape: Any) -> Any:
    if _is_shape(shape):
        return fn(tuple(shape))
    if isinstance(shape, dict):
        return {k: _map_shapes(fn, v) for k, v in shape.items()}
    return type(shape)(_map_shapes(fn, s) for s in shape)


def _map_shape_dtype(fn: Any, shape: Any, dtype: Any) -> Any:
    if _is_shape(shape):
        return fn(tuple(shape), dtype)
    if isinstance(shape, dict):
        return {
            k.removesuffix("_shape"): _map_shape_dtype(fn, v, dtype[k]) for k, v in shape.items()
        }
    if isinstance(shape, list | tuple):
        return type(shape)(_map_shape_dtype(fn, s, d) for s, d in zip(shape, dtype, strict=True))
    raise ValueError(f"Cannot map function to unknown objects {shape} and {dtype}")


def _map_arrays(fn: Any, data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _map_arrays(fn, v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return type(data)(_map_arrays(fn, v) for v in data)
    return fn(data)


def _eager_inputs(input_shape: Any, input_dtype: Any) -> Any:
    """Keras's default test data: uniform in [0, 3), cast to each input's dtype."""
    rng = np.random.default_rng()

    def make(shape: tuple[int, ...], dtype: str) -> np.ndarray:
        if dtype not in _EAGER_DTYPES:
            raise ValueError(
                f"dtype must be a standard float or int dtype. Received: dtype={dtype}"
            )
        return (rng.uniform(size=shape) * 3).astype(np.float32).astype(dtype)

    return _map_shape_dtype(make, input_shape, input_dtype)


def _flat(x: Any) -> list[Any]:
    if isinstance(x, dict):
        return [v for k in x for v in _flat(x[k])]
    if isinstance(x, list | tuple) and not _is_shape(x):
        return [v for item in x for v in _flat(item)]
    return [x]


def _flat_shapes(shape: Any) -> list[tuple[Any, ...]]:
    if _is_shape(shape):
        return [tuple(shape)]
    if isinstance(shape, dict):
        return [s for k in shape for s in _flat_shapes(shape[k])]
    return [s for item in shape for s in _flat_shapes(item)]


def _shape_matches(expected: tuple[Any, ...], got: tuple[int, ...]) -> bool:
    return len(expected) == len(got) and all(
        e is None or e == g for e, g in zip(expected, got, strict=True)
    )


def _json_with_tuples(value: Any) -> str:
    """JSON that keeps tuples apart from lists (a config round trip must keep them)."""

    def encode(obj: Any) -> Any:
        if isinstance(obj, tuple):
            return {"__class__": "tuple", "__value__": [encode(e) for e in obj]}
        if isinstance(obj, list):
            return [encode(e) for e in obj]
        if isinstance(obj, dict):
            return {k: encode(v) for k, v in obj.items()}
        return obj

    return json.dumps(encode(value), sort_keys=True, indent=4)


def _tuples_back(value: Any) -> Any:
    if isinstance(value, list):
        return [_tuples_back(v) for v in value]
    if isinstance(value, dict):
        if set(value) == {"__class__", "__value__"} and value["__class__"] == "tuple":
            return tuple(_tuples_back(v) for v in value["__value__"])
        return {k: _tuples_back(v) for k, v in value.items()}
    return value
