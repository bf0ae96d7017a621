"""nnlab's counterparts of scikit-learn's ``NotFittedError`` and ``DataConversionWarning``.

scikit-learn stays a test dependency: its classes are reached through ``sys.modules`` (see
:func:`sklearn_compatible`), never imported by nnlab.
"""

from __future__ import annotations

import functools
import sys
from typing import TypeVar


class NotFittedError(ValueError, AttributeError):
    """``predict``, ``transform`` & co. called before ``fit``. A ``ValueError`` and an
    ``AttributeError``, like ``sklearn.exceptions.NotFittedError``."""


class DataConversionWarning(UserWarning):
    """The input was converted (a column vector y raveled), like scikit-learn's warning."""


E = TypeVar("E", bound=type)


@functools.cache
def _twin(ours: type, theirs: type) -> type:
    def __reduce__(self: BaseException) -> tuple[object, ...]:
        return _rebuild, (ours, self.args)  # pickled by reference to ``ours``, e.g. by joblib

    return type(
        ours.__name__, (ours, theirs), {"__module__": ours.__module__, "__reduce__": __reduce__}
    )


def _rebuild(ours: type, args: tuple[object, ...]) -> object:
    return sklearn_compatible(ours)(*args)


def sklearn_compatible(ours: E) -> E:
    """``ours``, or, once ``sklearn.exceptions`` is imported, a subclass of both ``ours`` and
    scikit-learn's class of the same name, so that ``except sklearn.exceptions.NotFittedError``
    (and warning filters on ``DataConversionWarning``) catch nnlab's too. A program that never
    imported scikit-learn cannot name its classes, so ``ours`` alone is then enough."""
    theirs = getattr(sys.modules.get("sklearn.exceptions"), ours.__name__, None)
    return ours if theirs is None else _twin(ours, theirs)  # type: ignore[return-value]
