"""Generate the Keras 3 compatibility page from ``nnlab.keras`` itself.

Every table below is read from the code at build time (the mkdocs hook in ``hooks.py`` calls
:func:`render`), so a layer, loss, metric, optimizer or callback added to ``nnlab.keras`` appears
on the page without anyone editing it. The hand-written part is ``known-differences.md`` beside
this file. ``tests/docs/test_keras_compat.py`` checks that every public submodule of
``nnlab.keras`` and every public ``Model`` method is covered.

Run ``python docs/_gen/keras_compat.py`` to print the page.
"""

from __future__ import annotations

import importlib
import inspect
import os
from pathlib import Path
from types import ModuleType

os.environ.setdefault("KERAS_BACKEND", "torch")  # nnlab never imports keras; harmless either way

#: (submodule of nnlab.keras, section title, what it holds)
SECTIONS: tuple[tuple[str, str, str], ...] = (
    (
        "layers",
        "Layers",
        "`keras.layers`: the building blocks of `Sequential` and functional models.",
    ),
    ("losses", "Losses", "`keras.losses`: classes and their function forms."),
    ("metrics", "Metrics", "`keras.metrics`: stateful metrics (`update_state` / `result`)."),
    ("optimizers", "Optimizers", "`keras.optimizers`: Keras's update rules."),
    ("optimizers.schedules", "Learning-rate schedules", "`keras.optimizers.schedules`."),
    ("callbacks", "Callbacks", "`keras.callbacks`: called by the training loop only."),
    (
        "activations",
        "Activations",
        '`keras.activations`: by name (`activation="relu"`) or as functions.',
    ),
    ("initializers", "Initializers", "`keras.initializers`."),
    ("regularizers", "Regularizers", "`keras.regularizers`."),
    ("constraints", "Constraints", "`keras.constraints`: applied to a weight after each update."),
    ("random", "Random", "`keras.random`: seeded random tensors."),
    ("ops", "Ops", "`keras.ops`: NumPy-like functions on tensors (symbolic in functional models)."),
    ("models", "Models", "`keras.models`."),
    ("saving", "Saving", "`keras.saving`: the `.keras` format and the custom-object registry."),
    ("utils", "Utilities", "`keras.utils`."),
    ("datasets", "Datasets", "`keras.datasets`."),
    ("config", "Config", "`keras.config`: the global settings (image data format, epsilon)."),
    ("backend", "Backend", "`keras.backend`: the settings under Keras's older names, dtypes."),
)

#: public submodules of nnlab.keras that are implementation detail, not Keras API
NOT_API: frozenset[str] = frozenset(
    {"data", "progress", "summary", "training", "variables", "datasets.mnist"}
)

#: Keras 3's user-facing ``keras.Model`` API (read from keras 3.15's ``dir(keras.Model)``,
#: backend-specific and private names left out).
KERAS3_MODEL_API: tuple[str, ...] = (
    "compile", "fit", "evaluate", "predict",
    "train_on_batch", "test_on_batch", "predict_on_batch",
    "train_step", "test_step", "predict_step",
    "compute_loss", "compute_metrics", "get_metrics_result", "reset_metrics",
    "summary", "get_layer", "layers",
    "save", "save_weights", "load_weights", "export", "to_json",
    "get_config", "from_config", "get_compile_config", "compile_from_config",
    "get_build_config", "build_from_config",
    "get_weights", "set_weights", "count_params",
    "build", "call", "add_loss", "add_weight", "add_variable", "add_metric",
    "compute_output_shape", "compute_output_spec", "compute_mask",
    "losses", "metrics", "metrics_names", "metrics_variables",
    "weights", "trainable_weights", "non_trainable_weights",
    "variables", "trainable_variables", "non_trainable_variables",
    "trainable", "input", "output", "input_spec", "supports_masking",
    "dtype", "compute_dtype", "variable_dtype", "dtype_policy",
    "stop_training", "history", "optimizer", "loss",
    "get_state_tree", "set_state_tree", "save_own_variables", "load_own_variables",
    "stateless_call", "symbolic_call", "quantize", "jit_compile", "run_eagerly",
    "make_train_function", "make_test_function", "make_predict_function",
)  # fmt: skip

KNOWN_DIFFERENCES = Path(__file__).with_name("known-differences.md")


def _first_line(obj: object) -> str:
    doc = inspect.getdoc(obj) or ""
    line = doc.strip().split("\n\n")[0].replace("\n", " ").strip()
    return line.replace("|", "\\|")


def _member_doc(cls: type, name: str) -> str:
    """The first line of a method's or a property's docstring (nothing for a plain attribute)."""
    member = inspect.getattr_static(cls, name)
    if isinstance(member, property):
        member = member.fget
    elif isinstance(member, classmethod | staticmethod):
        member = member.__func__
    return _first_line(member) if callable(member) else ""


def _kind(obj: object) -> str:
    if inspect.isclass(obj):
        return "class"
    if inspect.ismodule(obj):
        return "module"
    if callable(obj):
        return "function"
    return "constant"


def module_names(module: ModuleType) -> list[str]:
    """The public names of ``module``: its ``__all__``, else its public non-module attributes."""
    names = getattr(module, "__all__", None)
    if names is None:
        names = [
            n
            for n, v in vars(module).items()
            if not n.startswith("_")
            and not inspect.ismodule(v)
            and getattr(v, "__module__", module.__name__).startswith(module.__name__)
        ]
    return sorted(set(names), key=str.lower)


def public_objects(module: ModuleType) -> list[tuple[str, object]]:
    """``(name, object)`` for the module's public names; a submodule it exports (``mnist`` in
    ``keras.datasets``) contributes its own names, as ``mnist.load_data``."""
    found = []
    for name in module_names(module):
        obj = getattr(module, name, None)
        if obj is None:
            continue
        if inspect.ismodule(obj):
            found += [(f"{name}.{n}", o) for n, o in public_objects(obj)]
        else:
            found.append((name, obj))
    return found


def available_sections() -> list[tuple[str, str, str, ModuleType]]:
    """The sections whose submodule exists in this version of nnlab.keras, then a section for
    every other public submodule (one added since SECTIONS was written)."""
    import pkgutil

    import nnlab.keras

    found = []
    for sub, title, blurb in SECTIONS:
        try:
            module = importlib.import_module(f"nnlab.keras.{sub}")
        except ModuleNotFoundError:
            continue
        found.append((sub, title, blurb, module))
    known = {sub for sub, _, _ in SECTIONS} | NOT_API
    for info in pkgutil.iter_modules(nnlab.keras.__path__):
        if info.name.startswith("_") or info.name in known:
            continue
        module = importlib.import_module(f"nnlab.keras.{info.name}")
        found.append((info.name, info.name.capitalize(), f"`keras.{info.name}`.", module))
    return found


def model_api() -> dict[str, str]:
    """Public attribute of ``nnlab.keras.Model`` -> the class that defines it."""
    from nnlab.keras import Model

    owners: dict[str, str] = {}
    for name in dir(Model):
        if name.startswith("_"):
            continue
        owner = next(c for c in Model.__mro__ if name in c.__dict__)
        owners[name] = f"{owner.__module__}.{owner.__qualname__}"
    return owners


def _section(sub: str, title: str, blurb: str, module: ModuleType) -> list[str]:
    rows = []
    for name, obj in public_objects(module):
        rows.append(f"| `{name}` | {_kind(obj)} | {_first_line(obj)} |")
    count = f"{len(rows)} name{'s' * (len(rows) != 1)}"
    lines = [f"## {title}", "", f"{blurb} {count} in `nnlab.keras.{sub}`.", ""]
    lines += ["| name | kind | what it is |", "|---|---|---|", *rows, ""]
    return lines


def _model_section() -> list[str]:
    from nnlab.keras import Model

    owners = model_api()
    lines = [
        "## Model methods and attributes",
        "",
        "Keras 3's `keras.Model` API against `nnlab.keras.Model` (a Keras `Layer`, itself an",
        "`nnlab.nn.Module`).",
        "",
        "| Keras 3 `Model` | nnlab | what it is |",
        "|---|---|---|",
    ]
    for name in KERAS3_MODEL_API:
        if name in owners:
            lines.append(f"| `{name}` | yes | {_member_doc(Model, name)} |")
        else:
            lines.append(f"| `{name}` | — | not in nnlab |")
    extra = sorted(n for n in owners if n not in KERAS3_MODEL_API)
    lines += [
        "",
        "Also on nnlab's `Model` (from `nnlab.nn.Module` and nnlab's training loop): "
        + ", ".join(f"`{n}`" for n in extra)
        + ".",
        "",
    ]
    return lines


def render() -> str:
    """The whole page as Markdown."""
    import nnlab.keras as keras

    sections = available_sections()
    top = [n for n in module_names(keras) if not inspect.ismodule(getattr(keras, n))]
    lines = [
        "# Keras 3 compatibility",
        "",
        "`nnlab.keras` follows Keras 3's names, arguments and defaults, so the course's Keras code",
        "runs with `import keras` replaced by `from nnlab import keras`. The tables on this page",
        "are **generated from the code** when the site is built (`docs/_gen/keras_compat.py`);",
        "the known differences at the end are written by hand.",
        "",
        "Top-level names of `nnlab.keras`: " + ", ".join(f"`{n}`" for n in top) + ".",
        "",
        "| family | names |",
        "|---|---|",
    ]
    for _sub, title, _, module in sections:
        anchor = title.lower().replace(" ", "-")
        count = len(public_objects(module))
        lines.append(f"| [{title}](#{anchor}) | {count} |")
    lines.append("")
    lines += _model_section()
    for sub, title, blurb, module in sections:
        lines += _section(sub, title, blurb, module)
    lines.append(KNOWN_DIFFERENCES.read_text(encoding="utf-8").rstrip() + "\n")
    return "\n".join(lines)


if __name__ == "__main__":
    print(render())
