"""Linear models in plain NumPy, with scikit-learn's conventions (``fit`` returns ``self``,
fitted attributes end in ``_``): least squares, ridge, polynomial features, Bayesian linear
regression, logistic and softmax regression.
"""

from nnlab.linear_model.bayesian import BayesianLinearRegression
from nnlab.linear_model.least_squares import LinearRegression, Ridge
from nnlab.linear_model.logistic import LogisticRegression, SoftmaxRegression
from nnlab.linear_model.polynomial import PolynomialFeatures

__all__ = [
    "BayesianLinearRegression",
    "LinearRegression",
    "LogisticRegression",
    "PolynomialFeatures",
    "Ridge",
    "SoftmaxRegression",
]
