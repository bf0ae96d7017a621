"""``Bidirectional(layer)``: a recurrent layer run forwards and, as a copy, backwards.

The forward layer is a copy of ``layer`` named 'forward_<name>'; the backward one is a copy with
``go_backwards=True`` named 'backward_<name>' (or ``backward_layer``). With y the forward output
and y' the backward one (its sequence flipped back to the input's time order), the output is
``merge_mode``: 'concat' [y, y'] on the last axis, 'sum' y + y', 'mul' y ⊙ y', 'ave' (y + y')/2,
or None: the pair [y, y']. With ``return_state`` the forward layer's final states follow, then
the backward's. An input mask reaches both layers; with ``return_sequences`` the masked steps'
outputs are 0 (Keras sets ``zero_output_for_mask`` on both copies).
"""

from __future__ import annotations

from typing import Any

from nnlab.autograd import Tensor, concatenate

from ..variables import name_scope
from .base import Layer, plain_config
from .core import _serialize

__all__ = ["Bidirectional"]

MERGE_MODES = ("sum", "mul", "ave", "concat", None)


def _copy(layer: Layer, name: str, **changes: Any) -> Layer:
    from . import deserialize

    spec = _serialize(layer)
    spec["config"] = {**spec["config"], "name": name, **changes}
    return deserialize(spec)


def _strip(name: str, prefix: str) -> str:
    return name[len(prefix) :] if name.startswith(prefix) else name


class Bidirectional(Layer):
    """Run ``layer`` over the sequence in both directions and merge (see the module docstring).

    Args (Keras 3's): layer (an RNN layer), merge_mode ('concat'), weights (initial weights,
    forward half then backward half), backward_layer (defaults to a backwards copy of layer).
    """

    def __init__(
        self,
        layer: Any,
        merge_mode: str | None = "concat",
        weights: Any = None,
        backward_layer: Any = None,
        **kwargs: Any,
    ) -> None:
        if not isinstance(layer, Layer):
            raise ValueError(
                "Please initialize `Bidirectional` layer with a `keras.layers.Layer` "
                f"instance. Received: {layer}"
            )
        if backward_layer is not None and not isinstance(backward_layer, Layer):
            raise ValueError(
                "`backward_layer` need to be a `keras.layers.Layer` instance. "
                f"Received: {backward_layer}"
            )
        if merge_mode not in MERGE_MODES:
            raise ValueError(
                f"Invalid merge mode. Received: {merge_mode}. Merge mode should be one of "
                '{"sum", "mul", "ave", "concat", None}'
            )
        super().__init__(**kwargs)
        self.forward_layer: Any = _copy(layer, f"forward_{_strip(layer.name, 'forward_')}")
        if backward_layer is None:
            backward_layer = _copy(
                layer, f"backward_{_strip(layer.name, 'backward_')}", go_backwards=True
            )
        self.backward_layer: Any = backward_layer
        self._check_pair()
        for sub in (self.forward_layer, self.backward_layer):  # Keras's rule for both copies
            if getattr(sub, "zero_output_for_mask", None) is not None:
                sub.zero_output_for_mask = getattr(sub, "return_sequences", False)
        self.merge_mode = merge_mode
        self.stateful = bool(getattr(layer, "stateful", False))
        self.return_sequences = bool(getattr(layer, "return_sequences", False))
        self.return_state = bool(getattr(layer, "return_state", False))
        self.supports_masking = True
        self.input_spec = layer.input_spec
        self._initial_weights = list(weights) if weights else None

    def _check_pair(self) -> None:
        fwd, bwd = self.forward_layer, self.backward_layer
        if getattr(fwd, "go_backwards", None) == getattr(bwd, "go_backwards", None):
            raise ValueError(
                "Forward layer and backward layer should have different `go_backwards` value. "
                f"Received: forward_layer.go_backwards {getattr(fwd, 'go_backwards', None)}, "
                f"backward_layer.go_backwards={getattr(bwd, 'go_backwards', None)}"
            )
        for a in ("stateful", "return_sequences", "return_state"):
            f, b = getattr(fwd, a, None), getattr(bwd, a, None)
            if f != b:
                raise ValueError(
                    "Forward layer and backward layer are expected to have the same value for "
                    f'attribute "{a}", got "{f}" for forward layer and "{b}" for backward layer'
                )

    @property
    def states(self) -> Any:
        fwd = getattr(self.forward_layer, "states", None)
        bwd = getattr(self.backward_layer, "states", None)
        return tuple(fwd + bwd) if fwd and bwd else None

    def reset_states(self) -> None:
        self.reset_state()

    def reset_state(self) -> None:
        if not self.stateful:
            raise AttributeError("Layer must be stateful.")
        self.forward_layer.reset_state()
        self.backward_layer.reset_state()

    def build(self, sequences_shape: Any, initial_state_shape: Any = None) -> None:
        for sub in (self.forward_layer, self.backward_layer):
            if not sub.built:  # paths 'bidirectional/forward_lstm/lstm_cell/kernel'
                with name_scope(self.name, caller=self):
                    sub.build(sequences_shape)
                sub.built = True
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None
        self.built = True

    def compute_output_shape(self, sequences_shape: Any, initial_state_shape: Any = None) -> Any:
        shape = self.forward_layer.compute_output_shape(sequences_shape)
        back = self.backward_layer.compute_output_shape(sequences_shape)
        states: list[Any] = []
        if self.return_state:
            shape, states = shape[0], [*shape[1:], *back[1:]]
            back = back[0]
        shape = tuple(shape)
        if self.merge_mode == "concat":  # (Keras doubles the forward width: the same unless
            # a backward_layer of another width is given)
            out: Any = (*shape[:-1], shape[-1] + back[-1])
        elif self.merge_mode is None:
            out = [shape, shape]
        else:
            out = shape
        if not self.return_state:
            return out
        head = list(out) if self.merge_mode is None else [out]
        return [*head, *states]

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        if isinstance(mask, list | tuple):
            mask = mask[0]
        if self.return_sequences:
            output_mask: Any = [mask, mask] if self.merge_mode is None else mask
        else:
            output_mask = [None, None] if self.merge_mode is None else None
        if self.return_state:  # the states carry no mask
            count = len(getattr(self.forward_layer, "state_size", []))
            count += len(getattr(self.backward_layer, "state_size", []))
            head = output_mask if isinstance(output_mask, list) else [output_mask]
            return head + [None] * count
        return output_mask

    def call(  # type: ignore[override]
        self,
        sequences: Tensor,
        initial_state: Any = None,
        mask: Any = None,
        training: bool | None = None,
    ) -> Any:
        kwargs: dict[str, Any] = {"training": training}
        if mask is not None:
            kwargs["mask"] = mask
        forward_state = backward_state = None
        if initial_state is not None:
            half = len(initial_state) // 2
            forward_state, backward_state = initial_state[:half], initial_state[half:]
        y = self.forward_layer(sequences, initial_state=forward_state, **kwargs)
        y_rev = self.backward_layer(sequences, initial_state=backward_state, **kwargs)
        states: list[Any] = []
        if self.return_state:
            states = [*y[1:], *y_rev[1:]]
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = y_rev[:, ::-1]
        if self.merge_mode == "concat":
            output: Any = concatenate([y, y_rev], axis=-1)
        elif self.merge_mode == "sum":
            output = y + y_rev
        elif self.merge_mode == "ave":
            output = (y + y_rev) / 2.0
        elif self.merge_mode == "mul":
            output = y * y_rev
        else:
            output = [y, y_rev]
        if self.return_state:
            return [*output, *states] if self.merge_mode is None else [output, *states]
        return output

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "merge_mode": self.merge_mode,
            "layer": _serialize(self.forward_layer),
            "backward_layer": _serialize(self.backward_layer),
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Bidirectional:
        from . import deserialize

        config = plain_config(config)
        layer = deserialize(config.pop("layer"))
        backward = config.pop("backward_layer", None)
        if isinstance(backward, dict):
            backward = deserialize(backward)
        return cls(layer, backward_layer=backward, **config)
