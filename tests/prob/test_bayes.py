import numpy as np
import pytest

from nnlab.prob import Discrete, bayes


def test_disease_test_example() -> None:
    # 1% prevalence, 95% sensitivity, 10% false positives: P(ill | positive) = 0.0095 / 0.1085
    posterior, evidence = bayes([0.01, 0.99], [0.95, 0.10])
    assert evidence == pytest.approx(0.01 * 0.95 + 0.99 * 0.10)
    assert isinstance(posterior, np.ndarray)
    assert posterior[0] == pytest.approx(0.0095 / 0.1085)
    assert posterior.sum() == pytest.approx(1.0)


def test_discrete_prior_gives_discrete_posterior_and_sequential_updates_agree() -> None:
    coins = Discrete([0.25, 0.5, 0.75], [0.2, 0.5, 0.3])  # hypotheses: P(heads)
    heads = coins.values
    once, _ = bayes(coins, heads)
    assert isinstance(once, Discrete)
    twice, _ = bayes(once, heads)
    batch, _ = bayes(coins, heads**2)
    assert isinstance(twice, Discrete) and isinstance(batch, Discrete)
    np.testing.assert_allclose(twice.probs, batch.probs)


def test_errors() -> None:
    with pytest.raises(ValueError, match="shape"):
        bayes([0.5, 0.5], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="evidence"):
        bayes([1.0, 0.0], [0.0, 0.5])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        bayes([0.5, 0.5], [1.5, 0.5])
    with pytest.raises(ValueError, match="sum to 1"):
        bayes([0.5, 0.6], [0.1, 0.2])
