"""Generate the API reference pages (``api/*.md``) from the packages themselves.

Each page documents a package with mkdocstrings (``::: nnlab.nn``: its ``__all__``, from the
docstrings), then every submodule the package exports in ``__all__`` and the extra submodules
listed here. A module added to a package's ``__all__`` gets its section on the next build; no
page is edited by hand. Called by the mkdocs hook (``hooks.py``).
"""

from __future__ import annotations

import importlib
import inspect
import os

os.environ.setdefault("KERAS_BACKEND", "torch")

#: page -> (package, what it is, extra submodules documented after the package's own names)
PAGES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "nnlab": (
        "nnlab",
        "The top-level package: the engine's `tensor`, `Tensor`, `no_grad` and the most used "
        "ops, re-exported from [`nnlab.autograd`](autograd.md).",
        (),
    ),
    "autograd": (
        "nnlab.autograd",
        "The engine: `Tensor`, `Function`, every op with its derivative, `no_grad`, "
        "`gradcheck`, the graph drawing. [The engine, step by step](../engine.md) walks "
        "through it.",
        (),
    ),
    "nn": (
        "nnlab.nn",
        "PyTorch-style modules on the engine: `Module`, `Parameter`, the layers, the losses, "
        "initialization.",
        (),
    ),
    "optim": (
        "nnlab.optim",
        "Optimizers with PyTorch's update rules, learning-rate schedulers, and gradient descent "
        "on a function.",
        (),
    ),
    "keras": (
        "nnlab.keras",
        "Keras 3's API on nnlab. The [compatibility page](../keras-compat.md) lists what is "
        "there in tables; this page documents each name.",
        (
            "layers",
            "losses",
            "metrics",
            "optimizers",
            "optimizers.schedules",
            "callbacks",
            "activations",
            "initializers",
            "regularizers",
            "constraints",
            "random",
            "ops",
            "models",
            "saving",
            "utils",
            "datasets",
        ),
    ),  # fmt: skip
    "datasets": (
        "nnlab.datasets",
        "MNIST (IDX files, checked downloads), the course's synthetic sets, the Playground's "
        "sets, `DataLoader`.",
        (),
    ),
    "prob": (
        "nnlab.prob",
        "Probability for the course: distributions, joint tables, Bayes' theorem, Monty Hall, "
        "ML and MAP estimation.",
        (),
    ),
    "info": ("nnlab.info", "Information theory: entropy, cross-entropy, KL divergence.", ()),
    "linear_model": (
        "nnlab.linear_model",
        "Linear models in plain NumPy with scikit-learn's estimator protocol.",
        (),
    ),
    "exercises": (
        "nnlab.exercises",
        "The student workbooks, the checker and the grader (see the guides for "
        "[students](../guides/exercises.md) and [teachers](../guides/grading.md)).",
        ("notebook", "grader", "sandbox"),
    ),
    "playground": (
        "nnlab.playground",
        "The [browser playground](../guides/playground.md): the network, one tab's session, the "
        "protocol, the export, the server and its security checks.",
        ("network", "session", "protocol", "export", "server", "security"),
    ),
    "onnx": (
        "nnlab.onnx",
        "ONNX export of `nnlab.nn` modules and `nnlab.keras` models "
        "(see [saving and exporting](../guides/saving.md)).",
        (),
    ),
}


def _exists(module: str) -> bool:
    try:
        importlib.import_module(module)
    except ModuleNotFoundError:
        return False
    return True


def submodules(page: str) -> list[str]:
    """The dotted submodules documented on ``page`` after the package itself."""
    package, _, extra = PAGES[page]
    mod = importlib.import_module(package)
    exported = [n for n in getattr(mod, "__all__", []) if inspect.ismodule(getattr(mod, n, None))]
    names = list(extra) + [n for n in exported if n not in extra]
    return [f"{package}.{n}" for n in names if _exists(f"{package}.{n}")]


def shadowed(package: str) -> list[str]:
    """Exported objects that the static reader cannot see under the package's name because a
    submodule has the same name (``nnlab.autograd.tensor`` is both the function ``tensor`` and
    the module ``tensor.py``): their dotted paths where they are defined."""
    import importlib.util

    mod = importlib.import_module(package)
    found = []
    for name in getattr(mod, "__all__", []):
        obj = getattr(mod, name, None)
        if obj is None or inspect.ismodule(obj):
            continue
        if importlib.util.find_spec(f"{package}.{name}") is not None or (
            package == "nnlab" and importlib.util.find_spec(f"nnlab.autograd.{name}") is not None
        ):
            found.append(f"{obj.__module__}.{obj.__qualname__}")
    return found


def render(page: str) -> str:
    """The Markdown of ``api/<page>.md``."""
    package, blurb, _ = PAGES[page]
    lines = [f"# `{package}`", "", blurb, "", f"::: {package}", ""]
    for path in shadowed(package):
        lines += [f"::: {path}", ""]
    for sub in submodules(page):
        lines += [f"::: {sub}", ""]
    return "\n".join(lines)


def render_index() -> str:
    """``api/index.md``: the list of the reference pages."""
    lines = [
        "# API reference",
        "",
        "Generated from the docstrings (mkdocstrings) when the site is built; every public",
        "module of nnlab has a page:",
        "",
        "| module | what it holds |",
        "|---|---|",
    ]
    for page, (package, blurb, _) in PAGES.items():
        lines.append(f"| [`{package}`]({page}.md) | {blurb.split('. ')[0].rstrip('.')}. |")
    return "\n".join(lines) + "\n"
