"""Module and Parameter: discovery, modes, gradients, state_dict round trips."""

from __future__ import annotations

import numpy as np
import pytest

import nnlab
from nnlab import nn


class Block(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.scale = nn.Parameter(np.ones(3))
        self.inner = nn.Linear(3, 2, rng=0)


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.first = nn.Linear(4, 3, rng=1)
        self.stack = [Block(), nn.ReLU(), Block()]
        self.heads = {"a": nn.Linear(2, 1, rng=2), "b": nn.Parameter(np.zeros(2))}
        self.pair = (nn.Parameter(np.ones(1)), nn.Dropout(0.3, rng=0))
        self.not_a_param = np.ones(5)  # a plain array is not trainable
        self.shared = self.first.weight  # listed once only

    def forward(self, x: nnlab.Tensor) -> nnlab.Tensor:
        return self.first(x)


def test_parameters_found_through_lists_dicts_tuples_and_nesting() -> None:
    names = [name for name, _ in Net().named_parameters()]
    assert names == [
        "first.weight", "first.bias",
        "stack.0.scale", "stack.0.inner.weight", "stack.0.inner.bias",
        "stack.2.scale", "stack.2.inner.weight", "stack.2.inner.bias",
        "heads.a.weight", "heads.a.bias", "heads.b",
        "pair.0",
    ]  # fmt: skip


def test_order_is_deterministic_and_matches_parameters() -> None:
    net = Net()
    assert [n for n, _ in net.named_parameters()] == [n for n, _ in Net().named_parameters()]
    assert [id(p) for p in net.parameters()] == [id(p) for _, p in net.named_parameters()]
    assert net.num_parameters() == sum(p.data.size for p in net.parameters())


def test_parameter_list_follows_attribute_changes() -> None:
    net = Net()
    before = len(net.parameters())
    net.extra = nn.Linear(2, 2)
    assert len(net.parameters()) == before + 2
    net.stack.append(nn.Linear(1, 1))
    assert len(net.parameters()) == before + 4
    del net.extra
    assert len(net.parameters()) == before + 2


def test_modules_and_children() -> None:
    net = Net()
    mods = list(net.modules())
    assert mods[0] is net
    assert sum(isinstance(m, Block) for m in mods) == 2
    assert len(mods) == len({id(m) for m in mods})
    assert [type(c).__name__ for c in net.children()] == [
        "Linear", "Block", "ReLU", "Block", "Linear", "Dropout"
    ]  # fmt: skip


def test_train_eval_recursive() -> None:
    net = Net()
    assert all(m.training for m in net.modules())
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())


def test_zero_grad_clears_all() -> None:
    net = nn.Sequential(nn.Linear(3, 2), nn.Tanh(), nn.Linear(2, 1))
    net(nnlab.tensor(np.ones((4, 3), dtype=np.float32))).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_parameter_dtype_and_grad() -> None:
    assert nn.Parameter([1.0, 2.0]).dtype == np.float32
    assert nn.Parameter(np.array([1, 2])).dtype == np.float32
    assert nn.Parameter(np.ones(2)).dtype == np.float64
    p = nn.Parameter(np.ones(2, dtype=np.float32))
    assert p.requires_grad and p.is_leaf and isinstance(p, nnlab.Tensor)
    assert "Parameter" in repr(p)
    with pytest.raises(TypeError, match="dtype"):
        nn.Parameter(np.array(["a"]))


def test_state_dict_round_trip() -> None:
    a, b = Net(), Net()
    for p in b.parameters():
        p.data[...] = 7.0
    state = a.state_dict()
    assert list(state) == [n for n, _ in a.named_parameters()]
    b.load_state_dict(state)
    for (n, p), (m, q) in zip(a.named_parameters(), b.named_parameters(), strict=True):
        assert n == m
        np.testing.assert_array_equal(p.data, q.data)
    state["first.bias"][...] = 123.0  # a copy: the model is not changed
    assert not np.any(a.first.bias.data == 123.0)


def test_load_state_dict_keeps_arrays_and_dtype() -> None:
    net = nn.Linear(3, 2)
    w = net.weight.data
    net.load_state_dict({"weight": np.ones((2, 3)), "bias": [1.0, 2.0]})
    assert net.weight.data is w and w.dtype == np.float32
    np.testing.assert_array_equal(net.bias.data, [1.0, 2.0])


def test_load_state_dict_shape_mismatch() -> None:
    net = nn.Sequential(nn.Linear(3, 2), nn.Linear(2, 1))
    state = net.state_dict()
    state["1.weight"] = np.zeros((2, 2))
    state["0.bias"] = np.full(2, 5.0)
    with pytest.raises(ValueError, match=r"'1.weight' has shape \(2, 2\).*\(1, 2\)"):
        net.load_state_dict(state)
    assert not np.any(net[0].bias.data == 5.0)  # nothing was loaded


def test_load_state_dict_keys() -> None:
    net = nn.Linear(3, 2)
    with pytest.raises(KeyError, match="missing keys \\['bias'\\]"):
        net.load_state_dict({"weight": np.zeros((2, 3))})
    with pytest.raises(KeyError, match="unexpected keys \\['extra'\\]"):
        net.load_state_dict({**net.state_dict(), "extra": np.zeros(1)})
    net.load_state_dict({"weight": np.zeros((2, 3)), "extra": np.zeros(1)}, strict=False)
    assert not np.any(net.weight.data)


def test_forward_must_be_implemented() -> None:
    with pytest.raises(NotImplementedError, match="Block must implement forward"):
        Block()(nnlab.tensor([1.0]))


def test_cycles_do_not_recurse_forever() -> None:
    a, b = Block(), Block()
    a.other, b.other = b, a
    assert len(a.parameters()) == 6


class WithBuffers(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.scale = nn.Parameter(np.ones(2))
        self.register_buffer("count", np.zeros(2))
        self.register_buffer("unused", None)


def test_buffers_are_saved_and_restored_but_not_trained() -> None:
    net = nn.Sequential(nn.Linear(2, 2, rng=0), WithBuffers())
    assert [n for n, _ in net.named_buffers()] == ["1.count"]
    assert "1.count" not in dict(net.named_parameters())
    assert list(net.state_dict()) == ["0.weight", "0.bias", "1.scale", "1.count"]
    state = net.state_dict()
    state["1.count"] = np.array([3.0, 4.0])
    net.load_state_dict(state)
    np.testing.assert_array_equal(net[1].count, [3.0, 4.0])
    state["1.count"] = np.zeros(3)
    with pytest.raises(
        ValueError, match=r"'1.count' has shape \(3,\) in the state dict but \(2,\)"
    ):
        net.load_state_dict(state)
