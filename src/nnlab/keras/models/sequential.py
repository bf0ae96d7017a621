"""``Sequential``: a linear stack of layers, a ``Model``.

    model = Sequential([Input(shape=(784,)),
                        Dense(512, activation="relu"),
                        Dropout(0.2),
                        Dense(10, activation="softmax")], seed=0)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=128, epochs=4, validation_split=0.1)

Once the input shape is known (an ``Input`` first, ``input_shape=``/``input_dim=`` on the first
layer, ``build((None, ...))``, or the data of the first ``fit``/``predict``), each layer is called
on a symbolic input: that builds its weights (from the model's generator, in order) and gives the
output shapes of ``summary``, ``model.inputs`` and ``model.outputs``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ..layers.base import Layer, Shape, as_shape
from ..layers.core import Dense
from ..layers.input_layer import InputLayer, KerasTensor
from ..utils import unique_name
from .model import Model

__all__ = ["Sequential"]


class Sequential(Model):
    """A linear stack of layers.

    Args:
        layers: the layers, in order (an ``Input(shape=)`` may come first).
        trainable: whether ``fit`` updates its weights.
        name: the model name (default 'sequential', 'sequential_1', ...).
        seed: seed of the model's generator (weights, shuffling, dropout); None draws from
            ``nnlab.keras.utils.set_random_seed``'s sequence.
    """

    _inputs_from_data = False  # one input, the first layer's

    def __init__(
        self,
        layers: Iterable[Any] | None = None,
        trainable: bool = True,
        name: str | None = None,
        seed: int | None = None,
    ) -> None:
        super().__init__(name=name or unique_name("sequential"), trainable=trainable, seed=seed)
        self._layers: list[Layer] = []
        self._input_layer: InputLayer | None = None
        self._symbolic: list[KerasTensor] = []  # the input, then each layer's output
        for layer in layers or []:
            self.add(layer)

    # ------------------------------------------------------------------ structure
    @property
    def layers(self) -> list[Layer]:
        """The layers (without the Input)."""
        return list(self._layers)

    @layers.setter
    def layers(self, _: Any) -> None:
        raise AttributeError(
            "`Sequential.layers` attribute is reserved and should not be used. Use `add()` and "
            "`pop()` to change the layers in this model."
        )

    def _is_built_graph(self) -> bool:
        return bool(self._layers) and len(self._symbolic) == len(self._layers) + 1

    def _undefined(self, what: str) -> AttributeError:
        return AttributeError(f"Sequential model '{self.name}' has no defined {what} yet.")

    @property
    def input_shape(self) -> Shape:
        """The input's shape with the batch axis (AttributeError until known, as Keras)."""
        if not self._is_built_graph():
            raise self._undefined("input shape")
        return self._symbolic[0].shape

    @property
    def input_dim(self) -> int | None:
        """Number of input features of 2-D inputs (None until known)."""
        shape = self._symbolic[0].shape if self._symbolic else None
        return shape[1] if shape is not None and len(shape) == 2 else None

    @property
    def inputs(self) -> list[KerasTensor]:
        if not self._is_built_graph():
            raise self._undefined("inputs")
        return [self._symbolic[0]]

    @property
    def outputs(self) -> list[KerasTensor]:
        if not self._is_built_graph():
            raise self._undefined("outputs")
        return [self._symbolic[-1]]

    @property
    def input(self) -> KerasTensor:
        return self.inputs[0]

    @property
    def output(self) -> KerasTensor:
        return self.outputs[0]

    @property
    def output_shape(self) -> Shape:
        if not self._is_built_graph():
            raise self._undefined("output shape")
        return self._symbolic[-1].shape

    def add(self, layer: Any, rebuild: bool = True) -> None:
        """Append a layer (an ``Input`` only as the first thing added)."""
        history = getattr(layer, "_keras_history", None)
        if isinstance(layer, KerasTensor) and history and isinstance(history[0].layer, InputLayer):
            layer = history[0].layer
        if not isinstance(layer, Layer):
            raise ValueError(
                "Only instances of `keras.Layer` can be added to a Sequential model. "
                f"Received: {layer} (of type {type(layer)})"
            )
        if any(existing.name == layer.name and existing is not layer for existing in self._layers):
            raise ValueError(
                "All layers added to a Sequential model should have unique names. Name "
                f"'{layer.name}' is already the name of a layer in this model. Update the `name` "
                "argument to pass a unique name."
            )
        if isinstance(layer, InputLayer):
            if self._input_layer is not None:
                raise ValueError(
                    f"Sequential model '{self.name}' has already been configured to use input "
                    f"shape {self._input_layer.batch_shape}. You cannot add a different Input "
                    "layer to it."
                )
            if self._layers:
                raise ValueError("Sequential.add: Input(...) must be the first layer")
            self._input_layer = layer
            self._symbolic = [layer.output_tensor]
            return
        if not self._layers and self._input_layer is None:
            # Keras's legacy flow: the first layer's input_shape=, or a model's own input
            hint = layer._input_shape_arg
            if hint is None and isinstance(layer, Model):
                hint = getattr(layer, "input_shape", None)
                hint = hint if _is_shape(hint) else None
            if hint is not None:
                self._input_layer = InputLayer(batch_shape=hint)
                self._symbolic = [self._input_layer.output_tensor]
        self._layers.append(layer)
        if layer._rng is None:
            layer._rng = self._rng
        if rebuild:
            self._extend_graph()

    def pop(self, rebuild: bool = True) -> Layer:
        """Remove and return the last layer."""
        if not self._layers:
            raise ValueError("Sequential.pop: the model has no layers")
        layer = self._layers.pop()
        del self._symbolic[len(self._layers) + 1 :]
        return layer

    def _extend_graph(self) -> None:
        """Call the layers not yet in the symbolic graph on the last symbolic output (a layer
        whose output shape cannot be inferred leaves the model unbuilt, as in Keras)."""
        if not self._symbolic:
            return
        while len(self._symbolic) <= len(self._layers):
            layer = self._layers[len(self._symbolic) - 1]
            _check_single_input(layer)
            try:
                self._symbolic.append(layer(self._symbolic[-1]))
            except NotImplementedError:
                break
        self.built = self._is_built_graph()

    def build(self, input_shape: Any = None) -> None:
        """Fix the input shape (``(None, n)``; an int n means ``(None, n)``) and build."""
        if not self._layers:
            raise ValueError(
                f"Sequential model {self.name} cannot be built because it has no layers. Call "
                "`model.add(layer)`."
            )
        if input_shape is None:
            if self._symbolic:
                self._extend_graph()
                return
            raise ValueError("Sequential.build: input_shape is required")
        if isinstance(input_shape, int | np.integer):
            input_shape = (None, int(input_shape))
        shape = as_shape(input_shape, "Sequential.build")
        if len(shape) < 2 or shape[-1] is None:
            raise ValueError(f"Sequential.build: bad input shape {input_shape!r}")
        if self._symbolic:
            known = self._symbolic[0].shape
            if tuple(known[1:]) != tuple(shape[1:]):
                raise ValueError(
                    f"Sequential model '{self.name}' has already been configured to use input "
                    f"shape {known}. You cannot build it with input_shape {shape}"
                )
        else:
            self._input_layer = InputLayer(batch_shape=(None, *shape[1:]))
            self._symbolic = [self._input_layer.output_tensor]
        self._extend_graph()

    def _build_from(self, inputs: Any) -> None:
        if not self._layers:
            raise ValueError(
                f"Sequential model {self.name} cannot be built because it has no layers. Call "
                "`model.add(layer)`."
            )
        if self._symbolic:
            self._extend_graph()
        elif hasattr(inputs, "shape"):  # one tensor: build for its shape (any batch size)
            self.build((None, *tuple(inputs.shape)[1:]))
        # nested inputs (a dict, a list): no single input shape; the layers run one by one

    def call(self, inputs: Any, training: bool | None = None, mask: Any = None) -> Any:
        x = inputs
        for layer in self._layers:
            x = layer(x, training=training)
        return x

    def compute_output_shape(self, input_shape: Any) -> Any:
        shape = tuple(input_shape)
        for layer in self._layers:
            shape = layer.compute_output_shape(shape)
        return shape

    # ------------------------------------------------------------------ the trainer's hooks
    def _input_names(self) -> list[str]:
        return [self._input_layer.name if self._input_layer is not None else "input_layer"]

    def _output_layer(self) -> Any:
        if type(self).call is not Sequential.call or not self._layers:
            return None
        last = self._layers[-1]
        return last if type(last) is Dense else None

    def _output_names(self) -> list[str]:
        return [self._layers[-1].name] if self._layers else ["output"]

    def _input_shapes(self) -> list[tuple[Any, ...]] | None:
        return [self._symbolic[0].shape] if self._symbolic else None

    def _output_shapes(self) -> list[tuple[Any, ...]] | None:
        if len(self._symbolic) == len(self._layers) + 1 and self._layers:
            return [self._symbolic[-1].shape]
        return None

    def _build_for(
        self, xs: list[np.ndarray], pack: Callable[[list[Any]], Any] | None = None
    ) -> None:
        if not self._layers:
            raise ValueError("the model has no layers; add some with model.add(...)")
        if not self._symbolic:
            self.build((None, *xs[0].shape[1:]))
        self._extend_graph()

    # ------------------------------------------------------------------ config
    def get_config(self) -> dict[str, Any]:
        """Keras 3's Sequential config: name, trainable, dtype and the layers (each
        ``{"module", "class_name", "config", "registered_name"}``), the InputLayer first."""
        from .cloning import serialize_layer

        layers = []
        if self._input_layer is not None:
            layers.append(serialize_layer(self._input_layer))
        layers += [serialize_layer(layer) for layer in self._layers]
        config: dict[str, Any] = {
            "name": self.name,
            "trainable": self.trainable,
            "dtype": Layer.get_config(self)["dtype"],
            "layers": layers,
        }
        if self._symbolic:
            config["build_input_shape"] = tuple(self._symbolic[0].shape)
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: Any = None) -> Sequential:
        from .cloning import deserialize_layer

        model = cls(name=config.get("name"), trainable=config.get("trainable", True))
        for spec in config["layers"]:
            model.add(deserialize_layer(spec, custom_objects))
        if not model._symbolic and config.get("build_input_shape"):
            model.build(tuple(config["build_input_shape"]))
        return model

    def _legacy_config(self) -> dict[str, Any]:
        """The config of nnlab's version-1 model file (read by ``keras.saving``)."""
        widths: list[int | None] = [self.input_dim]
        for out in self._symbolic[1:]:
            widths.append(out.shape[-1] if len(out.shape) == 2 else None)
        layers = []
        for i, layer in enumerate(self._layers):
            width = widths[i] if i < len(widths) else None
            layers.append(
                {"class_name": type(layer).__name__, "config": _legacy_layer(layer, width)}
            )
        return {"name": self.name, "seed": self.seed, "input_dim": self.input_dim, "layers": layers}

    def __repr__(self) -> str:
        return f"<Sequential name={self.name!r} layers={[layer.name for layer in self._layers]}>"


def _is_shape(value: Any) -> bool:
    return isinstance(value, tuple | list) and all(d is None or isinstance(d, int) for d in value)


def _check_single_input(layer: Layer) -> None:
    """A layer in a Sequential model takes one positional argument, the input (Keras's check)."""
    params = list(inspect.signature(layer.call).parameters.values())
    positional = [
        p
        for p in params
        if p.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    ]
    required = [p for p in positional if p.default is inspect.Parameter.empty]
    if not positional and not any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in params):
        raise ValueError(
            "Layers added to a Sequential model should have a single positional argument, the "
            f"input tensor. Layer {type(layer).__name__} has no positional arguments."
        )
    if len(required) > 1:
        raise ValueError(
            "Layers added to a Sequential model can only have a single required positional "
            f"argument, the input tensor. Layer {type(layer).__name__} has multiple required "
            f"positional arguments: {required}"
        )


def _legacy_layer(layer: Any, width: int | None) -> dict[str, Any]:
    config: dict[str, Any] = {"name": layer.name, "input_dim": width}
    kind = type(layer).__name__
    if kind == "Dense":
        regs = {
            key: None if reg is None else reg.get_config()
            for key, reg in (
                ("kernel_regularizer", layer.kernel_regularizer),
                ("bias_regularizer", layer.bias_regularizer),
            )
        }
        config.update(
            units=layer.units,
            activation=layer.activation_name,
            use_bias=layer.use_bias,
            kernel_initializer=_init_name(layer.kernel_initializer),
            bias_initializer=_init_name(layer.bias_initializer),
            **regs,
        )
    elif kind == "Activation":
        config["activation"] = layer.activation_name
    elif kind == "Dropout":
        config.update(rate=layer.rate, seed=layer.seed)
    return config


def _init_name(init: Any) -> Any:
    if isinstance(init, str):
        return init
    from ..utils import snake_case

    return snake_case(type(init).__name__)
