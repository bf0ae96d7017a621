"""Exercise: Monty Hall. The joint table p(car, opened), the posterior over the car's door from
it, and the probability of winning by switching, for any number of doors."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from nnlab.exercises.exercise import Exercise, Step
from nnlab.exercises.labs._cases import joint_table
from nnlab.exercises.task import Case, Task
from nnlab.prob import JointDistribution, monty_hall, monty_hall_joint


def monty_hall_table(doors: int) -> np.ndarray:
    """The joint table p(car = c, opened = h), shape (doors, doors), doors numbered 0..doors-1.

    The player picked door 0. p(car = c) = 1/doors. The host never opens door 0 nor the car's
    door, and chooses uniformly among the doors he may open:
    p(opened = h | car = 0) = 1/(doors-1) for h ≠ 0; p(opened = h | car = c ≠ 0) = 1/(doors-2)
    for h ∉ {0, c}. So p(c, h) = p(c) p(h | c), and 0 where the host may not open h.
    """
    table = np.zeros((doors, doors))
    for car in range(doors):
        allowed = [h for h in range(1, doors) if h != car]
        table[car, allowed] = (1 / doors) / len(allowed)
    return table


def posterior_from_joint(joint: np.ndarray, opened: int) -> np.ndarray:
    """p(car | opened = h) from a joint table p(car, opened) of shape (D, D).

    Bayes: p(c | h) = p(c, h) / p(h), with the evidence p(h) = Σ_c p(c, h) (a column sum).
    Returns shape (D,), summing to 1.
    """
    column = joint[:, opened]
    return column / column.sum()


def p_win_switching(doors: int) -> float:
    """P(win | switch) for a player who switches to one of the other closed doors, chosen
    uniformly: P(win | switch) = P(car not behind door 0) × P(picking the car's door among the
    doors - 2 closed doors left). (The car is behind door 0 with probability 1/doors.)

    doors ≥ 3. Returns a float.
    """
    return (1 - 1 / doors) / (doors - 2)


def _posterior_reference(joint: np.ndarray, opened: int) -> np.ndarray:
    doors = np.arange(joint.shape[0])
    distribution = JointDistribution(["car", "opened"], [doors, doors], joint)
    return distribution.conditional("car", given={"opened": opened}).probs


def _joints(rng: np.random.Generator) -> Iterator[Case]:
    for d in (3, 4, 5):
        yield {"joint": monty_hall_joint(d).table, "opened": int(rng.integers(1, d))}
    for _ in range(15):
        d = int(rng.integers(2, 8))
        yield {"joint": joint_table(rng, d, d), "opened": int(rng.integers(0, d))}


def _doors(rng: np.random.Generator) -> Iterator[Case]:
    for d in sorted({3, 4, *rng.integers(5, 30, size=8).tolist()}):
        yield {"doors": int(d)}


EXERCISE = Exercise(
    lab="monty-hall",
    intro=r"""
Three doors, a car behind one of them. You pick door 0; the host, who knows where the car is,
opens another door with no car behind it and offers you to switch. Write the course's joint
table $p(\text{car}, \text{opened})$ and read the answer from it with Bayes' theorem:

$$p(\text{car} = c \mid \text{opened} = h) = \frac{p(\text{car} = c, \text{opened} = h)}
{\sum_{c'} p(\text{car} = c', \text{opened} = h)}.$$

(The library numbers the doors 1..d; here they are 0..d-1, as NumPy indexes them.)
""",
    setup="",
    tasks=(
        Task(
            monty_hall_table,
            lambda doors: monty_hall_joint(doors).table,
            _doors,
            "p(c, h) = p(c) p(h | c): the host picks uniformly among the doors that are neither "
            "yours (0) nor the car's (course: the joint table of Monty Hall)",
        ),
        Task(
            posterior_from_joint,
            _posterior_reference,
            _joints,
            "p(c | h) = p(c, h) / Σ_c' p(c', h): take the column of the observed door and "
            "normalise it by its sum (the evidence)",
        ),
        Task(
            p_win_switching,
            lambda doors: monty_hall(doors)["switch"],
            _doors,
            "switching wins when the car is not behind your door (1 - 1/d) and you pick it among "
            "the d - 2 closed doors left",
        ),
    ),
    steps=(
        Step(
            "## The three-door game\n\nThe joint table, and the posterior once the host opened "
            "door 1.",
            """\
table = monty_hall_table(3)
print("p(car, opened) =\\n", table.round(4))
posterior = posterior_from_joint(table, opened=1)
print("p(car | opened = 1) =", posterior.round(4))
print(f"stay wins with {posterior[0]:.4f}, switch wins with {p_win_switching(3):.4f}")
""",
        ),
        Step(
            "## A simulation and more doors\n\nThe library plays 20 000 games; switching keeps "
            "its edge as the number of doors grows.",
            """\
from nnlab.prob import simulate_monty_hall

games = simulate_monty_hall(20_000, rng=rng, doors=3)
print(f"simulated: stay {games['stay']:.3f}, switch {games['switch']:.3f}")
doors = np.arange(3, 11)
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(doors, [p_win_switching(int(d)) for d in doors], "o-", label="switch")
ax.plot(doors, 1 / doors, "s-", label="stay")
ax.set_xlabel("number of doors"); ax.set_ylabel("P(win)"); ax.legend()
plt.show()
""",
        ),
    ),
)
