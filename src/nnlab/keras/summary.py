"""The text of ``Sequential.summary()``, in Keras's layout (65 characters wide)::

    Model: "sequential"
    _________________________________________________________________
    Layer (type)                 Output Shape              Param #
    =================================================================
    dense (Dense)                (None, 512)               401920
    _________________________________________________________________
    dropout (Dropout)            (None, 512)               0
    _________________________________________________________________
    dense_1 (Dense)              (None, 10)                5130
    =================================================================
    Total params: 407,050
    Trainable params: 407,050
    Non-trainable params: 0
    _________________________________________________________________

A Dense layer has input_dim * units + units parameters (kernel and bias).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Sequential

__all__ = ["summary_lines"]

LINE_LENGTH = 65
POSITIONS = (29, 55, 65)  # column ends: 0.45, 0.85 and 1.0 of the line, as Keras


def _row(fields: tuple[str, str, str]) -> str:
    line = ""
    for i, (field, end) in enumerate(zip(fields, POSITIONS, strict=True)):
        if i > 0:
            line = line[:-1] + " "
        line = (line + field)[:end]
        line += " " * (end - len(line))
    return line.rstrip()


def summary_lines(model: Sequential) -> list[str]:
    """The lines of the summary table; ValueError if the model is not built."""
    if not model.built:
        raise ValueError(
            "summary: the model is not built yet; give the first layer input_dim= / "
            "input_shape=, start with Input(shape=(n,)), call model.build((None, n)), or fit it"
        )
    lines = [f'Model: "{model.name}"', "_" * LINE_LENGTH]
    lines.append(_row(("Layer (type)", "Output Shape", "Param #")))
    lines.append("=" * LINE_LENGTH)
    for i, layer in enumerate(model.layers):
        name = f"{layer.name} ({type(layer).__name__})"
        shape = layer._inbound_nodes[-1].outputs.shape if layer._inbound_nodes else "?"
        lines.append(_row((name, str(shape), str(layer.count_params()))))
        lines.append("=" * LINE_LENGTH if i == len(model.layers) - 1 else "_" * LINE_LENGTH)
    total = model.count_params()
    lines += [
        f"Total params: {total:,}",
        f"Trainable params: {total:,}",
        "Non-trainable params: 0",
        "_" * LINE_LENGTH,
    ]
    return lines
