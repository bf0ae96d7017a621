"""The engine's layout rules (see GUIDE.md, "The engine"), checked on the source itself: each
op's lowercase wrapper directly under its ``Function`` class, the broadcast error produced in
one place, no module writing globals into another."""

from __future__ import annotations

import ast
import inspect
import pkgutil
from importlib import import_module

import numpy as np
import pytest

import nnlab
from nnlab import autograd
from nnlab.autograd import Function

MODULES = [
    import_module(f"nnlab.autograd.{m.name}") for m in pkgutil.iter_modules(autograd.__path__)
]
IDS = [m.__name__.rsplit(".", 1)[1] for m in MODULES]


def _tree(module):
    return ast.parse(inspect.getsource(module))


def _op_classes(module):
    """The public Function subclasses a module defines (private ones are shared bases)."""
    return {
        name
        for name, obj in vars(module).items()
        if inspect.isclass(obj)
        and issubclass(obj, Function)
        and obj is not Function
        and obj.__module__ == module.__name__
        and not name.startswith("_")
    }


@pytest.mark.parametrize("module", MODULES, ids=IDS)
def test_each_op_class_is_followed_by_the_wrapper_that_calls_it(module):
    ops = _op_classes(module)
    body = _tree(module).body
    public = [
        (k, node)
        for k, node in enumerate(body)
        if isinstance(node, ast.ClassDef | ast.FunctionDef) and not node.name.startswith("_")
    ]
    for (_, node), (_, following) in zip(public, public[1:] + [(None, None)], strict=True):
        if not isinstance(node, ast.ClassDef) or node.name not in ops:
            continue
        assert isinstance(following, ast.FunctionDef), f"{node.name}: no wrapper below it"
        calls = {
            n.func.id
            for n in ast.walk(following)
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
        }
        assert node.name in calls, (
            f"{module.__name__}: {following.name}() under {node.name} does not call it"
        )


@pytest.mark.parametrize("module", MODULES, ids=IDS)
def test_no_module_writes_into_another_modules_globals(module):
    for node in ast.walk(_tree(module)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id not in {"globals", "setattr"}, (
                f"{module.__name__}: {node.func.id}() at line {node.lineno}"
            )
        if isinstance(node, ast.Assign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                # an assignment to an attribute of a name that is a module (``tensor.X = ...``)
                if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name):
                    owner = vars(module).get(t.value.id)
                    assert not inspect.ismodule(owner), (
                        f"{module.__name__}: assigns {t.value.id}.{t.attr} at line {t.lineno}"
                    )


def test_the_broadcast_error_is_worded_in_one_place():
    sources = {m.__name__: inspect.getsource(m) for m in MODULES}
    holders = [name for name, src in sources.items() if "cannot be broadcast together" in src]
    assert holders == ["nnlab.autograd.function"]
    a, b = nnlab.tensor(np.ones((2, 3))), nnlab.tensor(np.ones(4))
    with pytest.raises(ValueError, match=r"where: shapes \(2, 3\) and \(2, 3\) and \(4,\) cannot"):
        nnlab.where(a > 0, a, b)
    with pytest.raises(ValueError, match=r"where: shapes \(5,\) and \(2, 3\) and \(2, 3\) cannot"):
        nnlab.where(np.ones(5, bool), a, a)


def test_fresh_grads_is_documented_as_an_optional_speed_up():
    doc = inspect.getdoc(Function)
    assert "``fresh_grads`` (default False): an optional speed-up" in doc
    assert "False is never wrong" in doc
