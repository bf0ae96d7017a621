"""Layers: ``Linear``, the activations, ``Dropout``, ``Dropout2d``, ``Identity``, ``Flatten``,
the ``Sequential`` container."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from ..autograd import Tensor
from ..autograd import dropout as _dropout
from ..autograd import dropout2d as _dropout2d
from ..autograd import linear as _linear
from ..autograd import relu as _relu
from ..autograd import sigmoid as _sigmoid
from ..autograd import softmax as _softmax
from ..autograd import tanh as _tanh
from .module import Module, Parameter

RngLike = np.random.Generator | int | None


def as_generator(rng: RngLike) -> np.random.Generator:
    """A NumPy Generator from a Generator (used as is), an int seed, or None (fresh entropy)."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or (isinstance(rng, int | np.integer) and not isinstance(rng, bool)):
        return np.random.default_rng(rng)
    raise TypeError(f"rng must be a numpy Generator, an int seed or None, got {type(rng).__name__}")


class Linear(Module):
    """Fully connected layer: y = x Wᵀ + b.

    Shapes: x (..., in_features) -> y (..., out_features); ``weight`` (out_features, in_features),
    ``bias`` (out_features,) (PyTorch's layout). Both are initialised as PyTorch does,
    U(-1/√in_features, 1/√in_features); use :mod:`nnlab.nn.init` to re-initialise.
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        *,
        rng: RngLike = None,
        dtype: Any = np.float32,
    ) -> None:
        super().__init__()
        for name, n in (("in_features", in_features), ("out_features", out_features)):
            if not isinstance(n, int | np.integer) or isinstance(n, bool) or n < 1:
                raise ValueError(f"Linear: {name} must be a positive integer, got {n!r}")
        dt = np.dtype(dtype)
        if dt not in (np.float32, np.float64):
            raise TypeError(f"Linear: dtype must be float32 or float64, got {dt}")
        gen = as_generator(rng)
        bound = 1.0 / np.sqrt(in_features)
        self.in_features, self.out_features = int(in_features), int(out_features)
        self.weight = Parameter(gen.uniform(-bound, bound, (out_features, in_features)).astype(dt))
        self.bias: Parameter | None = (
            Parameter(gen.uniform(-bound, bound, (out_features,)).astype(dt)) if bias else None
        )

    def forward(self, x: Any) -> Tensor:
        return _linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )


class ReLU(Module):
    """relu(x) = max(x, 0), elementwise."""

    def forward(self, x: Any) -> Tensor:
        return _relu(x)


class Sigmoid(Module):
    """σ(x) = 1 / (1 + e^{-x}), elementwise (computed without overflow)."""

    def forward(self, x: Any) -> Tensor:
        return _sigmoid(x)


class Tanh(Module):
    """tanh(x), elementwise."""

    def forward(self, x: Any) -> Tensor:
        return _tanh(x)


class Softmax(Module):
    """softmax(x)ᵢ = e^{xᵢ} / Σⱼ e^{xⱼ} along ``axis`` (default: the last, the classes)."""

    def __init__(self, axis: int = -1) -> None:
        super().__init__()
        self.axis = axis

    def forward(self, x: Any) -> Tensor:
        return _softmax(x, self.axis)

    def extra_repr(self) -> str:
        return f"axis={self.axis}"


class Identity(Module):
    """y = x (a placeholder layer)."""

    def forward(self, x: Any) -> Any:
        return x


class Dropout(Module):
    """Inverted dropout: in training, zero each element with probability ``p`` and scale the
    survivors by 1/(1 - p) so the expected activation is unchanged; the identity in eval mode.

    Args:
        p: drop probability in [0, 1) (Keras's ``rate``; the course's keep_prob is 1 - p).
        rng: a NumPy Generator or int seed for the masks (reproducible runs).
    """

    def __init__(self, p: float = 0.5, *, rng: RngLike = None) -> None:
        super().__init__()
        if not 0 <= p < 1:
            raise ValueError(f"Dropout: p (the drop probability) must be in [0, 1), got {p}")
        self.p = float(p)
        self.rng = as_generator(rng)

    def forward(self, x: Any) -> Tensor:
        return _dropout(x, self.p, self.rng, training=self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}"


class Sequential(Module):
    """Modules applied in order: ``Sequential(a, b, c)(x) = c(b(a(x)))``.

    Parameters are named by position, as PyTorch does: ``"0.weight"``, ``"2.bias"``.
    """

    def __init__(self, *modules: Module) -> None:
        super().__init__()
        self.layers: list[Module] = []
        for m in modules:
            self.append(m)

    def append(self, module: Module) -> Sequential:
        """Add ``module`` at the end."""
        if not isinstance(module, Module):
            raise TypeError(
                f"Sequential: expected a Module, got {type(module).__name__} "
                f"(at position {len(self.layers)})"
            )
        self.layers.append(module)
        return self

    def _members(self) -> Iterator[tuple[str, Any]]:
        for i, m in enumerate(self.layers):
            yield str(i), m

    def forward(self, x: Any) -> Any:
        for layer in self.layers:
            x = layer(x)
        return x

    def __getitem__(self, index: int) -> Module:
        return self.layers[index]

    def __len__(self) -> int:
        return len(self.layers)

    def __iter__(self) -> Iterator[Module]:
        return iter(self.layers)


class Flatten(Module):
    """Merge the axes ``start_dim`` .. ``end_dim`` into one: (N, C, H, W) -> (N, C·H·W) with the
    defaults (C order, as PyTorch: the flattened index is (c H + h) W + w)."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x: Any) -> Tensor:
        x = x if isinstance(x, Tensor) else Tensor(np.asarray(x))
        start, end = self.start_dim % max(x.ndim, 1), self.end_dim % max(x.ndim, 1)
        if x.ndim == 0 or start > end:
            raise ValueError(
                f"Flatten: cannot flatten axes {self.start_dim}..{self.end_dim} of shape {x.shape}"
            )
        return x.reshape(*x.shape[:start], -1, *x.shape[end + 1 :])

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Dropout2d(Module):
    """Channel dropout for (N, C, H, W) inputs: in training, zero each whole channel with
    probability ``p`` and scale the rest by 1/(1 - p); the identity in eval mode."""

    def __init__(self, p: float = 0.5, *, rng: RngLike = None) -> None:
        super().__init__()
        if not 0 <= p < 1:
            raise ValueError(f"Dropout2d: p (the drop probability) must be in [0, 1), got {p}")
        self.p = float(p)
        self.rng = as_generator(rng)

    def forward(self, x: Any) -> Tensor:
        return _dropout2d(x, self.p, self.rng, training=self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}"
