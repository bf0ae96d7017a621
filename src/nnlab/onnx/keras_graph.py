"""The computation of a Keras-style model as a list of layer calls, for export.

A Sequential model is a chain: ``model.layers`` in order on one input of ``model.input_shape``.
A functional model is read from its Keras 3 config (``model.get_config()``): each layer entry
lists its calls (``inbound_nodes``), each call the tensors it takes, named by
``keras_history = [layer, call index, output index]``; ``input_layers`` and ``output_layers``
name the model's inputs and outputs. Layer objects come from ``model.get_layer(name)``. The
calls are put in an order where every input is computed before it is used.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from nnlab.autograd import Tensor, no_grad

__all__ = ["Call", "Plan", "plan"]

Shape = tuple[int | None, ...]


@dataclass
class Call:
    """``layer`` applied to the tensors ``inputs`` (refs), giving the tensor ``output``."""

    layer: Any
    inputs: list[str]
    output: str
    merged: bool  # the layer takes a list of tensors (Add, Concatenate, ...)


@dataclass
class Plan:
    inputs: list[tuple[str, Shape]]  # (ref, shape); the ref is the input layer's name
    calls: list[Call]
    outputs: list[str]
    shapes: dict[str, Shape]  # every ref's shape


def _ref(history: Any) -> str:
    if (
        not isinstance(history, list | tuple)
        or len(history) != 3
        or not isinstance(history[0], str)
    ):
        raise ValueError(f"export: unreadable tensor reference {history!r} in the model config")
    layer, node, index = history
    if index != 0:
        raise ValueError(f"export: layer {layer!r} has several outputs; not exported")
    return f"{layer}:{node}"


def _arg_refs(arg: Any) -> tuple[list[str], bool]:
    """The refs of a call's first argument: one tensor, or a list of them (merging layers)."""
    if isinstance(arg, dict) and arg.get("class_name") == "__keras_tensor__":
        return [_ref(arg["config"]["keras_history"])], False
    if isinstance(arg, list) and all(isinstance(a, dict) for a in arg):
        return [_ref(a["config"]["keras_history"]) for a in arg], True
    raise ValueError(f"export: unreadable layer call arguments {str(arg)[:80]} in the config")


def _next_shape(layer: Any, shape: Any) -> Shape:
    """The layer's output shape: its ``compute_output_shape``, else one call on zeros."""
    compute = getattr(layer, "compute_output_shape", None)
    if callable(compute):
        return tuple(compute(shape))
    with no_grad():
        out = layer.call(Tensor(np.zeros((1, *shape[1:]), np.float32)), training=False)
    return (None, *out.shape[1:])


def _sequential(model: Any) -> Plan:
    from nnlab.keras.saving import serialization

    shape = serialization.input_shape(model)
    if shape is None:
        raise ValueError(
            "export: the model's input shape is unknown; build it first (an Input layer, "
            "input_shape=..., or one predict call)"
        )
    calls, shapes, current = [], {"input": shape}, "input"
    for layer in serialization.model_layers(model):
        ref = f"{layer.name}:0"
        calls.append(Call(layer, [current], ref, merged=False))
        shapes[ref] = _next_shape(layer, shapes[current])
        current = ref
    return Plan([("input", shape)], calls, [current], shapes)


def _refs(entries: Any) -> list[str]:
    if entries and isinstance(entries[0], str):  # a single [name, node, index]
        entries = [entries]
    return [_ref(e) for e in entries]


def _functional(model: Any, config: dict[str, Any]) -> Plan:
    pending: list[Call] = []
    inputs: list[tuple[str, Shape]] = []
    shapes: dict[str, Shape] = {}
    for entry in config["layers"]:
        name = entry.get("name") or entry["config"]["name"]
        if entry["class_name"] == "InputLayer":
            shape = tuple(
                entry["config"].get("batch_shape") or entry["config"]["batch_input_shape"]
            )
            shapes[f"{name}:0"] = shape
            continue
        layer = model.get_layer(name)
        for node, call in enumerate(entry.get("inbound_nodes") or []):
            refs, merged = _arg_refs(call["args"][0])
            pending.append(Call(layer, refs, f"{name}:{node}", merged))
    for ref in _refs(config["input_layers"]):
        inputs.append((ref, shapes[ref]))
    ordered: list[Call] = []
    while pending:
        ready = [c for c in pending if all(r in shapes for r in c.inputs)]
        if not ready:
            missing = sorted({r for c in pending for r in c.inputs if r not in shapes})
            raise ValueError(f"export: the model config never computes {missing}")
        for call in ready:
            args = [shapes[r] for r in call.inputs]
            shapes[call.output] = _next_shape(call.layer, args if call.merged else args[0])
            ordered.append(call)
            pending.remove(call)
    return Plan(inputs, ordered, _refs(config["output_layers"]), shapes)


def plan(model: Any) -> Plan:
    """The model's layer calls in order, its inputs and outputs (see the module docstring)."""
    config = model.get_config()
    if isinstance(config, dict) and "input_layers" in config and "output_layers" in config:
        return _functional(model, config)
    return _sequential(model)
