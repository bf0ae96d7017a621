"""Linear models in plain NumPy, with scikit-learn's conventions (``fit`` returns ``self``,
fitted attributes end in ``_``): least squares, ridge, polynomial features, Bayesian linear
regression, logistic and softmax regression.
"""

import sys
import types
from typing import Any

from nnlab.linear.bayesian import BayesianLinearRegression
from nnlab.linear.least_squares import LinearRegression, Ridge
from nnlab.linear.logistic import LogisticRegression, SoftmaxRegression
from nnlab.linear.polynomial import PolynomialFeatures

__all__ = [
    "BayesianLinearRegression",
    "LinearRegression",
    "LogisticRegression",
    "PolynomialFeatures",
    "Ridge",
    "SoftmaxRegression",
]


class _CallableModule(types.ModuleType):
    """``nnlab.linear`` names both this package and the engine's fused op
    ``nnlab.linear(x, weight, bias)``. Importing the package rebinds the attribute on ``nnlab`` to
    the module, so calling the module forwards to the op and both spellings keep working."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from nnlab.autograd import linear

        return linear(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
