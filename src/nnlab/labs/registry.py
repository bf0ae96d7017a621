"""The course's sixteen practical works, in the course's order, then lab 17 (the MNIST convnet).

Each :class:`LabSpec` names the module holding ``run(ctx)``; the module is imported only when the
lab runs (:func:`load_lab`).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any


@dataclass(frozen=True)
class LabSpec:
    """One practical work: ``id`` (CLI name), ``title``, one-line ``summary``, the dotted ``module``
    that holds ``run(ctx)``, and the metric ``keys`` its ``metrics.json`` must contain. The lab's
    one-line key result for the summary table and the index is set by the lab (``ctx.key_result``).
    """

    id: str
    title: str
    summary: str
    module: str
    keys: tuple[str, ...]


def _lab(lab_id: str, title: str, summary: str, keys: str) -> LabSpec:
    module = "nnlab.labs." + lab_id.replace("-", "_")
    return LabSpec(lab_id, title, summary, module, tuple(keys.split()))


LABS: tuple[LabSpec, ...] = (
    _lab(
        "random-variables",
        "Random variables",
        "A die, a normal and a uniform: E, Var, σ by definition and from samples; the law of "
        "large numbers.",
        "dice_mean dice_var lln_final_abs_error",
    ),
    _lab(
        "joint-conditional-bayes",
        "Joint, conditional, Bayes",
        "Two dice: joint table, marginals, conditionals, (conditional) independence; Bayes' "
        "theorem on a diagnostic test.",
        "dice_independent posterior",
    ),
    _lab(
        "monty-hall",
        "Monty Hall",
        "The course's joint table p(car, host opens), stay vs switch, a simulation, n doors.",
        "p_stay_exact p_switch_exact p_switch_simulated",
    ),
    _lab(
        "ml-map",
        "ML vs MAP",
        "Coin flips with a Beta prior, a Gaussian mean with a Gaussian prior: ML, MAP, posterior "
        "and predictive as data grows.",
        "theta_ml theta_map predictive",
    ),
    _lab(
        "gradient-descent",
        "Gradient descent",
        "u_t = −η∇E on an ill-conditioned quadratic and Rosenbrock with step sizes too small, good "
        "and divergent.",
        "final_loss diverged",
    ),
    _lab(
        "linear-regression",
        "Linear regression",
        "Normal equations vs least squares, the Gaussian-noise likelihood, the ML noise variance.",
        "w sigma2_ml log_likelihood",
    ),
    _lab(
        "polynomial-overfitting",
        "Polynomial overfitting",
        "f(x) = x³ − 4x² + 3x − 2 plus noise, degrees 0..9: under-, good and over-fitting.",
        "train_rss test_rss coef_max_abs best_degree",
    ),
    _lab(
        "ridge-regression",
        "Ridge regression",
        "Degree 9 with RSS + λ/2‖w‖²: coefficient shrinkage and validation error over λ.",
        "best_lambda coef_max_abs_unregularized coef_max_abs_best",
    ),
    _lab(
        "bayesian-linear-regression",
        "Bayesian linear regression",
        "Prior, posterior N(μ_N, Σ_N), sequential updates, predictive bands, MAP = ridge, "
        "evidence.",
        "map_ridge_max_abs_diff best_degree_by_evidence",
    ),
    _lab(
        "kl-cross-entropy",
        "Entropy, cross-entropy, KL",
        "KL is asymmetric and non-negative; H(p, q) = H(p) + KL(p‖q); binary cross-entropy; KL of "
        "Gaussians.",
        "kl_pq kl_qp identity_error kl_normal_mc_error",
    ),
    _lab(
        "logistic-regression",
        "Logistic regression",
        "p(C₁|x) = σ(a): generative closed form vs fitted, gradient descent and Newton, softmax.",
        "test_accuracy softmax_test_accuracy",
    ),
    _lab(
        "computational-graph",
        "Computational graph",
        "f(x, y) = x² + xy + (x + y)²: reverse-mode gradients vs analytic vs finite differences.",
        "x y df_dx df_dy fd_max_error",
    ),
    _lab(
        "sgd-linear-regression",
        "SGD linear regression",
        "The course's first training script on nnlab: y = 2x + 1 + ε, minibatch SGD, lr 0.001.",
        "k b k_closed_form b_closed_form final_loss",
    ),
    _lab(
        "keras-logistic",
        "Keras logistic regression",
        "The course's Keras example on nnlab.keras: Dense(1, sigmoid) on two Gaussian blobs.",
        "val_accuracy bayes_accuracy",
    ),
    _lab(
        "mnist-softmax",
        "MNIST softmax regression",
        "y = softmax(xW + b) trained by gradient descent, as in the course (about 92%).",
        "test_accuracy",
    ),
    _lab(
        "mnist-mlp-dropout",
        "MNIST MLP with dropout",
        "A ReLU hidden layer with dropout: the course's setting and a tuned one (≥ 98%).",
        "test_accuracy test_accuracy_course_setting train_seconds",
    ),
    _lab(
        "mnist-convnet",
        "MNIST convnet",
        "keras-io's simple convnet on nnlab.keras: two conv + max-pool stages, 34,826 weights, "
        "≥ 99%.",
        "test_accuracy train_seconds params mlp_test_accuracy",
    ),
)


def get_lab(lab_id: str, labs: Sequence[LabSpec] = LABS) -> LabSpec:
    """The lab with this id; ``ValueError`` listing the known ids otherwise."""
    for spec in labs:
        if spec.id == lab_id:
            return spec
    known = ", ".join(spec.id for spec in labs)
    raise ValueError(f"unknown lab {lab_id!r}; known labs: {known}")


def resolve_ids(ids: Iterable[str], labs: Sequence[LabSpec] = LABS) -> list[LabSpec]:
    """Specs for ``ids`` in the order given, duplicates dropped; ``"all"`` means every lab."""
    wanted = list(ids)
    if not wanted:
        raise ValueError("no lab given: name one or more lab ids, or 'all'")
    if "all" in wanted:
        return list(labs)
    resolved: list[LabSpec] = []
    for lab_id in wanted:
        spec = get_lab(lab_id, labs)
        if spec not in resolved:
            resolved.append(spec)
    return resolved


def load_lab(spec: LabSpec) -> Callable[[Any], Any]:
    """Import the lab's module and return its ``run`` function (``TypeError`` if it has none)."""
    module: ModuleType = importlib.import_module(spec.module)
    run = getattr(module, "run", None)
    if not callable(run):
        raise TypeError(f"lab {spec.id!r}: module {spec.module} has no run(ctx)")
    return run
