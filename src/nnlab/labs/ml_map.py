"""Lab 4, ML vs MAP: coin flips with a Beta prior and a Gaussian mean with a Gaussian prior.

The estimators, posteriors and predictives are those of :mod:`nnlab.prob` (``bernoulli_ml``,
``bernoulli_map``, ``bernoulli_posterior``, ``bernoulli_predictive``, ``gaussian_mean_*``,
``gaussian_predictive``); this lab shows how they behave as the data grows.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nnlab.labs.base import LabContext
from nnlab.prob import (
    Bernoulli,
    Normal,
    bernoulli_map,
    bernoulli_ml,
    bernoulli_posterior,
    bernoulli_predictive,
    gaussian_mean_map,
    gaussian_mean_ml,
    gaussian_mean_posterior,
    gaussian_predictive,
)

THETA_TRUE = 0.7
PRIOR_A, PRIOR_B = 2.0, 2.0
MU_TRUE, SIGMA = 2.0, 1.0
MU0, SIGMA0 = 0.0, 1.0


def run(ctx: LabContext) -> dict[str, Any]:
    """Metrics ``theta_ml``, ``theta_map``, ``predictive`` (coin, all flips), Gaussian ones."""
    n_flips = ctx.param("coin_flips", full=1000, quick=200)
    n_points = ctx.param("gaussian_points", full=200, quick=50)
    for name, value in (
        ("true θ (p(heads))", THETA_TRUE),
        ("prior on θ", f"Beta({PRIOR_A:g}, {PRIOR_B:g})"),
        ("true μ, noise σ (std)", f"{MU_TRUE:g}, {SIGMA:g}"),
        ("prior on μ", f"N({MU0:g}, {SIGMA0:g}²)"),
    ):
        ctx.setting(name, value)
    ctx.intro(
        "Maximum likelihood picks the parameter that makes the data most probable; MAP also "
        "weighs the prior; the Bayesian answer keeps the whole posterior and predicts by "
        "averaging over it. With little data they differ a lot, with much data they agree."
    )
    ctx.formula(
        r"\theta_{ML} = \arg\max_\theta\, p(D \mid \theta),\qquad "
        r"\theta_{MAP} = \arg\max_\theta\, p(D \mid \theta)\,p(\theta)"
    )
    ctx.formula(r"p(x_{new} \mid D) = \int p(x_{new} \mid \theta)\,p(\theta \mid D)\,d\theta")
    ctx.progress("coin flips")
    coin = _coin_section(ctx, n_flips)
    ctx.progress("gaussian mean")
    gauss = _gaussian_section(ctx, n_points)
    ctx.key_result = (
        f"{n_flips} flips of a θ = {THETA_TRUE} coin: θ_ML = {coin['ml']:.4f}, "
        f"θ_MAP = {coin['map']:.4f}, p(heads next) = {coin['predictive']:.4f}"
    )
    return {
        "theta_ml": coin["ml"],
        "theta_map": coin["map"],
        "predictive": coin["predictive"],
        "three_heads_ml_map_predictive": coin["three_heads"],
        "mu_ml": gauss["ml"],
        "mu_map": gauss["map"],
        "mu_predictive_std": gauss["predictive_std"],
    }


def _coin_section(ctx: LabContext, n_flips: int) -> dict[str, Any]:
    ctx.section("A coin with a Beta prior")
    ctx.formula(
        r"\theta_{ML} = \frac{k}{N},\quad \theta_{MAP} = \frac{k + a - 1}{N + a + b - 2},\quad "
        r"p(\mathrm{heads} \mid D) = \frac{k + a}{N + a + b}",
        "k heads in N flips, prior Beta(a, b); the posterior is Beta(a + k, b + N − k).",
    )
    three = np.ones(3)
    three_heads = [
        bernoulli_ml(three),
        bernoulli_map(three, PRIOR_A, PRIOR_B),
        bernoulli_predictive(three, PRIOR_A, PRIOR_B),
    ]
    ctx.table(
        ["after 3 heads in 3 flips", "θ_ML", "θ_MAP", "p(heads next | D)"],
        [("estimate", *three_heads)],
        title="Small data: ML is over-confident",
        caption="ML says tails is impossible; the prior Beta(2, 2) keeps MAP and the predictive "
        "sensible.",
    )
    flips = Bernoulli(THETA_TRUE).sample(n_flips, ctx.rng)
    sizes = np.unique(np.geomspace(1, n_flips, 40).astype(int))
    ml = [bernoulli_ml(flips[:n]) for n in sizes]
    mp = [bernoulli_map(flips[:n], PRIOR_A, PRIOR_B) for n in sizes]
    pred = [bernoulli_predictive(flips[:n], PRIOR_A, PRIOR_B) for n in sizes]
    k = float(flips.sum())
    final = {"ml": ml[-1], "map": mp[-1], "predictive": pred[-1], "three_heads": three_heads}
    ctx.check(
        "θ_MAP = (k + a − 1)/(N + a + b − 2)",
        mp[-1],
        (k + PRIOR_A - 1) / (n_flips + PRIOR_A + PRIOR_B - 2),
        tol=1e-12,
    )
    posterior = bernoulli_posterior(flips, PRIOR_A, PRIOR_B)
    ctx.check(
        "predictive = ∫ θ p(θ | D) dθ (numerical integral)",
        pred[-1],
        posterior.expectation(lambda t: t),
        tol=1e-9,
    )
    grid = np.linspace(0.0005, 0.9995, 2000)
    ctx.check(
        "θ_MAP = argmax of the posterior density (grid step 5e-4)",
        mp[-1],
        grid[np.argmax(posterior.pdf(grid))],
        tol=5e-4,
    )
    fig, (ax_est, ax_post) = ctx.new_figure(1, 2, width=10.5, height=4.2)
    ax_est.plot(sizes, ml, label="θ_ML")
    ax_est.plot(sizes, mp, label="θ_MAP")
    ax_est.plot(sizes, pred, ":", label="p(heads | D)")
    ax_est.axhline(THETA_TRUE, color="black", linestyle="--", linewidth=1, label="true θ")
    ax_est.set_xscale("log")
    ax_est.set_ylim(0, 1.05)
    ax_est.set_xlabel("number of flips N (log scale)")
    ax_est.set_ylabel("estimate of θ")
    ax_est.set_title("Estimates as data grows")
    ax_est.legend(fontsize=9, loc="lower right")
    for n in [n for n in (0, 1, 5, 20, 100, n_flips) if n <= n_flips]:
        density = bernoulli_posterior(flips[:n], PRIOR_A, PRIOR_B).pdf(grid)
        ax_post.plot(grid, density, label=f"N = {n}")
    ax_post.axvline(THETA_TRUE, color="black", linestyle="--", linewidth=1)
    ax_post.set_xlabel("θ")
    ax_post.set_ylabel("posterior density p(θ | D)")
    ax_post.set_title("The posterior narrows around the truth")
    ax_post.legend(fontsize=9, loc="upper left")
    ctx.figure(
        fig,
        "coin",
        "Left: ML, MAP and the predictive. Right: Beta posteriors (N = 0 is the prior).",
    )
    return final


def _gaussian_section(ctx: LabContext, n_points: int) -> dict[str, float]:
    ctx.section("A Gaussian mean with a Gaussian prior")
    ctx.formula(
        r"\frac{1}{\sigma_N^2} = \frac{1}{\sigma_0^2} + \frac{N}{\sigma^2},\qquad "
        r"\mu_N = \sigma_N^2\left(\frac{\mu_0}{\sigma_0^2} + \frac{\sum_i x_i}{\sigma^2}\right)",
        "σ is the noise standard deviation (known); the posterior is N(μ_N, σ_N²) and μ_MAP = μ_N.",
    )
    ctx.formula(r"p(x_{new} \mid D) = \mathcal{N}(\mu_N,\ \sigma^2 + \sigma_N^2)")
    data = Normal(MU_TRUE, SIGMA).sample(n_points, ctx.rng)
    sizes = np.arange(1, n_points + 1)
    ml = np.array([gaussian_mean_ml(data[:n]) for n in sizes])
    mp = np.array([gaussian_mean_map(data[:n], SIGMA, MU0, SIGMA0) for n in sizes])
    post = gaussian_mean_posterior(data, SIGMA, MU0, SIGMA0)
    expected_var = 1 / (1 / SIGMA0**2 + n_points / SIGMA**2)
    ctx.check("σ_N² = 1/(1/σ₀² + N/σ²)", post.var(), expected_var, tol=1e-15)
    ctx.check(
        "μ_MAP − μ_ML shrinks like 1/N (N = all points, within 3/N)",
        abs(mp[-1] - ml[-1]),
        0.0,
        tol=3.0 / n_points,
    )
    predictive = gaussian_predictive(data, SIGMA, MU0, SIGMA0)
    fig, (ax_est, ax_post) = ctx.new_figure(1, 2, width=10.5, height=4.2)
    ax_est.plot(sizes, ml, label="μ_ML (sample mean)")
    ax_est.plot(sizes, mp, label="μ_MAP = μ_N")
    band = np.array([gaussian_mean_posterior(data[:n], SIGMA, MU0, SIGMA0).sigma for n in sizes])
    ax_est.fill_between(sizes, mp - 2 * band, mp + 2 * band, alpha=0.2, label="μ_N ± 2σ_N")
    ax_est.axhline(MU_TRUE, color="black", linestyle="--", linewidth=1, label="true μ")
    ax_est.set_xscale("log")
    ax_est.set_xlabel("number of points N (log scale)")
    ax_est.set_ylabel("estimate of μ")
    ax_est.set_title("The prior N(0, 1) pulls MAP towards 0")
    ax_est.legend(fontsize=9, loc="lower right")
    grid = np.linspace(-2.5, 5.0, 1000)
    for n in [n for n in (0, 1, 2, 5, 20, n_points) if n <= n_points]:
        ax_post.plot(
            grid,
            gaussian_mean_posterior(data[:n], SIGMA, MU0, SIGMA0).pdf(grid),
            label=f"p(μ | D), N = {n}",
        )
    ax_post.plot(grid, predictive.pdf(grid), "k:", label=f"predictive, N = {n_points}")
    ax_post.set_xlabel("μ (or x_new for the predictive)")
    ax_post.set_ylabel("density")
    ax_post.set_title("Posterior over μ and the predictive")
    ax_post.legend(fontsize=8, loc="upper left")
    ctx.figure(
        fig,
        "gaussian-mean",
        "The predictive is wider than the posterior: it adds the "
        "noise σ² to the remaining uncertainty σ_N².",
    )
    ctx.table(
        ["N", "μ_ML", "μ_MAP", "σ_N", "predictive std"],
        [
            (int(n), ml[n - 1], mp[n - 1], band[n - 1], np.sqrt(SIGMA**2 + band[n - 1] ** 2))
            for n in (1, 2, 5, 20, n_points)
            if n <= n_points
        ],
        title="Gaussian mean: estimates by N",
    )
    return {"ml": float(ml[-1]), "map": float(mp[-1]), "predictive_std": predictive.sigma}
