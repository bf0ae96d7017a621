"""Intersection-over-union metrics (Keras 3's IoU family), from an accumulated confusion matrix.

Every update flattens the labels y and the predicted classes ŷ and adds, for each valid pair,
its weight w to the cell ``cm[y, ŷ]`` of a (num_classes, num_classes) matrix. A pair is valid when
0 <= y < num_classes, 0 <= ŷ < num_classes and y != ignore_class; the others are dropped. Then,
for class c,

    TP_c = cm[c, c]     FP_c + TP_c = Σ_i cm[i, c]     FN_c + TP_c = Σ_j cm[c, j]
    IoU_c = TP_c / (TP_c + FP_c + FN_c)

and the result is the mean of IoU_c over the ``target_class_ids`` whose denominator is > 0
(classes absent from both y and ŷ do not count). As in Keras, the matrix has the metric's dtype,
``int32`` by default: float labels and weights are truncated to integers unless
``dtype='float32'`` (a warning says so for float weights).

- :class:`IoU`: given classes; :class:`MeanIoU`: all classes.
- :class:`BinaryIoU`: ŷ = [prediction >= threshold], two classes.
- :class:`OneHotIoU` / :class:`OneHotMeanIoU`: y (and ŷ unless ``sparse_y_pred``) are one-hot or
  scores; their argmax along ``axis`` is the class.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..config import epsilon
from .metric import Metric, to_array

__all__ = ["BinaryIoU", "IoU", "MeanIoU", "OneHotIoU", "OneHotMeanIoU"]


def _metric_dtype(dtype: Any) -> Any:
    """Keras's spelling 'int' (and the default None) is int32."""
    if dtype is None or (isinstance(dtype, str) and dtype == "int"):
        return "int32"
    return dtype


class _IoUBase(Metric):
    """The confusion-matrix state and its update (see the module docstring)."""

    def __init__(
        self,
        num_classes: int,
        name: str | None = None,
        dtype: Any = None,
        ignore_class: int | None = None,
        sparse_y_true: bool = True,
        sparse_y_pred: bool = True,
        axis: int = -1,
    ) -> None:
        if not isinstance(num_classes, int | np.integer) or num_classes < 1:
            raise ValueError(f"num_classes must be a positive integer, got {num_classes!r}")
        super().__init__(name=name, dtype=_metric_dtype(dtype))
        self.num_classes = int(num_classes)
        self.ignore_class = ignore_class
        self.sparse_y_true = sparse_y_true
        self.sparse_y_pred = sparse_y_pred
        self.axis = axis
        self.total_cm = self.add_variable(
            shape=(self.num_classes, self.num_classes), name="total_confusion_matrix"
        )

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Add the weighted (label, predicted class) counts of this batch to the matrix."""
        y_true = to_array(y_true)
        y_pred = to_array(y_pred)
        if not self.sparse_y_true:
            y_true = np.argmax(y_true, axis=self.axis)
        if not self.sparse_y_pred:
            y_pred = np.argmax(y_pred, axis=self.axis)
        dtype = self._dtype
        y_true = y_true.astype(dtype).reshape(-1)
        y_pred = y_pred.astype(dtype).reshape(-1)
        if y_true.shape != y_pred.shape:
            raise ValueError(
                f"{type(self).__name__}: y_true and y_pred must hold the same number of labels, "
                f"got {y_true.size} and {y_pred.size}"
            )
        if sample_weight is None:
            weight = np.ones(y_true.shape, dtype)
        else:
            sw = to_array(sample_weight)
            if sw.dtype.kind == "f" and dtype.kind in "iu":
                warnings.warn(
                    "You are passing weight as `float`, but dtype is `int`. This may result in "
                    "an incorrect weight due to type casting. Consider using integer weights.",
                    stacklevel=2,
                )
            sw = sw.astype(dtype).reshape(-1) if sw.ndim > 1 else sw.astype(dtype)
            try:
                weight = np.broadcast_to(sw, y_true.shape)
            except ValueError:
                raise ValueError(
                    f"{type(self).__name__}: sample_weight of shape {sw.shape} does not "
                    f"broadcast to the {y_true.size} labels"
                ) from None
        n = self.num_classes
        valid = (y_true >= 0) & (y_true < n) & (y_pred >= 0) & (y_pred < n)
        if self.ignore_class is not None:
            valid &= y_true != self.ignore_class
        rows = y_true[valid].astype(np.int64)
        cols = y_pred[valid].astype(np.int64)
        current = np.zeros((n, n), dtype)
        np.add.at(current, (rows, cols), weight[valid])
        self.total_cm.assign(self.total_cm.numpy() + current)

    def reset_state(self) -> None:
        self.total_cm.assign(np.zeros(self.total_cm.shape, self.total_cm.dtype))


class IoU(_IoUBase):
    """Mean IoU over the classes ``target_class_ids`` (see the module docstring)."""

    def __init__(
        self,
        num_classes: int,
        target_class_ids: Sequence[int],
        name: str | None = None,
        dtype: Any = None,
        ignore_class: int | None = None,
        sparse_y_true: bool = True,
        sparse_y_pred: bool = True,
        axis: int = -1,
    ) -> None:
        super().__init__(
            num_classes=num_classes,
            name=name,
            dtype=dtype,
            ignore_class=ignore_class,
            sparse_y_true=sparse_y_true,
            sparse_y_pred=sparse_y_pred,
            axis=axis,
        )
        ids = [int(c) for c in target_class_ids]
        if not ids:
            raise ValueError("target_class_ids must name at least one class")
        if max(ids) >= num_classes or min(ids) < 0:
            raise ValueError(
                f"Target class id {max(ids) if max(ids) >= num_classes else min(ids)} "
                f"is out of range, which is [0, {num_classes})."
            )
        self.target_class_ids = ids

    def result(self) -> np.ndarray:
        """mean over valid target classes of TP_c / (Σ_i cm[i,c] + Σ_j cm[c,j] - TP_c)."""
        cm = self.total_cm.numpy()
        true_positives = np.diag(cm).astype(np.float32)
        denominator = (cm.sum(axis=0) + cm.sum(axis=1) - np.diag(cm)).astype(np.float32)
        ids = np.asarray(self.target_class_ids)
        tp, den = true_positives[ids], denominator[ids]
        valid = den > 1e-9
        iou = np.where(valid, tp / (den + np.float32(epsilon())), np.float32(0.0))
        return np.float32(iou.sum() / (valid.sum(dtype=np.float32) + np.float32(epsilon())))

    #: constructor arguments a subclass fixes, so its config leaves them out (as Keras's do)
    _fixed_args: tuple[str, ...] = ()

    def get_config(self) -> dict[str, Any]:
        config = {
            **super().get_config(),
            "num_classes": self.num_classes,
            "target_class_ids": self.target_class_ids,
            "ignore_class": self.ignore_class,
            "sparse_y_true": self.sparse_y_true,
            "sparse_y_pred": self.sparse_y_pred,
            "axis": self.axis,
        }
        return {k: v for k, v in config.items() if k not in self._fixed_args}


class BinaryIoU(IoU):
    """IoU of two classes where the predicted class is 1 when the prediction >= ``threshold``."""

    def __init__(
        self,
        target_class_ids: Sequence[int] = (0, 1),
        threshold: float = 0.5,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(num_classes=2, target_class_ids=target_class_ids, name=name, dtype=dtype)
        self.threshold = threshold

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        y_pred = (to_array(y_pred, np.float32) >= self.threshold).astype(self._dtype)
        super().update_state(to_array(y_true).astype(self._dtype), y_pred, sample_weight)

    _fixed_args = ("num_classes", "ignore_class", "sparse_y_true", "sparse_y_pred", "axis")

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "threshold": self.threshold}


class MeanIoU(IoU):
    """The mean IoU over all ``num_classes`` classes."""

    def __init__(
        self,
        num_classes: int,
        name: str | None = None,
        dtype: Any = None,
        ignore_class: int | None = None,
        sparse_y_true: bool = True,
        sparse_y_pred: bool = True,
        axis: int = -1,
    ) -> None:
        super().__init__(
            num_classes=num_classes,
            target_class_ids=list(range(num_classes)),
            name=name,
            dtype=dtype,
            ignore_class=ignore_class,
            sparse_y_true=sparse_y_true,
            sparse_y_pred=sparse_y_pred,
            axis=axis,
        )

    _fixed_args: tuple[str, ...] = ("target_class_ids",)


class OneHotIoU(IoU):
    """:class:`IoU` for one-hot labels (and score predictions unless ``sparse_y_pred``)."""

    def __init__(
        self,
        num_classes: int,
        target_class_ids: Sequence[int],
        name: str | None = None,
        dtype: Any = None,
        ignore_class: int | None = None,
        sparse_y_pred: bool = False,
        axis: int = -1,
    ) -> None:
        super().__init__(
            num_classes=num_classes,
            target_class_ids=target_class_ids,
            name=name,
            dtype=dtype,
            ignore_class=ignore_class,
            sparse_y_true=False,
            sparse_y_pred=sparse_y_pred,
            axis=axis,
        )

    _fixed_args: tuple[str, ...] = ("sparse_y_true",)


class OneHotMeanIoU(MeanIoU):
    """:class:`MeanIoU` for one-hot labels (and score predictions unless ``sparse_y_pred``)."""

    def __init__(
        self,
        num_classes: int,
        name: str | None = None,
        dtype: Any = None,
        ignore_class: int | None = None,
        sparse_y_pred: bool = False,
        axis: int = -1,
    ) -> None:
        super().__init__(
            num_classes=num_classes,
            name=name,
            dtype=dtype,
            ignore_class=ignore_class,
            sparse_y_true=False,
            sparse_y_pred=sparse_y_pred,
            axis=axis,
        )

    _fixed_args = ("target_class_ids", "sparse_y_true")
