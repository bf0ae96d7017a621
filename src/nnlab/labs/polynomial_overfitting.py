"""Lab 7, polynomial overfitting: fit f(x) = x^3 - 4x^2 + 3x - 2 plus noise with polynomials of
degree 0..9 by least squares (:class:`nnlab.linear_model.LinearRegression` on
:class:`nnlab.linear_model.PolynomialFeatures`); under-, good and over-fitting, the coefficient
table as the course's f0..f9, training vs test error.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nnlab.labs import _polynomial_data as pdata
from nnlab.labs.base import LabContext
from nnlab.linear_model import LinearRegression

DEGREES = tuple(range(10))
#: The largest |coefficient| of the course's printed fits f0, f1, f2, f3, f8, f9.
COURSE_MAX_ABS = {0: 2.2393, 1: 2.6617, 2: 3.4604, 3: 3.5898, 8: 1478.6505, 9: 966.67}
PANELS = ((0, "underfit"), (1, "underfit"), (2, "underfit"), (3, "good fit"), (8, "overfit"))


def run(ctx: LabContext) -> dict[str, Any]:
    """Metrics ``train_rss``, ``test_rss``, ``coef_max_abs`` (dicts keyed "0".."9"),
    ``best_degree`` (lowest test RSS), ``coefficients`` and ``test_rms``."""
    n_test = ctx.param("test_points", full=1000, quick=500)
    data = pdata.draw(ctx.rng, n_val=100, n_test=n_test)
    ctx.setting("training points", pdata.N_TRAIN)
    ctx.setting("x range", pdata.X_RANGE)
    ctx.setting("noise standard deviation", pdata.NOISE_STD)
    ctx.setting("degrees", f"{DEGREES[0]}..{DEGREES[-1]}")
    ctx.intro(
        "Ten noisy points from a cubic, and polynomials of every degree from 0 to 9. A low "
        "degree cannot follow the curve (underfitting); degree 3 has the right shape; degree 9 "
        "has ten coefficients for ten points, passes through every one of them, and swings "
        "wildly in between (overfitting). The training error keeps falling as the degree grows; "
        "the error on fresh test points tells the truth."
    )
    ctx.section("The model: linear in w")
    ctx.formula(
        r"\hat{y} = w_0 + \sum_{j=1}^{d} w_j x^j = \phi(x)^T w,\qquad "
        r"\phi(x) = (1, x, x^2, \ldots, x^d)^T"
    )
    ctx.formula(
        r"RSS(w) = \sum_{n=1}^{N} (t_n - \phi(x_n)^T w)^2,\qquad "
        r"w^* = (\Phi^T \Phi)^{-1} \Phi^T t",
        "Least squares on the design matrix Φ (N × (d+1)): `LinearRegression` on "
        "`PolynomialFeatures(d)`.",
    )
    ctx.formula(r"f(x) = x^3 - 4x^2 + 3x - 2,\qquad t = f(x) + \varepsilon")
    models = {d: _fit(data, d) for d in DEGREES}
    train = {
        d: pdata.rss(m.predict(pdata.design(data.x_train, d)), data.t_train)
        for d, m in models.items()
    }
    test = {
        d: pdata.rss(m.predict(pdata.design(data.x_test, d)), data.t_test)
        for d, m in models.items()
    }
    max_abs = {d: float(np.abs(m.coef_).max()) for d, m in models.items()}
    best = min(test, key=test.__getitem__)
    _checks(ctx, data, models, train)
    _coefficient_table(ctx, models, max_abs)
    _fits_figure(ctx, data, models, best)
    _errors_section(ctx, data, train, test, max_abs, best)
    _corrections(ctx)
    ctx.key_result = (
        f"best degree {best} (test RSS {test[best]:.3g}); degree 9: train RSS "
        f"{train[9]:.1e}, test RSS {test[9]:.3g}, max |w| = {max_abs[9]:.3g}"
    )
    return {
        "train_rss": {str(d): v for d, v in train.items()},
        "test_rss": {str(d): v for d, v in test.items()},
        "coef_max_abs": {str(d): v for d, v in max_abs.items()},
        "best_degree": best,
        "test_rms": {str(d): float(np.sqrt(v / n_test)) for d, v in test.items()},
        "coefficients": {str(d): m.coef_ for d, m in models.items()},
    }


def _fit(data: pdata.PolynomialData, degree: int) -> LinearRegression:
    """Least squares on Phi = (1, x, ..., x^degree): the column of ones carries w_0."""
    return LinearRegression(fit_intercept=False).fit(
        pdata.design(data.x_train, degree), data.t_train
    )


def _checks(
    ctx: LabContext,
    data: pdata.PolynomialData,
    models: dict[int, LinearRegression],
    train: dict[int, float],
) -> None:
    ctx.check(
        "degree 0 fits the mean: w₀ = mean(t)",
        models[0].coef_[0],
        data.t_train.mean(),
        tol=1e-12,
    )
    Phi = pdata.design(data.x_train, 3)
    w = models[3].coef_
    scale = float(np.abs(Phi.T @ data.t_train).max())
    ctx.check(
        "degree 3 solves the normal equations ΦᵀΦw = Φᵀt (relative residual)",
        np.abs(Phi.T @ Phi @ w - Phi.T @ data.t_train).max() / scale,
        0.0,
        tol=1e-10,
        tex=r"\Phi^T \Phi w^* = \Phi^T t",
    )
    drops = np.diff([train[d] for d in DEGREES])
    ctx.check(
        "training RSS never grows with the degree (nested models)",
        max(float(drops.max()), 0.0),
        0.0,
        tol=1e-9,
    )
    ctx.check(
        f"degree 9 (10 coefficients, {pdata.N_TRAIN} points) interpolates: training RSS ≈ 0",
        train[9],
        0.0,
        tol=1e-6,
    )


def _coefficient_table(
    ctx: LabContext, models: dict[int, LinearRegression], max_abs: dict[int, float]
) -> None:
    ctx.section("The fitted polynomials f₀ … f₉")
    ctx.paragraph(
        "As in the course notes, each row is one fitted polynomial $f_d(x) = \\sum_j w_j x^j$. "
        "Up to degree 3 the coefficients stay near the true (−2, 3, −4, 1); beyond, they grow "
        "by orders of magnitude and alternate in sign: large positive and negative terms cancel "
        "at the data points and nowhere else."
    )
    rows = []
    for d, model in models.items():
        cells = [float(w) for w in model.coef_] + [""] * (len(DEGREES) - 1 - d)
        rows.append((f"f{d}", *cells))
    ctx.table(
        ["", *(f"w{j}" for j in DEGREES)],
        rows,
        title="Coefficients w_j of x^j",
        caption="The true f has w = (−2, 3, −4, 1).",
    )
    ctx.table(
        ["degree", "largest |w_j|, this run", "largest |w_j|, course notes"],
        [(d, max_abs[d], COURSE_MAX_ABS.get(d, "—")) for d in DEGREES],
        title="The explosion of the coefficients",
        caption="The notes' fits came from their own random sample on another x range; the "
        "numbers differ, the pattern is the same.",
    )


def _fits_figure(
    ctx: LabContext,
    data: pdata.PolynomialData,
    models: dict[int, LinearRegression],
    best: int,
) -> None:
    x, _ = pdata.curve_grid()
    fig, axes = ctx.new_figure(2, 3, width=12.6, height=7.2, sharex=True, sharey=True)
    for ax, (degree, verdict) in zip(axes.flat, (*PANELS, (9, "overfit")), strict=True):
        pdata.setup_axes(ax, data, f"degree {degree}: {verdict}")
        ax.plot(
            x,
            models[degree].predict(pdata.design(x, degree)),
            color="#D55E00",
            label=f"fit f{degree}",
        )
        ax.legend(loc="lower left", fontsize=8)
    ctx.figure(
        fig,
        "fits",
        f"The course's fits f0, f1, f2, f3, f8, f9 on {pdata.N_TRAIN} points (circles); dashed: "
        f"the true cubic. The y axis is clipped: degree 9 swings far outside it between the "
        f"points. Lowest test error: degree {best}.",
    )


def _errors_section(
    ctx: LabContext,
    data: pdata.PolynomialData,
    train: dict[int, float],
    test: dict[int, float],
    max_abs: dict[int, float],
    best: int,
) -> None:
    ctx.section("Training vs test error")
    n_train, n_test = data.x_train.size, data.x_test.size
    ctx.paragraph(
        f"RSS sums over the points, so to compare {n_train} training with {n_test:,} test points "
        "the curves show the root-mean-square error $E_{RMS} = \\sqrt{RSS/N}$. The noise alone "
        f"gives $E_{{RMS}}$ ≈ σ = {pdata.NOISE_STD:g} on test data."
    )
    ctx.table(
        ["degree", "parameters", "train RSS", "test RSS", "train E_RMS", "test E_RMS", "max |w|"],
        [
            (
                d,
                d + 1,
                train[d],
                test[d],
                np.sqrt(train[d] / n_train),
                np.sqrt(test[d] / n_test),
                max_abs[d],
            )
            for d in DEGREES
        ],
        title="Errors per degree",
        caption=f"Lowest test RSS: degree {best}.",
    )
    degrees = np.array(DEGREES)
    fig, axes = ctx.new_figure(1, 2, width=12.6, height=4.2)
    ax = axes[0]
    train_rms = np.array([np.sqrt(train[d] / n_train) for d in DEGREES])
    test_rms = np.array([np.sqrt(test[d] / n_test) for d in DEGREES])
    top = 1.4 * float(max(test_rms[:-1].max(), train_rms.max()))
    ax.plot(degrees, train_rms, "o-", label="training")
    ax.plot(degrees, np.minimum(test_rms, top), "s-", label="test")
    for d in DEGREES:
        if test_rms[d] > top:  # off the scale: say how far
            ax.annotate(
                f"{test_rms[d]:.3g} ↑",
                (d, top),
                textcoords="offset points",
                xytext=(-28, -14),
                fontsize=9,
            )
    ax.axhline(pdata.NOISE_STD, color="0.4", linestyle=":", label="noise σ")
    ax.axvline(best, color="#009E73", linestyle="--", linewidth=1, label=f"best degree {best}")
    ax.set_ylim(0, top)
    ax.set_xticks(degrees)
    ax.set_xlabel("polynomial degree d")
    ax.set_ylabel("E_RMS")
    ax.set_title("Training error falls, test error turns up")
    ax.legend(loc="upper center")
    ax = axes[1]
    ax.semilogy(degrees, [max_abs[d] for d in DEGREES], "o-", label="this run")
    course = sorted(COURSE_MAX_ABS)
    ax.semilogy(
        course, [COURSE_MAX_ABS[d] for d in course], "x", markersize=9, label="course notes"
    )
    ax.set_xticks(degrees)
    ax.set_xlabel("polynomial degree d")
    ax.set_ylabel("largest |w_j| (log scale)")
    ax.set_title("Overfitting shows in the coefficients")
    ax.legend()
    ctx.figure(
        fig,
        "errors",
        "Left: root-mean-square error on the training and the test points (degree 9's training "
        "error is zero up to rounding; a test error above the frame is written at its top). "
        "Right: the largest coefficient of each fit.",
    )


def _corrections(ctx: LabContext) -> None:
    ctx.correction(
        "RSS(L(w)) = ½ Σᵢ (f(xᵢ, w) − yᵢ)²",
        "E(w) = ½ RSS(w) = ½ Σᵢ (f(xᵢ, w) − yᵢ)²",
        "The linear-regression slide defines RSS(w) = Σ (yᵢ − xᵢᵀw)² without the ½; here the "
        "same name is given to half of it. The factor does not move the minimum, but the "
        "numbers differ by 2: the RSS in this report has no ½.",
    )
    ctx.correction(
        "f₀(x) = −2,2393;  f₁(x) = −2,6617 + 1,8775x;  f₃(x) = −2,2937 + 3,5898x − …",
        "f₀(x) = −2.2393;  f₁(x) = −2.6617 + 1.8775x;  f₃(x) = −2.2937 + 3.5898x − …",
        "Decimal commas and decimal points are mixed within one list (f₂, f₈ and f₉ use points); "
        "written with commas, '−2,6617 + 1,8775x' reads like a list of four numbers.",
    )
