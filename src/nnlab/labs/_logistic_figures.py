"""Figures of the logistic-regression lab (kept apart so the lab reads as its steps)."""

from __future__ import annotations

import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from numpy.typing import NDArray

from nnlab.labs.base import LabContext
from nnlab.linear_model import LogisticRegression, SoftmaxRegression
from nnlab.report.figures import PALETTE

LIMITS = (-4.5, 4.5)


def _grid(n: int = 200) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    xs = np.linspace(*LIMITS, n)
    X1, X2 = np.meshgrid(xs, xs)
    return X1, X2, np.column_stack([X1.ravel(), X2.ravel()])


def sigmoid_figure(
    ctx: LabContext,
    x: NDArray[np.float64],
    joint_1: NDArray[np.float64],
    joint_2: NDArray[np.float64],
    posterior: NDArray[np.float64],
    sigma_a: NDArray[np.float64],
    priors: tuple[float, float],
) -> Figure:
    fig, axes = ctx.new_figure(1, 2, width=12.6, height=4.0)
    axes[0].plot(x, joint_1, label=f"p(x | C₁) p(C₁), p(C₁) = {priors[0]:g}")
    axes[0].plot(x, joint_2, label=f"p(x | C₂) p(C₂), p(C₂) = {priors[1]:g}")
    axes[0].set_xlabel("x")
    axes[0].set_ylabel("density × prior")
    axes[0].set_title("Class densities weighted by the priors")
    axes[0].legend(loc="upper left", fontsize=9)
    axes[1].plot(x, posterior, linewidth=4, alpha=0.4, label="Bayes: p(C₁ | x)")
    axes[1].plot(x, sigma_a, "k--", label="σ(a(x))")
    axes[1].axhline(0.5, color="0.6", linewidth=0.8)
    axes[1].set_xlabel("x")
    axes[1].set_ylabel("p(C₁ | x)")
    axes[1].set_title("The posterior is a sigmoid")
    axes[1].legend(loc="upper left")
    return fig


def boundary_figure(
    ctx: LabContext,
    X: NDArray[np.float64],
    t: NDArray[np.float64],
    model: LogisticRegression,
    true_w: NDArray[np.float64],
    plug_in: NDArray[np.float64],
) -> Figure:
    """p(C1|x) of the fitted model, the data and three boundaries w^T x + w_0 = 0."""
    X1, X2, points = _grid()
    proba = model.predict_proba(points)[:, 1].reshape(X1.shape)
    fig, ax = ctx.new_figure(width=8.0, height=6.6)
    image = ax.contourf(X1, X2, proba, levels=np.linspace(0, 1, 21), cmap="RdBu_r", alpha=0.55)
    ax.contour(X1, X2, proba, levels=[0.1, 0.9], colors="0.3", linewidths=0.8, linestyles=":")
    fig.colorbar(image, ax=ax, label="fitted p(C₁ | x)")
    ax.scatter(*X[t == 1].T, s=9, color=PALETTE[1], alpha=0.7, label="class C₁ (t = 1)")
    ax.scatter(*X[t == 0].T, s=9, color=PALETTE[0], alpha=0.7, label="class C₂ (t = 0)")
    xs = np.linspace(*LIMITS, 2)
    fitted = np.r_[model.coef_[0], model.intercept_]
    for w, style, label in (
        (true_w, "k-", "Bayes boundary (true μ, Σ)"),
        (plug_in, "--", "generative, estimated μ, Σ"),
        (fitted, ":", "logistic regression"),
    ):
        ax.plot(xs, -(w[0] * xs + w[2]) / w[1], style, linewidth=2.2, label=label)
    ax.set_xlim(*LIMITS)
    ax.set_ylim(*LIMITS)
    ax.set_aspect("equal")
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")
    ax.set_title("Shared-covariance Gaussians: a linear boundary")
    ax.legend(loc="lower right", fontsize=8)
    return fig


def training_figure(
    ctx: LabContext,
    gd_losses: NDArray[np.float64],
    newton_losses: NDArray[np.float64],
    best: float,
) -> Figure:
    fig, ax = ctx.new_figure(width=8.0, height=4.2)
    floor = 1e-16
    ax.plot(
        np.arange(gd_losses.size), np.maximum(gd_losses - best, floor), label="gradient descent"
    )
    ax.plot(
        np.arange(newton_losses.size),
        np.maximum(newton_losses - best, floor),
        "o-",
        label="Newton's method",
    )
    ax.set_xscale("symlog", linthresh=10)
    ax.set_xlim(left=0)
    ax.set_yscale("log")
    ax.set_ylim(bottom=floor)
    ax.set_xlabel("iteration (linear up to 10, then log scale)")
    ax.set_ylabel("E/N − min E/N (log scale)")
    ax.set_title("Convergence of the mean cross-entropy")
    ax.legend()
    return fig


def softmax_figure(
    ctx: LabContext, X: NDArray[np.float64], y: NDArray[np.int64], model: SoftmaxRegression
) -> Figure:
    X1, X2, points = _grid()
    proba = model.predict_proba(points)
    regions = proba.argmax(axis=1).reshape(X1.shape)
    colours = [PALETTE[0], PALETTE[1], PALETTE[2]]
    fig, ax = ctx.new_figure(width=7.4, height=6.4)
    ax.contourf(
        X1, X2, regions, levels=[-0.5, 0.5, 1.5, 2.5], cmap=ListedColormap(colours), alpha=0.18
    )
    for k in range(3):
        ax.contour(
            X1, X2, proba[:, k].reshape(X1.shape), levels=[0.5], colors=colours[k], linewidths=1.5
        )
        ax.scatter(*X[y == k].T, s=9, color=colours[k], alpha=0.75, label=f"class C{k + 1}")
    ax.set_xlim(*LIMITS)
    ax.set_ylim(*LIMITS)
    ax.set_aspect("equal")
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")
    ax.set_title("Softmax regression, K = 3")
    ax.legend(loc="lower right")
    return fig
