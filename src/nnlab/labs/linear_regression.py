"""Lab 6, linear regression: the normal equations vs a least-squares solver, the Gaussian-noise
likelihood and the maximum-likelihood noise variance sigma^2 = RSS / N.

The fit is :class:`nnlab.linear_model.LinearRegression` (an SVD-based least-squares solve); the
normal equations are written out here because comparing them with the solver is the point of the
lab. Densities come from :class:`nnlab.prob.Normal`, derivatives of the log-likelihood from the
engine.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

import nnlab
from nnlab.datasets.synthetic import linear
from nnlab.labs.base import LabContext
from nnlab.linear_model import LinearRegression, PolynomialFeatures
from nnlab.prob import Normal

TRUE_K, TRUE_B, NOISE_STD = 2.0, 1.0, 2.0
X_RANGE = (1.0, 10.0)
CONDITIONING_DEGREES = (1, 3, 5, 7)


def normal_equations(X: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.float64]:
    """w* = (X^T X)^{-1} X^T y, computed as the solution of X^T X w = X^T y."""
    return np.linalg.solve(X.T @ X, X.T @ y)


def run(ctx: LabContext) -> dict[str, Any]:
    """Metrics ``w`` = [w_0, w_1], ``sigma2_ml`` = RSS / N, ``log_likelihood`` at the ML fit."""
    n = ctx.param("points", full=1000, quick=300)
    ctx.setting("x range", X_RANGE)
    ctx.setting("true line", f"y = {TRUE_K:g}x + {TRUE_B:g}")
    ctx.setting("noise", f"N(0, σ²), σ = {NOISE_STD:g} (variance {NOISE_STD**2:g})")
    x2d, y2d = linear(n, TRUE_K, TRUE_B, NOISE_STD, *X_RANGE, seed=ctx.rng, dtype=np.float64)
    x, y = x2d.ravel(), y2d.ravel()
    ctx.intro(
        f"{n:,} points scattered around the line y = 2x + 1 with Gaussian noise of standard "
        "deviation 2 (the data of the course's first training script). Least squares finds "
        "the line; the Gaussian likelihood explains why squares are the right thing to "
        "minimize, and gives the noise variance too."
    )
    ctx.section("Least squares: the normal equations vs a solver")
    ctx.formula(
        r"y = w_0 + \sum_{j=1}^{p} w_j x_j + \varepsilon = x^T w + \varepsilon,"
        r"\qquad x = (1, x_1, \ldots, x_p)^T"
    )
    ctx.formula(
        r"RSS(w) = (y - Xw)^T (y - Xw),\qquad \nabla RSS = 0 \Leftrightarrow X^T X w = X^T y"
        r"\Leftrightarrow w^* = (X^T X)^{-1} X^T y"
    )
    X = np.column_stack([np.ones(n), x])
    w_normal = normal_equations(X, y)
    model = LinearRegression().fit(x2d, y)
    w = np.array([model.intercept_, model.coef_[0]])
    ctx.check("normal equations = least-squares solver (w₀, w₁)", w_normal, w, tol=1e-9)
    ctx.table(
        ["", "w₀ (intercept)", "w₁ (slope)"],
        [
            ("normal equations (XᵀX)⁻¹Xᵀy", *w_normal),
            ("LinearRegression (SVD least squares)", *w),
            ("true line", TRUE_B, TRUE_K),
        ],
        title="The fitted line",
    )
    _conditioning(ctx, x, y)
    sigma2, log_lik = _likelihood_section(ctx, x, y, model, w)
    _figures(ctx, x, y, w, sigma2)
    ctx.correction(
        "p(t | 𝒳, w, σ²) = Π N(tₙ | wᵀxₙ, δ²);   p(x | μ, δ) = 1/(σ√(2π)) e^{−(x−μ)²/(2σ²)}",
        "p(t | 𝒳, w, σ²) = Π N(tₙ | wᵀxₙ, σ²);   p(x | μ, σ) = 1/(σ√(2π)) e^{−(x−μ)²/(2σ²)}",
        "δ and σ name the same parameter: the noise standard deviation σ, whose square σ² is "
        "the variance that the likelihood's second argument takes.",
    )
    ctx.correction(
        "y = w₀ + w x₁ + w₂x₂ + … + w_j x_j + ε = xᵀw + ε",
        "y = w₀ + w₁x₁ + w₂x₂ + … + w_p x_p + ε = xᵀw + ε, with x = (1, x₁, …, x_p)ᵀ",
        "The first slope lacks its index, the last term uses j where the sum runs to p, and "
        "xᵀw contains w₀ only if x starts with a constant 1 (the column of ones of 𝒳).",
    )
    ctx.key_result = (
        f"w = ({w[0]:.4f}, {w[1]:.4f}) vs (1, 2); σ²_ML = {sigma2:.4f} (true 4); "
        f"ln L = {log_lik:.2f}"
    )
    return {
        "w": w,
        "w_normal_equations": w_normal,
        "sigma2_ml": sigma2,
        "sigma2_unbiased": sigma2 * n / (n - 2),
        "log_likelihood": log_lik,
    }


def _conditioning(ctx: LabContext, x: NDArray[np.float64], y: NDArray[np.float64]) -> None:
    ctx.paragraph(
        "Both give the same line here. They part ways when the columns of X are nearly "
        "dependent: forming XᵀX squares the condition number (the factor by which rounding "
        "errors can grow), so the normal equations lose twice as many digits as an SVD- or "
        "QR-based solver working on X itself. Fitting polynomials in x ∈ [1, 10] shows it."
    )
    rows = []
    squares = []
    for degree in CONDITIONING_DEGREES:
        Phi = PolynomialFeatures(degree).fit_transform(x.reshape(-1, 1))
        w_solver = LinearRegression(fit_intercept=False).fit(Phi, y).coef_
        w_normal = normal_equations(Phi, y)
        cond_X, cond_XtX = np.linalg.cond(Phi), np.linalg.cond(Phi.T @ Phi)
        squares.append(np.log10(cond_XtX) / np.log10(cond_X))
        gap = np.abs(w_normal - w_solver).max() / np.abs(w_solver).max()
        rows.append((degree, cond_X, cond_XtX, gap))
    ctx.table(
        ["polynomial degree", "cond(X)", "cond(XᵀX)", "relative gap normal eq. vs solver"],
        rows,
        title="Conditioning",
        caption="The gap is max |w_normal − w_solver| / max |w_solver|; float64 keeps about 16 "
        "digits.",
    )
    ctx.check(
        "cond(XᵀX) = cond(X)² (ratio of the logarithms, degree ≤ 5)",
        squares[: CONDITIONING_DEGREES.index(5) + 1],
        2.0,
        tol=0.02,
    )


def _likelihood_section(
    ctx: LabContext,
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    model: LinearRegression,
    w: NDArray[np.float64],
) -> tuple[float, float]:
    ctx.section("The Gaussian-noise likelihood")
    n = y.size
    ctx.formula(
        r"t = w^T x + \varepsilon,\ \varepsilon \sim N(0, \sigma^2)\ \Rightarrow\ "
        r"p(t \mid \mathcal{X}, w, \sigma^2) = \prod_{n=1}^{N} N(t_n \mid w^T x_n, \sigma^2)"
    )
    ctx.formula(
        r"\ln p(t \mid w, \sigma^2) = -\frac{N}{2}\ln(2\pi\sigma^2) - "
        r"\frac{1}{2\sigma^2}\sum_{n=1}^{N}(t_n - w^T x_n)^2"
    )
    ctx.formula(
        r"w_{ML} = w^*_{LS},\qquad \sigma^2_{ML} = \frac{1}{N}\sum_{n=1}^{N}(t_n - w_{ML}^T x_n)^2"
        r" = \frac{RSS}{N}",
        "Only the RSS term depends on w, so maximizing the likelihood is least squares; setting "
        "∂ ln p / ∂σ² = 0 gives the variance.",
    )
    residual = y - model.predict(x.reshape(-1, 1))
    rss = float(residual @ residual)
    sigma2 = model.sigma2_
    log_lik = model.log_likelihood(x.reshape(-1, 1), y)
    ctx.check("σ²_ML = RSS / N", sigma2, rss / n, tol=1e-12 * rss)
    by_density = float(np.sum(np.log(Normal(0.0, np.sqrt(sigma2)).pdf(residual))))
    ctx.check(
        "ln L = Σ ln N(tₙ | wᵀxₙ, σ²) (densities from nnlab.prob.Normal)",
        log_lik,
        by_density,
        tol=1e-9 * abs(log_lik),
    )
    grad_w, grad_s2 = _engine_gradients(x, y, w, sigma2)
    ctx.check(
        "the engine's ∂ ln L / ∂(w₀, w₁, σ²) vanishes at (w_ML, σ²_ML) (relative to N)",
        np.r_[grad_w, grad_s2] / n,
        0.0,
        tol=1e-9,
        tex=r"\nabla \ln L(w_{ML}, \sigma^2_{ML}) = 0",
    )
    standard_error = NOISE_STD**2 * np.sqrt(2.0 / n)
    ctx.check(
        f"σ²_ML ≈ the true variance 4 (within 4 standard errors, N = {n:,})",
        sigma2,
        NOISE_STD**2,
        tol=4 * standard_error,
    )
    ctx.paragraph(
        "σ²_ML is slightly biased: the fitted line is closer to the data than the true line, so "
        "E[RSS/N] = σ²(N − 2)/N. Dividing by N − 2 (two fitted parameters) removes the bias; "
        f"with N = {n:,} points the two differ by {200 / (n - 2):.2g}%."
    )
    ctx.table(
        ["quantity", "value"],
        [
            ("RSS", rss),
            ("σ²_ML = RSS / N", sigma2),
            ("σ_ML (standard deviation)", np.sqrt(sigma2)),
            ("unbiased RSS / (N − 2)", rss / (n - 2)),
            ("true σ²", NOISE_STD**2),
            ("ln p(t | w_ML, σ²_ML)", log_lik),
        ],
        title="Maximum likelihood",
    )
    return sigma2, log_lik


def _log_likelihood(
    x: NDArray[np.float64], y: NDArray[np.float64], w0: Any, w1: Any, s2: Any
) -> Any:
    """ln L(w_0, w_1, sigma^2) as an nnlab expression. The parameters are tensors or arrays of
    shape () for one value, or (m, 1) for m values at once (then the result has shape (m, 1))."""
    w0, w1, s2 = (
        p if isinstance(p, nnlab.Tensor) else nnlab.tensor(np.asarray(p, np.float64))
        for p in (w0, w1, s2)
    )
    residual = nnlab.tensor(y) - w0 - w1 * nnlab.tensor(x)
    rss = (residual * residual).sum(axis=-1, keepdims=True)
    return -0.5 * y.size * (2 * np.pi * s2).log() - rss / (2 * s2)


def _engine_gradients(
    x: NDArray[np.float64], y: NDArray[np.float64], w: NDArray[np.float64], sigma2: float
) -> tuple[NDArray[np.float64], float]:
    w0, w1, s2 = (
        nnlab.tensor(np.array(value, dtype=np.float64), requires_grad=True)
        for value in (w[0], w[1], sigma2)
    )
    _log_likelihood(x, y, w0, w1, s2).sum().backward()
    grads = [np.asarray(t.grad, dtype=np.float64) for t in (w0, w1, s2)]
    return np.array([float(grads[0]), float(grads[1])]), float(grads[2])


def _figures(
    ctx: LabContext,
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    w: NDArray[np.float64],
    sigma2: float,
) -> None:
    sigma = np.sqrt(sigma2)
    grid = np.linspace(*X_RANGE, 200)
    fig, axes = ctx.new_figure(1, 2, width=12.6, height=4.6)
    ax = axes[0]
    ax.plot(x, y, ".", markersize=3, alpha=0.45, label="data")
    line = w[0] + w[1] * grid
    ax.fill_between(grid, line - 2 * sigma, line + 2 * sigma, alpha=0.15, label="± 2σ_ML")
    ax.plot(grid, line, label=f"fit y = {w[1]:.3f}x + {w[0]:.3f}")
    ax.plot(grid, TRUE_K * grid + TRUE_B, "k--", linewidth=1, label="true y = 2x + 1")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_title("Least-squares line and noise band")
    ax.legend(loc="upper left")
    ax = axes[1]
    residual = y - (w[0] + w[1] * x)
    ax.hist(residual, bins=40, density=True, alpha=0.6, label="residuals tₙ − wᵀxₙ")
    r = np.linspace(-4 * sigma, 4 * sigma, 300)
    ax.plot(r, Normal(0.0, sigma).pdf(r), label=f"N(0, σ²_ML), σ_ML = {sigma:.3f}")
    ax.set_xlabel("residual")
    ax.set_ylabel("density")
    ax.set_title("The noise is Gaussian")
    ax.legend(loc="upper left", fontsize=9)
    ctx.figure(fig, "fit", "Left: data, fitted and true line. Right: residual histogram.")

    fig, axes = ctx.new_figure(1, 2, width=12.6, height=4.6)
    ax = axes[0]
    s2_grid = np.linspace(0.4 * sigma2, 2.5 * sigma2, 300)
    with nnlab.no_grad():
        profile = _log_likelihood(x, y, w[0], w[1], s2_grid[:, None]).numpy().ravel()
    ax.plot(s2_grid, profile)
    ax.axvline(sigma2, color="#D55E00", linestyle="--", label=f"σ²_ML = RSS/N = {sigma2:.3f}")
    ax.axvline(NOISE_STD**2, color="k", linestyle=":", label="true σ² = 4")
    ax.set_xlabel("noise variance σ²")
    ax.set_ylabel("ln p(t | w_ML, σ²)")
    ax.set_title("Log-likelihood over σ²")
    ax.legend(loc="lower right")
    ax = axes[1]
    span = np.array([0.6, 0.1])
    w0s = np.linspace(w[0] - span[0], w[0] + span[0], 120)
    w1s = np.linspace(w[1] - span[1], w[1] + span[1], 120)
    W0, W1 = np.meshgrid(w0s, w1s)
    with nnlab.no_grad():
        L = _log_likelihood(x, y, W0.reshape(-1, 1), W1.reshape(-1, 1), sigma2)
    L = L.numpy().reshape(W0.shape)
    levels = np.sort(L.max() - np.array([0.5, 2.0, 4.5, 8.0, 12.5, 18.0]))
    contour = ax.contour(W0, W1, L, levels=levels, cmap="viridis")
    ax.clabel(contour, fontsize=7, fmt="%.0f")
    ax.plot(w[0], w[1], "o", color="#D55E00", label="w_ML")
    ax.plot(TRUE_B, TRUE_K, "k*", markersize=11, label="true (1, 2)")
    ax.set_xlabel("intercept w₀")
    ax.set_ylabel("slope w₁")
    ax.set_title("ln L over (w₀, w₁), σ² = σ²_ML")
    ax.legend(loc="upper right")
    ctx.figure(
        fig,
        "likelihood",
        "Left: the log-likelihood peaks at RSS/N. Right: its contours in weight space, "
        "0.5, 2, 4.5, 8, … below the maximum (1, 2, 3, 4, … standard errors): slope and "
        "intercept are negatively correlated, since the data lie at positive x.",
    )
