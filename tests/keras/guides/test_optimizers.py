"""Keras 3's optimizer unit tests (keras/src/optimizers/{sgd,adam,adamw,adamax,nadam,rmsprop,
adagrad,adadelta,lion}_test.py), ported with import changes only: ``backend.Variable`` ->
``keras.Variable``, ``ops`` -> ``keras.ops``, ``Adam`` -> ``keras.optimizers.Adam``; one pytest
case per (optimizer, Keras test).

Skipped: ``run_class_serialization_test`` (a private helper of Keras's TestCase; the config round
trip is ported as get_config/from_config instead), the EMA tests
(``_model_variables_moving_average``
is private), the TensorFlow-only IndexedSlices test, Adafactor/Ftrl/Lamb/Muon/LossScale/Multi
optimizers (outside issue 11's catalogue).
"""

# ruff: noqa: B905  (Keras's code, zip() as written there)
from __future__ import annotations

import numpy as np
import pytest

from nnlab import keras

from ._port import assert_all_close

OPTIMIZERS = ["SGD", "Adam", "AdamW", "Adamax", "Nadam", "RMSprop", "Adagrad", "Adadelta", "Lion"]

SINGLE_STEP = {  # (constructor kwargs, expected variable after one step)
    "SGD": ({"learning_rate": 0.5}, [0.5, -1.0, -0.5, 3.0]),
    "Adam": ({"learning_rate": 0.5}, [0.5, 1.5, 2.5, 3.5]),
    "AdamW": ({"learning_rate": 0.5}, [0.4980, 1.4960, 2.494, 3.492]),
    "Adamax": ({"learning_rate": 0.5}, [0.5, 1.5, 2.5, 3.5]),
    "Nadam": ({"learning_rate": 0.5}, [0.4686, 1.4686, 2.4686, 3.4686]),
    "RMSprop": ({"learning_rate": 0.5}, [-0.5811, 0.4189, 1.4189, 2.4189]),
    "Adagrad": ({"learning_rate": 0.5}, [0.5233, 1.5007, 2.5005, 3.5061]),
    "Adadelta": ({"learning_rate": 0.5}, [0.9993, 1.9993, 2.9993, 3.9993]),
    "Lion": ({"learning_rate": 0.5}, [0.5, 1.5, 2.5, 3.5]),
}


def _tile(col: list[float]) -> np.ndarray:
    return np.tile(np.array(col)[:, None], (1, 10))


# fmt: off
GOLDEN = {  # (constructor kwargs, the variable after the first step and after each of 4 more)
    "SGD": ({"nesterov": True}, np.array(
        [[0.9999] * 10,
         [0.9989, 0.9979, 0.9969, 0.9959, 0.9949, 0.9939, 0.9929, 0.9919, 0.9909, 0.9899],
         [0.9979, 0.9959, 0.9939, 0.9919, 0.9899, 0.9879, 0.9859, 0.9839, 0.9819, 0.9799],
         [0.9969, 0.9939, 0.9909, 0.9879, 0.9849, 0.9819, 0.9789, 0.9759, 0.9729, 0.9699],
         [0.9959, 0.9919, 0.9879, 0.9839, 0.9799, 0.9759, 0.9719, 0.9679, 0.9639, 0.9599]])),
    "Adam": ({"amsgrad": True}, _tile([0.999, 0.9982, 0.9974, 0.9965, 0.9955])),
    "AdamW": ({"learning_rate": 1.0, "weight_decay": 0.5, "epsilon": 2}, np.array(
        [[0.4998] * 10,
         [0.2486, 0.2475, 0.2463, 0.2451, 0.244, 0.2428, 0.2417, 0.2405, 0.2394, 0.2382],
         [0.1223, 0.1198, 0.1174, 0.1149, 0.1124, 0.11, 0.1075, 0.1051, 0.1027, 0.1003],
         [0.0586, 0.0549, 0.0512, 0.0475, 0.0439, 0.0402, 0.0366, 0.033, 0.0294, 0.0258],
         [0.0263, 0.0215, 0.0167, 0.012, 0.0073, 0.0026, -0.0021, -0.0067, -0.0113, -0.0159]])),
    "Adamax": ({"learning_rate": 0.2, "beta_1": 0.85, "beta_2": 0.95, "epsilon": 1e-6}, np.array(
        [[0.8] * 10,
         [0.6827, 0.6873, 0.6888, 0.6896, 0.6901, 0.6904, 0.6906, 0.6908, 0.6909, 0.691],
         [0.5333, 0.5407, 0.5431, 0.5444, 0.5451, 0.5456, 0.546, 0.5462, 0.5464, 0.5466],
         [0.368, 0.3773, 0.3804, 0.382, 0.3829, 0.3835, 0.384, 0.3843, 0.3846, 0.3848],
         [0.1933, 0.204, 0.2076, 0.2094, 0.2105, 0.2112, 0.2117, 0.2121, 0.2124, 0.2126]])),
    "Nadam": ({"learning_rate": 0.5, "beta_1": 0.5, "beta_2": 0.67, "epsilon": 1e-5}, np.array(
        [[0.4281] * 10,
         [-0.1738, -0.1731, -0.1726, -0.1723, -0.1721, -0.172, -0.1719, -0.1718, -0.1718, -0.1717],
         [-0.7115, -0.7103, -0.7096, -0.7092, -0.709, -0.7088, -0.7086, -0.7085, -0.7085, -0.7084],
         [-1.2335, -1.2322, -1.2313, -1.2309, -1.2306, -1.2304, -1.2302, -1.2301, -1.23, -1.2299],
         [-1.7492, -1.7478, -1.7469, -1.7464, -1.7461, -1.7459, -1.7457, -1.7456, -1.7455,
          -1.7454]])),
    "RMSprop": ({"centered": True}, _tile([0.9967, 0.9933, 0.9908, 0.9885, 0.9864])),
    "Adagrad": ({"learning_rate": 0.2, "initial_accumulator_value": 0.3, "epsilon": 1e-6}, np.array(
        [[0.9963] * 10,
         [0.9604, 0.9278, 0.9003, 0.8784, 0.8615, 0.8487, 0.8388, 0.8313, 0.8255, 0.8209],
         [0.9251, 0.8629, 0.8137, 0.7768, 0.7497, 0.7298, 0.7151, 0.704, 0.6956, 0.6891],
         [0.8903, 0.8012, 0.7342, 0.6862, 0.6521, 0.6277, 0.6099, 0.5967, 0.5867, 0.579],
         [0.856, 0.7422, 0.6604, 0.6037, 0.5644, 0.5367, 0.5168, 0.5021, 0.491, 0.4825]])),
    "Adadelta": ({"learning_rate": 1.0, "rho": 0.8, "epsilon": 1e-6},
                 _tile([0.9978, 0.9947, 0.9915, 0.9882, 0.9849])),
    "Lion": ({}, _tile([0.999, 0.998, 0.997, 0.996, 0.995])),
}
# fmt: on

CONFIGS = {
    "SGD": {"learning_rate": 0.5, "momentum": 0.06, "nesterov": True, "weight_decay": 0.004},
    "Adam": {"learning_rate": 0.5, "beta_1": 0.5, "beta_2": 0.67, "epsilon": 1e-5, "amsgrad": True},
    "AdamW": {"learning_rate": 0.5, "weight_decay": 0.008, "beta_1": 0.5, "beta_2": 0.67},
    "Adamax": {"learning_rate": 0.5, "beta_1": 0.8, "beta_2": 0.95, "epsilon": 1e-5},
    "Nadam": {"learning_rate": 0.5, "beta_1": 0.5, "beta_2": 0.67, "epsilon": 1e-5},
    "RMSprop": {
        "learning_rate": 0.5,
        "rho": 0.8,
        "momentum": 0.05,
        "epsilon": 1e-6,
        "centered": True,
    },
    "Adagrad": {"learning_rate": 0.5, "initial_accumulator_value": 0.2, "epsilon": 1e-5},
    "Adadelta": {"learning_rate": 0.5, "rho": 0.9, "epsilon": 1e-5},
    "Lion": {"learning_rate": 0.5, "beta_1": 0.5, "beta_2": 0.67},
}


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_single_step(name):
    kwargs, expected = SINGLE_STEP[name]
    optimizer = getattr(keras.optimizers, name)(**kwargs)
    grads = keras.ops.array([1.0, 6.0, 7.0, 2.0])
    vars = keras.Variable([1.0, 2.0, 3.0, 4.0])
    optimizer.apply_gradients(zip([grads], [vars]))
    assert_all_close(vars, expected, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_weight_decay(name):
    cls = getattr(keras.optimizers, name)
    grads, var1, var2, var3 = (
        keras.ops.zeros(()),
        keras.Variable(2.0),
        keras.Variable(2.0, name="exclude"),
        keras.Variable(2.0),
    )
    optimizer_1 = cls(learning_rate=1.0, weight_decay=0.004)
    optimizer_1.apply_gradients(zip([grads], [var1]))

    optimizer_2 = cls(learning_rate=1.0, weight_decay=0.004)
    optimizer_2.exclude_from_weight_decay(var_names=["exclude"])
    optimizer_2.apply_gradients(zip([grads, grads], [var1, var2]))

    optimizer_3 = cls(learning_rate=1.0, weight_decay=0.004)
    optimizer_3.exclude_from_weight_decay(var_list=[var3])
    optimizer_3.apply_gradients(zip([grads, grads], [var1, var3]))

    np.testing.assert_almost_equal(var1.numpy(), 1.9760959, decimal=6)
    np.testing.assert_almost_equal(var2.numpy(), 2.0, decimal=6)
    np.testing.assert_almost_equal(var3.numpy(), 2.0, decimal=6)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_correctness_with_golden(name):
    kwargs, golden = GOLDEN[name]
    optimizer = getattr(keras.optimizers, name)(**kwargs)
    x = keras.Variable(np.ones([10], dtype="float32"))
    grads = keras.ops.arange(0.1, 1.1, 0.1)
    first_grads = keras.ops.full((10,), 0.01)
    optimizer.apply_gradients(zip([first_grads], [x]))
    for i in range(5):
        assert_all_close(x, golden[i], rtol=5e-4, atol=5e-4)
        optimizer.apply_gradients(zip([grads], [x]))


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_clip_norm(name):
    optimizer = getattr(keras.optimizers, name)(clipnorm=1)
    grad = [np.array([100.0, 100.0])]
    clipped_grad = optimizer._clip_gradients(grad)
    assert_all_close(clipped_grad[0], [2**0.5 / 2, 2**0.5 / 2])


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_clip_value(name):
    optimizer = getattr(keras.optimizers, name)(clipvalue=1)
    grad = [np.array([100.0, 100.0])]
    clipped_grad = optimizer._clip_gradients(grad)
    assert_all_close(clipped_grad[0], [1.0, 1.0])


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_config(name):
    cls = getattr(keras.optimizers, name)
    optimizer = cls(**CONFIGS[name])
    config = optimizer.get_config()
    revived = cls.from_config(config)
    assert revived.get_config() == config
    for key, value in CONFIGS[name].items():
        assert config[key] == pytest.approx(value)


def test_sgd_invalid_momentum():
    with pytest.raises(ValueError, match="`momentum` must be a float between \\[0, 1\\]."):
        keras.optimizers.SGD(momentum=-1.0)
    with pytest.raises(ValueError, match="`momentum` must be a float between \\[0, 1\\]."):
        keras.optimizers.SGD(momentum=2.0)


def test_sgd_single_step_variables():
    optimizer = keras.optimizers.SGD(learning_rate=0.5)
    assert len(optimizer.variables) == 2
    grads = keras.ops.array([1.0, 6.0, 7.0, 2.0])
    vars = keras.Variable([1.0, 2.0, 3.0, 4.0])
    optimizer.build([vars])
    optimizer.apply_gradients(zip([grads], [vars]))
    assert_all_close(vars, [0.5, -1.0, -0.5, 3.0], rtol=1e-4, atol=1e-4)
    assert len(optimizer.variables) == 2
    assert optimizer.variables[0] == 1
    assert optimizer.variables[1] == 0.5


def test_adamw_weight_decay_is_none():
    with pytest.raises(
        ValueError, match="Argument `weight_decay` must be a float. Received: weight_decay=None"
    ):
        keras.optimizers.AdamW(learning_rate=1.0, weight_decay=None)
