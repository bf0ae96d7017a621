"""Merging layers and their function forms against Keras 3 (torch backend): outputs, gradients,
output shapes, configs and error messages."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import nnlab

from .error_oracle import assert_same_error
from .keras_oracle import keras, nk

RNG = np.random.default_rng(0)


def _both(cls: str, kwargs: dict, shapes: list[tuple[int, ...]]):
    """Keras's and nnlab's outputs and input gradients for L = Σ y ⊙ g."""
    xs = [RNG.normal(size=s).astype(np.float32) for s in shapes]
    theirs = getattr(keras.layers, cls)(**kwargs)
    ours = getattr(nk.layers, cls)(**kwargs)
    xt = [torch.tensor(x, requires_grad=True) for x in xs]
    yt = theirs(xt)
    g = RNG.normal(size=tuple(yt.shape)).astype(np.float32)
    (yt * torch.tensor(g)).sum().backward()
    xn = [nnlab.tensor(x, requires_grad=True) for x in xs]
    yn = ours(xn)
    (yn * nnlab.tensor(g)).sum().backward()
    return (
        (yt.detach().numpy(), [t.grad.numpy() for t in xt]),
        (
            yn.numpy(),
            [np.asarray(t.grad) for t in xn],
        ),
        (theirs, ours),
    )


CASES = [
    ("Add", {}, [(4, 3), (4, 3), (4, 3)]),
    ("Add", {}, [(4, 2, 3), (4, 3)]),  # lower rank: axes inserted after the batch axis
    ("Add", {}, [(4, 1, 3), (4, 5, 1)]),
    ("Subtract", {}, [(4, 3), (4, 3)]),
    ("Multiply", {}, [(4, 3), (4, 3), (4, 1)]),
    ("Average", {}, [(4, 3), (4, 3), (4, 3)]),
    ("Maximum", {}, [(4, 3), (4, 3), (4, 3)]),
    ("Minimum", {}, [(4, 2, 3), (4, 2, 3)]),
    ("Concatenate", {}, [(4, 3), (4, 5)]),
    ("Concatenate", {"axis": 1}, [(4, 3, 2), (4, 1, 2)]),
    ("Dot", {"axes": 1}, [(4, 3), (4, 3)]),
    ("Dot", {"axes": -1, "normalize": True}, [(4, 3), (4, 3)]),
    ("Dot", {"axes": (2, 1)}, [(4, 2, 3), (4, 3, 5)]),
    ("Dot", {"axes": [1, 1]}, [(4, 3, 2), (4, 3, 5)]),
    ("Dot", {"axes": (1, 2), "normalize": True}, [(4, 3, 2), (4, 5, 3)]),
    ("Dot", {"axes": 1}, [(4, 3), (4, 3, 2)]),
]


@pytest.mark.parametrize("cls,kwargs,shapes", CASES)
def test_merge_matches_keras(cls: str, kwargs: dict, shapes: list) -> None:
    (yk, gk), (yn, gn), (theirs, ours) = _both(cls, kwargs, shapes)
    np.testing.assert_allclose(yn, yk, rtol=1e-5, atol=1e-6)
    for a, b in zip(gn, gk, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    batchless = [(None, *s[1:]) for s in shapes]
    assert ours.compute_output_shape(batchless) == theirs.compute_output_shape(batchless)
    config, keras_config = ours.get_config(), theirs.get_config()
    for key in ("name", "trainable"):
        config.pop(key), keras_config.pop(key)
    assert config == keras_config


@pytest.mark.parametrize(
    "fn,kwargs",
    [
        ("add", {}),
        ("subtract", {}),
        ("multiply", {}),
        ("average", {}),
        ("maximum", {}),
        ("minimum", {}),
        ("concatenate", {"axis": -1}),
        ("dot", {"axes": 1}),
    ],
)
def test_function_forms_in_a_functional_model(fn: str, kwargs: dict) -> None:
    x1 = RNG.normal(size=(5, 4)).astype(np.float32)
    x2 = RNG.normal(size=(5, 4)).astype(np.float32)
    outs = []
    for lib in (keras, nk):
        a, b = lib.Input((4,)), lib.Input((4,))
        y = getattr(lib.layers, fn)([a, b], **kwargs)
        model = lib.Model([a, b], y)
        assert tuple(y.shape) == (None, *model.predict([x1, x2], verbose=0).shape[1:])
        outs.append(np.asarray(model.predict([x1, x2], verbose=0)))
    np.testing.assert_allclose(outs[1], outs[0], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    "make",
    [
        lambda lib: lib.layers.Add()([lib.Input((3,)), lib.Input((4,))]),
        lambda lib: lib.layers.Subtract()([lib.Input((3,))] * 3),
        lambda lib: lib.layers.Concatenate()([lib.Input((3, 2)), lib.Input((4, 5))]),
        lambda lib: lib.layers.Concatenate(axis=1)([lib.Input((3, 2)), lib.Input((4, 5))]),
        lambda lib: lib.layers.Dot(axes=1)([lib.Input((3,)), lib.Input((4,))]),
        lambda lib: lib.layers.Dot(axes="x"),
        lambda lib: lib.layers.Dot(axes=(1, 2, 3)),
        lambda lib: lib.layers.Dot(axes=(1, 1.5)),
        lambda lib: lib.layers.Add().build([(2, 3), (5, 3)]),
        lambda lib: lib.layers.Add().build((2, 3)),
    ],
)
def test_errors_match_keras(make) -> None:
    assert_same_error(make)


def test_call_on_a_single_tensor_is_refused_like_keras() -> None:
    x = np.ones((2, 3), np.float32)
    err = assert_same_error(
        lambda lib: lib.layers.Add()(x if lib is nk else torch.tensor(x)), exact=False
    )
    assert "list of inputs" in str(err)


def test_merge_masks() -> None:
    m1, m2 = np.array([[1, 0, 0]], bool), np.array([[0, 0, 1]], bool)
    pair = [np.ones((1, 3)), np.ones((1, 3))]
    np.testing.assert_array_equal(nk.layers.Add().compute_mask(pair, [m1, m2]), m1 | m2)
    assert nk.layers.Add().compute_mask(pair, [m1, None]) is None
    x = [np.ones((1, 3, 2)), np.ones((1, 3, 4))]
    theirs = keras.layers.Concatenate().compute_mask(
        [torch.ones(1, 3, 2), torch.ones(1, 3, 4)], [torch.tensor(m1), None]
    )
    ours = nk.layers.Concatenate().compute_mask(x, [m1, None])
    np.testing.assert_array_equal(ours, theirs.numpy())


@pytest.mark.parametrize("cls", ["Maximum", "Minimum", "Multiply", "Add", "Average"])
@pytest.mark.parametrize("both_masked", [False, True])
def test_masked_inputs_as_keras(cls: str, both_masked: bool) -> None:
    """A masked-out position of one input takes the other input's value (Maximum, Minimum) or
    counts as 1 (Multiply, then 0 where no input keeps it); the output mask is the inputs' OR,
    none unless every input has one (Keras 3's merging tests, on random values)."""
    from keras.src import backend as keras_backend  # Keras's own mask reader

    a = RNG.normal(size=(2, 5, 3)).astype(np.float32)
    b = RNG.normal(size=(2, 5, 3)).astype(np.float32)
    a[0, 1] = 0.0  # masked out by Masking()
    a[1, 3] = 0.0
    b[0, 1] = 0.0
    b[1, 4] = 0.0
    outs, masks = [], []
    for lib, to_tensor in ((keras, torch.tensor), (nk, nnlab.tensor)):
        masking = lib.layers.Masking()
        x1 = masking(to_tensor(a))
        x2 = masking(to_tensor(b)) if both_masked else to_tensor(b)
        out = getattr(lib.layers, cls)()([x1, x2])
        mask = (keras_backend if lib is keras else nk.backend).get_keras_mask(out)
        outs.append(np.asarray(out.detach() if lib is keras else out.data))
        masks.append(None if mask is None else np.asarray(mask))
    np.testing.assert_allclose(outs[1], outs[0], rtol=1e-6)
    assert (masks[0] is None) == (masks[1] is None) == (not both_masked)
    if both_masked:
        np.testing.assert_array_equal(masks[1], masks[0])


def test_compute_mask_argument_errors() -> None:
    layer = nk.layers.Add()
    x = nk.Input((4, 5))
    with pytest.raises(ValueError, match="`mask` should be a list."):
        layer.compute_mask([x, x], np.ones((2, 4)))
    with pytest.raises(ValueError, match="`inputs` should be a list."):
        layer.compute_mask(x, [None, None])
    with pytest.raises(ValueError, match=" should have the same length."):
        nk.layers.Concatenate().compute_mask([x, x], [None])
