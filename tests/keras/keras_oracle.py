"""Helpers for comparing nnlab.keras with Keras 3 (torch backend) on the same model."""

from __future__ import annotations

import os

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402

from nnlab import keras as nk  # noqa: E402

TOL = dict(rtol=2e-5, atol=2e-6)


def build_twins(theirs, ours, shape, rng, scale=0.2):
    """Build Keras's layer and nnlab's on ``shape`` and give both Keras's initial weights plus
    the same noise (so that a bias at zero or a kernel of ones cannot hide a mistake)."""
    theirs.build(shape)
    ours.build(shape)
    weights = [
        np.asarray(w) + rng.normal(0, scale, w.shape).astype(np.float32)
        for w in theirs.get_weights()
    ]
    theirs.set_weights(weights)
    ours.set_weights(weights)
    return theirs, ours


def train_both(build, x, y, compile_kwargs, fit_kwargs):
    """Build the model with both libraries, copy Keras's initial weights into nnlab's, compile
    and fit both with shuffle=False; return (keras model, nnlab model, keras history, nnlab's)."""
    theirs, ours = build(keras), build(nk)
    ours.set_weights(theirs.get_weights())
    for lib, model in ((keras, theirs), (nk, ours)):
        kwargs = {k: (v(lib) if callable(v) else v) for k, v in compile_kwargs.items()}
        model.compile(**kwargs)
    hk = theirs.fit(x, y, shuffle=False, verbose=0, **fit_kwargs)
    hn = ours.fit(x, y, shuffle=False, verbose=0, **fit_kwargs)
    return theirs, ours, hk.history, hn.history


def assert_same_training(theirs, ours, hk, hn, x, loss_rtol=1e-5):
    assert sorted(hk) == sorted(hn)
    for key in hk:
        np.testing.assert_allclose(hn[key], hk[key], rtol=loss_rtol, atol=1e-6, err_msg=key)
    for a, b in zip(theirs.get_weights(), ours.get_weights(), strict=True):
        np.testing.assert_allclose(b, np.asarray(a), rtol=1e-4, atol=1e-5)
    pk, pn = theirs.predict(x, verbose=0), ours.predict(x, verbose=0)
    for a, b in zip(
        pk if isinstance(pk, list) else [pk], pn if isinstance(pn, list) else [pn], strict=True
    ):
        np.testing.assert_allclose(b, a, rtol=1e-4, atol=1e-5)
