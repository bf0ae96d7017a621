"""Bidirectional against Keras 3 (torch backend): every merge mode over LSTM, GRU and SimpleRNN,
with states, masks, initial states, a custom backward layer; weights, configs, shapes, training
and errors."""

from __future__ import annotations

import numpy as np
import pytest

from .error_oracle import assert_same_error
from .keras_oracle import assert_same_training, keras, nk, train_both
from .rnn_oracle import RNG, TOL, as_list, compare

B, T, F, U = 3, 5, 4, 3
MERGES = ["concat", "sum", "mul", "ave", None]


def _pair(cls: str, kwargs: dict, merge_mode="concat", **bi_kwargs):
    theirs = keras.layers.Bidirectional(
        getattr(keras.layers, cls)(U, **kwargs), merge_mode=merge_mode, **bi_kwargs
    )
    ours = nk.layers.Bidirectional(
        getattr(nk.layers, cls)(U, **kwargs), merge_mode=merge_mode, **bi_kwargs
    )
    theirs.build((None, T, F))
    ours.build((None, T, F))
    weights = [
        np.asarray(w) + RNG.normal(0, 0.2, w.shape).astype(np.float32) for w in theirs.get_weights()
    ]
    theirs.set_weights(weights)
    ours.set_weights(weights)
    return theirs, ours


@pytest.mark.parametrize("merge_mode", MERGES)
@pytest.mark.parametrize("cls", ["LSTM", "GRU", "SimpleRNN"])
@pytest.mark.parametrize(
    "flags", [{}, {"return_sequences": True}, {"return_sequences": True, "return_state": True}]
)
def test_merge_modes_match_keras(cls, merge_mode, flags):
    theirs, ours = _pair(cls, flags, merge_mode)
    x = RNG.normal(size=(B, T, F)).astype(np.float32)
    compare(theirs, ours, x)


@pytest.mark.parametrize("merge_mode", ["concat", None])
@pytest.mark.parametrize("cls", ["LSTM", "GRU"])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_masked_inputs_match_keras(cls, merge_mode, return_sequences):
    theirs, ours = _pair(cls, {"return_sequences": return_sequences}, merge_mode)
    x = RNG.normal(size=(B, T, F)).astype(np.float32)
    mask = np.ones((B, T), bool)
    mask[0, 3:] = False
    mask[1, :1] = False
    out = compare(theirs, ours, x, mask=mask)
    if return_sequences:  # the masked steps' outputs are zero, as in Keras
        assert np.all(out[0].numpy()[0, 3:] == 0)


def test_initial_states_forward_half_then_backward_half():
    theirs, ours = _pair("LSTM", {"return_state": True, "return_sequences": True})
    x = RNG.normal(size=(B, T, F)).astype(np.float32)
    states = [RNG.normal(size=(B, U)).astype(np.float32) for _ in range(4)]
    compare(theirs, ours, x, states=states)


@pytest.mark.parametrize("merge_mode", ["concat", None])
def test_the_output_sequence_carries_the_mask_and_the_states_none(merge_mode):
    tokens = np.array([[1, 2, 0], [3, 0, 0]])
    emb = nk.layers.Embedding(5, F, mask_zero=True)
    layer = nk.layers.Bidirectional(
        nk.layers.LSTM(U, return_sequences=True, return_state=True), merge_mode=merge_mode
    )
    outputs = layer(emb(tokens))
    heads = 2 if merge_mode is None else 1
    assert len(outputs) == heads + 4
    for out in outputs[:heads]:
        np.testing.assert_array_equal(nk.utils.get_keras_mask(out), tokens != 0)
    assert all(nk.utils.get_keras_mask(s) is None for s in outputs[heads:])


def test_a_given_backward_layer_is_used():
    def make(lib):
        return lib.layers.Bidirectional(
            lib.layers.GRU(U, return_sequences=True),
            backward_layer=lib.layers.GRU(2, return_sequences=True, go_backwards=True),
        )

    theirs, ours = make(keras), make(nk)
    theirs.build((None, T, F))
    ours.build((None, T, F))
    ours.set_weights(theirs.get_weights())
    out = compare(theirs, ours, RNG.normal(size=(B, T, F)).astype(np.float32))
    assert out[0].shape == (B, T, U + 2)


def test_initial_weights_forward_half_then_backward_half():
    theirs, _ = _pair("GRU", {})
    weights = theirs.get_weights()
    ours = nk.layers.Bidirectional(nk.layers.GRU(U), weights=weights)
    ours.build((None, T, F))
    for a, b in zip(ours.get_weights(), weights, strict=True):
        np.testing.assert_array_equal(a, b)
    assert ours.forward_layer.get_weights()[0].shape == (F, 3 * U)


def test_weights_names_and_order_match_keras():
    theirs, ours = _pair("LSTM", {"name": "lstm"}, name="bi")
    assert [w.path for w in ours.weights] == [w.path for w in theirs.weights]
    assert ours.forward_layer.name == theirs.forward_layer.name
    assert ours.backward_layer.go_backwards is True


@pytest.mark.parametrize("merge_mode", MERGES)
@pytest.mark.parametrize("flags", [{}, {"return_sequences": True, "return_state": True}])
def test_output_shapes_and_config_match_keras(merge_mode, flags):
    def make(lib):
        return lib.layers.Bidirectional(
            lib.layers.GRU(U, name="gru", **flags), merge_mode=merge_mode, name="bi"
        )

    theirs, ours = make(keras), make(nk)
    expect = theirs.compute_output_shape((None, T, F))
    got = ours.compute_output_shape((None, T, F))
    if isinstance(expect, tuple) and not isinstance(expect[0], tuple):
        assert tuple(got) == expect
    else:
        assert [tuple(s) for s in got] == [tuple(s) for s in expect]
    ck, cn = theirs.get_config(), ours.get_config()
    assert sorted(cn) == sorted(ck)
    assert cn["merge_mode"] == ck["merge_mode"]
    assert cn["layer"]["config"]["name"] == ck["layer"]["config"]["name"]
    assert cn["backward_layer"]["config"]["go_backwards"] is True
    assert nk.layers.Bidirectional.from_config(cn).get_config() == cn
    assert nk.layers.Bidirectional.from_config(ck).get_config() == cn
    assert keras.layers.Bidirectional.from_config(cn).get_config() == ck


def test_text_classifier_with_embedding_mask_trains_as_keras():
    tokens = RNG.integers(1, 20, size=(16, T)).astype(np.int32)
    tokens[:6, 3:] = 0
    y = RNG.integers(0, 2, size=(16, 1)).astype(np.float32)

    def build(lib):
        inputs = lib.Input((T,), dtype="int32")
        h = lib.layers.Embedding(20, F, mask_zero=True)(inputs)
        h = lib.layers.Bidirectional(lib.layers.LSTM(U, return_sequences=True))(h)
        h = lib.layers.Bidirectional(lib.layers.GRU(U), merge_mode="sum")(h)
        return lib.Model(inputs, lib.layers.Dense(1, activation="sigmoid")(h))

    theirs, ours, hk, hn = train_both(
        build,
        tokens,
        y,
        {"optimizer": "adam", "loss": "binary_crossentropy"},
        {"epochs": 2, "batch_size": 8},
    )
    assert_same_training(theirs, ours, hk, hn, tokens, loss_rtol=1e-4)
    lines: list[str] = []
    ours.summary(print_fn=lines.append)
    assert "Bidirectional" in "\n".join(lines)


def test_seq2seq_encoder_decoder_with_bidirectional_states_matches_keras():
    def build(lib):
        source, target = lib.Input((T, F)), lib.Input((T - 1, 2))
        _, fh, fc, bh, bc = lib.layers.Bidirectional(lib.layers.LSTM(U, return_state=True))(source)
        h = lib.layers.Concatenate()([fh, bh])
        c = lib.layers.Concatenate()([fc, bc])
        decoded = lib.layers.LSTM(2 * U, return_sequences=True)(target, initial_state=[h, c])
        return lib.Model([source, target], lib.layers.Dense(3, activation="softmax")(decoded))

    theirs, ours = build(keras), build(nk)
    ours.set_weights(theirs.get_weights())
    data = [
        RNG.normal(size=(B, T, F)).astype(np.float32),
        RNG.normal(size=(B, T - 1, 2)).astype(np.float32),
    ]
    np.testing.assert_allclose(
        ours.predict(data, verbose=0), theirs.predict(data, verbose=0), **TOL
    )


def test_stateful_bidirectional_resets_both_directions():
    def make(lib):
        return lib.layers.Bidirectional(lib.layers.SimpleRNN(U, stateful=True))

    theirs, ours = make(keras), make(nk)
    theirs.build((B, T, F))
    ours.build((B, T, F))
    ours.set_weights(theirs.get_weights())
    x = RNG.normal(size=(B, T, F)).astype(np.float32)
    first = ours(x).numpy()
    assert not np.allclose(ours(x).numpy(), first)  # the second call starts where it ended
    ours.reset_states()
    np.testing.assert_allclose(ours(x).numpy(), first, **TOL)
    with pytest.raises(AttributeError, match="Layer must be stateful"):
        nk.layers.Bidirectional(nk.layers.LSTM(U)).reset_states()
    assert len(as_list(ours.states)) == 2


@pytest.mark.parametrize(
    "make",
    [
        lambda lib: lib.layers.Bidirectional(lib.layers.LSTM(2), merge_mode="max"),
        lambda lib: lib.layers.Bidirectional(lib.layers.LSTM(2), backward_layer=lib.layers.LSTM(2)),
        lambda lib: lib.layers.Bidirectional(
            lib.layers.LSTM(2),
            backward_layer=lib.layers.LSTM(2, go_backwards=True, return_sequences=True),
        ),
    ],
)
def test_errors_match_keras(make):
    assert_same_error(make)


def test_a_non_layer_is_refused():
    assert_same_error(lambda lib: lib.layers.Bidirectional("lstm"))
    assert_same_error(lambda lib: lib.layers.Bidirectional(lib.layers.LSTM(2), backward_layer=3))
