"""Keras optimizers against their update formulas written out in NumPy (float64), 20 steps."""

from __future__ import annotations

import numpy as np
import pytest

from nnlab.keras import optimizers
from nnlab.nn import Parameter

STEPS = 20


def _run(opt: optimizers.Optimizer, seed: int = 0) -> tuple[np.ndarray, list[np.ndarray]]:
    """Apply ``opt`` for STEPS steps with fixed pseudo-random gradients; return p0 and grads."""
    rng = np.random.default_rng(seed)
    p0 = rng.normal(size=(3, 4))
    p = Parameter(p0.copy())
    grads = [rng.normal(size=(3, 4)) for _ in range(STEPS)]
    for g in grads:
        p.grad = g.copy()
        opt.apply([p])
    return p.data, [p0, *grads]


def _check(opt: optimizers.Optimizer, expected_fn) -> None:
    got, (p0, *grads) = _run(opt)
    np.testing.assert_allclose(got, expected_fn(p0.copy(), grads), rtol=1e-12, atol=1e-12)


def test_sgd_plain() -> None:
    def expected(p, grads):
        for g in grads:
            p = p - 0.01 * g
        return p

    _check(optimizers.SGD(), expected)


@pytest.mark.parametrize("nesterov", [False, True])
def test_sgd_momentum(nesterov: bool) -> None:
    lr, mu = 0.05, 0.9

    def expected(p, grads):
        v = np.zeros_like(p)
        for g in grads:
            v = mu * v - lr * g
            p = p + (mu * v - lr * g if nesterov else v)
        return p

    _check(optimizers.SGD(learning_rate=lr, momentum=mu, nesterov=nesterov), expected)


def test_adam() -> None:
    lr, b1, b2, eps = 0.01, 0.8, 0.99, 1e-7

    def expected(p, grads):
        m = np.zeros_like(p)
        v = np.zeros_like(p)
        for t, g in enumerate(grads, 1):
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            alpha = lr * np.sqrt(1 - b2**t) / (1 - b1**t)
            p = p - alpha * m / (np.sqrt(v) + eps)
        return p

    _check(optimizers.Adam(lr, beta_1=b1, beta_2=b2), expected)


@pytest.mark.parametrize(("momentum", "centered"), [(0.0, False), (0.5, False), (0.0, True)])
def test_rmsprop(momentum: float, centered: bool) -> None:
    lr, rho, eps = 0.01, 0.9, 1e-7

    def expected(p, grads):
        v = np.zeros_like(p)
        mg = np.zeros_like(p)
        mom = np.zeros_like(p)
        for g in grads:
            v = rho * v + (1 - rho) * g * g
            mg = rho * mg + (1 - rho) * g
            denom = np.sqrt(v - mg * mg) if centered else np.sqrt(v)
            step = lr * g / (denom + eps)
            if momentum:
                mom = momentum * mom + step
                p = p - mom
            else:
                p = p - step
        return p

    _check(optimizers.RMSprop(lr, momentum=momentum, centered=centered), expected)


def test_adagrad() -> None:
    lr, eps = 0.1, 1e-7

    def expected(p, grads):
        acc = np.full_like(p, 0.1)
        for g in grads:
            acc = acc + g * g
            p = p - lr * g / (np.sqrt(acc) + eps)
        return p

    _check(optimizers.Adagrad(lr), expected)


def test_keras_defaults() -> None:
    assert optimizers.SGD().get_config() == {
        "name": "SGD",
        "learning_rate": 0.01,
        "momentum": 0.0,
        "nesterov": False,
    }
    adam = optimizers.Adam()
    assert (adam.learning_rate, adam.beta_1, adam.beta_2, adam.epsilon) == (1e-3, 0.9, 0.999, 1e-7)
    rms = optimizers.RMSprop()
    assert (rms.learning_rate, rms.rho, rms.epsilon) == (1e-3, 0.9, 1e-7)
    ada = optimizers.Adagrad()
    assert (ada.learning_rate, ada.initial_accumulator_value, ada.epsilon) == (1e-3, 0.1, 1e-7)


def test_lr_alias_and_setter() -> None:
    opt = optimizers.Adam(lr=0.05)
    assert opt.learning_rate == 0.05 and opt.lr == 0.05
    opt.lr = 0.1
    assert opt.learning_rate == 0.1
    with pytest.raises(ValueError, match="learning_rate"):
        opt.learning_rate = -1.0
    with pytest.raises(TypeError, match="unexpected arguments"):
        optimizers.SGD(learnin_rate=0.1)


def test_get_by_name_object_and_config() -> None:
    assert isinstance(optimizers.get("ADAM"), optimizers.Adam)
    sgd = optimizers.SGD(0.2, momentum=0.5)
    assert optimizers.get(sgd) is sgd
    again = optimizers.get(sgd.get_config())
    assert again.get_config() == sgd.get_config()
    with pytest.raises(ValueError, match="unknown optimizer 'adamw'"):
        optimizers.get("adamw")


def test_float32_stays_float32_and_skips_missing_grads() -> None:
    p = Parameter(np.ones((2, 2), dtype=np.float32))
    q = Parameter(np.ones(2, dtype=np.float32))
    p.grad = np.full((2, 2), 0.5, dtype=np.float32)
    data = p.data
    opt = optimizers.Adam(0.1)
    opt.apply([p, q])
    assert p.data is data and p.data.dtype == np.float32
    np.testing.assert_array_equal(q.data, 1.0)  # no grad: untouched
    assert opt.slots["m"][0].dtype == np.float32


def test_bad_hyperparameters() -> None:
    with pytest.raises(ValueError, match="momentum"):
        optimizers.SGD(momentum=1.5)
    with pytest.raises(ValueError, match="beta_1"):
        optimizers.Adam(beta_1=1.0)
    with pytest.raises(ValueError, match="rho"):
        optimizers.RMSprop(rho=-0.1)
    with pytest.raises(ValueError, match="initial_accumulator_value"):
        optimizers.Adagrad(initial_accumulator_value=-1)


@pytest.mark.parametrize(
    "cls", [optimizers.SGD, optimizers.Adam, optimizers.RMSprop, optimizers.Adagrad]
)
@pytest.mark.parametrize("lr", [float("nan"), float("inf"), -float("inf"), np.float32("nan")])
def test_non_finite_learning_rate_is_rejected_at_construction(cls, lr) -> None:
    match = rf"{cls.__name__}: learning_rate must be a finite number >= 0, got "
    with pytest.raises(ValueError, match=match):
        cls(learning_rate=lr)
    with pytest.raises(ValueError, match=match):
        cls(lr=lr)  # the old Keras alias
    opt = cls(0.1)
    with pytest.raises(ValueError, match=match):
        opt.learning_rate = lr  # e.g. a schedule returning inf
    assert opt.learning_rate == 0.1
    with pytest.raises(ValueError, match=match):
        optimizers.get({"name": cls.__name__, "learning_rate": lr})
