"""In-place changes after the forward pass: ``backward()`` refuses to differentiate at values
that are no longer the ones the graph saw (PyTorch's version counter), and training loops that
update after ``backward()`` keep working."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import nnlab
from nnlab import keras, optim
from nnlab.autograd import Function, increment_version


def _weight():
    return nnlab.tensor(np.array([1.0, -2.0, 3.0]), requires_grad=True)


X = np.array([0.5, 1.5, -1.0])


@pytest.mark.parametrize(
    "modify",
    [
        lambda w: setattr(w, "data", w.data - 0.1),  # w.data = w.data - 0.1
        lambda w: increment_version(w),
        lambda w: increment_version([nnlab.tensor(1.0), w]),
    ],
    ids=["assign", "increment_version", "increment_version-list"],
)
def test_modifying_a_saved_input_makes_backward_raise(modify):
    w = _weight()
    loss = (w * X).sum()
    modify(w)
    with pytest.raises(RuntimeError, match=r"input 0 \(shape \(3,\), dtype float64\) of Mul"):
        loss.backward()


def test_augmented_assignment_on_data_is_tracked():
    w = _weight()
    loss = (w * X).sum()
    w.data -= 0.1  # Python stores the result back through the ``data`` property
    with pytest.raises(RuntimeError, match="Mul was modified in place after Mul saved it"):
        loss.backward()


def test_setitem_is_tracked_and_needs_no_grad_on_a_tensor_that_requires_grad():
    w = _weight()
    loss = (w * X).sum()
    with pytest.raises(RuntimeError, match=r"setitem: .* under nnlab.no_grad\(\)"):
        w[0] = 5.0
    with nnlab.no_grad():
        w[nnlab.tensor(np.array([0, 2]))] = nnlab.tensor(np.array([5.0, 6.0]))
    np.testing.assert_array_equal(w.data, [5.0, -2.0, 6.0])
    with pytest.raises(RuntimeError, match="input 0 .* of Mul"):
        loss.backward()
    plain = nnlab.tensor(np.zeros((2, 2)))
    plain[1] = 7.0  # a constant needs no no_grad
    np.testing.assert_array_equal(plain.data, [[0, 0], [7, 7]])


def test_modifying_a_saved_output_makes_backward_raise():
    x = _weight()
    y = x.exp()  # Exp's backward reads its output
    loss = y.sum()
    y.data = np.zeros(3)
    with pytest.raises(RuntimeError, match=r"its output \(shape \(3,\), dtype float64\) of Exp"):
        loss.backward()


def test_an_op_that_saves_nothing_does_not_care():
    # add's backward reads no values: PyTorch does not complain either
    w, b = _weight(), nnlab.tensor(np.ones(3), requires_grad=True)
    loss = (w + b).sum()
    b.data += 1
    loss.backward()
    np.testing.assert_array_equal(b.grad, np.ones(3))
    tb = torch.ones(3, requires_grad=True)
    tl = (torch.zeros(3) + tb).sum()
    with torch.no_grad():
        tb += 1
    tl.backward()


def test_changes_before_the_forward_pass_are_fine():
    w = _weight()
    w.data = w.data * 2
    with nnlab.no_grad():
        w[1] = 0.0
    (w * X).sum().backward()
    np.testing.assert_array_equal(w.grad, X)


def test_a_custom_function_in_the_old_form_is_checked_too():
    class Square(Function):  # no class attributes: the defaults are the safe ones
        def forward(self, x):
            self.x = x
            return x * x

        def backward(self, g):
            return (2 * self.x * g,)

    w = _weight()
    loss = Square().apply(w).sum()
    w.data = np.zeros(3)
    with pytest.raises(RuntimeError, match="of Square was modified"):
        loss.backward()


@pytest.mark.parametrize(
    "make",
    [lambda ps: optim.SGD(ps, lr=0.1), lambda ps: optim.Adam(ps, lr=0.1)],
    ids=["SGD", "Adam"],
)
def test_optimizers_update_after_backward_and_mark_their_parameters(make):
    w = _weight()
    opt = make([w])
    for _ in range(3):  # the usual loop keeps working
        opt.zero_grad()
        loss = ((w * X).sum() - 1) ** 2
        loss.backward()
        opt.step()
    stale = ((w * X).sum() - 1) ** 2
    stale.backward()
    loss = ((w * X).sum() - 1) ** 2
    opt.step()  # a step between this forward pass and its backward
    with pytest.raises(RuntimeError, match="of Mul was modified in place"):
        loss.backward()


def test_keras_optimizers_mark_their_parameters():
    w = _weight()
    opt = keras.optimizers.SGD(learning_rate=0.1)
    (w * X).sum().backward()
    loss = (w * X).sum()
    opt.apply_gradients([(w.grad, w)])
    with pytest.raises(RuntimeError, match="of Mul was modified in place"):
        loss.backward()
