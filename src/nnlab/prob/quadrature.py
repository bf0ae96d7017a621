"""Numerical integration: a fixed Gauss-Legendre rule and SciPy's adaptive QUADPACK.

``integrate`` is the composite Gauss-Legendre rule (panels x 16 nodes) of the practical works: exact
to rounding for smooth integrands on a finite interval, vectorized over the limits.
``adaptive_integral`` is ``scipy.integrate.quad`` (adaptive Gauss-Kronrod with extrapolation,
QUADPACK's QAGS / QAGI) at a relative tolerance of 1e-12; ``piecewise_integral`` sums it over
pieces, so that the integrator is told where the mass of a density lies.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import integrate as scipy_integrate

_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(16)
RTOL = 1e-12
MAX_SUBINTERVALS = 200


def integrate(
    g: Callable[[NDArray[np.float64]], ArrayLike], lo: ArrayLike, hi: ArrayLike, panels: int = 64
) -> NDArray[np.float64]:
    """integral_lo^hi g(x) dx by composite Gauss-Legendre; ``lo``, ``hi`` may be arrays (broadcast).

    ``g`` is called once, on an array of nodes of shape (*broadcast(lo, hi).shape, panels * 16).
    """
    lo_, hi_ = np.broadcast_arrays(
        np.asarray(lo, dtype=np.float64), np.asarray(hi, dtype=np.float64)
    )
    edges = lo_[..., None] + (hi_ - lo_)[..., None] * np.linspace(0.0, 1.0, panels + 1)
    half = 0.5 * np.diff(edges, axis=-1)[..., None]  # (..., panels, 1)
    mid = 0.5 * (edges[..., 1:] + edges[..., :-1])[..., None]
    x = (mid + half * _NODES).reshape(*lo_.shape, -1)
    gx = np.asarray(g(x), dtype=np.float64).reshape(*lo_.shape, panels, _NODES.size)
    return np.sum(gx * _WEIGHTS * half, axis=(-2, -1))


def adaptive_integral(g: Callable[[float], float], lo: float, hi: float) -> float:
    """integral_lo^hi g(x) dx for a scalar function ``g`` by ``scipy.integrate.quad``.

    ``lo``/``hi`` may be -inf/+inf (QUADPACK maps an infinite interval onto (0, 1]); ``g`` is never
    evaluated at a finite end. Tolerance: relative 1e-12 of the integral, absolute 0.
    """
    value, _error = scipy_integrate.quad(g, lo, hi, epsabs=0.0, epsrel=RTOL, limit=MAX_SUBINTERVALS)
    return float(value)


def piecewise_integral(g: Callable[[float], float], edges: Sequence[float]) -> float:
    """integral_edges[0]^edges[-1] g(x) dx as the (exactly rounded) sum of ``adaptive_integral``
    over the pieces between consecutive ``edges``."""
    return math.fsum(adaptive_integral(g, lo, hi) for lo, hi in itertools.pairwise(edges))
