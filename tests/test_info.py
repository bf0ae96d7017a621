import numpy as np
import pytest
from scipy import stats

from nnlab.info import binary_cross_entropy, cross_entropy, entropy, kl_divergence, kl_normal

P = np.array([0.1, 0.2, 0.3, 0.4])
Q = np.array([0.25, 0.25, 0.4, 0.1])


@pytest.mark.parametrize("base", [None, 2, 10])
def test_entropy_and_kl_match_scipy(base: float | None) -> None:
    assert entropy(P, base=base) == pytest.approx(stats.entropy(P, base=base), rel=1e-14)
    assert kl_divergence(P, Q, base=base) == pytest.approx(stats.entropy(P, Q, base=base))


def test_cross_entropy_is_entropy_plus_kl() -> None:
    assert cross_entropy(P, Q) == pytest.approx(entropy(P) + kl_divergence(P, Q), rel=1e-14)
    assert cross_entropy(P, P) == pytest.approx(entropy(P))
    assert kl_divergence(P, P) == pytest.approx(0.0, abs=1e-15)
    assert kl_divergence(P, Q) != pytest.approx(kl_divergence(Q, P))  # not symmetric


def test_zero_conventions() -> None:
    p = np.array([0.5, 0.5, 0.0])
    q = np.array([0.5, 0.0, 0.5])
    assert entropy(p, base=2) == pytest.approx(1.0)  # 0 log 0 = 0
    assert kl_divergence(p, q) == np.inf  # q = 0 < p
    assert cross_entropy(p, q) == np.inf
    assert kl_divergence(q[[0, 2, 1]], p[[0, 2, 1]]) == np.inf
    assert kl_divergence([0.5, 0.5, 0.0], [0.25, 0.25, 0.5]) == pytest.approx(np.log(2))


def test_batched_rows() -> None:
    rows = np.stack([P, Q])
    np.testing.assert_allclose(entropy(rows), stats.entropy(rows, axis=1))
    np.testing.assert_allclose(kl_divergence(rows, Q), stats.entropy(rows.T, Q[:, None]))


def test_binary_cross_entropy_is_mean_of_two_outcome_cross_entropies() -> None:
    y = np.array([1.0, 0.0, 1.0, 0.3])
    y_hat = np.array([0.9, 0.2, 0.6, 0.5])
    manual = -np.mean(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat))
    assert binary_cross_entropy(y, y_hat) == pytest.approx(manual, rel=1e-14)
    per_row = cross_entropy(np.c_[1 - y, y], np.c_[1 - y_hat, y_hat])
    assert binary_cross_entropy(y, y_hat) == pytest.approx(np.mean(per_row))
    assert binary_cross_entropy([1.0, 0.0], [1.0, 0.0]) == 0.0
    assert binary_cross_entropy([1.0], [0.0]) == np.inf


def test_kl_normal_matches_numerical_integral() -> None:
    x = np.linspace(-10, 10, 200_001)
    p0, q0 = stats.norm(1.0, 0.5), stats.norm(-0.5, 2.0)
    numeric = np.trapezoid(p0.pdf(x) * (p0.logpdf(x) - q0.logpdf(x)), x)
    assert kl_normal(1.0, 0.5, -0.5, 2.0) == pytest.approx(numeric, rel=1e-8)
    assert kl_normal(0.0, 1.0, 0.0, 1.0) == 0.0
    np.testing.assert_allclose(kl_normal([0.0, 1.0], 1.0, 0.0, 1.0), [0.0, 0.5])


@pytest.mark.parametrize("scale", [1e-200, 1e-8, 1e8, 1e200])
def test_kl_normal_depends_on_the_scale_only_through_ratios(scale: float) -> None:
    """KL is invariant under x -> scale x; sigma^2 itself would under/overflow at 1e+-200."""
    unit = kl_normal(1.0, 0.5, -0.5, 2.0)
    scaled = kl_normal(1.0 * scale, 0.5 * scale, -0.5 * scale, 2.0 * scale)
    assert scaled == pytest.approx(unit, rel=1e-14)
    assert kl_normal(0.0, scale, 0.0, scale) == 0.0


def test_validation() -> None:
    with pytest.raises(ValueError, match="p must sum to 1"):
        entropy([0.5, 0.6])
    with pytest.raises(ValueError, match="negative"):
        kl_divergence([1.2, -0.2], [0.5, 0.5])
    with pytest.raises(ValueError, match="same outcomes"):
        cross_entropy([0.5, 0.5], [0.2, 0.3, 0.5])
    with pytest.raises(ValueError, match="same shape"):
        binary_cross_entropy([1.0, 0.0], [0.5])
    with pytest.raises(ValueError, match=r"y_hat must hold probabilities"):
        binary_cross_entropy([1.0], [1.5])
    with pytest.raises(ValueError, match="sigma1"):
        kl_normal(0.0, 1.0, 0.0, -1.0)
    with pytest.raises(ValueError, match="base"):
        entropy(P, base=1)
