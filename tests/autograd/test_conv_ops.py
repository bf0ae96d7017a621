"""Convolution ops: value and gradient against PyTorch (float64) in both layouts,
central differences, memory, and the errors a user sees."""

from __future__ import annotations

import numpy as np
import pytest
import torch.nn.functional as TF
from hypothesis import given, settings
from hypothesis import strategies as st

import nnlab
from nnlab.autograd import conv1d, conv2d, gradcheck, max_pool2d

from .oracle import check_op

# (N, C, H, W, O, kernel, stride, padding, dilation, groups)
CONV2D_CASES = [
    (2, 3, 7, 6, 4, 3, 1, 0, 1, 1),
    (1, 1, 5, 5, 2, 1, 1, 0, 1, 1),
    (2, 4, 9, 8, 6, (3, 2), 2, 1, 1, 2),
    (2, 4, 9, 8, 8, 3, 1, "same", 2, 4),
    (1, 2, 5, 5, 3, 2, (2, 1), (1, 0), 1, 1),
    (2, 3, 6, 6, 3, 3, 1, "valid", 1, 3),
    (2, 3, 6, 7, 6, 3, 1, "same", 1, 3),
    (3, 2, 8, 5, 4, (2, 3), (3, 2), (2, 1), (2, 1), 1),
    (2, 2, 4, 4, 2, 4, 1, 0, 1, 1),
    (2, 6, 10, 10, 4, 3, 2, 1, 1, 2),
]


def _k2(kernel):
    return (kernel, kernel) if isinstance(kernel, int) else kernel


@pytest.mark.parametrize("case", CONV2D_CASES)
@pytest.mark.parametrize("with_bias", [True, False])
def test_conv2d_channels_first_matches_torch(case, with_bias):
    n, c, h, w, o, k, s, p, d, g = case
    shapes = [(n, c, h, w), (o, c // g, *_k2(k))] + ([(o,)] if with_bias else [])
    check_op(
        shapes,
        lambda x, wt, *b: TF.conv2d(x, wt, b[0] if b else None, s, p, d, g),
        lambda x, wt, *b: conv2d(x, wt, b[0] if b else None, s, p, d, g),
    )


@pytest.mark.parametrize("case", CONV2D_CASES)
def test_conv2d_channels_last_matches_torch(case):
    n, c, h, w, o, k, s, p, d, g = case
    check_op(
        [(n, h, w, c), (*_k2(k), c // g, o), (o,)],
        lambda x, k_, b: TF.conv2d(
            x.permute(0, 3, 1, 2).contiguous(), k_.permute(3, 2, 0, 1).contiguous(), b, s, p, d, g
        ).permute(0, 2, 3, 1),
        lambda x, k_, b: conv2d(x, k_, b, s, p, d, g, data_format="channels_last"),
    )


@pytest.mark.parametrize("size,kernel,stride", [(7, 3, 2), (8, 3, 2), (6, 2, 3), (5, 4, 3)])
def test_conv2d_same_with_stride_is_keras_rule(size, kernel, stride):
    """'same' with a stride: OH = ceil(H / s), padding split with the extra pixel at the end
    (TensorFlow/Keras); PyTorch has no strided 'same', so compare with explicit padding."""
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    pad = (total // 2, total - total // 2)
    check_op(
        [(2, 2, size, size), (3, 2, kernel, kernel)],
        lambda x, w: TF.conv2d(TF.pad(x, (*pad, *pad)), w, stride=stride),
        lambda x, w: conv2d(x, w, stride=stride, padding="same"),
    )


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel")
@pytest.mark.parametrize(
    "n,c,length,o,k,s,p,d,g",
    [(2, 3, 10, 4, 3, 2, 1, 1, 1), (1, 4, 9, 4, 2, 1, "same", 3, 4), (3, 2, 6, 6, 1, 1, 0, 1, 2)],
)
def test_conv1d_matches_torch_in_both_layouts(n, c, length, o, k, s, p, d, g):
    check_op(
        [(n, c, length), (o, c // g, k), (o,)],
        lambda x, w, b: TF.conv1d(x, w, b, s, p, d, g),
        lambda x, w, b: conv1d(x, w, b, s, p, d, g),
    )
    check_op(
        [(n, length, c), (k, c // g, o), (o,)],
        lambda x, w, b: TF.conv1d(x.permute(0, 2, 1), w.permute(2, 1, 0), b, s, p, d, g).permute(
            0, 2, 1
        ),
        lambda x, w, b: conv1d(x, w, b, s, p, d, g, data_format="channels_last"),
    )


def test_conv2d_passes_central_differences():
    rng = np.random.default_rng(3)
    x, w, b = (
        rng.standard_normal((2, 4, 5, 5)),
        rng.standard_normal((4, 2, 2, 3)),
        rng.standard_normal(4),
    )
    assert gradcheck(lambda x, w, b: conv2d(x, w, b, (2, 1), 1, (1, 2), groups=2), x, w, b)


def test_float32_stays_float32_and_output_is_channels_last_in_memory():
    rng = np.random.default_rng(0)
    x = nnlab.tensor(rng.standard_normal((2, 3, 6, 6)).astype(np.float32), requires_grad=True)
    w = nnlab.tensor(rng.standard_normal((4, 3, 3, 3)).astype(np.float32), requires_grad=True)
    y = conv2d(x, w)
    assert y.dtype == np.float32 and y.shape == (2, 4, 4, 4)
    assert y.data.transpose(0, 2, 3, 1).flags.c_contiguous  # NCHW view of NHWC memory
    p = max_pool2d(y, 2)
    p.sum().backward()
    assert x.grad is not None and x.grad.dtype == np.float32 and w.grad.dtype == np.float32


def test_the_column_buffer_is_dropped_by_backward_and_rebuilt_for_a_second_one():
    rng = np.random.default_rng(1)
    x = nnlab.tensor(rng.standard_normal((2, 3, 6, 6)), requires_grad=True)
    w = nnlab.tensor(rng.standard_normal((4, 3, 3, 3)), requires_grad=True)
    y = conv2d(x, w, padding=1)
    assert y._fn is not None and y._fn.cols is not None
    y.sum().backward()
    assert y._fn.cols is None
    first_x, first_w = x.grad.copy(), w.grad.copy()
    y.sum().backward()  # the graph is kept: gradients add up, as for every op
    np.testing.assert_allclose(x.grad, 2 * first_x)
    np.testing.assert_allclose(w.grad, 2 * first_w)


def test_no_grad_keeps_no_graph():
    with nnlab.no_grad():
        y = conv2d(np.ones((1, 1, 4, 4)), nnlab.tensor(np.ones((1, 1, 2, 2)), requires_grad=True))
    assert not y.requires_grad and y._fn is None


def test_only_the_needed_gradients_are_computed():
    x = nnlab.tensor(np.ones((1, 2, 4, 4)))
    w = nnlab.tensor(np.ones((3, 2, 3, 3)), requires_grad=True)
    b = nnlab.tensor(np.zeros(3))
    conv2d(x, w, b).sum().backward()
    assert x.grad is None and b.grad is None
    np.testing.assert_allclose(w.grad, np.full((3, 2, 3, 3), 4.0))


@pytest.mark.parametrize(
    "call,message",
    [
        (lambda: conv2d(np.ones((28, 28)), np.ones((1, 1, 3, 3))),
         r"conv2d: input must be 4-D \(N, C, H, W\), got shape \(28, 28\)"),
        (lambda: conv2d(np.ones((1, 28, 28, 3)), np.ones((3, 3, 1)), data_format="channels_last"),
         r"conv2d: weight must be 4-D \(kH, kW, in_channels/groups, out_channels\)"),
        (lambda: conv2d(np.ones((1, 3, 8, 8)), np.ones((4, 2, 3, 3))),
         r"conv2d: input has 3 channels but the weight expects 2"),
        (lambda: conv2d(np.ones((1, 3, 8, 8)), np.ones((4, 1, 3, 3)), groups=2),
         r"groups=2 must be a positive int dividing in_channels=3"),
        (lambda: conv2d(np.ones((1, 1, 3, 3)), np.ones((1, 1, 5, 5))),
         r"kernel 5×5 .* is larger than the padded input 3×3"),
        (lambda: conv2d(np.ones((1, 1, 3, 3)), np.ones((1, 1, 2, 2)), dilation=3),
         r"spanning 4×4 with dilation"),
        (lambda: conv2d(np.ones((1, 1, 3, 3)), np.ones((1, 1, 2, 2)), np.ones(2)),
         r"bias must have shape \(1,\), got \(2,\)"),
        (lambda: conv2d(np.ones((1, 1, 3, 3)), np.ones((1, 1, 2, 2)), padding="full"),
         r"padding must be 'valid', 'same', an int or a pair, got 'full'"),
        (lambda: conv2d(np.ones((1, 1, 3, 3)), np.ones((1, 1, 2, 2)), stride=0),
         r"stride must be an int >= 1"),
        (lambda: conv2d(np.ones((1, 1, 3, 3)), np.ones((1, 1, 2, 2)), data_format="NCHW"),
         r"data_format must be one of"),
        (lambda: conv1d(np.ones((3, 10)), np.ones((1, 3, 3))),
         r"conv1d: input must be 3-D \(N, C, L\), got shape \(3, 10\)"),
    ],
)  # fmt: skip
def test_errors_name_the_problem(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_conv2d_dtype_mismatch_is_a_type_error():
    with pytest.raises(TypeError, match="same float dtype, got float64 and float32"):
        conv2d(np.ones((1, 1, 3, 3)), np.ones((1, 1, 2, 2), np.float32))


@st.composite
def conv_configs(draw: st.DrawFn) -> tuple:
    """A valid conv2d: sizes, stride, padding ('valid', 'same', ints), dilation, groups."""
    groups = draw(st.sampled_from([1, 1, 2, 3]))
    c, o = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    k = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    s = (draw(st.integers(1, 3)), draw(st.integers(1, 2)))
    d = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    p = draw(st.sampled_from(["valid", "same", 0, 1, (1, 0), (0, 2)]))
    if p == "same":
        s = (1, 1)  # torch's 'same' is for stride 1 (the strided rule is tested above)
    span = (d[0] * (k[0] - 1) + 1, d[1] * (k[1] - 1) + 1)
    h, w = span[0] + draw(st.integers(0, 4)), span[1] + draw(st.integers(0, 4))
    return draw(st.integers(1, 3)), c, h, w, o, k, s, p, d, groups


@settings(max_examples=40, deadline=None)
@given(conv_configs(), st.booleans())
@pytest.mark.filterwarnings("ignore:Using padding='same'")
def test_conv2d_random_configurations_match_torch(config, channels_last):
    n, c, h, w, o, k, s, p, d, g = config
    if channels_last:
        check_op(
            [(n, h, w, c), (*k, c // g, o), (o,)],
            lambda x, k_, b: TF.conv2d(
                x.permute(0, 3, 1, 2).contiguous(),
                k_.permute(3, 2, 0, 1).contiguous(),
                b,
                s,
                p,
                d,
                g,
            ).permute(0, 2, 3, 1),
            lambda x, k_, b: conv2d(x, k_, b, s, p, d, g, data_format="channels_last"),
        )
    else:
        check_op(
            [(n, c, h, w), (o, c // g, *k), (o,)],
            lambda x, w_, b: TF.conv2d(x, w_, b, s, p, d, g),
            lambda x, w_, b: conv2d(x, w_, b, s, p, d, g),
        )


@pytest.mark.parametrize("data_format", ["channels_first", "channels_last"])
def test_fused_relu_matches_torch(data_format):
    last = data_format == "channels_last"

    def theirs(x, w, b):
        if last:
            x, w = x.permute(0, 3, 1, 2), w.permute(3, 2, 0, 1).contiguous()
        y = TF.relu(TF.conv2d(x, w, b, 1, 1))
        return y.permute(0, 2, 3, 1) if last else y

    check_op(
        [(2, 5, 6, 3), (3, 3, 3, 4), (4,)] if last else [(2, 3, 5, 6), (4, 3, 3, 3), (4,)],
        theirs,
        lambda x, w, b: conv2d(x, w, b, 1, 1, data_format=data_format, relu=True),
    )
    check_op(
        [(2, 3, 9), (4, 3, 2)],
        lambda x, w: TF.relu(TF.conv1d(x, w)),
        lambda x, w: conv1d(x, w, relu=True),
    )
