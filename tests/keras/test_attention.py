"""MultiHeadAttention, Attention and AdditiveAttention against Keras 3 (torch backend): Keras's
weights copied in, then outputs, attention scores, gradients and configs compared, with and
without masks."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import nnlab

from .error_oracle import assert_same_error
from .keras_oracle import keras, nk

RNG = np.random.default_rng(0)


def _pair_mha(kwargs: dict, q_shape, v_shape, k_shape=None):
    theirs = keras.layers.MultiHeadAttention(**kwargs)
    ours = nk.layers.MultiHeadAttention(**kwargs)
    theirs.build(q_shape, v_shape, k_shape)
    ours.build(q_shape, v_shape, k_shape)
    weights = [
        np.asarray(w) + RNG.normal(0, 0.1, w.shape).astype(np.float32) for w in theirs.get_weights()
    ]
    theirs.set_weights(weights)
    ours.set_weights(weights)
    return theirs, ours


def _grads_both(theirs, ours, inputs: list[np.ndarray], call_kwargs: dict):
    """Outputs, scores and input/weight gradients of L = Σ out ⊙ g in both libraries."""
    tk = [torch.tensor(x, requires_grad=True) for x in inputs]
    out_k, scores_k = theirs(*tk, return_attention_scores=True, **call_kwargs)
    g = RNG.normal(size=tuple(out_k.shape)).astype(np.float32)
    (out_k * torch.tensor(g)).sum().backward()
    tn = [nnlab.tensor(x, requires_grad=True) for x in inputs]
    out_n, scores_n = ours(*tn, return_attention_scores=True, **call_kwargs)
    (out_n * nnlab.tensor(g)).sum().backward()
    np.testing.assert_allclose(out_n.numpy(), out_k.detach().numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(scores_n.numpy(), scores_k.detach().numpy(), rtol=1e-4, atol=1e-6)
    for a, b in zip(tn, tk, strict=True):
        np.testing.assert_allclose(np.asarray(a.grad), b.grad.numpy(), rtol=1e-4, atol=1e-5)
    for wn, wk in zip(ours.trainable_weights, theirs.trainable_weights, strict=True):
        np.testing.assert_allclose(np.asarray(wn.grad), wk.value.grad.numpy(), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize(
    "kwargs,q_shape,v_shape,k_shape",
    [
        ({"num_heads": 2, "key_dim": 3}, (2, 4, 5), (2, 6, 7), None),
        ({"num_heads": 3, "key_dim": 2, "value_dim": 4}, (2, 4, 5), (2, 6, 7), (2, 6, 3)),
        (
            {"num_heads": 2, "key_dim": 3, "output_shape": 8, "use_bias": False},
            (2, 4, 5),
            (2, 4, 5),
            None,
        ),
        ({"num_heads": 1, "key_dim": 4, "output_shape": (2, 3)}, (2, 3, 5), (2, 6, 5), None),
        ({"num_heads": 2, "key_dim": 3}, (2, 2, 3, 5), (2, 2, 2, 5), None),  # 2 attention axes
    ],
)
def test_mha_matches_keras(kwargs, q_shape, v_shape, k_shape) -> None:
    theirs, ours = _pair_mha(kwargs, q_shape, v_shape, k_shape)
    inputs = [RNG.normal(size=s).astype(np.float32) for s in (q_shape, v_shape, k_shape) if s]
    _grads_both(theirs, ours, inputs, {})
    config, keras_config = ours.get_config(), theirs.get_config()
    for key in ("name", "trainable"):
        config.pop(key), keras_config.pop(key)
    assert config == keras_config
    assert ours.compute_output_shape((None, *q_shape[1:]), (None, *v_shape[1:])) == tuple(
        theirs.compute_output_shape((None, *q_shape[1:]), (None, *v_shape[1:]))
    )


def test_mha_masks_match_keras() -> None:
    theirs, ours = _pair_mha({"num_heads": 2, "key_dim": 3}, (2, 5, 4), (2, 5, 4))
    x = RNG.normal(size=(2, 5, 4)).astype(np.float32)
    y = RNG.normal(size=(2, 5, 4)).astype(np.float32)
    attention_mask = RNG.uniform(size=(2, 5, 5)) > 0.3
    value_mask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], bool)
    for kw in (
        {"use_causal_mask": True},
        {"attention_mask": attention_mask},
        {"attention_mask": attention_mask, "use_causal_mask": True},
    ):
        _grads_both(theirs, ours, [x, y], kw)
    # the value's padding mask (Keras reads it as value_mask)
    out_k = theirs(torch.tensor(x), torch.tensor(y), value_mask=torch.tensor(value_mask))
    out_n = ours(x, y, value_mask=value_mask)
    np.testing.assert_allclose(out_n.numpy(), out_k.detach().numpy(), rtol=1e-4, atol=1e-5)


def test_mha_self_attention_over_embedding_mask_and_in_a_model() -> None:
    idx = np.array([[3, 1, 2, 0, 0], [2, 4, 0, 0, 0]])
    outs = []
    for lib in (keras, nk):
        inp = lib.Input((5,), dtype="int32")
        emb = lib.layers.Embedding(6, 4, mask_zero=True, name="emb")
        mha = lib.layers.MultiHeadAttention(2, 3, name="mha")
        h = emb(inp)
        out = mha(h, h)
        model = lib.Model(inp, out)
        outs.append(model)
    theirs, ours = outs
    ours.set_weights(theirs.get_weights())
    np.testing.assert_allclose(
        ours.predict(idx, verbose=0), theirs.predict(idx, verbose=0), rtol=1e-4, atol=1e-5
    )


def test_mha_dropout_and_errors() -> None:
    layer = nk.layers.MultiHeadAttention(2, 3, dropout=0.5, seed=1)
    x = RNG.normal(size=(2, 4, 5)).astype(np.float32)
    a = layer(x, x).numpy()
    np.testing.assert_array_equal(a, layer(x, x, training=False).numpy())
    assert not np.allclose(layer(x, x, training=True).numpy(), a)
    for make in (
        lambda lib: lib.layers.MultiHeadAttention(0, 3),
        lambda lib: lib.layers.MultiHeadAttention(2, -1),
        lambda lib: lib.layers.MultiHeadAttention(2, 3, value_dim=0),
        lambda lib: lib.layers.MultiHeadAttention(2, 3, attention_axes="x"),
        lambda lib: lib.layers.MultiHeadAttention(2, 3).build(
            (None, 4, 5), (None, 3, 5), (None, 2, 5)
        ),
    ):
        assert_same_error(make)


@pytest.mark.parametrize(
    "cls,kwargs",
    [
        ("Attention", {}),
        ("Attention", {"use_scale": True}),
        ("Attention", {"score_mode": "concat", "use_scale": True}),
        ("AdditiveAttention", {}),
        ("AdditiveAttention", {"use_scale": False}),
    ],
)
@pytest.mark.parametrize("with_key", [False, True])
def test_dense_attention_matches_keras(cls: str, kwargs: dict, with_key: bool) -> None:
    q = RNG.normal(size=(2, 3, 4)).astype(np.float32)
    v = RNG.normal(size=(2, 5, 4)).astype(np.float32)
    k = RNG.normal(size=(2, 5, 4)).astype(np.float32)
    inputs = [q, v, k] if with_key else [q, v]
    theirs, ours = getattr(keras.layers, cls)(**kwargs), getattr(nk.layers, cls)(**kwargs)
    theirs.build([x.shape for x in inputs])
    ours.build([x.shape for x in inputs])
    weights = [np.asarray(w) + np.float32(0.3) for w in theirs.get_weights()]
    theirs.set_weights(weights)
    ours.set_weights(weights)
    mask = [np.array([[1, 1, 0], [1, 1, 1]], bool), np.array([[1, 1, 1, 0, 0], [1] * 5], bool)]
    for call_kwargs in ({}, {"mask": mask}, {"use_causal_mask": True}):
        tk = [torch.tensor(x, requires_grad=True) for x in inputs]
        kk = dict(call_kwargs)
        if "mask" in kk:
            kk["mask"] = [torch.tensor(m) for m in kk["mask"]]
        out_k, scores_k = theirs(tk, return_attention_scores=True, **kk)
        tn = [nnlab.tensor(x, requires_grad=True) for x in inputs]
        out_n, scores_n = ours(tn, return_attention_scores=True, **call_kwargs)
        np.testing.assert_allclose(out_n.numpy(), out_k.detach().numpy(), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(
            scores_n.numpy(), scores_k.detach().numpy(), rtol=1e-5, atol=1e-6
        )
        out_k.sum().backward()
        out_n.sum().backward()
        for a, b in zip(tn, tk, strict=True):
            np.testing.assert_allclose(np.asarray(a.grad), b.grad.numpy(), rtol=1e-4, atol=1e-5)
    config, keras_config = ours.get_config(), theirs.get_config()
    for key in ("name", "trainable"):
        config.pop(key), keras_config.pop(key)
    assert config == keras_config
    assert_same_error(lambda lib: getattr(lib.layers, cls)(**kwargs)(q))


def test_softmax_layer_mask_like_keras() -> None:
    x = RNG.normal(size=(2, 3, 4)).astype(np.float32)
    mask = RNG.uniform(size=(2, 3, 4)) > 0.4
    mask[0, 0] = False  # a row all masked: zeros, as Keras 3
    theirs = keras.layers.Softmax()(torch.tensor(x), mask=torch.tensor(mask))
    ours = nk.layers.Softmax()(x, mask=mask)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6, atol=1e-7)
