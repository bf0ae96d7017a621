"""``Layer``: the base class of every Keras layer, an :class:`nnlab.nn.Module`.

A layer holds weights (``add_weight``), creates them once the shape of its input is known
(``build(input_shape)``, the shape including the batch axis as ``None``), and computes
``call(inputs, training=None)``. Calling the layer (``layer(x)``) does the bookkeeping:

- on NumPy arrays and Tensors it builds the layer from the input's shape on the first call, then
  runs ``call`` and returns Tensors (float arrays become float32 Tensors);
- on symbolic ``KerasTensor`` inputs (``keras.Input``) it computes no value: it builds the layer,
  works out the output shape (``compute_output_shape``, or by running ``call`` once on zeros) and
  returns KerasTensors that remember this call, which is how functional models record their graph.

``training`` given to an outer call (a model's) reaches every layer called inside it, as in Keras.
Losses added with ``add_loss`` during a call (an activity regularizer's, for instance) are
collected in ``layer.losses`` (with the weight penalties) and are cleared when the next outermost
call starts.

Weights are :class:`keras.Variable` (an :class:`nnlab.nn.Parameter`); a frozen layer
(``trainable = False``, also set on its sub-layers) lists them in ``non_trainable_weights`` and no
gradient is computed for them. The order of ``weights`` (and of ``get_weights``) is: this layer's
trainable weights in creation order, its non-trainable ones, then each sub-layer's weights.
"""

from __future__ import annotations

import inspect
import threading
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

from nnlab.autograd import Tensor, no_grad
from nnlab.nn import Module, Parameter

from .. import constraints, regularizers
from ..utils import get_keras_mask, masks_in_use, new_rng, set_keras_mask, snake_case, unique_name
from ..variables import Variable, initial_value, name_scope
from .input_spec import assert_input_compatibility

__all__ = ["Layer", "as_shape", "initial_value", "plain_config", "to_tensor"]

Shape = tuple[int | None, ...]


class _CallContext(threading.local):
    """State shared by the nested layer calls of one outermost call."""

    def __init__(self) -> None:
        self.depth = 0
        self.training: bool | None = None
        self.loss_owners: list[Layer] = []
        # the output layer whose softmax / sigmoid the training step leaves to the fused loss
        self.deferred_activation: Layer | None = None


_CONTEXT = _CallContext()


def as_shape(shape: Any, where: str) -> Shape:
    """A shape tuple (ints >= 0 or None), or a ValueError naming ``where``."""
    if isinstance(shape, int | np.integer) and not isinstance(shape, bool):
        shape = (shape,)
    try:
        dims = tuple(shape)
    except TypeError:
        raise ValueError(f"{where}: a shape must be a tuple of ints, got {shape!r}") from None
    for d in dims:
        ok = d is None or (isinstance(d, int | np.integer) and not isinstance(d, bool) and d >= 0)
        if not ok:
            raise ValueError(f"{where}: shape entries must be ints >= 0 or None, got {shape!r}")
    return tuple(None if d is None else int(d) for d in dims)


_IS_CONTAINER: dict[type, bool] = {}  # type -> is it a list, tuple or Mapping (ABC checks are slow)


def _is_container(value: Any) -> bool:
    cls = type(value)
    known = _IS_CONTAINER.get(cls)
    if known is None:
        known = _IS_CONTAINER[cls] = issubclass(cls, list | tuple | Mapping)
    return known


def _layers_within(container: Any, out: list[Layer]) -> None:
    """Append the layers inside a list, tuple or mapping (and inside those) to ``out``."""
    for item in container.values() if isinstance(container, Mapping) else container:
        if isinstance(item, Layer):
            out.append(item)
        elif _is_container(item) and item:
            _layers_within(item, out)


def to_tensor(x: Any) -> Any:
    """Arrays (and nested lists/tuples/dicts of them) as Tensors; floats become float32 (the
    layers' dtype), integer arrays keep their dtype (indices for ``Embedding``)."""
    if type(x) is np.ndarray and x.dtype == np.float32:  # the usual batch, checked first
        return Tensor(x)
    if isinstance(x, Tensor) or x is None:  # None: an optional model input left out
        return x
    if isinstance(x, list | tuple):
        return type(x)(to_tensor(v) for v in x)
    if isinstance(x, dict):
        return {k: to_tensor(v) for k, v in x.items()}
    arr = np.asarray(x)
    if arr.dtype.kind == "f" or arr.dtype.kind == "b":
        arr = arr.astype(np.float32, copy=False)
    elif arr.dtype.kind not in "iu":
        raise TypeError(f"layer inputs must be numeric, got dtype {arr.dtype}")
    return Tensor(arr)


def _shapes(x: Any) -> Any:
    """The shape(s) of a Tensor/KerasTensor or a nested list/dict of them."""
    if isinstance(x, list | tuple):
        return [_shapes(v) for v in x]
    if isinstance(x, dict):
        return {k: _shapes(v) for k, v in x.items()}
    return tuple(x.shape)


def _flatten(x: Any) -> list[Any]:
    if isinstance(x, list | tuple):
        return [v for item in x for v in _flatten(item)]
    if isinstance(x, dict):
        return [v for item in x.values() for v in _flatten(item)]
    return [x]


_CALL_INFO: dict[type, tuple[bool, bool, bool]] = {}


def _call_info(cls: type) -> tuple[bool, bool, bool]:
    """What ``Layer.__call__`` needs to know of a layer class, found once per class: whether
    ``cls.call`` accepts ``training`` (by name or through ``**kwargs``), whether it names a
    ``mask`` parameter (Keras then passes the input's mask), and whether a user's class defines
    ``compute_mask`` (Keras then calls it on every call, with or without an input mask: it may
    make one; nnlab's layers that make a mask, such as Embedding, Masking, the merging and
    attention layers, attach it in ``call``)."""
    info = _CALL_INFO.get(cls)
    if info is None:
        params = inspect.signature(cls.call).parameters  # type: ignore[attr-defined]
        takes_training = "training" in params or any(
            p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()
        )
        own_compute_mask = (
            not cls.__module__.startswith("nnlab.") and cls.compute_mask is not Layer.compute_mask  # type: ignore[attr-defined]
        )
        info = _CALL_INFO[cls] = (takes_training, "mask" in params, own_compute_mask)
    return info


def _input_mask(inputs: Any) -> Any:
    """The mask carried by the input (a list of them for a list of inputs), or None."""
    if isinstance(inputs, list | tuple):
        masks = [get_keras_mask(t) for t in inputs]
        return masks if any(m is not None for m in masks) else None
    return get_keras_mask(inputs)


def _set_output_mask(outputs: Any, mask: Any) -> None:
    """Attach ``mask`` (one per output for a list) to the outputs that carry none yet."""
    if isinstance(outputs, list | tuple):
        masks = mask if isinstance(mask, list | tuple) else [mask] * len(outputs)
        for out, m in zip(outputs, masks, strict=False):
            _set_output_mask(out, m)
    elif isinstance(outputs, Tensor) and mask is not None and get_keras_mask(outputs) is None:
        set_keras_mask(outputs, mask.data if isinstance(mask, Tensor) else mask)


def _warn_mask_dropped(layer: Layer) -> None:
    """Keras 3's warning for a layer that neither supports masking nor computes a mask, given
    an input that carries one (the first input's mask)."""
    warnings.warn(
        f"Layer '{layer.name}' (of type {type(layer).__name__}) was passed an input with a mask "
        "attached to it. However, this layer does not support masking and will therefore "
        "destroy the mask information. Downstream layers will not see the mask.",
        stacklevel=3,
    )


class LayerCache:
    """The flattened layer list of a model, fixed while ``fit``/``evaluate``/``predict`` run
    (walking the attributes at every batch would cost more than a small model's step). A plain
    object, so the ``nn.Module`` walk does not see the layers it holds."""

    def __init__(self) -> None:
        self.layers: list[Layer] | None = None


class Layer(Module):
    """Base class of Keras layers.

    Args:
        name: the layer's name (default: the snake-case class name made unique, 'dense_1').
        trainable: whether ``fit`` updates its weights.
        dtype: the dtype of its weights ('float32').
        input_shape / input_dim / batch_input_shape / batch_size: the shape of the input (without
            the batch axis; ``input_dim=n`` means ``input_shape=(n,)``), given to the first layer
            of a ``Sequential`` model.
        activity_regularizer: a penalty on the layer's output, added to ``losses`` at each call
            (divided by the batch size, as in Keras).
    """

    input_spec: Any = None  # an InputSpec (or a list of them) checked at each call (klayers)
    _spec_checked: Any = None  # (id(input_spec), shape, dtype) of the last Tensor that passed it

    def __init__(
        self,
        *,
        activity_regularizer: Any = None,
        trainable: bool = True,
        dtype: Any = None,
        autocast: bool = True,
        name: str | None = None,
        input_shape: Any = None,
        input_dim: Any = None,
        batch_input_shape: Any = None,
        batch_size: int | None = None,
        **kwargs: Any,
    ) -> None:
        cls = type(self).__name__
        if kwargs:
            raise TypeError(f"{cls}: unexpected argument(s) {sorted(kwargs)}")
        super().__init__()
        if name is not None and not isinstance(name, str):
            raise TypeError(f"{cls}: name must be a string, got {name!r}")
        self.name = name or unique_name(snake_case(cls))
        self._trainable = bool(trainable)
        self.dtype = _dtype_name(dtype)
        self.autocast = autocast
        self.built = False
        self.activity_regularizer = _regularizer(
            activity_regularizer, f"{cls}.activity_regularizer"
        )
        self._trainable_weights: list[Parameter] = []
        self._non_trainable_weights: list[Parameter] = []
        self._penalties: list[tuple[Parameter, Any]] = []
        self._constraints: list[tuple[Parameter, Any]] = []  # unused: weights hold theirs
        self._losses: list[Tensor] = []
        self._rng: np.random.Generator | None = None
        self._inbound_nodes: list[Any] = []
        self._build_shapes_arg: Any = None
        self._input_shape_arg = _input_shape_from(
            cls, input_shape, input_dim, batch_input_shape, batch_size
        )

    # ------------------------------------------------------------------ weights
    @property
    def rng(self) -> np.random.Generator:
        """The generator for this layer's initial weights and noise (the model's, once the
        layer is in a model built with a seed; else drawn from ``set_random_seed``'s sequence)."""
        if self._rng is None:
            self._rng = new_rng()
        return self._rng

    @rng.setter
    def rng(self, value: np.random.Generator) -> None:
        self._rng = value

    def add_weight(
        self,
        shape: Any = None,
        initializer: Any = None,
        dtype: Any = None,
        trainable: bool = True,
        regularizer: Any = None,
        constraint: Any = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> Variable:
        """A new weight (a :class:`keras.Variable`) of ``shape`` drawn by ``initializer`` from
        ``self.rng`` (default 'glorot_uniform' for float weights of rank >= 2, else 'zeros'),
        registered in ``weights`` in creation order; its ``path`` is 'layer_name/name'.

        ``regularizer`` (name, object or callable) adds its penalty to ``losses``;
        ``constraint`` (name such as 'non_neg', object or callable) projects the weight after
        each optimizer update. ``autocast``, ``aggregation`` and ``overwrite_with_gradient``
        are accepted for Keras compatibility."""
        unknown = set(kwargs) - {"autocast", "aggregation", "overwrite_with_gradient"}
        if unknown:
            raise TypeError(f"add_weight: unexpected argument(s) {sorted(unknown)}")
        if isinstance(shape, str):
            raise ValueError(
                "`name` must be passed as a keyword argument. "
                f"Received: add_weight('{shape}', ...). Use: add_weight(shape=..., name='{shape}')."
            )
        shape = as_shape((), "add_weight") if shape is None else as_shape(shape, "add_weight")
        if initializer is None:
            initializer = "glorot_uniform" if len(shape) >= 2 else "zeros"
        value = initial_value(initializer, shape, dtype, self.rng)
        with name_scope(self.name, caller=self):
            weight = Variable(value, trainable=bool(trainable) and self._trainable, name=name)
        (self._trainable_weights if trainable else self._non_trainable_weights).append(weight)
        reg = _regularizer(regularizer, f"{self.name}.add_weight")
        weight.regularizer = reg
        if reg is not None:
            self._penalties.append((weight, reg))
        weight.constraint = constraints.get(constraint)  # applied by the optimizer
        return weight

    def add_variable(
        self,
        shape: Any,
        initializer: Any,
        dtype: Any = None,
        trainable: bool = True,
        regularizer: Any = None,
        constraint: Any = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> Variable:
        """Keras 3's other name for :meth:`add_weight` (shape and initializer required)."""
        return self.add_weight(
            shape, initializer, dtype, trainable, regularizer, constraint, name, **kwargs
        )

    def __setattr__(self, name: str, value: Any) -> None:
        """A ``keras.Variable`` set as an attribute (``self.w = keras.Variable(...)``) joins
        the layer's weights, as in Keras (those from ``add_weight`` are there already)."""
        if isinstance(value, Variable) and "_non_trainable_weights" in self.__dict__:
            known = self._trainable_weights + self._non_trainable_weights
            if not any(w is value for w in known):
                trainable = value.trainable and self._trainable
                (self._trainable_weights if trainable else self._non_trainable_weights).append(
                    value
                )
        object.__setattr__(self, name, value)

    def _sublayers(self) -> list[Layer]:
        """The layers held directly by this one (attributes, lists, tuples, dicts, searched
        inside each other), in attribute order: ``children()``'s layers, found without naming
        every member on the way (a training loop reads ``trainable_weights`` at each step)."""
        out: list[Layer] = []
        for value in self.__dict__.values():
            if isinstance(value, Layer):
                out.append(value)
            elif _is_container(value) and value:
                _layers_within(value, out)
        return out

    def _flatten_layers(self, include_self: bool = True) -> list[Layer]:
        """This layer (if asked) and every layer below it, depth first, each once (frozen
        while a training loop runs: see :class:`LayerCache`)."""
        cache = self.__dict__.get("_layer_cache")
        if cache is not None and cache.layers is not None:
            return cache.layers if include_self else cache.layers[1:]
        out: list[Layer] = [self] if include_self else []
        seen = {id(self)}
        stack = self._sublayers()[::-1]
        while stack:
            layer = stack.pop()
            if id(layer) in seen:
                continue
            seen.add(id(layer))
            out.append(layer)
            stack.extend(layer._sublayers()[::-1])
        return out

    def _collect(self, trainable: bool) -> list[Parameter]:
        """Each layer's weights once, depth first: all of them, or (``trainable``) those that
        train (in layers whose ``trainable`` is set, themselves requiring grad). A plain loop:
        the training step reads the trainable ones at every batch."""
        out: list[Parameter] = []
        seen: set[int] = set()
        for layer in self._flatten_layers():
            if trainable:
                if not layer._trainable:
                    continue
                own = layer._trainable_weights
            else:
                own = layer._trainable_weights + layer._non_trainable_weights
            for w in own:
                if (not trainable or w.requires_grad) and id(w) not in seen:
                    seen.add(id(w))
                    out.append(w)
        return out

    @property
    def weights(self) -> list[Parameter]:
        """All weights: trainable then non-trainable of this layer, then the sub-layers'."""
        return self._collect(trainable=False)

    @property
    def trainable_weights(self) -> list[Parameter]:
        """The weights ``fit`` updates: none when ``trainable`` is False, and not those whose
        own ``trainable`` was set to False (as in Keras)."""
        return self._collect(trainable=True) if self._trainable else []

    @property
    def non_trainable_weights(self) -> list[Parameter]:
        """The weights ``fit`` leaves alone (all of them when ``trainable`` is False)."""
        trainable = {id(w) for w in self.trainable_weights}
        return [w for w in self.weights if id(w) not in trainable]

    @property
    def variables(self) -> list[Parameter]:
        return self.weights

    @property
    def trainable_variables(self) -> list[Parameter]:
        return self.trainable_weights

    @property
    def non_trainable_variables(self) -> list[Parameter]:
        return self.non_trainable_weights

    @property
    def trainable(self) -> bool:
        """Whether ``fit`` updates this layer's weights; setting it also sets the sub-layers'."""
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        for layer in self._flatten_layers():
            layer._trainable = bool(value)
            for w in layer._trainable_weights:
                if isinstance(w, Variable):
                    w.trainable = bool(value)
                else:
                    w.requires_grad = bool(value)

    def get_weights(self) -> list[np.ndarray]:
        """Copies of the weights, in ``weights`` order."""
        return [w.data.copy() for w in self.weights]

    def set_weights(self, weights: Sequence[Any]) -> None:
        """Overwrite the weights (``weights`` order), checking the count and every shape."""
        params = self.weights
        arrays = [np.asarray(w.data if isinstance(w, Tensor) else w) for w in weights]
        expected = [p.shape for p in params]
        if len(arrays) != len(params):
            raise ValueError(
                f"layer {self.name!r}: set_weights expects {len(params)} arrays of shapes "
                f"{expected}, got {len(arrays)}"
            )
        if [a.shape for a in arrays] != expected:
            raise ValueError(
                f"layer {self.name!r}: set_weights expects arrays of shapes {expected}, got "
                f"{[a.shape for a in arrays]}"
            )
        for p, a in zip(params, arrays, strict=True):
            p.data[...] = a

    def count_params(self) -> int:
        """The number of scalars in all weights."""
        return int(sum(w.data.size for w in self.weights))

    # ------------------------------------------------------------------ losses
    def add_loss(self, loss: Any) -> None:
        """Add a scalar Tensor to ``losses`` (cleared when the next outermost call starts)."""
        self._losses.append(loss if isinstance(loss, Tensor) else Tensor(np.float32(loss)))
        _CONTEXT.loss_owners.append(self)

    @property
    def losses(self) -> list[Tensor]:
        """Losses added during the last call, then the weight penalties (regularizers)."""
        out: list[Tensor] = []
        for layer in self._flatten_layers():
            if layer._losses:
                out.extend(layer._losses)
            if layer._penalties:
                out.extend(reg(w) for w, reg in layer._penalties)
        return out

    # ------------------------------------------------------------------ building and calling
    def build(self, input_shape: Any) -> None:
        """Create the weights for inputs of ``input_shape`` (batch axis included, as None)."""
        self.built = True

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        """The computation on Tensors; subclasses implement it."""
        return inputs

    supports_masking = False  # whether an input's mask passes on to the outputs

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """The outputs' mask given the input's (Keras 3's default: the same mask)."""
        return mask

    def compute_output_shape(self, input_shape: Any) -> Any:
        """The output shape for ``input_shape`` (batch axis included); by default found by
        running ``call`` once on zeros."""
        return self._traced_output_shape(input_shape)

    def forward(self, *args: Any, **kwargs: Any) -> Any:  # nn.Module's name for the computation
        return self.call(*args, **kwargs)

    def _build_from(self, inputs: Any) -> None:
        shapes = _shapes(inputs)
        self._build_shapes_arg = shapes
        with name_scope(self.name, caller=self):
            self.build(shapes)
        self.built = True

    def __call__(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        if type(inputs) is np.ndarray:  # a batch from fit/predict: never symbolic
            inputs = to_tensor(inputs)
        elif type(inputs) is not Tensor:
            from .input_layer import KerasTensor, symbolic_call

            if any(isinstance(t, KerasTensor) for t in _flatten(inputs)):
                if self.input_spec is not None:  # Keras's InputSpec check (klayers)
                    assert_input_compatibility(self.input_spec, inputs, self.name)
                return symbolic_call(self, inputs, args, kwargs)
            if not isinstance(inputs, Tensor):
                inputs = to_tensor(inputs)
        spec = self.input_spec
        if spec is not None:  # Keras's InputSpec check, once per spec, shape, dtype
            # a list or dict (merging layers) is checked each time
            data = inputs._data if type(inputs) is Tensor else None
            key = None if data is None else (id(spec), data.shape, data.dtype)
            if key is None or key != self._spec_checked:
                assert_input_compatibility(self.input_spec, inputs, self.name)
                self._spec_checked = key
        if not self.built:
            self._check_input_shape(inputs)
            self._build_from(inputs)
        ctx = _CONTEXT
        training = kwargs.pop("training", None)
        outer = ctx.training
        if training is None:
            training = outer
        if ctx.depth == 0 and ctx.loss_owners:
            for owner in ctx.loss_owners:
                owner._losses.clear()
            ctx.loss_owners.clear()
        cls = type(self)
        takes_training, takes_mask, own_compute_mask = _CALL_INFO.get(cls) or _call_info(cls)
        if takes_training:
            kwargs["training"] = training
        # Keras's masks: the input's mask goes to a ``call(..., mask=None)`` and, through
        # ``compute_mask``, to the outputs of a layer that supports masking
        mask = _input_mask(inputs) if masks_in_use() else None
        if mask is not None and takes_mask and "mask" not in kwargs:
            kwargs["mask"] = mask
        ctx.depth += 1
        ctx.training = training
        try:
            outputs = self.call(inputs, *args, **kwargs)
        finally:
            ctx.depth -= 1
            ctx.training = outer
        if own_compute_mask or (mask is not None and self.supports_masking):
            _set_output_mask(outputs, self.compute_mask(inputs, mask))
        elif mask is not None:
            _warn_mask_dropped(self)
        if self.activity_regularizer is not None:
            for out in _flatten(outputs):
                penalty = self.activity_regularizer(out)
                if out.ndim > 0:
                    penalty = penalty / float(out.shape[0])
                self.add_loss(penalty)
        return outputs

    def _check_input_shape(self, inputs: Any) -> None:
        expected = self._input_shape_arg
        if expected is None or not isinstance(inputs, Tensor):
            return
        got = inputs.shape
        if len(got) != len(expected) or any(
            e is not None and e != g for e, g in zip(expected, got, strict=True)
        ):
            raise ValueError(
                f"layer {self.name!r} expects inputs of shape {expected}, got shape {got}"
            )

    def _traced_output_shape(self, input_shape: Any) -> Any:
        """Run ``call`` on zeros of ``input_shape`` (None read as 1) and read the output shape."""

        def zeros(shape: Any) -> Any:
            if isinstance(shape, list):
                return [zeros(s) for s in shape]
            if isinstance(shape, dict):
                return {k: zeros(s) for k, s in shape.items()}
            return Tensor(np.zeros(tuple(1 if d is None else d for d in shape), np.float32))

        first = _flatten_shapes(input_shape)[0]
        batch_unknown = bool(first) and first[0] is None
        kwargs = {"training": False} if _call_info(type(self))[0] else {}
        with no_grad(), keeping_weights(self):  # as Keras's symbolic call: no state changes
            out = self.call(zeros(input_shape), **kwargs)

        def shape_of(t: Any) -> Any:
            if isinstance(t, list | tuple):
                return [shape_of(v) for v in t]
            if isinstance(t, dict):
                return {k: shape_of(v) for k, v in t.items()}
            s = tuple(t.shape)
            return (None, *s[1:]) if batch_unknown and s else s

        return shape_of(out)

    # ------------------------------------------------------------------ config
    def get_config(self) -> dict[str, Any]:
        """The constructor arguments (Keras 3's keys), JSON-compatible."""
        config: dict[str, Any] = {"name": self.name, "trainable": self._trainable}
        config["dtype"] = {  # Keras 3's DTypePolicy
            "module": "keras",
            "class_name": "DTypePolicy",
            "config": {"name": self.dtype},
            "registered_name": None,
        }
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Layer:
        """A new layer from ``get_config()``'s dict."""
        config = plain_config(config)
        if "batch_input_shape" in config and config["batch_input_shape"] is not None:
            config["batch_input_shape"] = tuple(config["batch_input_shape"])
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r}, built={self.built}>"

    # the Module walk finds sub-layers; Keras's plural attribute names also work
    @property
    def input(self) -> Any:
        """The symbolic input of the layer's first call in a functional graph."""
        if not self._inbound_nodes:
            raise AttributeError(f"layer {self.name!r} has never been called on a symbolic input")
        return self._inbound_nodes[0].inputs

    @property
    def output(self) -> Any:
        """The symbolic output of the layer's first call in a functional graph."""
        if not self._inbound_nodes:
            raise AttributeError(f"layer {self.name!r} has never been called on a symbolic input")
        return self._inbound_nodes[0].outputs


@contextmanager
def keeping_weights(layer: Layer) -> Iterator[None]:
    """Undo, on exit, what the block writes into ``layer``'s weights (those existing on entry):
    a call made only to build or infer shapes leaves the state as Keras's symbolic call does
    (e.g. a counter the layer's ``call`` increments is not counted)."""
    before = [(w, w.data.copy()) for w in layer.weights]
    try:
        yield
    finally:
        for w, value in before:
            w.data[...] = value


def plain_config(config: dict[str, Any]) -> dict[str, Any]:
    """A copy of a layer config with Keras 3's ``DTypePolicy`` dict read as its dtype name (the
    first step of every ``from_config``)."""
    config = dict(config)
    if isinstance(config.get("dtype"), dict):
        config["dtype"] = config["dtype"].get("config", {}).get("name")
    return config


def _flatten_shapes(shape: Any) -> list[tuple[Any, ...]]:
    if isinstance(shape, list) and shape and not isinstance(shape[0], int | type(None)):
        return [s for item in shape for s in _flatten_shapes(item)]
    if isinstance(shape, dict):
        return [s for item in shape.values() for s in _flatten_shapes(item)]
    return [tuple(shape)]


def _dtype_name(dtype: Any) -> str:
    if dtype is None:
        return "float32"
    if isinstance(dtype, dict):
        return str(dtype.get("config", {}).get("name", "float32"))
    return np.dtype(dtype).name


def _regularizer(spec: Any, where: str) -> Any:
    if spec is None or (callable(spec) and not isinstance(spec, str | dict)):
        return spec
    return regularizers.get(spec, where)


def _input_shape_from(
    cls: str, input_shape: Any, input_dim: Any, batch_input_shape: Any, batch_size: Any
) -> Shape | None:
    """The full input shape (batch axis first) the constructor arguments give, or None."""
    if batch_input_shape is not None:
        return as_shape(batch_input_shape, f"{cls}: batch_input_shape")
    if input_dim is not None:
        if (
            isinstance(input_dim, bool)
            or not isinstance(input_dim, int | np.integer)
            or input_dim < 1
        ):
            raise ValueError(f"{cls}: input_dim must be a positive integer, got {input_dim!r}")
        input_shape = (int(input_dim),)
    if input_shape is None:
        return None
    return (batch_size, *as_shape(input_shape, f"{cls}: input_shape"))
