"""Lab 10, entropy, cross-entropy and KL divergence: asymmetry, non-negativity, the identity
H(p, q) = H(p) + KL(p‖q) (the notes print it with a wrong sign), binary cross-entropy as a loss,
and the KL of two Gaussians in closed form vs Monte Carlo. The quantities come from
:mod:`nnlab.info`; the Gaussians from :mod:`nnlab.prob`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nnlab.info import binary_cross_entropy, cross_entropy, entropy, kl_divergence, kl_normal
from nnlab.labs.base import LabContext
from nnlab.prob import Normal

P = np.array([0.1, 0.2, 0.3, 0.4])
Q = np.array([0.01, 0.09, 0.3, 0.6])  # almost no mass where p has its least
GAUSS_P = (0.0, 1.0)  # mu, sigma (standard deviation)
GAUSS_Q = (1.0, 2.0)


def run(ctx: LabContext) -> dict[str, Any]:
    """Metrics ``kl_pq``, ``kl_qp``, ``identity_error``, ``kl_normal_mc_error`` and more."""
    n_pairs = ctx.param("random_distribution_pairs", full=20_000, quick=2_000)
    n_mc = ctx.param("monte_carlo_samples", full=1_000_000, quick=50_000)
    ctx.setting("logarithm", "natural (nats)")
    ctx.intro(
        "Entropy measures the uncertainty of a distribution; cross-entropy H(p, q) is the cost of "
        "coding data from p with a code built for q; the Kullback-Leibler divergence is the extra "
        "cost, KL(p‖q) = H(p, q) − H(p). KL is never negative and is not symmetric. Minimizing the "
        "cross-entropy of a classifier's q against the data's p is minimizing KL(p‖q)."
    )
    ctx.formula(r"H(p) = -\sum_x p(x)\log p(x),\qquad H(p, q) = -\sum_x p(x)\log q(x)")
    ctx.formula(r"KL(p \parallel q) = \sum_x p(x)\log\frac{p(x)}{q(x)} = H(p, q) - H(p) \geq 0")
    discrete = _discrete_section(ctx)
    ctx.progress("random pairs")
    identity_error = _identity_section(ctx, n_pairs)
    _bce_section(ctx)
    ctx.progress("Monte Carlo")
    gauss = _gaussian_section(ctx, n_mc)
    ctx.correction(
        "KL(P‖Q) = Σ p log p − Σ p log q = H(p) + H(p, q)",
        "KL(p‖q) = H(p, q) − H(p), i.e. H(p, q) = H(p) + KL(p‖q)",
        "Σ p log p is −H(p), not H(p). With the notes' sign, KL(p‖p) would be 2H(p) > 0 "
        f"instead of 0; for the p and q here it gives {discrete['notes_value']:.4f} instead of "
        f"{discrete['kl_pq']:.4f}.",
    )
    ctx.key_result = (
        f"KL(p‖q) = {discrete['kl_pq']:.4f} ≠ KL(q‖p) = {discrete['kl_qp']:.4f}; "
        f"H(p, q) − H(p) − KL(p‖q) ≤ {identity_error:.1e}; Gaussian KL MC error "
        f"{gauss['error']:.1e}"
    )
    return {
        "kl_pq": discrete["kl_pq"],
        "kl_qp": discrete["kl_qp"],
        "entropy_p": discrete["h_p"],
        "cross_entropy_pq": discrete["h_pq"],
        "identity_error": identity_error,
        "kl_normal_exact": gauss["exact"],
        "kl_normal_mc": gauss["mc"],
        "kl_normal_mc_error": gauss["error"],
    }


def _discrete_section(ctx: LabContext) -> dict[str, float]:
    ctx.section("Two discrete distributions")
    h_p, h_q = float(entropy(P)), float(entropy(Q))
    h_pq, h_qp = float(cross_entropy(P, Q)), float(cross_entropy(Q, P))
    kl_pq, kl_qp = float(kl_divergence(P, Q)), float(kl_divergence(Q, P))
    ctx.table(
        ["", "p", "q"],
        [
            ("outcome probabilities", P.tolist(), Q.tolist()),
            ("entropy H(·)", h_p, h_q),
            ("uniform entropy log 4", float(np.log(4)), float(np.log(4))),
        ],
        title="The distributions",
    )
    ctx.table(
        ["quantity", "value (nats)"],
        [("H(p, q)", h_pq), ("H(q, p)", h_qp), ("KL(p‖q)", kl_pq), ("KL(q‖p)", kl_qp)],
        title="Cross-entropy and KL in both directions",
    )
    ctx.check("KL is asymmetric: |KL(p‖q) − KL(q‖p)| > 0.01", abs(kl_pq - kl_qp) > 0.01, True)
    ctx.check("KL(p‖p) = 0", float(kl_divergence(P, P)), 0.0, tol=1e-15)
    ctx.check("H(p, p) = H(p)", float(cross_entropy(P, P)), h_p, tol=1e-15)
    fig, (ax_dist, ax_path) = ctx.new_figure(1, 2, width=10.5, height=4.0)
    outcomes = np.arange(1, P.size + 1)
    ax_dist.bar(outcomes - 0.2, P, 0.4, label="p")
    ax_dist.bar(outcomes + 0.2, Q, 0.4, label="q")
    ax_dist.set_xticks(outcomes)
    ax_dist.set_xlabel("outcome x")
    ax_dist.set_ylabel("probability")
    ax_dist.set_title("p and q")
    ax_dist.legend()
    t = np.linspace(0, 1, 101)
    mixtures = (1 - t)[:, None] * Q + t[:, None] * P  # q_t moves from q (t = 0) to p (t = 1)
    ax_path.plot(t, kl_divergence(P, mixtures), label="KL(p‖q_t)")
    ax_path.plot(t, kl_divergence(mixtures, P), label="KL(q_t‖p)")
    ax_path.set_xlabel("t, with q_t = (1 − t) q + t p")
    ax_path.set_ylabel("divergence (nats)")
    ax_path.set_title("Both reach 0 only at q_t = p")
    ax_path.legend()
    ctx.figure(
        fig,
        "discrete-kl",
        "Left: the two distributions. Right: KL along a path from q "
        "to p; the two directions differ.",
    )
    return {"kl_pq": kl_pq, "kl_qp": kl_qp, "h_p": h_p, "h_pq": h_pq, "notes_value": h_p + h_pq}


def _identity_section(ctx: LabContext, n_pairs: int) -> float:
    ctx.section("Non-negativity and H(p, q) = H(p) + KL(p‖q) on random distributions")
    sizes = ctx.rng.integers(2, 11, size=n_pairs)
    kls, gaps = np.empty(n_pairs), np.empty(n_pairs)
    for i, k in enumerate(ctx.track(sizes, "random distribution pairs")):
        p, q = ctx.rng.dirichlet(np.ones(k)), ctx.rng.dirichlet(np.ones(k))
        kls[i] = kl_divergence(p, q)
        gaps[i] = abs(cross_entropy(p, q) - (entropy(p) + kls[i]))
    identity_error = float(gaps.max())
    ctx.check(f"KL(p‖q) ≥ 0 for {n_pairs:,} random pairs", bool(kls.min() >= 0), True)
    ctx.check(
        f"max |H(p, q) − H(p) − KL(p‖q)| over {n_pairs:,} pairs",
        identity_error,
        0.0,
        tol=1e-12,
        tex=r"H(p, q) = H(p) + KL(p \parallel q)",
    )
    ctx.paragraph(
        f"{n_pairs:,} pairs of distributions over 2 to 10 outcomes, drawn uniformly from the "
        f"simplex: the smallest KL is {kls.min():.2e} and the identity holds to "
        f"{identity_error:.1e} (rounding)."
    )
    fig, ax = ctx.new_figure(width=7.0, height=3.6)
    ax.hist(kls, bins=80, range=(0, np.quantile(kls, 0.99)))
    ax.set_xlabel("KL(p‖q) in nats (99% of the pairs shown)")
    ax.set_ylabel("number of pairs")
    ax.set_title("KL of random pairs: never negative")
    ctx.figure(fig, "kl-histogram")
    return identity_error


def _bce_section(ctx: LabContext) -> None:
    ctx.section("Binary cross-entropy as a loss")
    ctx.formula(
        r"L(\theta) = -\frac{1}{N}\sum_{i=1}^N \left[y_i \log \hat y_i"
        r" + (1 - y_i)\log(1 - \hat y_i)\right]",
        "The average of H(p_i, q_i) with p_i = (1 − y_i, y_i) and q_i = (1 − ŷ_i, ŷ_i).",
    )
    y = ctx.rng.integers(0, 2, size=50).astype(float)
    y_hat = np.clip(0.5 + (y - 0.5) * ctx.rng.uniform(0.2, 1.4, size=50), 0.02, 0.98)
    loss = binary_cross_entropy(y, y_hat)
    as_ce = np.mean(cross_entropy(np.stack([1 - y, y], 1), np.stack([1 - y_hat, y_hat], 1)))
    ctx.check(
        "binary cross-entropy = mean of the two-class cross-entropies", loss, as_ce, tol=1e-12
    )
    q = np.linspace(0.005, 0.995, 400)
    fig, ax = ctx.new_figure(width=7.0, height=3.8)
    ax.plot(q, -np.log(q), label="true label y = 1: −log ŷ")
    ax.plot(q, -np.log(1 - q), label="true label y = 0: −log(1 − ŷ)")
    ax.set_ylim(0, 5)
    ax.set_xlabel("predicted probability ŷ of class 1")
    ax.set_ylabel("loss (nats)")
    ax.set_title("Confident mistakes cost the most")
    ax.legend(loc="upper center")
    ctx.figure(
        fig,
        "binary-cross-entropy",
        "The per-example loss; it grows without bound as a wrong prediction becomes certain.",
    )


def _gaussian_section(ctx: LabContext, n_mc: int) -> dict[str, float]:
    ctx.section("KL of two Gaussians: closed form vs Monte Carlo")
    ctx.formula(
        r"KL(\mathcal{N}(\mu_0,\sigma_0^2) \parallel \mathcal{N}(\mu_1,\sigma_1^2)) = "
        r"\log\frac{\sigma_1}{\sigma_0} + \frac{\sigma_0^2 + (\mu_0 - \mu_1)^2}{2\sigma_1^2}"
        r" - \frac{1}{2}"
    )
    ctx.formula(
        r"KL(p \parallel q) \approx \frac{1}{n}\sum_{i=1}^n \log\frac{p(x_i)}{q(x_i)},"
        r"\quad x_i \sim p"
    )
    p, q = Normal(*GAUSS_P), Normal(*GAUSS_Q)
    exact = float(kl_normal(*GAUSS_P, *GAUSS_Q))
    x = p.sample(n_mc, ctx.rng)
    log_ratio = np.log(p.pdf(x)) - np.log(q.pdf(x))
    mc = float(log_ratio.mean())
    stderr = float(log_ratio.std() / np.sqrt(n_mc))
    ctx.check(
        f"Monte Carlo ({n_mc:,} samples) = closed form, within 5 standard errors",
        mc,
        exact,
        tol=5 * stderr,
    )
    ctx.check("KL(N‖N) = 0 for equal Gaussians", float(kl_normal(0.5, 2.0, 0.5, 2.0)), 0.0)
    counts = np.unique(np.geomspace(100, n_mc, 60).astype(int))
    running = np.cumsum(log_ratio)[counts - 1] / counts
    fig, (ax_pdf, ax_mc) = ctx.new_figure(1, 2, width=10.5, height=4.0)
    grid = np.linspace(-5, 7, 600)
    ax_pdf.plot(grid, p.pdf(grid), label=f"p = N({GAUSS_P[0]:g}, {GAUSS_P[1]:g}²)")
    ax_pdf.plot(grid, q.pdf(grid), label=f"q = N({GAUSS_Q[0]:g}, {GAUSS_Q[1]:g}²)")
    ax_pdf.set_xlabel("x")
    ax_pdf.set_ylabel("density")
    ax_pdf.set_title("The two Gaussians")
    ax_pdf.legend()
    ax_mc.plot(counts, running, label="Monte Carlo estimate")
    ax_mc.axhline(exact, color="black", linestyle="--", label=f"closed form {exact:.4f}")
    ax_mc.set_xscale("log")
    ax_mc.set_xlabel("number of samples n (log scale)")
    ax_mc.set_ylabel("KL(p‖q) estimate (nats)")
    ax_mc.set_title("Monte Carlo converges to the formula")
    ax_mc.legend()
    ctx.figure(fig, "gaussian-kl", "The Monte Carlo average of log p(x)/q(x) over samples of p.")
    return {"exact": exact, "mc": mc, "error": abs(mc - exact)}
