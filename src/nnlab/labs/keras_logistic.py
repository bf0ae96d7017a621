"""Lab 14, Keras logistic regression: the course's Keras example, run on :mod:`nnlab.keras`.

``Sequential([Dense(1, input_dim=2, activation="sigmoid")])`` compiled with binary cross-entropy
and plain SGD (Keras's default lr 0.01), fitted with batches of 16 for 100 epochs on two 2-D
Gaussian blobs (:func:`nnlab.datasets.synthetic.two_blobs`: N((-1, -1), I) labelled 0 and
N((1, 1), I) labelled 1, 1000 each) and validated on 100 + 100 fresh points.

For these classes the Bayes posterior is itself a logistic model, p(C1 | x) = σ(2x₁ + 2x₂), so
the fitted weights should approach (2, 2) and the bias 0, and the best possible accuracy is
Φ(√2) ≈ 0.921.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from nnlab.datasets.synthetic import two_blobs
from nnlab.keras import Sequential
from nnlab.keras.callbacks import Callback
from nnlab.keras.layers import Dense
from nnlab.labs.base import LabContext
from nnlab.prob import Normal

MU0, MU1 = (-1.0, -1.0), (1.0, 1.0)


class _ReportEpochs(Callback):
    """Sends each epoch's logs to the report's log block and the progress line."""

    def __init__(self, ctx: LabContext, epochs: int) -> None:
        super().__init__()
        self.ctx, self.epochs = ctx, epochs

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        logs = logs or {}
        line = f"Epoch {epoch + 1}/{self.epochs}: " + ", ".join(
            f"{key} {value:.4f}" for key, value in logs.items()
        )
        if (epoch + 1) % 5 == 0 or epoch == 0:
            self.ctx.log(line, title="Training log (every 5 epochs)")
        self.ctx.progress(line, epoch + 1, self.epochs)


def run(ctx: LabContext) -> dict[str, Any]:
    """Fit the course's model; metrics ``val_accuracy``, ``bayes_accuracy`` (plus the weights,
    the accuracy on a large fresh sample and the final losses)."""
    n_train = ctx.param("training points per class", full=1000, quick=1000)
    n_val = ctx.param("validation points per class", full=100, quick=100)
    epochs = ctx.param("epochs", full=100, quick=30)
    batch_size = ctx.param("batch_size", full=16, quick=16)
    n_fresh = ctx.param("fresh points for the accuracy estimate", full=200_000, quick=50_000)
    tol_w = ctx.param("tolerance |w − (2, 2)|", full=0.5, quick=0.8)
    ctx.setting("optimizer", "'sgd' (Keras SGD, learning rate 0.01)")
    ctx.setting("loss", "binary_crossentropy")
    _intro(ctx)
    x_train, y_train = two_blobs(n_train, MU0, MU1, seed=ctx.rng)
    x_val, y_val = two_blobs(n_val, MU0, MU1, seed=ctx.rng)
    bayes = float(Normal().cdf(math.sqrt(2.0)))

    ctx.section("The model, as in the course")
    ctx.paragraph(
        "`logr = Sequential()`, `logr.add(Dense(1, input_dim=2, activation='sigmoid'))`: "
        "three numbers to learn, $w_1, w_2, b$:"
    )
    ctx.formula(
        r"p(C_1 \mid x) = \sigma(w_1 x_1 + w_2 x_2 + b),\quad "
        r"E = -\frac{1}{N}\sum_n \left[t_n \ln y_n + (1 - t_n)\ln(1 - y_n)\right]"
    )
    model = Sequential(seed=ctx.seed)
    model.add(Dense(1, input_dim=2, activation="sigmoid"))
    model.compile(loss="binary_crossentropy", optimizer="sgd", metrics=["accuracy"])
    history = model.fit(
        x_train,
        y_train,
        batch_size=batch_size,
        epochs=epochs,
        verbose=0,
        validation_data=(x_val, y_val),
        callbacks=[_ReportEpochs(ctx, epochs)],
    ).history
    kernel, bias = model.get_weights()
    w = kernel.ravel().astype(float)
    b = float(bias[0])
    val_loss, val_accuracy = model.evaluate(x_val, y_val, verbose=0)
    x_fresh, y_fresh = two_blobs(n_fresh // 2, MU0, MU1, seed=ctx.rng)
    fresh_accuracy = float(
        np.mean((model.predict(x_fresh, batch_size=8192, verbose=0) > 0.5) == y_fresh)
    )
    _history_figure(ctx, history, bayes)

    ctx.section("The decision boundary and the Bayes rate")
    ctx.paragraph(
        "With equal priors and unit covariances the log-odds of the two Gaussian classes is "
        "linear in $x$, so the best classifier is itself a logistic model:"
    )
    ctx.formula(
        r"\ln\frac{p(x \mid C_1)}{p(x \mid C_0)} = (\mu_1 - \mu_0)^T x + "
        r"\frac{\|\mu_0\|^2 - \|\mu_1\|^2}{2} = 2x_1 + 2x_2"
    )
    ctx.formula(
        r"\mathrm{accuracy}_{Bayes} = \Phi\left(\frac{\|\mu_1 - \mu_0\|}{2}\right) = "
        rf"\Phi(\sqrt{{2}}) = {bayes:.4f}",
        "Each mean lies √2 from the boundary x₁ + x₂ = 0, in units of the noise's standard "
        "deviation.",
    )
    ctx.table(
        ["", "w₁", "w₂", "b", "accuracy"],
        [
            ("Bayes (exact posterior)", 2.0, 2.0, 0.0, f"{100 * bayes:.2f}% (Φ(√2))"),
            (
                f"fitted by nnlab.keras ({epochs} epochs)",
                w[0],
                w[1],
                b,
                f"{100 * val_accuracy:.2f}% validation, {100 * fresh_accuracy:.2f}% on "
                f"{n_fresh:,} fresh points",
            ),
        ],
        title="Fitted model vs the Bayes classifier",
    )
    angle = math.degrees(math.acos(float(w @ np.ones(2)) / (np.linalg.norm(w) * math.sqrt(2))))
    sigma_val = math.sqrt(bayes * (1 - bayes) / (2 * n_val))
    ctx.check(
        f"validation accuracy ≈ Bayes rate (within 3 standard errors of {2 * n_val} points)",
        float(val_accuracy),
        bayes,
        tol=3 * sigma_val,
    )
    ctx.check(
        f"accuracy on {n_fresh:,} fresh points ≈ Bayes rate (within 1%)",
        fresh_accuracy,
        bayes,
        tol=0.01,
    )
    ctx.check("boundary direction: angle between w and (1, 1) in degrees", angle, 0.0, tol=10.0)
    ctx.check("fitted weights ≈ the exact posterior's (2, 2)", w, np.array([2.0, 2.0]), tol=tol_w)
    _boundary_figure(ctx, model, (x_train, y_train), (x_val, y_val), w, b)
    ctx.correction(
        "logr.compile(loss='binary crossentropy', ...), X train, sample data, ...",
        "loss='binary_crossentropy', X_train, sample_data, ...",
        "The notes' listing lost its underscores; Keras (and nnlab.keras) only accept "
        "'binary_crossentropy'.",
    )
    ctx.key_result = (
        f"validation accuracy {100 * val_accuracy:.1f}% (Bayes rate {100 * bayes:.2f}%), "
        f"w = ({w[0]:.2f}, {w[1]:.2f}), b = {b:.2f}"
    )
    return {
        "val_accuracy": float(val_accuracy),
        "bayes_accuracy": bayes,
        "val_loss": float(val_loss),
        "fresh_accuracy": fresh_accuracy,
        "weights": [float(w[0]), float(w[1])],
        "bias": b,
        "final_loss": float(history["loss"][-1]),
    }


def _intro(ctx: LabContext) -> None:
    ctx.intro(
        "The course's Keras example: logistic regression as a one-neuron network, "
        "`Dense(1, activation='sigmoid')`, trained by SGD on binary cross-entropy to separate "
        "two Gaussian clouds. Here it runs unchanged on `nnlab.keras`, nnlab's Keras-compatible "
        "API."
    )
    ctx.intro(
        "The clouds overlap, so no line separates them perfectly: the best any classifier can "
        "do is the **Bayes rate** $\\Phi(\\sqrt{2}) \\approx 92.1\\%$. The trained neuron gets "
        "there, and its weights approach the exact posterior's $(2, 2)$."
    )


def _history_figure(ctx: LabContext, history: dict[str, list[float]], bayes: float) -> None:
    epochs = np.arange(1, len(history["loss"]) + 1)
    fig, (ax_loss, ax_acc) = ctx.new_figure(1, 2, width=12.0, height=4.2)
    ax_loss.plot(epochs, history["loss"], label="training")
    ax_loss.plot(epochs, history["val_loss"], label="validation")
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("binary cross-entropy")
    ax_loss.set_title("Loss")
    ax_loss.legend()
    ax_acc.plot(epochs, 100 * np.asarray(history["accuracy"]), label="training")
    ax_acc.plot(epochs, 100 * np.asarray(history["val_accuracy"]), label="validation")
    ax_acc.axhline(100 * bayes, color="black", linestyle="--", linewidth=1, label="Bayes rate")
    ax_acc.set_xlabel("epoch")
    ax_acc.set_ylabel("accuracy (%)")
    ax_acc.set_title("Accuracy")
    ax_acc.legend(loc="lower right")
    ctx.figure(
        fig,
        "history",
        "History of model.fit: one value per epoch. The validation set has only 200 points, "
        "so its accuracy moves in steps of 0.5%.",
    )


def _boundary_figure(
    ctx: LabContext,
    model: Sequential,
    train: tuple[np.ndarray, np.ndarray],
    val: tuple[np.ndarray, np.ndarray],
    w: np.ndarray,
    b: float,
) -> None:
    grid = np.linspace(-4.5, 4.5, 181)
    gx, gy = np.meshgrid(grid, grid)
    probs = model.predict(np.c_[gx.ravel(), gy.ravel()], batch_size=8192, verbose=0).reshape(
        gx.shape
    )
    fig, ax = ctx.new_figure(width=7.4, height=6.2)
    filled = ax.contourf(gx, gy, probs, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.22)
    for (x, y), marker, size, label in ((train, "o", 7, "train"), (val, "^", 28, "validation")):
        for cls, colour in ((0, "#0072B2"), (1, "#D55E00")):
            pts = x[y.ravel() == cls]
            ax.scatter(
                pts[:, 0],
                pts[:, 1],
                s=size,
                marker=marker,
                color=colour,
                alpha=0.45 if label == "train" else 0.95,
                edgecolors="none",
                label=f"{label}, class {cls}",
            )
    ax.plot(
        grid,
        -grid,
        color="#009E73",
        linestyle="--",
        linewidth=2.5,
        label="Bayes boundary x₁ + x₂ = 0",
    )
    ax.plot(
        grid,
        -(w[0] * grid + b) / w[1],
        color="black",
        linewidth=2,
        label=f"fitted: {w[0]:.2f}x₁ + {w[1]:.2f}x₂ + {b:.2f} = 0",
    )
    ax.set_xlim(-4.5, 4.5)
    ax.set_ylim(-4.5, 4.5)
    ax.set_aspect("equal")
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")
    ax.set_title("Decision boundary")
    ax.legend(loc="upper left", fontsize=8.5)
    fig.colorbar(filled, ax=ax, label="p(class 1 | x) from model.predict")
    ctx.figure(
        fig,
        "boundary",
        "Background: the model's probability of class 1. The fitted boundary (p = 0.5) lies on "
        "the Bayes boundary.",
    )
