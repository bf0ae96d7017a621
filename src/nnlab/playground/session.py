"""One training session (one browser tab): the settings, the points, the network, the epochs.

A :class:`Session` is driven by the server from a worker thread; every public method takes the
session's lock, so a settings change never interleaves with a training step.

One epoch is one pass over the (reshuffled) training points in batches of ``batchSize``. After
each epoch the train and test losses (the data loss only, no regularization term) are evaluated;
they go into the history that feeds the loss chart, thinned to stay bounded: once it holds more
than :data:`HISTORY_CAP` points every other point is dropped and from then on only every
``history_stride``-th epoch is kept (1, 2, 4, ...), so the whole run stays drawable in O(cap)
memory.

A session *diverges* when a batch loss or, at the end of a training call, a weight or bias is
not finite (inf/NaN: too large a learning rate). It then pauses and refuses to train until the
network is reset; frames carry ``"diverged": true`` and send non-finite values as ``null``
(JSON has no NaN), heatmaps of such values as 0.

A frame (:meth:`Session.frame`) carries the output heatmap (a 100 x 100 grid over [-6, 6]², row
0 at y = +6, values in [-1, 1] quantized to bytes 0..255), a 20 x 20 heatmap per hidden neuron,
the weights, the losses, and the metrics: accuracy and the test confusion matrix for
classification, RMSE and R² for regression.
"""

from __future__ import annotations

import base64
import bisect
import copy
import math
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
HISTORY_CAP = 4000


def grid_points(size: int) -> np.ndarray:
    """(size², 2) points of a size x size grid over [-6, 6]², row-major, row 0 at y = +6."""
    axis = np.linspace(-DOMAIN, DOMAIN, size, dtype=np.float32)
    xs, ys = np.meshgrid(axis, axis[::-1])
    return np.stack([xs.ravel(), ys.ravel()], axis=1)


def quantize(values: np.ndarray) -> str:
    """Values in [-1, 1] (clipped; NaN as 0) as base64 bytes round((v + 1) / 2 * 255)."""
    finite = np.nan_to_num(values, nan=0.0, posinf=1.0, neginf=-1.0)
    q = np.rint((np.clip(finite, -1.0, 1.0) + 1.0) * 127.5).astype(np.uint8)
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
    rmse = finite_or_none(math.sqrt(res / len(y)) if math.isfinite(res) else res)
    return {"rmse": rmse, "r2": finite_or_none(1.0 - res / tot) if tot > 0 else None}


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
            self.history_stride = 1
            self._sent_epoch = -1  # the last history epoch sent in a frame
            self.diverged = False
            self.playing = False
            self._record()

    def _evaluate(self) -> None:
        """``losses`` = (epoch, train loss, test loss) of the network as it is now."""
        train = self.net.loss_value(self.train_x, self.train_y)
        test = self.net.loss_value(self.test_x, self.test_y)
        self.losses = (self.epoch, train, test)

    def _record(self) -> None:
        """Evaluate the losses and keep them in the (thinned) history: the history holds the
        epochs 0, k, 2k, ... (k = ``history_stride``); past :data:`HISTORY_CAP` points every
        other one goes and k doubles."""
        self._evaluate()
        if self.epoch % self.history_stride:
            return
        self.history.append(self.losses)
        if len(self.history) > HISTORY_CAP:
            self.history = self.history[::2]
            self.history_stride *= 2

    def _diverge(self) -> None:
        """Training blew up: pause (for good, until a reset) and show the non-finite losses."""
        self.diverged = True
        self.playing = False
        self._evaluate()

    def divergence_message(self) -> str:
        """What the page says when training diverged."""
        return (
            f"training diverged at epoch {self.epoch}: the loss or a weight became infinite or "
            "NaN. Lower the learning rate, then reset the network."
        )

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
            loss = self.net.train_batch(
                self.train_x[idx],
                self.train_y[idx],
                s["learningRate"],
                s["regularization"],
                s["regularizationRate"],
                s["dropout"],
            )
            if not math.isfinite(loss):
                self._diverge()
                return False
            if deadline is not None and self._cursor < n and time.perf_counter() >= deadline:
                return False
        self._order = None
        self.epoch += 1
        self._record()
        return True

    def _check_parameters(self) -> None:
        """Diverge when a weight or bias is not finite (checked once per training call: a
        batch loss is checked after every step, the parameters would cost ~10% per batch)."""
        if not self.diverged and not self.net.parameters_finite():
            self._diverge()

    def train_epoch(self) -> None:
        """Finish the current pass over the shuffled training set (a whole one unless a frame
        stopped part-way), in batches, then record the losses. Does nothing once diverged."""
        with self.lock, np.errstate(over="ignore", invalid="ignore"):
            if not self.diverged:
                self._train_batches(None)
                self._check_parameters()

    def limit_reached(self) -> bool:
        """True when the optional epoch limit (``maxEpochs`` > 0) is reached."""
        limit = self.settings["maxEpochs"]
        return bool(limit) and self.epoch >= limit

    def train_for(self, seconds: float, max_epochs: int = 50) -> int:
        """Train for about ``seconds`` (at most ``max_epochs`` whole epochs), possibly stopping
        inside an epoch; stops and pauses at the epoch limit or when training diverges.
        Returns the epochs completed."""
        deadline = time.perf_counter() + seconds
        done = 0
        # Overflow is how a diverging network shows itself: it is detected and reported (the
        # session pauses as diverged), not warned about on every step.
        with self.lock, np.errstate(over="ignore", invalid="ignore"):
            while done < max_epochs and not self.limit_reached() and not self.diverged:
                if not self._train_batches(deadline):
                    break
                done += 1
                if time.perf_counter() >= deadline:
                    break
            self._check_parameters()
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
        """The state for the page: losses, new history points (epochs after the last sent),
        heatmaps, weights, metrics, whether training diverged."""
        with self.lock, np.errstate(over="ignore", invalid="ignore"):
            net = self.net
            out = net.evaluate_layers(self.grid_x)[-1][:, 0]
            small = net.evaluate_layers(self.small_grid_x)
            heat = net.display(out)
            neurons = [
                [quantize(layer[:, j]) for j in range(layer.shape[1])] for layer in small[:-1]
            ]
            first_new = bisect.bisect_right(self.history, self._sent_epoch, key=lambda h: h[0])
            new = self.history[first_new:][-MAX_HISTORY_PER_FRAME:]
            if new:
                self._sent_epoch = new[-1][0]
            params = net.get_weights()
            return {
                "type": "frame",
                "epoch": self.epoch,
                "playing": self.playing,
                "diverged": self.diverged,
                "train_loss": _finite(self.losses[1]),
                "test_loss": _finite(self.losses[2]),
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
    """The array rounded to 4 decimals as nested lists, inf/NaN entries as None (JSON null)."""
    r = np.round(a.astype(np.float64), 4)
    finite = np.isfinite(r)
    if finite.all():
        return r.tolist()
    out = r.astype(object)
    out[~finite] = None
    return out.tolist()


def finite_or_none(v: float) -> float | None:
    """JSON has no NaN/inf: a diverged value is sent as null."""
    return float(v) if math.isfinite(v) else None


def _finite(v: float) -> float | None:
    """A loss rounded to 6 decimals, or None when it is not finite."""
    return round(v, 6) if math.isfinite(v) else None
