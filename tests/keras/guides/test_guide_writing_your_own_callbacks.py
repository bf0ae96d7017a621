"""keras-io guides/writing_your_own_callbacks.py (Keras 3 edition), ported with import changes
only (``import keras`` -> ``from nnlab import keras``); the guide's ``print`` calls are recorded
in a list and asserted on. One pytest case per section.

Data: the guide uses the first 1000 MNIST images; 128 random 784-vectors stand in (offline, < 2 s).
Nothing skipped.
"""

from __future__ import annotations

import numpy as np

from nnlab import keras


def get_model():
    model = keras.Sequential()
    model.add(keras.layers.Dense(1))
    model.compile(
        optimizer=keras.optimizers.RMSprop(learning_rate=0.1),
        loss="mean_squared_error",
        metrics=["mean_absolute_error"],
    )
    return model


def _data():
    x_train = np.random.random((128, 784)).astype("float32")
    y_train = np.random.randint(0, 10, size=(128,)).astype("float32")
    return x_train[:96], y_train[:96], x_train[96:], y_train[96:]


class CustomCallback(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.calls = []

    def on_train_begin(self, logs=None):
        self.calls.append(("on_train_begin", sorted(logs.keys())))

    def on_train_end(self, logs=None):
        self.calls.append(("on_train_end", sorted(logs.keys())))

    def on_epoch_begin(self, epoch, logs=None):
        self.calls.append(("on_epoch_begin", sorted(logs.keys())))

    def on_epoch_end(self, epoch, logs=None):
        self.calls.append(("on_epoch_end", sorted(logs.keys())))

    def on_test_begin(self, logs=None):
        self.calls.append(("on_test_begin", sorted(logs.keys())))

    def on_test_end(self, logs=None):
        self.calls.append(("on_test_end", sorted(logs.keys())))

    def on_predict_begin(self, logs=None):
        self.calls.append(("on_predict_begin", sorted(logs.keys())))

    def on_predict_end(self, logs=None):
        self.calls.append(("on_predict_end", sorted(logs.keys())))

    def on_train_batch_begin(self, batch, logs=None):
        self.calls.append(("on_train_batch_begin", sorted(logs.keys())))

    def on_train_batch_end(self, batch, logs=None):
        self.calls.append(("on_train_batch_end", sorted(logs.keys())))

    def on_test_batch_begin(self, batch, logs=None):
        self.calls.append(("on_test_batch_begin", sorted(logs.keys())))

    def on_test_batch_end(self, batch, logs=None):
        self.calls.append(("on_test_batch_end", sorted(logs.keys())))

    def on_predict_batch_begin(self, batch, logs=None):
        self.calls.append(("on_predict_batch_begin", sorted(logs.keys())))

    def on_predict_batch_end(self, batch, logs=None):
        self.calls.append(("on_predict_batch_end", sorted(logs.keys())))


def test_custom_callback_in_fit():
    x_train, y_train, x_test, y_test = _data()
    model = get_model()
    cb = CustomCallback()
    model.fit(
        x_train, y_train, batch_size=128, epochs=1, verbose=0, validation_split=0.5, callbacks=[cb]
    )
    names = [name for name, _ in cb.calls]
    assert names == [
        "on_train_begin",
        "on_epoch_begin",
        "on_train_batch_begin",
        "on_train_batch_end",
        "on_test_begin",
        "on_test_batch_begin",
        "on_test_batch_end",
        "on_test_end",
        "on_epoch_end",
        "on_train_end",
    ]
    keys = dict(cb.calls)
    assert keys["on_train_batch_end"] == ["loss", "mean_absolute_error"]
    assert keys["on_epoch_end"] == [
        "loss",
        "mean_absolute_error",
        "val_loss",
        "val_mean_absolute_error",
    ]


def test_custom_callback_in_evaluate_and_predict():
    x_train, y_train, x_test, y_test = _data()
    model = get_model()
    model.fit(x_train, y_train, batch_size=128, epochs=1, verbose=0)
    cb = CustomCallback()
    model.evaluate(x_test, y_test, batch_size=128, verbose=0, callbacks=[cb])
    model.predict(x_test, batch_size=128, callbacks=[cb])
    names = [name for name, _ in cb.calls]
    assert names == [
        "on_test_begin",
        "on_test_batch_begin",
        "on_test_batch_end",
        "on_test_end",
        "on_predict_begin",
        "on_predict_batch_begin",
        "on_predict_batch_end",
        "on_predict_end",
    ]
    assert dict(cb.calls)["on_test_end"] == ["loss", "mean_absolute_error"]


def test_usage_of_logs_dict():
    seen = []

    class LossAndErrorPrintingCallback(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append(("train", batch, logs["loss"]))

        def on_test_batch_end(self, batch, logs=None):
            seen.append(("test", batch, logs["loss"]))

        def on_epoch_end(self, epoch, logs=None):
            seen.append(("epoch", epoch, logs["loss"], logs["mean_absolute_error"]))

    x_train, y_train, x_test, y_test = _data()
    model = get_model()
    model.fit(
        x_train,
        y_train,
        batch_size=32,
        epochs=2,
        verbose=0,
        callbacks=[LossAndErrorPrintingCallback()],
    )
    res = model.evaluate(
        x_test, y_test, batch_size=16, verbose=0, callbacks=[LossAndErrorPrintingCallback()]
    )
    assert [s[0] for s in seen].count("train") == 6
    assert [s[0] for s in seen].count("epoch") == 2
    assert [s[0] for s in seen].count("test") == 2
    assert np.isclose(seen[-1][2], res[0], rtol=1e-5)


def test_early_stopping_at_minimum_loss():
    class EarlyStoppingAtMinLoss(keras.callbacks.Callback):
        def __init__(self, patience=0):
            super().__init__()
            self.patience = patience
            self.best_weights = None

        def on_train_begin(self, logs=None):
            self.wait = 0
            self.stopped_epoch = 0
            self.best = np.inf

        def on_epoch_end(self, epoch, logs=None):
            current = logs.get("loss")
            if np.less(current, self.best):
                self.best = current
                self.wait = 0
                self.best_weights = self.model.get_weights()
            else:
                self.wait += 1
                if self.wait >= self.patience:
                    self.stopped_epoch = epoch
                    self.model.stop_training = True
                    self.model.set_weights(self.best_weights)

    x_train, y_train, x_test, y_test = _data()
    model = get_model()
    cb = EarlyStoppingAtMinLoss()
    history = model.fit(
        x_train, y_train, batch_size=64, steps_per_epoch=1, epochs=30, verbose=0, callbacks=[cb]
    )
    assert len(history.history["loss"]) < 30
    assert cb.stopped_epoch == len(history.history["loss"]) - 1
    np.testing.assert_allclose(model.get_weights()[0], cb.best_weights[0])


def test_learning_rate_scheduling():
    class CustomLearningRateScheduler(keras.callbacks.Callback):
        def __init__(self, schedule):
            super().__init__()
            self.schedule = schedule
            self.seen = []

        def on_epoch_begin(self, epoch, logs=None):
            if not hasattr(self.model.optimizer, "learning_rate"):
                raise ValueError('Optimizer must have a "learning_rate" attribute.')
            lr = self.model.optimizer.learning_rate
            scheduled_lr = self.schedule(epoch, lr)
            self.model.optimizer.learning_rate = scheduled_lr
            self.seen.append(float(np.array(self.model.optimizer.learning_rate)))

    LR_SCHEDULE = [(3, 0.05), (6, 0.01), (9, 0.005), (12, 0.001)]

    def lr_schedule(epoch, lr):
        if epoch < LR_SCHEDULE[0][0] or epoch > LR_SCHEDULE[-1][0]:
            return lr
        for i in range(len(LR_SCHEDULE)):
            if epoch == LR_SCHEDULE[i][0]:
                return LR_SCHEDULE[i][1]
        return lr

    x_train, y_train, x_test, y_test = _data()
    model = get_model()
    cb = CustomLearningRateScheduler(lr_schedule)
    model.fit(x_train, y_train, batch_size=64, steps_per_epoch=1, epochs=15, verbose=0,
              callbacks=[cb])  # fmt: skip
    expected = [0.1] * 3 + [0.05] * 3 + [0.01] * 3 + [0.005] * 3 + [0.001] * 3
    np.testing.assert_allclose(cb.seen, expected, rtol=1e-6)
