"""Keras optimizers against Keras 3 itself (KERAS_BACKEND=torch): same random parameters and
gradients, several steps, every option that changes the update; parameters and the whole optimizer
state (``variables``, in Keras's order) compared at float32 tolerance."""

from __future__ import annotations

import os

import numpy as np
import pytest

from nnlab.keras import optimizers
from nnlab.keras.optimizers import schedules
from nnlab.nn import Parameter

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")

SHAPES = [(4, 3), (3,), (2, 2, 2)]
STEPS = 6
# Parameters are O(1). Keras computes scalar coefficients in float32 (1 - 0.999 in float32 is off
# by 1.3e-5 relative, so Adam's first step with η = 0.05 differs from the exact one by 3e-7);
# nnlab computes them in float64 and then applies them in the parameter's dtype.
TOL = {"rtol": 1e-5, "atol": 1e-5}

CASES = [
    ("SGD", {}),
    ("SGD", {"learning_rate": 0.1, "momentum": 0.9}),
    ("SGD", {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True}),
    ("SGD", {"learning_rate": 0.1, "weight_decay": 0.05}),
    ("SGD", {"learning_rate": 0.1, "clipnorm": 0.5}),
    ("SGD", {"learning_rate": 0.1, "global_clipnorm": 0.7}),
    ("SGD", {"learning_rate": 0.1, "clipvalue": 0.2}),
    ("SGD", {"learning_rate": 0.1, "use_ema": True, "ema_momentum": 0.8}),
    ("SGD", {"learning_rate": 0.1, "use_ema": True, "ema_overwrite_frequency": 2}),
    ("SGD", {"learning_rate": 0.1, "gradient_accumulation_steps": 2, "momentum": 0.5}),
    ("SGD", {"learning_rate": 0.1, "loss_scale_factor": 4.0}),
    ("Adam", {}),
    ("Adam", {"learning_rate": 0.05, "beta_1": 0.8, "beta_2": 0.9, "epsilon": 1e-5}),
    ("Adam", {"learning_rate": 0.05, "amsgrad": True}),
    ("Adam", {"learning_rate": 0.05, "weight_decay": 0.1, "clipnorm": 1.0}),
    ("AdamW", {"learning_rate": 0.05}),
    ("AdamW", {"learning_rate": 0.05, "weight_decay": 0.1, "amsgrad": True}),
    ("Adamax", {"learning_rate": 0.05}),
    ("Adamax", {"learning_rate": 0.05, "beta_1": 0.5, "beta_2": 0.9}),
    ("Nadam", {"learning_rate": 0.05}),
    ("Nadam", {"learning_rate": 0.05, "beta_1": 0.7, "weight_decay": 0.01}),
    ("RMSprop", {}),
    ("RMSprop", {"learning_rate": 0.01, "rho": 0.8}),
    ("RMSprop", {"learning_rate": 0.01, "centered": True}),
    ("RMSprop", {"learning_rate": 0.01, "momentum": 0.9}),
    ("RMSprop", {"learning_rate": 0.01, "momentum": 0.5, "centered": True, "epsilon": 1e-4}),
    ("Adagrad", {}),
    ("Adagrad", {"learning_rate": 0.1, "initial_accumulator_value": 0.5, "epsilon": 1e-3}),
    ("Adadelta", {}),
    ("Adadelta", {"learning_rate": 1.0, "rho": 0.9, "epsilon": 1e-5}),
    ("Lion", {}),
    ("Lion", {"learning_rate": 0.01, "beta_1": 0.5, "beta_2": 0.9, "weight_decay": 0.1}),
    ("Ftrl", {}),
    ("Ftrl", {"learning_rate": 0.1, "l1_regularization_strength": 0.05}),
    (
        "Ftrl",
        {
            "learning_rate": 0.1,
            "learning_rate_power": -0.3,
            "initial_accumulator_value": 0.5,
            "l2_regularization_strength": 0.1,
            "l2_shrinkage_regularization_strength": 0.05,
            "beta": 0.2,
        },
    ),
    ("Adafactor", {}),
    ("Adafactor", {"learning_rate": 0.05, "beta_2_decay": -0.5, "clip_threshold": 0.5}),
    ("Adafactor", {"learning_rate": 0.5, "epsilon_2": 0.1, "relative_step": False}),
]


def _data(scale: float, seed: int = 0) -> tuple[list[np.ndarray], list[list[np.ndarray]]]:
    rng = np.random.default_rng(seed)
    params = [rng.normal(size=s).astype(np.float32) for s in SHAPES]
    grads = [
        [(rng.normal(size=s) * scale).astype(np.float32) for s in SHAPES] for _ in range(STEPS)
    ]
    return params, grads


def _keras_run(name: str, kwargs: dict, params, grads):
    opt = getattr(keras.optimizers, name)(**kwargs)
    variables = [keras.Variable(p.copy()) for p in params]
    history = []
    for step in grads:
        tensors = [keras.ops.convert_to_tensor(g) for g in step]
        opt.apply_gradients(zip(tensors, variables, strict=True))
        history.append([np.array(v.numpy()) for v in variables])
    return opt, history


def _nnlab_run(name: str, kwargs: dict, params, grads):
    opt = getattr(optimizers, name)(**kwargs)
    variables = [Parameter(p.copy()) for p in params]
    history = []
    for step in grads:
        opt.apply_gradients(zip(step, variables, strict=True))
        history.append([v.data.copy() for v in variables])
    return opt, history


@pytest.mark.parametrize("scale", [1.0, 1e-3])
@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_update_and_state_equal_keras(name: str, kwargs: dict, scale: float) -> None:
    params, grads = _data(scale)
    ours, got = _nnlab_run(name, kwargs, params, grads)
    theirs, want = _keras_run(name, kwargs, params, grads)
    for step, (g, w) in enumerate(zip(got, want, strict=True)):
        for i, (a, b) in enumerate(zip(g, w, strict=True)):
            np.testing.assert_allclose(a, b, **TOL, err_msg=f"step {step}, w{i}")
    assert ours.iterations == int(theirs.iterations.numpy())
    want_vars = [np.asarray(v.numpy()) for v in theirs.variables]
    got_vars = ours.variables
    assert [v.shape for v in got_vars] == [v.shape for v in want_vars]
    for i, (a, b) in enumerate(zip(got_vars, want_vars, strict=True)):
        np.testing.assert_allclose(a, b, **TOL, err_msg=f"variable {i}")


@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_config_equals_keras_and_round_trips(name: str, kwargs: dict) -> None:
    ours = getattr(optimizers, name)(**kwargs)
    theirs = getattr(keras.optimizers, name)(**kwargs)
    got, want = ours.get_config(), theirs.get_config()
    assert set(got) == set(want)
    for key in set(want) - {"name"}:
        assert got[key] == pytest.approx(want[key]), key
    again = optimizers.deserialize(optimizers.serialize(ours))
    assert type(again) is type(ours) and again.get_config() == got
    assert type(ours).from_config(got).get_config() == got


def test_schedule_drives_the_learning_rate_like_keras() -> None:
    params, grads = _data(1.0)
    lr = {"initial_learning_rate": 0.1, "decay_steps": 2, "decay_rate": 0.5}
    ours, got = _nnlab_run(
        "SGD", {"learning_rate": schedules.ExponentialDecay(**lr)}, params, grads
    )
    theirs, want = _keras_run(
        "SGD",
        {"learning_rate": keras.optimizers.schedules.ExponentialDecay(**lr)},
        params,
        grads,
    )
    np.testing.assert_allclose(got[-1][0], want[-1][0], rtol=2e-5)
    assert ours.learning_rate == pytest.approx(float(theirs.learning_rate))
    with pytest.raises(TypeError, match="not settable"):
        ours.learning_rate = 0.1
    cfg = ours.get_config()
    assert cfg["learning_rate"]["class_name"] == "ExponentialDecay"
    rebuilt = optimizers.SGD.from_config(cfg)
    assert rebuilt.learning_rate == pytest.approx(0.1)  # a fresh optimizer starts at step 0


def test_learning_rate_is_readable_and_settable() -> None:
    opt = optimizers.get("adam")
    assert opt.learning_rate == pytest.approx(0.001) and opt.iterations == 0
    opt.learning_rate = 0.5
    p = Parameter(np.ones(3, np.float32))
    opt.apply_gradients([(np.array([1.0, 6.0, 7.0], np.float32), p)])
    np.testing.assert_allclose(p.data, 0.5, atol=1e-4)  # Keras's own single-step test
    assert opt.iterations == 1
    with pytest.raises(ValueError, match="learning_rate"):
        opt.learning_rate = float("nan")
    opt.learning_rate = schedules.InverseTimeDecay(1.0, decay_steps=1, decay_rate=1.0)
    assert opt.learning_rate == pytest.approx(0.5)  # 1 / (1 + 1) at step 1


def test_state_saves_and_loads_like_keras() -> None:
    """save_own_variables / load_own_variables: a second optimizer continues exactly."""
    params, grads = _data(1.0)
    a = [Parameter(p.copy()) for p in params]
    opt = optimizers.Nadam(learning_rate=0.01)
    for step in grads[:3]:
        opt.apply_gradients(zip(step, a, strict=True))
    store: dict = {}
    opt.save_own_variables(store)
    b = [Parameter(p.data.copy()) for p in a]
    again = optimizers.Nadam(learning_rate=0.01)
    again.build(b)
    again.load_own_variables(store)
    for step in grads[3:]:
        opt.apply_gradients(zip(step, a, strict=True))
        again.apply_gradients(zip(step, b, strict=True))
    for pa, pb in zip(a, b, strict=True):
        np.testing.assert_array_equal(pa.data, pb.data)
    with pytest.warns(UserWarning, match="Skipping variable loading"):
        optimizers.Nadam().load_own_variables(store)


def test_state_is_per_parameter_not_per_position() -> None:
    """Reusing an optimizer on another model with as many arrays of the same shapes starts fresh
    state for the new parameters (Keras would refuse; a positional optimizer would reuse A's)."""
    b1, b2 = 0.9, 0.999
    params, grads = _data(1.0)
    opt = optimizers.Adam(learning_rate=0.01)
    a = [Parameter(p.copy()) for p in params]
    for step in grads[:3]:
        opt.apply_gradients(zip(step, a, strict=True))
    a_state = [{k: v.copy() for k, v in opt.state[p].items()} for p in a]
    b = [Parameter(p.copy()) for p in params]
    opt.apply_gradients(zip(grads[3], b, strict=True))
    for p, g in zip(b, grads[3], strict=True):
        np.testing.assert_allclose(opt.state[p]["momentum"], (1 - b1) * g, rtol=1e-6)
        np.testing.assert_allclose(opt.state[p]["velocity"], (1 - b2) * g * g, rtol=1e-6)
    for p, before in zip(a, a_state, strict=True):
        for k, v in before.items():
            np.testing.assert_array_equal(opt.state[p][k], v)
    fresh = optimizers.Adam(learning_rate=0.01)
    fresh.iterations = 3
    c = [Parameter(p.copy()) for p in params]
    fresh.apply_gradients(zip(grads[3], c, strict=True))
    for pb, pc in zip(b, c, strict=True):
        np.testing.assert_array_equal(pb.data, pc.data)


def test_apply_forms_agree() -> None:
    """apply(grads, vars), apply(grads) after build and apply_gradients(pairs) give the same
    update."""
    params, grads = _data(1.0)
    results = []
    for form in range(3):
        opt = optimizers.RMSprop(learning_rate=0.01, momentum=0.5, clipnorm=0.3)
        ps = [Parameter(p.copy()) for p in params]
        for step in grads:
            if form == 0:
                opt.apply(step, ps)
            elif form == 1:
                opt.build(ps)
                opt.apply(step)
            else:
                opt.apply_gradients(zip(step, ps, strict=True))
        results.append([p.data for p in ps])
    for other in results[1:]:
        for a, b in zip(results[0], other, strict=True):
            np.testing.assert_array_equal(a, b)


def test_none_gradients_are_skipped() -> None:
    p, q = Parameter(np.ones(2, np.float32)), Parameter(np.ones(2, np.float32))
    opt = optimizers.SGD(learning_rate=1.0)
    with pytest.warns(UserWarning, match="Gradients do not exist"):
        opt.apply_gradients([(np.ones(2, np.float32), p), (None, q)])
    np.testing.assert_array_equal(p.data, 0.0)
    np.testing.assert_array_equal(q.data, 1.0)
    with pytest.raises(ValueError, match="No gradients provided for any variable."):
        opt.apply_gradients([(None, q)])


# ---- Keras 3's own optimizer_test.py, ported (imports and variable creation changed)
def _var(value) -> Parameter:
    return Parameter(np.array(value, dtype=np.float32))


def test_keras_ema() -> None:
    v, grads = _var([[3.0, 4.0], [5.0, 6.0]]), np.ones((2, 2), np.float32)
    opt = optimizers.SGD(
        learning_rate=1.0, use_ema=True, ema_momentum=0.9, ema_overwrite_frequency=3
    )
    opt.apply_gradients([(grads, v)])
    np.testing.assert_allclose(v.data, [[2.0, 3.0], [4.0, 5.0]])
    np.testing.assert_allclose(opt.state[v]["average"], [[2.0, 3.0], [4.0, 5.0]])
    opt.apply_gradients([(grads, v)])
    np.testing.assert_allclose(v.data, [[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_allclose(opt.state[v]["average"], [[1.9, 2.9], [3.9, 4.9]], rtol=1e-6)
    opt.apply_gradients([(grads, v)])
    np.testing.assert_allclose(v.data, [[1.71, 2.71], [3.71, 4.71]], rtol=1e-6)


def test_keras_gradient_accumulation() -> None:
    v, grads = _var([[1.0, 2.0], [3.0, 4.0]]), np.ones((2, 2), np.float32)
    opt = optimizers.SGD(learning_rate=1.0, gradient_accumulation_steps=3)
    expected = [
        ([[1.0, 2.0], [3.0, 4.0]], 1.0, 0),
        ([[1.0, 2.0], [3.0, 4.0]], 2.0, 0),
        ([[0.0, 1.0], [2.0, 3.0]], 0.0, 1),
        ([[0.0, 1.0], [2.0, 3.0]], 1.0, 1),
    ]
    for step, (value, accumulated, iterations) in enumerate(expected, 1):
        opt.apply_gradients([(grads, v)])
        np.testing.assert_allclose(v.data, value)
        np.testing.assert_allclose(opt.state[v]["gradient_accumulator"], accumulated)
        assert opt._iterations == step and opt.iterations == iterations


class _NonNegParameter(Parameter):
    """A parameter carrying a constraint, as Keras variables do."""

    __slots__ = ("constraint",)


def test_keras_constraints_are_applied() -> None:
    v = _NonNegParameter(np.random.default_rng(0).random((2, 2)) - 1.0)
    v.constraint = lambda w: np.maximum(w, 0.0)
    optimizers.SGD(learning_rate=0.0001).apply_gradients([(np.zeros((2, 2)), v)])
    assert np.min(v.data) == 0.0


def test_keras_static_loss_scaling_and_get() -> None:
    v = _var([[1.0, 2.0], [3.0, 4.0]])
    opt = optimizers.SGD(learning_rate=1.0, loss_scale_factor=1024.0)
    opt.apply_gradients([(v.data * 1024.0, v)])
    assert opt.scale_loss(1.0) == 1024.0
    np.testing.assert_allclose(v.data, 0.0)
    assert isinstance(optimizers.get("adamw"), optimizers.AdamW)
    assert optimizers.get(None) is None
    with pytest.raises(ValueError):
        optimizers.get("typo")


def test_keras_set_weights() -> None:
    x = _var([[1.0, 2.0], [3.0, 4.0]])
    opt1 = optimizers.Adam()
    opt1.apply_gradients(zip([x.data.copy()], [x], strict=True))
    opt2 = optimizers.Adam()
    with pytest.raises(ValueError, match="You are calling"):
        opt2.set_weights(opt1.variables)
    opt2.build([x])
    opt2.set_weights(opt1.variables)
    for a, b in zip(opt1.variables, opt2.variables, strict=True):
        np.testing.assert_allclose(a, b)


def test_keras_auto_naming() -> None:
    names = [type_().name for type_ in 2 * [optimizers.Adam] + 2 * [optimizers.AdamW]]
    assert sorted(names) == ["adam", "adam_1", "adam_w", "adam_w_1"]
    custom = optimizers.Adam(name="my_adam")
    assert optimizers.deserialize(optimizers.serialize(custom)).name == "my_adam"


def test_exclude_from_weight_decay_like_keras() -> None:
    """Keras's own test: λ = 0.004, η = 1, zero gradients."""
    var1, var3 = Parameter(np.float32(2.0)), Parameter(np.float32(2.0))
    zero = np.zeros((), np.float32)
    opt = optimizers.Adam(learning_rate=1.0, weight_decay=0.004)
    opt.apply_gradients([(zero, var1)])
    opt3 = optimizers.Adam(learning_rate=1.0, weight_decay=0.004)
    opt3.exclude_from_weight_decay(var_list=[var3])
    opt3.apply_gradients([(zero, var3)])
    assert float(var1.data) == pytest.approx(1.992, abs=1e-6)
    assert float(var3.data) == pytest.approx(2.0)


def test_clip_gradients_like_keras() -> None:
    grad = [np.array([100.0, 100.0])]
    np.testing.assert_allclose(optimizers.Adam(clipnorm=1)._clip_gradients(grad)[0], [0.5**0.5] * 2)
    np.testing.assert_allclose(optimizers.Adam(clipvalue=1)._clip_gradients(grad)[0], [1.0, 1.0])
    assert grad[0][0] == 100.0


@pytest.mark.parametrize(
    ("kwargs", "problem"),
    [
        ({"clipnorm": 1.0, "clipvalue": 1.0}, "only one of"),
        ({"clipnorm": -1.0}, "clipnorm"),
        ({"gradient_accumulation_steps": 1}, "gradient_accumulation_steps"),
        ({"ema_momentum": 2.0}, "ema_momentum"),
        ({"momentum": 1.5}, "momentum"),
        ({"learning_rate": -0.1}, "learning_rate"),
        ({"bogus": 1}, "not recognized"),
    ],
)
def test_bad_arguments_are_named(kwargs: dict, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        optimizers.SGD(**kwargs)


def test_shape_mismatch_is_named() -> None:
    opt = optimizers.SGD()
    with pytest.raises(ValueError, match=r"gradient 0 has shape \(3,\).*\(2,\)"):
        opt.apply_gradients([(np.ones(3, np.float32), Parameter(np.ones(2, np.float32)))])


def test_get_by_name_dict_and_instance() -> None:
    for name in ["sgd", "adam", "adamw", "adamax", "nadam", "rmsprop", "adagrad", "adadelta"]:
        opt = optimizers.get(name)
        assert type(opt).__name__.lower() == name
        ref = keras.optimizers.get(name)
        assert opt.learning_rate == pytest.approx(float(ref.learning_rate))
    opt = optimizers.Adam(learning_rate=0.3)
    assert optimizers.get(opt) is opt
    assert optimizers.get(keras.optimizers.serialize(keras.optimizers.Adam(0.3))).learning_rate == (
        pytest.approx(0.3)
    )
    with pytest.raises(ValueError, match="unknown optimizer 'adamm'"):
        optimizers.get("adamm")


def test_float64_parameters_stay_float64() -> None:
    """A float64 parameter (used for gradient checks) is updated in float64."""
    rng = np.random.default_rng(0)
    p0, g = rng.normal(size=5), rng.normal(size=5)
    p = Parameter(p0.copy())
    optimizers.SGD(learning_rate=0.1, momentum=0.9).apply_gradients([(g, p)])
    assert p.data.dtype == np.float64
    np.testing.assert_allclose(p.data, p0 - 0.1 * g, rtol=1e-15)


class _MomentumSGD(optimizers.Optimizer):
    """The example of Keras's BaseOptimizer docstring: a user's optimizer with its own
    ``build`` and ``update_step``, written with Tensor arithmetic and ``assign``."""

    def __init__(self, learning_rate: float = 0.01, **kwargs) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.momentum = 0.9

    def build(self, variables) -> None:
        super().build(variables)
        self.momentums = [self.add_variable_from_reference(v, "momentum") for v in variables]

    def update_step(self, gradient, variable, learning_rate) -> None:
        m = self.momentums[self._get_variable_index(variable)]
        self.assign(m, m * self.momentum - gradient * learning_rate)
        self.assign_add(variable, m)


def test_a_user_written_optimizer_matches_the_builtin() -> None:
    params, grads = _data(1.0)
    _, want = _nnlab_run("SGD", {"learning_rate": 0.1, "momentum": 0.9}, params, grads)
    opt = _MomentumSGD(learning_rate=0.1)
    ps = [Parameter(p.copy()) for p in params]
    for step in grads:
        opt.apply_gradients(zip(step, ps, strict=True))
    assert len(opt.momentums) == len(ps) and opt.iterations == len(grads)
    for got, expected in zip(ps, want[-1], strict=True):
        assert got.grad is None
        np.testing.assert_allclose(got.data, expected, rtol=1e-6, atol=1e-6)
