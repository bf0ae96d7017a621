"""``nnlab.optim``: optimizers that update parameters in place (PyTorch's update rules).

``Optimizer`` (base), ``SGD`` (plain, momentum, Nesterov, weight decay), ``Adam``, ``RMSprop``,
``Adagrad``; learning-rate schedules ``StepLR`` and ``ExponentialLR``; and ``gradient_descent``
(plain gradient descent on a function, with its ``GDResult``).
"""

from .adaptive import Adagrad, Adam, RMSprop
from .lr_scheduler import ExponentialLR, LRScheduler, StepLR
from .optimizer import SGD, Optimizer

__all__ = [
    "SGD",
    "Adagrad",
    "Adam",
    "ExponentialLR",
    "LRScheduler",
    "Optimizer",
    "RMSprop",
    "StepLR",
]

try:  # written by another helper; re-exported once the file exists
    from .gradient_descent import GDResult, gradient_descent  # type: ignore[import-not-found,unused-ignore]

    __all__ += ["GDResult", "gradient_descent"]
except ModuleNotFoundError as e:  # pragma: no cover
    if e.name != f"{__name__}.gradient_descent":
        raise
