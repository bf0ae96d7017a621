"""``Model``: a ``Layer`` with the training API (``compile``/``fit``/``evaluate``/``predict``).

Three ways to make one, as in Keras 3:

- ``Sequential([...])``: a stack of layers (:mod:`.sequential`);
- ``Model(inputs, outputs)``: the functional API, a graph of layer calls on ``keras.Input``
  (:mod:`.functional`);
- subclassing: ``class MyModel(Model)`` with layers assigned as attributes in ``__init__`` and the
  computation in ``call(inputs, training=None)``; the layers are found by walking the
  attributes (an ``nnlab.nn.Module``), so ``weights``, ``trainable_weights`` and ``fit`` see
  them.

``seed`` (or ``keras.utils.set_random_seed``) fixes the model's generator: the initial weights of
its layers (drawn in the order they are built), the shuffling and the dropout masks.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np

from nnlab.autograd import Tensor, no_grad

from ..layers.base import Layer, keeping_weights
from ..training import Trainer
from ..utils import new_rng, snake_case, unique_name
from . import state_tree
from .state_tree import set_state_tree as _set_state_tree

__all__ = ["Model"]


class Model(Trainer, Layer):
    """A trainable graph of layers. ``Model(inputs, outputs)`` makes a functional model;
    subclasses define ``call``. Attributes set by ``compile``/``fit``: ``optimizer``, ``loss``,
    ``stop_training``, ``history``."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        if cls is Model and (args or "inputs" in kwargs or "outputs" in kwargs):
            from .functional import Functional

            return object.__new__(Functional)
        return object.__new__(cls)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from .functional import Functional

        if (args or "inputs" in kwargs) and not isinstance(self, Functional):
            # a subclass built as Model(inputs, outputs): it becomes a functional subclass
            self.__class__ = _functional_subclass(type(self))
            Functional.__init__(self, *args, **kwargs)  # type: ignore[arg-type]
            return
        if args:
            raise TypeError(f"{type(self).__name__}: unexpected positional arguments {args!r}")
        seed = kwargs.pop("seed", None)
        name = kwargs.pop("name", None) or unique_name(snake_case(type(self).__name__))
        super().__init__(name=name, **kwargs)
        self.seed = seed
        self._rng: np.random.Generator = new_rng(seed)
        self.optimizer = None
        self.loss = None
        self.compiled_loss = None
        self.compiled = False
        self.stop_training = False
        self.history = None
        self._traced_outputs: list[tuple[Any, ...]] | None = None

    # ------------------------------------------------------------------ structure
    @property
    def layers(self) -> list[Layer]:
        """The layers directly in this model (attributes, in the order they were set)."""
        return self._sublayers()

    @layers.setter
    def layers(self, _: Any) -> None:
        raise AttributeError(
            "`Model.layers` attribute is reserved and should not be used. Please use another name."
        )

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        """The layer called ``name``, or the one at position ``index`` in ``layers``."""
        if index is not None and name is not None:
            raise ValueError("get_layer: give name= or index=, not both")
        layers = self.layers
        if index is not None:
            if not -len(layers) <= index < len(layers):
                raise ValueError(f"get_layer: index {index} out of range ({len(layers)} layers)")
            return layers[index]
        for layer in layers:
            if layer.name == name:
                return layer
        raise ValueError(
            f"get_layer: no layer named {name!r}; layers: {[la.name for la in layers]}"
        )

    def _share_rng(self) -> None:
        """Layers without their own generator draw from the model's (reproducible seeds)."""
        for layer in self._flatten_layers(include_self=False):
            if layer._rng is None:
                layer._rng = self._rng

    def _build_from(self, inputs: Any) -> None:
        self._share_rng()
        super()._build_from(inputs)

    def _parameters(self) -> list[Any]:
        return self.trainable_weights

    # ------------------------------------------------------------------ the trainer's hooks
    def _input_names(self) -> list[str]:
        return ["input"]

    _inputs_from_data = True  # Functional and Sequential: False (their inputs are declared)

    def _input_names_for(self, x: Any) -> list[str]:
        """A subclassed model's ``call`` gets the data's structure: a tuple or list of arrays
        (``fit((x_wide, x_deep), y)``) is one input each, a dict one input per key (its batches
        are dicts again)."""
        if self._inputs_from_data:
            if isinstance(x, dict):
                return list(x)
            if isinstance(x, list | tuple) and len(x) > 1 and all(_is_array(a) for a in x):
                return [f"input_{i}" for i in range(len(x))]
        return self._input_names()

    def _outputs_known(self) -> bool:
        return not self._inputs_from_data or self._traced_outputs is not None

    def _output_names(self) -> list[str]:
        n = 1 if self._traced_outputs is None else len(self._traced_outputs)
        return ["output"] if n == 1 else [f"output_{i}" for i in range(n)]

    def _input_shapes(self) -> list[tuple[Any, ...]] | None:
        return None

    def _output_shapes(self) -> list[tuple[Any, ...]] | None:
        return self._traced_outputs

    def _batch_packer(self, x: Any, names: list[str]) -> Callable[[list[Any]], Any] | None:
        """A subclassed model given a dict gets each batch as a dict with the same keys."""
        if self._inputs_from_data and isinstance(x, dict):
            return partial(_as_dict, names)
        return None

    def _build_for(
        self, xs: list[np.ndarray], pack: Callable[[list[Any]], Any] | None = None
    ) -> None:
        """Build a subclassed model by running it once on the first samples (no graph). As
        Keras's symbolic build, this call changes no state: what it writes into variables that
        existed before it (e.g. a counter the model's ``call`` increments) is undone."""
        if self._traced_outputs is not None:
            return
        self._share_rng()
        sample: Any = [a[:2] for a in xs]
        if pack is not None:
            sample = pack(sample)
        elif len(sample) == 1:
            sample = sample[0]
        with no_grad(), keeping_weights(self):
            out = self(sample, training=False)
        flat = (
            out
            if isinstance(out, list | tuple)
            else list(out.values())
            if isinstance(out, dict)
            else [out]
        )
        self._traced_outputs = [(None, *t.shape[1:]) for t in flat]

    # ------------------------------------------------------------------ weights and files
    def get_weights(self) -> list[np.ndarray]:
        """Copies of all weights, layer by layer (Dense: kernel (in, out), then bias (out,))."""
        return [w.data.copy() for w in self.weights]

    def set_weights(self, weights: Any) -> None:
        """Overwrite all weights from a list shaped like ``get_weights()``."""
        weights = list(weights)
        params = self.weights
        if len(weights) != len(params) or not self.built:
            raise ValueError(
                f"set_weights: the model has {len(params)} weight arrays"
                f"{'' if self.built else ' (and is not built yet)'}, got {len(weights)}"
            )
        arrays = [np.asarray(w.data if isinstance(w, Tensor) else w) for w in weights]
        for p, a in zip(params, arrays, strict=True):
            if a.shape != p.shape:
                owner = next(
                    la
                    for la in self._flatten_layers()
                    if any(w is p for w in la._trainable_weights + la._non_trainable_weights)
                )
                own = owner._trainable_weights + owner._non_trainable_weights
                raise ValueError(
                    f"set_weights: layer {owner.name!r} expects arrays of shapes "
                    f"{[w.shape for w in own]}, got {a.shape} for weight of shape {p.shape}"
                )
        for p, a in zip(params, arrays, strict=True):
            p.data[...] = a

    def get_state_tree(self, value_format: str = "backend_tensor") -> dict[str, dict[str, Any]]:
        """All variables as nested dicts by path, in four groups: ``trainable_variables``,
        ``non_trainable_variables``, ``optimizer_variables``, ``metrics_variables`` (e.g.
        ``tree["trainable_variables"]["dense"]["kernel"]``). Leaves are copies: nnlab Tensors, or
        NumPy arrays with ``value_format="numpy_array"``. The model must be compiled."""
        return state_tree.get_state_tree(self, value_format)

    def set_state_tree(self, state_tree: dict[str, Any]) -> None:
        """Assign values given as ``get_state_tree`` returns them (any subset of groups and
        paths; a path matching no variable is skipped, as in Keras)."""
        _set_state_tree(self, state_tree)

    def summary(
        self,
        line_length: int | None = None,
        positions: Any = None,
        print_fn: Callable[[str], Any] | None = None,
        expand_nested: bool = False,
        show_trainable: bool = False,
        layer_range: Any = None,
    ) -> None:
        """Print Keras's table: layer (type), output shape, parameter count, and the totals."""
        from ..summary import summary_lines

        for line in summary_lines(self):
            (print_fn or print)(line)

    def save(self, filepath: str | os.PathLike[str], overwrite: bool = True, **kwargs: Any) -> None:
        """Write the model as a Keras 3 ``.keras`` file (architecture, weights, compile settings,
        optimizer state; atomic): :mod:`nnlab.keras.saving`."""
        from .. import saving

        saving.save_model(self, filepath)

    def save_weights(self, filepath: str | os.PathLike[str], overwrite: bool = True) -> None:
        """Write the weights as Keras 3's ``.weights.h5`` file (atomic)."""
        from .. import saving

        saving.save_weights(self, filepath)

    def load_weights(self, filepath: str | os.PathLike[str], **kwargs: Any) -> None:
        """Set the weights from a ``.weights.h5`` or ``.keras`` file (Keras's or nnlab's); the
        file is checked and its shapes must be this model's."""
        from .. import saving

        saving.load_weights(self, filepath)

    def export(self, filepath: str | os.PathLike[str], format: str = "onnx", **kwargs: Any) -> None:  # noqa: A002
        """Write the model for inference elsewhere: ``format="onnx"`` (:mod:`nnlab.onnx`)."""
        if format != "onnx":
            raise ValueError(
                f"export: format must be 'onnx' (the one nnlab writes), got {format!r}"
            )
        from nnlab.onnx import export_keras

        export_keras(self, filepath)

    def to_json(self, **kwargs: Any) -> str:
        """The architecture as Keras's JSON: {"class_name", "config", ...}."""
        from .cloning import serialize_model

        return json.dumps(serialize_model(self), **kwargs)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "trainable": self.trainable, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: Any = None) -> Any:
        if "layers" in config and "input_layers" in config:
            from .functional import Functional

            return Functional.from_config(config, custom_objects=custom_objects)
        return cls(**{k: v for k, v in config.items() if k not in ("dtype",)})

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r}, built={self.built}>"


_FUNCTIONAL_SUBCLASSES: dict[type, type] = {}


def _functional_subclass(cls: type) -> type:
    """``cls`` with the functional model's machinery mixed in (Keras's injection)."""
    from .functional import Functional

    if cls not in _FUNCTIONAL_SUBCLASSES:
        _FUNCTIONAL_SUBCLASSES[cls] = type(cls.__name__, (cls, Functional), {})
    return _FUNCTIONAL_SUBCLASSES[cls]


def _is_array(a: Any) -> bool:
    return isinstance(a, np.ndarray | Tensor)


def _as_dict(keys: list[str], xs: list[Any]) -> dict[str, Any]:
    return dict(zip(keys, xs, strict=True))
