"""Lab 2, joint and conditional probability, independence and Bayes' theorem.

Two dice give a joint table; marginals are sums over it; the first die and the sum are dependent;
two tosses of a randomly chosen coin are dependent yet independent given the coin; Bayes' theorem
turns a test's accuracy into the probability of disease. All by :mod:`nnlab.prob`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nnlab.labs.base import LabContext
from nnlab.prob import JointDistribution, bayes
from nnlab.report.figures import heatmap
from nnlab.report.format import as_fraction

FACES = np.arange(1, 7)
SUMS = np.arange(2, 13)


def run(ctx: LabContext) -> dict[str, Any]:
    """Metrics ``dice_independent``, ``posterior`` (p(disease | +)) and the other verdicts."""
    prevalence = 0.01
    sensitivity = 0.95
    false_positive = 0.05
    for name, value in (
        ("prevalence p(D)", prevalence),
        ("sensitivity p(+ | D)", sensitivity),
        ("false-positive rate p(+ | not D)", false_positive),
    ):
        ctx.setting(name, value)
    ctx.intro(
        "The joint probability p(x, y) of two events holds everything: marginals are sums over "
        "it, conditionals are slices of it renormalized, and independence means it factorizes. "
        "Bayes' theorem follows from writing p(x, y) in two ways."
    )
    ctx.intro(
        "Two dice are independent; the first die and the sum of both are not. Two tosses of a "
        "coin picked at random are dependent, but independent once the coin is known "
        "(conditional independence). Finally a diagnostic test: a positive result for a rare "
        "disease is mostly a false alarm."
    )
    ctx.progress("two dice")
    dice = JointDistribution.from_function(
        ["first", "second", "total"],
        [FACES, FACES, SUMS],
        lambda first, second, total: np.where(first + second == total, 1 / 36, 0.0),
    )
    independent = _dice_section(ctx, dice)
    first_sum_independent = _dependent_section(ctx, dice)
    coin_ci = _conditional_independence_section(ctx)
    ctx.progress("diagnostic test")
    posterior, second = _bayes_section(ctx, prevalence, sensitivity, false_positive)
    ctx.correction(
        "“Bayes formula allows us to overestimate our a priori representation”",
        "Bayes' formula lets us re-estimate (update) the prior p(y) in the light of data",
        "The posterior can be higher or lower than the prior; nothing is over-estimated.",
    )
    ctx.key_result = (
        f"two dice independent: {'yes' if independent else 'no'}; first die vs sum independent: "
        f"{'yes' if first_sum_independent else 'no'}; p(disease | +) = {posterior:.4f}"
    )
    return {
        "dice_independent": independent,
        "first_and_sum_independent": first_sum_independent,
        "tosses_independent_given_coin": coin_ci["given"],
        "tosses_independent": coin_ci["marginal"],
        "posterior": posterior,
        "posterior_after_two_positives": second,
    }


def _dice_section(ctx: LabContext, dice: JointDistribution) -> bool:
    ctx.section("Two dice: the joint table and its marginals")
    ctx.formula(r"p(x) = \sum_y p(x, y),\qquad p(x \mid y) = \frac{p(x, y)}{p(y)}")
    pair = dice.marginalize(["first", "second"])
    first = dice.marginal("first")
    ctx.check("marginal p(first) = Σ_second p(first, second) = 1/6", first.probs, np.full(6, 1 / 6))
    given = dice.conditional("second", {"first": 3})
    ctx.check("p(second | first = 3) = p(second) = 1/6", given.probs, np.full(6, 1 / 6))
    independent = dice.is_independent("first", "second")
    ctx.check(
        "independent: p(first, second) = p(first) p(second)",
        pair.table,
        np.outer(first.probs, dice.marginal("second").probs),
        tex=r"p(x, y) = p(x)\,p(y)",
    )
    fig, ax = ctx.new_figure(width=6.8, height=5.0)
    image = heatmap(ax, pair.table, xticklabels=FACES, yticklabels=FACES, fmt=as_fraction)
    image.set_clim(0, 0.06)
    ax.set_xlabel("second die")
    ax.set_ylabel("first die")
    ax.set_title("p(first, second): 36 equal cells")
    fig.colorbar(image, ax=ax, label="probability")
    ctx.figure(fig, "two-dice", "Every row sums to the marginal 1/6: the dice are independent.")
    return independent


def _dependent_section(ctx: LabContext, dice: JointDistribution) -> bool:
    ctx.section("A dependent pair: the first die and the sum")
    ctx.paragraph(
        "Knowing the first die changes what the sum can be: with a 1 the sum is 2..7, with a 6 it "
        "is 7..12. The joint table of (first, sum) is not the product of its marginals."
    )
    joint = dice.marginalize(["first", "total"])
    dependent_gap = np.abs(
        joint.table - np.outer(dice.marginal("first").probs, dice.marginal("total").probs)
    ).max()
    independent = dice.is_independent("first", "total")
    ctx.check("max |p(first, sum) − p(first) p(sum)| > 0 (dependent)", dependent_gap > 0, True)
    fig, (ax_joint, ax_cond) = ctx.new_figure(1, 2, width=10.5, height=4.4)
    heatmap(
        ax_joint, joint.table * 36, xticklabels=SUMS, yticklabels=FACES, fmt=lambda v: f"{v:.0f}"
    )
    ax_joint.set_xlabel("sum of the two dice")
    ax_joint.set_ylabel("first die")
    ax_joint.set_title("36 · p(first, sum)")
    ax_cond.bar(SUMS, dice.marginal("total").probs, color="lightgrey", label="p(sum)")
    for face in (1, 6):
        cond = dice.conditional("total", {"first": face})
        marker = "o" if face == 1 else "s"
        ax_cond.plot(SUMS, cond.probs, marker, markersize=7, label=f"p(sum | first = {face})")
    ax_cond.set_xticks(SUMS)
    ax_cond.set_xlabel("sum of the two dice")
    ax_cond.set_ylabel("probability")
    ax_cond.set_title("Conditioning on the first die shifts the sum")
    ax_cond.set_ylim(0, 0.27)
    ax_cond.legend(fontsize=9, loc="upper left", ncol=2)
    ctx.figure(fig, "first-vs-sum", "Left: counts out of 36. Right: conditionals vs the marginal.")
    explained = dice.is_conditionally_independent("first", "second", "total")
    ctx.check("the dice are NOT independent given their sum", explained, False)
    ctx.paragraph(
        "Independence can also be lost by conditioning: given the sum, the first die determines "
        "the second, so the two dice are not conditionally independent given the sum."
    )
    return independent


def _conditional_independence_section(ctx: LabContext) -> dict[str, bool]:
    ctx.section("Conditional independence: two tosses of a random coin")
    ctx.paragraph(
        "Pick a fair coin or a biased one (p(heads) = 0.9) with equal chance, then toss it twice. "
        "A first heads makes the biased coin more likely and so a second heads too: the tosses "
        "are dependent. Given the coin they are independent."
    )
    ctx.formula(r"p(x, y \mid z) = p(x \mid z)\,p(y \mid z)")
    heads = {0: 0.5, 1: 0.9}  # coin 0 is fair, coin 1 is biased

    def p(coin: Any, first: Any, second: Any) -> Any:
        h = np.where(coin == 1, heads[1], heads[0])
        return 0.5 * np.where(first == 1, h, 1 - h) * np.where(second == 1, h, 1 - h)

    tosses = JointDistribution.from_function(
        ["coin", "first", "second"], [[0, 1], [0, 1], [0, 1]], p
    )
    given = tosses.is_conditionally_independent("first", "second", "coin")
    marginal = tosses.is_independent("first", "second", tol=1e-6)
    ctx.check("tosses independent given the coin", given, True)
    ctx.check("tosses dependent without the coin", marginal, False)
    p_heads = tosses.marginal("second").pmf(1)
    p_heads_after = tosses.conditional("second", {"first": 1}).pmf(1)
    ctx.table(
        ["quantity", "value"],
        [
            ("p(second = heads)", float(p_heads)),
            ("p(second = heads | first = heads)", float(p_heads_after)),
            (
                "p(second = heads | first = heads, fair coin)",
                float(tosses.conditional("second", {"first": 1, "coin": 0}).pmf(1)),
            ),
            (
                "p(second = heads | coin = fair)",
                float(tosses.conditional("second", {"coin": 0}).pmf(1)),
            ),
        ],
        title="Two tosses of a randomly chosen coin",
        caption="Given the coin, the first toss tells nothing more about the second.",
    )
    return {"given": given, "marginal": marginal}


def _bayes_section(
    ctx: LabContext, prevalence: float, sensitivity: float, false_positive: float
) -> tuple[float, float]:
    ctx.section("Bayes' theorem: a diagnostic test")
    ctx.formula(
        r"p(D \mid +) = \frac{p(+ \mid D)\,p(D)}{p(+ \mid D)\,p(D) + p(+ \mid \neg D)\,p(\neg D)}"
    )
    prior = np.array([1 - prevalence, prevalence])  # [healthy, disease]
    likelihood = np.array([false_positive, sensitivity])  # p(+ | h)
    posterior_arr, evidence = bayes(prior, likelihood)
    posterior = float(np.asarray(posterior_arr)[1])
    by_hand = (
        sensitivity * prevalence / (sensitivity * prevalence + false_positive * (1 - prevalence))
    )
    ctx.check("bayes(prior, likelihood) = the formula", posterior, by_hand, tol=1e-15)
    second_arr, _ = bayes(np.asarray(posterior_arr), likelihood)
    second = float(np.asarray(second_arr)[1])
    ctx.paragraph(
        f"With a prevalence of {prevalence:.0%}, a sensitivity of {sensitivity:.0%} and "
        f"{false_positive:.0%} false positives, p(+) = {evidence:.4f} and a positive test means "
        f"disease with probability only **{posterior:.1%}**: healthy people are 99 times more "
        f"numerous, so their false positives outnumber the true ones. A second independent "
        f"positive test (yesterday's posterior as today's prior) raises it to {second:.1%}."
    )
    prevalences = np.geomspace(1e-4, 0.5, 80)
    curve = [
        float(np.asarray(bayes(np.array([1 - q, q]), likelihood).posterior)[1]) for q in prevalences
    ]
    fig, ax = ctx.new_figure(width=7.5, height=4.2)
    ax.plot(prevalences, curve, label="p(disease | positive test)")
    ax.plot(prevalences, prevalences, "--", color="grey", label="prior p(disease)")
    ax.plot([prevalence], [posterior], "o", color="black", label=f"this example: {posterior:.3f}")
    ax.set_xscale("log")
    ax.set_xlabel("prevalence p(disease) (log scale)")
    ax.set_ylabel("probability of disease")
    ax.set_title("The posterior depends on the prior")
    ax.legend(loc="upper left")
    ctx.figure(fig, "diagnostic-test", "Same test, different prevalences.")
    return posterior, second
