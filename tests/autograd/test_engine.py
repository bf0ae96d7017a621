"""The engine's semantics: the course's graph example, graph traversal, accumulation, no_grad,
dtypes, and the errors a user sees."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import nnlab
from nnlab.autograd import draw, to_dot

from .oracle import check_op


def course_f(x, y):
    """The course's example: f(x, y) = x² + xy + (x + y)²."""
    return x**2 + x * y + (x + y) ** 2


@given(
    st.floats(-100, 100, allow_nan=False, allow_infinity=False),
    st.floats(-100, 100, allow_nan=False, allow_infinity=False),
)
def test_course_example_matches_the_analytic_gradient(xv, yv):
    x = nnlab.tensor(np.float64(xv), requires_grad=True)
    y = nnlab.tensor(np.float64(yv), requires_grad=True)
    course_f(x, y).backward()
    np.testing.assert_allclose(x.grad, 2 * xv + yv + 2 * (xv + yv), rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(y.grad, xv + 2 * (xv + yv), rtol=1e-12, atol=1e-9)


def test_deep_chain_of_100000_ops_has_no_recursion_limit():
    x = nnlab.tensor(np.float64(1.0), requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0 + 0.0
    y.backward()
    assert x.grad == pytest.approx(1.0)


def test_a_node_reused_many_times_sums_its_contributions():
    x = nnlab.tensor(np.array([2.0, 3.0]), requires_grad=True)
    h = x * x  # used 50 times below
    total = h
    for _ in range(49):
        total = total + h
    total.sum().backward()
    np.testing.assert_allclose(x.grad, 50 * 2 * x.data)


def test_diamond_graph_order():
    # b and c both use a; d uses both: a's gradient must be complete before it flows to x
    x = nnlab.tensor(np.array(1.5), requires_grad=True)
    a = x.exp()
    b = a * 2
    c = a * b
    d = b + c
    d.backward()
    ea = np.exp(1.5)
    np.testing.assert_allclose(x.grad, (2 + 4 * ea) * ea)


def test_leaf_gradients_accumulate_until_zero_grad():
    w = nnlab.tensor(np.array([1.0, -2.0]), requires_grad=True)
    (w * w).sum().backward()
    first = w.grad.copy()
    (w * w).sum().backward()
    np.testing.assert_allclose(w.grad, 2 * first)
    w.zero_grad()
    assert w.grad is None


def test_backward_twice_on_one_graph_adds_the_gradient_twice():
    w = nnlab.tensor(np.array(3.0), requires_grad=True)
    loss = w * w
    loss.backward()
    loss.backward()
    assert w.grad == pytest.approx(12.0)


def test_grad_does_not_alias_graph_arrays():
    w = nnlab.tensor(np.ones(3), requires_grad=True)
    y = w.sum()
    y.backward()
    y.backward()
    np.testing.assert_allclose(w.grad, 2 * np.ones(3))


def test_no_grad_records_nothing_as_context_and_decorator():
    w = nnlab.tensor(np.ones(3), requires_grad=True)
    with nnlab.no_grad():
        y = w * 2
        assert not nnlab.is_grad_enabled()
        with nnlab.enable_grad():
            z = w * 3
    assert nnlab.is_grad_enabled()
    assert not y.requires_grad and y.is_leaf
    assert z.requires_grad

    @nnlab.no_grad()
    def predict(t):
        return t * t

    assert not predict(w).requires_grad
    assert nnlab.is_grad_enabled()


def test_only_inputs_that_require_grad_get_gradients():
    a = nnlab.tensor(np.ones(2), requires_grad=True)
    b = nnlab.tensor(np.full(2, 3.0))
    (a * b).sum().backward()
    np.testing.assert_allclose(a.grad, [3.0, 3.0])
    assert b.grad is None


def test_non_scalar_backward_needs_grad_argument():
    a = nnlab.tensor(np.ones((2, 3)), requires_grad=True)
    y = a * 2
    with pytest.raises(RuntimeError, match=r"shape \(2, 3\).*scalar"):
        y.backward()
    y.backward(np.ones((2, 3)))
    np.testing.assert_allclose(a.grad, np.full((2, 3), 2.0))
    with pytest.raises(ValueError, match=r"grad has shape \(3,\)"):
        y.backward(np.ones(3))


def test_backward_through_a_tensor_that_does_not_require_grad():
    with pytest.raises(RuntimeError, match="does not require grad"):
        (nnlab.tensor([1.0, 2.0]) * 2).sum().backward()


def test_dtypes():
    assert nnlab.tensor([1.0, 2.0]).dtype == np.float32
    assert nnlab.tensor(2.5).dtype == np.float32
    assert nnlab.tensor(np.zeros(3)).dtype == np.float64
    assert nnlab.tensor(np.zeros(3, np.float32)).dtype == np.float32
    assert nnlab.tensor([1, 2]).dtype.kind == "i"
    assert nnlab.tensor([1, 2], dtype=np.float64).dtype == np.float64
    with pytest.raises(TypeError, match="only floating-point tensors can require grad"):
        nnlab.tensor([1, 2], requires_grad=True)
    t32 = nnlab.tensor(np.ones(3, np.float32), requires_grad=True)
    for y in (t32 * 2.5, 1.5 - t32, t32 / 3.0, t32**2.0, 2.0**t32, t32 + np.float64(1.0)):
        assert y.dtype == np.float32, y
    (t32 * 2.5).sum().backward()
    assert t32.grad.dtype == np.float32


def test_attributes_and_repr():
    t = nnlab.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    assert t.shape == (2, 3) and t.ndim == 2 and t.size == 6 and len(t) == 2
    assert np.asarray(t).shape == (2, 3)
    assert t.numpy() is t.data
    assert t[1, 2].item() == 5.0
    d = t.detach()
    assert not d.requires_grad and d.data is t.data
    assert "requires_grad=True" in repr(t)
    assert "grad_fn=Mul" in repr(t * 2)
    with pytest.raises(ValueError, match="6 elements"):
        t.item()


def test_comparisons_return_boolean_arrays():
    t = nnlab.tensor([1.0, 2.0, 3.0])
    assert isinstance(t > 1.5, np.ndarray)
    np.testing.assert_array_equal(t > 1.5, [False, True, True])
    np.testing.assert_array_equal(t == nnlab.tensor([1.0, 0.0, 3.0]), [True, False, True])


def test_ndarray_on_the_left_defers_to_tensor():
    t = nnlab.tensor(np.ones(3), requires_grad=True)
    y = np.full(3, 2.0) * t
    assert isinstance(y, nnlab.Tensor)
    y.sum().backward()
    np.testing.assert_allclose(t.grad, [2.0, 2.0, 2.0])


@pytest.mark.parametrize(
    "fn,message",
    [
        (
            lambda: nnlab.tensor(np.ones((100, 784))) @ nnlab.tensor(np.ones((256, 10))),
            r"matmul: \(100, 784\) @ \(256, 10\): inner dimensions 784 and 256 differ",
        ),
        (
            lambda: nnlab.tensor(np.ones((2, 3))) + nnlab.tensor(np.ones((4,))),
            r"add: shapes \(2, 3\) and \(4,\) cannot be broadcast",
        ),
        (lambda: nnlab.tensor(np.ones((2, 3))).reshape(4, 2), r"reshape: cannot reshape"),
        (lambda: nnlab.tensor(np.ones((2, 3))).sum(axis=2), r"sum: axis 2 is out of range"),
        (
            lambda: nnlab.autograd.linear(
                nnlab.tensor(np.ones((2, 3))), nnlab.tensor(np.ones((4, 5)))
            ),
            r"linear: input of shape \(2, 3\) has 3 features but the weight \(4, 5\) expects 5",
        ),
        (
            lambda: nnlab.softmax_cross_entropy(nnlab.tensor(np.ones((2, 3))), np.array([0, 3])),
            r"class indices must lie in \[0, 2\]",
        ),
        (  # negative indices too, of every integer width (int8 to uint64)
            lambda: nnlab.softmax_cross_entropy(
                nnlab.tensor(np.ones((2, 3))), np.array([0, -1], np.int8)
            ),
            r"class indices must lie in \[0, 2\], got values in \[-1, 0\]",
        ),
        (
            lambda: nnlab.softmax_cross_entropy(
                nnlab.tensor(np.ones((2, 3))), np.array([2**63, 1], np.uint64)
            ),
            r"class indices must lie in \[0, 2\]",
        ),
        (
            lambda: nnlab.softmax_cross_entropy(nnlab.tensor(np.ones((2, 3))), np.array([0])),
            r"1 targets for 2 rows",
        ),
        (
            lambda: nnlab.concatenate([nnlab.tensor(np.ones((2, 3))), nnlab.tensor(np.ones(2))]),
            r"concatenate: shapes \(2, 3\), \(2,\)",
        ),
        (lambda: nnlab.dropout(nnlab.tensor(np.ones(3)), 1.0), r"dropout: p .* \[0, 1\)"),
        (lambda: nnlab.tensor(np.ones(3)).transpose(1, 0), r"transpose: axes \(1, 0\)"),
    ],
)
def test_errors_name_the_op_and_the_shapes(fn, message):
    with pytest.raises(ValueError, match=message):
        fn()


def test_to_dot_of_the_course_example():
    x = nnlab.tensor(np.float64(1.0), requires_grad=True)
    y = nnlab.tensor(np.float64(2.0), requires_grad=True)
    f = course_f(x, y)
    dot = to_dot(f, names={"x": x, "y": y, "f": f})
    assert dot.startswith("digraph")
    assert dot.count("shape=box") == 4  # x, y and the two constant exponents
    assert dot.count("shape=ellipse") == 6  # x**2, x*y, +, x+y, (x+y)**2, +
    assert dot.count('label="2"') == 2
    for op in ("Pow", "Mul", "Add"):
        assert op in dot
    assert 'label="x\\nscalar"' in dot and "f = Add" in dot
    assert dot.count("->") == 12


def test_graph_of_gives_nodes_and_edges():
    x = nnlab.tensor(np.float64(1.0), requires_grad=True)
    y = nnlab.tensor(np.float64(2.0), requires_grad=True)
    f = course_f(x, y)
    nodes, edges = nnlab.autograd.graph_of(f, names={"x": x, "f": f})
    ops = sorted(n.label.split("\n")[0] for n in nodes if n.is_op)
    assert ops == ["Add", "Add", "Mul", "Pow", "Pow", "f = Add"]
    leaves = {n.label for n in nodes if not n.is_op}
    assert leaves == {"x\nscalar", "scalar", "2"}  # y unnamed; the two exponents are equal
    assert len(nodes) == 10 and len(edges) == 12
    ids = {n.id for n in nodes}
    assert all(a in ids and b in ids for a, b in edges)


def test_draw_renders_or_explains(tmp_path, monkeypatch):
    x = nnlab.tensor(np.float64(1.0), requires_grad=True)
    f = course_f(x, x)
    if shutil.which("dot"):
        out = draw(f, tmp_path / "g.svg")
        assert out.read_text().lstrip().startswith("<?xml")
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match="apt-get install graphviz"):
        draw(f, tmp_path / "g.png")
    assert not (tmp_path / "g.png").exists()
    with pytest.raises(ValueError, match="unsupported file type"):
        draw(f, tmp_path / "g.gif")


# ------------------------------------------------------------- hypothesis: broadcasting, axes
@settings(max_examples=40, deadline=None)
@given(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, max_side=4))
def test_binary_ops_broadcast_both_ways(shapes):
    sa, sb = shapes.input_shapes
    for fn in (lambda a, b: a + b, lambda a, b: a * b, lambda a, b: a - b / (b * b + 1)):
        check_op([sa, sb], fn, fn)


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_reductions_over_random_axes(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=4))
    axes = data.draw(
        st.lists(st.integers(0, len(shape) - 1), unique=True, min_size=1, max_size=len(shape))
    )
    keep = data.draw(st.booleans())
    axes_t = tuple(axes)
    check_op(
        [shape],
        lambda a: a.sum(dim=axes_t, keepdim=keep),
        lambda a: a.sum(axis=axes_t, keepdims=keep),
    )
    check_op(
        [shape],
        lambda a: a.mean(dim=axes_t, keepdim=keep),
        lambda a: a.mean(axis=axes_t, keepdims=keep),
    )
    import torch

    check_op(
        [shape],
        lambda a: torch.amax(a, dim=axes_t, keepdim=keep),
        lambda a: a.max(axis=axes_t, keepdims=keep),
    )


def test_no_grad_is_per_thread():
    import threading

    w = nnlab.tensor(np.ones(3), requires_grad=True)
    inside, release = threading.Event(), threading.Event()

    def evaluate():
        with nnlab.no_grad():
            inside.set()
            release.wait(5)

    t = threading.Thread(target=evaluate)
    t.start()
    inside.wait(5)
    try:
        assert nnlab.is_grad_enabled()  # another thread's no_grad does not reach here
        assert (w * 2).requires_grad
    finally:
        release.set()
        t.join()


def test_no_grad_decorator_is_reentrant():
    @nnlab.no_grad()
    def depth(n):
        return 0 if n == 0 else 1 + depth(n - 1)

    assert depth(3) == 3
    assert nnlab.is_grad_enabled()


def test_fresh_gradients_become_grad_without_copy_and_still_accumulate():
    rng = np.random.default_rng(1)
    x1, x2 = rng.normal(size=(5, 4)), rng.normal(size=(3, 4))
    k = nnlab.tensor(rng.normal(size=(4, 2)), requires_grad=True)
    b = nnlab.tensor(rng.normal(size=2), requires_grad=True)
    dense = nnlab.autograd.dense
    out = dense(x1, k, b).sum() + (dense(x2, k, b) * 2).sum()
    out.backward()
    expected_k = np.outer(x1.sum(0), np.ones(2)) + 2 * np.outer(x2.sum(0), np.ones(2))
    np.testing.assert_allclose(k.grad, expected_k)
    np.testing.assert_allclose(b.grad, [5 + 6, 5 + 6])
    dense(x1, k, b).sum().backward()
    np.testing.assert_allclose(k.grad, expected_k + np.outer(x1.sum(0), np.ones(2)))


def test_a_gradient_passed_through_is_never_shared_between_leaves():
    # add hands the same array to both inputs: each leaf must own its own .grad
    a = nnlab.tensor(np.ones(3), requires_grad=True)
    b = nnlab.tensor(np.ones(3), requires_grad=True)
    (a @ np.eye(3) + b).sum().backward()
    (a + b).sum().backward()
    assert a.grad is not b.grad
    a.grad *= 10
    np.testing.assert_allclose(b.grad, [2.0, 2.0, 2.0])
    np.testing.assert_allclose(a.grad, [20.0, 20.0, 20.0])
