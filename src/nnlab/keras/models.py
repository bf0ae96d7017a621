"""``Sequential``: a stack of layers with Keras's ``compile``/``fit``/``evaluate``/``predict``.

    model = Sequential([Dense(512, activation="relu", input_shape=(784,)),
                        Dropout(0.2),
                        Dense(10, activation="softmax")], seed=0)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=128, epochs=4, validation_split=0.1)

``seed`` (or ``nnlab.keras.utils.set_random_seed``) fixes the weight initialization, the shuffling
and the dropout masks. Inputs are float32 arrays of shape (samples, features). Training with
a softmax (sigmoid) last activation and a categorical (binary) cross-entropy computes the loss from
the pre-activation values with the engine's fused, stable ``softmax_cross_entropy``
(``sigmoid_binary_cross_entropy``); ``predict`` applies the activation and returns probabilities.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from nnlab.autograd import Tensor, no_grad
from nnlab.nn import Parameter

from . import losses as losses_module
from . import metrics as metrics_module
from . import optimizers as optimizers_module
from . import saving
from .callbacks import Callback, History
from .data import check_batch_size, check_inputs, check_same_length, split_validation
from .layers import Activation, Dense, InputLayer, Layer
from .summary import summary_lines
from .training import run_evaluate, run_fit
from .utils import new_rng, unique_name

__all__ = ["Sequential", "load_model"]

Pipeline = tuple[list[Callable[[Tensor], Tensor]], str, Callable[[np.ndarray, Tensor], Tensor]]


class Sequential:
    """A linear stack of layers.

    Args:
        layers: the layers, in order (an ``Input(shape=)`` may come first).
        name: the model name (default 'sequential', 'sequential_1', ...).
        seed: seed of the model's generator (weights, shuffling, dropout); None draws from
            ``nnlab.keras.utils.set_random_seed``'s sequence.

    Attributes:
        optimizer, loss: set by ``compile``. stop_training: set True (e.g. by a callback) to end
        ``fit`` after the current batch. history: the History of the last ``fit``.
    """

    def __init__(
        self,
        layers: Iterable[Layer] | None = None,
        name: str | None = None,
        seed: int | None = None,
    ) -> None:
        self.name = name or unique_name("sequential")
        self.seed = seed
        self._rng = new_rng(seed)
        self._layers: list[Layer] = []
        self._input_dim: int | None = None
        self.optimizer: optimizers_module.Optimizer | None = None
        self.loss: losses_module.Loss | None = None
        self.compiled_metrics: list[metrics_module.Metric] = []
        self._resolved_metrics: list[metrics_module.Metric] = []
        self.stop_training = False
        self.history: History | None = None
        for layer in layers or []:
            self.add(layer)

    # ------------------------------------------------------------------ structure
    @property
    def layers(self) -> list[Layer]:
        """The layers (without the Input)."""
        return list(self._layers)

    @property
    def input_dim(self) -> int | None:
        """Number of input features (None until known)."""
        return self._input_dim

    @property
    def built(self) -> bool:
        return bool(self._layers) and all(layer.built for layer in self._layers)

    def add(self, layer: Layer) -> None:
        """Append a layer (an ``Input`` only as the first thing added)."""
        if isinstance(layer, InputLayer):
            if self._layers or self._input_dim is not None:
                raise ValueError("Sequential.add: Input(...) must be the first layer")
            self._input_dim = layer.input_dim
            return
        if not isinstance(layer, Layer):
            raise TypeError(
                f"Sequential.add: expected a nnlab.keras layer (Dense, Activation, Dropout), got "
                f"{type(layer).__name__}"
            )
        if any(existing.name == layer.name for existing in self._layers):
            raise ValueError(f"Sequential.add: a layer named {layer.name!r} already exists")
        if not self._layers and self._input_dim is None:
            self._input_dim = layer.input_dim
        elif (
            layer.input_dim is not None
            and self._layers
            and self._layers[-1].units is not None
            and layer.input_dim != self._layers[-1].units
        ):
            raise ValueError(
                f"Sequential.add: layer {layer.name!r} expects {layer.input_dim} inputs but "
                f"the previous layer outputs {self._layers[-1].units}"
            )
        self._layers.append(layer)
        self._build()

    def pop(self) -> Layer:
        """Remove and return the last layer."""
        if not self._layers:
            raise ValueError("Sequential.pop: the model has no layers")
        return self._layers.pop()

    def _build(self) -> None:
        """Create the weights of every layer whose input width is now known, in order."""
        dim = self._input_dim
        if dim is None:
            return
        for layer in self._layers:
            if not layer.built:
                layer.build(dim, self._rng)
            assert layer.units is not None
            dim = layer.units

    def build(self, input_shape: Sequence[int | None] | int) -> None:
        """Fix the input width (``(None, n)``, ``(n,)`` or ``n``) and create the weights."""
        shape = (input_shape,) if isinstance(input_shape, int) else tuple(input_shape)
        dim = shape[-1]
        if not isinstance(dim, int | np.integer) or dim < 1:
            raise ValueError(f"Sequential.build: bad input shape {input_shape!r}")
        if self._input_dim is not None and self._input_dim != dim:
            raise ValueError(
                f"Sequential.build: the model already expects {self._input_dim} input features"
            )
        self._input_dim = int(dim)
        self._build()

    def _require_layers(self, where: str) -> None:
        if not self._layers:
            raise ValueError(f"{where}: the model has no layers; add some with model.add(...)")

    @property
    def output_units(self) -> int:
        self._require_layers("Sequential")
        out = self._layers[-1].units
        if out is None:
            raise ValueError("Sequential: the model is not built yet (its input width is unknown)")
        return out

    def _parameters(self) -> list[Parameter]:
        return [p for layer in self._layers for p in layer.parameters]

    def count_params(self) -> int:
        return sum(layer.count_params() for layer in self._layers)

    # ------------------------------------------------------------------ compile
    def compile(
        self,
        optimizer: Any = "rmsprop",
        loss: Any = None,
        metrics: Any = None,
    ) -> None:
        """Choose the optimizer (name or object), the loss (name, object or function) and the
        metrics (names such as 'accuracy', 'mse', 'mae', or objects). Unknown names raise here."""
        if loss is None:
            raise ValueError("compile: loss is required, e.g. loss='mse' or 'binary_crossentropy'")
        self.optimizer = optimizers_module.get(optimizer)
        self.loss = losses_module.get(loss)
        if metrics is None:
            metrics = []
        elif isinstance(metrics, str | metrics_module.Metric):
            metrics = [metrics]
        self.compiled_metrics = [metrics_module.get(m) for m in metrics]
        names = [m.name for m in self.compiled_metrics]
        if len(set(names)) != len(names) or "loss" in names:
            raise ValueError(f"compile: metric names must be distinct and not 'loss': {names}")
        self._resolved_metrics = []

    @property
    def metrics_names(self) -> list[str]:
        """'loss' then each metric's name: the order of ``evaluate``'s list."""
        return ["loss", *(m.name for m in self.compiled_metrics)]

    def _require_compiled(self, where: str) -> tuple[losses_module.Loss, Any]:
        if self.loss is None or self.optimizer is None:
            raise RuntimeError(f"{where}: compile the model first (model.compile(optimizer, loss))")
        return self.loss, self.optimizer

    # ------------------------------------------------------------------ computing
    def _pipeline(self, training: bool) -> Pipeline:
        """(layer functions, activation left to apply to their output, loss(y, output)).

        When the loss fuses with the last activation, that activation is left out of the layer
        functions and the loss is computed from the logits."""
        loss, _ = self._require_compiled("fit")
        layers = self._layers
        last = layers[-1]
        calls: list[Callable[[Tensor], Tensor]] = [
            functools.partial(layer.call, training=training) for layer in layers
        ]
        if loss.from_logits:
            return calls, loss.fused_activation or "linear", loss.logits_loss
        if loss.fused_activation is not None and last.activation == loss.fused_activation:
            if isinstance(last, Dense):
                calls[-1] = functools.partial(last.call, training=training, activate=False)
                return calls, last.activation, loss.logits_loss
            if isinstance(last, Activation):
                return calls[:-1], last.activation, loss.logits_loss
        return calls, "linear", loss

    def _has_regularizers(self) -> bool:
        return any(
            getattr(layer, "kernel_regularizer", None) or getattr(layer, "bias_regularizer", None)
            for layer in self._layers
        )

    def _regularization(self) -> Tensor | None:
        total = None
        for layer in self._layers:
            penalty = layer.regularization()
            if penalty is not None:
                total = penalty if total is None else total + penalty
        return total

    def _check_x(self, x: Any, where: str) -> np.ndarray:
        self._require_layers(where)
        arr = check_inputs(x, self._input_dim, where)
        if self._input_dim is None:
            self.build(arr.shape[1])
        return arr

    def _check_xy(self, x: Any, y: Any, where: str) -> tuple[np.ndarray, np.ndarray]:
        loss, _ = self._require_compiled(where)
        arr = self._check_x(x, where)
        if y is None:
            raise ValueError(f"{where}: y (the targets) is required")
        check_same_length(arr, y, where)
        targets = loss.prepare_targets(y, self.output_units, where)
        sparse = targets.ndim == 1
        self._resolved_metrics = [
            m.resolve(loss.name, self.output_units, sparse) for m in self.compiled_metrics
        ]
        return arr, targets

    def __call__(self, x: Any, training: bool = False) -> Tensor:
        """The model as a differentiable function of a Tensor (activations applied)."""
        h = x if isinstance(x, Tensor) else Tensor(self._check_x(x, "Sequential"))
        for layer in self._layers:
            h = layer.call(h, training=training)
        return h

    def fit(
        self,
        x: Any = None,
        y: Any = None,
        batch_size: int | None = None,
        epochs: int = 1,
        verbose: int | str = 1,
        callbacks: Sequence[Callback] | None = None,
        validation_split: float = 0.0,
        validation_data: tuple[Any, Any] | None = None,
        shuffle: bool = True,
        initial_epoch: int = 0,
    ) -> History:
        """Train for ``epochs`` passes over (x, y) in mini-batches of ``batch_size`` (32).

        ``validation_split`` holds out the LAST fraction of the samples (before shuffling);
        ``validation_data=(x_val, y_val)`` overrides it. Returns a History whose ``history``
        maps 'loss', each metric and 'val_...' to one value per epoch.
        """
        batch_size = check_batch_size(batch_size, "fit")
        verbose = 1 if verbose == "auto" else verbose
        if verbose not in (0, 1, 2):
            raise ValueError(f"fit: verbose must be 0, 1, 2 or 'auto', got {verbose!r}")
        if not isinstance(epochs, int | np.integer) or epochs < 0:
            raise ValueError(f"fit: epochs must be an integer >= 0, got {epochs!r}")
        if not 0 <= initial_epoch <= epochs:
            raise ValueError(f"fit: initial_epoch must be in [0, epochs], got {initial_epoch!r}")
        xa, ya = self._check_xy(x, y, "fit")
        validation = None
        if validation_data is not None:
            if not isinstance(validation_data, tuple | list) or len(validation_data) != 2:
                raise ValueError("fit: validation_data must be a tuple (x_val, y_val)")
            validation = self._check_xy(*validation_data, "fit(validation_data)")
        elif validation_split:
            xa, ya, xv, yv = split_validation(xa, ya, validation_split)
            validation = (xv, yv)
        for cb in callbacks or []:
            if not isinstance(cb, Callback):
                raise TypeError(f"fit: callbacks must be Callback objects, got {cb!r}")
        self._require_compiled("fit")
        return run_fit(
            self,
            xa,
            ya,
            batch_size=batch_size,
            epochs=int(epochs),
            verbose=int(verbose),
            callbacks=list(callbacks or []),
            validation=validation,
            shuffle=bool(shuffle),
            initial_epoch=int(initial_epoch),
        )

    def evaluate(
        self, x: Any = None, y: Any = None, batch_size: int | None = None, verbose: int = 1
    ) -> float | list[float]:
        """The loss (plus weight penalty) and metrics on (x, y): a float without metrics, else
        ``[loss, *metrics]`` in the order of ``metrics_names``."""
        xa, ya = self._check_xy(x, y, "evaluate")
        logs = run_evaluate(self, xa, ya, check_batch_size(batch_size, "evaluate"), verbose)
        values = [logs[name] for name in self.metrics_names]
        return values[0] if len(values) == 1 else values

    def predict(self, x: Any, batch_size: int | None = None, verbose: int = 0) -> np.ndarray:
        """The model output (after the last activation) for x, float32 (samples, units); no graph
        is built."""
        xa = self._check_x(x, "predict")
        batch_size = check_batch_size(batch_size, "predict")
        out = np.empty((len(xa), self.output_units), dtype=np.float32)
        with no_grad():
            for start in range(0, len(xa), batch_size):
                h = Tensor(xa[start : start + batch_size])
                for layer in self._layers:
                    h = layer.call(h, training=False)
                out[start : start + batch_size] = h.data
        return out

    # ------------------------------------------------------------------ weights and files
    def get_weights(self) -> list[np.ndarray]:
        """Copies of all weights, layer by layer (Dense: kernel (in, out), then bias (out,))."""
        return [w for layer in self._layers for w in layer.get_weights()]

    def set_weights(self, weights: Sequence[np.ndarray]) -> None:
        """Overwrite all weights from a list shaped like ``get_weights()``."""
        weights = list(weights)
        expected = sum(len(layer.parameters) for layer in self._layers)
        if len(weights) != expected or not self.built:
            raise ValueError(
                f"set_weights: the model has {expected} weight arrays"
                f"{'' if self.built else ' (and is not built yet)'}, got {len(weights)}"
            )
        i = 0
        for layer in self._layers:
            k = len(layer.parameters)
            layer.set_weights(weights[i : i + k])
            i += k

    def get_config(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "seed": self.seed,
            "input_dim": self._input_dim,
            "layers": [
                {"class_name": type(layer).__name__, "config": layer.get_config()}
                for layer in self._layers
            ],
        }

    def summary(self, print_fn: Callable[[str], Any] | None = None) -> None:
        """Print Keras's table: layer (type), output shape, parameter count, and the totals."""
        for line in summary_lines(self):
            (print_fn or print)(line)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the model as a Keras 3 ``.keras`` file (architecture, weights, compile settings,
        optimizer state; atomic): :mod:`nnlab.keras.saving`."""
        saving.save_model(self, path)

    def save_weights(self, path: str | os.PathLike[str]) -> None:
        """Write the weights as Keras 3's ``.weights.h5`` file (atomic)."""
        saving.save_weights(self, path)

    def load_weights(self, path: str | os.PathLike[str]) -> None:
        """Set the weights from a ``.weights.h5`` or ``.keras`` file (Keras's or nnlab's); the
        file is checked and its shapes must be this model's."""
        saving.load_weights(self, path)

    def export(self, filepath: str | os.PathLike[str], format: str = "onnx") -> None:  # noqa: A002
        """Write the model for inference elsewhere: ``format="onnx"`` (:mod:`nnlab.onnx`)."""
        if format != "onnx":
            raise ValueError(
                f"export: format must be 'onnx' (the one nnlab writes), got {format!r}"
            )
        from nnlab.onnx import export_keras

        export_keras(self, filepath)

    def __repr__(self) -> str:
        return f"<Sequential name={self.name!r} layers={[layer.name for layer in self._layers]}>"


def load_model(path: str | os.PathLike[str], compile: bool = True) -> Sequential:  # noqa: A002
    """Read a ``.keras`` file (nnlab's or Keras 3's), compiled again when it was compiled."""
    return saving.load_model(path, compile=compile)
