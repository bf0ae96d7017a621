"""Model files: ``save_model`` / ``load_model`` (the format is described in :mod:`.saving_lib`).

``saving_lib`` writes and rebuilds models; ``archive`` reads the zip and its ``.npy`` members
without trusting them; ``schema`` checks the JSON config. Each concern is one module, independent
of how models and layers are built.
"""

from .archive import ModelFileError
from .saving_lib import FORMAT, VERSION, load_model, read_weights, save_model

__all__ = ["FORMAT", "VERSION", "ModelFileError", "load_model", "read_weights", "save_model"]
