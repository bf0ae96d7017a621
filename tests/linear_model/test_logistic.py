import numpy as np
import pytest
from sklearn import linear_model

from nnlab.linear_model import LogisticRegression, SoftmaxRegression


def sklearn_logistic(C: float) -> linear_model.LogisticRegression:
    """scikit-learn's multinomial/binary logistic regression solved tightly; C=np.inf: no penalty
    (scikit-learn >= 1.8 spells 'no penalty' C=np.inf; older versions penalty=None)."""
    return linear_model.LogisticRegression(C=C, tol=1e-12, max_iter=10_000)


def binary_data(n: int = 200, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    y = (X @ [1.0, -2.0, 0.5] + 0.3 + rng.normal(size=n) > 0).astype(int)  # overlapping classes
    return X, y


def multiclass_data(n: int = 300, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    k = np.argmax(X @ rng.normal(size=(4, 3)) + rng.normal(size=(n, 3)), axis=1)
    return X, np.array(["cat", "dog", "emu"])[k]


def test_unregularized_logistic_matches_sklearn_C_inf() -> None:
    X, y = binary_data()
    ours = LogisticRegression().fit(X, y)
    ref = sklearn_logistic(np.inf).fit(X, y)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-4)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-4)
    assert ours.coef_.shape == (1, 3) and ours.intercept_.shape == (1,)
    assert ours.converged_ and ours.n_iter_ < 20
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))
    assert ours.score(X, y) == pytest.approx(ref.score(X, y))


@pytest.mark.parametrize("l2", [0.5, 5.0])
def test_regularized_logistic_matches_sklearn(l2: float) -> None:
    X, y = binary_data(seed=3)
    ours = LogisticRegression(l2=l2).fit(X, y)
    ref = sklearn_logistic(1.0 / l2).fit(X, y)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-4)


def test_gradient_descent_solver_reaches_the_newton_solution() -> None:
    X, y = binary_data()
    newton = LogisticRegression(l2=1.0).fit(X, y)
    gd = LogisticRegression(l2=1.0, solver="gd", learning_rate=1.0, max_iter=20_000, tol=1e-8)
    gd.fit(X, y)
    assert gd.converged_
    np.testing.assert_allclose(gd.predict_proba(X), newton.predict_proba(X), atol=1e-6)


def test_softmax_l2_1_matches_sklearn_multinomial_C_1() -> None:
    X, y = multiclass_data()
    ours = SoftmaxRegression(l2=1.0).fit(X, y)
    ref = sklearn_logistic(1.0).fit(X, y)
    np.testing.assert_array_equal(ours.classes_, ref.classes_)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-4)
    assert ours.coef_.shape == (3, 4) and ours.intercept_.shape == (3,)
    np.testing.assert_allclose(ours.predict_proba(X).sum(axis=1), 1.0)
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))


def test_unregularized_softmax_matches_sklearn_and_gd() -> None:
    X, y = multiclass_data(seed=4)
    ours = SoftmaxRegression().fit(X, y)
    ref = sklearn_logistic(np.inf).fit(X, y)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-4)
    gd = SoftmaxRegression(solver="gd", learning_rate=1.0, max_iter=20_000, tol=1e-7).fit(X, y)
    np.testing.assert_allclose(gd.predict_proba(X), ours.predict_proba(X), atol=1e-4)


def test_softmax_on_two_classes_agrees_with_logistic() -> None:
    X, y = binary_data()
    soft = SoftmaxRegression(l2=2.0).fit(X, y).predict_proba(X)
    # softmax with l2 on both class vectors = logistic on w_1 - w_0 with l2 / 2
    logit = LogisticRegression(l2=1.0).fit(X, y).predict_proba(X)
    np.testing.assert_allclose(soft, logit, atol=1e-8)


def test_bad_input() -> None:
    X, y = binary_data()
    with pytest.raises(ValueError, match="one class"):
        LogisticRegression().fit(X, np.zeros(len(y)))
    with pytest.raises(ValueError, match="Only binary .* 3 classes: use SoftmaxRegression"):
        LogisticRegression().fit(X, np.arange(len(y)) % 3)
    with pytest.raises(ValueError, match="Unknown label type: continuous"):
        SoftmaxRegression().fit(X, X[:, 0])
    with pytest.raises(ValueError, match="different numbers of samples"):
        SoftmaxRegression().fit(X, y[:-2])
    X_nan = X.copy()
    X_nan[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        LogisticRegression().fit(X_nan, y)
    with pytest.raises(ValueError, match="solver"):
        LogisticRegression(solver="lbfgs").fit(X, y)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_iter must be an integer >= 0"):
        LogisticRegression(max_iter=2.5).fit(X, y)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="learning_rate"):
        LogisticRegression(solver="gd", learning_rate=0.0).fit(X, y)
    with pytest.raises(FloatingPointError, match="learning rate"):
        LogisticRegression(solver="gd", learning_rate=1e300, max_iter=50).fit(X * 1e10, y)


def test_non_convergence_warns_with_advice() -> None:
    X = np.array([[-2.0], [-1.0], [1.0], [2.0]])
    with pytest.warns(RuntimeWarning, match="separable"):
        LogisticRegression(max_iter=5).fit(X, [0, 0, 1, 1])
