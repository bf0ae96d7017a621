"""Nadam against Keras 3: Keras's own tests (optimizers/nadam_test.py, imports changed), its
state (``_u_product``, the momentum-schedule product) and ``variables`` (paths, order, dtypes), the
.keras file, and a Nadam saved by one library continuing in the other."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from nnlab.keras import Variable, ops
from nnlab.keras.optimizers import Nadam

from .keras_oracle import TOL, keras, nk


# ------------------------------------------------------------------ Keras's own tests
def test_build_with_empty_var_list() -> None:
    optimizer = Nadam()
    optimizer.build([])
    assert optimizer._u_product is not None
    assert optimizer._u_product.dtype == "float32"  # backend.floatx()


def test_single_step() -> None:
    optimizer = Nadam(learning_rate=0.5)
    grads = ops.array([1.0, 6.0, 7.0, 2.0])
    var = Variable([1.0, 2.0, 3.0, 4.0])
    optimizer.apply_gradients(zip([grads], [var], strict=True))
    np.testing.assert_allclose(var.numpy(), [0.4686, 1.4686, 2.4686, 3.4686], rtol=1e-4, atol=1e-4)


def test_correctness_with_golden() -> None:
    optimizer = Nadam(learning_rate=0.5, beta_1=0.5, beta_2=0.67, epsilon=1e-5)
    x = Variable(np.ones([10], dtype="float32"))
    grads = ops.arange(0.1, 1.1, 0.1)
    first_grads = ops.full((10,), 0.01)
    # fmt: off
    golden = np.array(
        [[0.4281, 0.4281, 0.4281, 0.4281, 0.4281, 0.4281, 0.4281, 0.4281, 0.4281, 0.4281],
         [-0.1738, -0.1731, -0.1726, -0.1723, -0.1721, -0.172, -0.1719, -0.1718, -0.1718, -0.1717],
         [-0.7115, -0.7103, -0.7096, -0.7092, -0.709, -0.7088, -0.7086, -0.7085, -0.7085, -0.7084],
         [-1.2335, -1.2322, -1.2313, -1.2309, -1.2306, -1.2304, -1.2302, -1.2301, -1.23, -1.2299],
         [-1.7492, -1.7478, -1.7469, -1.7464, -1.7461, -1.7459, -1.7457, -1.7456, -1.7455, -1.7454]]
    )
    # fmt: on
    optimizer.apply_gradients(zip([first_grads], [x], strict=True))
    for i in range(5):
        np.testing.assert_allclose(x.numpy(), golden[i], rtol=5e-4, atol=5e-4)
        optimizer.apply_gradients(zip([grads], [x], strict=True))


# ------------------------------------------------------------------ against Keras 3
def _model(lib: Any) -> Any:
    lib.utils.clear_session()  # the automatic names ('variable' for Π) then agree
    inputs = lib.Input(shape=(3,), name="x")
    outputs = lib.layers.Dense(2, activation="tanh", name="dense_a")(inputs)
    model = lib.Model(inputs, lib.layers.Dense(1, name="dense_b")(outputs))
    model.compile(optimizer=lib.optimizers.Nadam(learning_rate=0.05), loss="mse")
    return model


def _data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(5)
    return rng.normal(size=(16, 3)).astype(np.float32), rng.normal(size=(16, 1)).astype(np.float32)


def _fit(model: Any, epochs: int) -> list[float]:
    x, y = _data()
    return model.fit(x, y, batch_size=4, epochs=epochs, shuffle=False, verbose=0).history["loss"]


def _pair() -> tuple[Any, Any]:
    theirs = _model(keras)
    ours = _model(nk)
    ours.set_weights(theirs.get_weights())
    return theirs, ours


def test_variables_paths_order_and_values_match_keras() -> None:
    theirs, ours = _pair()
    _fit(theirs, 2)
    _fit(ours, 2)
    kv = theirs.optimizer.variables
    assert ours.optimizer.variable_paths == [v.path for v in kv]
    assert ours.optimizer.variable_paths[-1] == "variable"  # Π, made by build, as Keras's
    for path, a, b in zip(ours.optimizer.variable_paths, ours.optimizer.variables, kv, strict=True):
        b = np.asarray(b.numpy())
        assert a.dtype == b.dtype and a.shape == b.shape, path
        np.testing.assert_allclose(a, b, err_msg=path, **TOL)  # float32 over 8 steps


def _optimizer_arrays(path: Path, tmp: Path) -> list[np.ndarray]:
    with zipfile.ZipFile(path) as archive:
        archive.extract("model.weights.h5", tmp)
    with h5py.File(tmp / "model.weights.h5") as f:
        group = f["optimizer/vars"]
        return [np.asarray(group[str(i)]) for i in range(len(group))]


def test_keras_file_optimizer_state_matches_keras(tmp_path: Path) -> None:
    theirs, ours = _pair()
    _fit(theirs, 2)
    _fit(ours, 2)
    theirs.save(tmp_path / "theirs.keras")
    ours.save(tmp_path / "ours.keras")
    saved_k = _optimizer_arrays(tmp_path / "theirs.keras", tmp_path / "k")
    saved_n = _optimizer_arrays(tmp_path / "ours.keras", tmp_path / "n")
    assert len(saved_n) == len(saved_k) == 2 + 2 * 4 + 1
    for i, (a, b) in enumerate(zip(saved_n, saved_k, strict=True)):
        assert a.dtype == b.dtype and a.shape == b.shape, i
        np.testing.assert_allclose(a, b, err_msg=str(i), **TOL)


def test_nadam_saved_by_either_library_continues_identically(tmp_path: Path) -> None:
    """Keras -> nnlab and nnlab -> Keras: a reloaded model trains on as the original does."""
    theirs, ours = _pair()
    _fit(theirs, 2)
    _fit(ours, 2)
    theirs.save(tmp_path / "theirs.keras")
    ours.save(tmp_path / "ours.keras")
    keras.utils.clear_session()
    nk.utils.clear_session()
    into_ours = nk.models.load_model(tmp_path / "theirs.keras")
    into_theirs = keras.models.load_model(tmp_path / "ours.keras")
    np.testing.assert_allclose(
        into_ours.optimizer._u_product.numpy(), theirs.optimizer._u_product.numpy()
    )
    losses = {name: _fit(m, 2) for name, m in [("k", theirs), ("n", ours), ("kn", into_ours)]}
    losses["nk"] = _fit(into_theirs, 2)
    np.testing.assert_allclose(losses["kn"], losses["k"], rtol=1e-5)
    np.testing.assert_allclose(losses["nk"], losses["n"], rtol=1e-5)
    for a, b in zip(theirs.get_weights(), into_ours.get_weights(), strict=True):
        np.testing.assert_allclose(b, np.asarray(a), rtol=1e-5, atol=1e-6)
