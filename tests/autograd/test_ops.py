"""Every op of the engine: value and gradient against PyTorch (float64), and against central
differences (``gradcheck``, no torch)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import nnlab
from nnlab.autograd import gradcheck

from .oracle import check_op

BROADCAST_PAIRS = [
    ((3, 4), (3, 4)),
    ((3, 4), (4,)),
    ((4,), (3, 4)),
    ((3, 1), (1, 4)),
    ((2, 3, 4), (3, 1)),
    ((), (2, 3)),
    ((2, 3), ()),
]


@pytest.mark.parametrize("sa,sb", BROADCAST_PAIRS)
@pytest.mark.parametrize(
    "name,fn",
    [
        ("add", lambda a, b: a + b),
        ("sub", lambda a, b: a - b),
        ("mul", lambda a, b: a * b),
        ("div", lambda a, b: a / b),
    ],
)
def test_binary_ops(name, fn, sa, sb):
    check_op([sa, sb], fn, fn)


@pytest.mark.parametrize("sa,sb", BROADCAST_PAIRS)
def test_pow_both_tensors(sa, sb):
    check_op([sa, sb], lambda a, b: a**b, lambda a, b: a**b, positive=True)


@pytest.mark.parametrize(
    "fn",
    [
        lambda a: 2 - a,
        lambda a: 1 / a,
        lambda a: a**0.5,
        lambda a: a**2,
        lambda a: 3.0**a,
        lambda a: -a,
        lambda a: a * 2.5 + 1,
        lambda a: (a - 0.25) / 4,
    ],
)
def test_scalar_operands(fn):
    check_op([(3, 4)], fn, fn, positive=True)


@pytest.mark.parametrize(
    "sa,sb",
    [
        ((3, 4), (4, 5)),
        ((4,), (4, 5)),
        ((3, 4), (4,)),
        ((4,), (4,)),
        ((2, 3, 4), (4, 5)),
        ((2, 3, 4), (2, 4, 5)),
        ((2, 1, 3, 4), (5, 4, 2)),
        ((4,), (2, 4, 5)),
        ((2, 3, 4), (4,)),
    ],
)
def test_matmul(sa, sb):
    check_op([sa, sb], lambda a, b: a @ b, lambda a, b: a @ b)


REDUCTION_CASES = [
    ((3, 4, 5), None, False),
    ((3, 4, 5), 0, False),
    ((3, 4, 5), 1, True),
    ((3, 4, 5), -1, False),
    ((3, 4, 5), (0, 2), False),
    ((3, 4, 5), (0, 2), True),
    ((6,), 0, False),
]


def _torch_dims(axis):
    return tuple(range(3)) if axis is None else axis


@pytest.mark.parametrize("shape,axis,keepdims", REDUCTION_CASES)
def test_sum_mean(shape, axis, keepdims):
    dims = _torch_dims(axis) if len(shape) == 3 else (axis if axis is not None else 0)
    check_op(
        [shape],
        lambda a: a.sum(dim=dims, keepdim=keepdims),
        lambda a: a.sum(axis=axis, keepdims=keepdims),
    )
    check_op(
        [shape],
        lambda a: a.mean(dim=dims, keepdim=keepdims),
        lambda a: a.mean(axis=axis, keepdims=keepdims),
    )


@pytest.mark.parametrize("shape,axis,keepdims", REDUCTION_CASES)
def test_max_min(shape, axis, keepdims):
    dims = _torch_dims(axis) if len(shape) == 3 else (axis if axis is not None else 0)
    check_op(
        [shape],
        lambda a: torch.amax(a, dim=dims, keepdim=keepdims),
        lambda a: a.max(axis=axis, keepdims=keepdims),
    )
    check_op(
        [shape],
        lambda a: torch.amin(a, dim=dims, keepdim=keepdims),
        lambda a: a.min(axis=axis, keepdims=keepdims),
    )


def test_max_ties_share_the_gradient():
    a = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]])
    check_op([], lambda t: torch.amax(t, dim=1), lambda t: t.max(axis=1), arrays=[a])
    check_op([], lambda t: torch.amax(t), lambda t: t.max(), arrays=[a])


@pytest.mark.parametrize(
    "name,tfn,nfn,positive",
    [
        ("exp", torch.exp, lambda a: a.exp(), False),
        ("log", torch.log, lambda a: a.log(), True),
        ("sqrt", torch.sqrt, lambda a: a.sqrt(), True),
        ("abs", torch.abs, lambda a: a.abs(), False),
        ("tanh", torch.tanh, lambda a: a.tanh(), False),
        ("sigmoid", torch.sigmoid, lambda a: a.sigmoid(), False),
        ("relu", torch.relu, lambda a: a.relu(), False),
        ("clip", lambda a: a.clamp(-0.5, 0.7), lambda a: a.clip(-0.5, 0.7), False),
        ("clip_lo", lambda a: a.clamp(min=0.1), lambda a: a.clip(0.1), False),
    ],
)
@pytest.mark.parametrize("shape", [(), (5,), (3, 4), (2, 3, 4)])
def test_unary(name, tfn, nfn, positive, shape):
    check_op([shape], tfn, nfn, positive=positive)


def test_module_level_wrappers_match_methods():
    check_op([(3, 4)], torch.exp, nnlab.exp)
    check_op([(3, 4)], torch.tanh, nnlab.tanh)
    check_op([(3, 4)], torch.log, nnlab.log, positive=True)


def test_sigmoid_is_stable_at_extremes():
    x = nnlab.tensor(np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0]), requires_grad=True)
    y = x.sigmoid()
    assert np.all(np.isfinite(y.data))
    np.testing.assert_allclose(y.data[[0, 2, 4]], [0.0, 0.5, 1.0])
    y.sum().backward()
    assert np.all(np.isfinite(x.grad))


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_softmax_family(axis):
    shape = (3, 5)
    check_op([shape], lambda a: torch.softmax(a, axis), lambda a: a.softmax(axis))
    check_op([shape], lambda a: torch.log_softmax(a, axis), lambda a: a.log_softmax(axis))
    check_op(
        [shape],
        lambda a: torch.logsumexp(a, axis),
        lambda a: a.logsumexp(axis),
    )


def test_logsumexp_all_axes_keepdims_and_large_values():
    check_op(
        [(2, 3, 4)],
        lambda a: torch.logsumexp(a, (0, 2), keepdim=True),
        lambda a: a.logsumexp((0, 2), keepdims=True),
    )
    big = np.array([[1000.0, 1000.0], [-1000.0, 0.0]])
    check_op([], lambda a: torch.logsumexp(a, 1), lambda a: a.logsumexp(1), arrays=[big])
    check_op([], lambda a: torch.softmax(a, 1), lambda a: a.softmax(1), arrays=[big])


@pytest.mark.parametrize(
    "shape,perm",
    [((3, 4), None), ((2, 3, 4), (1, 0, 2)), ((2, 3, 4), (2, 0, 1)), ((2, 3, 4), None)],
)
def test_transpose(shape, perm):
    if perm is None:
        check_op([shape], lambda a: a.permute(*reversed(range(a.ndim))), lambda a: a.T)
    else:
        check_op([shape], lambda a: a.permute(*perm), lambda a: a.transpose(*perm))


@pytest.mark.parametrize("new", [(12,), (4, 3), (2, -1), (1, 3, 4)])
def test_reshape(new):
    check_op([(3, 4)], lambda a: a.reshape(new), lambda a: a.reshape(*new))


@pytest.mark.parametrize(
    "index",
    [
        1,
        (slice(None), 2),
        (slice(1, None, 2),),
        (np.array([0, 2, 2, 1]),),
        (np.array([0, 1]), np.array([3, 3])),
        (slice(None), np.array([1, 1, 0])),
        (Ellipsis, 0),
        (None, 1),
    ],
)
def test_getitem(index):
    def torch_index(i):
        if isinstance(i, tuple):
            return tuple(torch.as_tensor(j) if isinstance(j, np.ndarray) else j for j in i)
        return i

    check_op([(4, 5)], lambda a: a[torch_index(index)], lambda a: a[index])


def test_getitem_boolean_mask():
    rng = np.random.default_rng(3)
    a = rng.standard_normal((4, 5))
    mask = a > 0.2
    check_op([], lambda t: t[torch.as_tensor(mask)], lambda t: t[mask], arrays=[a])
    rows = np.array([True, False, True, True])
    check_op([], lambda t: t[torch.as_tensor(rows)], lambda t: t[rows], arrays=[a])


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_concatenate_and_stack(axis):
    check_op(
        [(2, 3), (2, 3), (2, 3)],
        lambda a, b, c: torch.cat([a, b, c], axis),
        lambda a, b, c: nnlab.concatenate([a, b, c], axis),
    )
    check_op(
        [(2, 3), (2, 3)],
        lambda a, b: torch.stack([a, b], axis),
        lambda a, b: nnlab.stack([a, b], axis),
    )


def test_concatenate_uneven_sizes():
    check_op(
        [(2, 3), (4, 3)],
        lambda a, b: torch.cat([a, b], 0),
        lambda a, b: nnlab.concatenate([a, b], 0),
    )


def test_where():
    cond = np.random.default_rng(1).random((3, 4)) > 0.5
    check_op(
        [(3, 4), (4,)],
        lambda a, b: torch.where(torch.as_tensor(cond), a, b),
        lambda a, b: nnlab.where(cond, a, b),
    )


def test_linear_fused():
    check_op(
        [(5, 3), (4, 3), (4,)],
        lambda x, w, b: TF.linear(x, w, b),
        lambda x, w, b: nnlab.autograd.linear(x, w, b),
    )
    check_op([(2, 5, 3), (4, 3)], TF.linear, nnlab.autograd.linear)


def test_dense_fused_keras_layout():
    check_op([(5, 3), (3, 4), (4,)], lambda x, k, b: x @ k + b, nnlab.autograd.dense)
    check_op([(5, 3), (3, 4)], lambda x, k: x @ k, nnlab.autograd.dense)
    check_op(
        [(5, 3), (3, 4), (4,)],
        lambda x, k, b: torch.relu(x @ k + b),
        lambda x, k, b: nnlab.autograd.dense(x, k, b, activation="relu"),
    )
    check_op(
        [(5, 3), (3, 4), (4,)],
        lambda x, k, b: torch.tanh(x @ k + b),
        lambda x, k, b: nnlab.autograd.dense(x, k, b, activation="tanh"),
    )
    with pytest.raises(ValueError, match=r"expected \(batch, 3\)"):
        nnlab.autograd.dense(nnlab.tensor(np.ones((2, 4))), nnlab.tensor(np.ones((3, 2))))
    with pytest.raises(ValueError, match="activation must be one of"):
        nnlab.autograd.dense(
            nnlab.tensor(np.ones((2, 3))), nnlab.tensor(np.ones((3, 2))), None, "elu"
        )


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_softmax_cross_entropy_integer_and_soft_targets(reduction):
    target = np.array([0, 2, 1, 2])
    check_op(
        [(4, 3)],
        lambda z: TF.cross_entropy(z, torch.as_tensor(target), reduction=reduction),
        lambda z: nnlab.softmax_cross_entropy(z, target, reduction=reduction),
    )
    soft = np.random.default_rng(2).dirichlet(np.ones(3), size=4)
    check_op(
        [(4, 3)],
        lambda z: TF.cross_entropy(z, torch.as_tensor(soft), reduction=reduction),
        lambda z: nnlab.softmax_cross_entropy(z, soft, reduction=reduction),
    )


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_sigmoid_binary_cross_entropy(reduction):
    target = np.random.default_rng(4).random((5, 2))
    check_op(
        [(5, 2)],
        lambda z: TF.binary_cross_entropy_with_logits(
            z, torch.as_tensor(target), reduction=reduction
        ),
        lambda z: nnlab.sigmoid_binary_cross_entropy(z, target, reduction=reduction),
    )


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_binary_cross_entropy_on_probabilities(reduction):
    rng = np.random.default_rng(5)
    probs = rng.uniform(0.05, 0.95, (4, 3))
    target = rng.random((4, 3))
    check_op(
        [],
        lambda p: TF.binary_cross_entropy(p, torch.as_tensor(target), reduction=reduction),
        lambda p: nnlab.autograd.binary_cross_entropy(p, target, reduction=reduction),
        arrays=[probs],
    )


def test_fused_losses_are_stable_for_huge_logits():
    z = nnlab.tensor(np.array([[1000.0, -1000.0], [-1000.0, 1000.0]]), requires_grad=True)
    loss = nnlab.softmax_cross_entropy(z, np.array([0, 0]))
    assert np.isfinite(loss.item())
    np.testing.assert_allclose(loss.item(), 1000.0)
    b = nnlab.sigmoid_binary_cross_entropy(z, np.array([[1.0, 0.0], [1.0, 0.0]]))
    np.testing.assert_allclose(b.item(), 500.0)  # losses 0, 0, 1000, 1000


def test_dropout_scaling_and_gradient():
    rng = np.random.default_rng(0)
    x = nnlab.tensor(np.ones((200, 50)), requires_grad=True)
    y = nnlab.dropout(x, 0.3, rng)
    kept = y.data != 0
    assert abs(kept.mean() - 0.7) < 0.02
    np.testing.assert_allclose(y.data[kept], 1 / 0.7)
    y.sum().backward()
    np.testing.assert_allclose(x.grad, y.data)
    assert nnlab.dropout(x, 0.3, rng, training=False) is x


# ---------------------------------------------------------------- the same ops without torch
GRADCHECK_CASES = [
    (lambda a, b: a * b + a / (b * b + 1), [(3, 4), (4,)]),
    (lambda a, b: (a @ b).tanh().sum(axis=0), [(3, 4), (4, 2)]),
    (lambda a: a.softmax(1) * a.log_softmax(0), [(3, 4)]),
    (lambda a: a.logsumexp(1) + a.max(0).sum() + a.min(), [(3, 4)]),
    (lambda a: a.sigmoid().sqrt().exp(), [(2, 3)]),
    (lambda a: a[np.array([0, 0, 2]), 1:].abs().mean(), [(3, 4)]),
    (lambda a: a[::-1, 0:3:2] * a[1:, ::-2][0, 0], [(3, 4)]),  # negative steps (torch has none)
    (lambda a, b: nnlab.concatenate([a, b], 1).T.reshape(2, -1), [(2, 2), (2, 3)]),
    (lambda a, b: nnlab.stack([a, b]).transpose(1, 2, 0).clip(-1, 1), [(2, 3), (2, 3)]),
    (lambda a: nnlab.where(a.data > 0, a * a, -a), [(4, 4)]),
    (lambda x, w, b: nnlab.autograd.linear(x, w, b).relu(), [(5, 3), (2, 3), (2,)]),
    (lambda x, k, b: nnlab.autograd.dense(x, k, b, activation="relu") ** 2, [(5, 3), (3, 2), (2,)]),
    (lambda x, k, b: nnlab.autograd.dense(x, k, b, activation="tanh") ** 2, [(5, 3), (3, 2), (2,)]),
    (lambda z: nnlab.softmax_cross_entropy(z, np.array([1, 0, 2])), [(3, 3)]),
    (lambda z: nnlab.sigmoid_binary_cross_entropy(z, np.eye(3)), [(3, 3)]),
    (lambda a, b: (a.abs() + 0.5) ** b, [(3,), (3,)]),
]


@pytest.mark.parametrize("fn,shapes", GRADCHECK_CASES)
def test_gradcheck_without_torch(fn, shapes):
    rng = np.random.default_rng(7)
    inputs = [rng.standard_normal(s) + 0.1 for s in shapes]
    assert gradcheck(fn, *inputs)


def test_gradcheck_reports_a_wrong_gradient():
    class BadSquare(nnlab.autograd.Function):
        def forward(self, x):
            self.x = x
            return x * x

        def backward(self, g):
            return (g * self.x,)  # should be 2x

    with pytest.raises(AssertionError, match="backward gives .* central differences give"):
        gradcheck(lambda a: BadSquare().apply(a), np.array([1.0, 2.0]))
