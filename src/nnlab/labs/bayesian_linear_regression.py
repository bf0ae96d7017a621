"""Lab 9, Bayesian linear regression: prior N(0, alpha^-1 I), posterior N(mu_N, Sigma_N) updated
point by point (Bishop's figure 3.7), the predictive mean +- std, MAP = ridge with lambda =
alpha / beta, and the evidence p(t | alpha, beta) that picks the polynomial degree.

All the Bayesian computations are :class:`nnlab.linear_model.BayesianLinearRegression` (``fit``,
``partial_fit``, ``predict(return_std=True)``, ``sample_weights``, ``log_evidence``); the
engine provides the gradient and Hessian of the log-posterior for the checks; the figures are in
:mod:`nnlab.labs._bayes_figures`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

import nnlab
from nnlab.labs import _bayes_figures as figs
from nnlab.labs import _polynomial_data as pdata
from nnlab.labs.base import LabContext
from nnlab.linear_model import BayesianLinearRegression, Ridge
from nnlab.optim.gradient_descent import value_and_grad

#: Bishop's straight-line example: t = a0 + a1 x + noise, x ~ U(-1, 1).
LINE_TRUE_W = (-0.3, 0.5)
LINE_NOISE_STD = 0.2
LINE_ALPHA = 2.0
LINE_STAGES = (0, 1, 2, 20)
#: Prior precision for the polynomial weights (prior std ~3, the size of the cubic's coefficients).
POLY_ALPHA = 0.1
POLY_BETA = 1.0 / pdata.NOISE_STD**2
DEGREES = tuple(range(10))


def line_design(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """phi(x) = (1, x) for the straight-line model, shape (n, 2)."""
    return np.column_stack([np.ones_like(x), x])


def run(ctx: LabContext) -> dict[str, Any]:
    """Metrics ``map_ridge_max_abs_diff``, ``best_degree_by_evidence``, ``log_evidence`` per
    degree and the straight line's posterior mean after 20 points."""
    n_mc = ctx.param("Monte Carlo samples for the predictive check", full=200_000, quick=20_000)
    data = pdata.draw(ctx.rng, n_val=100, n_test=500)  # the ten points of labs 7 and 8
    line_beta = 1.0 / LINE_NOISE_STD**2
    ctx.setting("line: true (w₀, w₁)", LINE_TRUE_W)
    ctx.setting("line: α (prior precision)", LINE_ALPHA)
    ctx.setting("line: β = 1/σ² (noise precision)", f"{line_beta:g} (σ = {LINE_NOISE_STD:g})")
    ctx.setting("polynomial: α", POLY_ALPHA)
    ctx.setting("polynomial: β = 1/σ²", f"{POLY_BETA:.4g} (σ = {pdata.NOISE_STD:g})")
    ctx.intro(
        "Instead of one best weight vector, Bayesian regression keeps a distribution over all "
        "of them. It starts from a prior, multiplies in the likelihood of each data point, and "
        "ends with a Gaussian posterior whose spread says how sure we are. Predictions then "
        "come with error bars, ridge regression reappears as the posterior's peak, and the "
        "evidence compares models of different complexity without a validation set."
    )
    ctx.section("Prior, likelihood, posterior")
    ctx.formula(
        r"p(w) = N(w \mid 0, \alpha^{-1} I),\qquad "
        r"p(t \mid \mathcal{X}, w) = \prod_{n=1}^{N} N(t_n \mid w^T \phi(x_n), \beta^{-1}),"
        r"\quad \beta = 1/\sigma^2"
    )
    ctx.formula(
        r"p(w \mid t) = N(w \mid \mu_N, \Sigma_N),\quad "
        r"\Sigma_N^{-1} = \Sigma_0^{-1} + \beta\,\Phi^T\Phi,\quad "
        r"\mu_N = \Sigma_N(\Sigma_0^{-1}\mu_0 + \beta\,\Phi^T t)",
        "With the prior N(0, α⁻¹I): Σ_N = (αI + βΦᵀΦ)⁻¹ and μ_N = βΣ_NΦᵀt.",
    )
    ctx.correction(
        "μ_N = Σ_N(Σ_{n=1}^∞ μ₀ + σ⁻² 𝒳ᵀt),   Σ_N = (Σ_{n=1}^∞ μ₀ + σ⁻² 𝒳ᵀ𝒳)⁻¹",
        "μ_N = Σ_N(Σ₀⁻¹μ₀ + σ⁻² 𝒳ᵀt),   Σ_N = (Σ₀⁻¹ + σ⁻² 𝒳ᵀ𝒳)⁻¹",
        "The prior precision Σ₀⁻¹ is printed as a sum 'Σ_{n=1}^∞', and the covariance "
        "carries a stray μ₀: Σ₀⁻¹μ₀ is a vector and cannot be added to the matrix 𝒳ᵀ𝒳/σ². "
        "Precisions add (Σ_N⁻¹ = Σ₀⁻¹ + βΦᵀΦ); only the mean involves μ₀.",
    )
    x_line = ctx.rng.uniform(-1.0, 1.0, size=max(LINE_STAGES))
    t_line = (
        LINE_TRUE_W[0]
        + LINE_TRUE_W[1] * x_line
        + ctx.rng.normal(0.0, LINE_NOISE_STD, size=x_line.size)
    )
    line_model = _sequential_section(ctx, x_line, t_line, line_beta)
    _posterior_checks(ctx, x_line, t_line, line_model, line_beta, n_mc)
    evidence = {
        d: BayesianLinearRegression(POLY_ALPHA, POLY_BETA).log_evidence(
            pdata.design(data.x_train, d), data.t_train
        )
        for d in DEGREES
    }
    best_degree = max(evidence, key=evidence.__getitem__)
    _predictive_section(ctx, data, best_degree)
    diff = _map_ridge_section(ctx, data, x_line, t_line, line_beta)
    _evidence_section(ctx, data, evidence, best_degree)
    ctx.key_result = (
        f"MAP − ridge (λ = α/β) max |Δw| = {diff:.1e}; evidence picks degree {best_degree}; "
        f"line posterior mean ({line_model.mean_[0]:.3f}, {line_model.mean_[1]:.3f}) vs "
        f"{LINE_TRUE_W}"
    )
    return {
        "map_ridge_max_abs_diff": diff,
        "best_degree_by_evidence": best_degree,
        "log_evidence": {str(d): v for d, v in evidence.items()},
        "line_posterior_mean": line_model.mean_,
        "line_posterior_cov": line_model.cov_,
    }


def _sequential_section(
    ctx: LabContext, x: NDArray[np.float64], t: NDArray[np.float64], beta: float
) -> BayesianLinearRegression:
    ctx.section("Sequential learning of a straight line")
    ctx.paragraph(
        f"The model y = w₀ + w₁x with α = {LINE_ALPHA:g}, β = {beta:g}; the data come from "
        f"w = {LINE_TRUE_W} (white cross). Each row adds data with `partial_fit`: the posterior "
        "after one batch is the prior for the next. Left: the likelihood of the newest point "
        "alone, a ridge of all lines passing near it; middle: prior × all likelihoods, "
        "normalized; right: six lines drawn from that distribution."
    )
    model = BayesianLinearRegression(LINE_ALPHA, beta)
    prior_draws = ctx.rng.normal(0.0, 1.0 / np.sqrt(LINE_ALPHA), size=(6, 2))  # w ~ N(0, α⁻¹I)
    stages = [figs.Stage(0, None, model.prior(2), prior_draws)]
    for start, stop in zip(LINE_STAGES[:-1], LINE_STAGES[1:], strict=True):
        model.partial_fit(line_design(x[start:stop]), t[start:stop])
        samples = model.sample_weights(6, ctx.rng)
        stages.append(
            figs.Stage(stop, (x[stop - 1], t[stop - 1]), (model.mean_, model.precision_), samples)
        )
    fig = figs.sequential_figure(ctx, stages, x, t, LINE_TRUE_W, LINE_NOISE_STD)
    ctx.figure(
        fig,
        "sequential",
        f"Rows: after 0, 1, 2 and {LINE_STAGES[-1]} points (Bishop, PRML figure 3.7). The "
        "posterior narrows around the true w as the lines agree more and more.",
    )
    return model


def _neg_log_posterior(
    Phi: NDArray[np.float64], t: NDArray[np.float64], alpha: float, beta: float
) -> Any:
    def E(w: nnlab.Tensor) -> nnlab.Tensor:
        residual = nnlab.tensor(t) - nnlab.tensor(Phi) @ w
        return 0.5 * beta * (residual * residual).sum() + 0.5 * alpha * (w * w).sum()

    return E


def _posterior_checks(
    ctx: LabContext,
    x: NDArray[np.float64],
    t: NDArray[np.float64],
    model: BayesianLinearRegression,
    beta: float,
    n_mc: int,
) -> None:
    Phi = line_design(x)
    batch = BayesianLinearRegression(LINE_ALPHA, beta).fit(Phi, t)
    ctx.check(
        "sequential updates (0 → 1 → 2 → 20 points) = one fit on all 20: μ_N",
        model.mean_,
        batch.mean_,
        tol=1e-10,
    )
    ctx.check("… and Σ_N", model.cov_, batch.cov_, tol=1e-12)
    E = _neg_log_posterior(Phi, t, LINE_ALPHA, beta)
    _, grad = value_and_grad(E, model.mean_)
    ctx.check(
        "μ_N maximizes ln p(w | t): the engine's gradient of −ln p(w | t) is 0 there",
        grad,
        0.0,
        tol=1e-9,
        tex=r"\nabla_w [\frac{\beta}{2}\sum (t_n - w^T\phi_n)^2 + \frac{\alpha}{2}w^Tw] = 0",
    )
    # -ln p(w | t) is quadratic, so its gradient is linear: column i of the Hessian is
    # grad(mu_N + e_i) - grad(mu_N), exactly.
    hessian = np.column_stack([value_and_grad(E, model.mean_ + e)[1] - grad for e in np.eye(2)])
    ctx.check(
        "Σ_N⁻¹ = Hessian of −ln p(w | t) (from engine gradients)",
        np.linalg.inv(hessian),
        model.cov_,
        tol=1e-10,
    )
    x_star = np.array([0.9])
    mean, std = model.predict(line_design(x_star), return_std=True)
    w = model.sample_weights(n_mc, ctx.rng)
    draws = w @ line_design(x_star)[0] + ctx.rng.normal(0.0, LINE_NOISE_STD, size=n_mc)
    se = std[0] / np.sqrt(n_mc)
    ctx.check(
        f"predictive mean at x = 0.9 = mean of {n_mc:,} draws w ~ p(w|t), t = wᵀφ + ε",
        draws.mean(),
        mean[0],
        tol=5 * se,
    )
    ctx.check(
        "predictive std √(1/β + φᵀΣ_Nφ) = std of those draws",
        draws.std(),
        std[0],
        tol=5 * std[0] / np.sqrt(2 * n_mc),
    )


def _predictive_section(ctx: LabContext, data: pdata.PolynomialData, degree: int) -> None:
    ctx.section("The predictive distribution")
    ctx.formula(
        r"p(t \mid x, \mathbf{t}) = N\left(t \mid \mu_N^T\phi(x),\ "
        r"\sigma_N^2(x)\right),\qquad \sigma_N^2(x) = \frac{1}{\beta} + \phi(x)^T\Sigma_N\phi(x)",
        "Noise plus the uncertainty about w; the second term shrinks as data arrive.",
    )
    ctx.paragraph(
        f"The ten points of labs 7 and 8, fitted with a degree-{degree} polynomial (the degree "
        f"the evidence prefers, below), α = {POLY_ALPHA:g}, β = 1/{pdata.NOISE_STD:g}². The "
        "points arrive in random order."
    )
    order = np.random.default_rng(0).permutation(pdata.N_TRAIN)
    fig = figs.predictive_figure(ctx, data, order, degree, POLY_ALPHA, POLY_BETA)
    ctx.figure(
        fig,
        "predictive",
        "Predictive mean (line) ± one and two standard deviations (bands). Far from the data "
        "the band widens; it never gets narrower than the noise σ.",
    )


def _map_ridge_section(
    ctx: LabContext,
    data: pdata.PolynomialData,
    x_line: NDArray[np.float64],
    t_line: NDArray[np.float64],
    line_beta: float,
) -> float:
    ctx.section("MAP = ridge regression")
    ctx.formula(
        r"-\ln p(w \mid t) = \frac{\beta}{2}\sum_{n}(t_n - w^T\phi_n)^2 + "
        r"\frac{\alpha}{2}w^Tw + \mathrm{const} = "
        r"\beta\left[\frac{1}{2}RSS(w) + \frac{\lambda}{2}\|w\|^2\right] + \mathrm{const},"
        r"\quad \lambda = \frac{\alpha}{\beta} = \alpha\sigma^2"
    )
    ctx.paragraph(
        "The Gaussian posterior's peak is its mean, so μ_N is the ridge solution for λ = α/β, "
        "with every weight (w₀ too) penalized: `Ridge(alpha=α/β, fit_intercept=False)` on Φ."
    )
    cases = [
        ("straight line, 20 points", line_design(x_line), t_line, LINE_ALPHA, line_beta),
        (
            "degree-9 polynomial, 10 points",
            pdata.design(data.x_train, 9),
            data.t_train,
            POLY_ALPHA,
            POLY_BETA,
        ),
    ]
    rows, diffs = [], []
    for name, Phi, t, alpha, beta in cases:
        mu = BayesianLinearRegression(alpha, beta).fit(Phi, t).mean_
        ridge = Ridge(alpha=alpha / beta, fit_intercept=False).fit(Phi, t).coef_
        diffs.append(float(np.abs(mu - ridge).max()))
        rows.append((name, alpha / beta, float(np.abs(mu).max()), diffs[-1]))
    ctx.table(
        ["model", "λ = α/β", "max |μ_N|", "max |μ_N − w_ridge|"],
        rows,
        title="Posterior mean vs ridge",
        caption="The degree-9 differences are rounding: ΦᵀΦ has a condition number near 10¹⁷.",
    )
    diff = max(diffs)
    ctx.check("μ_N = ridge weights (λ = α/β), both models", diff, 0.0, tol=1e-6)
    return diff


def _evidence_section(
    ctx: LabContext,
    data: pdata.PolynomialData,
    evidence: dict[int, float],
    best: int,
) -> None:
    ctx.section("The evidence picks the degree")
    ctx.formula(
        r"\ln p(t \mid \alpha, \beta) = \frac{M}{2}\ln\alpha + \frac{N}{2}\ln\beta - E(\mu_N)"
        r" - \frac{1}{2}\ln|\alpha I + \beta\Phi^T\Phi| - \frac{N}{2}\ln 2\pi"
    )
    ctx.paragraph(
        "The evidence is the probability of the data averaged over the prior. A model too "
        "simple cannot produce the data; a model too flexible spreads its probability over "
        "many data sets it could also have produced. Unlike the training error, it does not "
        "keep improving with the degree."
    )
    fig, rows = figs.evidence_figure(ctx, data, evidence, best, POLY_ALPHA, POLY_BETA)
    ctx.figure(
        fig,
        "evidence",
        f"Left: log evidence per degree (α = {POLY_ALPHA:g}, β = {POLY_BETA:.3g}). Right: the "
        "maximized log-likelihood of the same data keeps growing.",
    )
    ctx.table(
        ["degree", "ln evidence", "max ln likelihood", "test E_RMS of μ_N"],
        rows,
        title="Model comparison on the ten points",
        caption=f"Highest evidence: degree {best}.",
    )
