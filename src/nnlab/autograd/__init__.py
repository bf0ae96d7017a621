"""nnlab's reverse-mode automatic differentiation engine over NumPy.

``Tensor`` records the graph of the ops applied to it; ``backward()`` applies the chain rule
from the output back to the leaves. Every op is one :class:`Function` subclass (forward and
backward side by side) with a lowercase wrapper.
"""

# isort: off
from .tensor import Tensor, increment_version, sum_to_shape, tensor  # first: the rest build on it

# isort: on
from .activations import (
    elu,
    gelu,
    hard_sigmoid,
    hardswish,
    leaky_relu,
    mish,
    relu6,
    selu,
    silu,
    softplus,
    softsign,
    swish,
)
from .conv_ops import conv1d, conv2d
from .conv_transpose_ops import conv_transpose1d, conv_transpose2d
from .function import Function
from .grad_mode import enable_grad, is_grad_enabled, no_grad
from .gradcheck import gradcheck
from .graph import draw, graph_of, to_dot
from .nn_ops import (
    binary_cross_entropy,
    dense,
    dropout,
    linear,
    log_softmax,
    logsumexp,
    sigmoid_binary_cross_entropy,
    softmax,
    softmax_cross_entropy,
)
from .norm_ops import batch_norm, layer_norm
from .ops import add, div, matmul, mul, neg, pow, sub
from .parallel import get_num_threads, set_num_threads
from .pool_ops import (
    avg_pool2d,
    dropout2d,
    global_avg_pool2d,
    global_max_pool2d,
    max_pool2d,
)
from .reduce_ops import max, mean, min, sum
from .shape_ops import concatenate, getitem, pad, reshape, stack, transpose, where
from .unary_ops import abs, clip, exp, log, relu, sigmoid, sign, sqrt, tanh

__all__ = [
    "Function",
    "Tensor",
    "abs",
    "add",
    "avg_pool2d",
    "batch_norm",
    "binary_cross_entropy",
    "clip",
    "concatenate",
    "conv1d",
    "conv2d",
    "conv_transpose1d",
    "conv_transpose2d",
    "dense",
    "div",
    "draw",
    "dropout",
    "elu",
    "dropout2d",
    "enable_grad",
    "exp",
    "gelu",
    "getitem",
    "global_avg_pool2d",
    "global_max_pool2d",
    "gradcheck",
    "graph_of",
    "hard_sigmoid",
    "hardswish",
    "increment_version",
    "is_grad_enabled",
    "leaky_relu",
    "layer_norm",
    "linear",
    "log",
    "log_softmax",
    "logsumexp",
    "matmul",
    "max",
    "max_pool2d",
    "mean",
    "min",
    "mish",
    "mul",
    "neg",
    "no_grad",
    "get_num_threads",
    "set_num_threads",
    "pad",
    "pow",
    "relu",
    "relu6",
    "reshape",
    "selu",
    "sigmoid",
    "sigmoid_binary_cross_entropy",
    "sign",
    "silu",
    "softmax",
    "softmax_cross_entropy",
    "softplus",
    "softsign",
    "sqrt",
    "stack",
    "sub",
    "sum",
    "sum_to_shape",
    "swish",
    "tanh",
    "tensor",
    "to_dot",
    "transpose",
    "where",
]
