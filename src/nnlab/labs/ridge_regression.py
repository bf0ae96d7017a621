"""Lab 8, ridge regression: the degree-9 polynomial of lab 7 with the penalty lambda/2 ||w||^2,
fitted by :class:`nnlab.linear_model.Ridge` over a grid of lambda; coefficient shrinkage and the
validation error that picks lambda. The optimality of each fit is checked with the autodiff engine.
"""

from __future__ import annotations

from typing import Any

import matplotlib
import numpy as np
from numpy.typing import NDArray

import nnlab
from nnlab.labs import _polynomial_data as pdata
from nnlab.labs.base import LabContext
from nnlab.linear_model import LinearRegression, PolynomialFeatures, Ridge

DEGREE = 9
LARGE_LAMBDA = 1000.0


def features(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """x, x^2, ..., x^9 (the intercept w_0 is fitted apart and not penalized)."""
    return PolynomialFeatures(DEGREE, include_bias=False).fit_transform(x.reshape(-1, 1))


def weights(model: LinearRegression | Ridge) -> NDArray[np.float64]:
    """(w_0, w_1, ..., w_9): the intercept first, as in the course's f_9."""
    return np.r_[model.intercept_, model.coef_]


def run(ctx: LabContext) -> dict[str, Any]:
    """Metrics ``best_lambda`` (lowest validation RSS), ``coef_max_abs_unregularized`` and
    ``coef_max_abs_best`` (max |w_j| over w_0..w_9), plus the errors over the grid."""
    n_test = ctx.param("test_points", full=1000, quick=500)
    n_lambdas = ctx.param("lambda grid points", full=45, quick=23)
    data = pdata.draw(ctx.rng, n_val=100, n_test=n_test)
    lambdas = np.logspace(-8, 3, n_lambdas)
    ctx.setting("training points", pdata.N_TRAIN)
    ctx.setting("validation points", data.x_val.size)
    ctx.setting("degree", DEGREE)
    ctx.setting("λ grid", f"{n_lambdas} values, 10⁻⁸ … 10³ (log-spaced)")
    ctx.intro(
        "Lab 7's degree-9 polynomial fits its ten points exactly with coefficients in the "
        "thousands. Ridge regression keeps all ten coefficients but charges for their size: "
        "the penalty λ/2‖w‖² pulls them towards zero. A tiny λ changes nothing; a huge λ "
        "flattens the curve; in between, the fit is smooth and close to the truth."
    )
    ctx.intro(
        "λ is chosen on a separate validation set (100 fresh points); a third, independent test "
        "set measures the result."
    )
    ctx.section("The objective")
    ctx.formula(
        r"E_\lambda(w) = \frac{1}{2}\sum_{n=1}^{N} (t_n - \phi(x_n)^T w)^2 + "
        r"\frac{\lambda}{2}\sum_{j=1}^{9} w_j^2"
    )
    ctx.formula(
        r"w^*_\lambda = (\Phi^T \Phi + \lambda I)^{-1} \Phi^T t",
        "On centred data, so that the intercept w₀ is not penalized (a penalty on w₀ would make "
        "the fit depend on where t = 0 lies). `Ridge(alpha=λ)` minimizes 2E_λ: the same w.",
    )
    X_train, X_val, X_test = (features(x) for x in (data.x_train, data.x_val, data.x_test))
    unregularized = LinearRegression().fit(X_train, data.t_train)
    models = [Ridge(alpha=float(lam)).fit(X_train, data.t_train) for lam in lambdas]

    def errors(X: NDArray[np.float64], t: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.array([pdata.rss(m.predict(X), t) for m in models])

    train, val, test = (
        errors(X_train, data.t_train),
        errors(X_val, data.t_val),
        errors(X_test, data.t_test),
    )
    best_index = int(np.argmin(val))
    best_lambda, best = float(lambdas[best_index]), models[best_index]
    large = Ridge(alpha=LARGE_LAMBDA).fit(X_train, data.t_train)
    max_abs_unreg = float(np.abs(weights(unregularized)).max())
    max_abs_best = float(np.abs(weights(best)).max())
    _checks(ctx, X_train, data.t_train, models, lambdas, best_index)
    _shrinkage_section(ctx, lambdas, models, unregularized, best, large, best_lambda)
    _fits_figure(ctx, data, unregularized, best, large, best_lambda)
    _error_section(ctx, data, lambdas, train, val, test, best_index, unregularized)
    ctx.correction(
        "RSS(w) = ½ Σᵢ (f(xᵢ, w) − yᵢ)² + λ/2 ‖w‖²",
        "E_λ(w) = ½ RSS(w) + λ/2 ‖w‖²,  RSS(w) = Σᵢ (f(xᵢ, w) − yᵢ)²",
        "With the penalty added the objective is no longer the residual sum of squares; giving "
        "both the same name (and RSS a ½ it did not have on the linear-regression slide) "
        "hides which number is which. The RSS reported here is the plain sum of squares.",
    )
    ctx.key_result = (
        f"best λ = {best_lambda:.3g} (validation); max |w|: {max_abs_unreg:.4g} → "
        f"{max_abs_best:.3g}; test RSS {pdata.rss(unregularized.predict(X_test), data.t_test):.3g}"
        f" → {test[best_index]:.3g}"
    )
    return {
        "best_lambda": best_lambda,
        "coef_max_abs_unregularized": max_abs_unreg,
        "coef_max_abs_best": max_abs_best,
        "test_rss_unregularized": pdata.rss(unregularized.predict(X_test), data.t_test),
        "test_rss_best": float(test[best_index]),
        "weights_best": weights(best),
        "lambdas": lambdas,
        "validation_rss": val,
    }


def _checks(
    ctx: LabContext,
    X: NDArray[np.float64],
    t: NDArray[np.float64],
    models: list[Ridge],
    lambdas: NDArray[np.float64],
    best_index: int,
) -> None:
    for index in sorted({0, best_index, len(lambdas) - 1}):
        lam, model = float(lambdas[index]), models[index]
        grad = _engine_gradient(X, t, model, lam)
        scale = float(np.abs(X.T @ t).max())
        ctx.check(
            f"∇E_λ = 0 at the Ridge solution, λ = {lam:.3g} (engine gradient / max|Φᵀt|)",
            float(np.abs(grad).max()) / scale,
            0.0,
            tol=1e-7,
            tex=r"\nabla_w E_\lambda(w^*_\lambda) = 0",
        )
    norms = np.array([np.linalg.norm(m.coef_) for m in models])
    ctx.check(
        "‖w‖ shrinks as λ grows (largest increase along the grid, relative)",
        max(float(np.max(np.diff(norms) / norms[:-1])), 0.0),
        0.0,
        tol=1e-6,
    )


def _engine_gradient(
    X: NDArray[np.float64], t: NDArray[np.float64], model: Ridge, lam: float
) -> NDArray[np.float64]:
    """d E_lambda / d(w_0, w) by backpropagation through the objective at the fitted weights."""
    w = nnlab.tensor(model.coef_.copy(), requires_grad=True)
    w0 = nnlab.tensor(np.array(model.intercept_), requires_grad=True)
    residual = nnlab.tensor(X) @ w + w0 - nnlab.tensor(t)
    E = 0.5 * (residual * residual).sum() + 0.5 * lam * (w * w).sum()
    E.backward()
    assert w.grad is not None and w0.grad is not None
    return np.r_[np.ravel(w0.grad), w.grad]


def _shrinkage_section(
    ctx: LabContext,
    lambdas: NDArray[np.float64],
    models: list[Ridge],
    unregularized: LinearRegression,
    best: Ridge,
    large: Ridge,
    best_lambda: float,
) -> None:
    ctx.section("Shrinkage of the coefficients")
    columns = [weights(unregularized), weights(best), weights(large)]
    ctx.table(
        ["", "λ = 0", f"λ = {best_lambda:.3g} (best)", f"λ = {LARGE_LAMBDA:g}"],
        [(f"w{j}", *(float(c[j]) for c in columns)) for j in range(DEGREE + 1)],
        title="Coefficients of the degree-9 fit",
        caption="The true cubic has w = (−2, 3, −4, 1, 0, …, 0).",
    )
    paths = np.array([m.coef_ for m in models])
    fig, ax = ctx.new_figure(width=9.0, height=4.6)
    colours = matplotlib.colormaps["viridis"](np.linspace(0.0, 0.9, DEGREE))
    for j in range(DEGREE):
        ax.plot(lambdas, paths[:, j], color=colours[j], label=f"w{j + 1} (x^{j + 1})")
    ax.axvline(best_lambda, color="k", linestyle="--", linewidth=1, label="best λ")
    ax.set_xscale("log")
    ax.set_yscale("symlog", linthresh=0.1)
    ax.set_xlabel("λ (log scale)")
    ax.set_ylabel("coefficient w_j (symmetric log scale)")
    ax.set_title("Coefficient paths: the penalty pulls every w_j to 0")
    ax.legend(ncol=2, fontsize=8, loc="upper right")
    ctx.figure(
        fig,
        "coefficient-paths",
        "Each coefficient of x^j as a function of λ; the y axis is linear within ±0.1 and "
        "logarithmic outside.",
    )


def _fits_figure(
    ctx: LabContext,
    data: pdata.PolynomialData,
    unregularized: LinearRegression,
    best: Ridge,
    large: Ridge,
    best_lambda: float,
) -> None:
    x, _ = pdata.curve_grid()
    fig, axes = ctx.new_figure(1, 3, width=12.6, height=4.0, sharey=True)
    panels = (
        (unregularized, "λ = 0: overfit"),
        (best, f"λ = {best_lambda:.2g}: best on validation"),
        (large, f"λ = {LARGE_LAMBDA:g}: too smooth"),
    )
    for ax, (model, title) in zip(axes, panels, strict=True):
        pdata.setup_axes(ax, data, title)
        ax.plot(x, model.predict(features(x)), color="#D55E00", label="degree-9 fit")
        ax.legend(loc="lower left", fontsize=8)
    ctx.figure(fig, "fits", "The same ten points and degree, three values of λ.")


def _error_section(
    ctx: LabContext,
    data: pdata.PolynomialData,
    lambdas: NDArray[np.float64],
    train: NDArray[np.float64],
    val: NDArray[np.float64],
    test: NDArray[np.float64],
    best_index: int,
    unregularized: LinearRegression,
) -> None:
    ctx.section("Choosing λ on validation data")
    sizes = {"training": data.x_train.size, "validation": data.x_val.size, "test": data.x_test.size}
    fig, ax = ctx.new_figure(width=9.0, height=4.4)
    for (name, n), rss in zip(sizes.items(), (train, val, test), strict=True):
        ax.plot(lambdas, np.sqrt(rss / n), label=name)
    ax.axvline(lambdas[best_index], color="k", linestyle="--", linewidth=1, label="best λ")
    ax.axhline(pdata.NOISE_STD, color="0.4", linestyle=":", label="noise σ")
    ax.set_xscale("log")
    top = min(
        2.0, 1.15 * float(np.sqrt(max(val.max() / sizes["validation"], test.max() / sizes["test"])))
    )
    ax.set_ylim(0, top)
    ax.set_xlabel("λ (log scale)")
    ax.set_ylabel("E_RMS = √(RSS/N)")
    ax.set_title("Error vs λ")
    ax.legend()
    ctx.figure(
        fig,
        "error-vs-lambda",
        "Training error grows with λ; validation and test errors fall, then rise: too little "
        "penalty overfits, too much underfits.",
    )
    X_test = features(data.x_test)
    rows = [
        (
            "λ = 0 (least squares)",
            0.0,
            float("nan"),
            pdata.rss(unregularized.predict(X_test), data.t_test),
        )
    ]
    for index in sorted({0, best_index, len(lambdas) - 1}):
        label = "best" if index == best_index else ("smallest" if index == 0 else "largest")
        rows.append(
            (f"λ {label} on the grid", float(lambdas[index]), float(val[index]), float(test[index]))
        )
    ctx.table(
        ["fit", "λ", "validation RSS", "test RSS"],
        rows,
        title="Errors",
        caption=f"{sizes['validation']} validation and {sizes['test']:,} test points.",
    )
