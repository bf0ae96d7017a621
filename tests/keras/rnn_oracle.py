"""The recurrent layers' comparison with Keras 3 (torch backend): outputs, returned states and
gradients (wrt the input, the initial states and the weights) of the same layer in both."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

import nnlab

RNG = np.random.default_rng(0)
TOL = dict(rtol=1e-4, atol=1e-5)


def as_list(y: Any) -> list[Any]:
    """The outputs as a flat list (a stacked RNN returns one list of states per cell)."""
    if isinstance(y, list | tuple):
        return [t for item in y for t in as_list(item)]
    return [y]


def compare(theirs, ours, x, call_kwargs=None, states=None, mask=None):
    """Outputs (with states) and the gradients of L = Σ_k Σ out_k ⊙ g_k wrt the input, the
    initial states and the weights, in both libraries."""
    call_kwargs = dict(call_kwargs or {})
    xk = torch.tensor(x, requires_grad=True)
    sk = [torch.tensor(s, requires_grad=True) for s in states] if states is not None else None
    kw_k = dict(call_kwargs)
    if sk is not None:
        kw_k["initial_state"] = sk
    if mask is not None:
        kw_k["mask"] = torch.tensor(mask)
    out_k = as_list(theirs(xk, **kw_k))
    gs = [RNG.normal(size=tuple(o.shape)).astype(np.float32) for o in out_k]
    sum(((o * torch.tensor(g)).sum() for o, g in zip(out_k, gs, strict=True))).backward()

    xn = nnlab.tensor(x, requires_grad=True)
    sn = [nnlab.tensor(s, requires_grad=True) for s in states] if states is not None else None
    kw_n = dict(call_kwargs)
    if sn is not None:
        kw_n["initial_state"] = sn
    if mask is not None:
        kw_n["mask"] = mask
    out_n = as_list(ours(xn, **kw_n))
    assert len(out_n) == len(out_k)
    total = None
    for o, g in zip(out_n, gs, strict=True):
        term = (o * nnlab.tensor(g)).sum()
        total = term if total is None else total + term
    total.backward()
    for a, b in zip(out_n, out_k, strict=True):
        np.testing.assert_allclose(a.numpy(), b.detach().numpy(), **TOL)
    np.testing.assert_allclose(np.asarray(xn.grad), xk.grad.numpy(), **TOL)
    if sn is not None:
        for a, b in zip(sn, sk, strict=True):
            np.testing.assert_allclose(np.asarray(a.grad), b.grad.numpy(), **TOL)
    for wn, wk in zip(ours.trainable_weights, theirs.trainable_weights, strict=True):
        np.testing.assert_allclose(np.asarray(wn.grad), wk.value.grad.numpy(), **TOL)
    return out_n
