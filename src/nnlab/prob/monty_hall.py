"""The Monty Hall problem, exactly (joint distribution + Bayes) and by simulation.

A car is behind one of ``doors`` doors, uniformly. The player picks door 1. The host, who knows
where the car is, opens a door that is neither the player's nor the car's, uniformly among those.
The player may stay with door 1 or switch to one of the other closed doors (chosen uniformly).

With C the car's door and H the door the host opens (course notes, 3 doors):

    p(C = 1, H = 2) = 1/6   p(C = 2, H = 2) = 0     p(C = 3, H = 2) = 1/3
    p(C = 1 | H = 2) = (1/6) / (1/6 + 0 + 1/3) = 1/3   ->  staying wins 1/3, switching 2/3.

For d doors: P(stay wins) = 1/d and P(switch wins) = (d - 1) / (d (d - 2)).
"""

from __future__ import annotations

from typing import TypedDict

import numpy as np

from nnlab.prob._validation import make_rng
from nnlab.prob.bayes import bayes
from nnlab.prob.discrete import Discrete
from nnlab.prob.joint import JointDistribution

OPENED = 2  # the door the host is observed to open in the reported posterior (as in the notes)


class MontyHallResult(TypedDict):
    """``stay`` / ``switch``: probability (or frequency) of winning the car with each strategy;
    ``joint``: the distribution (or frequencies) of (car, opened);
    ``posterior``: p(car | opened = 2)."""

    stay: float
    switch: float
    joint: JointDistribution
    posterior: Discrete


def _check_doors(doors: int) -> int:
    if isinstance(doors, bool) or not isinstance(doors, int | np.integer) or doors < 3:
        raise ValueError(
            f"doors must be an integer >= 3 (the host needs a door to open), got {doors!r}"
        )
    return int(doors)


def monty_hall_joint(doors: int = 3) -> JointDistribution:
    """p(car, opened) for a player who picked door 1; doors are numbered 1..doors.

    p(car = c) = 1/d;  p(opened = h | car = 1) = 1/(d-1) for h != 1;
    p(opened = h | car = c != 1) = 1/(d-2) for h not in {1, c}; 0 otherwise.
    """
    d = _check_doors(doors)
    door = np.arange(1, d + 1)

    def p(car: np.ndarray, opened: np.ndarray) -> np.ndarray:
        allowed = (opened != 1) & (opened != car)  # the host never opens the player's or the car's
        n_choices = np.where(car == 1, d - 1, d - 2)
        return np.where(allowed, (1.0 / d) / n_choices, 0.0)

    return JointDistribution.from_function(["car", "opened"], [door, door], p)


def monty_hall(doors: int = 3) -> MontyHallResult:
    """Exact winning probabilities by Bayes' theorem on the joint distribution of (car, opened).

    Having seen the host open door 2, the posterior over the car's door is p(car | opened = 2) =
    p(opened = 2 | car) p(car) / p(opened = 2). Staying wins with p(car = 1 | opened = 2); switching
    (uniformly to one of the d - 2 other closed doors) wins with
    (1 - p(car = 1 | opened = 2)) / (d - 2).
    By symmetry the answer is the same whichever door the host opens.
    """
    d = _check_doors(doors)
    joint = monty_hall_joint(d)
    prior = joint.marginal("car")  # uniform 1/d
    # likelihood of the observation for each hypothesis: p(opened = 2 | car = c), c = 1..d
    likelihood = np.array(
        [joint.conditional("opened", given={"car": c}).pmf(OPENED) for c in prior.values]
    )
    posterior, _evidence = bayes(prior, likelihood)
    assert isinstance(posterior, Discrete)  # bayes returns a Discrete for a Discrete prior
    p_stay = float(posterior.pmf(1))
    return {
        "stay": p_stay,
        "switch": (1.0 - p_stay) / (d - 2),
        "joint": joint,
        "posterior": posterior,
    }


def simulate_monty_hall(
    n: int, rng: np.random.Generator | int | None = None, doors: int = 3
) -> MontyHallResult:
    """Play ``n`` games at once (vectorized) and report observed frequencies under the same keys.

    Doors are 1..d and the player picks door 1. The host's choice among the allowed doors is drawn
    by picking the k-th allowed door, k uniform; the switching player likewise picks uniformly among
    the closed doors other than door 1.
    """
    d = _check_doors(doors)
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise ValueError(f"n (number of games) must be a positive integer, got {n!r}")
    gen = make_rng(rng)
    car = gen.integers(1, d + 1, size=n)
    # Host: if the car is behind door 1, any of doors 2..d; otherwise one of doors 2..d except car.
    k = np.where(car == 1, gen.integers(2, d + 1, size=n), gen.integers(2, d, size=n))
    opened = np.where((car != 1) & (k >= car), k + 1, k)  # skip over the car's door
    # Switcher: one of doors 2..d except the opened one.
    s = gen.integers(2, d, size=n)
    switched_to = np.where(s >= opened, s + 1, s)
    counts = np.zeros((d, d))
    np.add.at(counts, (car - 1, opened - 1), 1.0)
    joint = JointDistribution(["car", "opened"], [np.arange(1, d + 1)] * 2, counts / n)
    return {
        "stay": float(np.mean(car == 1)),
        "switch": float(np.mean(switched_to == car)),
        "joint": joint,
        "posterior": joint.conditional("car", given={"opened": OPENED}),
    }
