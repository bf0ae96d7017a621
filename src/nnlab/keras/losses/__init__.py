"""Keras losses (see the submodules)."""

from ._legacy_tmp import *  # noqa: F403
from ._legacy_tmp import _LOSSES, FunctionLoss, __all__  # noqa: F401
from .loss import squeeze_or_expand_to_same_rank  # noqa: F401
