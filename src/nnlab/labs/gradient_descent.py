"""Lab 5, gradient descent: u_t = -eta grad E(theta_{t-1}) on an ill-conditioned quadratic and on
the Rosenbrock function, with step sizes that are too small, good, too large and divergent.

The gradients come from the autodiff engine through :func:`nnlab.optim.gradient_descent`; this
module only defines the two functions E (as nnlab tensor expressions), the theory for the
quadratic (the contraction factors |1 - eta lambda_i|) and the figures.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from matplotlib.axes import Axes

import nnlab
from nnlab.autograd import Tensor
from nnlab.labs.base import LabContext
from nnlab.optim.gradient_descent import GDResult, gradient_descent, value_and_grad

#: Eigenvalues of the quadratic's Hessian A and the angle of its eigenvectors (degrees).
EIGENVALUES = (1.0, 20.0)
ROTATION_DEG = 30.0
QUADRATIC_START = (-4.0, 3.0)
#: eta for the quadratic: too small, good, about optimal 2 / (lambda_min + lambda_max), divergent.
QUADRATIC_ETAS = (0.005, 0.05, 0.095, 0.105)
ROSENBROCK_START = (-1.2, 1.0)
#: eta for Rosenbrock: too small, good, too large (bounces, stalls), divergent.
ROSENBROCK_ETAS = (1e-4, 1e-3, 3e-3, 1e-2)
ROSENBROCK_MINIMUM = (1.0, 1.0)


def hessian() -> np.ndarray:
    """A = R diag(lambda_1, lambda_2) R^T: condition number lambda_2 / lambda_1, axes rotated."""
    angle = np.deg2rad(ROTATION_DEG)
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    return rotation @ np.diag(EIGENVALUES) @ rotation.T


def quadratic(A: np.ndarray) -> Callable[[Tensor], Tensor]:
    """E(theta) = 1/2 theta^T A theta (minimum 0 at theta = 0) as an nnlab expression; theta has
    shape (2,), or (2, n) for n points at once."""
    A_t = nnlab.tensor(np.asarray(A, dtype=np.float64))

    def E(theta: Tensor) -> Tensor:
        # theta of shape (2,) gives a scalar; (2, n) gives the n values E(theta[:, j]) at once
        return 0.5 * (theta * (A_t @ theta)).sum(axis=0)

    return E


def rosenbrock(theta: Tensor) -> Tensor:
    """E(x, y) = (1 - x)^2 + 100 (y - x^2)^2: a curved, narrow valley, minimum 0 at (1, 1);
    theta = (x, y) of shape (2, ...) (elementwise over the trailing axes)."""
    x, y = theta[0], theta[1]
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


def run(ctx: LabContext) -> dict[str, Any]:
    """Metrics ``final_loss`` and ``diverged``, each ``{"quadratic": {eta: ...}, "rosenbrock":
    {eta: ...}}`` with eta written as in the settings (``"0.05"``), plus the iterations needed."""
    quad_steps = ctx.param("quadratic_steps", full=500, quick=150)
    rosen_steps = ctx.param("rosenbrock_steps", full=20_000, quick=5_000)
    ctx.setting("quadratic: eigenvalues of A", EIGENVALUES)
    ctx.setting("quadratic: start θ₀", QUADRATIC_START)
    ctx.setting("quadratic: η", QUADRATIC_ETAS)
    ctx.setting("Rosenbrock: start θ₀", ROSENBROCK_START)
    ctx.setting("Rosenbrock: η", ROSENBROCK_ETAS)
    ctx.intro(
        "Gradient descent walks downhill: each step moves θ against the gradient, "
        "$u_t = -\\eta \\nabla E(\\theta_{t-1})$. The step size η (the learning rate) decides "
        "everything: too small and the walk crawls, too large and it bounces across the valley "
        "and flies off. The gradients here are computed by nnlab's autodiff engine."
    )
    ctx.intro(
        "Two landscapes: a stretched bowl (a quadratic whose curvature differs 20-fold between "
        "two directions), where the theory is exact, and Rosenbrock's banana-shaped valley, the "
        "classic hard case for plain gradient descent."
    )
    ctx.section("The update rule")
    ctx.formula(
        r"u_t = -\eta\,\nabla_\theta E(\theta_{t-1}),\qquad \theta_t = \theta_{t-1} + u_t",
        "The course's gradient descent; `nnlab.optim.gradient_descent` records every θ_t.",
    )
    ctx.correction(
        "u = learning_rate * grad; theta += u",
        "u = -learning_rate * grad; theta += u",
        "The code line drops the minus sign of $u_t = -\\eta \\nabla E$: adding +η∇E climbs the "
        "hill (gradient ascent). The formula on the same slide is right.",
    )
    A = hessian()
    E_quad = quadratic(A)
    _gradient_checks(ctx, A, E_quad)
    quad = _quadratic_section(ctx, A, E_quad, quad_steps)
    rosen = _rosenbrock_section(ctx, rosen_steps)
    _results_table(ctx, quad, rosen)
    fig, axes = ctx.new_figure(1, 2, width=12.6, height=4.4)
    _plot_losses(axes[0], quad, "Quadratic: E(θ_t)")
    _plot_losses(axes[1], rosen, "Rosenbrock: E(θ_t)")
    ctx.figure(
        fig,
        "loss-curves",
        "Loss per step (log scale). Divergent runs stop when E exceeds 10¹²; the ones that "
        "bounce plateau above the minimum.",
    )
    good_q, good_r = quad[QUADRATIC_ETAS[2]], rosen[ROSENBROCK_ETAS[1]]
    ctx.key_result = (
        f"quadratic η={QUADRATIC_ETAS[2]:g}: E = {good_q.loss:.2g}, η={QUADRATIC_ETAS[-1]:g} "
        f"diverges; Rosenbrock η={ROSENBROCK_ETAS[1]:g}: E = {good_r.loss:.2g}"
    )
    return {
        "final_loss": {
            "quadratic": {_key(eta): r.loss for eta, r in quad.items()},
            "rosenbrock": {_key(eta): r.loss for eta, r in rosen.items()},
        },
        "diverged": {
            "quadratic": {_key(eta): r.diverged for eta, r in quad.items()},
            "rosenbrock": {_key(eta): r.diverged for eta, r in rosen.items()},
        },
        "steps_taken": {
            "quadratic": {_key(eta): r.n_steps for eta, r in quad.items()},
            "rosenbrock": {_key(eta): r.n_steps for eta, r in rosen.items()},
        },
    }


def _key(eta: float) -> str:
    return f"{eta:g}"


def _gradient_checks(ctx: LabContext, A: np.ndarray, E_quad: Callable[[Tensor], Tensor]) -> None:
    ctx.section("Gradients from the engine")
    ctx.formula(r"E(\theta) = \frac{1}{2}\theta^T A \theta,\qquad \nabla E = A\theta")
    ctx.formula(
        r"E(x, y) = (1-x)^2 + 100\,(y-x^2)^2,\qquad "
        r"\nabla E = \left(-2(1-x) - 400\,x\,(y-x^2),\ 200\,(y-x^2)\right)"
    )
    theta = np.array(QUADRATIC_START)
    _, grad = value_and_grad(E_quad, theta)
    ctx.check("engine ∇E of the quadratic = Aθ at θ₀", grad, A @ theta, tol=1e-12)
    x, y = ROSENBROCK_START
    _, grad = value_and_grad(rosenbrock, np.array(ROSENBROCK_START))
    analytic = [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)]
    ctx.check("engine ∇E of Rosenbrock = the analytic gradient at θ₀", grad, analytic, tol=1e-9)


def _quadratic_section(
    ctx: LabContext, A: np.ndarray, E: Callable[[Tensor], Tensor], steps: int
) -> dict[float, GDResult]:
    ctx.section("An ill-conditioned quadratic")
    lam_min, lam_max = min(EIGENVALUES), max(EIGENVALUES)
    ctx.paragraph(
        f"A has eigenvalues {lam_min:g} and {lam_max:g} (condition number "
        f"{lam_max / lam_min:g}). Along eigenvector i one step multiplies the error by "
        "$1 - \\eta\\lambda_i$, so gradient descent converges only if every factor has magnitude "
        f"below 1: η < 2/λ_max = {2 / lam_max:g}. The fastest η balances the two directions, "
        f"η* = 2/(λ_min + λ_max) = {2 / (lam_min + lam_max):.4g}."
    )
    ctx.formula(
        r"\theta_t = (I - \eta A)^t\,\theta_0,\qquad "
        r"\mathrm{converges} \Leftrightarrow \max_i |1 - \eta\lambda_i| < 1 "
        r"\Leftrightarrow \eta < 2/\lambda_{max}"
    )
    results = {}
    for eta in ctx.track(QUADRATIC_ETAS, "quadratic"):
        results[eta] = gradient_descent(E, QUADRATIC_START, eta, steps)
    theta0 = np.array(QUADRATIC_START)
    for eta, result in results.items():
        predicted = np.linalg.matrix_power(np.eye(2) - eta * A, result.n_steps) @ theta0
        if not result.diverged:
            ctx.check(
                f"η = {eta:g}: θ after {result.n_steps} steps = (I − ηA)^t θ₀",
                result.x,
                predicted,
                tol=1e-9 * max(1.0, float(np.abs(theta0).max())),
            )
    ctx.check(
        "diverged exactly for η > 2/λ_max",
        [r.diverged for r in results.values()],
        [eta > 2 / lam_max for eta in results],
        tol=0,
    )
    fig, axes = ctx.new_figure(1, 2, width=12.6, height=4.8)
    _contours(axes[0], E, (-5.0, 5.0), (-4.0, 4.0), levels=np.geomspace(0.05, 400, 14))
    for eta, result in results.items():
        _path(axes[0], result, eta)
    axes[0].plot(0, 0, "k*", markersize=12, label="minimum")
    axes[0].set_xlim(-5, 5)
    axes[0].set_ylim(-4, 4)
    axes[0].set_title("Paths on 1/2 θᵀAθ")
    axes[0].legend(loc="lower right", fontsize=8)
    etas = np.linspace(0.0, 0.12, 400)
    for lam in EIGENVALUES:
        axes[1].plot(etas, np.abs(1 - etas * lam), label=f"|1 − ηλ|, λ = {lam:g}")
    axes[1].axhline(1.0, color="k", linewidth=1, linestyle="--")
    for eta in QUADRATIC_ETAS:
        rate = max(abs(1 - eta * lam) for lam in EIGENVALUES)
        axes[1].plot(eta, rate, "o", color="k")
        axes[1].annotate(f"η={eta:g}", (eta, rate), textcoords="offset points", xytext=(-8, 8))
    axes[1].set_ylim(0, 1.6)
    axes[1].set_xlabel("learning rate η")
    axes[1].set_ylabel("error factor per step")
    axes[1].set_title("Convergence needs every factor < 1")
    axes[1].legend(loc="upper left")
    ctx.figure(
        fig,
        "quadratic",
        "Left: gradient-descent paths (a divergent path leaves the frame, zig-zagging along the "
        "steep direction). Right: the factor by which one step shrinks the error in each "
        "eigendirection; the dots are the η used, their height the slower of the two factors.",
    )
    return results


def _rosenbrock_section(ctx: LabContext, steps: int) -> dict[float, GDResult]:
    ctx.section("Rosenbrock's valley")
    ctx.paragraph(
        "Near the minimum (1, 1) the Hessian of Rosenbrock's function has eigenvalues of about "
        "0.4 and 1002, so η must stay below 2/1002 ≈ 0.002 there. A small η follows the valley "
        "floor at a crawl; an η too large for the curvature jumps between the valley walls (and "
        "stalls), or explodes within a few steps."
    )
    results = {}
    for eta in ROSENBROCK_ETAS:
        ctx.progress(f"Rosenbrock, η = {eta:g}")
        results[eta] = gradient_descent(rosenbrock, ROSENBROCK_START, eta, steps)
    good = results[ROSENBROCK_ETAS[1]]
    ctx.check(
        f"η = {ROSENBROCK_ETAS[1]:g} gets near the minimum (1, 1) (within 0.25)",
        good.x,
        ROSENBROCK_MINIMUM,
        tol=0.25,
    )
    ctx.check("η = 0.01 diverges", results[1e-2].diverged, True, tol=0)
    fig, ax = ctx.new_figure(width=9.0, height=5.6)
    _contours(ax, rosenbrock, (-2.0, 2.0), (-1.0, 3.0), levels=np.geomspace(0.1, 2500, 16))
    for eta, result in results.items():
        _path(ax, result, eta)
    ax.plot(*ROSENBROCK_MINIMUM, "k*", markersize=14, label="minimum (1, 1)")
    ax.set_xlim(-2, 2)
    ax.set_ylim(-1, 3)
    ax.set_title("Paths in Rosenbrock's valley")
    ax.legend(loc="lower right", fontsize=9)
    ctx.figure(
        fig,
        "rosenbrock",
        f"Gradient descent from {ROSENBROCK_START} for up to {steps:,} steps; contour levels "
        "are spaced logarithmically.",
    )
    return results


def _contours(
    ax: Axes,
    E: Callable[[Tensor], Tensor],
    xlim: tuple[float, float],
    ylim: tuple[float, float],
    levels: np.ndarray,
) -> None:
    """Contours of E on a 200 x 200 grid, evaluated by one engine call on a (2, 40000) tensor."""
    xs, ys = np.linspace(*xlim, 200), np.linspace(*ylim, 200)
    X, Y = np.meshgrid(xs, ys)
    with nnlab.no_grad():
        Z = E(nnlab.tensor(np.stack([X.ravel(), Y.ravel()]))).numpy().reshape(X.shape)
    contour = ax.contour(X, Y, Z, levels=levels, colors="0.55", linewidths=0.7)
    ax.clabel(contour, levels[::2], fontsize=7, fmt="%.3g")
    ax.set_xlabel("θ₁ (x)")
    ax.set_ylabel("θ₂ (y)")


def _path(ax: Axes, result: GDResult, eta: float) -> None:
    path = result.trajectory
    finite = np.all(np.isfinite(path), axis=1)
    path = path[finite][:12] if result.diverged else path[finite]
    state = "diverged" if result.diverged else f"E = {result.loss:.2g}"
    ax.plot(
        path[:, 0], path[:, 1], "o-", markersize=2, linewidth=1.1, label=f"η = {eta:g} ({state})"
    )


def _plot_losses(ax: Axes, results: dict[float, GDResult], title: str) -> None:
    for eta, result in results.items():
        steps = np.arange(result.losses.size)
        ax.plot(
            steps, result.losses, label=f"η = {eta:g}" + (" (diverged)" if result.diverged else "")
        )
    ax.set_yscale("log")
    ax.set_xscale("symlog", linthresh=10)
    ax.set_xlim(left=0)
    ax.set_xlabel("step t (linear up to 10, then log scale)")
    ax.set_ylabel("E(θ_t)")
    ax.set_title(title)
    ax.legend(fontsize=9)


def _results_table(
    ctx: LabContext, quad: dict[float, GDResult], rosen: dict[float, GDResult]
) -> None:
    ctx.section("Results")
    rows = []
    for name, results in (("quadratic", quad), ("Rosenbrock", rosen)):
        for eta, result in results.items():
            rows.append((name, eta, result.n_steps, result.loss, result.diverged, result.reason))
    ctx.table(
        ["function", "η", "steps", "final E", "diverged", "how the run ended"],
        rows,
        title="Final loss per learning rate",
        caption="For a diverged run, 'final E' is the last finite loss before it was stopped.",
    )
