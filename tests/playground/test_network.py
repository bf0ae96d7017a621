"""The playground's network: one training step against PyTorch, and the regularization rules."""

from __future__ import annotations

import numpy as np
import pytest

from nnlab.playground.network import PlaygroundNet, feature_matrix

torch = pytest.importorskip("torch")


def make(output: str, shape=(3, 2), acts=("tanh", "relu")) -> PlaygroundNet:
    return PlaygroundNet(2, list(shape), list(acts), output, np.random.default_rng(0))


def torch_step(net: PlaygroundNet, x: np.ndarray, y: np.ndarray, lr: float, output: str):
    params = []
    for w, b in net.get_weights():
        params += [torch.tensor(w, requires_grad=True), torch.tensor(b, requires_grad=True)]
    h = torch.tensor(x)
    for i in range(0, len(params), 2):
        h = torch.nn.functional.linear(h, params[i], params[i + 1])
        if i + 2 < len(params):
            h = torch.tanh(h) if net.activations[i // 2] == "tanh" else torch.relu(h)
    z, t = h[:, 0], torch.tensor(y)
    if output == "logit":
        loss = torch.nn.functional.binary_cross_entropy_with_logits(z, (t + 1) / 2)
    else:
        out = torch.tanh(z) if output == "tanh" else z
        loss = 0.5 * ((out - t) ** 2).mean()
    loss.backward()
    return [(p - lr * p.grad).detach().numpy() for p in params]


@pytest.mark.parametrize("output", ["tanh", "logit", "linear"])
def test_one_step_matches_pytorch(output: str) -> None:
    rng = np.random.default_rng(1)
    x = rng.uniform(-6, 6, (10, 2)).astype(np.float32)
    y = np.sign(rng.standard_normal(10)).astype(np.float32)
    net = make(output)
    expected = torch_step(net, x, y, 0.1, output)
    net.train_batch(x, y, 0.1)
    got = [a for pair in net.get_weights() for a in pair]
    for g, e in zip(got, expected, strict=True):
        np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-6)


def test_l2_shrinks_weights_after_the_step_and_spares_biases() -> None:
    net = make("tanh")
    before = net.get_weights()
    net.train_batch(np.zeros((1, 2), np.float32), np.zeros(1, np.float32), 0.0, "L2", 0.5)
    for (w0, b0), (w1, b1) in zip(before, net.get_weights(), strict=True):
        np.testing.assert_allclose(w1, w0)  # lr 0: no step at all
        np.testing.assert_array_equal(b1, b0)
    x, y = np.ones((1, 2), np.float32), np.ones(1, np.float32)
    ref = make("tanh")
    ref.train_batch(x, y, 0.1)
    net.train_batch(x, y, 0.1, "L2", 0.5)
    for (w_ref, b_ref), (w, b) in zip(ref.get_weights(), net.get_weights(), strict=True):
        np.testing.assert_allclose(w, w_ref - 0.1 * 0.5 * w_ref, rtol=1e-6)
        np.testing.assert_allclose(b, b_ref, rtol=1e-6)


def test_l1_weights_that_cross_zero_die() -> None:
    net = make("tanh", shape=(2,), acts=("tanh",))
    net.weights[0].data[...] = [[0.001, 0.5], [-0.002, -0.5]]
    x, y = np.zeros((1, 2), np.float32), np.zeros(1, np.float32)  # zero input: no weight gradient
    net.train_batch(x, y, 0.1, "L1", 0.1)  # step 0.01 > |0.001|, |0.002|
    w = net.weights[0].data
    np.testing.assert_allclose(w, [[0.0, 0.49], [0.0, -0.49]], atol=1e-7)
    assert net.dead[0].tolist() == [[True, False], [True, False]]
    net.train_batch(np.ones((1, 2), np.float32), np.ones(1, np.float32), 1.0)
    assert net.weights[0].data[0, 0] == 0.0 and net.weights[0].data[1, 0] == 0.0


def test_features() -> None:
    pts = np.array([[1.0, 2.0]], np.float32)
    names = ["x", "y", "xSquared", "ySquared", "xTimesY", "sinX", "sinY"]
    np.testing.assert_allclose(
        feature_matrix(pts, names)[0], [1, 2, 1, 4, 2, np.sin(1), np.sin(2)], rtol=1e-6
    )
