"""SimpleRNN, LSTM, GRU (and RNN over their cells) against Keras 3 (torch backend): Keras's
weights copied in, then outputs, returned states and gradients compared for the argument
combinations (return_sequences/state, go_backwards, masks, initial_state, reset_after, stacked
layers), a few epochs of ``fit``, configs, shapes and errors."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch

import nnlab

from .error_oracle import assert_same_error
from .keras_oracle import assert_same_training, build_twins, keras, nk, train_both
from .rnn_oracle import RNG, TOL
from .rnn_oracle import as_list as _as_list
from .rnn_oracle import compare as _compare

B, T, F, U = 3, 5, 4, 6


def _pair(cls: str, kwargs: dict, shape=(None, T, F)):
    """Keras's layer and nnlab's twin holding the same (perturbed) weights."""
    theirs = getattr(keras.layers, cls)(U, **kwargs)
    ours = getattr(nk.layers, cls)(U, **kwargs)
    return build_twins(theirs, ours, shape, RNG)


LAYERS = [
    ("SimpleRNN", {}),
    ("SimpleRNN", {"activation": "relu", "use_bias": False}),
    ("LSTM", {}),
    ("LSTM", {"unit_forget_bias": False, "use_bias": False}),
    ("LSTM", {"activation": "relu", "recurrent_activation": "hard_sigmoid"}),
    ("GRU", {}),
    ("GRU", {"reset_after": False}),
    ("GRU", {"use_bias": False}),
    ("GRU", {"reset_after": False, "use_bias": False, "activation": "softsign"}),
]
FLAGS = [
    {},
    {"return_sequences": True},
    {"return_state": True},
    {"return_sequences": True, "return_state": True, "go_backwards": True},
    {"go_backwards": True},
]


@pytest.mark.parametrize("cls,kwargs", LAYERS)
@pytest.mark.parametrize("flags", FLAGS)
def test_outputs_states_and_gradients_match_keras(cls, kwargs, flags):
    theirs, ours = _pair(cls, {**kwargs, **flags})
    x = RNG.normal(size=(B, T, F)).astype(np.float32)
    out = _compare(theirs, ours, x)
    n_states = 2 if cls == "LSTM" else 1
    assert len(out) == 1 + (n_states if flags.get("return_state") else 0)


@pytest.mark.parametrize("cls", ["SimpleRNN", "LSTM", "GRU"])
@pytest.mark.parametrize("flags", FLAGS[:4])
def test_masked_steps_keep_the_previous_state_and_output(cls, flags):
    theirs, ours = _pair(cls, flags)
    x = RNG.normal(size=(B, T, F)).astype(np.float32)
    mask = np.ones((B, T), bool)
    mask[0, 3:] = False  # right padding
    mask[1, :2] = False  # left padding
    mask[2, [1, 3]] = False  # holes
    _compare(theirs, ours, x, mask=mask)


@pytest.mark.parametrize("cls", ["SimpleRNN", "LSTM", "GRU"])
def test_initial_state_and_its_gradient_match_keras(cls):
    theirs, ours = _pair(cls, {"return_sequences": True, "return_state": True})
    x = RNG.normal(size=(B, T, F)).astype(np.float32)
    states = [RNG.normal(size=(B, U)).astype(np.float32) for _ in range(2 if cls == "LSTM" else 1)]
    _compare(theirs, ours, x, states=states)


def test_zero_output_for_mask_and_rnn_over_a_cell():
    x = RNG.normal(size=(B, T, F)).astype(np.float32)
    mask = np.ones((B, T), bool)
    mask[0, 2:] = False
    for cell in ("LSTMCell", "GRUCell", "SimpleRNNCell"):
        theirs = keras.layers.RNN(
            getattr(keras.layers, cell)(U), return_sequences=True, zero_output_for_mask=True
        )
        ours = nk.layers.RNN(
            getattr(nk.layers, cell)(U), return_sequences=True, zero_output_for_mask=True
        )
        theirs.build((None, T, F))
        ours.build((None, T, F))
        ours.set_weights(theirs.get_weights())
        out = _compare(theirs, ours, x, mask=mask)
        assert np.all(out[0].numpy()[0, 2:] == 0)


def _minimal_cell(lib):
    """The custom cell of Keras's RNN docstring: h_t = x_t K + h_{t-1} R."""

    class MinimalRNNCell(lib.layers.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.state_size = units

        def build(self, input_shape):
            self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")
            self.recurrent_kernel = self.add_weight(
                shape=(self.units, self.units), name="recurrent_kernel"
            )

        def call(self, inputs, states):
            prev_output = states[0]
            h = lib.ops.matmul(inputs, self.kernel)
            output = h + lib.ops.matmul(prev_output, self.recurrent_kernel)
            return output, [output]

    return MinimalRNNCell


def test_a_custom_cell_runs_as_in_keras():
    theirs = keras.layers.RNN(
        [_minimal_cell(keras)(U), _minimal_cell(keras)(2)], return_sequences=True
    )
    ours = nk.layers.RNN([_minimal_cell(nk)(U), _minimal_cell(nk)(2)], return_sequences=True)
    theirs.build((None, T, F))
    ours.build((None, T, F))
    ours.set_weights(theirs.get_weights())
    x = RNG.normal(size=(B, T, F)).astype(np.float32)
    mask = np.ones((B, T), bool)
    mask[1, 2:] = False
    _compare(theirs, ours, x, mask=mask)
    single = nk.layers.RNN(_minimal_cell(nk)(U), go_backwards=True)
    assert single(x).shape == (B, U)


def test_rnn_over_a_list_of_cells_stacks_them():
    theirs = keras.layers.RNN(
        [keras.layers.LSTMCell(U), keras.layers.GRUCell(3)],
        return_sequences=True,
        return_state=True,
    )
    ours = nk.layers.RNN(
        [nk.layers.LSTMCell(U), nk.layers.GRUCell(3)], return_sequences=True, return_state=True
    )
    theirs.build((None, T, F))
    ours.build((None, T, F))
    assert [w.shape for w in ours.get_weights()] == [tuple(w.shape) for w in theirs.get_weights()]

    def unnumbered(path):  # the automatic names' counters differ between the libraries
        return re.sub(r"_\d+(?=/|$)", "", path)

    assert [unnumbered(w.path) for w in ours.weights] == [
        unnumbered(w.path) for w in theirs.weights
    ]
    ours.set_weights(theirs.get_weights())
    x = RNG.normal(size=(B, T, F)).astype(np.float32)
    out = _compare(theirs, ours, x)
    assert [tuple(o.shape) for o in out] == [(B, T, 3), (B, U), (B, U), (B, 3)]


def test_embedding_mask_zero_reaches_the_layer_and_return_sequences_passes_it_on():
    def build(lib):
        inputs = lib.Input((T,), dtype="int32")
        h = lib.layers.Embedding(10, F, mask_zero=True)(inputs)
        h = lib.layers.LSTM(U, return_sequences=True)(h)
        h = lib.layers.GRU(U)(h)
        return lib.Model(inputs, lib.layers.Dense(1)(h))

    theirs, ours = build(keras), build(nk)
    ours.set_weights(theirs.get_weights())
    tokens = np.array([[1, 2, 3, 0, 0], [4, 0, 5, 6, 0], [7, 8, 9, 1, 2]], np.int32)
    np.testing.assert_allclose(
        ours.predict(tokens, verbose=0), theirs.predict(tokens, verbose=0), **TOL
    )
    # the sequence output carries the input's mask; the last output none
    emb = nk.layers.Embedding(10, F, mask_zero=True)
    seq = nk.layers.LSTM(U, return_sequences=True)(emb(tokens))
    np.testing.assert_array_equal(nk.utils.get_keras_mask(seq), tokens != 0)
    assert nk.utils.get_keras_mask(nk.layers.LSTM(U)(emb(tokens))) is None


@pytest.mark.parametrize("cls", ["SimpleRNN", "LSTM", "GRU"])
def test_fit_matches_keras_epoch_by_epoch(cls):
    x = RNG.normal(size=(16, T, F)).astype(np.float32)
    y = RNG.normal(size=(16, 1)).astype(np.float32)

    def build(lib):
        return lib.Sequential(
            [
                lib.Input((T, F)),
                getattr(lib.layers, cls)(U, return_sequences=True),
                getattr(lib.layers, cls)(U, go_backwards=True),
                lib.layers.Dense(1),
            ]
        )

    theirs, ours, hk, hn = train_both(
        build, x, y, {"optimizer": "adam", "loss": "mse"}, {"epochs": 3, "batch_size": 8}
    )
    assert_same_training(theirs, ours, hk, hn, x, loss_rtol=1e-4)


def test_masking_layer_before_lstm_trains_as_keras():
    x = RNG.normal(size=(12, T, F)).astype(np.float32)
    x[:4, 3:] = 0.0
    x[4:8, :2] = 0.0
    y = RNG.normal(size=(12, 1)).astype(np.float32)

    def build(lib):
        return lib.Sequential(
            [lib.Input((T, F)), lib.layers.Masking(), lib.layers.LSTM(U), lib.layers.Dense(1)]
        )

    theirs, ours, hk, hn = train_both(
        build, x, y, {"optimizer": "sgd", "loss": "mse"}, {"epochs": 2, "batch_size": 6}
    )
    assert_same_training(theirs, ours, hk, hn, x, loss_rtol=1e-4)


@pytest.mark.parametrize(
    "cls,kwargs",
    [
        ("SimpleRNN", {"dropout": 0.1, "return_sequences": True}),
        ("LSTM", {"recurrent_dropout": 0.2, "return_state": True, "stateful": False}),
        ("GRU", {"reset_after": False, "go_backwards": True, "kernel_regularizer": "l2"}),
        ("LSTM", {"bias_constraint": "non_neg", "recurrent_initializer": "glorot_normal"}),
    ],
)
def test_config_matches_keras_and_round_trips(cls, kwargs):
    theirs = getattr(keras.layers, cls)(U, name="rnn", **kwargs)
    ours = getattr(nk.layers, cls)(U, name="rnn", **kwargs)
    ck, cn = theirs.get_config(), ours.get_config()
    assert sorted(cn) == sorted(ck)
    for key in ck:
        if key not in ("dtype",):
            assert cn[key] == ck[key], key
    again = type(ours).from_config(cn)
    assert again.get_config() == cn
    # a Keras config builds nnlab's layer, and nnlab's builds Keras's
    assert type(ours).from_config(ck).get_config() == cn
    assert type(theirs).from_config(cn).get_config() == ck


def test_rnn_config_with_a_cell_round_trips_through_keras():
    ours = nk.layers.RNN(nk.layers.GRUCell(4, reset_after=False), return_sequences=True)
    theirs = keras.layers.RNN(keras.layers.GRUCell(4, reset_after=False), return_sequences=True)
    cn, ck = ours.get_config(), theirs.get_config()
    assert sorted(cn) == sorted(ck)
    assert sorted(cn["cell"]["config"]) == sorted(ck["cell"]["config"])
    rebuilt = keras.layers.RNN.from_config(cn)
    assert rebuilt.cell.reset_after is False
    assert nk.layers.RNN.from_config(ck).get_config()["cell"]["config"]["units"] == 4


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"return_sequences": True},
        {"return_state": True},
        {"return_sequences": True, "return_state": True},
    ],
)
@pytest.mark.parametrize("cls", ["LSTM", "GRU"])
def test_compute_output_shape_and_functional_shapes_match_keras(cls, kwargs):
    theirs = getattr(keras.layers, cls)(U, **kwargs)
    ours = getattr(nk.layers, cls)(U, **kwargs)
    expect = theirs.compute_output_shape((None, T, F))
    got = ours.compute_output_shape((None, T, F))
    if kwargs.get("return_state"):
        assert [tuple(s) for s in got] == [tuple(s) for s in expect]
    else:
        assert tuple(got) == tuple(expect)
    out = _as_list(ours(nk.Input((T, F))))
    assert [tuple(o.shape) for o in out] == [
        tuple(o.shape) for o in _as_list(theirs(keras.Input((T, F))))
    ]


def test_functional_model_with_initial_state_and_summary():
    def build(lib):
        x = lib.Input((T, F))
        h0, c0 = lib.Input((U,)), lib.Input((U,))
        seq, h, c = lib.layers.LSTM(U, return_sequences=True, return_state=True)(
            x, initial_state=[h0, c0]
        )
        y = lib.layers.GRU(U)(seq, initial_state=h)
        return lib.Model([x, h0, c0], lib.layers.Dense(2)(lib.layers.Concatenate()([y, c])))

    theirs, ours = build(keras), build(nk)
    ours.set_weights(theirs.get_weights())
    data = [RNG.normal(size=s).astype(np.float32) for s in ((B, T, F), (B, U), (B, U))]
    np.testing.assert_allclose(
        ours.predict(data, verbose=0), theirs.predict(data, verbose=0), **TOL
    )
    assert ours.count_params() == theirs.count_params()
    lines = []
    ours.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert "LSTM" in text and "GRU" in text
    assert f"{ours.count_params():,}" in text


def test_stateful_layer_carries_states_between_calls_and_resets():
    theirs, ours = _pair("LSTM", {"stateful": True, "return_state": True}, shape=(B, T, F))
    x1, x2 = (RNG.normal(size=(B, T, F)).astype(np.float32) for _ in range(2))
    for x in (x1, x2):
        yk = theirs(torch.tensor(x))
        yn = ours(x)
        for a, b in zip(yn, yk, strict=True):
            np.testing.assert_allclose(a.numpy(), b.detach().numpy(), **TOL)
    theirs.reset_states()
    ours.reset_states()
    np.testing.assert_array_equal(ours.states[0].numpy(), 0)
    np.testing.assert_allclose(
        ours(x1)[0].numpy(), theirs(torch.tensor(x1))[0].detach().numpy(), **TOL
    )
    with pytest.raises(ValueError, match="batch size"):
        ours(x1[:2])


def test_stateful_needs_a_static_batch_size():
    assert_same_error(lambda lib: lib.layers.GRU(2, stateful=True).build((None, T, F)))


def test_dropout_is_training_only_and_one_mask_per_sequence():
    layer = nk.layers.SimpleRNN(
        U, dropout=0.5, return_sequences=True, activation=None, use_bias=False, seed=1
    )
    layer.build((None, T, F))
    layer.set_weights([np.eye(F, U, dtype=np.float32), np.zeros((U, U), np.float32)])
    x = np.ones((200, T, F), np.float32)
    np.testing.assert_array_equal(layer(x).numpy()[:, :, :F], 1.0)  # inference: no dropout
    y = layer(x, training=True).numpy()[:, :, :F]
    assert set(np.unique(y)) <= {0.0, 2.0}
    np.testing.assert_array_equal(y, np.repeat(y[:, :1], T, axis=1))  # same mask at each step
    assert 0.4 < (y == 0).mean() < 0.6
    assert not np.array_equal(layer(x, training=True).numpy()[:, :, :F], y)  # a new mask per call
    # recurrent dropout trains (values differ from inference) and its gradients flow
    lstm = nk.layers.LSTM(U, recurrent_dropout=0.3, dropout=0.2, seed=3)
    xt = nnlab.tensor(RNG.normal(size=(B, T, F)).astype(np.float32), requires_grad=True)
    out = lstm(xt, training=True)
    out.sum().backward()
    assert xt.grad is not None and all(w.grad is not None for w in lstm.trainable_weights)
    assert not np.allclose(out.numpy(), lstm(xt).numpy())


def test_stacked_cells_with_dropout_draw_fresh_masks_for_each_sequence():
    cells = [nk.layers.GRUCell(U, dropout=0.3), nk.layers.LSTMCell(U, recurrent_dropout=0.3)]
    layer = nk.layers.RNN(cells)
    x = RNG.normal(size=(B, T, F)).astype(np.float32)
    first, second = layer(x, training=True).numpy(), layer(x, training=True).numpy()
    assert not np.allclose(first, second)
    assert all(not cell._masks for cell in cells)  # forgotten once the sequence is done
    np.testing.assert_array_equal(layer(x).numpy(), layer(x).numpy())


def test_lstm_starts_with_forget_bias_one_and_orthogonal_recurrent_kernel():
    lstm = nk.layers.LSTM(U)
    lstm.build((None, T, F))
    _, recurrent, bias = lstm.get_weights()
    np.testing.assert_array_equal(bias, np.r_[np.zeros(U), np.ones(U), np.zeros(2 * U)])
    np.testing.assert_allclose(recurrent @ recurrent.T, np.eye(U), atol=1e-5)  # rows orthonormal
    assert [w.path for w in lstm.weights] == [
        f"{lstm.name}/lstm_cell/kernel",
        f"{lstm.name}/lstm_cell/recurrent_kernel",
        f"{lstm.name}/lstm_cell/bias",
    ]
    assert lstm.units == U and lstm.unit_forget_bias is True


def test_regularizers_add_their_penalties():
    layer = nk.layers.GRU(U, kernel_regularizer="l2", recurrent_regularizer="l1")
    layer.build((None, T, F))
    kernel, recurrent, _ = layer.get_weights()
    expect = 0.01 * (kernel**2).sum() + 0.01 * np.abs(recurrent).sum()
    np.testing.assert_allclose(sum(float(t.numpy()) for t in layer.losses), expect, rtol=1e-5)


@pytest.mark.parametrize(
    "make",
    [
        lambda lib: lib.layers.LSTM(0),
        lambda lib: lib.layers.GRU(-2),
        lambda lib: lib.layers.SimpleRNN(4)(np.zeros((2, 3), np.float32)),
        lambda lib: lib.layers.LSTM(4)(np.zeros((2, 3, 4, 5), np.float32)),
    ],
)
def test_errors_match_keras(make):
    assert_same_error(make)


def test_a_cell_without_call_is_refused_as_keras_does():
    assert_same_error(lambda lib: lib.layers.RNN(object()), exact=False)  # the repr differs


def test_unroll_needs_a_known_number_of_steps():
    layer = nk.layers.GRU(2, unroll=True)
    with pytest.raises(ValueError, match="Cannot unroll a RNN if the time dimension is undefined"):
        layer(nk.Input((None, F)))
    assert tuple(nk.layers.GRU(2, unroll=True)(nk.Input((T, F))).shape) == (None, 2)


def test_bad_initial_state_is_reported():
    layer = nk.layers.LSTM(U)
    x = np.zeros((B, T, F), np.float32)
    with pytest.raises(ValueError, match="expects 2 initial state"):
        layer(x, initial_state=[np.zeros((B, U), np.float32)])
    with pytest.raises(ValueError, match=r"must have shape \(3, 6\)"):
        layer(x, initial_state=[np.zeros((B, U + 1), np.float32)] * 2)
