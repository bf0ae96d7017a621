import numpy as np
import pytest

import nnlab
from nnlab.optim.gradient_descent import GDResult, gradient_descent

A = np.array([[3.0, 0.5], [0.5, 1.0]])
B = np.array([1.0, -2.0])
MINIMUM = np.linalg.solve(A, B)  # of E = 1/2 x^T A x - b^T x


def quadratic(x: nnlab.Tensor) -> nnlab.Tensor:
    return 0.5 * (x * (nnlab.tensor(A) @ x)).sum() - (nnlab.tensor(B) * x).sum()


def rosenbrock(x: nnlab.Tensor) -> nnlab.Tensor:
    return (1.0 - x[0]) ** 2 + 100.0 * (x[1] - x[0] ** 2) ** 2


def test_quadratic_reaches_known_minimum_and_records_path() -> None:
    result = gradient_descent(quadratic, [0.0, 0.0], learning_rate=0.2, steps=500)
    assert isinstance(result, GDResult)
    assert result.trajectory.shape == (501, 2)
    assert result.losses.shape == (501,)
    np.testing.assert_allclose(result.x, MINIMUM, atol=1e-10)
    assert result.loss == pytest.approx(-0.5 * B @ MINIMUM, abs=1e-12)
    assert not result.diverged and not result.converged
    assert np.all(np.diff(result.losses) <= 1e-15)  # monotone for lr < 2 / lambda_max
    # first update is exactly u_1 = -eta grad E(theta_0) = -eta (A theta_0 - b)
    np.testing.assert_allclose(result.trajectory[1], 0.2 * B)


def test_tol_stops_early_with_converged_flag() -> None:
    result = gradient_descent(quadratic, np.zeros(2), learning_rate=0.2, steps=10_000, tol=1e-9)
    assert result.converged and not result.diverged
    assert result.n_steps < 10_000
    assert result.trajectory.shape == (result.n_steps + 1, 2)
    assert result.losses.shape == (result.n_steps + 1,)
    assert np.linalg.norm(result.trajectory[-1] - result.trajectory[-2]) < 1e-9
    np.testing.assert_allclose(result.x, MINIMUM, atol=1e-7)
    assert "converged" in result.reason


def test_rosenbrock_with_small_learning_rate() -> None:
    result = gradient_descent(rosenbrock, [-1.2, 1.0], learning_rate=1e-3, steps=20_000, tol=1e-10)
    assert not result.diverged
    np.testing.assert_allclose(result.x, [1.0, 1.0], atol=1e-3)
    assert result.losses[-1] < 1e-6 < result.losses[0]


def test_divergent_learning_rate_is_flagged_and_stops() -> None:
    result = gradient_descent(quadratic, [1.0, 1.0], learning_rate=1.0, steps=1000)
    assert result.diverged and not result.converged
    assert result.n_steps < 1000
    assert "lower the learning rate" in result.reason
    assert np.all(np.isfinite(result.x))
    assert abs(result.losses[-1]) > 1e12 or not np.isfinite(result.losses[-1])


def test_non_finite_parameters_are_flagged() -> None:
    # E(10) = 100 is fine but the step -1e308 * 20 overflows to -inf
    result = gradient_descent(
        lambda x: (x * x).sum(), [10.0], learning_rate=1e308, steps=5, max_loss=np.inf
    )
    assert result.diverged
    assert "parameters are not finite after step 1" in result.reason
    assert result.trajectory.shape == (2, 1) and result.losses.shape == (2,)
    assert np.isnan(result.losses[-1])
    np.testing.assert_allclose(result.x, [10.0])
    assert result.loss == 100.0


def test_scalar_and_matrix_parameters() -> None:
    scalar = gradient_descent(lambda x: (x - 3.0) ** 2, 0.0, learning_rate=0.25, steps=50)
    assert scalar.trajectory.shape == (51,)
    assert scalar.x == pytest.approx(3.0)
    target = np.arange(6.0).reshape(2, 3)
    mat = gradient_descent(
        lambda W: ((W - nnlab.tensor(target)) ** 2).sum(), np.zeros((2, 3)), 0.25, 50
    )
    assert mat.trajectory.shape == (51, 2, 3)
    np.testing.assert_allclose(mat.x, target)


def test_zero_steps_and_bad_arguments() -> None:
    result = gradient_descent(quadratic, [1.0, 2.0], learning_rate=0.1, steps=0)
    assert result.trajectory.shape == (1, 2) and result.losses.shape == (1,)
    with pytest.raises(ValueError, match="learning_rate"):
        gradient_descent(quadratic, [0.0, 0.0], learning_rate=-1.0, steps=10)
    with pytest.raises(ValueError, match="steps"):
        gradient_descent(quadratic, [0.0, 0.0], learning_rate=0.1, steps=-1)
    with pytest.raises(ValueError, match="scalar loss"):
        gradient_descent(lambda x: x * 2.0, [0.0, 0.0], learning_rate=0.1, steps=1)
    with pytest.raises(TypeError, match="nnlab Tensor"):
        gradient_descent(lambda x: 1.0, [0.0], learning_rate=0.1, steps=1)  # type: ignore[arg-type, return-value]
    with pytest.raises(ValueError, match="x0"):
        gradient_descent(quadratic, [np.nan, 0.0], learning_rate=0.1, steps=1)
