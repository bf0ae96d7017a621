"""Initializers against Keras 3's (KERAS_BACKEND=torch): the statistics of large draws (mean,
standard deviation, range), orthogonality, exact constants; names and configs."""

from __future__ import annotations

import os

import numpy as np
import pytest

from nnlab.keras import initializers

from .error_oracle import assert_same_error

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")

RANDOM = [
    ("GlorotUniform", {}),
    ("GlorotNormal", {}),
    ("HeUniform", {}),
    ("HeNormal", {}),
    ("LecunUniform", {}),
    ("LecunNormal", {}),
    ("RandomNormal", {"mean": 0.3, "stddev": 0.2}),
    ("RandomUniform", {"minval": -0.2, "maxval": 0.5}),
    ("TruncatedNormal", {"mean": -0.1, "stddev": 0.3}),
    ("VarianceScaling", {"scale": 3.0, "mode": "fan_out", "distribution": "uniform"}),
    ("VarianceScaling", {"scale": 0.5, "mode": "fan_avg", "distribution": "untruncated_normal"}),
    ("VarianceScaling", {"scale": 2.0, "mode": "fan_in", "distribution": "normal"}),
]
SHAPES = [(500, 300), (3, 3, 64, 64), (40000,)]


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize(("name", "kwargs"), RANDOM, ids=[f"{n}-{k}" for n, k in RANDOM])
def test_statistics_equal_keras(name: str, kwargs: dict, shape: tuple) -> None:
    ours = getattr(initializers, name)(**kwargs)(shape, rng=np.random.default_rng(0))
    theirs = keras.ops.convert_to_numpy(getattr(keras.initializers, name)(seed=1, **kwargs)(shape))
    assert ours.dtype == np.float32 and ours.shape == theirs.shape
    scale = theirs.std()
    # n >= 36864 draws: means agree within 8 σ/√n, std within 5 %, quantiles within ~4 SE
    assert abs(ours.mean() - theirs.mean()) < 8 * scale / np.sqrt(ours.size)
    assert ours.std() == pytest.approx(scale, rel=0.05)
    q = [0.01, 0.1, 0.5, 0.9, 0.99]
    np.testing.assert_allclose(np.quantile(ours, q), np.quantile(theirs, q), atol=0.12 * scale)
    if kwargs.get("distribution") != "untruncated_normal" and name != "RandomNormal":
        # bounded: uniform, or normal cut at ±2 σ'; both samples come close to the same bounds
        spread = theirs.max() - theirs.min()
        assert ours.min() >= theirs.min() - 0.02 * spread
        assert ours.max() <= theirs.max() + 0.02 * spread
        assert ours.max() - ours.min() >= 0.95 * spread


@pytest.mark.parametrize("shape", [(30, 20), (20, 30), (2, 5, 10)], ids=str)
def test_orthogonal_is_orthogonal_like_keras(shape: tuple) -> None:
    w = initializers.Orthogonal(gain=2.0)(shape, rng=np.random.default_rng(0))
    theirs = keras.ops.convert_to_numpy(keras.initializers.Orthogonal(gain=2.0, seed=0)(shape))
    flat = w.reshape(-1, shape[-1]) / 2.0
    gram = flat.T @ flat if flat.shape[0] >= flat.shape[1] else flat @ flat.T
    np.testing.assert_allclose(gram, np.eye(len(gram)), atol=1e-5)
    assert w.shape == theirs.shape
    assert np.abs(w).max() <= 2.0 + 1e-6 and np.abs(theirs).max() <= 2.0 + 1e-6
    with pytest.raises(ValueError, match="two-dimensional"):
        initializers.Orthogonal()((5,))


@pytest.mark.parametrize(
    ("name", "kwargs", "shape"),
    [
        ("Identity", {"gain": 3.0}, (4, 6)),
        ("Constant", {"value": 0.7}, (3, 2)),
        ("Zeros", {}, (5,)),
        ("Ones", {}, (2, 3, 4)),
    ],
)
def test_deterministic_initializers_equal_keras(name: str, kwargs: dict, shape: tuple) -> None:
    ours = getattr(initializers, name)(**kwargs)(shape)
    theirs = keras.ops.convert_to_numpy(getattr(keras.initializers, name)(**kwargs)(shape))
    np.testing.assert_array_equal(ours, theirs)
    assert ours.dtype == np.float32
    assert getattr(initializers, name)(**kwargs)(shape, "float64").dtype == np.float64


def test_every_keras_name_resolves_with_the_same_config() -> None:
    from keras.src.initializers import ALL_OBJECTS_DICT

    for name, cls in ALL_OBJECTS_DICT.items():
        if cls.__name__ in {"STFT", "Initializer"}:
            continue
        ours = initializers.get(name)
        assert type(ours).__name__ == cls.__name__, name
        theirs = cls()
        want = theirs.get_config()
        if cls.__name__ == "Identity":  # Keras 3 forgets `gain` in its config; nnlab keeps it
            want = {"gain": 1.0}
        assert ours.get_config() == want, name
        again = initializers.deserialize(keras.initializers.serialize(theirs))
        assert type(again) is type(ours) and again.get_config() == want


def test_seed_rng_and_get_forms() -> None:
    a = initializers.HeNormal(seed=3)((20, 10))
    np.testing.assert_array_equal(a, initializers.HeNormal(seed=3)((20, 10)))
    r1 = initializers.get("glorot_uniform")((20, 10), rng=np.random.default_rng(5))
    r2 = initializers.GlorotUniform()((20, 10), rng=np.random.default_rng(5))
    np.testing.assert_array_equal(r1, r2)
    init = initializers.RandomNormal(stddev=0.1)
    assert initializers.get(init) is init and initializers.get(None) is None
    assert isinstance(initializers.get(initializers.Ones), initializers.Ones)
    value = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(initializers.get(value)((2, 3)), value)
    with pytest.raises(ValueError, match="Expected `shape`"):
        initializers.get(value)((3, 2))
    with pytest.raises(ValueError, match="unknown initializer 'glorot'"):
        initializers.get("glorot")
    with pytest.raises(ValueError, match="seed"):
        initializers.RandomNormal(seed=1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="mode"):
        initializers.VarianceScaling(mode="fan")


def test_get_accepts_keras_identifiers_and_refuses_others_as_keras() -> None:
    rng = np.random.default_rng(0)
    w = initializers.get("he_uniform")((300, 100), rng=rng)
    assert w.dtype == np.float32 and np.abs(w).max() <= np.sqrt(6 / 300)
    assert initializers.get("Orthogonal")((4, 4), rng=rng).shape == (4, 4)  # class names too
    for bad in ("Glorot_Uniform", "glorotuniform", 3.5):
        assert_same_error(lambda lib, bad=bad: lib.initializers.get(bad), exact=False)
