"""``keras.ops``: the NumPy-like functions custom layers, losses and metrics use, on nnlab Tensors.

Each function takes Tensors, NumPy arrays or Python numbers and returns a Tensor that records the
graph (so gradients flow through a custom layer's ``call`` or a custom loss); names, arguments
and defaults are Keras 3's (``ops.mean(x, axis=None, keepdims=False)``, ...). Called with a
symbolic ``KerasTensor`` (inside a functional model's definition), a function records itself as
an :class:`Operation` of the graph instead and returns KerasTensors, as in Keras 3
(:mod:`.operation`).

Modules: :mod:`.elementwise` (arithmetic, math, comparisons), :mod:`.reductions`,
:mod:`.shapes`, :mod:`.nn` (activations, softmax, one-hot, cross-entropies), :mod:`.core`
(conversion, dtypes, creation). Functions without a gradient (comparisons, ``argmax``, rounding)
return Tensors that do not record a graph.
"""

from __future__ import annotations

from typing import Any

from . import core, elementwise, nn, reductions, shapes
from .core import *  # noqa: F403
from .elementwise import *  # noqa: F403
from .nn import *  # noqa: F403
from .operation import OPERATIONS as OPERATIONS
from .operation import Operation as Operation
from .reductions import *  # noqa: F403
from .shapes import *  # noqa: F403

__all__ = sorted(
    {
        *core.__all__,
        *elementwise.__all__,
        *nn.__all__,
        *reductions.__all__,
        *shapes.__all__,
        "OPERATIONS",
        "Operation",
    }
)


def _symbolic(fn: Any) -> Any:
    """Make ``fn`` (a function of ``keras.random``) an op that KerasTensors record."""
    from .operation import keras_op

    name = "Random" + "".join(part.title() for part in fn.__name__.split("_"))
    return keras_op(name, module="random")(fn)
