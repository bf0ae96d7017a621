"""nnlab: neural networks from first principles.

The autodiff engine is re-exported here: ``nnlab.tensor``, ``nnlab.Tensor``, ``nnlab.no_grad`` ...
Subpackages (``nnlab.nn``, ``nnlab.optim``, ``nnlab.keras``, ``nnlab.prob``, ``nnlab.linear``,
``nnlab.datasets``, ``nnlab.labs``) are imported on demand.
"""

__version__ = "0.1.0"
