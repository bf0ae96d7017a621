"""``check_op``: one op's value and gradients in nnlab vs PyTorch, in float64."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch

import nnlab


def check_op(
    shapes: Sequence[tuple[int, ...]],
    torch_fn: Callable[..., torch.Tensor],
    nnlab_fn: Callable[..., nnlab.Tensor],
    *,
    seed: int = 0,
    positive: bool = False,
    arrays: Sequence[np.ndarray] | None = None,
    rtol: float = 1e-10,
    atol: float = 1e-12,
    grad_rtol: float = 1e-9,
) -> None:
    """Run both functions on the same random float64 inputs (or on ``arrays``); compare outputs
    and the gradients of Σ r ⊙ output (r random) with respect to every input. NaN matches NaN."""
    rng = np.random.default_rng(seed)
    if arrays is None:
        arrays = [rng.standard_normal(s) for s in shapes]
        if positive:
            arrays = [np.abs(a) + 0.5 for a in arrays]
    ours = [nnlab.tensor(a.copy(), requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a.copy(), requires_grad=True) for a in arrays]
    out = nnlab_fn(*ours)
    ref = torch_fn(*theirs)
    assert type(out.data) is np.ndarray, f"output data is a {type(out.data).__name__}"
    assert out.dtype == np.float64, f"output dtype {out.dtype}, expected float64"
    assert out.shape == tuple(ref.shape), f"shape {out.shape} vs torch {tuple(ref.shape)}"
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=rtol, atol=atol)
    proj = rng.standard_normal(out.shape)
    (out * nnlab.tensor(proj)).sum().backward()
    (ref * torch.tensor(proj)).sum().backward()
    for k, (a, b) in enumerate(zip(ours, theirs, strict=True)):
        expected: Any = b.grad
        if expected is None:
            assert a.grad is None or not np.any(a.grad), f"input {k}: torch has no gradient"
            continue
        assert type(a.grad) is np.ndarray, f"input {k}: gradient {a.grad!r} is not an ndarray"
        assert a.grad.shape == a.shape, f"input {k}: grad shape {a.grad.shape} != {a.shape}"
        np.testing.assert_allclose(
            a.grad, expected.numpy(), rtol=grad_rtol, atol=1e-11, err_msg=f"gradient of input {k}"
        )
