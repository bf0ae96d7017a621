"""One exercise task: a function (or ``Function`` subclass) the student writes, and how to check it.

A :class:`Task` holds

- ``solution``: the model answer, a real function of the lab's module (its docstring states what
  to compute, the formula and the shapes; its source fills the cell of the solution notebook, and
  the blank notebook keeps the signature and docstring with a body that raises
  ``NotImplementedError``);
- ``reference``: the computation the student's answers are compared with, the library's own
  function (``nnlab.prob``, ``nnlab.info``, ``nnlab.linear_model``, ``nnlab.autograd``, ...);
- ``cases``: a generator of hidden random inputs (keyword arguments), small and edge cases
  included, so that a hard-coded answer fails;
- ``hint``: where the course gives the formula, shown when a case fails.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

Case = dict[str, Any]


@dataclass(frozen=True)
class Task:
    """A function to write (see the module docstring). ``adapter`` turns the student's object into
    the callable compared with ``reference`` (for a ``Function`` subclass: a function running it
    through the engine); ``rtol`` / ``atol`` are ``np.allclose``'s tolerances."""

    solution: Callable[..., Any]
    reference: Callable[..., Any]
    cases: Callable[[np.random.Generator], Iterable[Case]]
    hint: str
    adapter: Callable[[Any], Callable[..., Any]] | None = None
    rtol: float = 1e-6
    atol: float = 1e-9

    @property
    def name(self) -> str:
        """The name the student's cell must define (the solution's name)."""
        return self.solution.__name__

    @property
    def summary(self) -> str:
        """The first paragraph of the solution's docstring, on one line."""
        doc = inspect.getdoc(self.solution) or self.name
        return " ".join(doc.split("\n\n")[0].split())

    def solution_source(self) -> str:
        """The model answer's source, as it appears in the solution notebook."""
        return textwrap.dedent(inspect.getsource(self.solution)).rstrip() + "\n"

    def stub_source(self) -> str:
        """The blank to fill: every ``def`` keeps its signature and docstring, and its body
        becomes ``raise NotImplementedError``."""
        source = self.solution_source()
        lines = source.splitlines()
        tree = ast.parse(source)
        cuts: list[tuple[int, int, str]] = []  # (first body line, last line, indentation)
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                body = node.body
                has_doc = (
                    isinstance(body[0], ast.Expr)
                    and isinstance(body[0].value, ast.Constant)
                    and isinstance(body[0].value.value, str)
                )
                first = body[1] if has_doc and len(body) > 1 else body[0]
                if has_doc and len(body) == 1:
                    continue
                indent = lines[first.lineno - 1][: first.col_offset]
                end = node.end_lineno or first.lineno
                cuts.append((first.lineno, end, indent))
        for start, end, indent in sorted(cuts, reverse=True):
            message = f'{indent}raise NotImplementedError("{self.name}: write this")'
            if self.adapter is not None:
                message = f'{indent}raise NotImplementedError("{self.name}: write this method")'
            lines[start - 1 : end] = [f"{indent}# your code here", message]
        return "\n".join(lines) + "\n"
