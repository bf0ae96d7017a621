"""Callbacks: code that ``fit``, ``evaluate`` and ``predict`` run at the start and end of
training, of each epoch and of each batch (Keras 3's ``keras.callbacks``).

``Callback`` defines every hook; ``CallbackList`` calls a list of them; the rest are Keras 3's
catalogue: ``History``, ``ProgbarLogger``, ``EarlyStopping``, ``ReduceLROnPlateau``,
``ModelCheckpoint``, ``BackupAndRestore``, ``LearningRateScheduler``, ``TerminateOnNaN``,
``CSVLogger``, ``LambdaCallback``, ``TensorBoard``.
"""

from .callback import Callback, CallbackList, History
from .checkpoint import BackupAndRestore, ModelCheckpoint
from .monitor import EarlyStopping, MonitorCallback, ReduceLROnPlateau
from .progbar_logger import ProgbarLogger
from .simple import CSVLogger, LambdaCallback, LearningRateScheduler, TerminateOnNaN
from .tensorboard import TensorBoard

__all__ = [
    "BackupAndRestore",
    "CSVLogger",
    "Callback",
    "CallbackList",
    "EarlyStopping",
    "History",
    "LambdaCallback",
    "LearningRateScheduler",
    "ModelCheckpoint",
    "MonitorCallback",
    "ProgbarLogger",
    "ReduceLROnPlateau",
    "TensorBoard",
    "TerminateOnNaN",
]
