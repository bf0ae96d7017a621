"""Every Python example in README.md and docs/ runs, so the documentation cannot rot.

The blocks of one file run in order in one namespace (a page reads like a notebook), in a fresh
temporary folder (examples that save files write there). Shell blocks are not Python and are left
out. Blocks tagged ``<!-- test: mnist -->`` read MNIST: the default run gives them the first 2,000
images of each split (``load_mnist_flat(limit=2000)``), the slow run the whole set; both skip
when MNIST is not on this machine ($NNLAB_DATA or ~/.cache/nnlab/mnist).
"""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path

import pytest

from .markdown_blocks import CodeBlock, code_blocks, python_blocks

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
PAGES = [ROOT / "README.md"] + sorted(
    p for p in DOCS.rglob("*.md") if "_gen" not in p.relative_to(DOCS).parts
)
WITH_PYTHON = [p for p in PAGES if python_blocks(p)]
QUICK_MNIST_LIMIT = 2000


def _mnist_on_disk() -> bool:
    root = os.environ.get("NNLAB_DATA")
    folders = [Path(root) / "mnist"] if root else []
    folders.append(Path.home() / ".cache" / "nnlab" / "mnist")
    return any(len(list(f.glob("*-ubyte.gz"))) >= 4 for f in folders if f.is_dir())


def _run_blocks(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, quick: bool) -> None:
    blocks = python_blocks(path)
    if any("mnist" in b.tags for b in blocks) and not _mnist_on_disk():
        pytest.skip("MNIST not found (set NNLAB_DATA to the folder holding mnist/)")
    if quick:
        import nnlab.datasets

        full = nnlab.datasets.load_mnist_flat

        def load_mnist_flat(*args, **kwargs):  # the examples' code, on a slice of MNIST
            kwargs.setdefault("limit", QUICK_MNIST_LIMIT)
            return full(*args, **kwargs)

        monkeypatch.setattr(nnlab.datasets, "load_mnist_flat", load_mnist_flat)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    namespace: dict[str, object] = {"__name__": "__docs__"}
    for block in blocks:
        _exec(block, namespace)


def _exec(block: CodeBlock, namespace: dict[str, object]) -> None:
    where = f"{block.path.relative_to(ROOT)}:{block.line}"
    code = compile(block.code, where, "exec")
    with contextlib.redirect_stdout(io.StringIO()):
        try:
            exec(code, namespace)
        except Exception as err:
            raise AssertionError(f"the example at {where} failed: {err!r}") from err


@pytest.mark.parametrize("path", WITH_PYTHON, ids=lambda p: str(p.relative_to(ROOT)))
def test_python_examples_run(path: Path, tmp_path: Path, monkeypatch) -> None:
    _run_blocks(path, tmp_path, monkeypatch, quick=True)


MNIST_PAGES = [p for p in WITH_PYTHON if any("mnist" in b.tags for b in python_blocks(p))]


@pytest.mark.slow
@pytest.mark.parametrize("path", MNIST_PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_python_examples_run_on_all_of_mnist(path: Path, tmp_path: Path, monkeypatch) -> None:
    _run_blocks(path, tmp_path, monkeypatch, quick=False)


def test_the_readme_and_the_docs_have_examples() -> None:
    """The collector finds the examples (a broken parser would make the tests above vacuous)."""
    readme = python_blocks(ROOT / "README.md")
    assert len(readme) >= 4
    assert "f.backward()" in readme[0].code
    assert len(WITH_PYTHON) >= 4


def test_the_readme_quick_start_and_tests_blocks_are_the_agreed_commands() -> None:
    blocks = code_blocks(ROOT / "README.md")
    assert blocks[0].code.splitlines()[0] == "pip install -e ."
    assert "nnlab run all" in blocks[0].code
    tests = [b for b in blocks if "python -m pytest" in b.code]
    assert [b.code for b in tests] == ['pip install -e ".[test]" && python -m pytest\n']


def test_fences_tags_and_indentation_are_parsed(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "Text\n\n```bash\nnnlab list\n```\n\n<!-- test: mnist -->\n```python\nx = 1\n```\n\n"
        '!!! note\n    ```py title="t.py"\n    y = 2\n        z = 3\n    ```\n'
        "~~~~python\n```\nnot a fence end\n~~~~\n",
        encoding="utf-8",
    )
    blocks = code_blocks(page)
    assert [(b.lang, b.line) for b in blocks] == [
        ("bash", 3),
        ("python", 8),
        ("py", 13),
        ("python", 17),
    ]
    assert blocks[1].tags == {"mnist"} and blocks[2].tags == set()
    assert blocks[2].code == "y = 2\n    z = 3\n"
    assert blocks[3].code == "```\nnot a fence end\n"
    assert [b.lang for b in python_blocks(page)] == ["python", "py", "python"]
    (tmp_path / "bad.md").write_text("```python\nx = 1\n", encoding="utf-8")
    with pytest.raises(ValueError, match="never closed"):
        code_blocks(tmp_path / "bad.md")
