"""Linear models in plain NumPy, with scikit-learn's estimator protocol: least squares, ridge,
polynomial features, Bayesian linear regression, logistic and softmax regression.

Each estimator passes scikit-learn's ``check_estimator`` (run by
``tests/linear_model/test_estimator_checks.py``, which lists any deliberate exception) and so
works with ``sklearn.base.clone``, ``Pipeline`` and ``GridSearchCV``: the constructor stores its
arguments unchanged (``get_params``/``set_params``), ``fit`` checks them and the data and returns
``self``, fitted attributes end in ``_``, ``predict`` & co. raise :class:`NotFittedError` before
``fit``. scikit-learn is not needed to use them.
"""

from nnlab.linear_model._errors import DataConversionWarning, NotFittedError
from nnlab.linear_model.bayesian import BayesianLinearRegression
from nnlab.linear_model.least_squares import LinearRegression, Ridge
from nnlab.linear_model.logistic import LogisticRegression, SoftmaxRegression
from nnlab.linear_model.polynomial import PolynomialFeatures

__all__ = [
    "BayesianLinearRegression",
    "DataConversionWarning",
    "LinearRegression",
    "LogisticRegression",
    "NotFittedError",
    "PolynomialFeatures",
    "Ridge",
    "SoftmaxRegression",
]
