"""``nnlab.keras``: the Keras API of the course, on nnlab's engine.

    from nnlab.keras.models import Sequential, load_model
    from nnlab.keras.layers import Input, Dense, Activation, Dropout

    model = Sequential([Dense(1, input_dim=2, activation="sigmoid")], seed=0)
    model.compile(loss="binary_crossentropy", optimizer="sgd", metrics=["accuracy"])
    history = model.fit(x, y, batch_size=16, epochs=100, validation_data=(x_val, y_val))

Submodules: ``models``, ``layers``, ``optimizers``, ``losses``, ``metrics``, ``callbacks``,
``regularizers``, ``activations``, ``initializers``, ``utils`` (seeds, ``to_categorical``,
``pad_sequences``), ``saving`` (the file format), ``config`` and ``backend`` (the global
settings: ``image_data_format``, ``epsilon``, ...).
"""

from . import (
    activations,
    backend,
    callbacks,
    config,
    constraints,  # kvar
    datasets,
    initializers,
    layers,
    losses,
    metrics,
    models,
    ops,
    optimizers,
    random,  # kvar
    regularizers,
    saving,
    utils,
)
from .layers import Input, Layer
from .layers.input_layer import KerasTensor
from .models import Model, Sequential, load_model
from .utils import set_random_seed
from .variables import Variable  # kvar: keras.Variable

__all__ = [
    "Input",
    "KerasTensor",
    "Layer",
    "Model",
    "Sequential",
    "Variable",  # kvar
    "activations",
    "backend",
    "callbacks",
    "config",
    "constraints",  # kvar
    "datasets",
    "initializers",
    "layers",
    "load_model",
    "losses",
    "metrics",
    "models",
    "ops",
    "optimizers",
    "random",  # kvar
    "regularizers",
    "saving",
    "set_random_seed",
    "utils",
]
