"""The functional API: ``Model(inputs, outputs)``, a graph of layer calls.

    inputs = keras.Input(shape=(784,))
    x = layers.Dense(64, activation="relu")(inputs)
    outputs = layers.Dense(10)(x)
    model = keras.Model(inputs=inputs, outputs=outputs)

Each call of a layer on KerasTensors recorded a ``Node``; the model walks back from the outputs
to the inputs to find the nodes it is made of. As in Keras 3, nodes and layers get a *depth* (0
for the outputs, one more than the deepest node they feed), ``model.layers`` lists the layers by
decreasing depth (ties in the order the walk met them), and running the model evaluates the
nodes with every node after the nodes it reads. A layer called twice (a shared layer) appears
once in ``layers`` and uses the same weights at both calls.
"""

from __future__ import annotations

from typing import Any

from ..layers.base import Layer
from ..layers.input_layer import InputLayer, KerasTensor, Node
from ..utils import unique_name
from .model import Model

__all__ = ["Functional"]


def _flatten(x: Any) -> list[Any]:
    if isinstance(x, list | tuple):
        return [v for item in x for v in _flatten(item)]
    if isinstance(x, dict):
        return [v for item in x.values() for v in _flatten(item)]
    return [x]


def _map(x: Any, fn: Any) -> Any:
    if isinstance(x, list | tuple):
        return [_map(v, fn) for v in x]
    if isinstance(x, dict):
        return {k: _map(v, fn) for k, v in x.items()}
    return fn(x)


def map_graph(
    inputs: list[KerasTensor], outputs: list[KerasTensor]
) -> tuple[list[Node], list[Layer]]:
    """(nodes in an order that evaluates every node after its parents, layers in Keras's order)."""
    input_ids = {id(t) for t in inputs}
    visited: set[int] = set()
    in_progress: set[int] = set()
    post_order: list[Node] = []
    layer_index: dict[int, int] = {}
    layers_by_id: dict[int, Layer] = {}

    def visit(tensor: KerasTensor) -> None:
        history = tensor._keras_history
        if history is None:
            raise ValueError(f"{tensor!r} does not come from keras.Input or a layer call")
        node = history[0]
        if id(node) in in_progress:
            raise ValueError(f"the graph has a cycle at layer {node.layer.name!r}")
        if id(node) in visited:
            return
        layer_index.setdefault(id(node.layer), len(layer_index))
        layers_by_id[id(node.layer)] = node.layer
        in_progress.add(id(node))
        if not node.is_input and id(tensor) not in input_ids:
            for parent in node.input_tensors:
                visit(parent)
        in_progress.discard(id(node))
        visited.add(id(node))
        post_order.append(node)

    for t in outputs:
        visit(t)
    for t in inputs:
        node = t._keras_history[0] if t._keras_history else None
        if node is None or not node.is_input:
            raise ValueError(f"model inputs must come from keras.Input(...), got {t!r}")
        if id(node.layer) not in layer_index:
            layer_index[id(node.layer)] = -1
            layers_by_id[id(node.layer)] = node.layer
            post_order.insert(0, node)
    node_depth: dict[int, int] = {}
    layer_depth: dict[int, int] = {}
    for node in reversed(post_order):
        depth = max(node_depth.setdefault(id(node), 0), layer_depth.get(id(node.layer), 0))
        layer_depth[id(node.layer)] = depth
        node_depth[id(node)] = depth
        for parent in node.parent_nodes:
            node_depth[id(parent)] = max(depth + 1, node_depth.get(id(parent), 0))
    for t in inputs:  # an input is as deep as the deepest node
        layer = t._keras_history[0].layer  # type: ignore[index]
        layer_depth[id(layer)] = max(layer_depth.get(id(layer), 0), 0)
    ordered = sorted(layers_by_id, key=lambda k: (-layer_depth[k], layer_index[k]))
    used = {id(t._keras_history[0].layer) for t in inputs}  # type: ignore[index]
    for node in post_order:
        used.add(id(node.layer))
    missing = [
        t
        for node in post_order
        for t in node.input_tensors
        if id(t._keras_history[0]) not in visited and id(t) not in input_ids  # type: ignore[index]
    ]
    if missing:
        raise ValueError(f"the outputs depend on tensors that are not model inputs: {missing}")
    for node in post_order:
        if node.is_input and id(node.outputs) not in input_ids:
            raise ValueError(
                f"the outputs depend on the input {node.layer.name!r}, which is not among the "
                "model's inputs"
            )
    return [n for n in post_order if not n.is_input], [layers_by_id[k] for k in ordered]


class Functional(Model):
    """A model made of the layer calls between ``inputs`` and ``outputs`` (KerasTensors, or
    lists / dicts of them)."""

    def __init__(
        self,
        inputs: Any,
        outputs: Any,
        name: str | None = None,
        trainable: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(name=name or unique_name("functional"), trainable=trainable, **kwargs)
        for t in _flatten(inputs) + _flatten(outputs):
            if not isinstance(t, KerasTensor):
                raise TypeError(
                    f"Model(inputs, outputs): expected KerasTensors (from keras.Input and layer "
                    f"calls), got {type(t).__name__}"
                )
        self._inputs_struct = inputs
        self._outputs_struct = outputs
        self._input_tensors: list[KerasTensor] = _flatten(inputs)
        self._output_tensors: list[KerasTensor] = _flatten(outputs)
        self._nodes, layers = map_graph(self._input_tensors, self._output_tensors)
        self._layers: list[Layer] = layers  # walked by nn.Module: the weights, in this order
        self.built = True

    # ------------------------------------------------------------------ structure
    @property
    def layers(self) -> list[Layer]:
        return list(self._layers)

    @property
    def inputs(self) -> list[KerasTensor]:
        return list(self._input_tensors)

    @property
    def outputs(self) -> list[KerasTensor]:
        return list(self._output_tensors)

    @property
    def input(self) -> Any:
        return self._inputs_struct

    @property
    def output(self) -> Any:
        return self._outputs_struct

    @property
    def input_shape(self) -> Any:
        shapes = [t.shape for t in self._input_tensors]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_shape(self) -> Any:
        shapes = [t.shape for t in self._output_tensors]
        return shapes[0] if len(shapes) == 1 else shapes

    # ------------------------------------------------------------------ running
    def _run(self, inputs: Any, training: bool | None, values_of: Any) -> Any:
        flat = self._flat_inputs(inputs)
        values: dict[int, Any] = {id(t): v for t, v in zip(self._input_tensors, flat, strict=True)}
        for node in self._nodes:
            args = _map(node.inputs, lambda t: values[id(t)] if isinstance(t, KerasTensor) else t)
            kwargs = dict(node.kwargs)
            kwargs.setdefault("training", training)
            out = values_of(node.layer, args, node.args, kwargs)
            for t, v in zip(node.output_tensors, _flatten(out), strict=True):
                values[id(t)] = v
        return _map(self._outputs_struct, lambda t: values[id(t)])

    def call(self, inputs: Any, training: bool | None = None, mask: Any = None) -> Any:
        return self._run(inputs, training, lambda layer, args, extra, kw: layer(args, *extra, **kw))

    def _flat_inputs(self, inputs: Any) -> list[Any]:
        n = len(self._input_tensors)
        if isinstance(inputs, dict):
            if isinstance(self._inputs_struct, dict):
                return [inputs[k] for k in self._inputs_struct]
            names = [t.name for t in self._input_tensors]
            missing = [k for k in names if k not in inputs]
            if missing:
                raise ValueError(f"model {self.name!r}: inputs {missing} are missing")
            return [inputs[k] for k in names]
        flat = list(inputs) if isinstance(inputs, list | tuple) and n > 1 else [inputs]
        if isinstance(inputs, list | tuple) and n == 1 and len(inputs) == 1:
            flat = [inputs[0]]
        if len(flat) != n:
            raise ValueError(f"model {self.name!r} expects {n} inputs, got {len(flat)}")
        return flat

    def compute_output_shape(self, input_shape: Any) -> Any:
        shapes = input_shape if len(self._input_tensors) > 1 else [input_shape]
        if isinstance(input_shape, dict):
            shapes = list(input_shape.values())
        values: dict[int, Any] = {
            id(t): tuple(s) for t, s in zip(self._input_tensors, shapes, strict=True)
        }
        for node in self._nodes:
            args = _map(node.inputs, lambda t: values[id(t)])
            out = node.layer.compute_output_shape(args)
            outs = out if len(node.output_tensors) > 1 else [out]
            for t, s in zip(node.output_tensors, outs, strict=True):
                values[id(t)] = tuple(s)
        result = [values[id(t)] for t in self._output_tensors]
        return result[0] if len(result) == 1 else result

    # ------------------------------------------------------------------ the trainer's hooks
    def _input_names(self) -> list[str]:
        if isinstance(self._inputs_struct, dict):
            return list(self._inputs_struct)
        return [t.name for t in self._input_tensors]

    def _output_names(self) -> list[str]:
        if isinstance(self._outputs_struct, dict):
            return list(self._outputs_struct)
        return [t._keras_history[0].layer.name for t in self._output_tensors]  # type: ignore[index]

    def _input_shapes(self) -> list[tuple[Any, ...]] | None:
        return [t.shape for t in self._input_tensors]

    def _output_shapes(self) -> list[tuple[Any, ...]] | None:
        return [t.shape for t in self._output_tensors]

    def _build_for(self, xs: list[Any]) -> None:
        pass

    # ------------------------------------------------------------------ config
    def _node_index(self) -> dict[int, tuple[str, int]]:
        """Node -> (layer name, index among that layer's nodes in this model)."""
        mine = {id(n) for n in self._nodes} | {
            id(t._keras_history[0]) for t in self._input_tensors if t._keras_history is not None
        }
        out: dict[int, tuple[str, int]] = {}
        for layer in self._layers:
            k = 0
            for node in layer._inbound_nodes:
                if id(node) in mine:
                    out[id(node)] = (layer.name, k)
                    k += 1
        return out

    def _history(self, t: KerasTensor, index: dict[int, tuple[str, int]]) -> list[Any]:
        node, i = t._keras_history  # type: ignore[misc]
        name, k = index[id(node)]
        return [name, k, i]

    def get_config(self) -> dict[str, Any]:
        """Keras 3's functional config: the layers with their ``inbound_nodes`` (each call's
        arguments, KerasTensors as ``__keras_tensor__`` with their ``keras_history``), and the
        ``input_layers`` / ``output_layers``."""
        from .cloning import serialize_layer

        index = self._node_index()

        def arg(value: Any) -> Any:
            if isinstance(value, KerasTensor):
                return {
                    "class_name": "__keras_tensor__",
                    "config": {
                        "shape": list(value.shape),
                        "dtype": value.dtype,
                        "keras_history": self._history(value, index),
                    },
                }
            if isinstance(value, list | tuple):
                return [arg(v) for v in value]
            if isinstance(value, dict):
                return {k: arg(v) for k, v in value.items()}
            return value

        layer_configs = []
        for layer in self._layers:
            entry = serialize_layer(layer)
            entry["name"] = layer.name
            nodes = [n for n in layer._inbound_nodes if id(n) in index and not n.is_input]
            entry["inbound_nodes"] = [
                {"args": [arg(n.inputs), *(arg(a) for a in n.args)], "kwargs": arg(n.kwargs)}
                for n in nodes
            ]
            layer_configs.append(entry)

        def endpoints(struct: Any) -> Any:
            if isinstance(struct, dict):
                return {k: self._history(t, index) for k, t in struct.items()}
            flat = _flatten(struct)
            if isinstance(struct, KerasTensor):
                return self._history(struct, index)
            return [self._history(t, index) for t in flat]

        return {
            "name": self.name,
            "trainable": self.trainable,
            "layers": layer_configs,
            "input_layers": endpoints(self._inputs_struct),
            "output_layers": endpoints(self._outputs_struct),
        }

    @classmethod
    def from_config(
        cls, config: dict[str, Any], custom_objects: Any = None, make_layer: Any = None
    ) -> Functional:
        """Rebuild the graph from ``get_config()``: make each layer, then call it on its
        recorded inputs, layer after layer, until every node is made."""
        from .cloning import deserialize_layer

        build = make_layer or (lambda spec: deserialize_layer(spec, custom_objects))
        made: dict[str, Layer] = {}
        outputs_of: dict[tuple[str, int], list[KerasTensor]] = {}
        pending: list[tuple[str, list[dict[str, Any]]]] = []
        for spec in config["layers"]:
            layer = build({k: v for k, v in spec.items() if k not in ("inbound_nodes", "name")})
            made[spec["name"]] = layer
            if isinstance(layer, InputLayer):
                outputs_of[(spec["name"], 0)] = [layer.output_tensor]
            else:
                pending.append((spec["name"], list(spec.get("inbound_nodes", []))))

        def resolve(value: Any) -> Any:
            if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
                name, k, i = value["config"]["keras_history"]
                return outputs_of[(name, k)][i]
            if isinstance(value, list):
                return [resolve(v) for v in value]
            if isinstance(value, dict):
                return {key: resolve(v) for key, v in value.items()}
            return value

        def ready(value: Any) -> bool:
            if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
                name, k, _ = value["config"]["keras_history"]
                return (name, k) in outputs_of
            if isinstance(value, list):
                return all(ready(v) for v in value)
            if isinstance(value, dict):
                return all(ready(v) for v in value.values())
            return True

        done = {name: 0 for name, _ in pending}
        progress = True
        while progress:
            progress = False
            for name, nodes in pending:
                while done[name] < len(nodes) and ready(nodes[done[name]]):
                    node = nodes[done[name]]
                    args = resolve(node["args"])
                    kwargs = resolve(node.get("kwargs", {}))
                    # Keras records ``mask=None`` for every layer whose call takes a mask
                    # (BatchNormalization, Softmax, pooling, ...); nnlab has no masking, and no
                    # mask is the same as None
                    if "mask" in kwargs and kwargs["mask"] is None:
                        del kwargs["mask"]
                    out = made[name](args[0], *args[1:], **kwargs)
                    outputs_of[(name, done[name])] = _flatten(out)
                    done[name] += 1
                    progress = True
        if any(done[name] < len(nodes) for name, nodes in pending):
            raise ValueError("Functional.from_config: the layers' inbound nodes do not connect")

        def endpoint(value: Any) -> Any:
            if isinstance(value, dict):
                return {k: endpoint(v) for k, v in value.items()}
            if value and isinstance(value[0], list):
                return [endpoint(v) for v in value]
            name, k, i = value
            return outputs_of[(name, k)][i]

        return cls(
            endpoint(config["input_layers"]),
            endpoint(config["output_layers"]),
            name=config.get("name"),
            trainable=config.get("trainable", True),
        )

    def _clone(self, copy: Any, input_tensors: Any) -> Functional:
        from .cloning import deserialize_layer

        originals = {layer.name: layer for layer in self._layers}

        def make(spec: dict[str, Any]) -> Any:
            layer = originals.get(spec["config"].get("name"))
            if layer is None or isinstance(layer, InputLayer):
                return deserialize_layer(spec)
            return copy(layer)

        return Functional.from_config(self.get_config(), make_layer=make)
