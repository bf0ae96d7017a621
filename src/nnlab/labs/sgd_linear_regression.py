"""Lab 13, SGD linear regression: the course's first training script (TensorFlow 1) on nnlab.

1000 points ``x ~ U(1, 10)``, ``y = 2x + 1 + eps`` with ``eps ~ N(0, 2²)``
(:func:`nnlab.datasets.synthetic.linear`); the model ``y_pred = x k + b`` with ``k`` (1, 1) and
``b`` (1,) as :class:`nnlab.nn.Parameter` from zero; the loss ``mean((y - y_pred)²)`` over a batch
of 100 points drawn with replacement; :class:`nnlab.optim.SGD` with lr 0.001 for 20000 steps, a
log line every 50 steps. The result is compared with least squares
(:class:`nnlab.linear_model.LinearRegression`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

import nnlab
from nnlab.datasets.synthetic import linear
from nnlab.labs.base import LabContext
from nnlab.linear_model import LinearRegression
from nnlab.nn import Parameter
from nnlab.optim import SGD

TRUE_K, TRUE_B, NOISE_STD = 2.0, 1.0, 2.0


def run(ctx: LabContext) -> dict[str, Any]:
    """Train k, b by minibatch SGD; metrics ``k``, ``b``, ``k_closed_form``, ``b_closed_form``,
    ``final_loss`` (MSE on all points with the final k, b) and ``closed_form_loss``."""
    n_samples = ctx.param("n_samples", full=1000, quick=1000)
    batch_size = ctx.param("batch_size", full=100, quick=100)
    num_steps = ctx.param("num_steps", full=20000, quick=8000)
    learning_rate = ctx.param("learning_rate", full=0.001, quick=0.001)
    display_step = ctx.param("display_step", full=50, quick=50)
    tol_k = ctx.param("tolerance |k − k_closed_form|", full=0.02, quick=0.05)
    tol_b = ctx.param("tolerance |b − b_closed_form|", full=0.1, quick=0.25)
    ctx.setting("data", f"x ~ U(1, 10), y = {TRUE_K:g}x + {TRUE_B:g} + ε, ε ~ N(0, {NOISE_STD:g}²)")
    ctx.setting("optimizer", "nnlab.optim.SGD (plain gradient descent steps)")
    ctx.setting("dtype", "float32 (as the course's tf.float32)")
    ctx.intro(
        "The course's first training script: fit a line $y = kx + b$ to 1000 noisy points by "
        "**stochastic gradient descent**. Each step draws a batch of 100 points, computes the mean "
        "squared error, lets `loss.backward()` find $\\partial L/\\partial k$ and "
        "$\\partial L/\\partial b$, and moves $k$ and $b$ a little downhill."
    )
    ctx.intro(
        "Linear regression also has a closed-form solution (least squares), so we can see how "
        "close SGD gets, and watch its path: fast down the steep direction of the loss valley, "
        "then slowly along its flat floor, which is why it takes so many steps."
    )
    x_data, y_data = linear(n_samples, TRUE_K, TRUE_B, NOISE_STD, 1.0, 10.0, seed=ctx.rng)
    closed = LinearRegression().fit(x_data, y_data.ravel())
    k_cf, b_cf = float(closed.coef_[0]), float(closed.intercept_)

    ctx.section("The training script")
    ctx.formula(
        r"\hat y = kx + b,\qquad L(k, b) = \frac{1}{B}\sum_{i=1}^{B}(\hat y_i - y_i)^2",
        "The mean over a batch of B = 100 points (the code's tf.reduce_mean).",
    )
    ctx.formula(
        r"k \leftarrow k - \eta\,\frac{\partial L}{\partial k},\quad "
        r"b \leftarrow b - \eta\,\frac{\partial L}{\partial b},\qquad \eta = 0.001"
    )
    k = Parameter(np.zeros((1, 1), dtype=np.float32))
    b = Parameter(np.zeros(1, dtype=np.float32))
    optimizer = SGD([k, b], lr=learning_rate)
    history = _train(ctx, x_data, y_data, k, b, optimizer, num_steps, batch_size, display_step)
    k_val, b_val = float(k.data.item()), float(b.data.item())
    final_loss = _mse(x_data, y_data, k_val, b_val)
    closed_loss = float(closed.sigma2_)
    ctx.paragraph(
        f"After {num_steps:,} steps: $k = {k_val:.4f}$, $b = {b_val:.4f}$ (the data were made "
        f"with $k = {TRUE_K:g}$, $b = {TRUE_B:g}$). The log lines, as the course's script prints "
        "them, are in the collapsed block above."
    )

    ctx.section("SGD vs the closed form")
    ctx.formula(
        r"(b, k)^T = (X^T X)^{-1} X^T y,\qquad X = (1, x)",
        "Least squares on all 1000 points: the minimum SGD is heading for.",
    )
    ctx.table(
        ["", "k", "b", "MSE on all points"],
        [
            ("true line", TRUE_K, TRUE_B, _mse(x_data, y_data, TRUE_K, TRUE_B)),
            ("closed form (LinearRegression)", k_cf, b_cf, closed_loss),
            (f"SGD, {num_steps:,} steps", k_val, b_val, final_loss),
        ],
        title="Fitted line",
        caption="The closed form is the best line for this sample; the true line is not, "
        "because of the noise.",
    )
    ctx.check("k (SGD) ≈ k (closed form)", k_val, k_cf, tol=tol_k)
    ctx.check("b (SGD) ≈ b (closed form)", b_val, b_cf, tol=tol_b)
    ctx.check("final MSE within 2% of the minimum", final_loss / closed_loss, 1.0, tol=0.02)
    ctx.check(
        "noise variance: residual MSE of the closed form ≈ 2² = 4 (within 15%)",
        closed_loss,
        NOISE_STD**2,
        tol=0.15 * NOISE_STD**2,
        tex=r"\sigma^2_{ML} = \frac{1}{N}\sum (y_n - \hat y_n)^2",
    )
    _fit_figure(ctx, x_data, y_data, (k_val, b_val), (k_cf, b_cf))
    _loss_figure(ctx, history, closed_loss, display_step)
    _path_figure(ctx, x_data, y_data, history, (k_cf, b_cf))
    _corrections(ctx)
    ctx.key_result = f"k = {k_val:.4f}, b = {b_val:.4f} (closed form {k_cf:.4f}, {b_cf:.4f})"
    return {
        "k": k_val,
        "b": b_val,
        "k_closed_form": k_cf,
        "b_closed_form": b_cf,
        "final_loss": final_loss,
        "closed_form_loss": closed_loss,
        "last_batch_loss": float(history["batch_loss"][-1]),
    }


def _mse(x: np.ndarray, y: np.ndarray, k: float, b: float) -> float:
    """Mean squared error of the line kx + b on all points (float64)."""
    with nnlab.no_grad():
        xt, yt = nnlab.tensor(x.astype(np.float64)), nnlab.tensor(y.astype(np.float64))
        return float(((yt - (xt * k + b)) ** 2).mean().item())


def _train(
    ctx: LabContext,
    x_data: np.ndarray,
    y_data: np.ndarray,
    k: Parameter,
    b: Parameter,
    optimizer: SGD,
    num_steps: int,
    batch_size: int,
    display_step: int,
) -> dict[str, np.ndarray]:
    """The course's loop; returns per-step batch losses and (k, b) after every step."""
    batch_loss = np.empty(num_steps)
    path = np.empty((num_steps + 1, 2))
    path[0] = k.data.item(), b.data.item()
    for i in range(num_steps):
        indices = ctx.rng.choice(x_data.shape[0], batch_size)  # with replacement, as np.random
        x_batch, y_batch = nnlab.tensor(x_data[indices]), nnlab.tensor(y_data[indices])
        y_pred = x_batch @ k + b
        loss = ((y_batch - y_pred) ** 2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        batch_loss[i] = loss.item()
        path[i + 1] = k.data.item(), b.data.item()
        if (i + 1) % display_step == 0:
            ctx.log(
                f"Epoch {i + 1}: {batch_loss[i]:.8f}, k={path[i + 1, 0]:.4f}, "
                f"b={path[i + 1, 1]:.4f}",
                title=f"Training log (every {display_step} steps)",
            )
        ctx.progress("training", i + 1, num_steps)
    return {"batch_loss": batch_loss, "path": path}


def _fit_figure(
    ctx: LabContext,
    x: np.ndarray,
    y: np.ndarray,
    sgd: tuple[float, float],
    closed: tuple[float, float],
) -> None:
    fig, ax = ctx.new_figure(width=7.5, height=4.6)
    ax.scatter(x, y, s=6, alpha=0.35, color="grey", label="data (1000 points)")
    line = np.array([1.0, 10.0])
    ax.plot(line, TRUE_K * line + TRUE_B, "k:", linewidth=1.5, label="true line y = 2x + 1")
    ax.plot(line, closed[0] * line + closed[1], linewidth=3, alpha=0.6, label="closed form")
    ax.plot(line, sgd[0] * line + sgd[1], "--", label=f"SGD: y = {sgd[0]:.3f}x + {sgd[1]:.3f}")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_title("The fitted line")
    ax.legend(loc="upper left")
    ctx.figure(fig, "fit", "SGD's line lies on the least-squares line.")


def _loss_figure(
    ctx: LabContext, history: dict[str, np.ndarray], closed_loss: float, display_step: int
) -> None:
    batch_loss = history["batch_loss"]
    steps = np.arange(1, batch_loss.size + 1)
    fig, ax = ctx.new_figure(width=8.0, height=4.2)
    ax.plot(steps, batch_loss, color="#56B4E9", linewidth=0.5, alpha=0.6, label="batch loss")
    shown = steps[display_step - 1 :: display_step]
    ax.plot(shown, batch_loss[shown - 1], "o", markersize=2, label=f"logged (every {display_step})")
    ax.axhline(closed_loss, color="black", linestyle="--", linewidth=1, label="minimum (all data)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("step (log scale)")
    ax.set_ylabel("MSE loss (log scale)")
    ax.set_title("Training loss")
    ax.legend(loc="upper right")
    ctx.figure(
        fig,
        "loss",
        f"The loss falls from {batch_loss[0]:.0f} to the noise level σ² ≈ 4 and then "
        "fluctuates: each batch is a different sample of 100 points.",
    )


def _path_figure(
    ctx: LabContext,
    x: np.ndarray,
    y: np.ndarray,
    history: dict[str, np.ndarray],
    closed: tuple[float, float],
) -> None:
    path = history["path"]
    ks = np.linspace(-0.2, 2.6, 240)
    bs = np.linspace(-1.0, 3.0, 240)
    kk, bb = np.meshgrid(ks, bs)
    x64, y64 = x.ravel().astype(np.float64), y.ravel().astype(np.float64)
    # MSE(k, b) = mean(y²) - 2k mean(xy) - 2b mean(y) + k² mean(x²) + 2kb mean(x) + b²
    surface = (
        np.mean(y64**2)
        - 2 * kk * np.mean(x64 * y64)
        - 2 * bb * np.mean(y64)
        + kk**2 * np.mean(x64**2)
        + 2 * kk * bb * np.mean(x64)
        + bb**2
    )
    fig, (ax, ax_steps) = ctx.new_figure(1, 2, width=12.6, height=5.0)
    levels = np.geomspace(surface.min() * 1.001, surface.max(), 20)
    filled = ax.contourf(kk, bb, np.log10(surface), levels=np.log10(levels), cmap="viridis")
    ax.contour(kk, bb, surface, levels=levels, colors="white", linewidths=0.4, alpha=0.5)
    ax.plot(path[:, 0], path[:, 1], color="#D55E00", linewidth=1.2, label="SGD path (k, b)")
    ax.plot(*path[0], "o", color="white", markeredgecolor="black", label="start (0, 0)")
    ax.plot(*path[-1], "o", color="#D55E00", markeredgecolor="black", label="SGD end")
    ax.plot(
        *closed, "*", color="#F0E442", markersize=16, markeredgecolor="black", label="closed form"
    )
    ax.set_xlabel("slope k")
    ax.set_ylabel("intercept b")
    ax.set_title("The (k, b) path over the loss contours")
    ax.legend(loc="lower left")
    fig.colorbar(filled, ax=ax, label="log10 MSE on all points", format="%.1f")
    steps = np.arange(path.shape[0])
    for column, (name, value) in enumerate((("k", closed[0]), ("b", closed[1]))):
        line = ax_steps.plot(steps, path[:, column], label=f"{name} (SGD)")[0]
        ax_steps.axhline(
            value,
            color=line.get_color(),
            linestyle="--",
            linewidth=1,
            label=f"{name} closed form",
        )
    ax_steps.set_xlabel("step")
    ax_steps.set_ylabel("parameter value")
    ax_steps.set_title("k and b step by step")
    ax_steps.legend(loc="lower right")
    ctx.figure(
        fig,
        "path",
        "The valley is long and narrow (x is far from 0, so k and b are strongly coupled): SGD "
        "drops into it within a few dozen steps (k jumps near 2) and then crawls along its floor "
        "(b creeps towards its minimum over thousands of steps).",
    )


def _corrections(ctx: LabContext) -> None:
    ctx.correction(
        "y = 2x + 1 + ε, ε ~ N(ε; 0; 2 − variance)",
        "ε ~ N(0, 2²): 2 is the standard deviation, the variance is 4",
        "The course's code draws np.random.normal(0, 2, ...), whose second argument is the "
        "standard deviation (NumPy's scale). The residual MSE of the least-squares fit estimates "
        "the noise variance and comes out near 4, not 2 (see the checks).",
    )
    ctx.correction(
        "Create 1000 random points in [0:1]",
        "x ~ U(1, 10)",
        "The code draws np.random.uniform(1, 10, (n_samples, 1)); this lab follows the code.",
    )
    ctx.correction(
        "L = Σᵢ (ŷ − y)² → min",
        "L = (1/B) Σᵢ (ŷᵢ − yᵢ)², the mean over the batch",
        "The code minimizes tf.reduce_mean. Same minimum, but the gradient is B = 100 times "
        "smaller than the sum's, and the learning rate 0.001 is tuned for the mean.",
    )
    ctx.correction(
        "print('Epoch %d: ...' % (i+1, ...))",
        "step i + 1 (one batch), not an epoch",
        "Each iteration sees one batch of 100 points; an epoch (1000 points) is about 10 steps.",
    )
