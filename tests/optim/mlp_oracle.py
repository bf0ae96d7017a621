"""Train the same small float64 MLP with an nnlab optimizer and a PyTorch one, step by step."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

import nnlab
from nnlab import nn

N_IN, N_HIDDEN, N_OUT, BATCH = 5, 8, 3, 16


def make_models(seed: int = 0) -> tuple[nn.Sequential, torch.nn.Sequential]:
    """Two 5-8-3 tanh MLPs (float64) with identical initial weights."""
    rng = np.random.default_rng(seed)
    ours = nn.Sequential(
        nn.Linear(N_IN, N_HIDDEN, rng=rng, dtype=np.float64),
        nn.Tanh(),
        nn.Linear(N_HIDDEN, N_OUT, rng=rng, dtype=np.float64),
    )
    theirs = torch.nn.Sequential(
        torch.nn.Linear(N_IN, N_HIDDEN), torch.nn.Tanh(), torch.nn.Linear(N_HIDDEN, N_OUT)
    ).double()
    with torch.no_grad():
        for (name, p), (tname, tp) in zip(
            ours.named_parameters(), theirs.named_parameters(), strict=True
        ):
            assert name == tname
            tp.copy_(torch.from_numpy(p.data))
    return ours, theirs


def batches(n_steps: int, seed: int = 1) -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(seed)
    return [
        (rng.normal(size=(BATCH, N_IN)), rng.integers(0, N_OUT, size=BATCH)) for _ in range(n_steps)
    ]


def train_both(
    make_ours: Callable[[list[Any]], Any],
    make_theirs: Callable[[list[Any]], Any],
    n_steps: int = 20,
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Run ``n_steps`` of cross-entropy training on both; return the final parameters."""
    ours, theirs = make_models()
    opt, topt = make_ours(ours.parameters()), make_theirs(list(theirs.parameters()))
    for x, y in batches(n_steps):
        opt.zero_grad()
        nn.functional.cross_entropy(ours(nnlab.tensor(x)), y).backward()
        opt.step()
        topt.zero_grad()
        torch.nn.functional.cross_entropy(
            theirs(torch.from_numpy(x)), torch.from_numpy(y)
        ).backward()
        topt.step()
    return [p.data for p in ours.parameters()], [p.detach().numpy() for p in theirs.parameters()]


def assert_same_training(
    make_ours: Callable[[list[Any]], Any], make_theirs: Callable[[list[Any]], Any]
) -> None:
    ours, theirs = train_both(make_ours, make_theirs)
    initial = [p.data for p in make_models()[0].parameters()]
    moved = max(np.abs(a - b).max() for a, b in zip(ours, initial, strict=True))
    assert moved > 1e-3, "the parameters barely moved: the comparison would prove nothing"
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-6)
