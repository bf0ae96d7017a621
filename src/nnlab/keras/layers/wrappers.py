"""``Wrapper(layer)``: the base of the layers that wrap another one; ``TimeDistributed(layer)``:
the same layer applied to every time step.

For inputs x of shape (B, T, ...), y[:, t] = layer(x[:, t]) for t = 0 … T-1 (one call per step,
as Keras 3, so a BatchNormalization inside sees each step's batch on its own); the weights are
the wrapped layer's, shared by all steps.
"""

from __future__ import annotations

from typing import Any

from nnlab.autograd import Tensor, stack

from .base import Layer, plain_config

__all__ = ["TimeDistributed", "Wrapper"]


class Wrapper(Layer):
    """A layer around another one, ``self.layer`` (whose weights are its weights); subclasses
    write ``call``. Its config holds the wrapped layer's serialized description."""

    def __init__(self, layer: Layer, **kwargs: Any) -> None:
        if not isinstance(layer, Layer):
            raise ValueError(
                f"Layer {layer} supplied to Wrapper isn't a supported layer type. Please ensure "
                "wrapped layer is a valid Keras layer."
            )
        super().__init__(**kwargs)
        self.layer = layer

    def build(self, input_shape: Any = None) -> None:
        if not self.layer.built:
            self.layer.build(input_shape)
            self.layer.built = True
        self.built = True

    def get_config(self) -> dict[str, Any]:
        from ..saving.serialization_lib import serialize_keras_object

        return {**super().get_config(), "layer": serialize_keras_object(self.layer)}

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: Any = None) -> Wrapper:
        from ..saving.serialization_lib import deserialize_keras_object

        config = plain_config(config)
        inner = deserialize_keras_object(config.pop("layer"), custom_objects=custom_objects)
        return cls(inner, **config)


class TimeDistributed(Wrapper):
    """Apply ``layer`` to each slice x[:, t] of a (B, T, ...) input (see the module docstring)."""

    def __init__(self, layer: Layer, **kwargs: Any) -> None:
        if not isinstance(layer, Layer):
            raise ValueError(
                "Please initialize `TimeDistributed` layer with a `keras.layers.Layer` instance. "
                f"Received: {layer}"
            )
        super().__init__(layer, **kwargs)
        self.supports_masking = True

    def _child_shape(self, input_shape: Any) -> tuple[Any, ...]:
        if not isinstance(input_shape, list | tuple) or len(input_shape) < 3:
            raise ValueError(
                "`TimeDistributed` Layer should be passed an `input_shape` with at least 3 "
                f"dimensions, received: {input_shape}"
            )
        return (input_shape[0], *input_shape[2:])

    def build(self, input_shape: Any = None) -> None:
        child = self._child_shape(input_shape)
        if not self.layer.built:
            self.layer.build(child)
            self.layer.built = True
        self.built = True

    def compute_output_shape(self, input_shape: Any) -> tuple[Any, ...]:
        child = self.layer.compute_output_shape(self._child_shape(input_shape))
        return (child[0], input_shape[1], *child[1:])

    def call(self, inputs: Tensor, training: bool | None = None) -> Tensor:
        if inputs.ndim < 3:
            self._child_shape(inputs.shape)
        steps = [self.layer(inputs[:, t], training=training) for t in range(inputs.shape[1])]
        return stack(steps, axis=1)
