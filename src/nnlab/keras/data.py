"""Checking and converting the arrays given to ``fit`` / ``evaluate`` / ``predict``, once.

Inputs become C-contiguous float32 arrays (integer arrays stay integers: token indices) before the
first batch, so the loop only gathers rows. Every mistake is reported here, before training
starts: an input whose shape differs from the model's, x and y of different lengths, and the
targets the loss cannot use (see ``Loss.prepare_targets``). x is not scanned for NaN/inf (a full
pass costs as much as 5% of an MNIST epoch); a non-finite input shows up as a non-finite loss,
which stops ``fit`` with a message naming the epoch and batch.

x (and y) may be one array, a list of arrays (one per model input / output, in order), or a dict
keyed by the input (output) names. ``fit``/``evaluate``/``predict`` also take batches made in
Python: a generator (or any iterator) of ``(x, y)`` / ``(x, y, sample_weight)`` tuples, or a
``PyDataset``; each batch is checked and converted as it arrives.

An epoch (Keras 3's ``EpochIterator``, in ``Batches.epoch``): without ``steps_per_epoch``, one
pass over the data (a generator: until it is exhausted); with it, that many batches, the next
epoch continuing where this one stopped, a new pass starting once every batch was seen; an
epoch never wraps around (it ends early, with a warning, when the data run out).
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import Any, cast

import numpy as np

from nnlab.autograd import Tensor

__all__ = [
    "ArrayBatches",
    "Arrays",
    "Batches",
    "IteratorBatches",
    "PyDataset",
    "PyDatasetBatches",
    "check_batch_size",
    "check_inputs",
    "class_weights_to_sample_weights",
    "flatten_structure",
    "is_batch_source",
    "split_validation",
]

Shape = tuple[int | None, ...]


def _as_array(x: Any, where: str, what: str) -> np.ndarray:
    arr = x.data if isinstance(x, Tensor) else np.asarray(x)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{where}: {what} must be numeric, got dtype {arr.dtype}")
    return arr


def check_inputs(x: Any, shape: Shape | None, where: str, what: str = "x") -> np.ndarray:
    """One input array checked against the model's input ``shape`` (batch axis first)."""
    if x is None:
        raise ValueError(f"{where}: {what} is required")
    arr = _as_array(x, where, what)
    if shape is not None and len(shape) == 2:
        if arr.ndim == 1:
            raise ValueError(
                f"{where}: {what} must be 2-D (samples, features), got a 1-D array of shape "
                f"{arr.shape}; for one feature per sample use x.reshape(-1, 1), for one sample "
                "x.reshape(1, -1)"
            )
        if arr.ndim != 2:
            raise ValueError(
                f"{where}: {what} must be 2-D (samples, features), got shape {arr.shape}; "
                "flatten each sample first, e.g. x.reshape(len(x), -1)"
            )
        if shape[1] is not None and arr.shape[1] != shape[1]:
            raise ValueError(
                f"{where}: the model expects {shape[1]} input features, but {what} has shape "
                f"{arr.shape} ({arr.shape[1]} features)"
            )
    elif shape is not None:
        if arr.ndim != len(shape) or any(
            s is not None and s != a for s, a in zip(shape[1:], arr.shape[1:], strict=False)
        ):
            raise ValueError(
                f"{where}: the model expects {what} of shape {shape}, got shape {arr.shape}"
            )
    elif arr.ndim == 0:
        raise ValueError(f"{where}: {what} must have a batch axis, got a scalar")
    if len(arr) == 0:
        raise ValueError(f"{where}: {what} has no samples")
    if arr.dtype.kind in "iu":
        return np.ascontiguousarray(arr)
    return np.ascontiguousarray(arr, dtype=np.float32)


def flatten_structure(data: Any, names: Sequence[str], where: str, what: str) -> list[Any]:
    """One entry per model input/output (in order) from an array, a list or a dict by name."""
    if isinstance(data, dict):
        unknown = sorted(set(data) - set(names))
        if unknown:
            raise ValueError(f"{where}: {what} has unknown keys {unknown}; expected {list(names)}")
        missing = [n for n in names if n not in data]
        if missing:
            raise ValueError(f"{where}: {what} is missing {missing}")
        return [data[n] for n in names]
    if isinstance(data, list | tuple) and len(names) > 1:
        if len(data) != len(names):
            raise ValueError(
                f"{where}: the model has {len(names)} {what}s ({list(names)}), got a list of "
                f"{len(data)}"
            )
        return list(data)
    if len(names) > 1:
        raise ValueError(f"{where}: the model has {len(names)} {what}s; pass a list or a dict")
    return [data]


class Arrays:
    """Checked inputs, targets and sample weights of one call, sliced into batches."""

    def __init__(
        self,
        xs: list[np.ndarray | None],
        ys: list[np.ndarray] | None,
        sample_weight: np.ndarray | None,
        single_input: bool,
        single_output: bool,
        pack_x: Callable[[list[Any]], Any] | None = None,
    ) -> None:
        self.xs, self.ys, self.sample_weight = xs, ys, sample_weight
        self.single_input, self.single_output = single_input, single_output
        self.pack_x = pack_x  # the inputs of a batch in the model's structure (default: a list)
        self._has_none = any(a is None for a in xs)  # an optional input given as None
        self.n = len(next(a for a in xs if a is not None))
        for what, arrays in (("x", xs), ("y", ys or [])):
            for a in arrays:
                if a is None:
                    continue
                if len(a) != self.n:
                    raise ValueError(
                        f"x and y must have the same number of samples, got {self.n} and {len(a)}"
                        if what == "y"
                        else f"all inputs must have the same number of samples, got {self.n} and "
                        f"{len(a)}"
                    )
        if sample_weight is not None and len(sample_weight) != self.n:
            raise ValueError(
                f"sample_weight must have one value per sample ({self.n}), got {len(sample_weight)}"
            )

    def batch(self, index: Any) -> tuple[Any, ...]:
        """(x,) / (x, y) / (x, y, sample_weight) for the rows ``index`` (a slice or indices)."""

        def rows(a: np.ndarray) -> np.ndarray:  # ``take`` gathers some 10% faster than a[index]
            return a[index] if type(index) is slice else a.take(index, axis=0)

        xs: list[Any]
        if self._has_none:
            xs = [None if a is None else rows(a) for a in self.xs]
        else:
            xs = [rows(a) for a in cast("list[np.ndarray]", self.xs)]
        x: Any = xs[0] if self.single_input else xs if self.pack_x is None else self.pack_x(xs)
        if self.ys is None:
            return (x,)
        ys = [rows(a) for a in self.ys]
        y: Any = ys[0] if self.single_output else ys
        if self.sample_weight is None:
            return (x, y)
        return (x, y, rows(self.sample_weight))

    def take(self, index: Any) -> Arrays:
        """The rows ``index`` as a new ``Arrays``."""
        return Arrays(
            [None if a is None else a[index] for a in self.xs],
            None if self.ys is None else [a[index] for a in self.ys],
            None if self.sample_weight is None else self.sample_weight[index],
            self.single_input,
            self.single_output,
            self.pack_x,
        )


def split_validation(data: Arrays, fraction: float) -> tuple[Arrays, Arrays]:
    """Keras's ``validation_split``: the LAST ``fraction`` of the samples (before any shuffling)
    become the validation set: train = [:split], val = [split:], split = floor(N (1 - fraction))."""
    if not 0 < fraction < 1:
        raise ValueError(f"fit: validation_split must be in [0, 1), got {fraction!r}")
    split = int(np.floor(data.n * (1.0 - fraction)))
    if split == 0 or split == data.n:
        raise ValueError(
            f"fit: validation_split={fraction} of {data.n} samples leaves an empty "
            f"{'training' if split == 0 else 'validation'} set"
        )
    return data.take(slice(0, split)), data.take(slice(split, None))


def class_weights_to_sample_weights(y: np.ndarray, class_weight: dict[int, float]) -> np.ndarray:
    """w_i = class_weight[class of sample i]: the label (integer targets), the argmax (one-hot
    rows) or the rounded value (one binary output)."""
    if y.ndim == 2 and y.shape[1] > 1:
        labels = y.argmax(axis=1)
    else:
        labels = np.round(y.reshape(len(y))).astype(np.intp)
    table = np.ones(int(max(max(class_weight), labels.max())) + 1, dtype=np.float32)
    for k, w in class_weight.items():
        table[int(k)] = w
    return table[labels]


def check_batch_size(batch_size: Any, where: str) -> int:
    """``batch_size`` as a positive int (None means Keras's default, 32)."""
    if batch_size is None:
        return 32
    if isinstance(batch_size, bool) or not isinstance(batch_size, int | np.integer):
        raise TypeError(f"{where}: batch_size must be a positive integer, got {batch_size!r}")
    if batch_size < 1:
        raise ValueError(f"{where}: batch_size must be a positive integer, got {batch_size}")
    return int(batch_size)


class PyDataset:
    """Base class of a dataset written in Python (Keras 3's ``keras.utils.PyDataset``).

    A subclass defines ``__len__`` (the number of batches in one epoch) and ``__getitem__(i)``
    (batch i: ``(x, y)``, ``(x, y, sample_weight)`` or ``x``), and may define
    ``on_epoch_begin``/``on_epoch_end`` (e.g. to reshuffle); ``fit(dataset)`` asks for the batches
    in order (shuffled when ``fit(shuffle=True)``, the default).

    ``workers``, ``use_multiprocessing`` and ``max_queue_size`` are accepted for Keras's
    signature and ignored: nnlab builds every batch in the training process, one at a time.
    """

    def __init__(
        self, workers: int = 1, use_multiprocessing: bool = False, max_queue_size: int = 10
    ) -> None:
        self._workers = workers
        self._use_multiprocessing = use_multiprocessing
        self._max_queue_size = max_queue_size

    @property
    def workers(self) -> int:
        return self._workers

    @property
    def use_multiprocessing(self) -> bool:
        return self._use_multiprocessing

    @property
    def max_queue_size(self) -> int:
        return self._max_queue_size

    @property
    def num_batches(self) -> int | None:
        """The number of batches of an epoch (``len(self)``)."""
        if hasattr(self, "__len__"):
            return len(self)
        raise NotImplementedError(
            f"{type(self).__name__} must define __len__ (the number of batches of an epoch)"
        )

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__(index)")

    def on_epoch_begin(self) -> None:
        """Called at the start of every epoch."""

    def on_epoch_end(self) -> None:
        """Called at the end of every epoch."""


def _ran_out() -> None:
    warnings.warn(
        "Your input ran out of data; interrupting training. Make sure that your dataset or "
        "generator can generate at least `steps_per_epoch * epochs` batches.",
        stacklevel=4,
    )


class Batches:
    """The batches of one call, epoch by epoch (see the module docstring for an epoch).

    A subclass gives ``num_batches`` (batches in one pass over the data; None: not known) and
    ``new_pass()`` (an iterator over the batches of a pass, each ``(x,)``, ``(x, y)`` or
    ``(x, y, sample_weight)`` as ``train_step`` takes it).
    """

    num_batches: int | None = None

    def __init__(self, steps_per_epoch: int | None) -> None:
        self.steps_per_epoch = steps_per_epoch
        self._current: Iterator[Any] | None = None
        self._seen = 0

    @property
    def steps(self) -> int | None:
        """The number of batches of an epoch, when known."""
        return self.steps_per_epoch or self.num_batches

    def new_pass(self) -> Iterator[Any]:
        raise NotImplementedError

    def on_epoch_begin(self) -> None:
        """Before each epoch (a PyDataset's hook)."""

    def on_epoch_end(self) -> None:
        """After each epoch (a PyDataset's hook)."""

    def reset(self) -> None:
        """Start again from a new pass, calling ``on_epoch_end`` as Keras 3 does before ``fit``
        and each ``evaluate`` (so a PyDataset's ``on_epoch_end`` also runs once before them)."""
        self._current, self._seen = None, 0
        self.on_epoch_end()

    def epoch(self) -> Iterator[tuple[int, Any]]:
        """``(step, batch)`` for the batches of the next epoch."""
        self.on_epoch_begin()
        steps = self.steps
        if not steps:
            self._current, self._seen = None, 0
            steps = None
        elif self._current is None or self.steps_per_epoch is None:
            self._current, self._seen = self.new_pass(), 0
        iterator = self._current if self._current is not None else self.new_pass()
        step = 0
        while steps is None or step < steps:
            if self.num_batches and self._seen >= self.num_batches:
                if self.steps_per_epoch:
                    _ran_out()
                break
            try:
                batch = next(iterator)
            except StopIteration:
                if steps is not None or step == 0:  # not the natural end of a first pass
                    _ran_out()
                self.num_batches = self.num_batches or self._seen
                self._current = None
                break
            self._seen += 1
            yield step, batch
            step += 1
        if self.num_batches and self._seen >= self.num_batches:
            self._current = None
        self.on_epoch_end()


class ArrayBatches(Batches):
    """Batches of ``batch_size`` rows of checked arrays, reshuffled at each pass."""

    def __init__(
        self,
        data: Arrays,
        batch_size: int,
        shuffle: bool,
        rng: np.random.Generator | None,
        steps_per_epoch: int | None = None,
    ) -> None:
        super().__init__(steps_per_epoch)
        self.data, self.batch_size = data, batch_size
        self.shuffle, self.rng = shuffle, rng
        self.num_batches = math.ceil(data.n / batch_size)

    def new_pass(self) -> Iterator[Any]:
        n, size = self.data.n, self.batch_size
        order = self.rng.permutation(n) if self.shuffle and self.rng is not None else None
        for start in range(0, n, size):
            index = slice(start, start + size) if order is None else order[start : start + size]
            yield self.data.batch(index)


class IteratorBatches(Batches):
    """Batches from a Python generator or iterator (its items converted by ``convert``); the
    number of batches is learned when it is exhausted."""

    def __init__(
        self, source: Iterator[Any], convert: Callable[[Any], Any], steps_per_epoch: int | None
    ) -> None:
        super().__init__(steps_per_epoch)
        self.source, self.convert = source, convert

    def new_pass(self) -> Iterator[Any]:
        return (self.convert(item) for item in self.source)


class PyDatasetBatches(Batches):
    """The batches of a ``PyDataset`` (in a shuffled order with ``shuffle``), its hooks called
    at each epoch's start and end."""

    def __init__(
        self,
        dataset: PyDataset,
        convert: Callable[[Any], Any],
        shuffle: bool,
        rng: np.random.Generator | None,
        steps_per_epoch: int | None,
    ) -> None:
        super().__init__(steps_per_epoch)
        self.dataset, self.convert = dataset, convert
        self.shuffle, self.rng = shuffle, rng
        self.num_batches = dataset.num_batches

    def new_pass(self) -> Iterator[Any]:
        n = self.num_batches
        indices: Any = itertools.count() if n is None else range(n)  # None: an endless dataset
        if n is not None and self.shuffle and self.rng is not None:
            indices = self.rng.permutation(n)
        for index in indices:
            yield self.convert(self.dataset[int(index)])

    def on_epoch_begin(self) -> None:
        self.dataset.on_epoch_begin()

    def on_epoch_end(self) -> None:
        self.dataset.on_epoch_end()


def is_batch_source(x: Any) -> bool:
    """Whether ``x`` gives batches itself (a PyDataset, a generator or another iterator) rather
    than being the samples."""
    return isinstance(x, PyDataset) or (
        hasattr(x, "__next__") and hasattr(x, "__iter__") and not isinstance(x, np.ndarray)
    )


class TimeseriesDataset(PyDataset):
    """The batches of ``timeseries_dataset_from_array``: windows of a series and their targets."""

    def __init__(
        self,
        data: np.ndarray,
        targets: np.ndarray | None,
        positions: np.ndarray,
        sequence_length: int,
        sampling_rate: int,
        batch_size: int,
    ) -> None:
        super().__init__()
        self.data, self.targets, self.positions = data, targets, positions
        self.offsets = np.arange(sequence_length) * sampling_rate
        self.batch_size = batch_size

    def __len__(self) -> int:
        return math.ceil(len(self.positions) / self.batch_size)

    def __getitem__(self, index: int) -> Any:
        if not 0 <= index < len(self):  # also ends a ``for`` loop over the dataset
            raise IndexError(f"batch {index} of a dataset of {len(self)} batches")
        starts = self.positions[index * self.batch_size : (index + 1) * self.batch_size]
        windows = self.data[starts[:, None] + self.offsets]
        if self.targets is None:
            return windows
        return windows, self.targets[starts]


def timeseries_dataset_from_array(
    data: Any,
    targets: Any,
    sequence_length: int,
    sequence_stride: int = 1,
    sampling_rate: int = 1,
    batch_size: int | None = 128,
    shuffle: bool = False,
    seed: int | None = None,
    start_index: int | None = None,
    end_index: int | None = None,
) -> TimeseriesDataset:
    """Keras's sliding windows over a series, as a ``PyDataset`` that ``fit``, ``evaluate`` and
    ``predict`` take and a ``for`` loop walks (Keras returns a ``tf.data.Dataset``).

    Window i holds ``data[s, s + r, ..., s + (sequence_length - 1) r]`` (r = ``sampling_rate``)
    and its target is ``targets[s]``, where s = ``start_index`` + i · ``sequence_stride``; the
    windows stay inside ``data[start_index:end_index]`` (and the targets inside ``targets``).
    ``shuffle`` draws the windows' order once from ``seed``. Batches hold ``batch_size``
    windows (the last one fewer); ``batch_size=None`` (Keras's unbatched dataset) is refused.
    """
    values = np.asarray(data)
    n = len(values)
    for name, value in (
        ("sequence_length", sequence_length),
        ("sequence_stride", sequence_stride),
        ("sampling_rate", sampling_rate),
    ):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value <= 0:
            raise ValueError(f"`{name}` must be higher than 0. Received: {name}={value}")
    for name, value in (("sampling_rate", sampling_rate), ("sequence_stride", sequence_stride)):
        if value >= n:
            raise ValueError(
                f"`{name}` must be lower than the length of the data. Received: "
                f"{name}={value}, for data of length {n}"
            )
    start = 0 if start_index is None else int(start_index)
    end = n if end_index is None else int(end_index)
    if not 0 <= start < n:
        raise ValueError(
            f"`start_index` must be 0 or greater and lower than the length of the data. "
            f"Received: start_index={start_index}, for data of length {n}"
        )
    if end_index is not None and not start < end < n:
        raise ValueError(
            "`end_index` must be higher than `start_index` and lower than the length of the "
            f"data. Received: start_index={start_index}, end_index={end_index}, for data of "
            f"length {n}"
        )
    if batch_size is None:
        raise ValueError(
            "timeseries_dataset_from_array: batch_size=None (Keras's unbatched tf.data "
            "dataset) is not supported; nnlab returns a PyDataset of batches"
        )
    batch_size = check_batch_size(batch_size, "timeseries_dataset_from_array")
    count = end - start - (sequence_length - 1) * sampling_rate
    target_values = None if targets is None else np.asarray(targets)
    if target_values is not None:
        count = min(count, len(target_values) - start)
    positions = start + np.arange(0, max(count, 0), sequence_stride)
    if shuffle:
        np.random.default_rng(seed).shuffle(positions)
    return TimeseriesDataset(
        values, target_values, positions, sequence_length, sampling_rate, batch_size
    )
