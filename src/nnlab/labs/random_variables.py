"""Lab 1, random variables: a die, a normal and a uniform; E, Var and σ from the definitions and
from samples; PMF/PDF and CDF; the law of large numbers. The distributions, their moments and the
numerical integrals come from :mod:`nnlab.prob`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nnlab.labs.base import LabContext
from nnlab.prob import Continuous, Discrete, Normal, Uniform, integrate
from nnlab.report.format import as_fraction

DIE = Discrete(np.arange(1, 7), np.full(6, 1 / 6))


def run(ctx: LabContext) -> dict[str, Any]:
    """Metrics ``dice_mean``, ``dice_var``, ``lln_final_abs_error`` and the sample moments."""
    n_samples = ctx.param("samples_per_distribution", full=100_000, quick=5_000)
    n_rolls = ctx.param("law_of_large_numbers_rolls", full=100_000, quick=5_000)
    n_runs = ctx.param("law_of_large_numbers_runs", full=5, quick=3)
    ctx.intro(
        "A random variable is a number produced by a random experiment. Its distribution tells "
        "which values it takes and how likely they are: a probability mass function (PMF) for a "
        "discrete variable such as a die, a density (PDF) for a continuous one."
    )
    ctx.intro(
        "Here the expectation, variance and standard deviation are computed from their "
        "definitions (an exact sum for the die, a numerical integral for the normal and the "
        "uniform) and compared with sample estimates; then the running mean of die rolls shows "
        "the law of large numbers."
    )
    ctx.section("Definitions")
    ctx.formula(r"E[X] = \sum_x x\,p(x) \quad\mathrm{or}\quad E[X] = \int x\,p(x)\,dx")
    ctx.formula(r"\mathrm{Var}(X) = E[(X - \mu)^2],\qquad \sigma = \sqrt{\mathrm{Var}(X)}")
    ctx.formula(
        r"F(x) = P(X \leq x) = \sum_{t \leq x} p(t) \quad\mathrm{or}\quad \int_{-\infty}^x p(t)\,dt"
    )
    dice = _die_section(ctx, n_samples)
    _continuous_section(ctx, n_samples)
    lln_error = _lln_section(ctx, n_rolls, n_runs)
    ctx.key_result = (
        f"die: E = {dice['mean']:g}, Var = {as_fraction(dice['var'])} = {dice['var']:.4f}; "
        f"running mean after {n_rolls:,} rolls off by {lln_error:.4f}"
    )
    return {
        "dice_mean": dice["mean"],
        "dice_var": dice["var"],
        "dice_std": dice["std"],
        "dice_sample_mean": dice["sample_mean"],
        "dice_sample_var": dice["sample_var"],
        "lln_final_abs_error": lln_error,
    }


def _moments_by_definition(dist: Discrete | Continuous) -> tuple[float, float]:
    """E[X] and E[(X - E[X])^2] through ``expectation`` (a sum or an integral), not closed forms."""
    mean = dist.expectation(lambda x: x)
    return mean, dist.expectation(lambda x: (x - mean) ** 2)


def _die_section(ctx: LabContext, n: int) -> dict[str, float]:
    ctx.section("A fair die")
    mean, var = _moments_by_definition(DIE)
    sample = DIE.sample(n, ctx.rng)
    sample_mean, sample_var = float(sample.mean()), float(sample.var(ddof=1))
    ctx.formula(r"E[X] = \frac{1 + 2 + \cdots + 6}{6} = 3.5,\qquad \mathrm{Var}(X) = \frac{35}{12}")
    ctx.check("E[die] = 3.5", mean, 3.5, tol=1e-12, tex=r"\sum_x x\,p(x)")
    ctx.check("Var(die) = 35/12", var, 35 / 12, tol=1e-12, tex=r"\sum_x (x-\mu)^2 p(x)")
    se = np.sqrt(var / n)
    ctx.check(f"sample mean ≈ 3.5 ({n:,} rolls, 4 standard errors)", sample_mean, 3.5, tol=4 * se)
    ctx.table(
        ["", "E[X]", "Var(X)", "σ"],
        [
            ("definition (exact sum)", mean, var, np.sqrt(var)),
            (f"{n:,} rolls (sample)", sample_mean, sample_var, np.sqrt(sample_var)),
        ],
        title="Die: moments",
    )
    fig, (ax_pmf, ax_cdf) = ctx.new_figure(1, 2, height=3.6)
    faces = DIE.values
    counts = np.bincount(sample.astype(int), minlength=7)[1:] / n
    ax_pmf.bar(faces - 0.2, DIE.pmf(faces), 0.4, label="PMF p(x) = 1/6")
    ax_pmf.bar(faces + 0.2, counts, 0.4, label=f"frequency in {n:,} rolls")
    ax_pmf.set_ylim(0, 0.3)
    ax_pmf.set_xlabel("face x")
    ax_pmf.set_ylabel("probability")
    ax_pmf.set_title("PMF of a die")
    ax_pmf.legend(loc="upper left", fontsize=9)
    grid = np.linspace(0, 7, 701)
    ax_cdf.plot(grid, DIE.cdf(grid), drawstyle="steps-post")
    ax_cdf.set_xlabel("x")
    ax_cdf.set_ylabel("F(x) = P(X ≤ x)")
    ax_cdf.set_title("CDF of a die: a staircase")
    ctx.figure(fig, "die", "Each face has probability 1/6; the CDF jumps by 1/6 at each face.")
    return {
        "mean": mean,
        "var": var,
        "std": float(np.sqrt(var)),
        "sample_mean": sample_mean,
        "sample_var": sample_var,
    }


def _continuous_section(ctx: LabContext, n: int) -> None:
    ctx.section("Continuous variables: a normal and a uniform")
    ctx.paragraph(
        "For a continuous variable the probability of an interval is the area under the density, "
        "$P(a < X \\leq b) = F(b) - F(a) = \\int_a^b p(x)\\,dx$, and any single value has "
        "probability 0. Below, E and Var are numerical integrals of the definitions."
    )
    dists: list[tuple[str, Continuous]] = [
        ("Normal(μ = 1, σ = 2)", Normal(1.0, 2.0)),
        ("Uniform(0, 4)", Uniform(0.0, 4.0)),
    ]
    rows = []
    fig, axes = ctx.new_figure(2, 2, height=6.6)
    for row, (name, dist) in enumerate(dists):
        mean, var = _moments_by_definition(dist)
        sample = dist.sample(n, ctx.rng)
        ctx.check(f"{name}: ∫ x p(x) dx = closed-form mean", mean, dist.mean(), tol=1e-9)
        ctx.check(f"{name}: ∫ (x − μ)² p(x) dx = closed-form variance", var, dist.var(), tol=1e-9)
        rows.append((name, "definition (integral)", mean, var, np.sqrt(var)))
        rows.append((name, f"{n:,} samples", sample.mean(), sample.var(ddof=1), sample.std(ddof=1)))
        lo, hi = dist.support()
        lo, hi = (
            (lo, hi)
            if isinstance(dist, Uniform)
            else (mean - 4.5 * np.sqrt(var), mean + 4.5 * np.sqrt(var))
        )
        pad = 0.15 * (hi - lo)
        grid = np.linspace(lo - pad, hi + pad, 800)
        ax_pdf, ax_cdf = axes[row]
        heights = ax_pdf.hist(sample, bins=60, density=True, alpha=0.35, label="sample histogram")[
            0
        ]
        ax_pdf.set_ylim(0, 1.5 * max(heights.max(), dist.pdf(grid).max()))  # room for the legend
        ax_pdf.plot(grid, dist.pdf(grid), label="density p(x)")
        ax_pdf.axvline(mean, color="black", linestyle="--", linewidth=1, label=f"E[X] = {mean:.3g}")
        ax_pdf.set_title(f"{name}: PDF")
        ax_pdf.set_xlabel("x")
        ax_pdf.set_ylabel("density p(x)")
        ax_pdf.legend(fontsize=8, loc="upper right")
        ax_cdf.plot(grid, dist.cdf(grid), label="F(x)")
        empirical = np.searchsorted(np.sort(sample), grid, side="right") / n
        ax_cdf.plot(grid, empirical, linestyle=":", label="empirical CDF")
        ax_cdf.set_title(f"{name}: CDF")
        ax_cdf.set_xlabel("x")
        ax_cdf.set_ylabel("F(x) = P(X ≤ x)")
        ax_cdf.legend(fontsize=8, loc="lower right")
    ctx.figure(fig, "continuous", "Densities with sample histograms, CDFs with empirical CDFs.")
    ctx.table(["variable", "computed by", "E[X]", "Var(X)", "σ"], rows, title="Moments")
    normal = dists[0][1]
    area = float(integrate(normal.pdf, -1.0, 3.0))
    by_cdf = float(normal.cdf(3.0) - normal.cdf(-1.0))
    ctx.check("P(−1 < X ≤ 3) for N(1, 2²): area under p = F(3) − F(−1)", area, by_cdf, tol=1e-12)
    narrow = Uniform(0.0, 0.5)
    ctx.check(
        "Uniform(0, 0.5) has density 2 > 1 (a density is not a probability)", narrow.pdf(0.25), 2.0
    )
    ctx.check("... yet its total area is 1", float(integrate(narrow.pdf, 0.0, 0.5)), 1.0, tol=1e-12)
    ctx.correction(
        "“PDF shows the probability on some interval (a, b)”",
        "The area under the PDF over (a, b) is the probability; p(x) itself is a density",
        "p(x) is probability per unit of x and can exceed 1: Uniform(0, 0.5) has p(x) = 2.",
    )


def _lln_section(ctx: LabContext, n_rolls: int, n_runs: int) -> float:
    ctx.section("The law of large numbers")
    ctx.paragraph(
        "The mean of n independent rolls, $\\bar{x}_n = \\frac{1}{n}\\sum_i x_i$, converges to "
        "E[X] = 3.5; its typical distance shrinks like $\\sigma / \\sqrt{n}$."
    )
    counts = np.arange(1, n_rolls + 1)
    sigma = DIE.std()
    fig, ax = ctx.new_figure(width=8.0, height=4.2)
    errors = []
    for run_number in ctx.track(range(n_runs), "rolling dice"):
        rolls = DIE.sample(n_rolls, ctx.rng)
        running = np.cumsum(rolls) / counts
        errors.append(abs(float(running[-1]) - 3.5))
        ax.plot(counts, running, linewidth=1.2, label=f"run {run_number + 1}")
    band = 2 * sigma / np.sqrt(counts)
    ax.fill_between(counts, 3.5 - band, 3.5 + band, color="grey", alpha=0.2, label="3.5 ± 2σ/√n")
    ax.axhline(3.5, color="black", linestyle="--", linewidth=1, label="E[X] = 3.5")
    ax.set_xscale("log")
    ax.set_ylim(1, 6)
    ax.set_xlabel("number of rolls n (log scale)")
    ax.set_ylabel("running mean of the rolls")
    ax.set_title("Running means settle on the expectation")
    ax.legend(ncol=2, fontsize=9, loc="upper right")
    ctx.figure(fig, "law-of-large-numbers", f"{n_runs} independent runs of {n_rolls:,} rolls.")
    ctx.check(
        f"final running mean within 4σ/√n of 3.5 (run 1, n = {n_rolls:,})",
        errors[0],
        0.0,
        tol=4 * sigma / np.sqrt(n_rolls),
    )
    return errors[0]
