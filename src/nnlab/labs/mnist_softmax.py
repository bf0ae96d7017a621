"""Lab 15, MNIST softmax regression: the course's TensorFlow tutorial on nnlab.

``y = softmax(x W + b)`` with ``W`` (784, 10) and ``b`` (10,) :class:`nnlab.nn.Parameter` from
zeros, the cross-entropy from logits (:func:`nnlab.softmax_cross_entropy`, fused and stable),
gradient descent (:class:`nnlab.optim.SGD`) with lr 0.5 on 1000 batches of 100 (the course's
``mnist.train.next_batch``). Reports the test accuracy (about 92%), the confusion matrix, the ten
weight images and the misclassified digits.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import nnlab
from nnlab.labs import _mnist
from nnlab.labs.base import LabContext
from nnlab.nn import Parameter
from nnlab.optim import SGD


def run(ctx: LabContext) -> dict[str, Any]:
    """Train softmax regression; metrics ``test_accuracy`` (plus ``train_accuracy`` and
    ``test_loss``)."""
    steps = ctx.param("steps", full=1000, quick=300)
    batch_size = ctx.param("batch_size", full=100, quick=100)
    learning_rate = ctx.param("learning_rate", full=0.5, quick=0.5)
    eval_every = ctx.param("evaluate every (steps)", full=50, quick=50)
    min_accuracy = ctx.param("required test accuracy", full=0.90, quick=0.80)
    limits = (10000, 2000) if ctx.quick else (None, None)
    (x_train, y_train), (x_test, y_test) = _mnist.load(ctx, *limits)
    ctx.setting("initialization", "W = 0, b = 0")
    ctx.setting("optimizer", "nnlab.optim.SGD (plain gradient descent on each batch)")
    ctx.intro(
        "The course's first neural network is a single layer: each of the ten digits gets a "
        "score $a_k = x \\cdot W_{:,k} + b_k$, a weighted sum of the 784 pixels, and softmax turns "
        "the scores into probabilities. Trained by gradient descent on the cross-entropy, it "
        "reads handwritten digits correctly about **92%** of the time."
    )
    ctx.intro(
        "Because the model is linear, each digit's weights are themselves an image: a template "
        "the digit is matched against. The lab shows them, the confusion matrix (which digits "
        "are mistaken for which) and the digits it gets most confidently wrong."
    )
    ctx.section("Model and training")
    ctx.formula(
        r"y = softmax(xW + b),\quad y_k = \frac{e^{a_k}}{\sum_j e^{a_j}},\quad a = xW + b",
        "x: a batch of images (100, 784), W: (784, 10), b: (10,).",
    )
    ctx.formula(
        r"E(W, b) = -\frac{1}{N}\sum_{n=1}^{N}\sum_{k=1}^{10} t_{nk}\ln y_{nk}",
        "The mean cross-entropy over the batch; t is the one-hot label.",
    )
    ctx.paragraph(
        "The cross-entropy is computed from the scores $a$ by `nnlab.softmax_cross_entropy`, "
        "which uses $\\ln y_k = a_k - \\log\\sum_j e^{a_j}$; the course's "
        "`-sum(y_ * tf.log(y))` takes the log of a softmax that can round to 0 and give "
        "`nan`. Its gradient is simply $(y - t)/N$."
    )
    weights = Parameter(np.zeros((784, 10), dtype=np.float32))
    bias = Parameter(np.zeros(10, dtype=np.float32))
    optimizer = SGD([weights, bias], lr=learning_rate)
    curves = _mnist.Curves()
    batches = _mnist.next_batches(x_train, y_train, batch_size, steps, ctx.rng)
    for step, (x_batch, y_batch) in enumerate(batches, start=1):
        logits = nnlab.tensor(x_batch) @ weights + bias
        loss = nnlab.softmax_cross_entropy(logits, y_batch)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        curves.loss.append(loss.item())
        if step % eval_every == 0 or step == 1:
            curves.eval_steps.append(step)
            curves.test_accuracy.append(_accuracy(x_test, y_test, weights, bias)[0])
        ctx.progress(f"training, batch loss {loss.item():.3f}", step, steps)

    test_accuracy, test_probs = _accuracy(x_test, y_test, weights, bias)
    train_accuracy = _accuracy(x_train, y_train, weights, bias)[0]
    with nnlab.no_grad():
        test_loss = nnlab.softmax_cross_entropy(nnlab.tensor(x_test) @ weights + bias, y_test)
    ctx.section("Accuracy")
    ctx.table(
        ["", "accuracy", "images"],
        [
            ("training set", f"{100 * train_accuracy:.2f}%", x_train.shape[0]),
            ("test set", f"{100 * test_accuracy:.2f}%", x_test.shape[0]),
        ],
        title=f"After {steps:,} steps of {batch_size} (lr {learning_rate:g})",
        caption=f"Mean test cross-entropy {test_loss.item():.4f}.",
    )
    ctx.check(
        f"test accuracy in [{100 * min_accuracy:.0f}%, 100%] (the course: about 92%)",
        test_accuracy,
        (1 + min_accuracy) / 2,
        tol=(1 - min_accuracy) / 2,
    )
    _mnist.curves_figure(
        ctx,
        {"softmax regression": curves},
        "curves",
        f"Left: the loss of each batch (faint) and its running mean. Right: accuracy on the "
        f"{x_test.shape[0]:,} test images every {eval_every} steps.",
    )
    matrix = _mnist.confusion_figure(
        ctx,
        y_test,
        test_probs.argmax(axis=1),
        "confusion",
        "Rows: the true digit; columns: the prediction. The right panel shows only the errors.",
    )
    per_digit = matrix.diagonal() / matrix.sum(axis=1)
    ctx.table(
        ["digit", *(str(d) for d in range(10))],
        [("test accuracy", *(f"{100 * a:.1f}%" for a in per_digit))],
        title="Accuracy per digit",
    )
    _weights_figure(ctx, weights.data)
    _mnist.misclassified_figure(
        ctx,
        x_test,
        y_test,
        test_probs,
        "misclassified",
        "The test digits misclassified with the highest confidence: true → predicted "
        "(probability given to the wrong digit).",
    )
    _corrections(ctx)
    ctx.key_result = f"test accuracy {100 * test_accuracy:.2f}% after {steps:,} steps"
    return {
        "test_accuracy": test_accuracy,
        "train_accuracy": train_accuracy,
        "test_loss": float(test_loss.item()),
    }


def _accuracy(
    x: np.ndarray, y: np.ndarray, weights: Parameter, bias: Parameter
) -> tuple[float, np.ndarray]:
    """Fraction of argmax(softmax(xW + b)) == y, and the probabilities (N, 10)."""
    with nnlab.no_grad():
        probs = (nnlab.tensor(x) @ weights + bias).softmax(axis=-1).numpy()
    return float(np.mean(probs.argmax(axis=1) == y)), probs


def _weights_figure(ctx: LabContext, weights: np.ndarray) -> None:
    fig, axes = ctx.new_figure(2, 5, width=12.0, height=5.4)
    limit = float(np.abs(weights).max())
    images = []
    for digit, ax in enumerate(np.ravel(axes)):
        images.append(
            ax.imshow(weights[:, digit].reshape(28, 28), cmap="RdBu_r", vmin=-limit, vmax=limit)
        )
        ax.set_title(f"digit {digit}")
        ax.axis("off")
    fig.colorbar(images[0], ax=axes, label="weight", shrink=0.8)
    ctx.figure(
        fig,
        "weights",
        "The columns of W as 28×28 images. Red pixels raise the digit's score when inked, blue "
        "ones lower it: each looks like a blurred template of its digit.",
    )


def _corrections(ctx: LabContext) -> None:
    ctx.correction(
        "E(w₁, …, w_K) = −∏ₙ ∏ₖ tₙₖ ln yₙₖ",
        "E = −Σₙ Σₖ tₙₖ ln yₙₖ",
        "The negative log of the likelihood ∏∏ y^t is a sum of logs, not a product.",
    )
    ctx.correction(
        "cross_entropy = tf.reduce_mean(-tf.reduce_sum(y * tf.log(y), ...)) and "
        "tf.equal(tf.argmax(y, 1), tf.argmax(y, 1))",
        "y_ * tf.log(y) and tf.equal(tf.argmax(y, 1), tf.argmax(y_, 1))",
        "The labels are the placeholder y_ (as the next slide writes); the first listing also "
        "rebinds y to the label placeholder. With y on both sides the loss would be the entropy "
        "of the prediction and the accuracy always 1.",
    )
    ctx.correction(
        "tf.equal(...) -> array(1,1,1,1,1) for six predictions",
        "[True, True, True, True, True, True]",
        "One boolean per example: six predictions give six entries (all equal here).",
    )
