"""Draw the computational graph behind a tensor: Graphviz DOT text, rendered with ``dot``."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from .tensor import Tensor


def _shape(t: Tensor) -> str:
    return "scalar" if t.ndim == 0 else "×".join(str(n) for n in t.shape)


def to_dot(root: Tensor, names: dict[str, Tensor] | None = None) -> str:
    """The graph that computed ``root`` as Graphviz DOT text.

    One box per leaf tensor (labelled with its name from ``names`` if given, and its shape) and
    one ellipse per op (its name and output shape); edges run from inputs to ops to outputs.
    """
    label_of = {id(t): name for name, t in (names or {}).items()}
    lines = [
        "digraph nnlab {",
        "  rankdir=LR;",
        '  node [fontname="Helvetica", fontsize=11];',
    ]
    seen: set[int] = set()
    stack = [root]
    while stack:
        t = stack.pop()
        if id(t) in seen:
            continue
        seen.add(id(t))
        node = f"t{id(t)}"
        name = label_of.get(id(t))
        if t._fn is None:
            if name:
                text = f"{name}\\n{_shape(t)}"
            elif t.size == 1 and not t.requires_grad:  # a constant such as an exponent
                text = f"{t.data.item():g}"
            else:
                text = _shape(t)
            style = "filled" if t.requires_grad else "dashed"
            lines.append(
                f'  {node} [shape=box, style={style}, fillcolor="#dbeafe", label="{text}"];'
            )
            continue
        text = f"{t._fn.name}\\n{_shape(t)}"
        if name:
            text = f"{name} = {text}"
        lines.append(
            f'  {node} [shape=ellipse, style=filled, fillcolor="#fde68a", label="{text}"];'
        )
        for inp in t._fn.inputs:
            lines.append(f"  t{id(inp)} -> {node};")
            stack.append(inp)
    lines.append("}")
    return "\n".join(lines) + "\n"


def draw(
    root: Tensor, path: str | os.PathLike[str], names: dict[str, Tensor] | None = None
) -> Path:
    """Render the graph of ``root`` to ``path`` (format from the suffix: .png, .svg, .pdf).

    Needs Graphviz's ``dot`` program; raises ``RuntimeError`` explaining how to install it when
    it is missing. The file is written atomically.
    """
    out = Path(path)
    fmt = out.suffix.lstrip(".").lower()
    if fmt not in {"png", "svg", "pdf"}:
        raise ValueError(
            f"draw: unsupported file type {out.suffix!r} for {out}; use .png, .svg or .pdf"
        )
    dot = shutil.which("dot")
    if dot is None:
        raise RuntimeError(
            "draw: Graphviz's 'dot' program was not found. Install Graphviz "
            "(Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz), "
            "or use nnlab.autograd.to_dot(tensor) to get the DOT text."
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=out.suffix)
    os.close(fd)
    try:
        subprocess.run(
            [dot, f"-T{fmt}", "-o", tmp],
            input=to_dot(root, names).encode(),
            check=True,
            capture_output=True,
        )
        os.replace(tmp, out)
    except subprocess.CalledProcessError as e:
        raise RuntimeError(
            f"draw: dot failed: {e.stderr.decode(errors='replace').strip()}"
        ) from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return out
