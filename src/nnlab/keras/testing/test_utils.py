"""Keras 3's test helpers (``keras.src.testing.test_utils``): synthetic classification data
and named parameter products for ``absl.testing.parameterized``."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["get_test_data", "named_product"]


def get_test_data(
    train_samples: int,
    test_samples: int,
    input_shape: tuple[int, ...],
    num_classes: int,
    random_seed: int | None = None,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Balanced synthetic data: ``(x_train, y_train), (x_test, y_test)``.

    Each class c has a template drawn uniformly in [0, 2·num_classes)^input_shape; a sample is
    its class's template plus N(0, 1) noise. The train set holds ``train_samples //
    num_classes`` samples of each class, the test set the rest; both are shuffled. Drawn from
    NumPy's global generator seeded with ``random_seed``, as Keras does, so that the same seed
    gives Keras's own data.
    """
    np.random.seed(random_seed)
    total = train_samples + test_samples
    per_class = total // num_classes
    y = np.repeat(np.arange(num_classes, dtype=np.int32), per_class)
    y = np.concatenate([y, np.arange(total - len(y), dtype=np.int64) % num_classes])
    templates = 2 * num_classes * np.random.random((num_classes, *input_shape))
    x = np.zeros((total, *input_shape), dtype=np.float32)
    for i in range(total):
        x[i] = templates[y[i]] + np.random.normal(loc=0, scale=1.0, size=input_shape)
    order = np.arange(total)
    np.random.shuffle(order)
    x, y = x[order], y[order]
    train_count = int(train_samples / num_classes)
    parts: dict[str, list[Any]] = {"xtr": [], "ytr": [], "xte": [], "yte": []}
    for c in range(num_classes):
        rows = np.where(y == c)[0]
        np.random.shuffle(rows)
        parts["xtr"].extend(x[rows[:train_count]])
        parts["ytr"].extend(y[rows[:train_count]])
        parts["xte"].extend(x[rows[train_count:]])
        parts["yte"].extend(y[rows[train_count:]])
    x_train, y_train = np.array(parts["xtr"]), np.array(parts["ytr"])
    x_test, y_test = np.array(parts["xte"]), np.array(parts["yte"])
    train_order, test_order = np.arange(len(x_train)), np.arange(len(x_test))
    np.random.shuffle(train_order)
    np.random.shuffle(test_order)
    return (x_train[train_order], y_train[train_order]), (x_test[test_order], y_test[test_order])


def named_product(*args: Any, **kwargs: Any) -> list[dict[str, Any]]:
    """Every combination of the given parameter dicts (each with a ``testcase_name``) and
    keyword value lists, with the names joined by ``_``: the argument of
    ``@parameterized.named_parameters``."""

    def name_of(value: Any) -> str:
        return str(getattr(value, "__name__", value)).lower()

    groups = list(args) + [
        [{"testcase_name": name_of(v), key: v} for v in values] for key, values in kwargs.items()
    ]
    tests: list[dict[str, Any]] = [{}]
    for group in groups:
        combined = []
        for case in group:
            for test in tests:
                name = test.get("testcase_name", "")
                merged = {**test, **case}
                merged["testcase_name"] = (
                    f"{name}_{case['testcase_name']}" if name else case["testcase_name"]
                )
                combined.append(merged)
        tests = combined
    return tests
