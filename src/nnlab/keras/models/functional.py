"""The functional API: ``Model(inputs, outputs)``, a graph of layer and op calls.

    inputs = keras.Input(shape=(784,))
    x = layers.Dense(64, activation="relu")(inputs)
    outputs = layers.Dense(10)(x) + keras.ops.mean(x, axis=-1, keepdims=True)
    model = keras.Model(inputs=inputs, outputs=outputs)

Each call of a layer or of a ``keras.ops`` function on KerasTensors recorded a ``Node``; the
model walks back from the outputs to the inputs to find the nodes it is made of. As in Keras 3,
nodes and operations get a *depth* (0 for the outputs, one more than the deepest node they
feed), ``model.operations`` lists them by decreasing depth (ties in the order the walk met them),
``model.layers`` the layers among them, and running the model evaluates the nodes by decreasing
depth. A layer called twice (a shared layer) appears once and uses the same weights at both
calls. ``inputs`` and ``outputs`` may be nested lists, tuples and dicts (dicts in sorted-key
order, as Keras flattens them); the outputs come back in the same structure. Inputs that are not
``keras.Input`` tensors (a slice of another model) get a new ``Input`` of their shape.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np

from ..layers.base import Layer
from ..layers.input_layer import Input, InputLayer, KerasTensor, Node
from ..utils import unique_name
from .model import Model
from .structure import flatten, flatten_with_paths, map_structure, pack_like, same_structure

__all__ = ["Functional", "map_graph"]


# --------------------------------------------------------------------------- the graph
def _first(xs: list[Any]) -> Any:
    return xs[0]


def _is_leaf(x: Any) -> bool:
    return not isinstance(x, list | tuple | dict)


def _node_of(tensor: KerasTensor) -> Node:
    if tensor._keras_history is None:
        raise ValueError(
            f"{tensor!r} does not come from keras.Input or a layer call; a functional model "
            "is made of the calls between keras.Input tensors and the outputs"
        )
    return tensor._keras_history[0]


def _build_map(
    inputs: list[KerasTensor], outputs: list[KerasTensor]
) -> tuple[list[Node], dict[int, int]]:
    """The nodes between ``inputs`` and ``outputs``, parents first, and each operation's index
    in the walk's order (Keras's ``_build_map``: depth first from each output, in order)."""
    input_ids = {id(t) for t in inputs}
    finished: set[int] = set()
    in_progress: set[int] = set()
    ordered: list[Node] = []
    op_index: dict[int, int] = {}
    stack: list[tuple[KerasTensor, bool]] = [(t, False) for t in reversed(outputs)]
    while stack:  # iterative depth-first walk (a deep graph never hits the recursion limit)
        tensor, expanded = stack.pop()
        node = _node_of(tensor)
        if expanded:
            in_progress.discard(id(node))
            if id(node) not in finished:
                finished.add(id(node))
                ordered.append(node)
            continue
        if id(node) in finished:
            continue
        if not node.is_input and id(tensor) in input_ids:
            finished.add(id(node))
            continue
        if id(node) in in_progress:
            raise ValueError(
                f"Tensor {tensor} from operation '{node.layer.name}' is part of a cycle."
            )
        op_index.setdefault(id(node.layer), len(op_index))
        in_progress.add(id(node))
        stack.append((tensor, True))
        if not node.is_input:
            stack.extend((t, False) for t in reversed(node.input_tensors))
    return ordered, op_index


def map_graph(
    inputs: list[KerasTensor], outputs: list[KerasTensor]
) -> tuple[list[Node], list[Any]]:
    """(the nodes by decreasing depth, the operations by decreasing depth), checked: every
    tensor a node reads is computable from the inputs, and operation names are unique."""
    nodes, op_index = _build_map(inputs, outputs)
    in_graph = {id(n) for n in nodes}
    node_depth: dict[int, int] = {}
    op_depth: dict[int, int] = {}
    ops: dict[int, Any] = {}
    for node in reversed(nodes):
        depth = max(node_depth.setdefault(id(node), 0), op_depth.get(id(node.layer), 0))
        op_depth[id(node.layer)] = depth
        ops[id(node.layer)] = node.layer
        node_depth[id(node)] = depth
        for parent in node.parent_nodes:
            if id(parent) in in_graph:
                node_depth[id(parent)] = max(depth + 1, node_depth.get(id(parent), 0))
    for t in inputs:  # inputs that no output uses are part of the model all the same
        node = _node_of(t)
        if node.is_input and id(node.layer) not in op_depth:
            op_depth[id(node.layer)] = 0
            op_index[id(node.layer)] = -1
            ops[id(node.layer)] = node.layer
            node_depth[id(node)] = 0
            nodes.append(node)
    by_depth = sorted(nodes, key=lambda n: -node_depth[id(n)])
    operations = [ops[k] for k in sorted(ops, key=lambda k: (-op_depth[k], op_index.get(k, -1)))]
    computable = {id(t) for t in inputs}
    done: list[str] = []
    for node in by_depth:
        for t in node.input_tensors:
            if id(t) not in computable:
                raise ValueError(
                    f"Graph disconnected: cannot find parent for tensor {t} at operation "
                    f"'{node.layer}'. The following previous operations were accessed without "
                    f"issue: {done}"
                )
        done.append(node.layer.name)
        computable.update(id(t) for t in node.output_tensors)
    names = [op.name for op in operations]
    for name in names:
        if names.count(name) != 1:
            raise ValueError(
                f'The name "{name}" is used {names.count(name)} times in the model. All '
                "operation names should be unique."
            )
    return by_depth, operations


def _is_input_tensor(t: KerasTensor) -> bool:
    return t._keras_history is not None and t._keras_history[0].is_input


def clone_graph_nodes(inputs: Any, outputs: Any) -> tuple[Any, Any]:
    """New ``keras.Input`` tensors for the inputs that are intermediate tensors of another graph,
    and copies of the nodes between them and the outputs (Keras's ``clone_graph_nodes``)."""
    flat_in, flat_out = flatten(inputs), flatten(outputs)
    nodes, _ = _build_map(flat_in, flat_out)
    mapping: dict[int, KerasTensor] = {}
    new_inputs = []
    for t in flat_in:
        if _is_input_tensor(t):
            mapping[id(t)] = t
        else:
            mapping[id(t)] = Input(batch_shape=t.shape, dtype=t.dtype, name=f"{t.name}CLONE")
        new_inputs.append(mapping[id(t)])

    def copy(value: Any) -> Any:
        if not isinstance(value, KerasTensor):
            return value
        if _is_input_tensor(value):
            return value
        if id(value) not in mapping:
            suffix = "_clone" if any(value is o for o in flat_out) else ""
            mapping[id(value)] = KerasTensor(value.shape, value.dtype, name=value.name + suffix)
        return mapping[id(value)]

    for node in nodes:
        if node.is_input:
            continue
        outs = map_structure(copy, node.outputs)
        clone = Node(
            node.layer,
            map_structure(copy, node.inputs),
            outs,
            tuple(map_structure(copy, list(node.args))),
            map_structure(copy, dict(node.kwargs)),
        )
        node.layer._inbound_nodes.append(clone)
        for i, t in enumerate(flatten(outs)):
            t._keras_history = (clone, i)
    return pack_like(inputs, new_inputs), map_structure(copy, outputs)


# --------------------------------------------------------------------------- the model
class Functional(Model):
    """A model made of the layer and op calls between ``inputs`` and ``outputs`` (KerasTensors,
    or nested lists / tuples / dicts of them)."""

    _inputs_from_data = False  # the inputs are the declared ones

    def __init__(
        self,
        inputs: Any,
        outputs: Any,
        name: str | None = None,
        trainable: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(name=name or unique_name("functional"), trainable=trainable, **kwargs)
        if isinstance(inputs, dict):
            for key, value in inputs.items():
                if isinstance(value, KerasTensor) and key != value.name:
                    warnings.warn(
                        "When providing `inputs` as a dict, all keys in the dict must match the "
                        f"names of the corresponding tensors. Received key '{key}' mapping to "
                        f"value {value} which has name '{value.name}'. Change the tensor name "
                        f"to '{key}' (via `Input(..., name='{key}')`)",
                        stacklevel=2,
                    )
        for what, struct in (("inputs", inputs), ("outputs", outputs)):
            for t in flatten(struct):
                if not isinstance(t, KerasTensor):
                    raise ValueError(
                        f"All `{what}` values must be KerasTensors. Received: {what}={struct} "
                        f"including invalid value {t} of type {type(t)}"
                    )
            if not flatten(struct):
                raise ValueError(f"`{what}` argument cannot be empty. Received: {what}={struct}")
        if not all(_is_input_tensor(t) for t in flatten(inputs)):
            inputs, outputs = clone_graph_nodes(inputs, outputs)
        self._inputs_struct = inputs
        self._outputs_struct = outputs
        self._input_tensors: list[KerasTensor] = flatten(inputs)
        self._output_tensors: list[KerasTensor] = flatten(outputs)
        self._nodes, operations = map_graph(self._input_tensors, self._output_tensors)
        # the layers (walked by nn.Module: the weights, in this order), then every operation
        self._layers: list[Layer] = [op for op in operations if isinstance(op, Layer)]
        self._operations: list[Any] = operations
        self._run_nodes({id(t): t for t in self._input_tensors}, lambda node, a, k: node.outputs)
        self.built = True

    # ------------------------------------------------------------------ structure
    @property
    def layers(self) -> list[Layer]:
        """The layers of the graph (its input layers included), by decreasing depth."""
        return list(self._layers)

    @layers.setter
    def layers(self, _: Any) -> None:
        raise AttributeError(
            "`Model.layers` attribute is reserved and should not be used. Please use another name."
        )

    @property
    def operations(self) -> list[Any]:
        """The layers and ``keras.ops`` operations of the graph, by decreasing depth."""
        return list(self._operations)

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
    def _run_nodes(self, values: dict[int, Any], run: Any) -> Any:
        """Evaluate the nodes by decreasing depth from ``values`` (input tensor id -> value) with
        ``run(node, args, kwargs)``; the outputs in their structure."""
        for node in self._nodes:
            if node.is_input or any(id(t) not in values for t in node.input_tensors):
                continue

            def value(t: Any) -> Any:
                return values[id(t)] if isinstance(t, KerasTensor) else t

            args = [map_structure(value, node.inputs), *map_structure(value, list(node.args))]
            out = run(node, args, map_structure(value, dict(node.kwargs)))
            for t, v in zip(node.output_tensors, flatten(out), strict=True):
                values[id(t)] = v
        flat = []
        for (path, _), t in zip(
            flatten_with_paths(self._outputs_struct), self._output_tensors, strict=True
        ):
            if id(t) not in values:
                raise ValueError(f"Output with path `{path}` is not connected to `inputs`")
            flat.append(values[id(t)])
        out = pack_like(self._outputs_struct, flat)
        return out[0] if isinstance(out, list | tuple) and len(out) == 1 else out

    def call(self, inputs: Any, training: bool | None = None, mask: Any = None) -> Any:
        flat = self._adjust_input_rank(self._flat_inputs(inputs))

        def run(node: Node, args: list[Any], kwargs: dict[str, Any]) -> Any:
            if isinstance(node.layer, Layer):
                kwargs.setdefault("training", training)
            if "mask" in kwargs and kwargs["mask"] is None:  # nnlab has no masking
                del kwargs["mask"]
            return node.layer(*args, **kwargs)

        values = {id(t): v for t, v in zip(self._input_tensors, flat, strict=True)}
        return self._run_nodes(values, run)

    def _flat_inputs(self, inputs: Any) -> list[Any]:
        """The values of the model's inputs, in the order of ``self.inputs``, from ``inputs``
        given in the model's structure, as a dict by input name, or as one tensor. A structure
        Keras reconciles with a warning (a list for a single input, a dict with extra keys, a
        list for a dict of inputs) is flattened as Keras does, after the same warning."""
        struct = self._inputs_struct
        if isinstance(struct, KerasTensor) and not isinstance(inputs, list | tuple | dict):
            return [inputs]  # the usual single input: nothing to reconcile
        inputs, matched = self._standardize_structure(inputs)
        if matched or (isinstance(struct, dict) and isinstance(inputs, dict)):
            return self._walk_inputs(struct, inputs)
        flat = flatten(inputs)
        if len(flat) != len(self._input_tensors):
            raise ValueError(
                f"model {self.name!r} expects {len(self._input_tensors)} inputs, got {len(flat)}"
            )
        return flat

    def _flatten_x(self, x: Any, where: str) -> list[Any]:
        return self._flat_inputs(x)

    def _optional_inputs(self) -> list[tuple[str, bool]] | None:
        return [
            (t.name, bool(getattr(_node_of(t).layer, "optional", False)))
            for t in self._input_tensors
        ]

    def _batch_packer(self, x: Any, names: list[str]) -> Callable[[list[Any]], Any] | None:
        """A batch's inputs in the model's structure, so that fit's steps call the model as it
        was built (a dict of inputs stays a dict: no structure warning at each step)."""
        struct = self._inputs_struct
        if isinstance(struct, KerasTensor):
            return _first
        if isinstance(struct, list | tuple) and all(isinstance(t, KerasTensor) for t in struct):
            return None
        return partial(pack_like, struct)

    def _standardize_structure(self, inputs: Any) -> tuple[Any, bool]:
        """Keras 3's ``_standardize_inputs``: a dict given to a model whose inputs are a list
        (or one tensor) is read by input name; then, if the structure still differs from the
        model's, Keras warns "The structure of `inputs` doesn't match the expected structure"
        (lists and tuples alike), or raises that as a ValueError where it cannot reconcile them
        (input names missing from the dict, a list for a dict of inputs whose keys are not in
        sorted order). Returns the inputs and whether their structure matched."""
        struct = self._inputs_struct
        refuse = False
        if isinstance(struct, list | tuple) and len(struct) == 1 and _is_leaf(inputs):
            return [inputs], True
        if isinstance(inputs, dict) and not isinstance(struct, dict):
            flat_struct = [struct] if isinstance(struct, KerasTensor) else struct
            if isinstance(flat_struct, list | tuple) and all(
                isinstance(t, KerasTensor) for t in flat_struct
            ):
                names = [t.name for t in flat_struct]
                missing = [n for n in names if n not in inputs]
                if missing:  # Keras's input-spec check, made before the structure's
                    raise ValueError(
                        f'Missing data for input "{missing[0]}". You passed a data dictionary '
                        f"with keys {list(inputs)}. Expected the following keys: {names}"
                    )
                inputs = [inputs[n] for n in names]
            else:
                refuse = True
        if (
            isinstance(struct, dict)
            and not isinstance(inputs, dict)
            and list(struct) != sorted(struct)
        ):
            refuse = True
        if same_structure(struct, inputs):
            return inputs, True

        def describe(x: Any) -> str:
            return "None" if x is None else f"Tensor(shape={tuple(np.shape(x))})"

        message = (
            "The structure of `inputs` doesn't match the expected structure.\n"
            f"Expected: {map_structure(lambda t: 'None' if t is None else t.name, struct)}\n"
            f"Received: inputs={map_structure(describe, inputs)}"
        )
        if refuse:
            raise ValueError(message)
        warnings.warn(message, stacklevel=4)
        return inputs, False

    def _walk_inputs(self, struct: Any, inputs: Any) -> list[Any]:
        """The leaves of ``inputs`` matched against ``struct`` (dicts by key)."""
        out: list[Any] = []

        def walk(ref: Any, value: Any, path: str) -> None:
            if isinstance(ref, dict):
                if not isinstance(value, dict):
                    raise ValueError(
                        f"model {self.name!r}: expected a dict with keys {sorted(ref)} for "
                        f"inputs{' at ' + path if path else ''}, got {type(value).__name__}"
                    )
                for key in sorted(ref):
                    if key not in value:
                        raise ValueError(
                            f'Missing data for input "{key}". You passed a data dictionary '
                            f"with keys {list(value)}. Expected the following keys: "
                            f"{sorted(ref)}"
                        )
                    walk(ref[key], value[key], f"{path}.{key}".lstrip("."))
            elif isinstance(ref, list | tuple):
                for i, (r, v) in enumerate(zip(ref, value, strict=True)):
                    walk(r, v, f"{path}.{i}".lstrip("."))
            else:
                out.append(value)

        walk(struct, inputs, "")
        return out

    def _adjust_input_rank(self, flat: list[Any]) -> list[Any]:
        """Keras's rank standardization: an input with one axis too many of size 1 at the end
        is squeezed, one with an axis too few where the model expects size 1 is expanded."""
        from .. import ops

        paths = [p for p, _ in flatten_with_paths(self._inputs_struct)]
        adjusted: list[Any] = []
        for x, ref, path in zip(flat, self._input_tensors, paths, strict=True):
            if x is None:
                layer = _node_of(ref).layer
                if not getattr(layer, "optional", False):
                    raise ValueError(
                        f"The input '{ref.name}' is not optional, but None was passed. Please "
                        "provide a valid tensor."
                    )
                adjusted.append(x)
                continue
            shape = tuple(x.shape) if hasattr(x, "shape") else np.shape(x)
            rank, ref_rank = len(shape), len(ref.shape)
            if rank == ref_rank:
                adjusted.append(x)
            elif rank == ref_rank + 1 and shape[-1] == 1:
                adjusted.append(ops.squeeze(x, axis=-1))
            elif rank == ref_rank - 1 and ref.shape[-1] == 1:
                adjusted.append(ops.expand_dims(x, axis=-1))
            else:
                raise ValueError(
                    f"Invalid input shape for input {x} with name '{ref.name}' and path "
                    f"'{path}'. Expected shape {ref.shape}, but input has incompatible shape "
                    f"{shape}"
                )
        return adjusted

    def compute_output_spec(self, inputs: Any) -> Any:
        """New symbolic outputs (in the outputs' structure) for symbolic ``inputs``: each node's
        output shape from its layer's ``compute_output_shape`` or its op's output spec."""
        flat = self._adjust_input_rank(self._flat_inputs(inputs))
        free = [KerasTensor(x.shape, getattr(x, "dtype", "float32")) for x in flat]

        def run(node: Node, args: list[Any], kwargs: dict[str, Any]) -> Any:
            layer = node.layer
            if isinstance(layer, Layer):
                shape = layer.compute_output_shape(map_structure(lambda t: t.shape, args[0]))
                return _free_tensors(shape)
            return _spec_shapes(layer.compute_output_spec(*args, **kwargs))

        values = {id(t): v for t, v in zip(self._input_tensors, free, strict=True)}
        return self._run_nodes(values, run)

    def compute_output_shape(self, input_shape: Any) -> Any:
        """The output shapes for inputs of ``input_shape`` (in the inputs' structure)."""

        def is_shape(s: Any) -> bool:
            return isinstance(s, tuple | list) and all(d is None or isinstance(d, int) for d in s)

        if is_shape(input_shape):
            tensors: Any = KerasTensor(tuple(input_shape))
        else:
            tensors = map_structure(lambda s: KerasTensor(s.dims), _as_shape_struct(input_shape))
        return map_structure(lambda t: t.shape, self.compute_output_spec(tensors))

    # ------------------------------------------------------------------ the trainer's hooks
    def _input_names(self) -> list[str]:
        struct = self._inputs_struct
        if isinstance(struct, dict) and all(isinstance(v, KerasTensor) for v in struct.values()):
            return sorted(struct)
        return [t.name for t in self._input_tensors]

    @property
    def output_names(self) -> list[str]:
        """The names of the outputs (their layers'; a dict of outputs: its sorted keys), in the
        order of ``predict``'s list and of the losses given as a list."""
        return self._output_names()

    def _output_names(self) -> list[str]:
        struct = self._outputs_struct
        if isinstance(struct, dict) and all(isinstance(v, KerasTensor) for v in struct.values()):
            return sorted(struct)
        return [_node_of(t).layer.name for t in self._output_tensors]

    def _input_shapes(self) -> list[tuple[Any, ...]] | None:
        return [t.shape for t in self._input_tensors]

    def _output_shapes(self) -> list[tuple[Any, ...]] | None:
        return [t.shape for t in self._output_tensors]

    def _build_for(self, xs: list[Any], pack: Callable[[list[Any]], Any] | None = None) -> None:
        pass

    # ------------------------------------------------------------------ config
    def _node_index(self) -> dict[int, tuple[str, int]]:
        """Node -> (operation name, index among that operation's nodes in this model)."""
        mine = {id(n) for n in self._nodes}
        out: dict[int, tuple[str, int]] = {}
        for op in self._operations:
            k = 1 if isinstance(op, Functional) else 0  # a model's own first node, as Keras
            for node in op._inbound_nodes:
                if id(node) in mine:
                    out[id(node)] = (op.name, k)
                    k += 1
        return out

    def _history(self, t: KerasTensor, index: dict[int, tuple[str, int]]) -> list[Any]:
        node, i = t._keras_history  # type: ignore[misc]
        name, k = index[id(node)]
        return [name, k, i]

    def get_config(self) -> dict[str, Any]:
        """Keras 3's functional config: the operations (layers and ops) with their
        ``inbound_nodes`` (each call's arguments, KerasTensors as ``__keras_tensor__`` with their
        ``keras_history``), and the ``input_layers`` / ``output_layers``."""
        from .cloning import serialize_layer, serialize_value

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
            return serialize_value(value)

        configs = []
        for op in self._operations:
            entry = serialize_layer(op)
            entry["name"] = op.name
            nodes = [n for n in op._inbound_nodes if id(n) in index and not n.is_input]
            entry["inbound_nodes"] = [
                {"args": [arg(n.inputs), *(arg(a) for a in n.args)], "kwargs": arg(n.kwargs)}
                for n in nodes
            ]
            configs.append(entry)
        return {
            "name": self.name,
            "trainable": self.trainable,
            "layers": configs,
            "input_layers": map_structure(lambda t: self._history(t, index), self._inputs_struct),
            "output_layers": map_structure(lambda t: self._history(t, index), self._outputs_struct),
        }

    @classmethod
    def from_config(
        cls, config: dict[str, Any], custom_objects: Any = None, make_layer: Any = None
    ) -> Functional:
        """Rebuild the graph from ``get_config()``: make each operation, then call it on its
        recorded arguments, operation after operation, until every node is made."""
        from .cloning import deserialize_layer, deserialize_value

        build = make_layer or (lambda spec: deserialize_layer(spec, custom_objects))
        made: dict[str, Any] = {}
        outputs_of: dict[tuple[str, int], list[KerasTensor]] = {}
        pending: list[tuple[str, list[dict[str, Any]]]] = []
        for spec in config["layers"]:
            op = build({k: v for k, v in spec.items() if k not in ("inbound_nodes", "name")})
            made[spec["name"]] = op
            if isinstance(op, InputLayer):
                outputs_of[(spec["name"], 0)] = [op.output_tensor]
            else:
                pending.append((spec["name"], list(spec.get("inbound_nodes", []))))
                if isinstance(op, Functional):  # a model's own first node
                    outputs_of[(spec["name"], 0)] = op.outputs

        def is_tensor(value: Any) -> bool:
            return isinstance(value, dict) and value.get("class_name") == "__keras_tensor__"

        def resolve(value: Any) -> Any:
            if is_tensor(value):
                name, k, i = value["config"]["keras_history"]
                return outputs_of[(name, k)][i]
            if isinstance(value, list):
                return [resolve(v) for v in value]
            if isinstance(value, dict) and "class_name" not in value:
                return {key: resolve(v) for key, v in value.items()}
            return deserialize_value(value)

        def ready(value: Any) -> bool:
            if is_tensor(value):
                name, k, _ = value["config"]["keras_history"]
                return (name, k) in outputs_of
            if isinstance(value, list):
                return all(ready(v) for v in value)
            if isinstance(value, dict):
                return all(ready(v) for v in value.values())
            return True

        done = {name: 0 for name, _ in pending}
        first = {name: 1 if isinstance(made[name], Functional) else 0 for name, _ in pending}
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
                    out = made[name](*args, **kwargs)
                    outputs_of[(name, done[name] + first[name])] = flatten(out)
                    done[name] += 1
                    progress = True
        if any(done[name] < len(nodes) for name, nodes in pending):
            stuck = [name for name, nodes in pending if done[name] < len(nodes)]
            raise ValueError(
                "Invalid Functional model configuration. The graph of the Functional model "
                f"either has loops or disconnected nodes. The following nodes failed to be "
                f"resolved: {stuck}"
            )

        def endpoint(value: Any) -> Any:
            if isinstance(value, list | tuple) and len(value) == 3 and isinstance(value[0], str):
                name, k, i = value
                return outputs_of[(name, k)][i]
            if isinstance(value, dict):
                return {key: endpoint(v) for key, v in value.items()}
            return type(value)(endpoint(v) for v in value)

        return cls(
            endpoint(config["input_layers"]),
            endpoint(config["output_layers"]),
            name=config.get("name"),
            trainable=config.get("trainable", True),
        )

    def _clone(self, copy: Any, input_tensors: Any) -> Functional:
        from .cloning import deserialize_layer

        originals = {op.name: op for op in self._operations}

        def make(spec: dict[str, Any]) -> Any:
            op = originals.get(spec["config"].get("name"))
            if op is None or isinstance(op, InputLayer) or not isinstance(op, Layer):
                return deserialize_layer(spec)
            return copy(op)

        return Functional.from_config(self.get_config(), make_layer=make)


def _as_shape_struct(shapes: Any) -> Any:
    """Shapes given as lists turned into tuples, so a list of shapes reads as a structure."""
    if isinstance(shapes, dict):
        return {k: _as_shape_struct(v) for k, v in shapes.items()}
    if isinstance(shapes, list | tuple) and all(d is None or isinstance(d, int) for d in shapes):
        return _Shape(tuple(shapes))
    return [_as_shape_struct(s) for s in shapes]


class _Shape:
    """A shape inside a structure of shapes (a leaf, not a list of inputs)."""

    def __init__(self, dims: tuple[Any, ...]) -> None:
        self.dims = dims


def _spec_shapes(spec: Any) -> Any:
    if isinstance(spec, tuple) and len(spec) == 2 and isinstance(spec[1], str):
        return KerasTensor(spec[0], spec[1])
    if isinstance(spec, dict):
        return {k: _spec_shapes(v) for k, v in spec.items()}
    return type(spec)(_spec_shapes(s) for s in spec)


def _free_tensors(shape: Any) -> Any:
    if isinstance(shape, KerasTensor):
        return shape
    if isinstance(shape, tuple | list) and all(d is None or isinstance(d, int) for d in shape):
        return KerasTensor(tuple(shape))
    if isinstance(shape, dict):
        return {k: _free_tensors(v) for k, v in shape.items()}
    return [_free_tensors(s) for s in shape]
