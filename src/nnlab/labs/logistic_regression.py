"""Lab 11, logistic regression: p(C1|x) = sigma(a) from class densities; for Gaussian classes
with a shared covariance the generative closed form vs the fitted model; training by gradient
descent (engine gradients, :func:`nnlab.optim.gradient_descent`) and by Newton's method
(:class:`nnlab.linear_model.LogisticRegression`); softmax regression with three classes
(:class:`nnlab.linear_model.SoftmaxRegression`); the course's classification vs regression table.
The figures are drawn in :mod:`nnlab.labs._logistic_figures`.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from numpy.typing import NDArray

import nnlab
from nnlab.info import binary_cross_entropy
from nnlab.labs import _logistic_figures as figs
from nnlab.labs.base import LabContext
from nnlab.linear_model import LinearRegression, LogisticRegression, SoftmaxRegression
from nnlab.optim.gradient_descent import gradient_descent
from nnlab.prob import Normal

#: Two Gaussian classes in 2-D with one shared covariance (C1 labelled 1, C2 labelled 0).
MEAN_1, MEAN_2 = np.array([1.0, 0.5]), np.array([-1.0, -0.5])
SHARED_COV = np.array([[1.0, 0.6], [0.6, 1.5]])
PRIOR_1 = 0.5
#: Three classes for softmax regression (covariance 0.8 I each).
SOFTMAX_MEANS = np.array([[0.0, 2.0], [-2.0, -1.0], [2.0, -1.0]])
#: The 1-D example of p(C1|x) = sigma(a).
DENSITIES_1D = ((1.0, 1.0), (-1.0, 1.0))  # (mean, std) of p(x|C1), p(x|C2)
PRIORS_1D = (0.3, 0.7)
GD_LEARNING_RATE = 1.0


def generative_weights(
    mean_1: NDArray[np.float64], mean_2: NDArray[np.float64], cov: NDArray[np.float64], p1: float
) -> NDArray[np.float64]:
    """(w, w_0) with a(x) = w^T x + w_0 = ln p(x|C1)p(C1) / p(x|C2)p(C2) for N(mean_k, cov):
    w = cov^-1 (mean_1 - mean_2), w_0 = -mean_1^T cov^-1 mean_1 / 2 + mean_2^T cov^-1 mean_2 / 2
    + ln(p1 / (1 - p1)); returned as [w_1, ..., w_D, w_0]."""
    P = np.linalg.inv(cov)
    w = P @ (mean_1 - mean_2)
    w0 = -0.5 * mean_1 @ P @ mean_1 + 0.5 * mean_2 @ P @ mean_2 + np.log(p1 / (1.0 - p1))
    return np.r_[w, w0]


def draw_two_classes(
    rng: np.random.Generator, n_per_class: int
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """n points of C1 (t = 1) then n of C2 (t = 0), shapes (2n, 2) and (2n,)."""
    x1 = rng.multivariate_normal(MEAN_1, SHARED_COV, size=n_per_class)
    x2 = rng.multivariate_normal(MEAN_2, SHARED_COV, size=n_per_class)
    return np.vstack([x1, x2]), np.r_[np.ones(n_per_class), np.zeros(n_per_class)]


def run(ctx: LabContext) -> dict[str, Any]:
    """Metrics ``test_accuracy`` (logistic regression, Newton), ``softmax_test_accuracy``, the
    Bayes accuracy and the weights of every method."""
    n_train = ctx.param("training points per class", full=500, quick=200)
    n_test = ctx.param("test points per class", full=5000, quick=2000)
    gd_steps = ctx.param("gradient-descent steps", full=3000, quick=1000)
    ctx.setting("class means μ₁, μ₂", (tuple(MEAN_1), tuple(MEAN_2)))
    ctx.setting("shared covariance Σ", SHARED_COV.tolist())
    ctx.setting("gradient-descent learning rate (on the mean cross-entropy)", GD_LEARNING_RATE)
    ctx.intro(
        "Classification asks for p(C₁ | x). Bayes' theorem writes it as a sigmoid of a "
        "log-odds a(x); when the classes are Gaussian with the same covariance, a(x) is linear "
        "in x, which is exactly the logistic-regression model σ(wᵀx + w₀). This lab checks "
        "that, fits the model by gradient descent and by Newton's method, and extends it to "
        "three classes with the softmax."
    )
    _sigmoid_section(ctx)
    X, t = draw_two_classes(ctx.rng, n_train)
    X_test, t_test = draw_two_classes(ctx.rng, n_test)
    newton = LogisticRegression(solver="newton").fit(X, t)
    accuracy = newton.score(X_test, t_test)
    bayes = _generative_section(ctx, X, t, X_test, t_test, newton, accuracy)
    _training_section(ctx, X, t, newton, gd_steps)
    softmax_accuracy = _softmax_section(ctx, X, t, newton, n_train, n_test)
    _comparison_section(ctx, X, t, X_test, t_test, accuracy)
    _corrections(ctx)
    ctx.key_result = (
        f"logistic test accuracy {accuracy:.2%} (Bayes rate {bayes:.2%}); "
        f"softmax, 3 classes: {softmax_accuracy:.2%}"
    )
    return {
        "test_accuracy": accuracy,
        "softmax_test_accuracy": softmax_accuracy,
        "bayes_accuracy": bayes,
        "weights_newton": np.r_[newton.coef_[0], newton.intercept_],
        "weights_generative": generative_weights(MEAN_1, MEAN_2, SHARED_COV, PRIOR_1),
    }


def _sigmoid_section(ctx: LabContext) -> None:
    ctx.section("p(C₁ | x) = σ(a) from class densities")
    ctx.formula(
        r"p(C_1 \mid x) = \frac{p(x \mid C_1)p(C_1)}{p(x \mid C_1)p(C_1) + p(x \mid C_2)p(C_2)}"
        r" = \frac{1}{1 + e^{-a}} = \sigma(a),\quad "
        r"a = \ln\frac{p(x \mid C_1)p(C_1)}{p(x \mid C_2)p(C_2)}"
    )
    (m1, s1), (m2, s2) = DENSITIES_1D
    p1, p2 = PRIORS_1D
    x = np.linspace(-5.0, 5.0, 401)
    joint_1, joint_2 = Normal(m1, s1).pdf(x) * p1, Normal(m2, s2).pdf(x) * p2
    posterior = joint_1 / (joint_1 + joint_2)
    a = np.log(joint_1 / joint_2)
    with nnlab.no_grad():
        sigma_a = nnlab.tensor(a).sigmoid().numpy()
    ctx.check("Bayes' theorem = σ(a) on a grid of x", posterior, sigma_a, tol=1e-12)
    w = (m1 - m2) / s1**2
    w0 = -(m1**2 - m2**2) / (2 * s1**2) + np.log(p1 / p2)
    ctx.check(
        "equal variances: a(x) is linear, a = wx + w₀ with w = (μ₁ − μ₂)/σ²",
        a,
        w * x + w0,
        tol=1e-9,
    )
    fig = figs.sigmoid_figure(ctx, x, joint_1, joint_2, posterior, sigma_a, PRIORS_1D)
    ctx.figure(
        fig,
        "sigmoid",
        f"p(x | C₁) = N({m1:g}, {s1:g}²), p(x | C₂) = N({m2:g}, {s2:g}²), priors "
        f"{p1:g} and {p2:g}. The posterior crosses 1/2 where the two weighted densities meet.",
    )


def _generative_section(
    ctx: LabContext,
    X: NDArray[np.float64],
    t: NDArray[np.float64],
    X_test: NDArray[np.float64],
    t_test: NDArray[np.float64],
    newton: LogisticRegression,
    accuracy: float,
) -> float:
    ctx.section("Gaussian classes with a shared covariance")
    ctx.formula(
        r"p(x \mid C_k) = N(x \mid \mu_k, \Sigma)\ \Rightarrow\ a(x) = w^T x + w_0,\quad "
        r"w = \Sigma^{-1}(\mu_1 - \mu_2),"
    )
    ctx.formula(
        r"w_0 = -\frac{1}{2}\mu_1^T\Sigma^{-1}\mu_1 + \frac{1}{2}\mu_2^T\Sigma^{-1}\mu_2 + "
        r"\ln\frac{p(C_1)}{p(C_2)}",
        "The quadratic terms xᵀΣ⁻¹x cancel because both classes share Σ.",
    )
    true_w = generative_weights(MEAN_1, MEAN_2, SHARED_COV, PRIOR_1)
    pooled = 0.5 * (np.cov(X[t == 1].T) + np.cov(X[t == 0].T))
    plug_in = generative_weights(X[t == 1].mean(0), X[t == 0].mean(0), pooled, float(t.mean()))
    fitted = np.r_[newton.coef_[0], newton.intercept_]
    delta = np.sqrt((MEAN_1 - MEAN_2) @ np.linalg.solve(SHARED_COV, MEAN_1 - MEAN_2))
    bayes = float(Normal().cdf(delta / 2))

    def score(w: NDArray[np.float64]) -> float:
        return float(np.mean((X_test @ w[:2] + w[2] > 0) == (t_test == 1)))

    ctx.table(
        ["model", "w₁", "w₂", "w₀", "test accuracy"],
        [
            ("generative, true μ and Σ (Bayes classifier)", *true_w, score(true_w)),
            ("generative, μ and Σ estimated from the data", *plug_in, score(plug_in)),
            ("logistic regression (Newton, maximum likelihood)", *fitted, accuracy),
        ],
        title="Closed form vs fitted",
        caption=f"{t.size} training and {t_test.size:,} test points. Bayes rate "
        f"Φ(Δ/2) = {bayes:.4f}, Δ the Mahalanobis distance between the means.",
    )
    cosine = fitted[:2] @ true_w[:2] / np.linalg.norm(fitted[:2]) / np.linalg.norm(true_w[:2])
    angle = float(np.degrees(np.arccos(min(cosine, 1.0))))
    ctx.check("the fitted w points along Σ⁻¹(μ₁ − μ₂) (angle in degrees, < 10)", angle, 0, tol=10)
    n_test = t_test.size
    ctx.check(
        "logistic test accuracy ≈ the Bayes rate (within 4 standard errors)",
        accuracy,
        bayes,
        tol=4 * np.sqrt(bayes * (1 - bayes) / n_test) + 0.01,
    )
    fig = figs.boundary_figure(ctx, X, t, newton, true_w, plug_in)
    ctx.figure(
        fig,
        "boundaries",
        "Training points, the fitted p(C₁ | x) (shading, with its 0.1/0.5/0.9 contours) and "
        "three decision boundaries: they nearly coincide.",
    )
    return bayes


def _training_section(
    ctx: LabContext,
    X: NDArray[np.float64],
    t: NDArray[np.float64],
    newton: LogisticRegression,
    steps: int,
) -> None:
    ctx.section("Training: gradient descent vs Newton's method")
    ctx.formula(
        r"E(w) = -\sum_{n=1}^{N}[t_n \ln y_n + (1 - t_n)\ln(1 - y_n)],\quad "
        r"\nabla E = \sum_n (y_n - t_n)\,x_n,\quad H = \sum_n y_n(1 - y_n)\,x_n x_n^T"
    )
    ctx.paragraph(
        f"Gradient descent $u_t = -\\eta\\nabla(E/N)$ with η = {GD_LEARNING_RATE:g} and gradients "
        "from the engine (`sigmoid_binary_cross_entropy` of the logits), vs Newton's step "
        "$w \\leftarrow w - H^{-1}\\nabla E$, which uses the curvature."
    )
    Xt, tt = nnlab.tensor(X), nnlab.tensor(t)

    def mean_cross_entropy(theta: nnlab.Tensor) -> nnlab.Tensor:
        return nnlab.sigmoid_binary_cross_entropy(Xt @ theta[:2] + theta[2], tt)

    gd = gradient_descent(mean_cross_entropy, np.zeros(3), GD_LEARNING_RATE, steps)
    newton_losses = []
    for k in range(8):
        with warnings.catch_warnings():  # stopped on purpose after k iterations
            warnings.simplefilter("ignore", RuntimeWarning)
            model = LogisticRegression(solver="newton", max_iter=k, tol=0.0).fit(X, t)
        newton_losses.append(binary_cross_entropy(t, model.predict_proba(X)[:, 1]))
    best = binary_cross_entropy(t, newton.predict_proba(X)[:, 1])
    w_newton = np.r_[newton.coef_[0], newton.intercept_]
    ctx.check(
        "cross-entropy of Newton's fit (nnlab.info) = the engine's loss at the same w",
        best,
        mean_cross_entropy(nnlab.tensor(w_newton)).item(),
        tol=1e-10,
    )
    ctx.check(
        f"gradient descent after {steps:,} steps reaches Newton's w (max |Δw| < 0.02)",
        gd.x,
        w_newton,
        tol=0.02,
    )
    ctx.table(
        ["method", "iterations", "w₁", "w₂", "w₀", "mean cross-entropy"],
        [
            ("gradient descent (engine)", gd.n_steps, *gd.x, gd.loss),
            ("Newton", newton.n_iter_, *w_newton, best),
        ],
        title="Two ways to the same minimum",
    )
    fig = figs.training_figure(ctx, gd.losses, np.array(newton_losses), best)
    ctx.figure(
        fig,
        "training",
        "Distance to the minimum of the mean cross-entropy. Newton's method converges "
        "quadratically (the number of correct digits doubles per step), gradient descent "
        "linearly.",
    )


def _softmax_section(
    ctx: LabContext,
    X2: NDArray[np.float64],
    t2: NDArray[np.float64],
    logistic: LogisticRegression,
    n_train: int,
    n_test: int,
) -> float:
    ctx.section("K classes: softmax regression")
    ctx.formula(
        r"p(C_k \mid x) = \frac{p(x \mid C_k)p(C_k)}{\sum_{j=1}^{K} p(x \mid C_j)p(C_j)} = "
        r"\frac{e^{a_k}}{\sum_{j=1}^{K} e^{a_j}},\qquad a_k = w_k^T x + w_{k0}"
    )
    ctx.formula(
        r"E(w_1, \ldots, w_K) = -\ln p(T \mid w_1, \ldots, w_K) = "
        r"-\sum_{n=1}^{N}\sum_{k=1}^{K} t_{nk}\ln y_{nk}"
    )
    binary = SoftmaxRegression().fit(X2, t2)
    ctx.check(
        "K = 2: softmax regression gives logistic regression's probabilities",
        binary.predict_proba(X2),
        logistic.predict_proba(X2),
        tol=1e-7,
    )

    def draw(n: int) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
        points = [ctx.rng.normal(m, np.sqrt(0.8), size=(n, 2)) for m in SOFTMAX_MEANS]
        return np.vstack(points), np.repeat(np.arange(3), n)

    X, y = draw(n_train)
    X_test, y_test = draw(n_test)
    model = SoftmaxRegression().fit(X, y)
    accuracy = model.score(X_test, y_test)
    ctx.check(
        "the class probabilities sum to 1",
        model.predict_proba(X_test).sum(axis=1),
        1.0,
        tol=1e-12,
    )
    fig = figs.softmax_figure(ctx, X, y, model)
    ctx.figure(
        fig,
        "softmax",
        f"Three Gaussian classes, {n_train} training points each; regions of the most "
        f"probable class and the 0.5 contours of each p(C_k | x). Test accuracy {accuracy:.2%}.",
    )
    return accuracy


def _comparison_section(
    ctx: LabContext,
    X: NDArray[np.float64],
    t: NDArray[np.float64],
    X_test: NDArray[np.float64],
    t_test: NDArray[np.float64],
    accuracy: float,
) -> None:
    ctx.section("Classification vs regression")
    least_squares = LinearRegression().fit(X, t)
    y = least_squares.predict(X_test)
    ls_accuracy = float(np.mean((y > 0.5) == (t_test == 1)))
    outside = float(np.mean((y < 0) | (y > 1)))
    ctx.table(
        ["property", "classification", "regression"],
        [
            ("output type", "discrete (class labels)", "continuous (number)"),
            ("what are we trying to find?", "decision boundary", "'best fit line'"),
            ("evaluation", "accuracy", "sum of squared errors or r²"),
            (
                "here",
                f"logistic regression: test accuracy {accuracy:.2%}",
                f"least squares on the 0/1 labels: R² = {least_squares.score(X_test, t_test):.3f}",
            ),
        ],
        title="The course's table, with this lab's numbers",
    )
    ctx.paragraph(
        f"Regressing the 0/1 labels by least squares and thresholding at 0.5 also classifies "
        f"(test accuracy {ls_accuracy:.2%}), but its outputs are not probabilities: "
        f"{outside:.1%} of them fall outside [0, 1]. The logistic model's σ(a) always lies in "
        "(0, 1) and is fitted by the likelihood of the labels, not by squared distances."
    )


def _corrections(ctx: LabContext) -> None:
    ctx.correction(
        "E(w₁, …, w_K) = −ln p(T | w₁, …, w_K) = −Π_{n=1}^N Π_{k=1}^K t_nk ln y_nk",
        "E(w₁, …, w_K) = −ln p(T | w₁, …, w_K) = −Σ_{n=1}^N Σ_{k=1}^K t_nk ln y_nk",
        "The logarithm turns the likelihood's product Π Π y_nk^t_nk into a sum: "
        "ln Π Π y_nk^t_nk = Σ Σ t_nk ln y_nk.",
    )
    ctx.correction(
        "p(C_k | x) = p(x | C_k)p(C_k) / Σ_{j=1}^k p(x | C_j)p(C_j)",
        "p(C_k | x) = p(x | C_k)p(C_k) / Σ_{j=1}^K p(x | C_j)p(C_j)",
        "The normalizing sum runs over all K classes, not up to the class k in the numerator.",
    )
    ctx.correction(
        "a = wᵀx → p(C₁ | x) = σ(wᵀx)",
        "a = wᵀx + w₀ (or wᵀx with x₀ = 1 prepended)",
        "Without a bias the decision boundary must pass through the origin; the Gaussian "
        "derivation gives a non-zero w₀ (the means' terms and the log prior ratio).",
    )
