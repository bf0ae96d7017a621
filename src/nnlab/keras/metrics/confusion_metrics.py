"""Metrics from weighted confusion-matrix counts at decision thresholds.

A prediction ŷ counts as positive at threshold θ when ŷ > θ; a target as positive when y ≠ 0.
For each threshold the metric accumulates (weighted by sample_weight)

    TP = Σ w [y ∧ ŷ > θ]     FP = Σ w [¬y ∧ ŷ > θ]     FN = Σ w [y ∧ ŷ <= θ]     TN = ...

    Precision = TP / (TP + FP)          Recall = TP / (TP + FN)      (0 when the divisor is 0)
    AUC       area under the ROC curve (recall against FP / (FP + TN)) or the PR curve (precision
              against recall), from ``num_thresholds`` points by the trapezoidal rule (Keras's
              'interpolation'; for PR the interpolation of Davis & Goadrich 2006), or the
              'minoring' / 'majoring' Riemann sums.

``top_k`` keeps only the k highest predictions of a sample (the others count as negative);
``class_id`` looks at one column of (N, K) predictions only. Keras's evenly spaced thresholds
(AUC's) are counted by bucketing the predictions (clipped to [0, 1]), as Keras does. AUC's
``curve='PRGAIN'`` integrates precision gain against recall gain.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..config import epsilon
from ..losses.loss import squeeze_or_expand_to_same_rank
from .metric import Metric, Variable, to_array

__all__ = [
    "AUC",
    "FalseNegatives",
    "FalsePositives",
    "Precision",
    "Recall",
    "TrueNegatives",
    "TruePositives",
]

NEG_INF = -1e10


def parse_thresholds(thresholds: Any, default: float) -> list[float]:
    """A list of thresholds in [0, 1] (``default`` alone when None)."""
    if thresholds is None:
        return [default]
    values = list(thresholds) if isinstance(thresholds, Sequence | np.ndarray) else [thresholds]
    bad = [t for t in values if t is None or t < 0 or t > 1]
    if bad:
        raise ValueError(f"Threshold values must be in [0, 1]. Received: {bad}")
    return [float(t) for t in values]


def is_evenly_distributed(thresholds: Sequence[float]) -> bool:
    """Whether the thresholds are i/(n-1), i = 0..n-1, n >= 3 (up to ε)."""
    n = len(thresholds)
    return n >= 3 and bool(
        np.allclose(thresholds, np.arange(n, dtype=np.float32) / (n - 1), atol=epsilon())
    )


def _filter_top_k(x: np.ndarray, k: int) -> np.ndarray:
    """x where among the k largest of its row, NEG_INF elsewhere."""
    top = np.argsort(-x, axis=-1, kind="stable")[..., :k]
    keep = np.zeros(x.shape, dtype=bool)
    np.put_along_axis(keep, top, True, axis=-1)
    return np.where(keep, x, np.float32(NEG_INF)).astype(x.dtype)


def confusion_counts(
    y_true: Any,
    y_pred: Any,
    thresholds: Sequence[float] | np.ndarray,
    *,
    evenly: bool = False,
    top_k: int | None = None,
    class_id: int | None = None,
    sample_weight: Any = None,
    multi_label: bool = False,
    label_weights: Any = None,
) -> dict[str, np.ndarray]:
    """Weighted TP, FP, TN, FN per threshold (and per label with ``multi_label``)."""
    y_pred = to_array(y_pred, np.float32)
    y_true = to_array(y_true, np.float32)
    y_pred, y_true = squeeze_or_expand_to_same_rank(y_pred, y_true)
    weight = None
    if sample_weight is not None:
        weight = to_array(sample_weight, np.float32)[..., None]
        _, weight = squeeze_or_expand_to_same_rank(y_true, weight, expand_rank_1=False)
    if top_k is not None:
        y_pred = _filter_top_k(y_pred, top_k)
    if class_id is not None:
        if y_pred.ndim == 1:
            raise ValueError(
                "When class_id is provided, y_pred must be a 2D array with shape "
                f"(num_samples, num_classes), found shape: {y_pred.shape}"
            )
        y_true, y_pred = y_true[..., class_id, None], y_pred[..., class_id, None]
    w = np.ones(y_pred.shape, np.float32)
    if weight is not None:
        w = w * np.broadcast_to(weight, y_pred.shape)
    if label_weights is not None and not multi_label:
        w = w * np.broadcast_to(to_array(label_weights, np.float32), y_pred.shape)
    label = y_true.astype(bool)
    thr = np.asarray(thresholds, dtype=np.float32)
    if multi_label:  # counts per label: reduce the sample axis only
        label, y_pred, w = label.reshape(len(label), -1), y_pred.reshape(len(label), -1), w
        w = w.reshape(label.shape)
    else:
        label, y_pred, w = label.reshape(-1, 1), y_pred.reshape(-1, 1), w.reshape(-1, 1)
    if evenly:
        tp, fp = _bucketed_counts(label, y_pred, w, thr)
    else:
        above = y_pred[None] > thr.reshape(-1, 1, 1)  # (thresholds, samples, labels)
        tp = np.sum(np.where(above & label, w, 0.0), axis=1)
        fp = np.sum(np.where(above & ~label, w, 0.0), axis=1)
    positives = np.sum(np.where(label, w, 0.0), axis=0)
    negatives = np.sum(np.where(label, 0.0, w), axis=0)
    counts = {"tp": tp, "fp": fp, "fn": positives - tp, "tn": negatives - fp}
    if not multi_label:
        counts = {k: v[:, 0] for k, v in counts.items()}
    return counts


def _bucketed_counts(
    label: np.ndarray, y_pred: np.ndarray, w: np.ndarray, thr: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """TP and FP at evenly spaced thresholds: each prediction p falls in bucket
    ceil(p (n-1)) - 1, and the counts at threshold i are the sums over buckets >= i."""
    n = len(thr)
    p = np.clip(y_pred, 0.0, 1.0)
    bucket = np.ceil(p * np.float32(n - 1)) - 1
    if thr[0] < 0 or thr[-1] > 1:
        bucket = np.maximum(bucket, 0)
    bucket = bucket.astype(np.intp)
    labels_n = label.shape[1]
    cols = np.broadcast_to(np.arange(labels_n), label.shape)
    valid = bucket >= 0
    index = (cols * n + bucket)[valid]
    tp_b = np.bincount(index, weights=np.where(label, w, 0.0)[valid], minlength=n * labels_n)
    fp_b = np.bincount(index, weights=np.where(label, 0.0, w)[valid], minlength=n * labels_n)
    tp = np.cumsum(tp_b.reshape(labels_n, n)[:, ::-1], axis=1)[:, ::-1].T
    fp = np.cumsum(fp_b.reshape(labels_n, n)[:, ::-1], axis=1)[:, ::-1].T
    return tp.astype(np.float32), fp.astype(np.float32)


def divide_no_nan(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a / b, and 0 where b == 0."""
    b = np.asarray(b)
    return np.where(b == 0, 0.0, a / np.where(b == 0, 1, b)).astype(np.float32)


class _ThresholdMetric(Metric):
    """Precision and Recall: counts at ``thresholds`` (0.5; with top_k, any score counts)."""

    _counts: tuple[str, str]

    def __init__(
        self,
        thresholds: Any = None,
        top_k: int | None = None,
        class_id: int | None = None,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        self.thresholds = parse_thresholds(thresholds, 0.5 if top_k is None else NEG_INF)
        self._evenly = is_evenly_distributed(self.thresholds)
        names = {"tp": "true_positives", "fp": "false_positives", "fn": "false_negatives"}
        self._vars: dict[str, Variable] = {}
        for key in self._counts:
            self._vars[key] = self.add_variable(shape=(len(self.thresholds),), name=names[key])
            setattr(self, names[key], self._vars[key])

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        counts = confusion_counts(
            y_true,
            y_pred,
            self.thresholds,
            evenly=self._evenly,
            top_k=self.top_k,
            class_id=self.class_id,
            sample_weight=sample_weight,
        )
        for key, var in self._vars.items():
            var.assign_add(counts[key])

    def result(self) -> np.ndarray:
        tp, other = (self._vars[k].value for k in self._counts)
        out = divide_no_nan(tp, tp + other)
        return out[0] if len(self.thresholds) == 1 else out

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "thresholds": self.init_thresholds,
            "top_k": self.top_k,
            "class_id": self.class_id,
        }


class Precision(_ThresholdMetric):
    """TP / (TP + FP): the fraction of positive predictions that are right."""

    _counts = ("tp", "fp")


class Recall(_ThresholdMetric):
    """TP / (TP + FN): the fraction of positive targets that are found."""

    _counts = ("tp", "fn")


class _ConfusionCount(Metric):
    """One weighted count of the confusion matrix at ``thresholds`` (0.5)."""

    _key: str

    def __init__(self, thresholds: Any = None, name: str | None = None, dtype: Any = None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.thresholds = parse_thresholds(thresholds, 0.5)
        self._evenly = is_evenly_distributed(self.thresholds)
        self.accumulator = self.add_variable(shape=(len(self.thresholds),), name="accumulator")

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        counts = confusion_counts(
            y_true, y_pred, self.thresholds, evenly=self._evenly, sample_weight=sample_weight
        )
        self.accumulator.assign_add(counts[self._key])

    def result(self) -> np.ndarray:
        value = self.accumulator.numpy()
        return value[0] if len(self.thresholds) == 1 else value

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "thresholds": self.init_thresholds}


class TruePositives(_ConfusionCount):
    """Weighted number of positive targets predicted positive."""

    _key = "tp"


class FalsePositives(_ConfusionCount):
    """Weighted number of negative targets predicted positive."""

    _key = "fp"


class TrueNegatives(_ConfusionCount):
    """Weighted number of negative targets predicted negative."""

    _key = "tn"


class FalseNegatives(_ConfusionCount):
    """Weighted number of positive targets predicted negative."""

    _key = "fn"


class AUC(Metric):
    """Area under the ROC or PR curve, approximated from counts at ``num_thresholds`` thresholds
    (evenly spaced in [0, 1], the ends moved out by ε) or at the given ``thresholds``."""

    def __init__(
        self,
        num_thresholds: int = 200,
        curve: str = "ROC",
        summation_method: str = "interpolation",
        name: str | None = None,
        dtype: Any = None,
        thresholds: Any = None,
        multi_label: bool = False,
        num_labels: int | None = None,
        label_weights: Any = None,
        from_logits: bool = False,
    ) -> None:
        super().__init__(name=name, dtype=dtype)
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            inner = sorted(float(t) for t in thresholds)
            self.num_thresholds = len(inner) + 2
            self._evenly = is_evenly_distributed([0.0, *inner, 1.0])
        else:
            if num_thresholds <= 1:
                raise ValueError(
                    f"Argument `num_thresholds` must be an integer > 1. Received: {num_thresholds}"
                )
            self.num_thresholds = num_thresholds
            inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self._evenly = True
        self._thresholds = np.array([0.0 - epsilon(), *inner, 1.0 + epsilon()])
        curves = {"roc": "ROC", "pr": "PR", "prgain": "PRGAIN"}
        if str(curve).lower() not in curves:
            raise ValueError(
                f'Invalid AUC curve value: "{curve}". Expected values are ["PR", "ROC", "PRGAIN"]'
            )
        self.curve = curves[str(curve).lower()]
        methods = ("interpolation", "majoring", "minoring")
        if str(summation_method).lower() not in methods:
            raise ValueError(
                f'Invalid AUC summation method value: "{summation_method}". Expected values '
                f"are {list(methods)}"
            )
        self.summation_method = str(summation_method).lower()
        self.multi_label = multi_label
        self.num_labels = num_labels
        self.label_weights = (
            None if label_weights is None else np.asarray(label_weights, dtype=self._dtype)
        )
        self._from_logits = from_logits
        self._built = False
        if multi_label:
            if num_labels:
                self._build(num_labels)
        elif num_labels:
            raise ValueError("`num_labels` is needed only when `multi_label` is True.")
        else:
            self._build(None)

    @property
    def thresholds(self) -> list[float]:
        return list(self._thresholds)

    def _build(self, labels: int | None) -> None:
        shape = (self.num_thresholds,) if labels is None else (self.num_thresholds, labels)
        self.true_positives = self.add_variable(shape=shape, name="true_positives")
        self.false_positives = self.add_variable(shape=shape, name="false_positives")
        self.true_negatives = self.add_variable(shape=shape, name="true_negatives")
        self.false_negatives = self.add_variable(shape=shape, name="false_negatives")
        self._built = True

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        y_pred = to_array(y_pred, np.float32)
        if not self._built:
            if y_pred.ndim != 2:
                raise ValueError(
                    "`y_pred` must have rank 2 when `multi_label=True`. Found rank "
                    f"{y_pred.ndim}. Full shape received for `y_pred`: {y_pred.shape}"
                )
            self._build(y_pred.shape[1])
        if self._from_logits:
            y_pred = 0.5 * (1.0 + np.tanh(0.5 * y_pred))  # σ(z), without overflow
        counts = confusion_counts(
            y_true,
            y_pred,
            self._thresholds,
            evenly=self._evenly,
            sample_weight=sample_weight,
            multi_label=self.multi_label,
            label_weights=None if self.multi_label else self.label_weights,
        )
        self.true_positives.assign_add(counts["tp"])
        self.false_positives.assign_add(counts["fp"])
        self.true_negatives.assign_add(counts["tn"])
        self.false_negatives.assign_add(counts["fn"])

    def _by_label(self, per_label: np.ndarray) -> np.ndarray:
        if not self.multi_label:
            return np.float32(np.sum(per_label))
        by_label = np.sum(per_label, axis=0)
        if self.label_weights is None:
            return np.float32(np.mean(by_label))
        return divide_no_nan(np.sum(by_label * self.label_weights), np.sum(self.label_weights))

    def _interpolate_pr_auc(self) -> np.ndarray:
        """Davis & Goadrich's interpolation of the PR curve between thresholds."""
        tp, fp = self.true_positives.value, self.false_positives.value
        fn = self.false_negatives.value
        dtp = tp[:-1] - tp[1:]
        p = tp + fp
        dp = p[:-1] - p[1:]
        slope = divide_no_nan(dtp, np.maximum(dp, 0))
        intercept = tp[1:] - slope * p[1:]
        ratio = np.where(
            (p[:-1] > 0) & (p[1:] > 0), divide_no_nan(p[:-1], np.maximum(p[1:], 0)), 1.0
        )
        increment = divide_no_nan(
            slope * (dtp + intercept * np.log(ratio)), np.maximum(tp[1:] + fn[1:], 0)
        )
        return self._by_label(increment)

    def result(self) -> np.ndarray:
        if not self._built:
            return np.float32(0.0)
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._interpolate_pr_auc()
        tp, fp = self.true_positives.value, self.false_positives.value
        tn, fn = self.true_negatives.value, self.false_negatives.value
        recall = divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = divide_no_nan(fp, fp + tn), recall
        elif self.curve == "PR":
            x, y = recall, divide_no_nan(tp, tp + fp)
        else:  # precision-recall gain (Flach & Kull 2015), as Keras computes it
            scale = divide_no_nan(tp + fn, tn + fp)
            recall_gain = np.where(tp == 0, 0.0, 1.0 - scale * divide_no_nan(fn, tp))
            precision_gain = np.where(tp == 0, 1.0, 1.0 - scale * divide_no_nan(fp, tp))
            x, y = np.maximum(recall_gain, 0.0), precision_gain
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = np.minimum(y[:-1], y[1:])
        else:
            heights = np.maximum(y[:-1], y[1:])
        return self._by_label((x[:-1] - x[1:]) * heights)

    def reset_state(self) -> None:
        if self._built:
            super().reset_state()

    def get_config(self) -> dict[str, Any]:
        config = {
            **super().get_config(),
            "num_thresholds": self.num_thresholds,
            "curve": self.curve,
            "summation_method": self.summation_method,
            "multi_label": self.multi_label,
            "num_labels": self.num_labels,
            "label_weights": None if self.label_weights is None else self.label_weights.tolist(),
            "from_logits": self._from_logits,
        }
        if self._init_from_thresholds:
            config["thresholds"] = self.thresholds[1:-1]
        return config
