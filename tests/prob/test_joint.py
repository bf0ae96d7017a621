import numpy as np
import pytest

from nnlab.prob import Discrete, JointDistribution

DIE = np.arange(1, 7)


def two_dice() -> JointDistribution:
    return JointDistribution(["a", "b"], [DIE, DIE], np.full((6, 6), 1 / 36))


def test_two_dice_are_independent_and_marginals_uniform() -> None:
    joint = two_dice()
    assert joint.is_independent("a", "b")
    np.testing.assert_allclose(joint.marginal("a").probs, np.full(6, 1 / 6))
    assert joint.pmf(a=3, b=5) == pytest.approx(1 / 36)
    cond = joint.conditional("a", given={"b": 2})
    np.testing.assert_allclose(cond.probs, np.full(6, 1 / 6))


def test_dice_and_their_sum_are_dependent() -> None:
    sums = np.arange(2, 13)
    joint = JointDistribution.from_function(
        ["a", "s"], [DIE, sums], lambda a, s: np.where((s - a >= 1) & (s - a <= 6), 1 / 36, 0.0)
    )
    assert not joint.is_independent("a", "s")
    np.testing.assert_allclose(
        joint.marginal("s").probs, np.array([1, 2, 3, 4, 5, 6, 5, 4, 3, 2, 1]) / 36
    )
    # given a sum of 12 both dice must show 6
    assert joint.conditional("a", given={"s": 12}).pmf(6) == pytest.approx(1.0)
    assert joint.conditional("a", given={"s": 7}).pmf(4) == pytest.approx(1 / 6)


def test_conditional_independence_differs_from_independence() -> None:
    # Z a fair coin choosing a biased coin; X and Y two flips of it: dependent, but
    # independent given Z.
    bias = np.array([0.2, 0.9])
    table = 0.5 * np.einsum("z,zx,zy->xyz", [1, 1], np.c_[1 - bias, bias], np.c_[1 - bias, bias])
    joint = JointDistribution(["x", "y", "z"], [[0, 1], [0, 1], [0, 1]], table)
    assert not joint.is_independent("x", "y")
    assert joint.is_conditionally_independent("x", "y", given="z")
    # X and Z are dependent, and not independent given Y either
    assert not joint.is_conditionally_independent("x", "z", given=["y"])


def test_marginalize_reorders_and_sums() -> None:
    rng = np.random.default_rng(0)
    t = rng.random((2, 3, 4))
    joint = JointDistribution(["a", "b", "c"], [range(2), range(3), range(4)], t / t.sum())
    sub = joint.marginalize(["c", "a"])
    np.testing.assert_allclose(sub.table, (t / t.sum()).sum(axis=1).T)
    assert sub.names == ("c", "a")
    m = joint.marginal("b")
    assert isinstance(m, Discrete)
    np.testing.assert_allclose(m.probs, (t / t.sum()).sum(axis=(0, 2)))


def test_labels_as_support() -> None:
    joint = JointDistribution(
        ["weather", "umbrella"], [["rain", "sun"], ["no", "yes"]], [[0.05, 0.25], [0.6, 0.1]]
    )
    cond = joint.conditional("weather", given={"umbrella": "yes"})
    assert cond.pmf("rain") == pytest.approx(0.25 / 0.35)


def test_validation_messages() -> None:
    with pytest.raises(ValueError, match=r"shape \(2, 2\); the supports"):
        JointDistribution(["a", "b"], [[0, 1], [0, 1, 2]], np.full((2, 2), 0.25))
    with pytest.raises(ValueError, match="sum to 1"):
        JointDistribution(["a"], [[0, 1]], [0.5, 0.6])
    with pytest.raises(ValueError, match="negative"):
        JointDistribution(["a"], [[0, 1]], [1.5, -0.5])
    with pytest.raises(ValueError, match="2 names but 1 supports"):
        JointDistribution(["a", "b"], [[0, 1]], [0.5, 0.5])
    joint = two_dice()
    with pytest.raises(ValueError, match="unknown variable 'c'"):
        joint.marginal("c")
    with pytest.raises(ValueError, match="not in the support"):
        joint.pmf(a=7, b=1)
    zero = JointDistribution(["a", "b"], [[0, 1], [0, 1]], [[0.5, 0.0], [0.5, 0.0]])
    with pytest.raises(ValueError, match="probability 0"):
        zero.conditional("a", given={"b": 1})
