"""Bayes' theorem on a discrete hypothesis space.

p(h | D) = p(D | h) p(h) / p(D),      p(D) = sum_h' p(D | h') p(h')   (the evidence)
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from nnlab.prob._validation import as_probabilities
from nnlab.prob.discrete import Discrete


class BayesResult(NamedTuple):
    """``posterior`` p(h | D) (a ``Discrete`` or array, like the prior); ``evidence`` p(D)."""

    posterior: Discrete | NDArray[np.float64]
    evidence: float


def bayes(prior: Discrete | ArrayLike, likelihood: ArrayLike) -> BayesResult:
    """Posterior over hypotheses h from the prior p(h) and the likelihoods p(D | h).

    ``prior``: a ``Discrete`` over the hypotheses, or an array of probabilities of shape (H,).
    ``likelihood``: shape (H,), ``likelihood[i] = p(D | h_i)`` (each in [0, 1]; need not sum to 1).
    Returns ``(posterior, evidence)``; the posterior is a ``Discrete`` when the prior is one.
    """
    p_h = prior.probs if isinstance(prior, Discrete) else as_probabilities(prior, "prior")
    lik = np.asarray(likelihood, dtype=np.float64)
    if lik.shape != p_h.shape:
        raise ValueError(f"likelihood has shape {lik.shape} but the prior has shape {p_h.shape}")
    if not np.all(np.isfinite(lik)) or np.any(lik < 0) or np.any(lik > 1):
        raise ValueError("likelihood values p(D | h) must be probabilities in [0, 1]")
    joint = lik * p_h  # p(D, h)
    evidence = float(joint.sum())  # p(D)
    if evidence <= 0:
        raise ValueError("the data has probability 0 under every hypothesis (evidence p(D) = 0)")
    posterior = joint / evidence
    if isinstance(prior, Discrete):
        return BayesResult(Discrete(prior.values, posterior), evidence)
    return BayesResult(posterior, evidence)
