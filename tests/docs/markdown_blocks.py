"""Find the fenced code blocks of a Markdown file (README.md, docs/*.md) for the docs tests.

A block is fenced by three or more backticks or tildes; its language is the first word of the
info string. An HTML comment on the line just before the fence tags it for the tests, invisible
on GitHub and on the site: ``<!-- test: mnist -->`` marks a block that reads MNIST.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`]*)$")
_TAG = re.compile(r"^\s*<!--\s*test:\s*(?P<tags>[\w\s-]+?)\s*-->\s*$")
PYTHON = {"python", "py"}


@dataclass(frozen=True)
class CodeBlock:
    """One fenced block: ``lang``, ``code`` (indentation of the fence removed), the 1-based
    ``line`` of its opening fence, and the ``tags`` of a ``<!-- test: ... -->`` comment."""

    path: Path
    line: int
    lang: str
    code: str
    tags: frozenset[str]


def code_blocks(path: Path) -> list[CodeBlock]:
    """Every fenced code block of ``path``, in order (``ValueError`` for an unclosed fence)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found: list[CodeBlock] = []
    i = 0
    while i < len(lines):
        match = _FENCE.match(lines[i])
        if not match:
            i += 1
            continue
        indent, fence = match["indent"], match["fence"]
        info = match["info"].strip()
        tag = _TAG.match(lines[i - 1]) if i > 0 else None
        start = i
        body: list[str] = []
        i += 1
        while i < len(lines) and not (
            lines[i].strip().startswith(fence[0] * len(fence))
            and lines[i].strip().strip(fence[0]) == ""
        ):
            line = lines[i]
            body.append(line[len(indent) :] if line.startswith(indent) else line.lstrip())
            i += 1
        if i == len(lines):
            raise ValueError(f"{path}:{start + 1}: code block is never closed")
        found.append(
            CodeBlock(
                path=path,
                line=start + 1,
                lang=(info.split() or [""])[0].lstrip("{.").rstrip("}").lower(),
                code="\n".join(body) + "\n",
                tags=frozenset(tag["tags"].split()) if tag else frozenset(),
            )
        )
        i += 1
    return found


def python_blocks(path: Path) -> list[CodeBlock]:
    """The Python blocks of ``path`` (shell sessions and other languages are left out)."""
    return [block for block in code_blocks(path) if block.lang in PYTHON]
