"""Run the same bad call with Keras 3 and with nnlab.keras and compare the exceptions."""

from __future__ import annotations

import re
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
    mine, keras_text = _unnamed(str(ours)), _unnamed(str(theirs))
    if exact:
        assert mine == keras_text
    else:
        first = keras_text.split(". ")[0]
        assert mine.startswith(first), (mine, keras_text)
    return ours


def _unnamed(message: str) -> str:
    """The message with automatic layer names ('dense_3') replaced: the two libraries count
    their layers separately."""
    return re.sub(r"layer '[a-z0-9_]+'", "layer '<name>'", message)
