"""Core layers: ``Dense``, ``Activation``, ``Identity``, ``Lambda`` (and ``Embedding``).

``Dense(units)`` computes y = activation(x K + b) on the last axis of x, with the Keras kernel K
of shape (input_dim, units) and bias b of shape (units,), as one fused graph node
(:func:`nnlab.autograd.dense`; ReLU is fused into it too). ``get_weights``/``set_weights`` use
that layout.

When a layer's last step is a softmax or a sigmoid, it remembers the pre-activation values z
(``logits_of(output)``): the cross-entropy losses then use the engine's fused, stable
``softmax_cross_entropy`` / ``sigmoid_binary_cross_entropy`` on z instead of log(softmax(z)), and
accuracy reads the class from z. (Keras's TensorFlow backend does the same with ``_keras_logits``.)
"""

from __future__ import annotations

import codecs
import importlib
import inspect
import marshal
import types
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

from nnlab.autograd import Tensor, dense

from .. import activations
from ..utils import set_keras_mask
from .base import _CONTEXT, Layer
from .input_spec import InputSpec, assert_input_compatibility

__all__ = ["Activation", "Dense", "Embedding", "Identity", "Lambda", "logits_of", "remember_logits"]

_LOGITS: dict[int, tuple[weakref.ref[Tensor], Tensor | None, str]] = {}


def remember_logits(output: Tensor, logits: Tensor, activation: str) -> None:
    """Record that ``output = activation(logits)`` (for the fused losses). ``logits`` may be
    ``output`` itself: the training step's deferred activation (see ``Dense.call``)."""
    key = id(output)

    def forget(_ref: weakref.ref[Tensor], k: int = key) -> None:
        _LOGITS.pop(k, None)

    # never a strong reference to the output itself: the entry goes when the output does
    _LOGITS[key] = (weakref.ref(output, forget), None if logits is output else logits, activation)


def logits_of(output: Any) -> tuple[Tensor, str] | None:
    """``(z, 'softmax' | 'sigmoid')`` if ``output`` was computed as that activation of z (or is
    z, its activation deferred to the loss)."""
    entry = _LOGITS.get(id(output))
    if entry is None:
        return None
    ref, stored, activation = entry
    target = ref()
    if target is None or target is not output:
        return None
    return (target if stored is None else stored), activation  # None: its own logits


def resolve_activation(spec: Any, where: str = "") -> tuple[str, Callable[[Tensor], Tensor]]:
    """(Keras name, function) of an activation given by name, None, serialized dict or callable
    (``activations.get``'s identifiers; its ValueError otherwise). The name is Keras's
    (``'swish'`` is ``'silu'``); a custom function keeps its ``__name__``."""
    fn = activations.get(spec)
    try:
        name = activations.serialize(fn)
    except ValueError:
        name = getattr(fn, "__name__", type(fn).__name__)
    return str(name), fn


def apply_activation(name: str, fn: Callable[[Tensor], Tensor], z: Tensor) -> Tensor:
    """fn(z), remembering z for the fused losses when fn is softmax or sigmoid."""
    if name == "linear":
        return z
    if name == "softmax":  # the engine's op directly (the same function, less dispatch)
        out = z.softmax(axis=-1)
    elif name == "sigmoid":
        out = z.sigmoid()
    else:
        return fn(z)
    remember_logits(out, z, name)
    return out


class Dense(Layer):
    """y = activation(x K + b); kernel K: (input_dim, units), bias b: (units,).

    Args (Keras 3's): units, activation, use_bias, kernel_initializer ('glorot_uniform'),
    bias_initializer ('zeros'), kernel_regularizer, bias_regularizer, activity_regularizer,
    kernel_constraint, bias_constraint; plus the base-layer arguments (name, input_shape, ...).
    """

    def __init__(
        self,
        units: int,
        activation: Any = None,
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        kernel_constraint: Any = None,
        bias_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        if isinstance(units, bool) or not isinstance(units, int | np.integer) or units < 1:
            raise ValueError(
                "Received an invalid value for `units`, expected a positive integer. "
                f"Received: units={units}"
            )
        kwargs.pop("lora_rank", None)
        kwargs.pop("lora_alpha", None)
        kwargs.pop("quantization_config", None)
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.units = int(units)
        self.activation_name, self.activation = resolve_activation(activation, "Dense")
        self.use_bias = bool(use_bias)
        self.kernel_initializer = _initializer(kernel_initializer, "Dense")
        self.bias_initializer = _initializer(bias_initializer, "Dense")
        self.kernel_regularizer = _reg(kernel_regularizer, "Dense.kernel_regularizer")
        self.bias_regularizer = _reg(bias_regularizer, "Dense.bias_regularizer")
        self.kernel_constraint = _constraint(kernel_constraint, "kernel_constraint")
        self.bias_constraint = _constraint(bias_constraint, "bias_constraint")
        self.kernel: Tensor | None = None
        self.bias: Tensor | None = None
        self.input_spec = InputSpec(min_ndim=2)
        self.supports_masking = True

    @property
    def input_dim(self) -> int | None:
        """The width of the input (None before the layer is built)."""
        return None if self.kernel is None else self.kernel.shape[0]

    def build(self, input_shape: Any) -> None:
        in_dim = input_shape[-1]
        if in_dim is None:
            raise ValueError(f"Dense {self.name!r}: the last axis of the input must be known")
        self.kernel = self.add_weight(
            (in_dim, self.units),
            self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
            name="kernel",
        )
        if self.use_bias:
            self.bias = self.add_weight(
                (self.units,),
                self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
                name="bias",
            )
        self.input_spec = InputSpec(min_ndim=2, axes={-1: in_dim})
        self.built = True

    def call(self, inputs: Tensor, training: bool | None = None) -> Tensor:
        x = inputs
        kernel = self.kernel
        assert kernel is not None
        if x.shape[-1] != kernel.shape[0]:  # ``layer.call(x)`` directly skips the InputSpec
            assert_input_compatibility(self.input_spec, x, self.name)
        lead = x.shape[:-1]
        if x.ndim != 2:
            x = x.reshape(-1, kernel.shape[0])
        act = self.activation
        fused = "relu" if act is activations.relu else "tanh" if act is activations.tanh else None
        if fused is not None:  # the activation runs inside the engine's dense node
            z = dense(x, kernel, self.bias, activation=fused)
            return z if len(lead) == 1 else z.reshape(*lead, self.units)
        z = dense(x, kernel, self.bias)
        if len(lead) != 1:
            z = z.reshape(*lead, self.units)
        if _CONTEXT.deferred_activation is self:  # the training step's loss applies it, fused
            remember_logits(z, z, self.activation_name)
            return z
        return apply_activation(self.activation_name, self.activation, z)

    def compute_output_shape(self, input_shape: Any) -> tuple[Any, ...]:
        return (*tuple(input_shape)[:-1], self.units)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "units": self.units,
            "activation": self.activation_name,
            "use_bias": self.use_bias,
            "kernel_initializer": _serialize(self.kernel_initializer),
            "bias_initializer": _serialize(self.bias_initializer),
            "kernel_regularizer": _serialize(self.kernel_regularizer),
            "bias_regularizer": _serialize(self.bias_regularizer),
            "kernel_constraint": _serialize(self.kernel_constraint),
            "bias_constraint": _serialize(self.bias_constraint),
        }


def _initializer(spec: Any, where: str) -> Any:
    from .. import initializers

    return initializers.get(spec, where)


def _constraint(spec: Any, key: str) -> Any:  # kvar: keras.constraints
    """A weight constraint (``keras.constraints.get``: a name such as 'non_neg', a config, a
    Constraint or a callable w -> projected w), applied after each optimizer update."""
    from .. import constraints

    try:
        return constraints.get(spec)
    except ValueError as err:
        raise ValueError(f"{key}: {err}") from None


def _reg(spec: Any, where: str) -> Any:
    from .. import regularizers

    if spec is None or (callable(spec) and not isinstance(spec, str | dict)):
        return spec
    if isinstance(spec, dict) and "config" in spec:  # Keras's serialized form
        spec = spec["config"]
    return regularizers.get(spec, where)


def _serialize(obj: Any) -> Any:
    """A JSON-compatible description: a name, or {'class_name', 'config'} for an object."""
    if obj is None or isinstance(obj, str | int | float | bool):
        return obj
    config = getattr(obj, "get_config", None)
    if config is None:  # a function: its registered "package>name" if it has one (kvar)
        from ..saving.object_registration import GLOBAL_CUSTOM_NAMES

        return GLOBAL_CUSTOM_NAMES.get(obj) or getattr(obj, "__name__", repr(obj))
    module = type(obj).__module__
    if module.startswith("nnlab.keras."):  # Keras's public module: keras.initializers, ...
        module = "keras." + module.split(".")[2]
    return {
        "module": module,
        "class_name": type(obj).__name__,
        "config": config(),
        "registered_name": None,
    }


class Activation(Layer):
    """y = activation(x): an activation applied as a layer (e.g. ``Activation('softmax')``)."""

    supports_masking = True  # a mask passes through unchanged, as in Keras

    def __init__(self, activation: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.activation_name, self.activation = resolve_activation(activation, "Activation")

    def call(self, inputs: Tensor, training: bool | None = None) -> Tensor:
        return apply_activation(self.activation_name, self.activation, inputs)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "activation": self.activation_name}


class Identity(Layer):
    """y = x (a placeholder layer)."""

    supports_masking = True  # a mask passes through unchanged, as in Keras

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        return inputs

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape


class Lambda(Layer):
    """y = function(x, **arguments) for a function of Tensors (no weights), e.g.
    ``Lambda(lambda t: t * 2)`` or ``Lambda(function=keras.ops.square)``.

    Args (Keras 3's): function (it may take ``training`` and ``mask`` keywords), output_shape
    (the shape without the batch axis, or a function of the input shape; found by running the
    function once when None), mask, arguments (extra keyword arguments of the function).

    ``get_config`` writes the function as Keras 3 does: a Python lambda as its marshalled
    bytecode (``__lambda__``), a named function by module and name. Reading a lambda back runs
    code from the config, so ``from_config`` refuses it unless ``safe_mode=False`` is given
    explicitly (Keras's rule); a named function is looked up in ``custom_objects``, then in
    ``keras.ops`` and ``keras.activations``, and imported from its module only when
    ``safe_mode=False``.
    """

    def __init__(
        self,
        function: Callable[..., Any],
        output_shape: Any = None,
        mask: Any = None,
        arguments: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(f"Lambda: function must be callable, got {function!r}")
        self.function, self._output_shape, self.mask = function, output_shape, mask
        self.supports_masking = mask is not None  # Keras: only with a mask (function or tensor)
        self.arguments = dict(arguments or {})
        try:
            names = inspect.signature(function).parameters
        except (TypeError, ValueError):  # a builtin without a signature
            names = {}  # type: ignore[assignment]
        self._takes_training = "training" in names
        self._takes_mask = "mask" in names

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        kwargs = dict(self.arguments)
        if self._takes_training:
            kwargs["training"] = training
        if self._takes_mask:
            kwargs["mask"] = None
        return self.function(inputs, **kwargs)

    def compute_output_shape(self, input_shape: Any) -> Any:
        if self._output_shape is None:
            return self._traced_output_shape(input_shape)
        if callable(self._output_shape):
            return self._output_shape(input_shape)
        first = input_shape
        while isinstance(first, list | dict) and first:
            first = first[0] if isinstance(first, list) else next(iter(first.values()))
        return (first[0], *tuple(self._output_shape))

    def get_config(self) -> dict[str, Any]:
        from ..saving.serialization_lib import serialize_keras_object

        config: dict[str, Any] = {"function": _function_config(self.function)}
        if self._output_shape is not None:
            config["output_shape"] = (
                _function_config(self._output_shape)
                if callable(self._output_shape)
                else list(self._output_shape)
            )
        if self.mask is not None:
            config["mask"] = (
                _function_config(self.mask)
                if callable(self.mask)
                else serialize_keras_object(self.mask)  # a tensor: its values
            )
        config["arguments"] = dict(self.arguments)
        return {**super().get_config(), **config}

    @classmethod
    def from_config(
        cls, config: dict[str, Any], custom_objects: Any = None, safe_mode: bool | None = None
    ) -> Lambda:
        config = dict(config)
        safe = safe_mode is not False
        config["function"] = _load_function(config["function"], custom_objects, safe)
        shape = config.get("output_shape")
        if isinstance(shape, dict):
            config["output_shape"] = _load_function(shape, custom_objects, safe)
        elif isinstance(shape, list):
            config["output_shape"] = tuple(shape)
        from ..saving.serialization_lib import deserialize_keras_object

        mask = config.get("mask")
        if isinstance(mask, dict) and mask.get("class_name") in ("__tensor__", "__numpy__"):
            config["mask"] = deserialize_keras_object(mask)
        elif isinstance(mask, dict):
            config["mask"] = _load_function(mask, custom_objects, safe)
        layer = super().from_config(config)
        assert isinstance(layer, Lambda)
        return layer


_LAMBDA_REFUSED = (
    "Requested the deserialization of a `Lambda` layer whose `function` is a Python lambda. "
    "This carries a potential risk of arbitrary code execution and thus it is disallowed by "
    "default. If you trust the source of the artifact, you can override this error by passing "
    "`safe_mode=False` to the loading function."
)


def _function_config(fn: Callable[..., Any]) -> dict[str, Any]:
    """Keras 3's serialized function: a lambda's bytecode, or a named function's module/name."""
    if isinstance(fn, types.LambdaType) and fn.__name__ == "<lambda>":
        code = codecs.encode(marshal.dumps(fn.__code__), "base64").decode("ascii")
        closure = tuple(c.cell_contents for c in fn.__closure__) if fn.__closure__ else None
        return {
            "class_name": "__lambda__",
            "config": {"code": code, "defaults": fn.__defaults__, "closure": closure},
        }
    operation = getattr(fn, "operation", None)  # a keras.ops function: Keras's module name
    module = operation._module if operation is not None else getattr(fn, "__module__", "") or ""
    if module.startswith("nnlab.keras"):
        module = "keras" + module[len("nnlab.keras") :]
    return {
        "module": module,
        "class_name": "function",
        "config": getattr(fn, "__name__", str(fn)),
        "registered_name": "function",
    }


def _load_function(spec: Any, custom_objects: Any, safe: bool) -> Callable[..., Any]:
    """The function a config describes (see :class:`Lambda` for what is allowed)."""
    if callable(spec):
        return spec
    if not isinstance(spec, dict):
        raise ValueError(f"Lambda: cannot read a function from {spec!r}")
    if spec.get("class_name") == "__lambda__":
        if safe:
            raise ValueError(_LAMBDA_REFUSED)
        inner = spec["config"]
        code = marshal.loads(codecs.decode(inner["code"].encode("ascii"), "base64"))  # noqa: S302
        closure = inner.get("closure")
        cells = tuple(types.CellType(v) for v in closure) if closure is not None else None
        defaults = inner.get("defaults")
        return types.FunctionType(
            code, globals(), None, tuple(defaults) if defaults else None, cells
        )
    name, module = spec.get("config"), str(spec.get("module") or "")
    from ..saving.object_registration import lookup

    registered = lookup(name, None, custom_objects)
    if callable(registered):  # custom_objects=, register_keras_serializable, custom_object_scope
        return registered
    if module.startswith("keras"):
        from .. import activations, ops

        for place in (ops, activations):
            found = getattr(place, str(name), None)
            if callable(found):
                return found
    if not safe and module:
        return getattr(importlib.import_module(module), str(name))
    raise ValueError(
        f"Lambda: unknown function {name!r} (module {module!r}); pass it in "
        f"custom_objects={{'{name}': {name}}}"
    )


class Embedding(Layer):
    """Rows of a learned table: integer indices of shape (N, ...) -> vectors (N, ..., output_dim).

    Weights: ``embeddings`` of shape (input_dim, output_dim), initialized U(-0.05, 0.05) as Keras.
    """

    def __init__(
        self,
        input_dim: int,
        output_dim: int,
        embeddings_initializer: Any = "uniform",
        embeddings_regularizer: Any = None,
        embeddings_constraint: Any = None,
        mask_zero: bool = False,
        **kwargs: Any,
    ) -> None:
        for arg, value in (("input_dim", input_dim), ("output_dim", output_dim)):
            if not isinstance(value, int | np.integer) or isinstance(value, bool) or value <= 0:
                raise ValueError(
                    f"`{arg}` must be a positive integer. Received: {arg}={value} "
                    f"(of type {type(value).__name__})."
                )
        kwargs.pop("input_length", None)
        weights = kwargs.pop("weights", None)
        kwargs.pop("lora_rank", None)
        kwargs.pop("lora_alpha", None)
        super().__init__(**kwargs)
        self.input_dim, self.output_dim = int(input_dim), int(output_dim)
        if embeddings_initializer == "uniform":
            embeddings_initializer = "random_uniform"
        self.embeddings_initializer = _initializer(embeddings_initializer, "Embedding")
        self.embeddings_regularizer = _reg(embeddings_regularizer, "Embedding")
        self.embeddings_constraint = embeddings_constraint
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero
        if weights is not None:  # Keras: the initial table, as an array or a 1-list
            self.build()
            self.set_weights(
                weights if isinstance(weights, list) and len(weights) == 1 else [weights]
            )

    def build(self, input_shape: Any = None) -> None:
        self.embeddings = self.add_weight(
            (self.input_dim, self.output_dim),
            self.embeddings_initializer,
            regularizer=self.embeddings_regularizer,
            constraint=self.embeddings_constraint,
            name="embeddings",
        )
        self.built = True

    def call(self, inputs: Any, training: bool | None = None) -> Tensor:
        index = np.asarray(inputs.data if isinstance(inputs, Tensor) else inputs).astype(np.intp)
        if index.size and (index.min() < 0 or index.max() >= self.input_dim):
            raise ValueError(
                f"Embedding {self.name!r}: indices must lie in [0, {self.input_dim - 1}], got "
                f"[{index.min()}, {index.max()}]"
            )
        out = self.embeddings[index]
        if self.mask_zero:
            set_keras_mask(out, index != 0)
        return out

    def compute_output_shape(self, input_shape: Any) -> tuple[Any, ...]:
        return (*tuple(input_shape), self.output_dim)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """With ``mask_zero``: True where the index is not 0 (0 is the padding), else None."""
        if not self.mask_zero:
            return None
        return np.asarray(inputs.data if isinstance(inputs, Tensor) else inputs) != 0

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            "embeddings_initializer": _serialize(self.embeddings_initializer),
            "embeddings_regularizer": _serialize(self.embeddings_regularizer),
            "embeddings_constraint": _serialize(self.embeddings_constraint),
            "mask_zero": self.mask_zero,
        }
