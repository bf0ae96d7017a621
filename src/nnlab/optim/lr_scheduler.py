"""Learning-rate schedules: call ``scheduler.step()`` once per epoch, after ``optimizer.step()``.

Both follow PyTorch's (chainable) form: each ``step()`` multiplies the current learning rate of
every parameter group by γ when the schedule says so.

    StepLR:         η_e = η₀ · γ^⌊e / step_size⌋
    ExponentialLR:  η_e = η₀ · γ^e
"""

from __future__ import annotations

from .optimizer import Optimizer


class LRScheduler:
    """Base class: remembers each group's initial rate (``base_lrs``) and the epoch count.

    Attributes:
        last_epoch: number of ``step()`` calls so far (0 right after construction).
    """

    def __init__(self, optimizer: Optimizer) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(
                f"{type(self).__name__}: expected an nnlab.optim Optimizer, "
                f"got {type(optimizer).__name__}"
            )
        self.optimizer = optimizer
        for group in optimizer.param_groups:
            group.setdefault("initial_lr", group["lr"])
        self.base_lrs = [float(g["initial_lr"]) for g in optimizer.param_groups]
        self.last_epoch = 0

    def _factor(self) -> float:
        """The multiplier applied to the rates at epoch ``last_epoch`` (>= 1)."""
        raise NotImplementedError

    def step(self) -> None:
        """Advance one epoch and update every group's learning rate."""
        self.last_epoch += 1
        factor = self._factor()
        for group in self.optimizer.param_groups:
            group["lr"] = group["lr"] * factor

    def get_last_lr(self) -> list[float]:
        """The current learning rate of each parameter group."""
        return [float(g["lr"]) for g in self.optimizer.param_groups]


class StepLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` every ``step_size`` epochs."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1) -> None:
        if not isinstance(step_size, int) or isinstance(step_size, bool) or step_size < 1:
            raise ValueError(f"StepLR: step_size must be a positive integer, got {step_size!r}")
        if not gamma > 0:
            raise ValueError(f"StepLR: gamma must be > 0, got {gamma}")
        super().__init__(optimizer)
        self.step_size, self.gamma = step_size, float(gamma)

    def _factor(self) -> float:
        return self.gamma if self.last_epoch % self.step_size == 0 else 1.0


class ExponentialLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` every epoch."""

    def __init__(self, optimizer: Optimizer, gamma: float) -> None:
        if not gamma > 0:
            raise ValueError(f"ExponentialLR: gamma must be > 0, got {gamma}")
        super().__init__(optimizer)
        self.gamma = float(gamma)

    def _factor(self) -> float:
        return self.gamma
