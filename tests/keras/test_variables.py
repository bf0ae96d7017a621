"""keras.Variable against Keras 3's (KERAS_BACKEND=torch): construction, dtype, names and
paths, assignment, conversions; add_weight's variables; Keras-style optimizer calls on user
variables; optimizer.learning_rate / iterations as Keras's variables."""

from __future__ import annotations

import copy
import os

import numpy as np
import pytest

import nnlab
from nnlab import keras
from nnlab.nn import Parameter

os.environ.setdefault("KERAS_BACKEND", "torch")
keras3 = pytest.importorskip("keras")
if keras3.backend.backend() != "torch":  # pragma: no cover - another backend chosen first
    pytest.skip("the Keras oracle needs KERAS_BACKEND=torch", allow_module_level=True)


def _k(v):
    return np.asarray(v.numpy())


@pytest.mark.parametrize(
    "init",
    [np.ones(3), np.ones((2, 2), np.float32), [1.0, 2.0], 2.0, np.arange(4, dtype=np.int64)],
    ids=["float64-array", "float32-array", "list", "scalar", "int64-array"],
)
def test_from_values_like_keras(init) -> None:
    ours, theirs = keras.Variable(init), keras3.Variable(init, trainable=False)
    assert ours.dtype == theirs.dtype and isinstance(ours.dtype, str)
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_array_equal(ours.numpy(), _k(theirs))
    assert isinstance(ours, Parameter) and isinstance(ours, nnlab.Tensor)
    assert ours.trainable and ours.name.startswith("variable")


def test_python_int_is_int32_like_keras() -> None:
    ours, theirs = keras.Variable(3, trainable=False), keras3.Variable(3, trainable=False)
    assert ours.dtype == theirs.dtype == "int32"
    assert int(ours) == 3 and not ours.requires_grad


def test_from_initializer_needs_a_shape() -> None:
    v = keras.Variable("ones", shape=(2, 3), dtype="float32", name="w")
    np.testing.assert_array_equal(v.numpy(), np.ones((2, 3)))
    assert (v.name, v.path, v.dtype) == ("w", "w", "float32")
    v = keras.Variable(keras.initializers.Constant(0.5), shape=(2,))
    np.testing.assert_array_equal(v.numpy(), [0.5, 0.5])
    with pytest.raises(ValueError, match="the `shape` argument should be specified"):
        keras.Variable("ones")
    with pytest.raises(ValueError, match="cannot contain character `/`"):
        keras.Variable(1.0, name="a/b")
    with pytest.raises(ValueError, match="fully-defined"):
        keras.Variable("zeros", shape=(None, 2))


def test_dtype_is_a_string_and_a_numpy_dtype() -> None:
    v = keras.Variable([1.0, 2.0])
    assert v.dtype == "float32" and v.dtype == np.float32 and v.dtype == np.dtype("float32")
    assert v.dtype != "float64" and v.dtype != np.float64
    assert v.dtype.kind == "f" and v.dtype.itemsize == 4 and repr(v.dtype) == "'float32'"
    assert np.zeros(2, dtype=v.dtype).dtype == np.float32


def test_assign_family_like_keras() -> None:
    ours, theirs = keras.Variable([1.0, 2.0, 3.0]), keras3.Variable([1.0, 2.0, 3.0])
    for op, value in [("assign", [4.0, 5.0, 6.0]), ("assign_add", 1.5), ("assign_sub", [1, 2, 3])]:
        assert getattr(ours, op)(value) is ours
        getattr(theirs, op)(value)
        np.testing.assert_array_equal(ours.numpy(), _k(theirs))
    ours.assign(keras.ops.ones((3,)))  # a Tensor
    np.testing.assert_array_equal(ours.numpy(), np.ones(3))
    with pytest.raises(ValueError, match="must match"):
        ours.assign(np.ones(4))
    with pytest.raises(ValueError, match="does not fit"):
        ours.assign_add(np.ones((2, 3)))


def test_numpy_is_a_copy_and_value_is_the_variable() -> None:
    v = keras.Variable([1.0, 2.0])
    before = v.numpy()
    v.assign([3.0, 4.0])
    np.testing.assert_array_equal(before, [1.0, 2.0])
    assert v.value is v
    np.testing.assert_array_equal(np.asarray(v), [3.0, 4.0])


def test_assign_counts_as_an_in_place_change() -> None:
    """A graph that saved the variable before an assign refuses backward (as torch would)."""
    v = keras.Variable([1.0, 2.0])
    y = (v * v).sum()
    v.assign_add(1.0)
    with pytest.raises(RuntimeError):
        y.backward()
    z = (v * v).sum()  # a fresh graph is fine: d/dv sum(v²) = 2v
    z.backward()
    np.testing.assert_allclose(v.value.grad, 2 * v.numpy())


def test_arithmetic_and_conversions() -> None:
    v = keras.Variable(2.5)
    assert float(v) == 2.5 and int(v) == 2 and f"{v:.1f}" == "2.5"
    np.testing.assert_allclose((v * 2 + 1).numpy(), 6.0)
    w = keras.Variable([1.0, 2.0])
    with pytest.raises(TypeError, match="Only scalar arrays"):
        float(w)
    assert repr(w) == repr(keras3.Variable([1.0, 2.0], name="variable_x")).replace(
        "variable_x", w.path
    )


def test_trainable_is_settable_and_drives_gradients() -> None:
    v = keras.Variable([1.0], trainable=False)
    assert not v.trainable and not v.requires_grad
    v.trainable = True
    assert v.trainable and v.requires_grad


def test_deepcopy_keeps_class_and_attributes() -> None:
    v = keras.Variable([1.0, 2.0], name="kept")
    c = copy.deepcopy(v)
    assert type(c) is keras.Variable and c.name == "kept" and c is not v
    np.testing.assert_array_equal(c.numpy(), v.numpy())


def test_constraint_and_regularizer_must_be_callable() -> None:
    v = keras.Variable([1.0])
    with pytest.raises(ValueError, match="constraint"):
        v.constraint = "non_neg"
    v.constraint = keras.constraints.NonNeg()
    v.regularizer = keras.regularizers.L2(0.1)
    assert isinstance(v.constraint, keras.constraints.NonNeg)


# ---------------------------------------------------------------------------- add_weight
def test_layer_weights_are_variables_with_keras_paths() -> None:
    ours = keras.layers.Dense(3, name="dd")
    ours.build((None, 2))
    theirs = keras3.layers.Dense(3, name="dd")
    theirs.build((None, 2))
    assert [(w.path, w.name, w.dtype, w.trainable) for w in ours.weights] == [
        (w.path, w.name, w.dtype, w.trainable) for w in theirs.weights
    ]
    assert all(isinstance(w, keras.Variable) for w in ours.weights)


def test_add_weight_non_trainable_and_frozen_layers() -> None:
    layer = keras.layers.Layer(name="host")
    total = layer.add_weight(shape=(2,), initializer="zeros", trainable=False, name="total")
    kernel = layer.add_weight(shape=(2, 2), name="kernel")
    assert not total.trainable and kernel.trainable and total.path == "host/total"
    assert layer.trainable_weights == [kernel] and layer.non_trainable_weights == [total]
    layer.trainable = False
    assert not kernel.trainable and layer.trainable_weights == []
    layer.trainable = True
    assert kernel.trainable and not total.trainable
    kernel.trainable = False  # one variable frozen, as in Keras
    assert layer.trainable_weights == []
    with pytest.raises(ValueError, match="keyword argument"):
        layer.add_weight("kernel")


# ---------------------------------------------------------------------------- optimizers
@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop", "Adagrad", "Nadam", "Lion"])
def test_optimizers_update_user_variables_like_keras(name) -> None:
    """apply_gradients(zip(grads, vars)) and apply(grads, vars) with keras.Variables made by
    the user, gradients given as Tensors, arrays and lists."""
    ours_opt = getattr(keras.optimizers, name)(learning_rate=0.1)
    theirs_opt = getattr(keras3.optimizers, name)(learning_rate=0.1)
    ours = [keras.Variable([1.0, 2.0, 3.0]), keras.Variable([[0.5, -0.5]])]
    theirs = [keras3.Variable([1.0, 2.0, 3.0]), keras3.Variable([[0.5, -0.5]])]
    grads = [
        [np.array([0.1, -0.2, 0.3], np.float32), keras.ops.ones((1, 2))],
        [[0.3, 0.2, 0.1], np.array([[1.0, -1.0]], np.float32)],
    ]
    for step, (g0, g1) in enumerate(grads):
        if step == 0:
            ours_opt.apply_gradients(zip([g0, g1], ours, strict=True))
        else:
            ours_opt.apply([g0, g1], ours)
        theirs_opt.apply_gradients(
            zip(
                [keras3.ops.convert_to_tensor(np.asarray(g)) for g in (g0, g1)], theirs, strict=True
            )
        )
        for a, b in zip(ours, theirs, strict=True):
            np.testing.assert_allclose(a.numpy(), _k(b), rtol=2e-5, atol=1e-6)
    assert int(ours_opt.iterations) == int(theirs_opt.iterations.numpy()) == 2


def test_learning_rate_and_iterations_answer_the_variable_api() -> None:
    opt = keras.optimizers.SGD(learning_rate=0.5)
    theirs = keras3.optimizers.SGD(learning_rate=0.5)
    lr = opt.learning_rate
    assert lr.value == float(lr) == float(theirs.learning_rate.value) == 0.5
    assert lr.numpy().dtype == np.float32 and lr == 0.5 and f"{lr:.2f}" == "0.50"
    assert opt.iterations.numpy() == 0 and opt.iterations.value == 0
    lr.assign(0.25)
    assert opt.learning_rate == 0.25 and lr == 0.5  # a read value keeps its number
    opt.learning_rate = 0.125
    assert type(opt.get_config()["learning_rate"]) is float
    opt.iterations.assign(3)
    assert opt.iterations == 3
    v = keras.Variable([1.0])
    opt.build([v])
    assert len(opt.variables) == len(theirs.variables) == 2


def test_learning_rate_from_a_schedule_reads_the_step() -> None:
    sched = keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=1, decay_rate=0.5)
    opt = keras.optimizers.SGD(learning_rate=sched)
    v = keras.Variable([1.0])
    opt.apply_gradients([(np.ones(1), v)])
    assert opt.learning_rate.value == pytest.approx(0.05)
    np.testing.assert_allclose(v.numpy(), [0.9])


def test_operators_without_gradients_like_keras() -> None:
    a = np.array([-3.5, 2.2, 7.0], np.float32)
    ours, theirs = keras.Variable(a, trainable=False), keras3.Variable(a, trainable=False)
    for fn in (abs, round, lambda v: v // 2, lambda v: 7 // v, lambda v: v % 3, lambda v: 5 % v):
        np.testing.assert_allclose(
            np.asarray(fn(ours)), keras3.ops.convert_to_numpy(fn(theirs)), rtol=1e-6
        )
    p, q = np.array([True, False]), np.array([True, True])
    ours_b = keras.Variable(p, dtype="bool", trainable=False)
    theirs_b = keras3.Variable(p, dtype="bool", trainable=False)
    for fn in (lambda v: v & q, lambda v: q | v, lambda v: v ^ q, lambda v: ~v):
        np.testing.assert_array_equal(
            np.asarray(fn(ours_b)), keras3.ops.convert_to_numpy(fn(theirs_b))
        )
    with pytest.raises(TypeError, match="cannot be used as a boolean"):
        bool(ours)


def test_variables_set_as_attributes_are_tracked_like_keras() -> None:
    class Counter(keras.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.scale = keras.Variable(2.0, name="scale")
            self.count = keras.Variable(0.0, trainable=False, name="count")
            self.bias = self.add_variable((), "zeros", name="bias")

        def call(self, x):
            self.count.assign_add(1.0)
            return x * self.scale + self.bias

    class Counter3(keras3.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.scale = keras3.Variable(2.0, name="scale")
            self.count = keras3.Variable(0.0, trainable=False, name="count")
            self.bias = self.add_variable((), "zeros", name="bias")

    ours, theirs = Counter(name="c"), Counter3(name="c")
    assert [w.name for w in ours.trainable_weights] == [w.name for w in theirs.trainable_weights]
    assert [w.name for w in ours.non_trainable_weights] == ["count"]
    assert [w.name for w in theirs.non_trainable_weights] == ["count"]
    assert ours.scale.path == theirs.scale.path == "scale"
    ours(np.ones((2, 1)))
    assert float(ours.count) == 1.0
    ours.scale = ours.scale  # the same variable again: not listed twice
    assert len(ours.weights) == 3


def test_paths_follow_the_layers_building_them_like_keras() -> None:
    def make(lib):
        class Block(lib.layers.Layer):
            def build(self, input_shape):
                self.b = lib.Variable(1.0, name="b")
                self.inner = lib.layers.Dense(2, name="inner")
                self.inner.build(input_shape)

            def call(self, x):
                return self.inner(x) + self.b

        block = Block(name="outer")
        block(np.ones((1, 3), np.float32))
        return block

    ours, theirs = make(keras), make(keras3)
    assert sorted(w.path for w in ours.weights) == sorted(w.path for w in theirs.weights)
    assert ours.b.path == "outer/b" and ours.inner.kernel.path == "outer/inner/kernel"


def test_numpy_reductions_read_the_values_and_engine_ones_keep_the_graph() -> None:
    a = np.array([[1.0, -2.0], [3.0, 4.0]], np.float32)
    v = keras.Variable(a)
    for fn in (np.min, np.max, np.sum, np.mean):
        assert fn(v) == fn(a) and fn(keras3.Variable(a)) == fn(a)
    np.testing.assert_array_equal(np.sum(v, axis=0), a.sum(axis=0))
    v.sum().backward()  # the engine's reduction: d(sum v)/dv = 1
    np.testing.assert_array_equal(v.grad, np.ones_like(a))


def test_learning_rate_value_is_float32_as_keras_variable() -> None:
    """``optimizer.learning_rate.value`` is what Keras's float32 variable holds: after a
    ReduceLROnPlateau step of 0.1 from 0.1 it equals 0.01 (Keras's own callback test)."""
    opt = keras.optimizers.Adam(0.1)
    opt.learning_rate = float(opt.learning_rate) * 0.1
    assert isinstance(opt.learning_rate.value, np.float32)
    assert opt.learning_rate.value == 0.01
