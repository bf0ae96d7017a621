"""fit / evaluate / predict on batches made in Python (a generator, a ``PyDataset``) against
Keras 3 (KERAS_BACKEND=torch): same initial weights, same batches; history, weights, outputs."""

from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")

from nnlab import keras as nk  # noqa: E402

RNG = np.random.default_rng(0)
X = RNG.normal(size=(40, 5)).astype(np.float32)
Y = RNG.integers(0, 3, 40)
TOL = {"rtol": 1e-5, "atol": 1e-6}


def _pair():
    def build(lib):
        return lib.Sequential(
            [
                lib.Input(shape=(5,)),
                lib.layers.Dense(4, activation="relu"),
                lib.layers.Dense(3, activation="softmax"),
            ]
        )

    theirs, ours = build(keras), build(nk)
    ours.set_weights(theirs.get_weights())
    for lib, model in ((keras, theirs), (nk, ours)):
        model.compile(
            optimizer=lib.optimizers.SGD(0.1),
            loss="sparse_categorical_crossentropy",
            metrics=["accuracy"],
        )
    return theirs, ours


def _generator(batch: int = 8, sample_weight: bool = False):
    while True:  # endless, as Keras's docs write them
        for i in range(0, len(X), batch):
            item = (X[i : i + batch], Y[i : i + batch])
            yield (*item, np.linspace(0.5, 1.5, len(item[0]))) if sample_weight else item


def _assert_same(theirs, ours, hk, hn) -> None:
    assert sorted(hk.history) == sorted(hn.history)
    assert hk.epoch == hn.epoch
    for key in hk.history:
        np.testing.assert_allclose(hn.history[key], hk.history[key], **TOL, err_msg=key)
    for a, b in zip(theirs.get_weights(), ours.get_weights(), strict=True):
        np.testing.assert_allclose(b, np.asarray(a), rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("sample_weight", [False, True])
def test_fit_on_a_generator_with_steps_per_epoch(sample_weight: bool) -> None:
    theirs, ours = _pair()
    kwargs = {"epochs": 3, "steps_per_epoch": 3, "verbose": 0, "shuffle": False}
    hk = theirs.fit(_generator(sample_weight=sample_weight), **kwargs)
    hn = ours.fit(_generator(sample_weight=sample_weight), **kwargs)
    _assert_same(theirs, ours, hk, hn)  # epochs continue through the generator (9 batches)
    want = theirs.evaluate(_generator(), steps=4, verbose=0, return_dict=True)
    got = ours.evaluate(_generator(), steps=4, verbose=0, return_dict=True)
    assert sorted(got) == sorted(want)
    for key in want:
        np.testing.assert_allclose(got[key], want[key], **TOL)
    batches = ((x,) for x, _ in _generator())
    np.testing.assert_allclose(
        ours.predict(batches, steps=3, verbose=0),
        theirs.predict(((x,) for x, _ in _generator()), steps=3, verbose=0),
        **TOL,
    )


def test_a_finite_generator_makes_one_epoch() -> None:
    theirs, ours = _pair()
    finite = [(X[i : i + 10], Y[i : i + 10]) for i in range(0, 40, 10)]
    hk = theirs.fit((b for b in finite), epochs=1, verbose=0, shuffle=False)
    hn = ours.fit(iter(finite), epochs=1, verbose=0)  # any iterator, not only a generator
    _assert_same(theirs, ours, hk, hn)
    with pytest.warns(UserWarning, match="ran out of data"):
        history = ours.fit(iter(finite[:2]), epochs=1, steps_per_epoch=3, verbose=0)
    assert len(history.history["loss"]) == 1


class _Base:
    """The same dataset for both libraries (mixed into each one's PyDataset)."""

    def __init__(self, batch: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.batch = batch
        self.epochs_ended = 0

    def __len__(self) -> int:
        return -(-len(X) // self.batch)

    def __getitem__(self, index: int):
        part = slice(index * self.batch, (index + 1) * self.batch)
        return X[part], Y[part]

    def on_epoch_end(self) -> None:
        self.epochs_ended += 1


class KerasData(_Base, keras.utils.PyDataset):
    pass


class NnlabData(_Base, nk.utils.PyDataset):
    pass


@pytest.mark.parametrize("steps_per_epoch", [None, 3])
def test_fit_on_a_py_dataset(steps_per_epoch: int | None) -> None:
    theirs, ours = _pair()
    # Keras with workers > 1 builds batches in threads (its order is then not reproducible);
    # nnlab accepts the arguments and builds them in order
    ktrain, ntrain = KerasData(7), NnlabData(7, workers=2, use_multiprocessing=True)
    kval, nval = KerasData(16), NnlabData(16)
    kwargs = {"epochs": 3, "verbose": 0, "shuffle": False, "steps_per_epoch": steps_per_epoch}
    hk = theirs.fit(ktrain, validation_data=kval, **kwargs)
    hn = ours.fit(ntrain, validation_data=nval, **kwargs)
    _assert_same(theirs, ours, hk, hn)
    assert ntrain.epochs_ended == ktrain.epochs_ended == 4  # once more before the first epoch
    assert nval.epochs_ended == kval.epochs_ended
    assert ntrain.workers == 2 and ntrain.use_multiprocessing and ntrain.max_queue_size == 10
    np.testing.assert_allclose(
        ours.predict(NnlabData(16), verbose=0), theirs.predict(KerasData(16), verbose=0), **TOL
    )


def test_py_dataset_shuffle_visits_every_batch_once_per_epoch() -> None:
    _, ours = _pair()
    seen: list[int] = []

    class Recording(NnlabData):
        def __getitem__(self, index: int):
            seen.append(index)
            return super().__getitem__(index)

    ours.fit(Recording(7), epochs=2, verbose=0)  # shuffle=True: a new order each epoch
    assert sorted(seen[:6]) == sorted(seen[6:]) == list(range(6))


def test_a_generator_refuses_y_batch_size_and_validation_split() -> None:
    _, ours = _pair()
    for kwargs in ({"y": Y}, {"batch_size": 8}, {"validation_split": 0.2}):
        with pytest.raises(ValueError, match="generator or a PyDataset"):
            ours.fit(_generator(), steps_per_epoch=2, verbose=0, **kwargs)
    with pytest.raises(ValueError, match="steps_per_epoch must be a positive integer"):
        ours.fit(_generator(), steps_per_epoch=0, verbose=0)


def test_a_bad_batch_is_reported_with_its_shape() -> None:
    _, ours = _pair()
    bad = iter([(X[:8, :4], Y[:8])])
    with pytest.raises(ValueError, match="expects 5 input features"):
        ours.fit(bad, verbose=0)
