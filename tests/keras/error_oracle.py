"""Run the same bad call with Keras 3 and with nnlab.keras and compare the exceptions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from .keras_oracle import keras, nk


def raised(fn: Callable[[], Any]) -> BaseException:
    with pytest.raises(Exception) as info:
        fn()
    return info.value


def assert_same_error(make: Callable[[Any], Any], *, exact: bool = True) -> BaseException:
    """``make(lib)`` raises with both libraries: same exception type and, with ``exact``, the
    same message (else nnlab's message starts with Keras's first sentence)."""
    theirs, ours = raised(lambda: make(keras)), raised(lambda: make(nk))
    assert type(ours).__name__ == type(theirs).__name__, (ours, theirs)
    if exact:
        assert str(ours) == str(theirs)
    else:
        first = str(theirs).split(". ")[0]
        assert str(ours).startswith(first), (str(ours), str(theirs))
    return ours
