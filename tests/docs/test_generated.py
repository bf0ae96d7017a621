"""The generated parts of the documentation stay in step with the code.

- the engine tour's figure (docs/img/course-graph.svg) shows the graph nnlab records;
- the Keras 3 compatibility page (generated at build time) covers every public submodule of
  ``nnlab.keras`` and every public attribute of ``Model``;
- the API reference has a page per public package, each naming importable modules;
- every lab has its page, its nav entry and its notebooks, and the page's task list is the
  exercise's.
"""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GEN = ROOT / "docs" / "_gen"
sys.path.insert(0, str(GEN))

import api_pages  # noqa: E402
import engine_graph  # noqa: E402
import keras_compat  # noqa: E402

from nnlab.exercises import get_exercise  # noqa: E402
from nnlab.labs.registry import LABS  # noqa: E402


def test_the_engine_figure_shows_the_graph_nnlab_records() -> None:
    from nnlab.autograd import graph_of

    svg = (ROOT / "docs" / "img" / "course-graph.svg").read_text(encoding="utf-8")
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    f, names = engine_graph.course_graph()
    nodes, edges = graph_of(f, names)
    # each line of a node's label is one <text> element of the SVG
    expected = sorted(line for node in nodes for line in node.label.split("\n"))
    assert sorted(texts) == expected, "regenerate: python docs/_gen/engine_graph.py"
    assert texts.count("Pow") == 2 and texts.count("Mul") == 1 and "f = Add" in texts
    assert svg.count('class="edge"') == len(edges)


@pytest.fixture(scope="module")
def compat_page() -> str:
    return keras_compat.render()


def test_every_public_keras_submodule_has_its_section_or_is_declared_internal(
    compat_page: str,
) -> None:
    import nnlab.keras

    sections = {sub for sub, _, _, _ in keras_compat.available_sections()}
    for info in pkgutil.iter_modules(nnlab.keras.__path__):
        if not info.name.startswith("_") and info.name not in keras_compat.NOT_API:
            assert info.name in sections, f"nnlab.keras.{info.name} has no section"
            assert f"in `nnlab.keras.{info.name}`" in compat_page, info.name
    assert {"layers", "losses", "metrics", "optimizers", "callbacks"} <= sections


def test_every_exported_name_has_its_row(compat_page: str) -> None:
    for sub, _, _, module in keras_compat.available_sections():
        for name in keras_compat.module_names(module):
            obj = getattr(module, name, None)
            if inspect.ismodule(obj):  # an exported submodule: its names, prefixed
                for inner in keras_compat.module_names(obj):
                    assert f"| `{name}.{inner}` |" in compat_page, f"nnlab.keras.{sub}.{name}"
            else:
                assert f"| `{name}` |" in compat_page, f"nnlab.keras.{sub}.{name}"
    assert "| `mnist.load_data` |" in compat_page


def test_every_model_attribute_is_on_the_page_with_the_right_mark(compat_page: str) -> None:
    from nnlab.keras import Model

    owners = keras_compat.model_api()
    for name in owners:
        assert f"`{name}`" in compat_page, name
    rows = dict(re.findall(r"^\| `(\w+)` \| (yes|—) \|", compat_page, flags=re.M))
    for name in keras_compat.KERAS3_MODEL_API:
        assert rows[name] == ("yes" if hasattr(Model, name) else "—"), name
    assert rows["fit"] == rows["compile"] == rows["save"] == "yes"
    assert "## Known differences" in compat_page


def test_the_api_reference_covers_every_public_package() -> None:
    import nnlab

    packages = {info.name for info in pkgutil.iter_modules(nnlab.__path__) if info.ispkg} | {"info"}
    internal = {"labs", "report"}  # documented by the lab pages and their reports
    documented = {api_pages.PAGES[p][0].removeprefix("nnlab.") for p in api_pages.PAGES}
    assert packages - internal <= documented, packages - internal - documented
    for page in api_pages.PAGES:
        text = api_pages.render(page)
        for target in re.findall(r"^::: ([\w.]+)$", text, flags=re.M):
            module, _, name = target.rpartition(".")
            try:
                importlib.import_module(target)
            except ModuleNotFoundError:
                assert hasattr(importlib.import_module(module), name), target


def test_every_lab_has_its_page_nav_entry_and_notebooks() -> None:
    mkdocs_yml = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    labs = ROOT / "docs" / "labs"
    for spec in LABS:
        page = labs / f"{spec.id}.md"
        assert page.is_file(), f"no page for lab {spec.id}: run python docs/_gen/labs.py {spec.id}"
        assert f"labs/{spec.id}.md" in mkdocs_yml, f"lab {spec.id} is not in mkdocs.yml's nav"
        text = page.read_text(encoding="utf-8")
        for task in get_exercise(spec.id).tasks:
            assert f"- `{task.name}`:" in text, f"{spec.id}: task {task.name} missing from page"
        for suffix in ("", "-solution"):
            notebook = json.loads((labs / "notebooks" / f"{spec.id}{suffix}.ipynb").read_text())
            assert notebook["metadata"] and notebook["cells"]
        for image in re.findall(r"\]\((img/[^)]+)\)", text):
            assert (labs / image).is_file(), f"{spec.id}: {image} missing"
