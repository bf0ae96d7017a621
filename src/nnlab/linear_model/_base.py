"""scikit-learn's estimator protocol, implemented without importing scikit-learn.

An estimator stores its constructor arguments unchanged (validation happens in ``fit``), so
``get_params`` reads them back by the names in the ``__init__`` signature and
``sklearn.base.clone`` can rebuild an unfitted copy: that is what ``Pipeline``, ``GridSearchCV`` and
``cross_val_score`` need. ``fit`` sets ``n_features_in_`` (with the attributes ending in ``_``);
``__sklearn_is_fitted__`` reports it, and ``predict`` & co. raise :class:`NotFittedError` before it.

scikit-learn stays a test dependency: its ``Tags`` dataclasses are imported inside
``__sklearn_tags__``, which only scikit-learn calls, and its exception classes are reached through
``sys.modules`` (see :mod:`nnlab.linear_model._errors`), never imported by nnlab.
"""

from __future__ import annotations

import inspect
from typing import Any, ClassVar, Literal, TypeVar

import numpy as np
from numpy.typing import ArrayLike

from nnlab.linear_model._errors import NotFittedError, sklearn_compatible
from nnlab.linear_model._validation import check_regression_data

Kind = Literal["regressor", "classifier", "transformer"]
Self = TypeVar("Self", bound="BaseEstimator")


class BaseEstimator:
    """``get_params``/``set_params`` from the ``__init__`` signature, a repr showing the
    parameters that differ from their defaults, the fitted check and scikit-learn's tags.

    Subclasses set ``_kind`` (what scikit-learn calls the estimator type) and store every
    ``__init__`` argument unchanged as an attribute of the same name.
    """

    _kind: ClassVar[Kind]
    _multi_class: ClassVar[bool] = True  # a classifier of more than two classes
    n_features_in_: int

    @classmethod
    def _parameters(cls) -> dict[str, inspect.Parameter]:
        """The ``__init__`` parameters, by name (``self`` excluded)."""
        signature = inspect.signature(cls.__init__)
        return {name: p for name, p in signature.parameters.items() if name != "self"}

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor arguments, by name. No parameter of nnlab's estimators is itself an
        estimator, so ``deep`` changes nothing (it is accepted for scikit-learn's protocol)."""
        return {name: getattr(self, name) for name in self._parameters()}

    def set_params(self: Self, **params: Any) -> Self:
        """Set constructor arguments by name (validated at the next ``fit``); returns ``self``."""
        valid = self._parameters()
        for name, value in params.items():
            if name not in valid:
                raise ValueError(
                    f"invalid parameter {name!r} for {type(self).__name__}; "
                    f"valid parameters are {sorted(valid)}"
                )
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        changed = [
            f"{name}={getattr(self, name)!r}"
            for name, p in self._parameters().items()
            if not _same(getattr(self, name), p.default)
        ]
        return f"{type(self).__name__}({', '.join(changed)})"

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "n_features_in_")

    def _check_fitted(self) -> None:
        if not self.__sklearn_is_fitted__():
            raise sklearn_compatible(NotFittedError)(
                f"This {type(self).__name__} instance is not fitted yet; call fit(X, y) first"
            )

    def __sklearn_tags__(self) -> Any:
        """scikit-learn's ``Tags`` for this estimator (imported here: only scikit-learn calls
        this). Dense, finite, 2-D numeric input; one 1-D target, required unless a transformer."""
        from sklearn.utils import (
            ClassifierTags,
            RegressorTags,
            Tags,
            TargetTags,
            TransformerTags,
        )

        tags = Tags(
            estimator_type=self._kind,
            target_tags=TargetTags(required=self._kind != "transformer"),
        )
        if self._kind == "classifier":
            tags.classifier_tags = ClassifierTags(multi_class=self._multi_class)
        elif self._kind == "regressor":
            tags.regressor_tags = RegressorTags()
        else:
            tags.transformer_tags = TransformerTags()
        return tags


class Regressor(BaseEstimator):
    """A regressor: ``predict(X)`` of shape (n_samples,) and its R^2 ``score``."""

    _kind = "regressor"

    def predict(self, X: ArrayLike) -> np.ndarray:
        raise NotImplementedError

    def score(self, X: ArrayLike, y: ArrayLike) -> float:
        """Coefficient of determination R^2 = 1 - RSS / sum (y - mean(y))^2."""
        X_arr, t = check_regression_data(X, y)
        rss = float(np.sum((t - self.predict(X_arr)) ** 2))
        tss = float(np.sum((t - t.mean()) ** 2))
        return 1.0 - rss / tss


def _same(value: Any, default: Any) -> bool:
    """Whether a parameter still has its default (identity first: NaN and arrays compare oddly)."""
    if value is default:
        return True
    try:
        return bool(value == default) and type(value) is type(default)
    except (TypeError, ValueError):
        return False
