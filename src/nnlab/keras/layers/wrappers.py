"""``TimeDistributed(layer)``: the same layer applied to every time step.

For inputs x of shape (B, T, ...), y[:, t] = layer(x[:, t]) for t = 0 … T-1 (one call per step,
as Keras 3, so a BatchNormalization inside sees each step's batch on its own); the weights are
the wrapped layer's, shared by all steps.
"""

from __future__ import annotations

from typing import Any

from nnlab.autograd import Tensor, stack

from .base import Layer, plain_config

__all__ = ["TimeDistributed"]


class TimeDistributed(Layer):
    """Apply ``layer`` to each slice x[:, t] of a (B, T, ...) input (see the module docstring)."""

    def __init__(self, layer: Layer, **kwargs: Any) -> None:
        if not isinstance(layer, Layer):
            raise ValueError(
                "Please initialize `TimeDistributed` layer with a `keras.layers.Layer` instance. "
                f"Received: {layer}"
            )
        super().__init__(**kwargs)
        self.layer = layer
        self.supports_masking = True

    def _child_shape(self, input_shape: Any) -> tuple[Any, ...]:
        if not isinstance(input_shape, list | tuple) or len(input_shape) < 3:
            raise ValueError(
                "`TimeDistributed` Layer should be passed an `input_shape` with at least 3 "
                f"dimensions, received: {input_shape}"
            )
        return (input_shape[0], *input_shape[2:])

    def build(self, input_shape: Any) -> None:
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

    def get_config(self) -> dict[str, Any]:
        from .core import _serialize

        return {**super().get_config(), "layer": _serialize(self.layer)}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> TimeDistributed:
        from .. import layers

        config = plain_config(config)
        spec = config.pop("layer")
        inner = getattr(layers, spec["class_name"]).from_config(spec["config"])
        return cls(inner, **config)
