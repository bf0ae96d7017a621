"""The Keras-style progress output of fit and evaluate."""

from __future__ import annotations

import io
import re

import numpy as np

from nnlab.keras import progress
from nnlab.keras.layers import Dense
from nnlab.keras.models import Sequential


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_format_value_and_logs() -> None:
    assert progress.format_value(0.29384) == "0.2938"
    assert progress.format_value(0.00012345) == "1.2345e-04"
    assert progress.format_value(0.0) == "0.0000"
    assert (
        progress.format_logs({"loss": 0.5, "accuracy": 0.91})
        == " - loss: 0.5000 - accuracy: 0.9100"
    )


def test_final_bar_line() -> None:
    out = io.StringIO()
    bar = progress.ProgressBar(1875, verbose=1, stream=out)
    bar.update(1000, lambda: {"loss": 1.0})  # not a terminal: nothing until the end
    assert out.getvalue() == ""
    bar.finish(1875, {"loss": 0.2938, "accuracy": 0.9147})
    assert re.fullmatch(
        r"1875/1875 ━{20} \d+s \d+us/step - loss: 0\.2938 - accuracy: 0\.9147\n",
        out.getvalue(),
    )


def test_live_bar_on_a_terminal_is_redrawn_with_carriage_returns() -> None:
    out = FakeTTY()
    bar = progress.ProgressBar(100, verbose=1, stream=out, interval=0.0)
    calls = []
    for step in (1, 50):
        bar.update(step, lambda: calls.append(1) or {"loss": 0.5})
    bar.finish(100, {"loss": 0.25})
    text = out.getvalue()
    assert len(calls) == 2
    frames = [re.sub(r"\x1b\[\d+m", "", f) for f in text.split("\r")[1:]]  # no colours
    assert frames[0].startswith("  1/100 ━━━━━━━━━━━━━━━━━━━━ ") and "/step" in frames[0]
    assert "\x1b[32m━━━━━━━━━━\x1b[0m\x1b[37m━━━━━━━━━━" in text  # 50%: half green
    assert frames[1].startswith(" 50/100 ━━━━━━━━━━━━━━━━━━━━ ")
    assert frames[2].startswith("100/100 ━━━━━━━━━━━━━━━━━━━━ ")
    assert text.endswith("loss: 0.2500\n")


def test_redraws_are_throttled() -> None:
    out = FakeTTY()
    bar = progress.ProgressBar(10_000, verbose=1, stream=out, interval=60.0)
    for step in range(1, 10_000):
        bar.update(step, lambda: {"loss": 1.0})
    assert out.getvalue() == ""


def test_fit_verbose_1_and_2_output(blobs, capsys) -> None:
    x, y = blobs
    model = Sequential([Dense(1, input_dim=2, activation="sigmoid")], seed=0)
    model.compile("sgd", "binary_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=2, batch_size=50, verbose=1, validation_split=0.2)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2" and len(lines) == 4
    assert re.fullmatch(
        r"4/4 ━{20} \d+s \d+[mu]?s/step - accuracy: \d\.\d{4} - loss: \d\.\d{4}"
        r" - val_accuracy: \d\.\d{4} - val_loss: \d\.\d{4}",
        lines[1],
    )
    model.fit(x, y, epochs=2, batch_size=50, verbose=2)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4
    assert re.fullmatch(
        r"4/4 - \d+s - \d+[mu]?s/step - accuracy: \d\.\d{4} - loss: \d\.\d{4}", lines[3]
    )
    model.fit(x, y, verbose=0)
    assert capsys.readouterr().out == ""
    model.evaluate(x, y)
    assert capsys.readouterr().out.startswith("7/7 ━━━━")
    model.evaluate(x, y, verbose=0)
    model.predict(np.ones((3, 2)), verbose=0)
    assert capsys.readouterr().out == ""
    model.predict(np.ones((3, 2)))  # Keras 3: verbose="auto" shows the bar
    assert capsys.readouterr().out.startswith("1/1 ━━━━")
