"""keras-io guides/training_with_built_in_methods.py ("Training & evaluation with the built-in
methods", Keras 3 edition), ported with import changes only (``import keras`` -> ``from nnlab
import keras``, ``from keras import ops`` -> ``keras.ops``). One pytest case per section.

Data: the guide trains on MNIST; 256 random 784-vectors with random labels stand in (offline,
< 2 s; these cases check the API, the numbers are checked against Keras 3 elsewhere).
Skipped: everything on ``tf.data.Dataset`` / ``PyDataset`` / ``torch DataLoader`` inputs (tf.data
is out of scope), TensorBoard, the "LogisticEndpoint" layer (a model with targets as inputs and no
compiled loss; kept in the subclassing suite's add_loss cases instead).
"""

from __future__ import annotations

import numpy as np

from nnlab import keras
from nnlab.keras import layers

from ._port import to_numpy


def get_uncompiled_model():
    inputs = keras.Input(shape=(784,), name="digits")
    x = layers.Dense(64, activation="relu", name="dense_1")(inputs)
    x = layers.Dense(64, activation="relu", name="dense_2")(x)
    outputs = layers.Dense(10, activation="softmax", name="predictions")(x)
    model = keras.Model(inputs=inputs, outputs=outputs)
    return model


def get_compiled_model():
    model = get_uncompiled_model()
    model.compile(
        optimizer="rmsprop",
        loss="sparse_categorical_crossentropy",
        metrics=["sparse_categorical_accuracy"],
    )
    return model


def _data(n=256):
    x = np.random.random((n, 784)).astype("float32")
    y = np.random.randint(0, 10, size=(n,)).astype("float32")
    return x, y


def test_api_overview_fit_evaluate_predict():
    (x_train, y_train), (x_test, y_test) = _data(), _data(64)
    x_val, y_val = x_train[-64:], y_train[-64:]
    x_train, y_train = x_train[:-64], y_train[:-64]
    model = get_uncompiled_model()
    model.compile(
        optimizer=keras.optimizers.RMSprop(),
        loss=keras.losses.SparseCategoricalCrossentropy(),
        metrics=[keras.metrics.SparseCategoricalAccuracy()],
    )
    history = model.fit(
        x_train, y_train, batch_size=64, epochs=2, validation_data=(x_val, y_val), verbose=0
    )
    assert sorted(history.history) == [
        "loss",
        "sparse_categorical_accuracy",
        "val_loss",
        "val_sparse_categorical_accuracy",
    ]
    results = model.evaluate(x_test, y_test, batch_size=128, verbose=0)
    assert len(results) == 2
    predictions = model.predict(x_test[:3], verbose=0)
    assert predictions.shape == (3, 10)


def test_compile_with_string_identifiers():
    model = get_uncompiled_model()
    model.compile(
        optimizer="rmsprop",
        loss="sparse_categorical_crossentropy",
        metrics=["sparse_categorical_accuracy"],
    )
    x, y = _data(64)
    model.fit(x, y, batch_size=32, epochs=1, verbose=0)


def test_custom_loss_function():
    def custom_mean_squared_error(y_true, y_pred):
        return keras.ops.mean(keras.ops.square(y_true - y_pred), axis=-1)

    model = get_uncompiled_model()
    model.compile(optimizer=keras.optimizers.Adam(), loss=custom_mean_squared_error)
    x_train, y_train = _data(64)
    y_train_one_hot = keras.ops.one_hot(y_train, num_classes=10)
    history = model.fit(x_train, y_train_one_hot, batch_size=64, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])


def test_custom_loss_class():
    class CustomMSE(keras.losses.Loss):
        def __init__(self, regularization_factor=0.1, name="custom_mse"):
            super().__init__(name=name)
            self.regularization_factor = regularization_factor

        def call(self, y_true, y_pred):
            mse = keras.ops.mean(keras.ops.square(y_true - y_pred), axis=-1)
            reg = keras.ops.mean(keras.ops.square(0.5 - y_pred), axis=-1)
            return mse + reg * self.regularization_factor

    model = get_uncompiled_model()
    model.compile(optimizer=keras.optimizers.Adam(), loss=CustomMSE())
    x_train, y_train = _data(64)
    y_train_one_hot = keras.ops.one_hot(y_train, num_classes=10)
    history = model.fit(x_train, y_train_one_hot, batch_size=64, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])


def test_custom_metric():
    class CategoricalTruePositives(keras.metrics.Metric):
        def __init__(self, name="categorical_true_positives", **kwargs):
            super().__init__(name=name, **kwargs)
            self.true_positives = self.add_variable(shape=(), name="ctp", initializer="zeros")

        def update_state(self, y_true, y_pred, sample_weight=None):
            y_pred = keras.ops.reshape(keras.ops.argmax(y_pred, axis=1), (-1, 1))
            values = keras.ops.cast(y_true, "int32") == keras.ops.cast(y_pred, "int32")
            values = keras.ops.cast(values, "float32")
            if sample_weight is not None:
                sample_weight = keras.ops.cast(sample_weight, "float32")
                values = keras.ops.multiply(values, sample_weight)
            self.true_positives.assign_add(keras.ops.sum(values))

        def result(self):
            return self.true_positives.value

        def reset_state(self):
            self.true_positives.assign(0)

    model = get_uncompiled_model()
    model.compile(
        optimizer=keras.optimizers.RMSprop(learning_rate=1e-3),
        loss=keras.losses.SparseCategoricalCrossentropy(),
        metrics=[CategoricalTruePositives()],
    )
    x_train, y_train = _data(64)
    history = model.fit(x_train, y_train, batch_size=64, epochs=3, verbose=0)
    assert len(history.history["categorical_true_positives"]) == 3


def test_add_loss_in_custom_layer():
    class ActivityRegularizationLayer(layers.Layer):
        def call(self, inputs):
            self.add_loss(keras.ops.sum(inputs) * 0.1)
            return inputs

    inputs = keras.Input(shape=(784,), name="digits")
    x = layers.Dense(64, activation="relu", name="dense_1")(inputs)
    x = ActivityRegularizationLayer()(x)
    x = layers.Dense(64, activation="relu", name="dense_2")(x)
    outputs = layers.Dense(10, name="predictions")(x)
    model = keras.Model(inputs=inputs, outputs=outputs)
    model.compile(
        optimizer=keras.optimizers.RMSprop(learning_rate=1e-3),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    x_train, y_train = _data(64)
    history = model.fit(x_train, y_train, batch_size=64, epochs=1, verbose=0)
    assert history.history["loss"][0] > 1.0  # the activity term dominates


def test_validation_split():
    model = get_compiled_model()
    x_train, y_train = _data()
    history = model.fit(x_train, y_train, batch_size=64, validation_split=0.2, epochs=1, verbose=0)
    assert "val_loss" in history.history


def test_class_weights():
    class_weight = {
        0: 1.0, 1: 1.0, 2: 1.0, 3: 1.0, 4: 1.0,
        5: 2.0,  # Set weight "2" for class "5", making this class 2x more important
        6: 1.0, 7: 1.0, 8: 1.0, 9: 1.0,
    }  # fmt: skip
    model = get_compiled_model()
    x_train, y_train = _data(64)
    model.fit(x_train, y_train, class_weight=class_weight, batch_size=64, epochs=1, verbose=0)


def test_sample_weights():
    x_train, y_train = _data(64)
    sample_weight = np.ones(shape=(len(y_train),))
    sample_weight[y_train == 5] = 2.0
    model = get_compiled_model()
    model.fit(x_train, y_train, sample_weight=sample_weight, batch_size=64, epochs=1, verbose=0)


def _multi_io_model():
    image_input = keras.Input(shape=(32, 32, 3), name="img_input")
    timeseries_input = keras.Input(shape=(None, 10), name="ts_input")
    x1 = layers.Conv2D(3, 3)(image_input)
    x1 = layers.GlobalMaxPooling2D()(x1)
    x2 = layers.Conv1D(3, 3)(timeseries_input)
    x2 = layers.GlobalMaxPooling1D()(x2)
    x = layers.concatenate([x1, x2])
    score_output = layers.Dense(1, name="score_output")(x)
    class_output = layers.Dense(5, name="class_output")(x)
    return keras.Model(inputs=[image_input, timeseries_input], outputs=[score_output, class_output])


def test_multi_input_multi_output_lists():
    model = _multi_io_model()
    model.compile(
        optimizer=keras.optimizers.RMSprop(1e-3),
        loss=[keras.losses.MeanSquaredError(), keras.losses.CategoricalCrossentropy()],
    )
    img_data = np.random.random_sample(size=(16, 32, 32, 3))
    ts_data = np.random.random_sample(size=(16, 20, 10))
    score_targets = np.random.random_sample(size=(16, 1))
    class_targets = np.random.random_sample(size=(16, 5))
    model.fit([img_data, ts_data], [score_targets, class_targets], batch_size=8, epochs=1,
              verbose=0)  # fmt: skip


def test_multi_input_multi_output_dicts_with_weights():
    model = _multi_io_model()
    model.compile(
        optimizer=keras.optimizers.RMSprop(1e-3),
        loss={
            "score_output": keras.losses.MeanSquaredError(),
            "class_output": keras.losses.CategoricalCrossentropy(),
        },
        metrics={
            "score_output": [keras.metrics.MeanAbsolutePercentageError(),
                             keras.metrics.MeanAbsoluteError()],
            "class_output": [keras.metrics.CategoricalAccuracy()],
        },
        loss_weights={"score_output": 2.0, "class_output": 1.0},
    )  # fmt: skip
    img_data = np.random.random_sample(size=(16, 32, 32, 3))
    ts_data = np.random.random_sample(size=(16, 20, 10))
    score_targets = np.random.random_sample(size=(16, 1))
    class_targets = np.random.random_sample(size=(16, 5))
    model.fit(
        {"img_input": img_data, "ts_input": ts_data},
        {"score_output": score_targets, "class_output": class_targets},
        batch_size=8,
        epochs=1,
        verbose=0,
    )


def test_early_stopping_callback():
    model = get_compiled_model()
    callbacks = [
        keras.callbacks.EarlyStopping(monitor="val_loss", min_delta=1e-2, patience=2, verbose=1)
    ]
    x_train, y_train = _data(128)
    history = model.fit(
        x_train, y_train, epochs=20, batch_size=64, callbacks=callbacks, validation_split=0.2,
        verbose=0,
    )  # fmt: skip
    assert len(history.history["loss"]) < 20


def test_writing_your_own_callback():
    class LossHistory(keras.callbacks.Callback):
        def on_train_begin(self, logs):
            self.per_batch_losses = []

        def on_batch_end(self, batch, logs):
            self.per_batch_losses.append(logs.get("loss"))

    model = get_compiled_model()
    cb = LossHistory()
    x_train, y_train = _data(128)
    model.fit(x_train, y_train, epochs=1, batch_size=32, callbacks=[cb], verbose=0)
    assert len(cb.per_batch_losses) == 4


def test_model_checkpoint(tmp_path):
    model = get_compiled_model()
    callbacks = [
        keras.callbacks.ModelCheckpoint(
            filepath=str(tmp_path / "mymodel_{epoch}.keras"),
            save_best_only=True,
            monitor="val_loss",
            verbose=1,
        )
    ]
    x_train, y_train = _data(128)
    model.fit(
        x_train, y_train, epochs=2, batch_size=64, callbacks=callbacks, validation_split=0.2,
        verbose=0,
    )  # fmt: skip
    saved = sorted(p.name for p in tmp_path.iterdir())
    assert saved and saved[0] == "mymodel_1.keras"
    restored = keras.models.load_model(str(tmp_path / saved[-1]))
    assert restored.predict(x_train[:2], verbose=0).shape == (2, 10)


def test_learning_rate_schedule_object():
    initial_learning_rate = 0.1
    lr_schedule = keras.optimizers.schedules.ExponentialDecay(
        initial_learning_rate, decay_steps=100000, decay_rate=0.96, staircase=True
    )
    optimizer = keras.optimizers.RMSprop(learning_rate=lr_schedule)
    model = get_uncompiled_model()
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy")
    x_train, y_train = _data(64)
    model.fit(x_train, y_train, epochs=1, batch_size=32, verbose=0)
    assert float(to_numpy(lr_schedule(100000))) == np.float32(0.096)
