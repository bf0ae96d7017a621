"""Pooling layers (PyTorch's layout: channels first): ``MaxPool2d``, ``AvgPool2d``,
``AdaptiveAvgPool2d``."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import Tensor, avg_pool2d, global_avg_pool2d, max_pool2d
from .module import Module


class MaxPool2d(Module):
    """y = the maximum of each ``kernel_size`` window, x (N, C, H, W) -> (N, C, OH, OW) with
    OH = (H + 2 p - k) // s + 1; ``stride`` defaults to ``kernel_size``, ``padding`` (at most
    half the kernel) adds -inf borders."""

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0) -> None:
        super().__init__()
        self.kernel_size, self.padding = kernel_size, padding
        self.stride = kernel_size if stride is None else stride

    def forward(self, x: Any) -> Tensor:
        return max_pool2d(x, self.kernel_size, self.stride, self.padding)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool2d(Module):
    """y = the mean of each ``kernel_size`` window (shapes as :class:`MaxPool2d`); zero padding
    counts in the mean when ``count_include_pad`` (PyTorch's default)."""

    def __init__(
        self, kernel_size: Any, stride: Any = None, padding: Any = 0, count_include_pad: bool = True
    ) -> None:
        super().__init__()
        self.kernel_size, self.padding = kernel_size, padding
        self.stride = kernel_size if stride is None else stride
        self.count_include_pad = count_include_pad

    def forward(self, x: Any) -> Tensor:
        return avg_pool2d(x, self.kernel_size, self.stride, self.padding, self.count_include_pad)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool2d(Module):
    """The mean over windows chosen to give an (oh, ow) output: (N, C, H, W) -> (N, C, oh, ow).

    ``output_size`` 1 or (1, 1) is global average pooling (the usual head of a convnet); other
    sizes are supported when they divide H and W (windows of H/oh × W/ow), the case where
    PyTorch's windows are all equal.
    """

    def __init__(self, output_size: int | tuple[int, int]) -> None:
        super().__init__()
        size = (output_size, output_size) if isinstance(output_size, int) else tuple(output_size)
        if len(size) != 2 or not all(isinstance(v, int) and v >= 1 for v in size):
            raise ValueError(
                f"AdaptiveAvgPool2d: output_size must be an int >= 1 or a pair, got {output_size!r}"
            )
        self.output_size = (int(size[0]), int(size[1]))

    def forward(self, x: Any) -> Tensor:
        x = x if isinstance(x, Tensor) else Tensor(np.asarray(x))
        if self.output_size == (1, 1):
            return global_avg_pool2d(x, keepdims=True)
        (oh, ow), shape = self.output_size, x.shape
        if len(shape) != 4 or shape[2] % oh or shape[3] % ow:
            raise ValueError(
                f"AdaptiveAvgPool2d: output_size {self.output_size} must divide the spatial size "
                f"of a 4-D (N, C, H, W) input, got shape {shape}"
            )
        return avg_pool2d(x, (shape[2] // oh, shape[3] // ow))

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"
