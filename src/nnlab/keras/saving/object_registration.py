"""The registry of custom objects: how a saved model finds the user's classes and functions.

A file names every object by ``class_name`` and, for custom ones, a ``registered_name``
``"package>name"``. Loading looks a name up, in this order, in: the innermost
``custom_object_scope({...})`` active now, the global registry filled by
``@register_keras_serializable(package, name)``, the ``custom_objects=`` given to the call,
then the library's own objects (Keras 3's order)::

    @keras.saving.register_keras_serializable(package="MyLayers")
    class Scale(keras.layers.Layer):
        ...                                   # registered as "MyLayers>Scale"

    with keras.saving.custom_object_scope({"my_loss": my_loss}):
        model = keras.models.load_model("model.keras")

nnlab never imports a module a file names: a custom object is found only when the program that
loads the file has registered or passed it.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable
from typing import Any

__all__ = [
    "CustomObjectScope",
    "custom_object_scope",
    "get_custom_objects",
    "get_registered_name",
    "get_registered_object",
    "lookup",
    "scope_objects",
    "register_keras_serializable",
]

GLOBAL_CUSTOM_OBJECTS: dict[str, Any] = {}  # "package>name" -> class or function
GLOBAL_CUSTOM_NAMES: dict[Any, str] = {}  # class or function -> "package>name"


class _Scope(threading.local):
    def __init__(self) -> None:
        self.objects: dict[str, Any] = {}


_SCOPE = _Scope()


class CustomObjectScope:
    """``with CustomObjectScope({"name": obj}):`` makes ``obj`` findable by ``name`` while
    deserializing (the scope's dict replaces the enclosing one, as in Keras)."""

    def __init__(self, custom_objects: dict[str, Any] | None = None) -> None:
        if custom_objects is not None and not isinstance(custom_objects, dict):
            raise TypeError(
                f"custom_object_scope: expected a dict of name -> object, got "
                f"{type(custom_objects).__name__}"
            )
        self.custom_objects = dict(custom_objects or {})
        self.backup: dict[str, Any] | None = None

    def __enter__(self) -> CustomObjectScope:
        self.backup = _SCOPE.objects
        _SCOPE.objects = dict(self.custom_objects)
        return self

    def __exit__(self, *exc: Any) -> None:
        _SCOPE.objects = self.backup or {}


custom_object_scope = CustomObjectScope


def scope_objects() -> dict[str, Any]:
    """A copy of the objects of the innermost active ``custom_object_scope`` (empty if none)."""
    return dict(_SCOPE.objects)


def get_custom_objects() -> dict[str, Any]:
    """The live global registry (``"package>name"`` -> object); adding to it registers."""
    return GLOBAL_CUSTOM_OBJECTS


def register_keras_serializable(
    package: str = "Custom", name: str | None = None
) -> Callable[[Any], Any]:
    """A decorator registering a class (it must have ``get_config``) or a function under
    ``"package>name"`` (``name`` defaults to its ``__name__``); returns it unchanged."""
    if not isinstance(package, str) or (name is not None and not isinstance(name, str)):
        raise TypeError(
            f"register_keras_serializable: package and name must be strings, got {package!r}, "
            f"{name!r}"
        )

    def decorator(arg: Any) -> Any:
        class_name = name if name is not None else arg.__name__
        registered_name = f"{package}>{class_name}"
        if inspect.isclass(arg) and not hasattr(arg, "get_config"):
            raise ValueError("Cannot register a class that does not have a get_config() method.")
        GLOBAL_CUSTOM_OBJECTS[registered_name] = arg
        GLOBAL_CUSTOM_NAMES[arg] = registered_name
        return arg

    return decorator


def get_registered_name(obj: Any) -> str:
    """The name ``obj`` is registered under, or its ``__name__`` when it is not registered."""
    try:
        found = GLOBAL_CUSTOM_NAMES.get(obj)
    except TypeError:  # an unhashable object is never registered
        found = None
    return found if found is not None else obj.__name__


def get_registered_object(
    name: str,
    custom_objects: dict[str, Any] | None = None,
    module_objects: dict[str, Any] | None = None,
) -> Any:
    """The object for ``name``: from the active scope, the registry, ``custom_objects``, then
    ``module_objects``; None when none has it."""
    if name in _SCOPE.objects:
        return _SCOPE.objects[name]
    if name in GLOBAL_CUSTOM_OBJECTS:
        return GLOBAL_CUSTOM_OBJECTS[name]
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    if module_objects and name in module_objects:
        return module_objects[name]
    return None


def lookup(
    class_name: Any, registered_name: Any = None, custom_objects: dict[str, Any] | None = None
) -> Any:
    """A custom object a file names: by its ``registered_name`` ("package>name"), then by its
    ``class_name`` (see :func:`get_registered_object`); None when none is known."""
    for key in (registered_name, class_name):
        if isinstance(key, str):
            found = get_registered_object(key, custom_objects)
            if found is not None:
                return found
    return None
