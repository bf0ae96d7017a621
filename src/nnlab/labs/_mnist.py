"""What the two MNIST labs share: loading with the settings recorded, the course's
``mnist.train.next_batch`` as a stream of batches, and the result figures (training curves,
confusion matrix, misclassified digits).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from nnlab.datasets import DataLoader, load_mnist_flat
from nnlab.labs.base import LabContext
from nnlab.report.figures import heatmap

Split = tuple[np.ndarray, np.ndarray]


def load(ctx: LabContext, train_limit: int | None, test_limit: int | None) -> tuple[Split, Split]:
    """MNIST as flat float32 pixels in [0, 1] (N, 784) and int64 digits (N,), optionally the
    first ``train_limit`` / ``test_limit`` examples; records the sizes as settings."""
    ctx.progress("loading MNIST")
    (x_train, y_train), (x_test, y_test) = load_mnist_flat(progress=False)
    x_train, y_train = x_train[:train_limit], y_train[:train_limit]
    x_test, y_test = x_test[:test_limit], y_test[:test_limit]
    ctx.setting("training images", x_train.shape[0])
    ctx.setting("test images", x_test.shape[0])
    return (x_train, y_train), (x_test, y_test)


def next_batches(
    x: np.ndarray, y: np.ndarray, batch_size: int, steps: int, rng: np.random.Generator
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """``steps`` batches as TensorFlow's ``mnist.train.next_batch(batch_size)`` gives them:
    the training set reshuffled every epoch and walked through in order."""
    loader = DataLoader((x, y), batch_size=batch_size, shuffle=True, drop_last=True, seed=rng)
    if len(loader) == 0:
        raise ValueError(f"next_batches: {x.shape[0]} examples < batch_size {batch_size}")
    done = 0
    while True:
        for x_batch, y_batch in loader:
            if done == steps:
                return
            done += 1
            yield x_batch, y_batch


@dataclass
class Curves:
    """Training history: the batch loss every step, and (step, test accuracy) checkpoints.

    With ``epoch_size`` (batches per epoch) set, the figure's x axis counts epochs, not steps.
    """

    epoch_size: int = 0
    loss: list[float] = field(default_factory=list)
    eval_steps: list[int] = field(default_factory=list)
    test_accuracy: list[float] = field(default_factory=list)


def curves_figure(ctx: LabContext, runs: dict[str, Curves], name: str, caption: str) -> None:
    """Batch loss (smoothed) and test accuracy against the step (or epoch), one line per run."""
    fig, (ax_loss, ax_acc) = ctx.new_figure(1, 2, width=12.6, height=4.4)
    by_epoch = all(curves.epoch_size for curves in runs.values())
    for label, curves in runs.items():
        loss = np.asarray(curves.loss)
        scale = 1 / curves.epoch_size if by_epoch else 1.0
        window = max(1, min(50, loss.size // 20))
        smooth = np.convolve(loss, np.ones(window) / window, mode="valid")
        steps = np.arange(1, loss.size + 1) * scale
        line = ax_loss.plot(steps, loss, linewidth=0.4, alpha=0.3)[0]
        ax_loss.plot(
            steps[window - 1 :],
            smooth,
            color=line.get_color(),
            label=f"{label} ({window}-step mean)",
        )
        ax_acc.plot(
            np.asarray(curves.eval_steps) * scale,
            100 * np.asarray(curves.test_accuracy),
            "o-",
            markersize=3,
            color=line.get_color(),
            label=label,
        )
    x_label = "epoch (passes over the training set)" if by_epoch else "training step (batch)"
    ax_loss.set_yscale("log")
    ax_loss.set_xlabel(x_label)
    ax_loss.set_ylabel("cross-entropy loss (log scale)")
    ax_loss.set_title("Training loss")
    ax_loss.legend(loc="upper right")
    ax_acc.set_xlabel(x_label)
    ax_acc.set_ylabel("test accuracy (%)")
    ax_acc.set_title("Test accuracy")
    low = min(min(c.test_accuracy[1:] or c.test_accuracy) for c in runs.values())
    ax_acc.set_ylim(max(0.0, 100 * low - 2), 100)
    ax_acc.legend(loc="lower right")
    ctx.figure(fig, name, caption)


def confusion_figure(
    ctx: LabContext, y_true: np.ndarray, y_pred: np.ndarray, name: str, caption: str
) -> np.ndarray:
    """Plot and return the 10 x 10 confusion matrix (rows: true digit, columns: predicted)."""
    matrix = np.zeros((10, 10), dtype=np.int64)
    np.add.at(matrix, (y_true, y_pred), 1)
    off = matrix.copy()
    np.fill_diagonal(off, 0)
    fig, (ax_all, ax_off) = ctx.new_figure(1, 2, width=12.6, height=5.4)
    digits = list(range(10))
    for ax, table, title in (
        (ax_all, matrix, "Confusion matrix (counts)"),
        (ax_off, off, "Errors only (diagonal set to 0)"),
    ):
        image = heatmap(
            ax,
            table,
            xticklabels=digits,
            yticklabels=digits,
            fmt=lambda v: f"{v:.0f}",
            cmap="Blues" if table is matrix else "Reds",
        )
        ax.set_xlabel("predicted digit")
        ax.set_ylabel("true digit")
        ax.set_title(title)
        fig.colorbar(image, ax=ax, label="test images")
    ctx.figure(fig, name, caption)
    return matrix


def misclassified_figure(
    ctx: LabContext,
    x: np.ndarray,
    y_true: np.ndarray,
    probs: np.ndarray,
    name: str,
    caption: str,
    count: int = 24,
) -> None:
    """The ``count`` test digits the model got wrong most confidently."""
    y_pred = probs.argmax(axis=1)
    wrong = np.flatnonzero(y_pred != y_true)
    wrong = wrong[np.argsort(-probs[wrong, y_pred[wrong]])][:count]
    cols = 8
    rows = max(1, -(-wrong.size // cols))
    fig, axes = ctx.new_figure(rows, cols, width=12.0, height=1.75 * rows + 0.3)
    for ax, index in zip(np.ravel(axes), _padded(wrong, rows * cols), strict=True):
        ax.axis("off")
        if index < 0:
            continue
        ax.imshow(x[index].reshape(28, 28), cmap="gray_r", vmin=0, vmax=1)
        ax.set_title(
            f"{y_true[index]} → {y_pred[index]} ({100 * probs[index, y_pred[index]]:.0f}%)",
            fontsize=10,
            fontweight="normal",
        )
    ctx.figure(fig, name, caption)


def _padded(indices: Sequence[int] | np.ndarray, size: int) -> list[int]:
    out = [int(i) for i in indices]
    return out + [-1] * (size - len(out))
