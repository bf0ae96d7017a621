"""The engine at the edges, against PyTorch: 0-d results, relu and pow at 0 and infinity,
max/min over nan, reductions of 0-d and empty tensors, dtype promotion."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import nnlab
from nnlab import autograd as ag

from .oracle import check_op


# ------------------------------------------------------------------------------- 0-d results
def test_zero_d_results_are_arrays_that_convert_to_python_numbers():
    a = nnlab.tensor(np.float64(2.0), requires_grad=True)
    b = nnlab.tensor(np.float64(3.0), requires_grad=True)
    loss = a * b + a  # NumPy returns a scalar for 0-d * 0-d
    assert type(loss.data) is np.ndarray and loss.shape == ()
    assert float(loss) == 8.0 and int(loss) == 8
    assert np.asarray(loss).shape == () and np.asarray(loss) == 8.0
    assert np.asarray(loss, dtype=np.float32).dtype == np.float32
    loss.backward()
    assert type(a.grad) is np.ndarray and a.grad.shape == () and a.grad == 4.0
    assert type(b.grad) is np.ndarray and b.grad == 2.0
    assert float(nnlab.tensor([[2.5]])) == 2.5
    with pytest.raises(ValueError, match=r"shape \(2,\) has 2 elements"):
        float(nnlab.tensor([1.0, 2.0]))


def test_np_array_copy_of_a_tensor_is_a_copy():
    t = nnlab.tensor(np.ones(3))
    c = np.array(t, copy=True)
    c[0] = 5
    assert t.data[0] == 1.0


# ----------------------------------------------------------------------------- relu and pow
def test_relu_follows_torch_at_infinity_nan_and_negative_zero():
    x = np.array([-np.inf, -2.0, -0.0, 0.0, 2.0, np.inf, np.nan])
    check_op([], torch.relu, lambda t: t.relu(), arrays=[x])
    out = nnlab.tensor(np.array([-2.0, -np.inf])).relu().data
    np.testing.assert_array_equal(out, [0.0, 0.0])
    assert not np.signbit(out).any()  # +0.0, not -0.0


def test_pow_gradients_at_zero_follow_torch():
    # (x, y) = (0, 0): d/dx 0 (not 0·inf); (0, y > 0) and (0, 0): d/dy 0 (not 0·log 0)
    x = np.array([0.0, 0.0, 0.0, 0.0, 0.0, 2.0, -2.0, 3.0])
    y = np.array([0.0, 2.0, 0.5, 1.0, -1.0, 0.0, 2.0, 1.5])
    with np.errstate(divide="ignore", invalid="ignore"):
        check_op([], lambda a, b: a**b, lambda a, b: a**b, arrays=[x, y])
        check_op([], lambda a: a**0.0, lambda a: a**0.0, arrays=[x])
        check_op([], lambda a: a**2.0, lambda a: a**2.0, arrays=[x])


# -------------------------------------------------------------------------------- max, min
def test_max_and_min_route_the_gradient_to_the_nan():
    a = np.array([[1.0, np.nan, 3.0], [2.0, 5.0, 5.0]])
    check_op([], lambda t: t.max(), lambda t: t.max(), arrays=[a])
    check_op([], lambda t: t.min(), lambda t: t.min(), arrays=[a])
    # one nan per row: the index torch.max(dim) picks is the nan; ties (row 1) are split
    check_op([], lambda t: torch.max(t, 1).values, lambda t: t.max(axis=1), arrays=[a[:1]])
    check_op([], lambda t: torch.min(t, 1).values, lambda t: t.min(axis=1), arrays=[a[:1]])
    x = nnlab.tensor(a, requires_grad=True)
    x.max(axis=1).sum().backward()
    np.testing.assert_array_equal(x.grad, [[0.0, 1.0, 0.0], [0.0, 0.5, 0.5]])


# ------------------------------------------------------------------- reductions at the edges
@pytest.mark.parametrize("axis", [0, -1, None])
@pytest.mark.parametrize("keepdims", [False, True])
def test_reductions_of_a_zero_d_tensor_accept_axis_0_and_minus_1(axis, keepdims):
    def ours(op):
        return lambda t: getattr(t, op)(axis=axis, keepdims=keepdims)

    def theirs(op):  # on a 0-d tensor, all axes (None) is axis 0
        return lambda t: getattr(torch, op)(t, dim=axis or 0, keepdim=keepdims)

    for op in ("sum", "mean", "amax", "amin", "logsumexp"):
        check_op([()], theirs(op), ours({"amax": "max", "amin": "min"}.get(op, op)))


@pytest.mark.parametrize("axis", [0, -1])
def test_softmax_of_a_zero_d_tensor(axis):
    check_op([()], lambda t: torch.softmax(t, axis), lambda t: t.softmax(axis))
    check_op([()], lambda t: torch.log_softmax(t, axis), lambda t: t.log_softmax(axis))


def test_zero_d_axis_out_of_range_is_reported():
    with pytest.raises(ValueError, match="sum: axis 1 is out of range for a tensor with 0 dim"):
        nnlab.tensor(2.0).sum(axis=1)


def test_max_over_a_non_empty_axis_of_an_empty_tensor():
    empty = np.empty((0, 3))
    check_op([], lambda t: torch.amax(t, 1), lambda t: t.max(axis=1), arrays=[empty])
    check_op([], lambda t: torch.amin(t, 1), lambda t: t.min(axis=1), arrays=[empty])
    x = nnlab.tensor(empty)
    with pytest.raises(ValueError, match=r"max: cannot reduce over axis 0 of size 0 .*\(0, 3\)"):
        x.max(axis=0)
    with pytest.raises(ValueError, match=r"min: cannot reduce a tensor of shape \(0, 3\)"):
        x.min()


@pytest.mark.parametrize("axis", [None, 0, 1, (0, 1)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_sum_and_mean_of_an_empty_tensor_as_torch_without_a_warning(axis, keepdims):
    empty = np.empty((0, 3))
    dim = (0, 1) if axis is None else axis
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # NumPy's "Mean of empty slice" is not raised
        for op in ("sum", "mean"):
            check_op(
                [],
                lambda t, op=op: getattr(torch, op)(t, dim=dim, keepdim=keepdims),
                lambda t, op=op: getattr(t, op)(axis=axis, keepdims=keepdims),
                arrays=[empty],
            )
    assert np.isnan(nnlab.tensor(np.empty(0, np.float32)).mean().data)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_losses_of_an_empty_batch_as_torch_without_a_warning(reduction):
    no_rows, no_targets = np.empty((0, 4)), np.empty(0, dtype=np.int64)
    cases = [
        (
            lambda z: TF.cross_entropy(z, torch.tensor(no_targets), reduction=reduction),
            lambda z: ag.softmax_cross_entropy(z, no_targets, reduction),
            no_rows,
        ),
        (
            lambda z: TF.cross_entropy(z, torch.tensor(no_rows), reduction=reduction),
            lambda z: ag.softmax_cross_entropy(z, no_rows, reduction),
            no_rows,
        ),
        (
            lambda z: TF.binary_cross_entropy_with_logits(z, z.detach(), reduction=reduction),
            lambda z: ag.sigmoid_binary_cross_entropy(z, z.data, reduction),
            np.empty(0),
        ),
        (
            lambda p: TF.binary_cross_entropy(p, p.detach(), reduction=reduction),
            lambda p: ag.binary_cross_entropy(p, p.data, reduction),
            np.empty((0, 2)),
        ),
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for theirs, ours, empty in cases:
            check_op([], theirs, ours, arrays=[empty])


def test_softmax_axis_must_be_one_int():
    for fn in (nnlab.softmax, nnlab.log_softmax):
        with pytest.raises(TypeError, match="softmax: axis must be one int, got None"):
            fn(nnlab.tensor([1.0, 2.0]), axis=None)


@pytest.mark.parametrize("shape,axis", [((2, 0), 1), ((0, 3), 1), ((0, 3), 0)])
def test_softmax_family_over_empty_tensors(shape, axis):
    empty = np.empty(shape)
    check_op(
        [], lambda t: torch.log_softmax(t, axis), lambda t: t.log_softmax(axis), arrays=[empty]
    )
    check_op([], lambda t: torch.softmax(t, axis), lambda t: t.softmax(axis), arrays=[empty])
    with np.errstate(invalid="ignore"):  # the projection Σ r·(-inf) in check_op
        check_op(
            [], lambda t: torch.logsumexp(t, axis), lambda t: t.logsumexp(axis), arrays=[empty]
        )


# --------------------------------------------------------------------------- dtype promotion
def test_integer_tensor_with_a_float_tensor_takes_the_float_dtype():
    i64 = nnlab.tensor(np.arange(1, 4))
    f32 = nnlab.tensor(np.ones(3, np.float32), requires_grad=True)
    for y in (
        i64 * f32,
        f32 * i64,
        i64 + f32,
        f32 / i64,
        i64 @ f32,
        nnlab.where(i64 > 0, i64, f32),
    ):
        assert y.dtype == np.float32, y
    assert (i64 * nnlab.tensor(np.ones(3))).dtype == np.float64
    (i64 * f32).sum().backward()
    assert f32.grad.dtype == np.float32
    np.testing.assert_array_equal(f32.grad, [1.0, 2.0, 3.0])


def test_integer_tensor_with_a_python_float_is_float32_as_torch():
    i64 = nnlab.tensor(np.arange(3))
    for y in (i64 * 2.5, 2.5 * i64, i64 / 2.0, i64 - 0.5, i64**0.5, 2.0**i64):
        assert y.dtype == np.float32, y
    assert (i64 * 2).dtype == np.int64
    t = torch.arange(3)
    assert (t * 2.5).dtype == torch.float32 and (t / 2).dtype == torch.float32


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8, np.bool_])
def test_real_valued_ops_of_integer_tensors_are_float32_as_torch(dtype):
    data = np.array([1, 2, 3]).astype(dtype)
    ours, theirs = nnlab.tensor(data), torch.tensor(data)
    cases = [
        (lambda t: t / t, lambda t: t / t),
        (lambda t: t / 2, lambda t: t / 2),
        (lambda t: 2 / t, lambda t: 2 / t),
        (ag.exp, torch.exp),
        (ag.log, torch.log),
        (ag.sqrt, torch.sqrt),
        (ag.tanh, torch.tanh),
        (ag.sigmoid, torch.sigmoid),
    ]
    for fn, tfn in cases:
        y, ty = fn(ours), tfn(theirs)
        assert ty.dtype == torch.float32 and y.dtype == np.float32, (fn, y.dtype)
        np.testing.assert_allclose(y.data, ty.numpy(), rtol=1e-6)
    for fn, tfn in [(ag.abs, torch.abs), (ag.relu, torch.relu)]:
        if dtype is not np.bool_:  # torch has no abs or relu for bool
            assert str(fn(ours).dtype) == str(tfn(theirs).dtype).removeprefix("torch.")


def test_broadcast_errors_name_the_op():
    a, b = nnlab.tensor(np.ones((2, 3))), nnlab.tensor(np.ones(4))
    for op, fn in [("sub", a.__sub__), ("mul", a.__mul__), ("div", a.__truediv__)]:
        with pytest.raises(ValueError, match=rf"{op}: shapes \(2, 3\) and \(4,\) cannot be"):
            fn(b)
    with pytest.raises(ValueError, match=r"pow: shapes \(2, 3\) and \(4,\) cannot be"):
        a**b


def test_a_0d_float_tensor_takes_the_dtype_of_the_float_tensor_with_dimensions_as_torch():
    f32 = nnlab.tensor(np.ones(3, np.float32), requires_grad=True)
    s64 = nnlab.tensor(np.array(2.0), requires_grad=True)
    t32 = torch.ones(3, dtype=torch.float32, requires_grad=True)
    t64 = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    for op in (lambda a, b: a * b, lambda a, b: b - a, lambda a, b: a / b, lambda a, b: b**a):
        y, ty = op(f32, s64), op(t32, t64)
        assert str(y.dtype) == str(ty.dtype).removeprefix("torch.") == "float32"
        y.sum().backward()
        ty.sum().backward()
    np.testing.assert_allclose(f32.grad, t32.grad.numpy(), rtol=1e-6)
    np.testing.assert_allclose(s64.grad, t64.grad.numpy(), rtol=1e-6)
    assert f32.grad.dtype == np.float32 and s64.grad.dtype == np.float64
    # two 0-d or two dimensioned float tensors still widen, as torch does
    assert (nnlab.tensor(np.float32(1.0)) * nnlab.tensor(np.array(1.0))).dtype == np.float64
    assert (f32 * nnlab.tensor(np.ones(3))).dtype == np.float64


def test_an_operand_the_engine_does_not_know_gets_its_own_reflected_operator():
    class Symbol:  # e.g. a symbolic KerasTensor: it records ``tensor op symbol`` itself
        def __radd__(self, other):
            return ("radd", other)

        def __rmatmul__(self, other):
            return ("rmatmul", other)

    t = nnlab.tensor(np.ones(2))
    assert (t + Symbol())[0] == "radd"
    assert (t @ Symbol())[0] == "rmatmul"
    with pytest.raises(TypeError, match=r"unsupported operand type\(s\) for -: 'Tensor' and 'str'"):
        t - "2"

    class ArrayLike:  # anything NumPy can read stays an operand
        def __array__(self, dtype=None, copy=None):
            return np.array([1.0, 2.0])

    assert (t + ArrayLike()).data.tolist() == [2.0, 3.0]
    assert (ArrayLike().__array__() * t).data.tolist() == [1.0, 2.0]
    # the engine's own operands still work on both sides
    assert (np.float32(2) * t).dtype == np.float64 and (t - [1.0, 2.0]).data.tolist() == [0, -1]
