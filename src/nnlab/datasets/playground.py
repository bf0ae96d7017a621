"""The six data sets of TensorFlow Playground, generated as its ``dataset.ts`` does.

Classification sets (500 points, labels +1 / -1): :func:`circle`, :func:`xor`, :func:`gauss`,
:func:`spiral`. Regression sets (1200 points, labels in [-1, 1]): :func:`reg_plane`,
:func:`reg_gauss`. ``noise`` is the value the Playground's generators receive, the slider's
0..50 divided by 100, so 0.0..0.5. Points lie roughly in [-6, 6]^2.

Each function returns ``(points, labels)``: float32 arrays of shapes (n, 2) and (n,). The
Playground then shuffles with its seed and keeps the first ``floor(n * percent / 100)`` points for
training: :func:`train_test_split`. The random numbers come from NumPy, so the points are not the
Playground's own for the same seed, but they follow the same distributions.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from nnlab.datasets.synthetic import Seed, as_rng

__all__ = [
    "CLASSIFICATION",
    "DATASETS",
    "REGRESSION",
    "circle",
    "gauss",
    "generate",
    "reg_gauss",
    "reg_plane",
    "spiral",
    "train_test_split",
    "xor",
]

Arrays = tuple[np.ndarray, np.ndarray]

#: The six regression bumps of reg-gauss: (centre x, centre y, sign).
REG_GAUSS_CENTRES: tuple[tuple[float, float, float], ...] = (
    (-4.0, 2.5, 1.0),
    (0.0, 2.5, -1.0),
    (4.0, 2.5, 1.0),
    (-4.0, -2.5, -1.0),
    (0.0, -2.5, 1.0),
    (4.0, -2.5, -1.0),
)


def _check(name: str, n: int, noise: float, even: bool = False) -> None:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"{name}: n must be a positive int, got {n!r}")
    if even and n % 2:
        raise ValueError(f"{name}: n must be even (half the points per class), got {n}")
    if not 0.0 <= noise <= 1.0:
        raise ValueError(
            f"{name}: noise is a fraction in [0, 1] (the Playground's slider value / 100, "
            f"normally 0..0.5), got {noise!r}"
        )


def _pack(x: np.ndarray, y: np.ndarray, labels: np.ndarray) -> Arrays:
    points = np.stack([x, y], axis=1).astype(np.float32)
    return points, labels.astype(np.float32)


def circle(n: int = 500, noise: float = 0.0, seed: Seed = None) -> Arrays:
    """A disc (+1) inside a ring (-1).

    n/2 points at radius ``U(0, 2.5)`` and n/2 at radius ``U(3.5, 5)``, angle ``U(0, 2 pi)``,
    ``(x, y) = (r sin a, r cos a)``. The label is +1 when the point shifted by
    ``U(-5, 5) * noise`` per coordinate lies within radius 2.5 (strictly), else -1: noise flips
    labels near the boundary but the points themselves are drawn clean.
    """
    _check("circle", n, noise, even=True)
    rng = as_rng(seed)
    half = n // 2
    radius = np.concatenate([rng.uniform(0.0, 2.5, half), rng.uniform(3.5, 5.0, half)])
    angle = rng.uniform(0.0, 2 * np.pi, n)
    x, y = radius * np.sin(angle), radius * np.cos(angle)
    nx, ny = rng.uniform(-5.0, 5.0, (2, n)) * noise
    labels = np.where(np.hypot(x + nx, y + ny) < 2.5, 1.0, -1.0)
    return _pack(x, y, labels)


def xor(n: int = 500, noise: float = 0.0, seed: Seed = None) -> Arrays:
    """The four quadrants: +1 where x y >= 0 (first and third), -1 elsewhere.

    ``x, y ~ U(-5, 5)``, each pushed 0.3 away from the axis (``v + 0.3`` if ``v > 0`` else
    ``v - 0.3``); label ``+1 if (x + nx)(y + ny) >= 0 else -1`` with ``nx, ny ~ U(-5, 5) * noise``.
    """
    _check("xor", n, noise)
    rng = as_rng(seed)
    x, y = rng.uniform(-5.0, 5.0, (2, n))
    x = np.where(x > 0, x + 0.3, x - 0.3)
    y = np.where(y > 0, y + 0.3, y - 0.3)
    nx, ny = rng.uniform(-5.0, 5.0, (2, n)) * noise
    labels = np.where((x + nx) * (y + ny) >= 0, 1.0, -1.0)
    return _pack(x, y, labels)


def gauss(n: int = 500, noise: float = 0.0, seed: Seed = None) -> Arrays:
    """Two Gaussian clouds: n/2 points around (2, 2) labelled +1, n/2 around (-2, -2) labelled -1.

    Each coordinate is ``N(centre, variance)`` with the variance mapped linearly from noise in
    [0, 0.5] to [0.5, 4]: ``variance = 0.5 + 7 * noise``. Noise widens the clouds; labels are never
    flipped.
    """
    _check("gauss", n, noise, even=True)
    rng = as_rng(seed)
    half = n // 2
    std = np.sqrt(0.5 + 7.0 * noise)
    centre = np.repeat([2.0, -2.0], half)
    x = centre + std * rng.standard_normal(n)
    y = centre + std * rng.standard_normal(n)
    labels = np.repeat([1.0, -1.0], half)
    return _pack(x, y, labels)


def spiral(n: int = 500, noise: float = 0.0, seed: Seed = None) -> Arrays:
    """Two interleaved spiral arms of n/2 points each, +1 and -1.

    Point ``i`` of ``m = n/2`` on an arm: ``r = 5 i / m``, ``t = 1.75 (i / m) 2 pi + delta`` with
    delta = 0 for +1 and pi for -1; ``x = r sin t + U(-1, 1) noise``,
    ``y = r cos t + U(-1, 1) noise``.
    """
    _check("spiral", n, noise, even=True)
    rng = as_rng(seed)
    m = n // 2
    frac = np.tile(np.arange(m) / m, 2)
    delta = np.repeat([0.0, np.pi], m)
    r = 5.0 * frac
    t = 1.75 * frac * 2 * np.pi + delta
    nx, ny = rng.uniform(-1.0, 1.0, (2, n)) * noise
    x, y = r * np.sin(t) + nx, r * np.cos(t) + ny
    labels = np.repeat([1.0, -1.0], m)
    return _pack(x, y, labels)


def reg_plane(n: int = 1200, noise: float = 0.0, seed: Seed = None) -> Arrays:
    """A tilted plane: ``label = ((x + nx) + (y + ny)) / 10`` over ``x, y ~ U(-6, 6)``.

    ``nx, ny ~ U(-6, 6) * noise``; labels lie in [-1.2, 1.2] without noise (about [-1, 1] in the
    shown area).
    """
    _check("reg_plane", n, noise)
    rng = as_rng(seed)
    x, y = rng.uniform(-6.0, 6.0, (2, n))
    nx, ny = rng.uniform(-6.0, 6.0, (2, n)) * noise
    labels = ((x + nx) + (y + ny)) / 10.0
    return _pack(x, y, labels)


def reg_gauss_label(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The reg-gauss target: of the six bumps ``sign * clamp(1 - d / 2, 0, 1)`` (d the distance to a
    centre of :data:`REG_GAUSS_CENTRES`), the one with the largest absolute value (the first
    such bump on ties; 0 far from every centre)."""
    centres = np.asarray(REG_GAUSS_CENTRES)
    dist = np.hypot(x[:, None] - centres[:, 0], y[:, None] - centres[:, 1])
    bumps = centres[:, 2] * np.clip(1.0 - dist / 2.0, 0.0, 1.0)
    best = np.argmax(np.abs(bumps), axis=1)
    return bumps[np.arange(len(x)), best] + 0.0  # + 0.0 turns -0.0 into 0.0


def reg_gauss(n: int = 1200, noise: float = 0.0, seed: Seed = None) -> Arrays:
    """Six bumps of alternating sign on a 3 x 2 grid (see :func:`reg_gauss_label`).

    ``x, y ~ U(-6, 6)``; the label is taken at the noisy position ``(x + nx, y + ny)`` with
    ``nx, ny ~ U(-6, 6) * noise``.
    """
    _check("reg_gauss", n, noise)
    rng = as_rng(seed)
    x, y = rng.uniform(-6.0, 6.0, (2, n))
    nx, ny = rng.uniform(-6.0, 6.0, (2, n)) * noise
    return _pack(x, y, reg_gauss_label(x + nx, y + ny))


#: Name (as in the Playground's URL) -> generator.
DATASETS: dict[str, Callable[..., Arrays]] = {
    "circle": circle,
    "xor": xor,
    "gauss": gauss,
    "spiral": spiral,
    "reg-plane": reg_plane,
    "reg-gauss": reg_gauss,
}
CLASSIFICATION: tuple[str, ...] = ("circle", "xor", "gauss", "spiral")
REGRESSION: tuple[str, ...] = ("reg-plane", "reg-gauss")


def generate(name: str, n: int | None = None, noise: float = 0.0, seed: Seed = None) -> Arrays:
    """Generate the Playground data set ``name`` (``"reg_plane"`` is accepted for ``"reg-plane"``).

    ``n`` defaults to the Playground's 500 (classification) or 1200 (regression).
    """
    key = name.replace("_", "-")
    if key not in DATASETS:
        raise ValueError(f"unknown Playground data set {name!r}; choose one of {list(DATASETS)}")
    if n is None:
        n = 500 if key in CLASSIFICATION else 1200
    return DATASETS[key](n, noise, seed)


def train_test_split(
    points: np.ndarray, labels: np.ndarray, train_ratio: float = 0.5, seed: Seed = None
) -> tuple[Arrays, Arrays]:
    """Shuffle with ``seed`` and split: the first ``floor(n * train_ratio)`` points train.

    ``train_ratio`` is the Playground's "ratio of training to test data" as a fraction (its
    10..90 % slider / 100). Returns ``((train_points, train_labels), (test_points, test_labels))``.
    """
    points, labels = np.asarray(points), np.asarray(labels)
    if points.shape[0] != labels.shape[0]:
        raise ValueError(
            f"train_test_split: points and labels differ in length "
            f"({points.shape[0]} != {labels.shape[0]})"
        )
    if not 0.0 <= train_ratio <= 1.0:
        raise ValueError(f"train_test_split: train_ratio must be in [0, 1], got {train_ratio!r}")
    n = points.shape[0]
    order = as_rng(seed).permutation(n)
    # The small epsilon keeps e.g. 500 * 0.7 = 349.99999999999994 from flooring to 349.
    split = int(np.floor(n * train_ratio + 1e-9))
    train, test = order[:split], order[split:]
    return (points[train], labels[train]), (points[test], labels[test])
