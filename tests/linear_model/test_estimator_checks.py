"""scikit-learn's own estimator checks (``check_estimator``), as shipped, one test case per check
(about 320 cases, a few seconds).

``EXPECTED_FAILED_CHECKS`` is the one list of deliberate exceptions, each with its reason; the
checks run in strict xfail mode, so a listed check that starts passing fails the suite. The skips
are scikit-learn's own: its array-API checks need ``SCIPY_ARRAY_API=1``, its pandas checks pandas.
"""

import warnings
from collections.abc import Callable

import numpy as np
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from nnlab.linear_model import (
    BayesianLinearRegression,
    LinearRegression,
    LogisticRegression,
    PolynomialFeatures,
    Ridge,
    SoftmaxRegression,
)
from nnlab.linear_model._base import BaseEstimator

ESTIMATORS = [
    LinearRegression(),
    Ridge(),
    PolynomialFeatures(),
    BayesianLinearRegression(),
    LogisticRegression(),
    SoftmaxRegression(),
]

# {estimator class: {check name: reason}}: the deliberate exceptions, and the only place they live.
# Empty: every check passes. (Sparse input, the usual exception, is refused with a TypeError that
# says so, which is what scikit-learn's sparse checks accept; see the last test below.)
EXPECTED_FAILED_CHECKS: dict[type[BaseEstimator], dict[str, str]] = {}


def expected_failed_checks(estimator: BaseEstimator) -> dict[str, str]:
    return EXPECTED_FAILED_CHECKS.get(type(estimator), {})


# nnlab implements the protocol instead of deriving from sklearn.base.BaseEstimator (scikit-learn
# is not a runtime dependency), which scikit-learn notes with a UserWarning when collecting checks.
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", "Estimator .* does not inherit from", UserWarning)
    checks = parametrize_with_checks(
        ESTIMATORS, expected_failed_checks=expected_failed_checks, xfail_strict=True
    )


@checks
def test_sklearn_estimator_check(
    estimator: BaseEstimator, check: Callable[[BaseEstimator], None]
) -> None:
    check(estimator)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_sparse_input_is_refused_with_a_clear_error(estimator: BaseEstimator) -> None:
    from scipy import sparse

    X = sparse.csr_array(np.eye(4))
    with pytest.raises(TypeError, match=r"sparse input is not supported.*X\.toarray\(\)"):
        estimator.fit(X, [0, 1, 0, 1])
