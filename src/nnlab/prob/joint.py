"""Joint distribution of several discrete random variables, stored as a probability table.

``table[i, j, ...] = P(X_0 = supports[0][i], X_1 = supports[1][j], ...)``.

    marginal       p(x) = sum_y p(x, y)
    conditional    p(x | y) = p(x, y) / p(y)
    independence   p(x, y) = p(x) p(y)                     for all x, y
    cond. indep.   p(x, y | z) = p(x | z) p(y | z)         for all x, y and every z with p(z) > 0
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from nnlab.prob._validation import as_probabilities
from nnlab.prob.discrete import Discrete


class JointDistribution:
    """P(X_0, ..., X_{k-1}) over named discrete variables.

    ``names``: k distinct variable names; ``supports``: k 1-D sequences of distinct values;
    ``table``: non-negative array of shape (len(supports[0]), ..., len(supports[k-1])) summing to 1.
    """

    def __init__(
        self, names: Sequence[str], supports: Sequence[ArrayLike], table: ArrayLike
    ) -> None:
        self.names: tuple[str, ...] = tuple(names)
        if len(set(self.names)) != len(self.names):
            raise ValueError(f"variable names must be distinct, got {self.names}")
        if len(supports) != len(self.names):
            raise ValueError(f"got {len(self.names)} names but {len(supports)} supports")
        self.supports: tuple[NDArray, ...] = tuple(np.asarray(s) for s in supports)
        for name, s in zip(self.names, self.supports, strict=True):
            if s.ndim != 1 or s.size == 0:
                raise ValueError(
                    f"support of {name!r} must be a non-empty 1-D sequence, got shape {s.shape}"
                )
            if np.unique(s).size != s.size:
                raise ValueError(f"support of {name!r} has repeated values: {s.tolist()}")
        table_arr = np.asarray(table, dtype=np.float64)
        expected = tuple(s.size for s in self.supports)
        if table_arr.shape != expected:
            raise ValueError(
                f"table has shape {table_arr.shape}; the supports of {self.names} need {expected}"
            )
        self.table: NDArray[np.float64] = as_probabilities(table_arr.ravel(), "table").reshape(
            expected
        )

    @classmethod
    def from_function(
        cls, names: Sequence[str], supports: Sequence[ArrayLike], f: Callable[..., ArrayLike]
    ) -> JointDistribution:
        """Build the table from ``f(**values) -> probability``.

        ``f`` is called once with keyword arrays that broadcast against each other (an open grid,
        as ``np.ix_``), so it must use NumPy operations (``np.where`` rather than ``if``).
        """
        grids = np.ix_(*[np.asarray(s) for s in supports])
        shape = tuple(len(np.asarray(s)) for s in supports)
        values = np.broadcast_to(
            np.asarray(f(**dict(zip(names, grids, strict=True))), float), shape
        )
        return cls(names, supports, values)

    def __repr__(self) -> str:
        return f"JointDistribution(names={self.names}, shape={self.table.shape})"

    def _axis(self, name: str) -> int:
        if name not in self.names:
            raise ValueError(f"unknown variable {name!r}; the variables are {self.names}")
        return self.names.index(name)

    def _position(self, name: str, value: Any) -> int:
        support = self.supports[self._axis(name)]
        hits = np.flatnonzero(support == value)
        if hits.size == 0:
            raise ValueError(f"{value!r} is not in the support of {name!r}: {support.tolist()}")
        return int(hits[0])

    def pmf(self, **values: Any) -> float:
        """P(X_0 = x_0, ...) for one value of every variable, e.g. ``pmf(car=1, opened=2)``."""
        if set(values) != set(self.names):
            raise ValueError(f"pmf needs one value for each of {self.names}, got {tuple(values)}")
        return float(self.table[tuple(self._position(n, values[n]) for n in self.names)])

    def marginalize(self, keep: Sequence[str]) -> JointDistribution:
        """The joint distribution of the variables ``keep`` (in that order); the rest summed out."""
        axes = [self._axis(n) for n in keep]
        if len(set(axes)) != len(axes):
            raise ValueError(f"keep lists a variable twice: {tuple(keep)}")
        others = tuple(i for i in range(len(self.names)) if i not in axes)
        summed = self.table.sum(axis=others)
        remaining = [i for i in range(len(self.names)) if i not in others]  # ascending order
        table = np.moveaxis(summed, [remaining.index(a) for a in axes], range(len(axes)))
        return JointDistribution(keep, [self.supports[a] for a in axes], table)

    def marginal(self, name: str) -> Discrete:
        """p(x) = sum over all other variables of p(x, ...)."""
        return Discrete(self.supports[self._axis(name)], self.marginalize([name]).table)

    def conditional(self, name: str, given: Mapping[str, Any]) -> Discrete:
        """p(x | given) = p(x, given) / p(given), summing out the variables not mentioned."""
        if name in given:
            raise ValueError(f"{name!r} cannot be both the target and in given")
        joint = self.marginalize([name, *given])
        selector: tuple[Any, ...] = (
            slice(None),
            *(joint._position(n, v) for n, v in given.items()),
        )
        p_x_and_given = joint.table[selector]
        p_given = p_x_and_given.sum()
        if p_given <= 0:
            raise ValueError(f"cannot condition on {dict(given)}: it has probability 0")
        return Discrete(self.supports[self._axis(name)], p_x_and_given / p_given)

    def is_independent(self, a: str, b: str, tol: float = 1e-12) -> bool:
        """True when |p(a, b) - p(a) p(b)| <= tol for every pair of values."""
        p_ab = self.marginalize([a, b]).table
        product = np.outer(p_ab.sum(axis=1), p_ab.sum(axis=0))
        return bool(np.max(np.abs(p_ab - product)) <= tol)

    def is_conditionally_independent(
        self, a: str, b: str, given: str | Sequence[str], tol: float = 1e-12
    ) -> bool:
        """True when p(a, b | z) = p(a | z) p(b | z) for every z with p(z) > 0.

        Checked without dividing, as p(a, b, z) p(z) = p(a, z) p(b, z) (within ``tol``).
        ``given`` is one variable name or several (then z is their joint value).
        """
        given_names = [given] if isinstance(given, str) else list(given)
        p = self.marginalize([a, b, *given_names]).table
        p = p.reshape(p.shape[0], p.shape[1], -1)  # (A, B, Z): the given variables flattened
        p_z = p.sum(axis=(0, 1))
        p_az, p_bz = p.sum(axis=1), p.sum(axis=0)
        gap = p * p_z - p_az[:, None, :] * p_bz[None, :, :]
        return bool(np.max(np.abs(gap)) <= tol)
