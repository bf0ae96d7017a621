"""``keras.utils.model_to_dot`` and ``keras.utils.plot_model``: a model's layers as a graph.

Each layer (an ``InputLayer`` included) is a box labelled ``name (ClassName)``, with, on request,
its input and output shapes, dtypes, activation and whether it trains; an arrow goes from a
layer to each layer that takes its output. A Sequential model is a chain, a functional model
its graph of layer calls (a layer called twice, e.g. shared, is one box with several arrows),
a subclassed model one box (its ``call`` is Python code, not a graph). With
``expand_nested=True`` a model used as a layer is drawn as a frame holding its own layers.

``model_to_dot`` returns the Graphviz DOT text (Keras returns a ``pydot`` object built from the
same description); ``plot_model`` renders it with Graphviz's ``dot`` program to a .png, .svg,
.pdf or .jpg file, written atomically.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from nnlab.autograd.graph import render_dot

__all__ = ["model_to_dot", "plot_model"]

RANKDIRS = ("TB", "LR", "BT", "RL")


class _Dot:
    """The DOT text being written: boxes, frames (nested models) and arrows."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        self.lines: list[str] = []
        self.edges: list[tuple[str, str]] = []

    def box(self, layer: Any, indent: str) -> str:
        node_id = f"layer_{id(layer)}"
        label = _escape(_label(layer, self.options))
        self.lines.append(f'{indent}{node_id} [label="{label}"];')
        return node_id

    def model(self, model: Any, indent: str = "  ") -> tuple[list[str], list[str]]:
        """Draw ``model``'s layers; returns the ids its inputs enter and its outputs leave."""
        layers, arrows = _layers(model), list(_arrows(model))
        ids: dict[int, tuple[list[str], list[str]]] = {}
        for layer in layers:
            if self.options["expand_nested"] and _is_graph_model(layer):
                self.lines.append(f"{indent}subgraph cluster_{id(layer)} {{")
                title = _escape(f"{layer.name} ({type(layer).__name__})")
                self.lines.append(f'{indent}  label="{title}"; style=dashed;')
                ids[id(layer)] = self.model(layer, indent + "  ")
                self.lines.append(f"{indent}}}")
            else:
                node_id = self.box(layer, indent)
                ids[id(layer)] = ([node_id], [node_id])
        for source, target in arrows:
            for a in ids[id(source)][1]:
                for b in ids[id(target)][0]:
                    self.edges.append((a, b))
        # it is entered where no arrow comes in, left where none goes out
        taking = {id(target) for _, target in arrows}
        feeding = {id(source) for source, _ in arrows}
        firsts = [la for la in layers if id(la) not in taking] or layers[:1]
        lasts = [la for la in layers if id(la) not in feeding] or layers[-1:]
        return (
            [i for la in firsts for i in ids[id(la)][0]],
            [i for la in lasts for i in ids[id(la)][1]],
        )


def model_to_dot(
    model: Any,
    show_shapes: bool = False,
    show_dtype: bool = False,
    show_layer_names: bool = True,
    rankdir: str = "TB",
    expand_nested: bool = False,
    dpi: int = 200,
    subgraph: bool = False,
    show_layer_activations: bool = False,
    show_trainable: bool = False,
    **kwargs: Any,
) -> str:
    """The Graphviz DOT text of ``model``'s layers (see the module docstring)."""
    if kwargs:
        raise ValueError(f"model_to_dot: unrecognized keyword arguments {sorted(kwargs)}")
    if rankdir not in RANKDIRS:
        raise ValueError(f"model_to_dot: rankdir must be one of {RANKDIRS}, got {rankdir!r}")
    if isinstance(dpi, bool) or not isinstance(dpi, int) or dpi <= 0:
        raise ValueError(f"model_to_dot: dpi must be a positive integer, got {dpi!r}")
    if not getattr(model, "built", True):
        raise ValueError(
            "This model has not yet been built. Build the model first by calling `build()` or "
            "by calling the model on a batch of data."
        )
    dot = _Dot(
        {
            "show_shapes": show_shapes,
            "show_dtype": show_dtype,
            "show_layer_names": show_layer_names,
            "expand_nested": expand_nested,
            "show_layer_activations": show_layer_activations,
            "show_trainable": show_trainable,
        }
    )
    dot.model(model)
    head = "subgraph" if subgraph else "digraph"
    lines = [
        f'{head} "{_escape(model.name)}" {{',
        f'  rankdir={rankdir}; dpi={dpi}; concentrate=true; fontname="Helvetica";',
        '  node [shape=box, style="rounded,filled", fillcolor="#eef2ff", fontname="Helvetica"];',
        *dot.lines,
        *(f"  {a} -> {b};" for a, b in dict.fromkeys(dot.edges)),
        "}",
    ]
    return "\n".join(lines) + "\n"


def plot_model(model: Any, to_file: str | os.PathLike[str] = "model.png", **options: Any) -> Any:
    """Draw ``model`` to ``to_file`` (the format from its suffix: .png, .svg, .pdf, .jpg) with
    Graphviz's ``dot``; ``options`` are ``model_to_dot``'s (show_shapes, show_dtype,
    show_layer_names, rankdir, expand_nested, dpi, show_layer_activations, show_trainable).
    Returns an ``IPython.display.Image`` of a .png or .jpg when IPython is installed (a
    notebook shows it), else None."""
    text = model_to_dot(model, **options)
    path = render_dot(
        text,
        to_file,
        "plot_model",
        formats=("png", "svg", "pdf", "jpg", "jpeg"),
        hint="keras.utils.model_to_dot(model)",
    )
    if path.suffix.lower() in (".png", ".jpg", ".jpeg"):
        try:
            from IPython import display
        except ImportError:
            return None
        return display.Image(filename=str(path))
    return None


# ---------------------------------------------------------------------- the model's graph
def _is_graph_model(layer: Any) -> bool:
    from .models import Sequential
    from .models.functional import Functional

    return isinstance(layer, Sequential | Functional)


def _layers(model: Any) -> list[Any]:
    """The boxes: every layer of a Sequential or functional model (its inputs first), or the
    model itself when it is a subclassed model or a plain layer."""
    from .models import Sequential
    from .models.functional import Functional

    if isinstance(model, Functional):
        return list(model._operations)
    if isinstance(model, Sequential):
        first = [model._input_layer] if model._input_layer is not None else []
        return first + list(model.layers)
    return [model]


def _arrows(model: Any) -> Iterator[tuple[Any, Any]]:
    """(layer, layer that takes its output) pairs of ``model``'s graph."""
    from .models import Sequential
    from .models.functional import Functional

    if isinstance(model, Functional):
        mine = {id(n) for n in model._nodes}
        for op in model._operations:
            for node in op._inbound_nodes:
                if id(node) in mine:
                    for parent in node.parent_nodes:
                        yield parent.layer, op
    elif isinstance(model, Sequential):
        chain = _layers(model)
        yield from zip(chain[:-1], chain[1:], strict=True)


def _label(layer: Any, options: dict[str, Any]) -> str:
    kind = type(layer).__name__
    lines = [f"{layer.name} ({kind})" if options["show_layer_names"] else kind]
    node = _first_node(layer)
    if options["show_shapes"] or options["show_dtype"]:
        inputs = node.input_tensors if node is not None else []
        outputs = node.output_tensors if node is not None else []
        if options["show_shapes"]:
            if inputs and kind != "InputLayer":
                lines.append(f"Input shape: {_shapes(inputs)}")
            lines.append(f"Output shape: {_shapes(outputs)}")
        if options["show_dtype"]:
            if inputs and kind != "InputLayer":
                lines.append(f"Input dtype: {_dtypes(inputs)}")
            lines.append(f"Output dtype: {_dtypes(outputs)}")
    if options["show_layer_activations"] and hasattr(layer, "activation_name"):
        lines.append(f"Activation: {layer.activation_name}")
    if options["show_trainable"]:
        lines.append(f"Trainable: {bool(getattr(layer, 'trainable', True))}")
    return "\n".join(lines)


def _first_node(layer: Any) -> Any:
    nodes = getattr(layer, "_inbound_nodes", [])
    return nodes[0] if nodes else None


def _shapes(tensors: list[Any]) -> str:
    if not tensors:
        return "?"
    shapes = [str(tuple(t.shape)) for t in tensors]
    return shapes[0] if len(shapes) == 1 else "[" + ", ".join(shapes) + "]"


def _dtypes(tensors: list[Any]) -> str:
    names = [str(t.dtype) for t in tensors]
    return names[0] if len(names) == 1 else "[" + ", ".join(names) + "]" if names else "?"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
