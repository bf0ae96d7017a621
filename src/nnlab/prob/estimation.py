"""Maximum likelihood (ML), maximum a posteriori (MAP) and full posteriors for two classic models.

Bernoulli data x_1..x_N in {0, 1} with k = sum x_i successes, prior theta ~ Beta(a, b):

    theta_ML  = k / N
    posterior   Beta(a + k, b + N - k)                       (conjugacy)
    theta_MAP = (k + a - 1) / (N + a + b - 2)                 (the posterior mode)
    p(x_new = 1 | D) = (k + a) / (N + a + b)                  (predictive = posterior mean)

Gaussian data x_i ~ N(mu, sigma^2) with *known* standard deviation sigma,
prior mu ~ N(mu_0, sigma_0^2):

    mu_ML = mean(x)
    posterior   N(mu_N, sigma_N^2),  1/sigma_N^2 = 1/sigma_0^2 + N/sigma^2,
                mu_N = sigma_N^2 (mu_0/sigma_0^2 + sum(x)/sigma^2)
    mu_MAP = mu_N                                             (a Gaussian's mode is its mean)
    predictive  x_new | D ~ N(mu_N, sigma^2 + sigma_N^2)

Throughout, ``sigma`` names a standard deviation; variances are written sigma^2.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from nnlab.prob._validation import check_positive
from nnlab.prob.beta import Beta
from nnlab.prob.continuous import Normal


def _bernoulli_data(x: ArrayLike) -> NDArray[np.float64]:
    data = np.asarray(x, dtype=np.float64).ravel()
    if not np.all((data == 0) | (data == 1)):
        raise ValueError("Bernoulli data must contain only 0 and 1")
    return data


def _gaussian_data(x: ArrayLike) -> NDArray[np.float64]:
    data = np.asarray(x, dtype=np.float64).ravel()
    if not np.all(np.isfinite(data)):
        raise ValueError("data contains NaN or infinite values")
    return data


def bernoulli_ml(x: ArrayLike) -> float:
    """theta_ML = k / N, the fraction of ones; needs at least one observation."""
    data = _bernoulli_data(x)
    if data.size == 0:
        raise ValueError("the maximum-likelihood estimate needs at least one observation")
    return float(data.mean())


def bernoulli_posterior(x: ArrayLike, a: float = 1.0, b: float = 1.0) -> Beta:
    """p(theta | D) = Beta(a + k, b + N - k) for the prior Beta(a, b)."""
    data = _bernoulli_data(x)
    k = float(data.sum())
    return Beta(check_positive(a, "a") + k, check_positive(b, "b") + data.size - k)


def bernoulli_map(x: ArrayLike, a: float = 1.0, b: float = 1.0) -> float:
    """theta_MAP = (k + a - 1) / (N + a + b - 2), the mode of the Beta posterior.

    With a = b = 1 (a flat prior) this equals theta_ML. Needs posterior parameters > 1.
    """
    return bernoulli_posterior(x, a, b).mode()


def bernoulli_predictive(x: ArrayLike, a: float = 1.0, b: float = 1.0) -> float:
    """p(x_new = 1 | D) = integral theta p(theta | D) dtheta = (k + a) / (N + a + b)."""
    return bernoulli_posterior(x, a, b).mean()


def gaussian_mean_ml(x: ArrayLike) -> float:
    """mu_ML = (1/N) sum x_i (the known sigma does not enter)."""
    data = _gaussian_data(x)
    if data.size == 0:
        raise ValueError("the maximum-likelihood estimate needs at least one observation")
    return float(data.mean())


def gaussian_mean_posterior(x: ArrayLike, sigma: float, mu0: float, sigma0: float) -> Normal:
    """p(mu | D) = N(mu_N, sigma_N^2) for known noise std ``sigma`` and prior N(mu0, sigma0^2).

    Precisions add: 1/sigma_N^2 = 1/sigma0^2 + N/sigma^2;
    mu_N = sigma_N^2 (mu0/sigma0^2 + sum(x)/sigma^2). Returns ``Normal(mu_N, sigma_N)``.
    """
    data = _gaussian_data(x)
    noise_var = check_positive(sigma, "sigma (noise standard deviation)") ** 2
    prior_var = check_positive(sigma0, "sigma0 (prior standard deviation)") ** 2
    post_var = 1.0 / (1.0 / prior_var + data.size / noise_var)
    post_mean = post_var * (float(mu0) / prior_var + float(data.sum()) / noise_var)
    return Normal(post_mean, math.sqrt(post_var))


def gaussian_mean_map(x: ArrayLike, sigma: float, mu0: float, sigma0: float) -> float:
    """mu_MAP = mu_N, the posterior mean (and mode)."""
    return gaussian_mean_posterior(x, sigma, mu0, sigma0).mean()


def gaussian_predictive(x: ArrayLike, sigma: float, mu0: float, sigma0: float) -> Normal:
    """p(x_new | D) = N(mu_N, sigma^2 + sigma_N^2): noise plus the uncertainty left about mu."""
    post = gaussian_mean_posterior(x, sigma, mu0, sigma0)
    return Normal(post.mu, math.sqrt(float(sigma) ** 2 + post.sigma**2))
