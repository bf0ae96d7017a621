"""A small ONNX graph builder on the ``onnx`` package's helper API.

``Graph`` collects initializers (weights), nodes and the graph's input and output; ``save`` makes
the model (opset :data:`OPSET`, a dynamic batch dimension named ``batch``), checks it with
``onnx.checker`` (with shape inference) and writes it atomically.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from nnlab.atomic import atomic_writer

__all__ = ["OPSET", "Graph", "onnx_module"]

#: The ONNX operator set the exported files use (ONNX 1.13+, onnxruntime 1.14+).
OPSET = 18
BATCH = "batch"


def onnx_module() -> Any:
    """The ``onnx`` package, or an ImportError saying how to install it."""
    try:
        import onnx
    except ImportError as err:
        raise ImportError("ONNX export needs the onnx package: pip install 'nnlab[onnx]'") from err
    return onnx


class Graph:
    """Nodes in topological order; every tensor name is unique."""

    def __init__(self, name: str) -> None:
        self.onnx = onnx_module()
        self.name = name
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []
        self._tensors: set[str] = set()
        self._nodes: set[str] = set()

    @staticmethod
    def _unique(base: str, used: set[str]) -> str:
        name, i = base, 0
        while name in used:
            i += 1
            name = f"{base}_{i}"
        used.add(name)
        return name

    def unique(self, base: str) -> str:
        """A new tensor name: ``base``, or ``base_1``, ``base_2``, ... if taken."""
        return self._unique(base, self._tensors)

    def constant(self, name: str, value: Any, dtype: Any = np.float32) -> str:
        """A weight (initializer) holding ``value``; returns its tensor name."""
        array = np.ascontiguousarray(np.asarray(value, dtype=dtype))
        tensor_name = self.unique(name)
        self.initializers.append(self.onnx.numpy_helper.from_array(array, tensor_name))
        return tensor_name

    def node(
        self,
        op: str,
        inputs: Sequence[str],
        name: str,
        output: str | None = None,
        **attributes: Any,
    ) -> str:
        """Append node ``op`` named ``name`` on ``inputs``; returns its (single) output's name
        (``output`` if given, else ``<name>_out``)."""
        node_name = self._unique(name, self._nodes)
        output = self.unique(output or f"{node_name}_out")
        self.nodes.append(
            self.onnx.helper.make_node(op, list(inputs), [output], name=node_name, **attributes)
        )
        return output

    def split(self, x: str, name: str, parts: int, axis: int) -> list[str]:
        """``x`` cut into ``parts`` equal pieces along ``axis`` (one Split node)."""
        node_name = self._unique(name, self._nodes)
        outputs = [self.unique(f"{node_name}_out{i}") for i in range(parts)]
        self.nodes.append(
            self.onnx.helper.make_node(
                "Split", [x], outputs, name=node_name, axis=axis, num_outputs=parts
            )
        )
        return outputs

    def save(
        self,
        path: str | os.PathLike[str],
        inputs: Sequence[tuple[str, Sequence[int | None]]],
        outputs: Sequence[tuple[str, str]],
    ) -> Any:
        """Make, check and write the model; returns the ``onnx.ModelProto``.

        ``inputs``: (tensor name, shape) of each graph input, ``None`` in a shape being the
        batch dimension; ``outputs``: (tensor, the name the output gets) of each graph output.
        The outputs' shapes are ONNX's own shape inference from the inputs'.
        """
        onnx, helper = self.onnx, self.onnx.helper
        float32 = onnx.TensorProto.FLOAT
        dims = lambda shape: [BATCH if d is None else int(d) for d in shape]  # noqa: E731
        declared = []
        for tensor, name in outputs:
            final = self.node("Identity", [tensor], name, output=name)
            declared.append(helper.make_tensor_value_info(final, float32, None))
        graph = helper.make_graph(
            self.nodes,
            self.name,
            [helper.make_tensor_value_info(n, float32, dims(shape)) for n, shape in inputs],
            declared,
            initializer=self.initializers,
        )
        model = helper.make_model(
            graph,
            opset_imports=[helper.make_opsetid("", OPSET)],
            producer_name="nnlab",
        )
        model = onnx.shape_inference.infer_shapes(model, strict_mode=True)
        onnx.checker.check_model(model, full_check=True)
        with atomic_writer(path) as f:
            f.write(model.SerializeToString())
        return model
