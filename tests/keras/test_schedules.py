"""Learning-rate schedules against Keras 3's (KERAS_BACKEND=torch), step by step."""

from __future__ import annotations

import os

import numpy as np
import pytest

from nnlab.keras.optimizers import schedules

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")

CASES = [
    ("ExponentialDecay", {"initial_learning_rate": 0.1, "decay_steps": 7, "decay_rate": 0.5}),
    (
        "ExponentialDecay",
        {"initial_learning_rate": 0.1, "decay_steps": 7, "decay_rate": 0.5, "staircase": True},
    ),
    ("InverseTimeDecay", {"initial_learning_rate": 0.1, "decay_steps": 5, "decay_rate": 0.3}),
    (
        "InverseTimeDecay",
        {"initial_learning_rate": 0.1, "decay_steps": 5, "decay_rate": 0.3, "staircase": True},
    ),
    ("PiecewiseConstantDecay", {"boundaries": [10, 25], "values": [1.0, 0.5, 0.1]}),
    ("PolynomialDecay", {"initial_learning_rate": 0.1, "decay_steps": 20}),
    (
        "PolynomialDecay",
        {"initial_learning_rate": 0.1, "decay_steps": 12, "power": 2.0, "cycle": True},
    ),
    ("CosineDecay", {"initial_learning_rate": 0.1, "decay_steps": 30}),
    ("CosineDecay", {"initial_learning_rate": 0.1, "decay_steps": 30, "alpha": 0.2}),
    (
        "CosineDecay",
        {"initial_learning_rate": 0.0, "decay_steps": 20, "warmup_target": 0.1, "warmup_steps": 8},
    ),
    ("CosineDecayRestarts", {"initial_learning_rate": 0.1, "first_decay_steps": 6}),
    (
        "CosineDecayRestarts",
        {"initial_learning_rate": 0.1, "first_decay_steps": 5, "t_mul": 1.0, "m_mul": 0.5},
    ),
    (
        "CosineDecayRestarts",
        {"initial_learning_rate": 0.1, "first_decay_steps": 4, "t_mul": 1.5, "alpha": 0.1},
    ),
]


@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_values_equal_keras(name: str, kwargs: dict) -> None:
    ours = getattr(schedules, name)(**kwargs)
    theirs = getattr(keras.optimizers.schedules, name)(**kwargs)
    steps = range(60)
    got = np.array([ours(t) for t in steps])
    want = np.array([float(keras.ops.convert_to_numpy(theirs(t))) for t in steps])
    restarts = _geometric_restarts(kwargs) if name == "CosineDecayRestarts" else {}
    off = [t for t in steps if t not in restarts]
    np.testing.assert_allclose(got[off], want[off], rtol=1e-5, atol=1e-7)
    for t, i in restarts.items():  # period i starts here: its first value, exactly
        assert got[t] == pytest.approx(
            kwargs["initial_learning_rate"] * kwargs.get("m_mul", 1) ** i
        )
    assert ours.get_config() == theirs.get_config()
    again = schedules.deserialize(schedules.serialize(ours))
    assert type(again) is type(ours) and again.get_config() == ours.get_config()
    keras_form = keras.optimizers.schedules.serialize(theirs)
    assert schedules.deserialize(keras_form).get_config() == ours.get_config()


def _geometric_restarts(kwargs: dict) -> dict[int, int]:
    """The steps where a period of geometrically growing length (t_mul != 1) begins, with the
    period's index. There the index is floor(log(1 - t/T (1 - t_mul)) / log(t_mul)) of an
    exact integer, which float32 rounds to either side, depending on the log's implementation:
    Keras 3.15 on torch gives the previous period's last value at step 10 of (T = 4, t_mul =
    1.5), NumPy's float32 the new period's first. nnlab computes in float64 and gives the new
    period's first value, as the formula's exact arithmetic does; these steps are checked
    against that."""
    t_mul = kwargs.get("t_mul", 2.0)
    if t_mul == 1.0:
        return {}
    starts, start, length, i = {}, 0.0, kwargs["first_decay_steps"], 0
    while start < 60:
        if start == int(start) and i:
            starts[int(start)] = i
        start, length, i = start + length, length * t_mul, i + 1
    return starts


def test_bad_arguments_are_named() -> None:
    with pytest.raises(ValueError, match="decay_steps"):
        schedules.ExponentialDecay(0.1, decay_steps=0, decay_rate=0.5)
    with pytest.raises(ValueError, match="1 less than"):
        schedules.PiecewiseConstantDecay([1, 2], [0.1])
    with pytest.raises(ValueError, match="unknown schedule"):
        schedules.deserialize({"class_name": "Nope", "config": {}})
