"""Transposed convolution ops: value and gradient against PyTorch (float64) in both layouts,
asymmetric crops, central differences, and the errors a user sees."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given, settings
from hypothesis import strategies as st

import nnlab
from nnlab.autograd import conv2d, conv_transpose1d, conv_transpose2d, gradcheck

from .oracle import check_op

# (N, I, H, W, O, kernel, stride, padding, output_padding, dilation, groups)
CASES = [
    (2, 3, 4, 5, 2, 3, 1, 0, 0, 1, 1),
    (1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1),
    (2, 4, 3, 4, 6, 3, 2, 1, 1, 1, 2),
    (2, 2, 5, 3, 3, (2, 3), (2, 1), (1, 0), (1, 0), 1, 1),
    (1, 3, 4, 4, 3, 3, 3, 1, 2, 1, 3),
    (2, 4, 3, 3, 4, 2, 2, 0, 0, 1, 1),
    (3, 2, 4, 3, 4, (3, 2), (1, 3), (2, 1), (0, 2), (2, 1), 2),
    (2, 6, 5, 5, 2, 3, 2, 2, 1, 2, 2),
    (1, 2, 2, 2, 5, 4, 3, 0, 2, 1, 1),
    (2, 3, 6, 4, 3, 1, 2, 0, 1, 1, 1),
]


def _k2(kernel):
    return (kernel, kernel) if isinstance(kernel, int) else kernel


def _nhwc(fn):
    """A torch conv_transpose2d taking channels-last x and a (kh, kw, O/G, I) kernel."""

    def run(x, k, b):
        y = fn(x.permute(0, 3, 1, 2), k.permute(3, 2, 0, 1).contiguous(), b)
        return y.permute(0, 2, 3, 1)

    return run


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("with_bias", [True, False])
def test_conv_transpose2d_channels_first_matches_torch(case, with_bias):
    n, i, h, w, o, k, s, p, op, d, g = case
    shapes = [(n, i, h, w), (i, o // g, *_k2(k))] + ([(o,)] if with_bias else [])
    check_op(
        shapes,
        lambda x, wt, *b: TF.conv_transpose2d(x, wt, b[0] if b else None, s, p, op, g, d),
        lambda x, wt, *b: conv_transpose2d(x, wt, b[0] if b else None, s, p, op, g, d),
    )


@pytest.mark.parametrize("case", CASES)
def test_conv_transpose2d_channels_last_matches_torch(case):
    n, i, h, w, o, k, s, p, op, d, g = case
    check_op(
        [(n, h, w, i), (*_k2(k), o // g, i), (o,)],
        _nhwc(lambda x, k_, b: TF.conv_transpose2d(x, k_, b, s, p, op, g, d)),
        lambda x, k_, b: conv_transpose2d(x, k_, b, s, p, op, g, d, "channels_last"),
    )


@pytest.mark.parametrize(
    "pads,extra", [(((0, 2), (1, 0)), 0), (((2, 1), (0, 3)), (1, 0)), (((1, 1), (0, 0)), 1)]
)
def test_asymmetric_crops_match_a_slice_of_torch(pads, extra):
    """padding ((top, bottom), (left, right)) crops the uncropped output (torch's, padding 0)."""
    (t, bt), (lf, rt) = pads
    ex = _k2(extra)

    def theirs(x, w, b):
        y = TF.conv_transpose2d(x, w, b, 2, 0, 0, 1, 1)
        y = TF.pad(y, (0, ex[1], 0, ex[0]), value=0.0) + TF.pad(
            torch.zeros_like(y), (0, ex[1], 0, ex[0]), value=1.0
        ) * b.reshape(1, -1, 1, 1)
        return y[:, :, t : y.shape[2] - bt, lf : y.shape[3] - rt]

    check_op(
        [(2, 3, 4, 3), (3, 2, 3, 3), (2,)],
        theirs,
        lambda x, w, b: conv_transpose2d(x, w, b, 2, pads, extra),
    )


@pytest.mark.parametrize(
    "n,i,length,o,k,s,p,op,d,g",
    [
        (2, 3, 5, 4, 3, 2, 1, 1, 1, 1),
        (1, 4, 6, 2, 2, 1, 0, 0, 3, 2),
        (3, 2, 4, 6, 1, 3, 0, 2, 1, 2),
        (2, 2, 7, 3, 5, 2, 2, 0, 1, 1),
    ],
)
def test_conv_transpose1d_matches_torch_in_both_layouts(n, i, length, o, k, s, p, op, d, g):
    check_op(
        [(n, i, length), (i, o // g, k), (o,)],
        lambda x, w, b: TF.conv_transpose1d(x, w, b, s, p, op, g, d),
        lambda x, w, b: conv_transpose1d(x, w, b, s, p, op, g, d),
    )
    check_op(
        [(n, length, i), (k, o // g, i), (o,)],
        lambda x, w, b: TF.conv_transpose1d(
            x.permute(0, 2, 1), w.permute(2, 1, 0), b, s, p, op, g, d
        ).permute(0, 2, 1),
        lambda x, w, b: conv_transpose1d(x, w, b, s, p, op, g, d, "channels_last"),
    )


def test_conv_transpose1d_takes_one_before_after_pair():
    check_op(
        [(2, 3, 5), (3, 2, 4)],
        lambda x, w: TF.conv_transpose1d(x, w, stride=2)[:, :, 1:-2],
        lambda x, w: conv_transpose1d(x, w, stride=2, padding=(1, 2)),
    )


def test_it_is_the_adjoint_of_conv2d():
    """<conv2d(z, W), x> = <z, conv_transpose2d(x, W)> for every z and x."""
    rng = np.random.default_rng(5)
    w = rng.standard_normal((6, 2, 3, 2))  # conv: 4 -> 6 channels, groups 2
    z = rng.standard_normal((2, 4, 9, 8))
    y = conv2d(z, w, stride=2, padding=1, dilation=(1, 2), groups=2).data
    x = rng.standard_normal(y.shape)
    # output_padding (0, 1): the last column, which the conv reads, has no padding after it
    zt = conv_transpose2d(x, w, None, 2, 1, (0, 1), 2, (1, 2)).data
    assert zt.shape == z.shape
    np.testing.assert_allclose(np.sum(y * x), np.sum(z * zt), rtol=1e-12)


def test_passes_central_differences():
    rng = np.random.default_rng(3)
    x, w, b = (
        rng.standard_normal((2, 4, 3, 3)),
        rng.standard_normal((4, 1, 2, 3)),
        rng.standard_normal(2),
    )
    assert gradcheck(
        lambda x, w, b: conv_transpose2d(x, w, b, (2, 1), 1, (1, 0), 2, (1, 2)), x, w, b
    )


def test_float32_stays_float32_and_only_needed_gradients_are_computed():
    rng = np.random.default_rng(0)
    x = nnlab.tensor(rng.standard_normal((2, 3, 4, 4)).astype(np.float32))
    w = nnlab.tensor(rng.standard_normal((3, 5, 3, 3)).astype(np.float32), requires_grad=True)
    b = nnlab.tensor(np.zeros(5, np.float32))
    y = conv_transpose2d(x, w, b, stride=2)
    assert y.dtype == np.float32 and y.shape == (2, 5, 9, 9)
    y.sum().backward()
    assert x.grad is None and b.grad is None and w.grad.dtype == np.float32
    with nnlab.no_grad():
        assert conv_transpose2d(x, w)._fn is None


def test_a_second_backward_adds_the_same_gradients_again():
    rng = np.random.default_rng(2)
    x = nnlab.tensor(rng.standard_normal((2, 3, 4, 4)), requires_grad=True)
    w = nnlab.tensor(rng.standard_normal((3, 2, 3, 3)), requires_grad=True)
    y = conv_transpose2d(x, w, stride=2, padding=1)
    y.sum().backward()
    first_x, first_w = x.grad.copy(), w.grad.copy()
    y.sum().backward()  # the graph is kept: gradients add up, as for every op
    np.testing.assert_allclose(x.grad, 2 * first_x)
    np.testing.assert_allclose(w.grad, 2 * first_w)


@pytest.mark.parametrize(
    "call,message",
    [
        (lambda: conv_transpose2d(np.ones((3, 4, 4)), np.ones((3, 1, 3, 3))),
         r"conv_transpose2d: input must be 4-D \(N, C, H, W\), got shape \(3, 4, 4\)"),
        (lambda: conv_transpose2d(np.ones((1, 4, 4, 3)), np.ones((3, 3, 1)),
                                  data_format="channels_last"),
         r"weight must be 4-D \(kH, kW, out_channels/groups, in_channels\)"),
        (lambda: conv_transpose2d(np.ones((1, 3, 4, 4)), np.ones((2, 1, 3, 3))),
         r"input has 3 channels but the weight expects 2"),
        (lambda: conv_transpose2d(np.ones((1, 3, 4, 4)), np.ones((3, 1, 3, 3)), groups=2),
         r"groups=2 must divide in_channels=3"),
        (lambda: conv_transpose2d(np.ones((1, 1, 2, 2)), np.ones((1, 1, 2, 2)), padding=2),
         r"crops the whole output"),
        (lambda: conv_transpose2d(np.ones((1, 1, 2, 2)), np.ones((1, 1, 2, 2)), np.ones(2)),
         r"bias must have shape \(1,\), got \(2,\)"),
        (lambda: conv_transpose2d(np.ones((1, 1, 2, 2)), np.ones((1, 1, 2, 2)), stride=0),
         r"stride must be an int >= 1"),
        (lambda: conv_transpose2d(np.ones((1, 1, 2, 2)), np.ones((1, 1, 2, 2)), dilation=1.5),
         r"dilation must be an int >= 1 or 2 of them, got 1.5"),
        (lambda: conv_transpose2d(np.ones((1, 1, 2, 2)), np.ones((1, 1, 2, 2)), padding=(1, 2, 3)),
         r"padding must be an int, 2 ints or 2 \(before, after\) pairs"),
        (lambda: conv_transpose2d(np.ones((1, 1, 2, 2)), np.ones((1, 1, 2, 2)),
                                  output_padding=-1),
         r"output_padding must be an int >= 0"),
        (lambda: conv_transpose1d(np.ones((3, 10)), np.ones((3, 1, 3))),
         r"conv_transpose1d: input must be 3-D \(N, C, L\), got shape \(3, 10\)"),
    ],
)  # fmt: skip
def test_errors_name_the_problem(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_dtype_mismatch_is_a_type_error():
    with pytest.raises(TypeError, match="same float dtype, got float64 and float32"):
        conv_transpose2d(np.ones((1, 1, 3, 3)), np.ones((1, 1, 2, 2), np.float32))


@st.composite
def configs(draw: st.DrawFn) -> tuple:
    """A valid conv_transpose2d: sizes, stride, padding, output_padding (< stride or dilation,
    as torch requires), dilation, groups."""
    groups = draw(st.sampled_from([1, 1, 2, 3]))
    i, o = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    k = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    s = (draw(st.integers(1, 3)), draw(st.integers(1, 2)))
    d = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    op = tuple(draw(st.integers(0, max(s[a], d[a]) - 1)) for a in range(2))
    h, w = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    full = [(n - 1) * s[a] + d[a] * (k[a] - 1) + 1 + op[a] for a, n in enumerate((h, w))]
    p = tuple(draw(st.integers(0, (full[a] - 1) // 2)) for a in range(2))
    return draw(st.integers(1, 3)), i, h, w, o, k, s, p, op, d, groups


@settings(max_examples=40, deadline=None)
@given(configs(), st.booleans())
def test_random_configurations_match_torch(config, channels_last):
    n, i, h, w, o, k, s, p, op, d, g = config
    if channels_last:
        check_op(
            [(n, h, w, i), (*k, o // g, i), (o,)],
            _nhwc(lambda x, k_, b: TF.conv_transpose2d(x, k_, b, s, p, op, g, d)),
            lambda x, k_, b: conv_transpose2d(x, k_, b, s, p, op, g, d, "channels_last"),
        )
    else:
        check_op(
            [(n, i, h, w), (i, o // g, *k), (o,)],
            lambda x, w_, b: TF.conv_transpose2d(x, w_, b, s, p, op, g, d),
            lambda x, w_, b: conv_transpose2d(x, w_, b, s, p, op, g, d),
        )
