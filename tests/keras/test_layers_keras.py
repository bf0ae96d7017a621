"""The layer catalogue trained side by side with Keras 3 (same initial weights, shuffle=False):
per-epoch losses, final weights (incl. BatchNormalization's moving statistics) and predictions."""

from __future__ import annotations

import numpy as np
import pytest

from .keras_oracle import assert_same_training, keras, nk, train_both

RNG = np.random.default_rng(0)
X2 = RNG.normal(size=(32, 6)).astype("float32")
X4 = RNG.normal(size=(32, 5, 5, 3)).astype("float32")
XI = RNG.integers(0, 10, (32, 4))
Y1 = RNG.normal(size=(32, 1)).astype("float32")

CASES = {
    "batchnorm_dense": (
        lambda k: k.Sequential(
            [k.Input((6,)), k.layers.Dense(8), k.layers.BatchNormalization(), k.layers.ReLU(),
             k.layers.Dense(1)]
        ),
        X2,
    ),
    "batchnorm_4d_channels_last": (
        lambda k: k.Sequential(
            [k.Input((5, 5, 3)), k.layers.BatchNormalization(momentum=0.9), k.layers.Flatten(),
             k.layers.Dense(1)]
        ),
        X4,
    ),
    "layernorm_leaky": (
        lambda k: k.Sequential(
            [k.Input((6,)), k.layers.Dense(8), k.layers.LayerNormalization(),
             k.layers.LeakyReLU(), k.layers.Dense(1)]
        ),
        X2,
    ),
    "prelu_elu_unitnorm": (
        lambda k: k.Sequential(
            [k.Input((6,)), k.layers.Dense(8), k.layers.PReLU(alpha_initializer="ones"),
             k.layers.ELU(), k.layers.UnitNormalization(), k.layers.Dense(1)]
        ),
        X2,
    ),
    "reshaping": (
        lambda k: k.Sequential(
            [k.Input((6,)), k.layers.Reshape((2, 3)), k.layers.Permute((2, 1)),
             k.layers.Flatten(), k.layers.RepeatVector(2), k.layers.Flatten(), k.layers.Dense(1)]
        ),
        X2,
    ),
    "rescaling_softmax": (
        lambda k: k.Sequential(
            [k.Input((6,)), k.layers.Rescaling(0.5, 1.0), k.layers.Dense(3), k.layers.Softmax(),
             k.layers.Dense(1)]
        ),
        X2,
    ),
    "embedding": (
        lambda k: k.Sequential(
            [k.Input((4,), dtype="int32"), k.layers.Embedding(10, 3), k.layers.Flatten(),
             k.layers.Dense(1)]
        ),
        XI,
    ),
    "activity_regularization": (
        lambda k: k.Sequential(
            [k.Input((6,)), k.layers.Dense(4, activity_regularizer=k.regularizers.L2(0.1)),
             k.layers.ActivityRegularization(0.01, 0.02), k.layers.Dense(1)]
        ),
        X2,
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(CASES))
def test_layer_trains_like_keras(case) -> None:
    build, x = CASES[case]
    theirs, ours, hk, hn = train_both(
        build,
        x,
        Y1,
        {"optimizer": lambda lib: lib.optimizers.SGD(0.05), "loss": "mse"},
        {"batch_size": 8, "epochs": 2},
    )
    assert [w.shape for w in ours.get_weights()] == [tuple(w.shape) for w in theirs.get_weights()]
    assert_same_training(theirs, ours, hk, hn, x)


def test_batchnorm_frozen_runs_in_inference_mode_like_keras() -> None:
    def build(k):
        model = k.Sequential([k.Input((6,)), k.layers.BatchNormalization(), k.layers.Dense(1)])
        model.layers[0].trainable = False
        return model

    theirs, ours, hk, hn = train_both(
        build,
        X2,
        Y1,
        {"optimizer": lambda lib: lib.optimizers.SGD(0.05), "loss": "mse"},
        {"batch_size": 8, "epochs": 2},
    )
    assert_same_training(theirs, ours, hk, hn, X2)
    assert len(ours.layers[0].trainable_weights) == 0


def test_normalization_adapt_and_noise_layers() -> None:
    theirs, ours = keras.layers.Normalization(), nk.layers.Normalization()
    theirs.adapt(X2)
    ours.adapt(X2)
    np.testing.assert_allclose(ours(X2).data, theirs(X2).cpu().numpy(), rtol=1e-5, atol=1e-6)
    assert [w.shape for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]
    inverse = nk.layers.Normalization(mean=ours.mean.data, variance=ours.variance.data, invert=True)
    np.testing.assert_allclose(inverse(ours(X2)).data, X2, rtol=1e-5, atol=1e-5)
    noise = nk.layers.GaussianNoise(0.5, seed=1)
    np.testing.assert_array_equal(noise(X2).data, X2)  # identity outside training
    noisy = noise(np.zeros((4000, 1)), training=True).data
    assert abs(noisy.std() - 0.5) < 0.03
    drop = nk.layers.GaussianDropout(0.5, seed=1)
    scaled = drop(np.ones((4000, 1)), training=True).data
    assert abs(scaled.mean() - 1) < 0.05 and abs(scaled.std() - 1.0) < 0.05  # sqrt(.5/.5) = 1
