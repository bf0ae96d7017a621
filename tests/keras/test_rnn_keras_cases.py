"""Keras 3's own recurrent-layer tests (keras/src/layers/rnn/{lstm,gru,simple_rnn}_test.py),
ported: constant initial weights (kernel 0.01, recurrent kernel 0.02, bias 0.03), inputs
``arange`` reshaped, and the outputs Keras's tests expect, written down there."""

from __future__ import annotations

import numpy as np
import pytest

from nnlab.keras import initializers, layers

CONSTANTS = {
    "kernel_initializer": initializers.Constant(0.01),
    "recurrent_initializer": initializers.Constant(0.02),
    "bias_initializer": initializers.Constant(0.03),
}


def _rows(*values: float, width: int) -> np.ndarray:
    return np.repeat(np.array(values, np.float32)[:, None], width, axis=1)


# (layer, units, its arguments, input shape, expected output)
CORRECTNESS = [
    ("LSTM", 3, {}, (3, 6, 4), _rows(0.6288687, 0.86899155, 0.9460773, width=3)),
    (
        "LSTM",
        3,
        {"go_backwards": True},
        (3, 6, 4),
        _rows(0.35622165, 0.74789524, 0.8872726, width=3),
    ),
    ("LSTM", 3, {"unroll": True}, (3, 6, 4), _rows(0.6288687, 0.86899155, 0.9460773, width=3)),
    (
        "LSTM",
        3,
        {"unit_forget_bias": False},
        (3, 6, 4),
        _rows(0.57019705, 0.8661914, 0.9459622, width=3),
    ),
    ("LSTM", 3, {"use_bias": False}, (3, 6, 4), _rows(0.54986924, 0.86226785, 0.9443936, width=3)),
    ("LSTM", 3, {"implementation": 1}, (3, 6, 4), _rows(0.6288687, 0.86899155, 0.9460773, width=3)),
    ("GRU", 3, {}, (3, 6, 4), _rows(0.5217289, 0.6371659, 0.39384964, width=3)),
    ("GRU", 3, {"go_backwards": True}, (3, 6, 4), _rows(0.24406259, 0.611516, 0.3928808, width=3)),
    (
        "GRU",
        3,
        {"reset_after": False},
        (3, 6, 4),
        _rows(0.51447755, 0.6426879, 0.40208298, width=3),
    ),
    ("GRU", 3, {"use_bias": False}, (3, 6, 4), _rows(0.49988455, 0.64701194, 0.4103359, width=3)),
    ("SimpleRNN", 4, {}, (2, 3, 4), _rows(0.405432, 0.73605347, width=4)),
    (
        "SimpleRNN",
        4,
        {"go_backwards": True, "unroll": True},
        (2, 3, 4),
        _rows(0.11144729, 0.5528889, width=4),
    ),
]


@pytest.mark.parametrize("cls,units,kwargs,shape,expected", CORRECTNESS)
def test_correctness(cls, units, kwargs, shape, expected):
    sequence = np.arange(np.prod(shape)).reshape(shape).astype(np.float32)
    layer = getattr(layers, cls)(units, **CONSTANTS, **kwargs)
    np.testing.assert_allclose(layer(sequence).numpy(), expected, rtol=1e-5, atol=1e-5)


def test_lstm_statefulness():
    sequence = np.arange(24).reshape((2, 3, 4)).astype(np.float32)
    layer = layers.LSTM(4, stateful=True, **CONSTANTS)
    expected = _rows(0.3124785, 0.6863672, width=4)
    for _ in range(2):
        layer(sequence)
        np.testing.assert_allclose(layer(sequence).numpy(), expected, rtol=1e-5, atol=1e-5)
        layer.reset_state()


def test_pass_initial_state():
    sequence = np.arange(24).reshape((2, 4, 3)).astype(np.float32)
    state = np.arange(4).reshape((2, 2)).astype(np.float32)
    cases = [
        ("LSTM", {}, [state, state], [[0.20574439, 0.3558822], [0.64930826, 0.66276]]),
        (
            "LSTM",
            {"go_backwards": True},
            [state, state],
            [[0.13281618, 0.2790356], [0.5839337, 0.5992567]],
        ),
        ("GRU", {}, state, [[0.23774096, 0.33508456], [0.83659905, 1.0227708]]),
        ("GRU", {"go_backwards": True}, state, [[0.13486053, 0.23261218], [0.78257304, 0.9691353]]),
    ]
    for cls, kwargs, initial, expected in cases:
        layer = getattr(layers, cls)(2, **CONSTANTS, **kwargs)
        out = layer(sequence, initial_state=initial).numpy()
        np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)


def test_lstm_masking():
    sequence = np.arange(24).reshape((2, 4, 3)).astype(np.float32)
    mask = np.array([[True, True, True, False], [True, True, False, False]])
    layer = layers.LSTM(2, unroll=True, **CONSTANTS)
    np.testing.assert_allclose(
        layer(sequence, mask=mask).numpy(), _rows(0.11755939, 0.28556206, width=2), rtol=1e-5
    )
    first = _rows(0.0158891, 0.05552048, 0.11755939, 0.11755939, width=2)
    second = _rows(0.14185596, 0.28556206, 0.28556206, 0.28556206, width=2)
    out = layers.LSTM(2, return_sequences=True, **CONSTANTS)(sequence, mask=mask).numpy()
    np.testing.assert_allclose(out[0], first, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out[1], second, rtol=1e-5, atol=1e-6)
    zeroed = layers.LSTM(2, return_sequences=True, zero_output_for_mask=True, **CONSTANTS)
    out = zeroed(sequence, mask=mask).numpy()
    np.testing.assert_allclose(out[0], first * mask[0, :, None], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out[1], second * mask[1, :, None], rtol=1e-5, atol=1e-6)
    backwards_mask = np.array([[False, True, True, True], [False, False, True, True]])
    out = layers.LSTM(2, go_backwards=True, **CONSTANTS)(sequence, mask=backwards_mask)
    np.testing.assert_allclose(
        out.numpy(), _rows(0.15341201, 0.3844719, width=2), rtol=1e-5, atol=1e-6
    )


def test_simple_rnn_masking():
    sequence = np.arange(24).reshape((2, 4, 3)).astype(np.float32)
    mask = np.array([[True, True, False, True], [True, False, False, True]])
    out = layers.SimpleRNN(4, unroll=True, **CONSTANTS)(sequence, mask=mask)
    np.testing.assert_allclose(
        out.numpy(), _rows(0.32951632, 0.61799484, width=4), rtol=1e-5, atol=1e-6
    )
    out = layers.SimpleRNN(2, return_sequences=True, **CONSTANTS)(sequence, mask=mask)
    np.testing.assert_allclose(
        out.numpy()[0],
        _rows(0.0599281, 0.15122814, 0.15122814, 0.32394567, width=2),
        rtol=1e-5,
        atol=1e-6,
    )
