"""``keras.random``: random tensors, Keras 3's functions and arguments, drawn with NumPy.

Every function takes ``seed``, as in Keras 3:

- an int: a fresh generator from that seed, so the same call gives the same values every time;
- a :class:`SeedGenerator`: its own generator, which advances at each draw (the usual choice
  inside a layer: ``self.seed_generator = keras.random.SeedGenerator(1337)`` in ``__init__``);
- None: a generator derived from ``keras.utils.set_random_seed``'s sequence (reproducible after
  ``set_random_seed``, different at each call).

The values are NumPy's draws, not those of Keras's backends (the same seed gives other numbers
than Keras on torch); the distributions are the same. Results are Tensors (float32 unless
``dtype`` says otherwise); ``dropout`` and ``shuffle`` keep the graph of their input, so
gradients flow through them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from nnlab.autograd import Tensor
from nnlab.autograd import dropout as _dropout

from .utils import new_rng

__all__ = [
    "SeedGenerator",
    "beta",
    "binomial",
    "categorical",
    "dropout",
    "gamma",
    "normal",
    "randint",
    "shuffle",
    "truncated_normal",
    "uniform",
]


class SeedGenerator:
    """The random state of a layer or a computation: each draw that takes it advances it.

    As in Keras 3, the state is a variable ``state`` = [seed, counter] (int32); each draw
    reads it (``next()``) and adds 1 to the counter, and the numbers drawn are a function of the
    state read (NumPy's generator seeded with it), so restoring ``state`` repeats the draws.

    Args:
        seed: an int for a reproducible sequence; None draws one from ``set_random_seed``'s
            sequence.
        name: a name (Keras's ``seed_generator_N`` by default).
    """

    def __init__(self, seed: int | None = None, name: str | None = None, **kwargs: Any) -> None:
        from .utils import unique_name
        from .variables import Variable, name_scope

        kwargs.pop("backend", None)
        if kwargs:
            raise TypeError(f"SeedGenerator: unexpected argument(s) {sorted(kwargs)}")
        if seed is not None and (
            isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0
        ):
            raise ValueError(
                f"Argument `seed` must be an integer >= 0 or None. Received: seed={seed!r}"
            )
        self._initial_seed = None if seed is None else int(seed)
        self.name = name or unique_name("seed_generator")
        start = int(new_rng().integers(0, 2**31 - 1)) if seed is None else int(seed)
        with name_scope(self.name):
            self.state = Variable(
                np.array([start % 2**31, 0], dtype=np.int32),
                trainable=False,
                name="seed_generator_state",
            )

    def next(self, ordered: bool = True) -> np.ndarray:
        """The current state [seed, counter] (a copy); the counter then moves on by one."""
        current = self.state.numpy()
        self.state.assign(current + np.array([0, 1], dtype=np.int32))
        return current

    @property
    def rng(self) -> np.random.Generator:
        """A NumPy generator for the next draw (advances the state)."""
        return np.random.default_rng([int(v) for v in self.next()])

    def get_config(self) -> dict[str, Any]:
        return {"seed": self._initial_seed}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> SeedGenerator:
        return cls(**config)

    def __repr__(self) -> str:
        return f"<SeedGenerator name={self.name}, seed={self._initial_seed}>"


def generator(seed: Any) -> np.random.Generator:
    """The NumPy generator a ``seed`` argument stands for (see the module docstring)."""
    if seed is None:
        return new_rng()
    if isinstance(seed, SeedGenerator):
        return seed.rng
    if isinstance(seed, int | np.integer) and not isinstance(seed, bool):
        return np.random.default_rng(int(seed))
    raise ValueError(
        "Argument `seed` must be either an integer or an instance of `SeedGenerator`. "
        f"Received: seed={seed} (of type {type(seed)})"
    )


def _tensor(x: Any) -> Tensor:
    """``x`` as a Tensor; float arrays become float32 (the layers' dtype)."""
    if isinstance(x, Tensor):
        return x
    arr = np.asarray(x)
    return Tensor(arr.astype(np.float32) if arr.dtype == np.float64 else arr)


def _shape(shape: Any) -> tuple[int, ...]:
    if isinstance(shape, int | np.integer):
        return (int(shape),)
    dims = tuple(int(d.item() if isinstance(d, Tensor) else d) for d in shape)
    if any(d < 0 for d in dims):
        raise ValueError(f"keras.random: shape entries must be >= 0, got {tuple(shape)}")
    return dims


def _float_dtype(dtype: Any) -> np.dtype:
    dt = np.dtype(dtype or "float32")
    if dt.kind != "f":
        raise ValueError(f"keras.random: expected a float dtype, got {dt.name}")
    return dt


def normal(
    shape: Sequence[int],
    mean: float = 0.0,
    stddev: float = 1.0,
    dtype: Any = None,
    seed: Any = None,
) -> Tensor:
    """Draws from N(mean, stddev²)."""
    rng = generator(seed)
    values = rng.normal(mean, stddev, _shape(shape))
    return Tensor(values.astype(_float_dtype(dtype)))


def uniform(
    shape: Sequence[int],
    minval: float = 0.0,
    maxval: float = 1.0,
    dtype: Any = None,
    seed: Any = None,
) -> Tensor:
    """Draws from U[minval, maxval)."""
    dt = _float_dtype(dtype)
    rng = generator(seed)
    return Tensor((minval + (maxval - minval) * rng.random(_shape(shape))).astype(dt))


def truncated_normal(
    shape: Sequence[int],
    mean: float = 0.0,
    stddev: float = 1.0,
    dtype: Any = None,
    seed: Any = None,
) -> Tensor:
    """Draws from N(mean, stddev²) cut at two standard deviations: values further than
    2·stddev from the mean are drawn again."""
    dt = _float_dtype(dtype)
    rng = generator(seed)
    z = rng.standard_normal(_shape(shape))
    bad = np.abs(z) > 2
    while bad.any():
        z[bad] = rng.standard_normal(int(bad.sum()))
        bad = np.abs(z) > 2
    return Tensor((mean + stddev * z).astype(dt))


def randint(
    shape: Sequence[int], minval: int, maxval: int, dtype: Any = "int32", seed: Any = None
) -> Tensor:
    """Integers drawn uniformly from [minval, maxval)."""
    rng = generator(seed)
    return Tensor(rng.integers(minval, maxval, _shape(shape)).astype(np.dtype(dtype)))


def categorical(logits: Any, num_samples: int, dtype: Any = "int32", seed: Any = None) -> Tensor:
    """For each row of ``logits`` (batch, classes), ``num_samples`` class indices drawn with
    probabilities softmax(row): the Gumbel-max trick, argmax(logits + G), G ~ Gumbel(0, 1)."""
    z = np.asarray(logits.data if isinstance(logits, Tensor) else logits, dtype=np.float64)
    if z.ndim != 2:
        raise ValueError(
            f"`logits` should be a 2-D tensor with shape [batch_size, num_classes]. Received: "
            f"logits.shape={z.shape}"
        )
    rng = generator(seed)
    gumbel = rng.gumbel(size=(z.shape[0], int(num_samples), z.shape[1]))
    samples = np.argmax(z[:, None, :] + gumbel, axis=-1)
    return Tensor(samples.astype(np.dtype(dtype)))


def dropout(inputs: Any, rate: float, noise_shape: Any = None, seed: Any = None) -> Tensor:
    """Inverted dropout: each element is zeroed with probability ``rate`` and the others are
    scaled by 1 / (1 - rate); ``noise_shape`` (broadcast against the input) shares one draw
    along the axes where it has 1. Gradients flow to the kept elements."""
    if not 0 <= rate <= 1:
        raise ValueError(
            f"Invalid value received for argument `rate`. Expected a float value "
            f"between 0 and 1. Received: rate={rate}"
        )
    x = _tensor(inputs)
    if x.dtype.kind != "f":
        x = Tensor(x.data.astype(np.float32))
    rng = generator(seed)
    if rate == 1:
        return x * Tensor(np.zeros((), x.dtype))
    if noise_shape is None:
        return _dropout(x, float(rate), rng)
    shape = tuple(x.shape[i] if d is None else int(d) for i, d in enumerate(noise_shape))
    keep = rng.random(shape) >= rate
    return x * Tensor((keep / (1 - rate)).astype(x.dtype))


def shuffle(x: Any, axis: int = 0, seed: Any = None) -> Tensor:
    """``x`` with its entries along ``axis`` in a random order."""
    t = _tensor(x)
    if t.ndim == 0:
        raise ValueError("shuffle: cannot shuffle a scalar")
    axis = axis % t.ndim
    perm = generator(seed).permutation(t.shape[axis])
    return t[(slice(None),) * axis + (perm,)]


def gamma(shape: Sequence[int], alpha: float, dtype: Any = None, seed: Any = None) -> Tensor:
    """Draws from the Gamma distribution of shape ``alpha`` and scale 1."""
    rng = generator(seed)
    return Tensor(rng.gamma(alpha, 1.0, _shape(shape)).astype(_float_dtype(dtype)))


def binomial(
    shape: Sequence[int], counts: Any, probabilities: Any, dtype: Any = None, seed: Any = None
) -> Tensor:
    """Draws from Binomial(counts, probabilities) (broadcast to ``shape``), as floats."""
    rng = generator(seed)
    values = rng.binomial(np.asarray(counts), np.asarray(probabilities), _shape(shape))
    return Tensor(values.astype(_float_dtype(dtype)))


def beta(
    shape: Sequence[int], alpha: Any, beta: Any, dtype: Any = None, seed: Any = None
) -> Tensor:
    """Draws from Beta(alpha, beta) (broadcast to ``shape``)."""
    rng = generator(seed)
    values = rng.beta(np.asarray(alpha), np.asarray(beta), _shape(shape))
    return Tensor(values.astype(_float_dtype(dtype)))
