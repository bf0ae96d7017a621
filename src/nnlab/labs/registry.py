"""The sixteen practical works of the course, in the course's order.

Each :class:`LabSpec` names the module holding ``run(ctx)``; the module is imported only when the
lab runs (:func:`load_lab`), so a lab that is not written yet fails alone with a clear reason.
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
    that holds ``run(ctx)``, the metric ``keys`` its ``metrics.json`` must contain, and
    ``key_result``, a :meth:`str.format` template over the metrics for the summary table and the
    index (a lab may instead set ``ctx.key_result``).
    """

    id: str
    title: str
    summary: str
    module: str
    keys: tuple[str, ...]
    key_result: str = ""


class LabNotImplementedError(RuntimeError):
    """The lab's module does not exist (yet)."""


def _lab(lab_id: str, title: str, summary: str, keys: str, key_result: str = "") -> LabSpec:
    module = "nnlab.labs." + lab_id.replace("-", "_")
    return LabSpec(lab_id, title, summary, module, tuple(keys.split()), key_result)


LABS: tuple[LabSpec, ...] = (
    _lab(
        "random-variables",
        "Random variables",
        "A die, a normal and a uniform: E, Var, σ by definition and from samples; the law of "
        "large numbers.",
        "dice_mean dice_var lln_final_abs_error",
        "die: E = {dice_mean:.4g}, Var = {dice_var:.4g}; LLN error {lln_final_abs_error:.2g}",
    ),
    _lab(
        "joint-conditional-bayes",
        "Joint, conditional, Bayes",
        "Two dice: joint table, marginals, conditionals, (conditional) independence; Bayes' "
        "theorem on a diagnostic test.",
        "dice_independent posterior",
        "two dice independent: {dice_independent}; posterior {posterior:.4f}",
    ),
    _lab(
        "monty-hall",
        "Monty Hall",
        "The course's joint table p(car, host opens), stay vs switch, a simulation, n doors.",
        "p_stay_exact p_switch_exact p_switch_simulated",
        "p(stay) = {p_stay_exact:.4f}, p(switch) = {p_switch_exact:.4f} "
        "(simulated {p_switch_simulated:.4f})",
    ),
    _lab(
        "ml-map",
        "ML vs MAP",
        "Coin flips with a Beta prior, a Gaussian mean with a Gaussian prior: ML, MAP, posterior "
        "and predictive as data grows.",
        "theta_ml theta_map predictive",
        "θ_ML = {theta_ml:.4f}, θ_MAP = {theta_map:.4f}, predictive {predictive:.4f}",
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
        "σ²_ML = {sigma2_ml:.4g}, log-likelihood {log_likelihood:.5g}",
    ),
    _lab(
        "polynomial-overfitting",
        "Polynomial overfitting",
        "f(x) = x³ − 4x² + 3x − 2 plus noise, degrees 0..9: under-, good and over-fitting.",
        "train_rss test_rss coef_max_abs best_degree",
        "best degree {best_degree}",
    ),
    _lab(
        "ridge-regression",
        "Ridge regression",
        "Degree 9 with RSS + λ/2‖w‖²: coefficient shrinkage and validation error over λ.",
        "best_lambda coef_max_abs_unregularized coef_max_abs_best",
        "best λ = {best_lambda:.3g}; max |w| {coef_max_abs_unregularized:.4g} → "
        "{coef_max_abs_best:.4g}",
    ),
    _lab(
        "bayesian-linear-regression",
        "Bayesian linear regression",
        "Prior, posterior N(μ_N, Σ_N), sequential updates, predictive bands, MAP = ridge, "
        "evidence.",
        "map_ridge_max_abs_diff best_degree_by_evidence",
        "MAP − ridge = {map_ridge_max_abs_diff:.2g}; best degree by evidence "
        "{best_degree_by_evidence}",
    ),
    _lab(
        "kl-cross-entropy",
        "Entropy, cross-entropy, KL",
        "KL is asymmetric and non-negative; H(p, q) = H(p) + KL(p‖q); binary cross-entropy; KL of "
        "Gaussians.",
        "kl_pq kl_qp identity_error kl_normal_mc_error",
        "KL(p‖q) = {kl_pq:.4f} ≠ KL(q‖p) = {kl_qp:.4f}; identity error {identity_error:.1e}",
    ),
    _lab(
        "logistic-regression",
        "Logistic regression",
        "p(C₁|x) = σ(a): generative closed form vs fitted, gradient descent and Newton, softmax.",
        "test_accuracy softmax_test_accuracy",
        "test accuracy {test_accuracy:.2%}, softmax {softmax_test_accuracy:.2%}",
    ),
    _lab(
        "computational-graph",
        "Computational graph",
        "f(x, y) = x² + xy + (x + y)²: reverse-mode gradients vs analytic vs finite differences.",
        "x y df_dx df_dy fd_max_error",
        "∂f/∂x = {df_dx:.6g}, ∂f/∂y = {df_dy:.6g} at ({x:g}, {y:g}); "
        "finite-difference error {fd_max_error:.1e}",
    ),
    _lab(
        "sgd-linear-regression",
        "SGD linear regression",
        "The course's first training script on nnlab: y = 2x + 1 + ε, minibatch SGD, lr 0.001.",
        "k b k_closed_form b_closed_form final_loss",
        "k = {k:.4f}, b = {b:.4f} (closed form {k_closed_form:.4f}, {b_closed_form:.4f})",
    ),
    _lab(
        "keras-logistic",
        "Keras logistic regression",
        "The course's Keras example on nnlab.keras: Dense(1, sigmoid) on two Gaussian blobs.",
        "val_accuracy bayes_accuracy",
        "validation accuracy {val_accuracy:.2%} (Bayes rate {bayes_accuracy:.2%})",
    ),
    _lab(
        "mnist-softmax",
        "MNIST softmax regression",
        "y = softmax(xW + b) trained by gradient descent, as in the course (about 92%).",
        "test_accuracy",
        "test accuracy {test_accuracy:.2%}",
    ),
    _lab(
        "mnist-mlp-dropout",
        "MNIST MLP with dropout",
        "A ReLU hidden layer with dropout: the course's setting and a tuned one (≥ 98%).",
        "test_accuracy test_accuracy_course_setting train_seconds",
        "test accuracy {test_accuracy:.2%} (course setting {test_accuracy_course_setting:.2%}), "
        "{train_seconds:.0f} s training",
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
    """Import the lab's module and return its ``run`` function.

    Raises :class:`LabNotImplementedError` when the module itself does not exist (an import error
    inside an existing module propagates unchanged) or has no callable ``run``.
    """
    try:
        module: ModuleType = importlib.import_module(spec.module)
    except ModuleNotFoundError as exc:
        if exc.name == spec.module:
            raise LabNotImplementedError(
                f"lab {spec.id!r} is not implemented yet (no module {spec.module})"
            ) from None
        raise
    run = getattr(module, "run", None)
    if not callable(run):
        raise LabNotImplementedError(f"lab {spec.id!r}: module {spec.module} has no run(ctx)")
    return run
