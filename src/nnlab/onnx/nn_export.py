"""ONNX export of ``nnlab.nn`` modules (PyTorch's layout: channels first, as ONNX's).

Each supported module becomes the ONNX operator computing the same function in evaluation mode:

=====================================  ================================================
nnlab.nn                               ONNX
=====================================  ================================================
Linear (y = x Wᵀ + b)                  Gemm (transB=1) on 2-D inputs, else MatMul + Add
ReLU, Sigmoid, Tanh, Softmax(axis)     Relu, Sigmoid, Tanh, Softmax(axis)
Identity, Dropout, Dropout2d           Identity (dropout is the identity in evaluation)
Flatten(start_dim, end_dim)            Flatten (axis=1) or Reshape
Conv1d, Conv2d                         Conv (pads, strides, dilations, group)
ConvTranspose1d, ConvTranspose2d       ConvTranspose (pads, output_padding, ..., group)
MaxPool2d, AvgPool2d                   MaxPool, AveragePool (count_include_pad)
AdaptiveAvgPool2d                      GlobalAveragePool, or AveragePool
BatchNorm1d, BatchNorm2d               BatchNormalization (running statistics)
LayerNorm                              LayerNormalization (axis = -len(normalized_shape))
Sequential                             its modules in order
=====================================  ================================================

The module is run once on ``example_input`` (in evaluation mode, without a graph) to learn each
module's input shape; the batch dimension of the exported model is dynamic.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from nnlab.autograd import Tensor, no_grad
from nnlab.nn import (
    AdaptiveAvgPool2d,
    AvgPool2d,
    BatchNorm1d,
    BatchNorm2d,
    Conv1d,
    Conv2d,
    ConvTranspose1d,
    ConvTranspose2d,
    Dropout,
    Dropout2d,
    Flatten,
    Identity,
    LayerNorm,
    Linear,
    MaxPool2d,
    Module,
    ReLU,
    Sequential,
    Sigmoid,
    Softmax,
    Tanh,
)

from .graph import Graph

__all__ = ["export"]

Emit = Callable[[Graph, Any, str, str, tuple[int, ...]], str]


def _pair(value: Any) -> tuple[int, int]:
    if isinstance(value, int | np.integer):
        return (int(value), int(value))
    return (int(value[0]), int(value[1]))


def _linear(g: Graph, m: Linear, x: str, name: str, shape: tuple[int, ...]) -> str:
    bias = [g.constant(f"{name}.bias", m.bias.data)] if m.bias is not None else []
    if len(shape) == 2:
        return g.node(
            "Gemm", [x, g.constant(f"{name}.weight", m.weight.data), *bias], name, transB=1
        )
    out = g.node("MatMul", [x, g.constant(f"{name}.weight_t", m.weight.data.T)], name)
    return g.node("Add", [out, *bias], f"{name}.add") if bias else out


def _op(op: str) -> Emit:
    return lambda g, m, x, name, shape: g.node(op, [x], name)


def _softmax(g: Graph, m: Softmax, x: str, name: str, shape: tuple[int, ...]) -> str:
    return g.node("Softmax", [x], name, axis=int(m.axis))


def _flatten(g: Graph, m: Flatten, x: str, name: str, shape: tuple[int, ...]) -> str:
    start, end = m.start_dim % len(shape), m.end_dim % len(shape)
    if start == 0:
        raise ValueError(
            f"export: {name}: Flatten over the batch axis (start_dim=0) is not exported"
        )
    if start == 1 and end == len(shape) - 1:
        return g.node("Flatten", [x], name, axis=1)
    target = [0, *shape[1:start], -1, *shape[end + 1 :]]  # 0: keep the batch dimension
    return g.node("Reshape", [x, g.constant(f"{name}.shape", target, np.int64)], name)


def _conv(g: Graph, m: Conv1d | Conv2d, x: str, name: str, shape: tuple[int, ...]) -> str:
    k, d = m.kernel_size, m.dilation
    if m.padding == "same":  # PyTorch: the extra pixel (odd total) goes after
        total = [di * (ki - 1) for ki, di in zip(k, d, strict=True)]
        begin = [t // 2 for t in total]
        pads = begin + [t - b for t, b in zip(total, begin, strict=True)]
    elif m.padding == "valid":
        pads = [0] * (2 * m.nd)
    else:
        pads = list(m.padding) * 2
    inputs = [x, g.constant(f"{name}.weight", m.weight.data)]
    if m.bias is not None:
        inputs.append(g.constant(f"{name}.bias", m.bias.data))
    return g.node(
        "Conv",
        inputs,
        name,
        kernel_shape=list(k),
        strides=list(m.stride),
        dilations=list(d),
        pads=pads,
        group=int(m.groups),
    )


def _conv_transpose(
    g: Graph, m: ConvTranspose1d | ConvTranspose2d, x: str, name: str, shape: tuple[int, ...]
) -> str:
    inputs = [x, g.constant(f"{name}.weight", m.weight.data)]
    if m.bias is not None:
        inputs.append(g.constant(f"{name}.bias", m.bias.data))
    return g.node(
        "ConvTranspose",
        inputs,
        name,
        kernel_shape=list(m.kernel_size),
        strides=list(m.stride),
        dilations=list(m.dilation),
        pads=list(m.padding) * 2,
        output_padding=list(m.output_padding),
        group=int(m.groups),
    )


def _pool(op: str) -> Emit:
    def emit(g: Graph, m: Any, x: str, name: str, shape: tuple[int, ...]) -> str:
        attributes: dict[str, Any] = {
            "kernel_shape": list(_pair(m.kernel_size)),
            "strides": list(_pair(m.stride)),
            "pads": list(_pair(m.padding)) * 2,
        }
        if op == "AveragePool":
            attributes["count_include_pad"] = int(m.count_include_pad)
        return g.node(op, [x], name, **attributes)

    return emit


def _adaptive(g: Graph, m: AdaptiveAvgPool2d, x: str, name: str, shape: tuple[int, ...]) -> str:
    if m.output_size == (1, 1):
        return g.node("GlobalAveragePool", [x], name)
    window = [shape[2] // m.output_size[0], shape[3] // m.output_size[1]]
    return g.node("AveragePool", [x], name, kernel_shape=window, strides=window)


def _batch_norm(g: Graph, m: Any, x: str, name: str, shape: tuple[int, ...]) -> str:
    if m.running_mean is None:
        raise ValueError(
            f"export: {name}: BatchNorm with track_running_stats=False normalizes with the "
            "batch's statistics even in evaluation; it is not exported"
        )
    c = m.num_features
    scale = m.weight.data if m.weight is not None else np.ones(c, np.float32)
    bias = m.bias.data if m.bias is not None else np.zeros(c, np.float32)
    inputs = [
        x,
        g.constant(f"{name}.weight", scale),
        g.constant(f"{name}.bias", bias),
        g.constant(f"{name}.running_mean", m.running_mean),
        g.constant(f"{name}.running_var", m.running_var),
    ]
    return g.node("BatchNormalization", inputs, name, epsilon=float(m.eps))


def _layer_norm(g: Graph, m: LayerNorm, x: str, name: str, shape: tuple[int, ...]) -> str:
    normalized = m.normalized_shape
    scale = m.weight.data if m.weight is not None else np.ones(normalized, np.float32)
    inputs = [x, g.constant(f"{name}.weight", scale)]
    if m.bias is not None:
        inputs.append(g.constant(f"{name}.bias", m.bias.data))
    return g.node("LayerNormalization", inputs, name, axis=-len(normalized), epsilon=float(m.eps))


#: Module class -> emitter(graph, module, input name, node name, input shape) -> output name.
EMITTERS: dict[type, Emit] = {
    Linear: _linear,
    ReLU: _op("Relu"),
    Sigmoid: _op("Sigmoid"),
    Tanh: _op("Tanh"),
    Softmax: _softmax,
    Identity: _op("Identity"),
    Dropout: _op("Identity"),
    Dropout2d: _op("Identity"),
    Flatten: _flatten,
    Conv1d: _conv,
    Conv2d: _conv,
    ConvTranspose1d: _conv_transpose,
    ConvTranspose2d: _conv_transpose,
    MaxPool2d: _pool("MaxPool"),
    AvgPool2d: _pool("AveragePool"),
    AdaptiveAvgPool2d: _adaptive,
    BatchNorm1d: _batch_norm,
    BatchNorm2d: _batch_norm,
    LayerNorm: _layer_norm,
}


def _leaves(module: Module, prefix: str) -> Iterator[tuple[str, Module]]:
    """(name, module) of each layer in order, Sequentials unrolled ('0', '1.2', ...)."""
    if isinstance(module, Sequential):
        for i, child in enumerate(module):
            yield from _leaves(child, f"{prefix}.{i}" if prefix else str(i))
        return
    if type(module) not in EMITTERS:
        supported = sorted(cls.__name__ for cls in EMITTERS) + ["Sequential"]
        raise ValueError(
            f"export: module {prefix or 'the model'} ({type(module).__name__}) is not supported; "
            f"supported: {supported}"
        )
    yield prefix or type(module).__name__.lower(), module


def export(module: Module, example_input: Any, path: str | os.PathLike[str]) -> Any:
    """Write ``module`` (evaluated on inputs shaped like ``example_input``, batch first) as an
    ONNX model at ``path``; returns the checked ``onnx.ModelProto``. The graph's input is named
    ``input``, its output ``output``, its nodes after the modules ('0', '1.2', ...)."""
    if not isinstance(module, Module):
        raise TypeError(f"export: expected an nnlab.nn Module, got {type(module).__name__}")
    x = example_input.data if isinstance(example_input, Tensor) else np.asarray(example_input)
    if x.ndim < 2 or x.dtype.kind != "f":
        raise ValueError(
            f"export: example_input must be a float array (batch, ...), got shape {x.shape} of "
            f"{x.dtype}"
        )
    x = x.astype(np.float32)
    leaves = list(_leaves(module, ""))
    modes = [(m, m.training) for m in module.modules()]
    g = Graph(type(module).__name__)
    current = g.unique("input")
    in_shape = x.shape
    try:
        module.eval()
        with no_grad():
            h = Tensor(x)
            for name, layer in leaves:
                current = EMITTERS[type(layer)](g, layer, current, name, h.shape)
                h = layer(h)
    finally:
        for m, mode in modes:
            m.training = mode
    return g.save(path, [("input", (None, *in_shape[1:]))], [(current, "output")])
