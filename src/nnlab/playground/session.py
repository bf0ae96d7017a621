"""One training session (one browser tab): the settings, the points, the network, the epochs.

A :class:`Session` is driven by the server from a worker thread; every public method takes the
session's lock, so a settings change never interleaves with a training step.

One epoch is one pass over the (reshuffled) training points in batches of ``batchSize``. After
each epoch the train and test losses (the data loss only, no regularization term) go into the
history that feeds the loss chart. A frame (:meth:`Session.frame`) carries the output heatmap (a
100 x 100 grid over [-6, 6]², row 0 at y = +6, values in [-1, 1] quantized to bytes 0..255), a
20 x 20 heatmap per hidden neuron, the weights, the losses, and the metrics: accuracy and the test
confusion matrix for classification, RMSE and R² for regression.
"""

from __future__ import annotations

import base64
import copy
import threading
import time
from typing import Any

import numpy as np

from nnlab.datasets import playground as pg_data
from nnlab.playground.network import PlaygroundNet, feature_matrix
from nnlab.playground.protocol import DEFAULTS, KEEP_NETWORK, NEW_DATA, ProtocolError, parse_csv

HEATMAP_SIZE = 100
NEURON_MAP_SIZE = 20
DOMAIN = 6.0
MAX_HISTORY_PER_FRAME = 2000


def grid_points(size: int) -> np.ndarray:
    """(size², 2) points of a size x size grid over [-6, 6]², row-major, row 0 at y = +6."""
    axis = np.linspace(-DOMAIN, DOMAIN, size, dtype=np.float32)
    xs, ys = np.meshgrid(axis, axis[::-1])
    return np.stack([xs.ravel(), ys.ravel()], axis=1)


def quantize(values: np.ndarray) -> str:
    """Values in [-1, 1] (clipped) as base64 bytes round((v + 1) / 2 * 255)."""
    q = np.rint((np.clip(values, -1.0, 1.0) + 1.0) * 127.5).astype(np.uint8)
    return base64.b64encode(q.tobytes()).decode("ascii")


def classification_metrics(pred: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    """Accuracy of sign(pred) against labels ±1, and the confusion matrix [[TN, FP], [FN, TP]]
    (rows: true -1, +1; columns: predicted -1, +1)."""
    p, t = pred >= 0, y > 0
    n = len(y)
    confusion = [
        [int(np.sum(~t & ~p)), int(np.sum(~t & p))],
        [int(np.sum(t & ~p)), int(np.sum(t & p))],
    ]
    return {"accuracy": float(np.mean(p == t)) if n else None, "confusion": confusion}


def regression_metrics(pred: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    """RMSE = sqrt(mean (pred - y)²) and R² = 1 - SS_res / SS_tot (None when SS_tot is 0)."""
    if len(y) == 0:
        return {"rmse": None, "r2": None}
    res = float(np.sum((pred - y) ** 2))
    tot = float(np.sum((y - y.mean()) ** 2))
    return {"rmse": float(np.sqrt(res / len(y))), "r2": 1.0 - res / tot if tot > 0 else None}


class Session:
    """The state of one tab. ``settings`` holds the validated values of :data:`DEFAULTS`."""

    def __init__(self, settings: dict[str, Any] | None = None) -> None:
        self.lock = threading.RLock()
        self.settings: dict[str, Any] = copy.deepcopy(DEFAULTS)
        self.upload: tuple[np.ndarray, np.ndarray, str] | None = None
        self.playing = False
        self.last_active = time.monotonic()
        self._grid = grid_points(HEATMAP_SIZE)
        self._small_grid = grid_points(NEURON_MAP_SIZE)
        self.notice: str | None = None
        self.update(settings or {})
        self._new_data()
        self.reset()

    # ------------------------------------------------------------------ settings
    def update(self, changes: dict[str, Any]) -> tuple[bool, bool]:
        """Apply validated setting changes; returns (data changed, network changed)."""
        with self.lock:
            s = self.settings
            old = copy.deepcopy(s)
            s.update(changes)
            if "problem" in changes and "dataset" not in changes:
                reg = s["problem"] == "regression"
                kind = pg_data.REGRESSION if reg else pg_data.CLASSIFICATION
                if s["dataset"] not in kind and s["dataset"] != "upload":
                    s["dataset"] = kind[0]
            if s["dataset"] == "upload" and self.upload is None:
                s["dataset"] = "circle"
                self.notice = "no uploaded points in this session; showing circle instead"
            if s["dataset"] == "upload" and self.upload is not None:
                if self.upload[2] == "regression":
                    s["problem"] = "regression"
            else:
                reg = s["dataset"] in pg_data.REGRESSION
                s["problem"] = "regression" if reg else "classification"
            if "activation" in changes and "activations" not in changes:
                s["activations"] = [s["activation"]] * len(s["networkShape"])
            acts = s["activations"][: len(s["networkShape"])]
            s["activations"] = acts + [s["activation"]] * (len(s["networkShape"]) - len(acts))
            changed = {k for k in s if s[k] != old[k]}
            new_data = bool(changed & NEW_DATA)
            new_net = bool(changed - KEEP_NETWORK)
            if hasattr(self, "net"):
                if new_data:
                    self._new_data()
                if new_net:
                    self.reset()
            return new_data, new_net

    def load_csv(self, text: str) -> None:
        """Use uploaded points (see :func:`nnlab.playground.protocol.parse_csv`)."""
        points, labels, problem = parse_csv(text)
        with self.lock:
            self.upload = (np.asarray(points, np.float32), np.asarray(labels, np.float32), problem)
            self.settings["dataset"] = "upload"
            self.settings["problem"] = problem
            self._new_data()
            self.reset()

    def regenerate(self) -> None:
        """A new seed: new points (and a new network), as the Playground's button."""
        with self.lock:
            seed = int(np.random.default_rng().integers(0, 2**31 - 1))
            self.update({"seed": seed})

    def _new_data(self) -> None:
        s = self.settings
        if s["dataset"] == "upload" and self.upload is not None:
            points, labels = self.upload[0], self.upload[1]
        else:
            points, labels = pg_data.generate(s["dataset"], noise=s["noise"] / 100, seed=s["seed"])
        (self.train_xy, self.train_y), (self.test_xy, self.test_y) = pg_data.train_test_split(
            points, labels, s["percTrainData"] / 100, seed=s["seed"]
        )
        self.train_y = self.train_y.astype(np.float32)
        self.test_y = self.test_y.astype(np.float32)
        self.data_version = getattr(self, "data_version", 0) + 1

    def reset(self) -> None:
        """New initial weights (seeded by the settings' seed), epoch 0, empty history."""
        with self.lock:
            s = self.settings
            feats = s["features"]
            self.train_x = feature_matrix(self.train_xy, feats)
            self.test_x = feature_matrix(self.test_xy, feats)
            self.grid_x = feature_matrix(self._grid, feats)
            self.small_grid_x = feature_matrix(self._small_grid, feats)
            if s["problem"] == "regression":
                output = "linear"
            else:
                output = "logit" if s["loss"] == "ce" else "tanh"
            self.rng = np.random.default_rng(s["seed"])
            self.net = PlaygroundNet(
                len(feats), s["networkShape"], s["activations"], output, self.rng
            )
            self.epoch = 0
            self._order: np.ndarray | None = None  # this epoch's shuffled order, while in it
            self._cursor = 0
            self.history: list[tuple[int, float, float]] = []
            self._sent_history = 0
            self.playing = False
            self._record()

    def _record(self) -> None:
        train = self.net.loss_value(self.train_x, self.train_y)
        test = self.net.loss_value(self.test_x, self.test_y)
        self.history.append((self.epoch, train, test))

    # ------------------------------------------------------------------ training
    def _train_batches(self, deadline: float | None) -> bool:
        """Train the next batches of the current epoch until it ends (returns True, after
        recording the losses) or ``deadline`` (``time.perf_counter()``) passes (returns False;
        the epoch resumes at the next call). A large network with batches of 1 can need more
        than a frame's time for one epoch: frames then show it part-way through."""
        s = self.settings
        n = len(self.train_x)
        if self._order is None:
            self._order = self.rng.permutation(n)
            self._cursor = 0
        bs = s["batchSize"]
        while self._cursor < n:
            idx = self._order[self._cursor : self._cursor + bs]
            self._cursor += bs
            self.net.train_batch(
                self.train_x[idx],
                self.train_y[idx],
                s["learningRate"],
                s["regularization"],
                s["regularizationRate"],
                s["dropout"],
            )
            if deadline is not None and self._cursor < n and time.perf_counter() >= deadline:
                return False
        self._order = None
        self.epoch += 1
        self._record()
        return True

    def train_epoch(self) -> None:
        """Finish the current pass over the shuffled training set (a whole one unless a frame
        stopped part-way), in batches, then record the losses."""
        with self.lock:
            self._train_batches(None)

    def limit_reached(self) -> bool:
        """True when the optional epoch limit (``maxEpochs`` > 0) is reached."""
        limit = self.settings["maxEpochs"]
        return bool(limit) and self.epoch >= limit

    def train_for(self, seconds: float, max_epochs: int = 50) -> int:
        """Train for about ``seconds`` (at most ``max_epochs`` whole epochs), possibly stopping
        inside an epoch; stops and pauses at the epoch limit. Returns the epochs completed."""
        deadline = time.perf_counter() + seconds
        done = 0
        with self.lock:
            while done < max_epochs and not self.limit_reached():
                if not self._train_batches(deadline):
                    break
                done += 1
                if time.perf_counter() >= deadline:
                    break
            if self.limit_reached():
                self.playing = False
        return done

    # ------------------------------------------------------------------ views
    def data_message(self) -> dict[str, Any]:
        """The points (rounded to 3 decimals) as ``[[x, y, label], ...]`` for the page."""
        with self.lock:

            def rows(xy: np.ndarray, y: np.ndarray) -> list[list[float]]:
                return np.round(np.column_stack([xy, y]).astype(np.float64), 3).tolist()

            return {
                "type": "data",
                "version": self.data_version,
                "problem": self.settings["problem"],
                "train": rows(self.train_xy, self.train_y),
                "test": rows(self.test_xy, self.test_y),
            }

    def metrics(self) -> dict[str, Any]:
        """Train/test accuracy + test confusion matrix, or train/test RMSE and R²."""
        train_pred = self.net.predict(self.train_x)
        test_pred = self.net.predict(self.test_x)
        if self.settings["problem"] == "classification":
            tr = classification_metrics(train_pred, self.train_y)
            te = classification_metrics(test_pred, self.test_y)
            return {
                "kind": "classification",
                "train_accuracy": tr["accuracy"],
                "test_accuracy": te["accuracy"],
                "confusion": te["confusion"],
            }
        tr, te = (
            regression_metrics(train_pred, self.train_y),
            regression_metrics(test_pred, self.test_y),
        )
        return {
            "kind": "regression",
            "train_rmse": tr["rmse"],
            "test_rmse": te["rmse"],
            "train_r2": tr["r2"],
            "test_r2": te["r2"],
        }

    def frame(self) -> dict[str, Any]:
        """The state for the page: losses, new history, heatmaps, weights, metrics."""
        with self.lock:
            net = self.net
            out = net.evaluate_layers(self.grid_x)[-1][:, 0]
            small = net.evaluate_layers(self.small_grid_x)
            heat = net.display(out)
            neurons = [
                [quantize(layer[:, j]) for j in range(layer.shape[1])] for layer in small[:-1]
            ]
            new = self.history[self._sent_history :]
            if len(new) > MAX_HISTORY_PER_FRAME:
                new = new[-MAX_HISTORY_PER_FRAME:]
            self._sent_history = len(self.history)
            last = self.history[-1]
            params = net.get_weights()
            return {
                "type": "frame",
                "epoch": self.epoch,
                "playing": self.playing,
                "train_loss": _finite(last[1]),
                "test_loss": _finite(last[2]),
                "history": [[e, _finite(a), _finite(b)] for e, a, b in new],
                "heatmap": quantize(heat),
                "neurons": neurons,
                "weights": [_rounded(w) for w, _ in params],
                "biases": [_rounded(b) for _, b in params],
                "metrics": self.metrics(),
                "settings": copy.deepcopy(self.settings),
            }

    def set_weight(self, layer: int, to: int, frm: int, value: float) -> None:
        with self.lock:
            try:
                self.net.set_weight(layer, to, frm, value)
            except ValueError as exc:
                raise ProtocolError(str(exc)) from None

    def set_bias(self, layer: int, neuron: int, value: float) -> None:
        with self.lock:
            try:
                self.net.set_bias(layer, neuron, value)
            except ValueError as exc:
                raise ProtocolError(str(exc)) from None


def _rounded(a: np.ndarray) -> Any:
    return np.round(a.astype(np.float64), 4).tolist()


def _finite(v: float) -> float | None:
    """JSON has no NaN/inf: a diverged loss is sent as null."""
    return round(v, 6) if np.isfinite(v) else None
