"""scikit-learn's estimator protocol on nnlab's estimators: parameters, clone, errors, pipelines."""

import pickle
import subprocess
import sys
import warnings

import numpy as np
import pytest
from sklearn import exceptions, linear_model, preprocessing
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.utils.validation import check_is_fitted

from nnlab.linear_model import (
    BayesianLinearRegression,
    DataConversionWarning,
    LinearRegression,
    LogisticRegression,
    NotFittedError,
    PolynomialFeatures,
    Ridge,
    SoftmaxRegression,
)


def cubic_data(n: int = 60, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """f(x) = x^3 - 4x^2 + 3x - 2 (the course's polynomial) plus N(0, 0.5^2) noise, x in [-1, 3]."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 3, (n, 1))
    return x, (x**3 - 4 * x**2 + 3 * x - 2)[:, 0] + rng.normal(0, 0.5, n)


def test_get_params_set_params_and_repr() -> None:
    model = LogisticRegression(l2=0.5, solver="gd")
    assert model.get_params() == {
        "l2": 0.5,
        "fit_intercept": True,
        "solver": "gd",
        "learning_rate": 0.1,
        "max_iter": 1000,
        "tol": 1e-10,
    }
    assert repr(model) == "LogisticRegression(l2=0.5, solver='gd')"
    assert model.set_params(l2=2.0, max_iter=5) is model
    assert (model.l2, model.max_iter) == (2.0, 5)
    assert repr(Ridge()) == "Ridge()"
    with pytest.raises(ValueError, match="invalid parameter 'C' for LogisticRegression"):
        model.set_params(C=1.0)


def test_clone_copies_parameters_not_fitted_state() -> None:
    X, y = cubic_data()
    prior_mean = np.zeros(2)
    model = BayesianLinearRegression(alpha=3.0, prior_mean=prior_mean).fit(np.c_[X, X**2], y)
    copy = clone(model)
    assert copy.get_params()["alpha"] == 3.0
    np.testing.assert_array_equal(copy.prior_mean, prior_mean)
    assert copy.prior_mean is not prior_mean  # clone deep-copies the parameters
    assert not hasattr(copy, "mean_")
    check_is_fitted(model)
    with pytest.raises(exceptions.NotFittedError):
        check_is_fitted(copy)


def test_estimator_types() -> None:
    assert is_regressor(Ridge()) and is_regressor(BayesianLinearRegression())
    assert is_classifier(LogisticRegression()) and is_classifier(SoftmaxRegression())
    assert not is_regressor(PolynomialFeatures()) and not is_classifier(PolynomialFeatures())


@pytest.mark.parametrize(
    ("estimator", "method"),
    [
        (LinearRegression(), "predict"),
        (BayesianLinearRegression(), "predict"),
        (PolynomialFeatures(), "transform"),
        (LogisticRegression(), "predict"),
        (SoftmaxRegression(), "decision_function"),
    ],
    ids=lambda v: v if isinstance(v, str) else type(v).__name__,
)
def test_not_fitted_error_is_caught_as_sklearns_and_as_value_error(
    estimator: object, method: str
) -> None:
    for caught in (NotFittedError, exceptions.NotFittedError, ValueError, AttributeError):
        with pytest.raises(caught, match=f"This {type(estimator).__name__} instance is not fitted"):
            getattr(estimator, method)(np.ones((2, 1)))


def test_not_fitted_error_survives_pickling() -> None:
    with pytest.raises(exceptions.NotFittedError) as info:
        Ridge().predict(np.ones((2, 1)))
    copy = pickle.loads(pickle.dumps(info.value))
    assert isinstance(copy, exceptions.NotFittedError) and isinstance(copy, NotFittedError)
    assert copy.args == info.value.args


def test_numbers_stored_as_objects_are_accepted() -> None:
    X, y = cubic_data()
    as_objects = Ridge().fit(X.astype(object), y.astype(object))
    np.testing.assert_array_equal(as_objects.coef_, Ridge().fit(X, y).coef_)
    labels = (y > -2).astype(object)
    proba = LogisticRegression().fit(X.astype(object), labels).predict_proba(X.astype(object))
    np.testing.assert_array_equal(proba, LogisticRegression().fit(X, y > -2).predict_proba(X))
    with pytest.raises(TypeError, match="X must hold numbers .*not 'dict'"):
        Ridge().fit(np.array([[1.0], [{"a": 1}]], dtype=object), [1.0, 2.0])


def test_column_vector_y_is_raveled_with_sklearns_warning() -> None:
    X, y = cubic_data()
    with pytest.warns(exceptions.DataConversionWarning, match="column-vector y"):
        column = Ridge().fit(X, y[:, None])
    assert issubclass(exceptions.DataConversionWarning, UserWarning)
    np.testing.assert_allclose(column.coef_, Ridge().fit(X, y).coef_)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(DataConversionWarning):
            LogisticRegression().fit(X, (y > 0)[:, None])
    with pytest.raises(ValueError, match=r"y must be 1-D \(n_samples,\), got shape \(60, 2\)"):
        Ridge().fit(X, np.c_[y, y])


def test_sklearn_is_not_imported_by_nnlab() -> None:
    code = (
        "import sys, numpy as np\n"
        "from nnlab.linear_model import LogisticRegression, NotFittedError\n"
        "X = np.c_[np.arange(6.0)]\n"
        "LogisticRegression(l2=1.0).fit(X, [0, 0, 1, 0, 1, 1]).predict(X)\n"
        "try:\n"
        "    LogisticRegression().predict(X)\n"
        "except NotFittedError:\n"
        "    pass\n"
        "assert not any(m.startswith('sklearn') for m in sys.modules), 'sklearn imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_softmax_decision_function_is_one_column_for_two_classes() -> None:
    X, y = cubic_data()
    labels = np.where(y > -2, "high", "low")
    model = SoftmaxRegression(l2=1.0).fit(X, labels)
    scores, proba = model.decision_function(X), model.predict_proba(X)
    assert scores.shape == (60,)
    np.testing.assert_allclose(scores, np.log(proba[:, 1] / proba[:, 0]), atol=1e-10)
    three = SoftmaxRegression(l2=1.0).fit(X, np.digitize(y, [-4, -1]))
    assert three.decision_function(X).shape == (60, 3)


def grid_search(polynomial: type, ridge: type, X: np.ndarray, y: np.ndarray) -> GridSearchCV:
    return GridSearchCV(
        make_pipeline(polynomial(), ridge()),
        {"polynomialfeatures__degree": range(1, 10), "ridge__alpha": [1e-3]},
        cv=KFold(5, shuffle=True, random_state=0),
        scoring="neg_mean_squared_error",
    ).fit(X, y)


def test_grid_search_over_a_pipeline_picks_a_sensible_degree() -> None:
    # Degrees 1 and 2 under-fit the cubic; 3 and above all contain it, and with 30 points the
    # variance of the extra coefficients makes the cross-validated error rise again after ~5.
    X, y = cubic_data(n=30)
    search = grid_search(PolynomialFeatures, Ridge, X, y)
    degree = search.best_params_["polynomialfeatures__degree"]
    assert 3 <= degree <= 5
    assert search.best_estimator_[-1].coef_.shape == (degree + 1,)  # 1, x, ..., x^degree
    mse = -search.cv_results_["mean_test_score"]
    assert mse[:2].min() > 4 * mse.min()  # under-fitting is clearly worse
    # the same search with scikit-learn's own estimators: the same cross-validated errors
    reference = grid_search(preprocessing.PolynomialFeatures, linear_model.Ridge, X, y)
    np.testing.assert_allclose(mse, -reference.cv_results_["mean_test_score"], rtol=1e-6)


def test_cross_val_score_on_a_classifier() -> None:
    X, y = cubic_data()
    scores = cross_val_score(LogisticRegression(l2=1.0), X, y > -2, cv=3)
    assert scores.shape == (3,) and np.all(scores > 0.7)
