from fractions import Fraction

import numpy as np
import pytest

from nnlab.prob import monty_hall, monty_hall_joint, simulate_monty_hall


def test_exact_three_doors_is_one_third_vs_two_thirds() -> None:
    result = monty_hall()
    assert result["stay"] == pytest.approx(1 / 3, abs=1e-15)
    assert result["switch"] == pytest.approx(2 / 3, abs=1e-15)
    np.testing.assert_allclose(result["posterior"].probs, [1 / 3, 0.0, 2 / 3], atol=1e-15)


def test_joint_table_is_the_one_in_the_course_notes() -> None:
    joint = monty_hall_joint()
    assert joint.pmf(car=1, opened=2) == pytest.approx(1 / 6)
    assert joint.pmf(car=1, opened=3) == pytest.approx(1 / 6)
    assert joint.pmf(car=2, opened=2) == 0.0
    assert joint.pmf(car=2, opened=3) == pytest.approx(1 / 3)
    assert joint.pmf(car=3, opened=2) == pytest.approx(1 / 3)
    assert joint.pmf(car=3, opened=3) == 0.0
    assert not joint.is_independent("car", "opened")


@pytest.mark.parametrize("doors", [3, 4, 10])
def test_exact_general_doors(doors: int) -> None:
    result = monty_hall(doors)
    assert result["stay"] == pytest.approx(1 / doors)
    assert result["switch"] == pytest.approx(float(Fraction(doors - 1, doors * (doors - 2))))


def test_simulation_within_001_of_exact() -> None:
    sim = simulate_monty_hall(100_000, rng=np.random.default_rng(2024))
    exact = monty_hall()
    assert set(sim) == set(exact)
    assert abs(sim["stay"] - 1 / 3) < 0.01
    assert abs(sim["switch"] - 2 / 3) < 0.01
    np.testing.assert_allclose(sim["joint"].table, exact["joint"].table, atol=0.01)
    np.testing.assert_allclose(sim["posterior"].probs, exact["posterior"].probs, atol=0.01)


def test_simulation_four_doors_and_host_rules() -> None:
    sim = simulate_monty_hall(100_000, rng=7, doors=4)
    assert abs(sim["switch"] - 3 / 8) < 0.01
    table = sim["joint"].table
    assert np.all(table[:, 0] == 0)  # the host never opens the player's door 1
    assert np.all(np.diag(table) == 0)  # nor the car's door


def test_errors() -> None:
    with pytest.raises(ValueError, match="doors must be an integer >= 3"):
        monty_hall(2)
    with pytest.raises(ValueError, match="number of games"):
        simulate_monty_hall(0)
