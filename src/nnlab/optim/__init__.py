"""``nnlab.optim``: optimizers that update parameters in place (PyTorch's update rules).

``Optimizer`` (base, on ``base.OptimizerBase``: the state per parameter and the scratch
buffers, shared with ``nnlab.keras.optimizers``), ``SGD`` (plain, momentum, Nesterov, weight
decay), ``Adam``, ``RMSprop``, ``Adagrad``; learning-rate schedules ``StepLR`` and
``ExponentialLR``; and ``gradient_descent`` (plain gradient descent on a function, with its
``GDResult``).
"""

from .adaptive import Adagrad, Adam, RMSprop
from .gradient_descent import GDResult, gradient_descent
from .lr_scheduler import ExponentialLR, LRScheduler, StepLR
from .optimizer import SGD, Optimizer

__all__ = [
    "SGD",
    "Adagrad",
    "Adam",
    "ExponentialLR",
    "GDResult",
    "LRScheduler",
    "Optimizer",
    "RMSprop",
    "StepLR",
    "gradient_descent",
]
