"""The Playground's network: a small multilayer perceptron on nnlab's engine (fused ops).

Shapes: the input is (N, F) with F the number of switched-on features (1..7); hidden layer l has
``shape[l]`` neurons; the output is one unit. Weights are stored in PyTorch's layout (out, in) and
applied with the fused :func:`nnlab.autograd.linear` (y = x Wᵀ + b).

Training follows TensorFlow Playground (``nn.ts``), with the options its users asked for:

- init: weights ~ U(-0.5, 0.5), biases 0.1;
- output: tanh for classification with MSE, a logit ``z`` for classification with cross-entropy
  (shown as 2σ(z) - 1 = tanh(z/2), in [-1, 1] like the tanh output), linear for regression;
- loss per batch: MSE = mean over the batch of ½ (out - y)² (y = ±1 or the regression target), or
  binary cross-entropy mean of -[t log σ(z) + (1 - t) log(1 - σ(z))] with t = (y + 1) / 2;
- update: plain gradient descent w ← w - lr ∂L/∂w on the batch mean, then the regularization step
  on the weights only (not biases): L2 w ← w - lr·rate·w, L1 w ← w - lr·rate·sign(w), where an L1
  step that would cross 0 sets the weight to 0 and marks it dead (it is never updated again);
- inverted dropout after each hidden activation while training (identity in evaluation).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

import nnlab
from nnlab.autograd import Tensor

#: The hidden-layer activations the page offers (name -> what it does to a Tensor).
ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")
#: Input features in the Playground's URL names, in display order, with their formulas.
FEATURES: tuple[tuple[str, str], ...] = (
    ("x", "X₁"),
    ("y", "X₂"),
    ("xSquared", "X₁²"),
    ("ySquared", "X₂²"),
    ("xTimesY", "X₁X₂"),
    ("sinX", "sin(X₁)"),
    ("sinY", "sin(X₂)"),
)


def feature_matrix(points: np.ndarray, names: Sequence[str]) -> np.ndarray:
    """The (N, len(names)) float32 input matrix of the chosen features of points (N, 2)."""
    x1, x2 = points[:, 0].astype(np.float32), points[:, 1].astype(np.float32)
    table = {
        "x": x1,
        "y": x2,
        "xSquared": x1 * x1,
        "ySquared": x2 * x2,
        "xTimesY": x1 * x2,
        "sinX": np.sin(x1),
        "sinY": np.sin(x2),
    }
    if not names:
        return np.zeros((len(points), 0), np.float32)
    return np.stack([table[n] for n in names], axis=1).astype(np.float32)


def _activate(h: Tensor, name: str) -> Tensor:
    if name == "tanh":
        return h.tanh()
    if name == "relu":
        return h.relu()
    if name == "sigmoid":
        return h.sigmoid()
    return h


class PlaygroundNet:
    """An MLP ``n_inputs -> shape[0] -> ... -> shape[-1] -> 1``.

    Args:
        n_inputs: the number of input features F (>= 1).
        shape: the hidden layer widths (0..8 layers).
        activations: one hidden activation name per hidden layer (from :data:`ACTIVATIONS`).
        output: "tanh" (classification, MSE), "logit" (classification, cross-entropy) or
            "linear" (regression).
        rng: the generator for the initial weights and the dropout masks.
    """

    def __init__(
        self,
        n_inputs: int,
        shape: Sequence[int],
        activations: Sequence[str],
        output: str,
        rng: np.random.Generator,
    ) -> None:
        if len(activations) != len(shape):
            raise ValueError(
                f"PlaygroundNet: {len(activations)} activations for {len(shape)} hidden layers"
            )
        if output not in ("tanh", "logit", "linear"):
            raise ValueError(f"PlaygroundNet: output must be tanh, logit or linear, got {output!r}")
        self.sizes = [int(n_inputs), *[int(n) for n in shape], 1]
        self.activations = list(activations)
        self.output = output
        self.rng = rng
        self.weights: list[Tensor] = []
        self.biases: list[Tensor] = []
        for fan_in, fan_out in zip(self.sizes[:-1], self.sizes[1:], strict=True):
            w = rng.uniform(-0.5, 0.5, (fan_out, fan_in)).astype(np.float32)
            self.weights.append(nnlab.tensor(w, requires_grad=True))
            self.biases.append(nnlab.tensor(np.full(fan_out, 0.1, np.float32), requires_grad=True))
        self.dead = [np.zeros(w.shape, bool) for w in self.weights]

    # ------------------------------------------------------------------ forward
    def layers(self, x: np.ndarray, dropout: float = 0.0, training: bool = False) -> list[Tensor]:
        """Every layer's output for inputs x (N, F): hidden activations, then the output z (N, 1).

        The output is the pre-activation ``z``; :meth:`display` maps it into [-1, 1].
        """
        h = nnlab.tensor(x)
        outs: list[Tensor] = []
        last = len(self.weights) - 1
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            h = nnlab.autograd.linear(h, w, b)
            if i < last:
                h = _activate(h, self.activations[i])
                if training and dropout > 0:
                    h = nnlab.dropout(h, dropout, self.rng, training=True)
            outs.append(h)
        return outs

    def display(self, z: np.ndarray) -> np.ndarray:
        """The shown output, in [-1, 1] for classification, from the output pre-activation z."""
        if self.output == "tanh":
            return np.tanh(z)
        if self.output == "logit":
            return np.tanh(z / 2)  # = 2 σ(z) - 1
        return z

    def predict(self, x: np.ndarray) -> np.ndarray:
        """The shown output (N,) for inputs x (N, F), without recording a graph."""
        with nnlab.no_grad():
            z = self.layers(x)[-1].data[:, 0]
        return self.display(z)

    def evaluate_layers(self, x: np.ndarray) -> list[np.ndarray]:
        """Every layer's output (as :meth:`layers`) as arrays, without recording a graph."""
        with nnlab.no_grad():
            return [t.data for t in self.layers(x)]

    # ------------------------------------------------------------------ loss
    def loss_value(self, x: np.ndarray, y: np.ndarray) -> float:
        """The data loss (no regularization term) of the whole set, as trained (see module doc)."""
        if len(x) == 0:
            return float("nan")
        with nnlab.no_grad():
            return float(self._batch_loss(self.layers(x)[-1], y).item())

    def _batch_loss(self, z: Tensor, y: np.ndarray) -> Tensor:
        if self.output == "logit":
            return nnlab.sigmoid_binary_cross_entropy(z, ((y + 1) / 2).reshape(-1, 1))
        out = z.tanh() if self.output == "tanh" else z
        diff = out - y.reshape(-1, 1)
        return (diff * diff).mean() * 0.5

    # ------------------------------------------------------------------ training
    def train_batch(
        self,
        x: np.ndarray,
        y: np.ndarray,
        learning_rate: float,
        regularization: str = "none",
        rate: float = 0.0,
        dropout: float = 0.0,
    ) -> float:
        """One gradient step on the batch (x (B, F), y (B,)); returns the batch loss before it."""
        loss = self._batch_loss(self.layers(x, dropout, training=True)[-1], y)
        loss.backward()
        lr = np.float32(learning_rate)
        for w, b, dead in zip(self.weights, self.biases, self.dead, strict=True):
            wd, bd = w.data, b.data
            if w.grad is not None:
                wd -= lr * w.grad
            if b.grad is not None:
                bd -= lr * b.grad
            w.grad = None
            b.grad = None
            if regularization == "L2" and rate > 0:
                wd -= lr * np.float32(rate) * wd
            elif regularization == "L1" and rate > 0:
                new = wd - lr * np.float32(rate) * np.sign(wd)
                crossed = np.sign(new) * np.sign(wd) < 0
                dead |= crossed
                wd[...] = new
            if dead.any():
                wd[dead] = 0.0
        return float(loss.item())

    # ------------------------------------------------------------------ weights
    def parameters_finite(self) -> bool:
        """True when every weight and bias is finite (no inf, no NaN)."""
        return all(bool(np.isfinite(p.data).all()) for p in [*self.weights, *self.biases])

    def get_weights(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Copies of (W (out, in), b (out,)) per layer."""
        pairs = zip(self.weights, self.biases, strict=True)
        return [(w.data.copy(), b.data.copy()) for w, b in pairs]

    def set_weight(self, layer: int, to: int, frm: int, value: float) -> None:
        """Set ``W[layer][to, frm] = value`` (the page's click-to-edit); revives a dead L1
        weight."""
        if not 0 <= layer < len(self.weights):
            raise ValueError(f"set_weight: layer must be in [0, {len(self.weights) - 1}]")
        w = self.weights[layer].data
        if not (0 <= to < w.shape[0] and 0 <= frm < w.shape[1]):
            raise ValueError(
                f"set_weight: neuron indices ({to}, {frm}) outside layer {layer}'s {w.shape}"
            )
        w[to, frm] = value
        self.dead[layer][to, frm] = False

    def set_bias(self, layer: int, neuron: int, value: float) -> None:
        """Set ``b[layer][neuron] = value``."""
        if not 0 <= layer < len(self.biases):
            raise ValueError(f"set_bias: layer must be in [0, {len(self.biases) - 1}]")
        b = self.biases[layer].data
        if not 0 <= neuron < b.shape[0]:
            raise ValueError(f"set_bias: neuron {neuron} outside layer {layer}'s {b.shape[0]}")
        b[neuron] = value
