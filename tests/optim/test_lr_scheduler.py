"""StepLR and ExponentialLR: the learning rates match torch.optim.lr_scheduler's."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from nnlab import nn, optim


def _rates(make_sched, make_torch_sched, epochs: int = 12) -> tuple[list[float], list[float]]:
    opt = optim.SGD([nn.Parameter(np.ones(2))], lr=0.3)
    topt = torch.optim.SGD([torch.nn.Parameter(torch.ones(2))], lr=0.3)
    sched, tsched = make_sched(opt), make_torch_sched(topt)
    ours, theirs = [opt.lr], [topt.param_groups[0]["lr"]]
    for _ in range(epochs):
        opt.step()
        topt.step()
        sched.step()
        tsched.step()
        ours.append(sched.get_last_lr()[0])
        theirs.append(tsched.get_last_lr()[0])
    return ours, theirs


def test_step_lr_matches_torch() -> None:
    ours, theirs = _rates(
        lambda o: optim.StepLR(o, step_size=3, gamma=0.5),
        lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.5),
    )
    assert ours == pytest.approx(theirs, rel=1e-15)
    assert ours[3] == pytest.approx(0.15) and ours[2] == 0.3


def test_exponential_lr_matches_torch() -> None:
    ours, theirs = _rates(
        lambda o: optim.ExponentialLR(o, gamma=0.9),
        lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.9),
    )
    assert ours == pytest.approx(theirs, rel=1e-15)
    assert ours[-1] == pytest.approx(0.3 * 0.9**12)


def test_scheduler_changes_the_update_size() -> None:
    w = nn.Parameter(np.array([0.0]))
    opt = optim.SGD([w], lr=1.0)
    sched = optim.StepLR(opt, step_size=1, gamma=0.1)
    for _ in range(3):
        opt.zero_grad()
        w.sum().backward()  # gradient 1
        opt.step()
        sched.step()
    np.testing.assert_allclose(w.data, [-1.11])
    assert sched.last_epoch == 3


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda o: optim.StepLR(o, step_size=0), "step_size"),
        (lambda o: optim.StepLR(o, step_size=2, gamma=0.0), "gamma"),
        (lambda o: optim.ExponentialLR(o, gamma=-1.0), "gamma"),
    ],
)
def test_bad_arguments(make, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        make(optim.SGD([nn.Parameter(np.ones(2))], lr=0.1))


def test_needs_an_optimizer() -> None:
    with pytest.raises(TypeError, match="Optimizer"):
        optim.ExponentialLR(object(), gamma=0.5)  # type: ignore[arg-type]
