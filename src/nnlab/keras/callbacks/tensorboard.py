"""``TensorBoard``: Keras 3's callback that logs training to event files TensorBoard reads.

Keras 3 writes these files through TensorFlow's ``tf.summary`` (so on its torch backend the
callback needs TensorFlow installed); nnlab writes the file format itself, with NumPy and the
standard library, which takes about a page:

An **event file** (``events.out.tfevents.<time>.<host>.<pid>.<n>``) is a sequence of records::

    uint64 length | uint32 masked_crc32c(length) | data (length bytes) | uint32 masked_crc32c(data)

(little-endian; CRC-32C is the Castagnoli CRC, "masked" as ``((c >> 15) | (c << 17)) + 0xa282ead8``
so that a CRC of data that holds CRCs is not itself a plain CRC). Each record's data is one
``Event`` protocol-buffer message: ``wall_time`` (field 1, double), ``step`` (2, int64),
``file_version`` (3, string: the first record says ``brain.Event:2``) or ``summary`` (5), a list of
``Summary.Value`` (field 1) with a ``tag`` (1), then a ``simple_value`` (2, float) for a scalar, an
``image`` (4) for a picture, or ``metadata`` (9) naming a TensorBoard plugin plus a ``tensor`` (8)
for the rest (histograms, the model's JSON). A protocol-buffer message is a run of fields, each a
varint key ``field_number << 3 | wire_type`` then the value: a varint (type 0), 8 bytes (type 1),
length-prefixed bytes or a nested message (type 2), or 4 bytes (type 5).

What the callback writes, as Keras 3 does: ``<log_dir>/train`` gets ``epoch_<metric>`` and
``epoch_learning_rate`` at step ``epoch``; ``<log_dir>/validation`` gets the ``val_`` metrics as
``epoch_<metric>`` and, after each ``evaluate``, ``evaluation_<metric>_vs_iterations`` at step
``optimizer.iterations``; ``update_freq="batch"`` or ``N`` adds ``batch_<metric>`` every N training
batches; ``histogram_freq=N`` adds each weight's histogram (and with ``write_images`` its picture)
every N epochs; ``write_graph`` adds the model's JSON for TensorBoard's graph tab (a "conceptual
graph"); ``write_steps_per_second`` adds ``epoch_steps_per_second`` and ``batch_steps_per_second``.
Files grow as training runs (TensorBoard reads them while they are written): each record is written
whole and flushed at the end of every epoch, so a crash loses at most the epoch in progress.
"""

from __future__ import annotations

import os
import socket
import struct
import time
import zlib
from typing import Any

import numpy as np

from .callback import Callback, learning_rate_of

__all__ = ["EventFileWriter", "TensorBoard", "masked_crc32c"]


# ----------------------------------------------------------------------------- CRC-32C
def _crc32c_table() -> list[int]:
    """The byte-at-a-time table of the Castagnoli polynomial 0x1EDC6F41 (0x82F63B78 reflected)."""
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
        table.append(crc)
    return table


_CRC_TABLE = _crc32c_table()


def crc32c(data: bytes) -> int:
    """The CRC-32C of ``data`` (crc32c(b"123456789") == 0xE3069283)."""
    crc = 0xFFFFFFFF
    table = _CRC_TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc32c(data: bytes) -> int:
    """TensorFlow's record checksum: the CRC-32C rotated right by 15 bits plus a constant."""
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


# ----------------------------------------------------------------------------- protocol buffers
def _varint(n: int) -> bytes:
    """An unsigned integer in 7-bit groups, low group first, the high bit saying "more follows"."""
    out = bytearray()
    while True:
        low, n = n & 0x7F, n >> 7
        out.append(low | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _key(field: int, wire_type: int) -> bytes:
    return _varint(field << 3 | wire_type)


def _int_field(field: int, value: int) -> bytes:
    return _key(field, 0) + _varint(value)


def _double_field(field: int, value: float) -> bytes:
    return _key(field, 1) + struct.pack("<d", value)


def _float_field(field: int, value: float) -> bytes:
    return _key(field, 5) + struct.pack("<f", value)


def _bytes_field(field: int, value: bytes | str) -> bytes:
    raw = value.encode() if isinstance(value, str) else value
    return _key(field, 2) + _varint(len(raw)) + raw


def _tensor_proto(array: np.ndarray) -> bytes:
    """A TensorProto: dtype (1), shape (2: one ``dim`` (2) with a ``size`` (1) per axis) and the
    values, raw little-endian in ``tensor_content`` (4) or, for text, ``string_val`` (8)."""
    dims = b"".join(_bytes_field(2, _int_field(1, n)) for n in array.shape)
    shape = _bytes_field(2, dims)
    if array.dtype.kind in "US":
        values = b"".join(_bytes_field(8, str(s)) for s in array.reshape(-1))
        return _int_field(1, 7) + shape + values  # DT_STRING
    codes = {np.dtype(np.float32): 1, np.dtype(np.float64): 2}  # DT_FLOAT, DT_DOUBLE
    data = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<"))
    return _int_field(1, codes[array.dtype]) + shape + _bytes_field(4, data.tobytes())


def _plugin_metadata(plugin: str, content: bytes = b"") -> bytes:
    """SummaryMetadata with its ``plugin_data`` (1): ``plugin_name`` (1) and ``content`` (2)."""
    data = _bytes_field(1, plugin) + (_bytes_field(2, content) if content else b"")
    return _bytes_field(1, data)


def _png(image: np.ndarray) -> bytes:
    """An 8-bit grey (H, W) image as a PNG file: signature, IHDR, one zlib IDAT, IEND."""
    height, width = image.shape

    def chunk(kind: bytes, body: bytes) -> bytes:
        checksum = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", checksum)

    rows = b"".join(b"\x00" + image[r].tobytes() for r in range(height))  # filter 0 per row
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8 bits, greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


# ----------------------------------------------------------------------------- the file writer
class EventFileWriter:
    """Appends ``Event`` records to a new event file in ``log_dir`` (created if missing)."""

    _count = 0

    def __init__(self, log_dir: str | os.PathLike[str]) -> None:
        os.makedirs(log_dir, exist_ok=True)
        EventFileWriter._count += 1
        name = (
            f"events.out.tfevents.{int(time.time()):010d}.{socket.gethostname()}"
            f".{os.getpid()}.{EventFileWriter._count}"
        )
        self.path = os.path.join(os.fspath(log_dir), name)
        self._file = open(self.path, "wb")  # noqa: SIM115 - kept open while training runs
        self._event(_bytes_field(3, "brain.Event:2"), step=0)
        self.flush()

    def _event(self, body: bytes, step: int) -> None:
        data = _double_field(1, time.time()) + _int_field(2, int(step)) + body
        length = struct.pack("<Q", len(data))
        self._file.write(length + struct.pack("<I", masked_crc32c(length)))
        self._file.write(data + struct.pack("<I", masked_crc32c(data)))

    def _summary(self, value: bytes, step: int) -> None:
        self._event(_bytes_field(5, _bytes_field(1, value)), step)

    def scalar(self, tag: str, value: float, step: int) -> None:
        """A number TensorBoard plots against ``step`` (Scalars tab)."""
        self._summary(_bytes_field(1, tag) + _float_field(2, float(value)), step)

    def histogram(self, tag: str, values: Any, step: int, buckets: int = 30) -> None:
        """The distribution of ``values`` as ``buckets`` equal-width bins (Histograms and
        Distributions tabs): a (buckets, 3) tensor of left edge, right edge, count, the layout of
        ``tf.summary.histogram``."""
        flat = np.asarray(values, dtype=np.float64).reshape(-1)
        flat = flat[np.isfinite(flat)]
        if flat.size == 0:
            table = np.zeros((0, 3))
        elif flat.min() == flat.max():
            table = np.array([[flat.min(), flat.max(), float(flat.size)]])
        else:
            counts, edges = np.histogram(flat, bins=buckets)
            table = np.stack([edges[:-1], edges[1:], counts.astype(np.float64)], axis=1)
        value = (
            _bytes_field(1, tag)
            + _bytes_field(9, _plugin_metadata("histograms"))
            + _bytes_field(8, _tensor_proto(table))
        )
        self._summary(value, step)

    def image(self, tag: str, image: Any, step: int) -> None:
        """A grey picture of a 2-D array, its range stretched to 0..255 (Images tab)."""
        pixels = np.asarray(image, dtype=np.float64)
        lo, hi = float(pixels.min()), float(pixels.max())
        scaled = (pixels - lo) / (hi - lo) * 255 if hi > lo else np.zeros_like(pixels)
        grey = np.round(scaled).astype(np.uint8)
        height, width = grey.shape
        body = (
            _int_field(1, height)
            + _int_field(2, width)
            + _int_field(3, 1)
            + _bytes_field(4, _png(grey))
        )
        self._summary(_bytes_field(1, tag) + _bytes_field(4, body), step)

    def text_tensor(self, tag: str, text: str, plugin: str, content: bytes, step: int) -> None:
        """A string for a named TensorBoard plugin (the model's JSON for the graph tab)."""
        value = (
            _bytes_field(1, tag)
            + _bytes_field(9, _plugin_metadata(plugin, content))
            + _bytes_field(8, _tensor_proto(np.array(text)))
        )
        self._summary(value, step)

    def flush(self) -> None:
        self._file.flush()

    def close(self) -> None:
        if not self._file.closed:
            self._file.close()


# ----------------------------------------------------------------------------- the callback
class TensorBoard(Callback):
    """Log losses, metrics, the learning rate, weight histograms and the model to TensorBoard
    (``tensorboard --logdir <log_dir>``), with Keras 3's arguments and tags (see the module doc).

    ``profile_batch`` must be 0 (Keras 3 has no profiler on its torch backend either), and the
    embedding projector (``embeddings_freq``) needs TensorFlow checkpoints, which nnlab does not
    write: both are refused with a ValueError instead of being ignored."""

    def __init__(
        self,
        log_dir: str | os.PathLike[str] = "logs",
        histogram_freq: int = 0,
        write_graph: bool = True,
        write_images: bool = False,
        write_steps_per_second: bool = False,
        update_freq: str | int = "epoch",
        profile_batch: int | tuple[int, int] | str = 0,
        embeddings_freq: int = 0,
        embeddings_metadata: Any = None,
    ) -> None:
        super().__init__()
        if not isinstance(histogram_freq, int) or histogram_freq < 0:
            raise ValueError(
                f"TensorBoard: histogram_freq must be a non-negative int; got {histogram_freq!r}"
            )
        if update_freq not in ("epoch", "batch") and not (
            isinstance(update_freq, int) and update_freq > 0
        ):
            raise ValueError(
                "TensorBoard: update_freq must be 'epoch', 'batch' or a positive int (every N "
                f"batches); got {update_freq!r}"
            )
        if profile_batch:
            raise ValueError(
                "TensorBoard: profiling is not available in nnlab (nor on Keras 3's torch "
                f"backend). Received: profile_batch={profile_batch!r} (must be 0)"
            )
        if embeddings_freq or embeddings_metadata is not None:
            raise ValueError(
                "TensorBoard: the embedding projector reads TensorFlow checkpoints, which nnlab "
                f"does not write. Received: embeddings_freq={embeddings_freq!r} (must be 0)"
            )
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq = histogram_freq
        self.write_graph = write_graph
        self.write_images = write_images
        self.write_steps_per_second = write_steps_per_second
        self.update_freq: str | int = 1 if update_freq == "batch" else update_freq
        self.profile_batch = profile_batch
        self.embeddings_freq = embeddings_freq
        self.embeddings_metadata = embeddings_metadata
        self._writers: dict[str, EventFileWriter] = {}
        self._global_train_batch = 0
        self._batch_start = self._epoch_start = 0.0
        self._epoch_start_iterations = 0

    def _writer(self, run: str) -> EventFileWriter:
        """The event file of ``run`` ('train' or 'validation'), created on first use."""
        if run not in self._writers:
            self._writers[run] = EventFileWriter(os.path.join(self.log_dir, run))
        return self._writers[run]

    def _iterations(self) -> int:
        optimizer = getattr(self.model, "optimizer", None)
        return int(np.asarray(getattr(optimizer, "iterations", 0)))

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self._global_train_batch = 0
        if self.write_graph and type(self.model).__name__ in ("Sequential", "Functional", "Model"):
            try:
                config = self.model.to_json()
            except (TypeError, ValueError, NotImplementedError):
                config = None  # a subclassed model has no config: Keras writes nothing either
            if config is not None:
                self._writer("train").text_tensor("keras", config, "graph_keras_model", b"1", 0)

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        for writer in self._writers.values():
            writer.close()
        self._writers = {}

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._epoch_start = time.perf_counter()
        self._epoch_start_iterations = self._iterations()

    def on_train_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self._global_train_batch += 1
        self._batch_start = time.perf_counter()

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        step = self._global_train_batch
        if self.update_freq == "epoch" or step % int(self.update_freq):
            return
        writer = self._writer("train")
        if self.write_steps_per_second:
            elapsed = max(time.perf_counter() - self._batch_start, 1e-12)
            writer.scalar("batch_steps_per_second", 1.0 / elapsed, step)
        for name, value in (logs or {}).items():
            writer.scalar(f"batch_{name}", value, step)

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        logs = logs or {}
        train = {k: v for k, v in logs.items() if not k.startswith("val_")}
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is not None:
            train["learning_rate"] = learning_rate_of(optimizer)
        if self.write_steps_per_second:
            elapsed = max(time.perf_counter() - self._epoch_start, 1e-12)
            steps = self._iterations() - self._epoch_start_iterations
            train["steps_per_second"] = steps / elapsed
        writer = self._writer("train")
        for name, value in train.items():
            writer.scalar(f"epoch_{name}", value, epoch)
        validation = {k[4:]: v for k, v in logs.items() if k.startswith("val_")}
        for name, value in validation.items():
            self._writer("validation").scalar(f"epoch_{name}", value, epoch)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._log_weights(epoch)
        for writer in self._writers.values():
            writer.flush()

    def on_test_end(self, logs: dict[str, Any] | None = None) -> None:
        if getattr(self.model, "optimizer", None) is None or not logs:
            return
        writer = self._writer("validation")
        step = self._iterations()
        for name, value in logs.items():
            writer.scalar(f"evaluation_{name}_vs_iterations", value, step)
        writer.flush()

    def _log_weights(self, epoch: int) -> None:
        """Each weight's histogram (tag ``<layer>/<weight>/histogram``) and, with
        ``write_images``, its picture: a bias as one row, a Dense kernel as its (short side, long
        side) matrix, a 2-D convolution kernel as one tile per output filter."""
        writer = self._writer("train")
        for layer in self.model.layers:
            attributes = {id(v): k for k, v in vars(layer).items() if not k.startswith("_")}
            for index, weight in enumerate(layer.weights):
                name = getattr(weight, "path", None) or (
                    f"{layer.name}/{attributes.get(id(weight), index)}"
                )
                name = str(name).replace(":", "_")
                values = np.asarray(weight)
                writer.histogram(f"{name}/histogram", values, epoch)
                if self.write_images:
                    picture = _weight_picture(values)
                    if picture is not None:
                        writer.image(f"{name}/image", picture, epoch)


def _weight_picture(values: np.ndarray) -> np.ndarray | None:
    """A 2-D array that shows a weight: a vector as one row, a matrix with its longer side
    across, an HWIO convolution kernel as its filters side by side (None for other ranks)."""
    w = np.squeeze(values)
    if w.ndim == 1:
        return w[None, :]
    if w.ndim == 2:
        return w.T if w.shape[0] > w.shape[1] else w
    if w.ndim == 3:  # (kh, kw, filters) after squeezing one input channel
        return np.concatenate(list(np.moveaxis(w, 2, 0)), axis=1)
    return None
