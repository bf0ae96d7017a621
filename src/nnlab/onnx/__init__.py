"""``nnlab.onnx``: export models to ONNX, to run them in onnxruntime, a browser or a phone.

    from nnlab import onnx as nnlab_onnx
    nnlab_onnx.export(module, example_input, "model.onnx")      # nnlab.nn modules
    nnlab_onnx.export_keras(model, "model.onnx")                 # nnlab.keras models
    model.export("model.onnx", format="onnx")                    # the same, Keras's method

The files use ONNX opset :data:`OPSET` with a dynamic batch dimension; each is checked with
``onnx.checker`` before it is written (atomically). Needs the ``onnx`` package
(``pip install 'nnlab[onnx]'``).
"""

from .graph import OPSET
from .keras_export import export_keras
from .nn_export import export

__all__ = ["OPSET", "export", "export_keras"]
