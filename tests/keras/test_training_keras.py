"""fit/evaluate/predict arguments, checked against Keras 3 on the same model and data:
sample_weight, class_weight, validation_freq, initial_epoch, steps_per_epoch, return_dict."""

from __future__ import annotations

import numpy as np
import pytest

from .keras_oracle import assert_same_training, keras, nk, train_both

RNG = np.random.default_rng(0)
X = RNG.normal(size=(50, 4)).astype("float32")
Y = RNG.integers(0, 3, 50)
SW = RNG.random(50).astype("float32")


def _build(k):
    return k.Sequential(
        [
            k.Input((4,)),
            k.layers.Dense(5, activation="relu"),
            k.layers.Dense(3, activation="softmax"),
        ]
    )


CASES = {
    "sample_weight": {"sample_weight": SW},
    "class_weight": {"class_weight": {0: 1.0, 1: 2.0, 2: 0.5}},
    "validation_freq": {"validation_data": (X[:10], Y[:10]), "validation_freq": 2, "epochs": 4},
    "initial_epoch": {"initial_epoch": 2, "epochs": 4},
    "steps_per_epoch": {"steps_per_epoch": 3, "epochs": 3},
}


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("case", sorted(CASES))
def test_fit_arguments_like_keras(case) -> None:
    fit_kwargs = {"batch_size": 8, "epochs": 2, **CASES[case]}
    theirs, ours, hk, hn = train_both(
        _build,
        X,
        Y,
        {
            "optimizer": lambda lib: lib.optimizers.SGD(0.1),
            "loss": "sparse_categorical_crossentropy",
            "metrics": ["accuracy"],
        },
        fit_kwargs,
    )
    assert_same_training(theirs, ours, hk, hn, X)
    ek = theirs.evaluate(X, Y, sample_weight=SW, verbose=0, return_dict=True)
    en = ours.evaluate(X, Y, sample_weight=SW, verbose=0, return_dict=True)
    assert en == pytest.approx(ek, rel=1e-5)


def test_predict_batch_size_and_callbacks() -> None:
    model = _build(nk)
    seen: list[int] = []

    class Count(nk.callbacks.Callback):
        def on_predict_batch_end(self, batch, logs=None):
            seen.append(batch)

    out = model.predict(X, batch_size=16, verbose=0, callbacks=[Count()])
    assert out.shape == (50, 3) and seen == [0, 1, 2, 3]
    theirs = _build(keras)
    model.set_weights(theirs.get_weights())
    np.testing.assert_allclose(
        model.predict(X, verbose=0), theirs.predict(X, verbose=0), rtol=1e-5, atol=1e-6
    )


def test_class_weight_and_sample_weight_together_are_refused() -> None:
    model = _build(nk)
    model.compile("sgd", "sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match="class_weight and sample_weight"):
        model.fit(X, Y, class_weight={0: 1.0}, sample_weight=SW, verbose=0)
