"""Attention layers: ``MultiHeadAttention``, ``Attention`` (dot-product, Luong) and
``AdditiveAttention`` (Bahdanau), with Keras 3's arguments, weight layouts and masks.

For a query sequence Q (T steps) attending over a value sequence V (S steps) with keys K
(default: V), each output step is a weighted mean of the value steps,

    out_t = Σ_s a_ts v_s,     a_t = softmax_s(score(q_t, k_s)),

where masked pairs (t, s) get score -10⁹ (weight ≈ 0). Masks, all booleans with True = attend:
``attention_mask`` (B, T, S); the value's padding mask (B, S) and the query's (B, T) (given, or
carried by the tensors: ``Embedding(mask_zero=True)``, ``Masking``); ``use_causal_mask=True``
allows step t to see steps s ≤ t only (a decoder).

``MultiHeadAttention(num_heads, key_dim)``: N heads, each with its own projections
q = x_q W_q + b_q, k = x_k W_k + b_k, v = x_v W_v + b_v (kernels of shape (dim, N, key_dim),
as Keras's), score(q, k) = q·k / √key_dim; the heads' outputs are projected back by
W_o (N, value_dim, out_dim) + b_o (out_dim defaults to the query's last axis).
``Attention``: score = q·k (× a learned scalar with ``use_scale``), or with ``score_mode='concat'``
score = c·Σ tanh(q + k). ``AdditiveAttention``: score = Σ_d w_d tanh(q_d + k_d).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from nnlab.autograd import Tensor, where

from ..utils import get_keras_mask, new_rng, set_keras_mask
from .base import Layer, to_tensor
from .core import _constraint, _initializer, _reg, _serialize
from .input_layer import KerasTensor

__all__ = ["AdditiveAttention", "Attention", "MultiHeadAttention"]

_NEG = np.float32(-1e9)


def _bool(mask: Any) -> np.ndarray:
    """A mask (booleans, or numbers: > 0.5 is kept) as a boolean array."""
    data = mask.data if isinstance(mask, Tensor) else np.asarray(mask)
    return data > 0.5 if data.dtype != bool else data


def _causal(t: int, s: int) -> np.ndarray:
    """(1, T, S): True where s ≤ t."""
    return (np.arange(t)[:, None] >= np.arange(s)[None, :])[None]


def _masked_softmax(scores: Tensor, mask: np.ndarray | None, zero_masked: bool = True) -> Tensor:
    """softmax over the last axis with masked entries set to -10⁹ first and, with
    ``zero_masked``, to 0 after (a fully masked row then gives zeros, as Keras 3's Softmax
    layer; without it the row's weights are uniform, as Keras's fused attention kernel)."""
    if mask is None:
        return scores.softmax(axis=-1)
    full = np.broadcast_to(mask, scores.shape)
    probs = where(full, scores, _NEG).softmax(axis=-1)
    return where(full, probs, np.float32(0.0)) if zero_masked else probs


def _dropout(x: Tensor, rate: float, rng: np.random.Generator) -> Tensor:
    keep = rng.random(x.shape) >= rate
    return x * (keep * np.float32(1 / (1 - rate))).astype(np.float32)


def _check_positive(value: Any, arg: str, allow_none: bool = False) -> None:
    if value is None and allow_none:
        return
    if not isinstance(value, int | np.integer) or isinstance(value, bool) or value <= 0:
        extra = " or `None`" if allow_none else ""
        raise ValueError(
            f"Received an invalid value for argument `{arg}`, expected a positive integer"
            f"{extra}. Received: {arg}={value}"
        )


class MultiHeadAttention(Layer):
    """Multi-head attention (Vaswani et al.): see the module docstring.

    Call: ``layer(query, value, key=None, query_mask=None, value_mask=None, key_mask=None,
    attention_mask=None, return_attention_scores=False, training=None, use_causal_mask=False)``
    with query (B, T, dim_q), value (B, S, dim_v), key (B, S, dim_k) (inputs of higher rank
    attend over all their middle axes together); returns (B, T, out_dim), and the attention
    weights (B, N, T, S) too with ``return_attention_scores``.
    """

    def __init__(
        self,
        num_heads: int,
        key_dim: int,
        value_dim: int | None = None,
        dropout: float = 0.0,
        use_bias: bool = True,
        output_shape: Any = None,
        attention_axes: Any = None,
        flash_attention: Any = None,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        kernel_constraint: Any = None,
        bias_constraint: Any = None,
        seed: int | None = None,
        sliding_window: Any = None,
        use_gate: bool = False,
        **kwargs: Any,
    ) -> None:
        _check_positive(num_heads, "num_heads")
        _check_positive(key_dim, "key_dim")
        _check_positive(value_dim, "value_dim", allow_none=True)
        if sliding_window is not None or use_gate:
            raise ValueError(
                "MultiHeadAttention: sliding_window and use_gate are not supported by nnlab"
            )
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.supports_masking = True
        self.num_heads, self.key_dim = int(num_heads), int(key_dim)
        self.value_dim = int(value_dim) if value_dim else self.key_dim
        self.dropout, self.use_bias, self.seed = float(dropout), bool(use_bias), seed
        if output_shape:
            if isinstance(output_shape, int):
                output_shape = (output_shape,)
            try:
                output_shape = tuple(output_shape)
            except TypeError:
                raise ValueError(
                    f"Invalid `output_shape`: {output_shape}. When specified, the `output_shape` "
                    "should be of type tuple, list, or int."
                ) from None
        self._output_shape = output_shape or None
        if isinstance(attention_axes, int):
            attention_axes = (attention_axes,)
        elif attention_axes and not isinstance(attention_axes, list | tuple):
            raise ValueError(
                "`attention_axes` must be an int, list, or tuple."
                f"Received: attention_axes={attention_axes}"
            )
        self.attention_axes = None if attention_axes is None else tuple(attention_axes)
        self.kernel_initializer = _initializer(kernel_initializer, "MultiHeadAttention")
        self.bias_initializer = _initializer(bias_initializer, "MultiHeadAttention")
        self.kernel_regularizer = _reg(kernel_regularizer, "MultiHeadAttention")
        self.bias_regularizer = _reg(bias_regularizer, "MultiHeadAttention")
        self.kernel_constraint = _constraint(kernel_constraint, "kernel_constraint")
        self.bias_constraint = _constraint(bias_constraint, "bias_constraint")
        if seed is not None:
            self._rng = new_rng(seed)
        self._weights_made = False
        self._output_kernel: Any = None  # and the other projections': set by build
        self._output_bias: Any = None

    # ------------------------------------------------------------------ weights
    def _proj(self, name: str, shape: tuple[int, ...], bias_shape: tuple[int, ...]) -> None:
        kernel = self.add_weight(
            shape,
            self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
            name=f"{name}_kernel",
        )
        bias = None
        if self.use_bias:
            bias = self.add_weight(
                bias_shape,
                self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
                name=f"{name}_bias",
            )
        setattr(self, f"_{name}_kernel", kernel)
        setattr(self, f"_{name}_bias", bias)

    def build(self, query_shape: Any, value_shape: Any = None, key_shape: Any = None) -> None:
        """Create the four projections (query, key, value, output: Keras's weight order)."""
        if value_shape is None:  # the base class builds from the query alone: wait for call
            return
        key_shape = value_shape if key_shape is None else key_shape
        if tuple(value_shape[1:-1]) != tuple(key_shape[1:-1]):
            raise ValueError(
                "All dimensions of `value` and `key`, except the last one, must be equal. "
                f"Received: value_shape={value_shape} and key_shape={key_shape}"
            )
        self._check_axes(len(query_shape))
        n, k, v = self.num_heads, self.key_dim, self.value_dim
        out = self._output_shape or (query_shape[-1],)
        self._proj("query", (query_shape[-1], n, k), (n, k))
        self._proj("key", (key_shape[-1], n, k), (n, k))
        self._proj("value", (value_shape[-1], n, v), (n, v))
        self._proj("output", (n, v, *out), tuple(out))
        self._weights_made = True
        self.built = True

    def _check_axes(self, rank: int) -> None:
        default = tuple(range(1, rank - 1))
        if self.attention_axes is None:  # Keras records the default in build
            self.attention_axes = default
        else:
            axes = tuple(a % rank for a in self.attention_axes)
            if axes != default:
                raise ValueError(
                    f"MultiHeadAttention: attention_axes={self.attention_axes} is not supported "
                    f"by nnlab for inputs of rank {rank} (only all the middle axes, {default})"
                )

    # ------------------------------------------------------------------ calling
    def __call__(  # type: ignore[override]
        self, query: Any, value: Any = None, key: Any = None, **kwargs: Any
    ) -> Any:
        if value is None:
            raise ValueError("MultiHeadAttention needs a query and a value: layer(query, value)")
        symbolic = any(isinstance(t, KerasTensor) for t in (query, value, key))
        if not symbolic:
            query, value = to_tensor(query), to_tensor(value)
            key = None if key is None else to_tensor(key)
        if not self._weights_made:
            self.build(
                tuple(query.shape), tuple(value.shape), None if key is None else tuple(key.shape)
            )
        if key is not None:
            kwargs["key"] = key
        return super().__call__(query, value, **kwargs)

    def _project(self, x: Tensor, name: str, heads_dim: int) -> Tensor:
        """(B, L, dim) -> (B, N, L, heads_dim)."""
        kernel = getattr(self, f"_{name}_kernel")
        bias = getattr(self, f"_{name}_bias")
        b, length, dim = x.shape
        y = x.reshape(b * length, dim) @ kernel.reshape(dim, self.num_heads * heads_dim)
        if bias is not None:
            y = y + bias.reshape(self.num_heads * heads_dim)
        return y.reshape(b, length, self.num_heads, heads_dim).transpose(0, 2, 1, 3)

    def call(  # type: ignore[override]
        self,
        query: Tensor,
        value: Tensor,
        key: Tensor | None = None,
        query_mask: Any = None,
        value_mask: Any = None,
        key_mask: Any = None,
        attention_mask: Any = None,
        return_attention_scores: bool = False,
        training: bool | None = None,
        use_causal_mask: bool = False,
    ) -> Any:
        if key is None:
            key = value
        if query_mask is None:
            query_mask = get_keras_mask(query)
        if value_mask is None:
            value_mask = get_keras_mask(value)
        if key_mask is None and key is not value:
            key_mask = get_keras_mask(key)
        batch, t_dims, s_dims = query.shape[0], query.shape[1:-1], value.shape[1:-1]
        t, s = math.prod(t_dims), math.prod(s_dims)
        mask = self._attention_mask(
            batch, t, s, query_mask, value_mask, key_mask, attention_mask, use_causal_mask
        )
        q = self._project(query.reshape(batch, t, query.shape[-1]), "query", self.key_dim)
        k = self._project(key.reshape(batch, s, key.shape[-1]), "key", self.key_dim)
        v = self._project(value.reshape(batch, s, value.shape[-1]), "value", self.value_dim)
        scores = (q * np.float32(1.0 / math.sqrt(self.key_dim))) @ k.transpose(0, 1, 3, 2)
        # Keras 3 runs its fused kernel unless it needs the weights (dropout, returned scores,
        # several attention axes); the two differ only on fully masked query steps
        fused = not (self.dropout > 0 or return_attention_scores or query.ndim != 3)
        probs = _masked_softmax(scores, None if mask is None else mask[:, None], not fused)
        weights = probs
        if training and self.dropout > 0:
            weights = _dropout(probs, self.dropout, self.rng)
        heads = (weights @ v).transpose(0, 2, 1, 3)  # (B, T, N, value_dim)
        kernel, bias = self._output_kernel, self._output_bias
        out_dims = tuple(kernel.shape[2:])
        width = self.num_heads * self.value_dim
        out = heads.reshape(batch * t, width) @ kernel.reshape(width, math.prod(out_dims))
        if bias is not None:
            out = out + bias.reshape(math.prod(out_dims))
        out = out.reshape(batch, *t_dims, *out_dims)
        if query_mask is not None:
            set_keras_mask(out, _bool(query_mask))
        if return_attention_scores:
            return out, probs.reshape(batch, self.num_heads, *t_dims, *s_dims)
        return out

    @staticmethod
    def _attention_mask(
        batch: int,
        t: int,
        s: int,
        query_mask: Any,
        value_mask: Any,
        key_mask: Any,
        attention_mask: Any,
        use_causal_mask: bool,
    ) -> np.ndarray | None:
        """The (B or 1, T, S) boolean mask from all the masks given (their logical and)."""
        parts = []
        if query_mask is not None:
            parts.append(_bool(query_mask).reshape(batch, t, 1))
        for m in (value_mask, key_mask):
            if m is not None:
                parts.append(_bool(m).reshape(batch, 1, s))
        if use_causal_mask:
            parts.append(_causal(t, s))
        if attention_mask is not None:
            parts.append(_bool(attention_mask).reshape(-1, t, s))
        if not parts:
            return None
        return np.logical_and.reduce(np.broadcast_arrays(*parts))

    def compute_output_shape(
        self, query_shape: Any, value_shape: Any = None, key_shape: Any = None
    ) -> tuple[Any, ...]:
        out = self._output_shape or (query_shape[-1],)
        return (*tuple(query_shape)[:-1], *out)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "num_heads": self.num_heads,
            "key_dim": self.key_dim,
            "value_dim": self.value_dim,
            "dropout": self.dropout,
            "use_bias": self.use_bias,
            "use_gate": False,
            "output_shape": self._output_shape,
            "attention_axes": self.attention_axes,
            "sliding_window": None,
            "kernel_initializer": _serialize(self.kernel_initializer),
            "bias_initializer": _serialize(self.bias_initializer),
            "kernel_regularizer": _serialize(self.kernel_regularizer),
            "bias_regularizer": _serialize(self.bias_regularizer),
            "activity_regularizer": _serialize(self.activity_regularizer),
            "kernel_constraint": _serialize(self.kernel_constraint),
            "bias_constraint": _serialize(self.bias_constraint),
            "seed": self.seed,
        }


class _BaseDenseAttention(Layer):
    """``Attention`` and ``AdditiveAttention``: ``call([query, value(, key)], mask=[query_mask,
    value_mask])``; the scores come from ``_scores(q, k)``."""

    def __init__(self, dropout: float = 0.0, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.dropout, self.seed = float(dropout), seed
        self.supports_masking = True
        if seed is not None:
            self._rng = new_rng(seed)

    def _validate(self, inputs: Any, mask: Any = None) -> None:
        name = type(self).__name__
        if not isinstance(inputs, list):
            raise ValueError(
                f"{name} layer must be called on a list of inputs, namely [query, value] or "
                f"[query, value, key]. Received: inputs={inputs}."
            )
        if len(inputs) < 2 or len(inputs) > 3:
            raise ValueError(
                f"{name} layer accepts inputs list of length 2 or 3, namely [query, value] or "
                f"[query, value, key]. Received length: {len(inputs)}."
            )
        if mask is not None:
            if not isinstance(mask, list):
                raise ValueError(
                    f"{name} layer mask must be a list, namely [query_mask, value_mask]. "
                    f"Received: mask={mask}."
                )
            if len(mask) < 2 or len(mask) > 3:
                raise ValueError(
                    f"{name} layer accepts mask list of length 2 or 3. Received: inputs={inputs}, "
                    f"mask={mask}."
                )

    def build(self, input_shape: Any) -> None:
        self._validate(input_shape)
        self.built = True

    def _scores(self, q: Tensor, k: Tensor) -> Tensor:
        raise NotImplementedError

    def call(  # type: ignore[override]
        self,
        inputs: Any,
        mask: Any = None,
        training: bool | None = None,
        return_attention_scores: bool = False,
        use_causal_mask: bool = False,
    ) -> Any:
        self._validate(inputs, mask)
        q, v = inputs[0], inputs[1]
        k = inputs[2] if len(inputs) > 2 else v
        if mask is None:
            carried = [get_keras_mask(q), get_keras_mask(v)]
            mask = carried if any(m is not None for m in carried) else None
        q_mask = _bool(mask[0]) if mask and mask[0] is not None else None
        v_mask = _bool(mask[1]) if mask and mask[1] is not None else None
        scores = self._scores(q, k)  # (B, T, S)
        keep = None if v_mask is None else v_mask[..., None, :]
        if use_causal_mask:
            causal = _causal(scores.shape[-2], scores.shape[-1])
            keep = causal if keep is None else keep & causal
        if keep is not None:  # Keras: masked scores lowered by 10⁹
            scores = where(np.broadcast_to(keep, scores.shape), scores, scores - np.float32(1e9))
        weights = scores.softmax(axis=-1)
        used = weights
        if training and self.dropout > 0:
            used = _dropout(weights, self.dropout, self.rng)
        out = used @ v
        if q_mask is not None:
            out = where(np.broadcast_to(q_mask[..., None], out.shape), out, np.float32(0.0))
            set_keras_mask(out, q_mask)
        if return_attention_scores:
            return out, weights
        return out

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        if mask is None or mask[0] is None:
            return None
        return _bool(mask[0])

    def compute_output_shape(self, input_shape: Any) -> tuple[Any, ...]:
        return (*tuple(input_shape[0])[:-1], input_shape[1][-1])

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "dropout": self.dropout, "seed": self.seed}


class Attention(_BaseDenseAttention):
    """Dot-product (Luong) attention: score = q·k (times a learned scalar ``scale`` with
    ``use_scale``); ``score_mode='concat'``: score = c·Σ_d tanh(scale·(q_d + k_d))."""

    def __init__(
        self,
        use_scale: bool = False,
        score_mode: str = "dot",
        dropout: float = 0.0,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(dropout=dropout, seed=seed, **kwargs)
        if score_mode not in ("dot", "concat"):
            raise ValueError(
                "Invalid value for argument score_mode. Expected one of {'dot', 'concat'}. "
                f"Received: score_mode={score_mode}"
            )
        self.use_scale, self.score_mode = bool(use_scale), score_mode
        self.scale: Tensor | None = None
        self.concat_score_weight: Tensor | None = None

    def build(self, input_shape: Any) -> None:
        self._validate(input_shape)
        if self.use_scale:
            self.scale = self.add_weight((), "ones", name="scale")
        if self.score_mode == "concat":
            self.concat_score_weight = self.add_weight((), "ones", name="concat_score_weight")
        self.built = True

    def _scores(self, q: Tensor, k: Tensor) -> Tensor:
        if self.score_mode == "dot":
            scores = q @ k.transpose(*range(k.ndim - 2), k.ndim - 1, k.ndim - 2)
            return scores * self.scale if self.scale is not None else scores
        b, t, d = q.shape
        pair = q.reshape(b, t, 1, d) + k.reshape(b, 1, k.shape[1], d)
        if self.scale is not None:
            pair = pair * self.scale
        assert self.concat_score_weight is not None
        return pair.tanh().sum(axis=-1) * self.concat_score_weight

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "use_scale": self.use_scale, "score_mode": self.score_mode}


class AdditiveAttention(_BaseDenseAttention):
    """Additive (Bahdanau) attention: score = Σ_d w_d tanh(q_d + k_d), w learned (ones at
    first) with ``use_scale`` (default), else w = 1."""

    def __init__(
        self, use_scale: bool = True, dropout: float = 0.0, seed: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(dropout=dropout, seed=seed, **kwargs)
        self.use_scale = bool(use_scale)
        self.scale: Tensor | None = None

    def build(self, input_shape: Any) -> None:
        self._validate(input_shape)
        if self.use_scale:
            self.scale = self.add_weight((input_shape[1][-1],), "glorot_uniform", name="scale")
        self.built = True

    def _scores(self, q: Tensor, k: Tensor) -> Tensor:
        b, t, d = q.shape
        pair = (q.reshape(b, t, 1, d) + k.reshape(b, 1, k.shape[1], d)).tanh()
        if self.scale is not None:
            pair = pair * self.scale
        return pair.sum(axis=-1)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "use_scale": self.use_scale}
