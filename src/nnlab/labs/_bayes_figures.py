"""Figures of the bayesian-linear-regression lab (kept apart so the lab reads as its steps)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
from matplotlib.figure import Figure
from numpy.typing import NDArray

from nnlab.labs import _polynomial_data as pdata
from nnlab.labs.base import LabContext
from nnlab.linear_model import BayesianLinearRegression, LinearRegression
from nnlab.prob import Normal

W_LIMITS = (-1.0, 1.0)


class Stage(NamedTuple):
    """One row of the sequential figure: ``n`` points seen, the newest point (or None), the
    distribution over w as (mean, precision matrix), and weight vectors drawn from it (k, 2)."""

    n: int
    newest: tuple[float, float] | None
    distribution: tuple[NDArray[np.float64], NDArray[np.float64]]
    samples: NDArray[np.float64]


def gaussian_density(
    W: NDArray[np.float64], mean: NDArray[np.float64], precision: NDArray[np.float64]
) -> NDArray[np.float64]:
    """N(w | mean, precision^-1) at the rows of W (k, 2): sqrt|P| / (2 pi) exp(-d^T P d / 2)."""
    d = W - mean
    quad = np.einsum("ni,ij,nj->n", d, precision, d)
    return np.sqrt(np.linalg.det(precision)) / (2 * np.pi) * np.exp(-0.5 * quad)


def sequential_figure(
    ctx: LabContext,
    stages: Sequence[Stage],
    x: NDArray[np.float64],
    t: NDArray[np.float64],
    true_w: tuple[float, float],
    noise_std: float,
) -> Figure:
    """Bishop's figure 3.7: likelihood of the newest point | prior/posterior | sampled lines."""
    fig, axes = ctx.new_figure(len(stages), 3, width=12.0, height=3.3 * len(stages))
    grid = np.linspace(*W_LIMITS, 160)
    W0, W1 = np.meshgrid(grid, grid)
    W = np.column_stack([W0.ravel(), W1.ravel()])
    xs = np.linspace(-1.0, 1.0, 50)
    for row, stage in zip(axes, stages, strict=True):
        like_ax, post_ax, data_ax = row
        if stage.newest is None:
            like_ax.axis("off")
            like_ax.text(
                0.5,
                0.5,
                "no data yet:\nthe prior alone",
                ha="center",
                va="center",
                transform=like_ax.transAxes,
                fontsize=11,
            )
        else:
            xn, tn = stage.newest
            like = Normal(0.0, noise_std).pdf(tn - (W0 + W1 * xn))
            like_ax.contourf(W0, W1, like, levels=20, cmap="magma")
            _weight_axes(like_ax, true_w, f"likelihood of point {stage.n}")
        density = gaussian_density(W, *stage.distribution).reshape(W0.shape)
        post_ax.contourf(W0, W1, density, levels=20, cmap="magma")
        title = (
            "prior p(w)"
            if stage.n == 0
            else f"posterior after {stage.n} point" + ("s" if stage.n > 1 else "")
        )
        _weight_axes(post_ax, true_w, title)
        for w in stage.samples:
            data_ax.plot(xs, w[0] + w[1] * xs, color="#D55E00", linewidth=1.2, alpha=0.8)
        data_ax.plot(
            x[: stage.n],
            t[: stage.n],
            "o",
            color="#0072B2",
            markerfacecolor="none",
            markersize=7,
            markeredgewidth=1.5,
        )
        data_ax.set_xlim(-1, 1)
        data_ax.set_ylim(-1, 1)
        data_ax.set_xticks([-1, -0.5, 0, 0.5, 1])
        data_ax.set_xlabel("x")
        data_ax.set_ylabel("y")
        data_ax.set_title(f"6 lines w ~ {'prior' if stage.n == 0 else 'posterior'}, data")
    return fig


def _weight_axes(ax: Any, true_w: tuple[float, float], title: str) -> None:
    ax.plot(*true_w, "+", color="white", markersize=12, markeredgewidth=2)
    ax.set_xlim(*W_LIMITS)
    ax.set_ylim(*W_LIMITS)
    ax.set_aspect("equal")
    ax.grid(False)
    ax.set_xlabel("w₀")
    ax.set_ylabel("w₁")
    ax.set_title(title)


def predictive_figure(
    ctx: LabContext,
    data: pdata.PolynomialData,
    order: NDArray[np.intp],
    degree: int,
    alpha: float,
    beta: float,
) -> Figure:
    """Predictive mean +- 1 and 2 std after 1, 3 and all training points (in ``order``)."""
    counts = (1, 3, order.size)
    fig, axes = ctx.new_figure(1, len(counts), width=12.6, height=4.0, sharey=True)
    xs, f = pdata.curve_grid()
    Phi_grid = pdata.design(xs, degree)
    for ax, n in zip(axes, counts, strict=True):
        used = order[:n]
        model = BayesianLinearRegression(alpha, beta).fit(
            pdata.design(data.x_train[used], degree), data.t_train[used]
        )
        mean, std = model.predict(Phi_grid, return_std=True)
        ax.fill_between(
            xs, mean - 2 * std, mean + 2 * std, color="#D55E00", alpha=0.12, label="± 2 std"
        )
        ax.fill_between(xs, mean - std, mean + std, color="#D55E00", alpha=0.25, label="± 1 std")
        ax.plot(xs, mean, color="#D55E00", label="predictive mean")
        ax.plot(xs, f, "--", color="0.35", linewidth=1.2, label="true f(x)")
        ax.plot(
            data.x_train[used],
            data.t_train[used],
            "o",
            color="#0072B2",
            markerfacecolor="none",
            markeredgewidth=1.5,
            label="data",
        )
        ax.set_xlim(*pdata.X_RANGE)
        ax.set_ylim(-8.0, 3.0)
        ax.set_xlabel("x")
        ax.set_ylabel("t")
        ax.set_title(f"N = {n} point{'s' if n > 1 else ''}, degree {degree}")
    axes[0].legend(loc="lower left", fontsize=8)
    return fig


def evidence_figure(
    ctx: LabContext,
    data: pdata.PolynomialData,
    evidence: dict[int, float],
    best: int,
    alpha: float,
    beta: float,
) -> tuple[Figure, list[tuple[Any, ...]]]:
    """Log evidence and maximized log-likelihood (known beta) per degree; the table rows."""
    degrees = sorted(evidence)
    n = data.t_train.size
    rows, max_like = [], []
    for d in degrees:
        Phi = pdata.design(data.x_train, d)
        fit = LinearRegression(fit_intercept=False).fit(Phi, data.t_train)
        rss = pdata.rss(fit.predict(Phi), data.t_train)
        max_like.append(-0.5 * n * np.log(2 * np.pi / beta) - 0.5 * beta * rss)
        mu = BayesianLinearRegression(alpha, beta).fit(Phi, data.t_train).mean_
        test = pdata.rss(pdata.design(data.x_test, d) @ mu, data.t_test)
        rows.append((d, evidence[d], max_like[-1], float(np.sqrt(test / data.t_test.size))))
    fig, axes = ctx.new_figure(1, 2, width=12.6, height=4.2)
    axes[0].plot(degrees, [evidence[d] for d in degrees], "o-")
    axes[0].axvline(best, color="#009E73", linestyle="--", label=f"highest: degree {best}")
    axes[0].set_xlabel("polynomial degree")
    axes[0].set_ylabel("ln p(t | α, β)")
    axes[0].set_title("Log evidence")
    axes[0].legend()
    axes[1].plot(degrees, max_like, "s-", color="#D55E00")
    axes[1].set_xlabel("polynomial degree")
    axes[1].set_ylabel("ln p(t | w_ML, β)")
    axes[1].set_title("Maximized log-likelihood")
    for ax in axes:
        ax.set_xticks(degrees)
    return fig, rows
