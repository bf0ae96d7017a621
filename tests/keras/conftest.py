"""Shared data for the nnlab.keras tests."""

from __future__ import annotations

import numpy as np
import pytest

from nnlab.keras import utils


@pytest.fixture(autouse=True)
def _fresh_names() -> None:
    """Every test starts with Keras's automatic names at 'dense', 'sequential'."""
    utils.clear_session()


def two_blobs(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """The course's data: n points around (-1, -1) labelled 0 and n around (1, 1) labelled 1."""
    x = np.vstack([rng.normal(size=(n, 2)) + (-1.0, -1.0), rng.normal(size=(n, 2)) + (1.0, 1.0)])
    y = np.vstack([np.zeros((n, 1)), np.ones((n, 1))])
    return x, y


@pytest.fixture
def blobs() -> tuple[np.ndarray, np.ndarray]:
    return two_blobs(100, np.random.default_rng(1))


@pytest.fixture
def three_class() -> tuple[np.ndarray, np.ndarray]:
    """60 points in 4-D, three well separated classes, integer labels."""
    rng = np.random.default_rng(2)
    y = np.repeat(np.arange(3), 20)
    x = rng.normal(size=(60, 4)) * 0.3 + np.eye(3, 4)[y] * 3
    return x.astype(np.float32), y
