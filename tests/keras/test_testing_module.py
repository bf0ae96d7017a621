"""``nnlab.keras.testing.TestCase``: Keras 3's test case for nnlab objects (Keras's own unit
tests run on nnlab with their imports changed). Its checks pass on right layers and fail on
wrong expectations."""

from __future__ import annotations

import numpy as np
import pytest

from nnlab.keras import backend, layers, losses, ops, optimizers, testing


class Case(testing.TestCase):
    def runTest(self) -> None:  # noqa: N802 - unittest's name
        pass


@pytest.fixture
def case() -> Case:
    c = Case()
    c.setUp()
    return c


def test_layer_checks_pass_on_a_right_description(case: Case) -> None:
    case.run_layer_test(
        layers.Dense,
        init_kwargs={"units": 3, "activation": "relu"},
        input_shape=(2, 4),
        expected_output_shape=(2, 3),
        expected_output_dtype="float32",
        expected_num_trainable_weights=2,
        expected_num_non_trainable_weights=0,
        expected_num_seed_generators=0,
        expected_num_losses=0,
        supports_masking=True,
    )
    case.run_layer_test(
        layers.Dropout,
        init_kwargs={"rate": 0.5, "seed": 1},
        input_shape=(2, 3),
        expected_output_shape=(2, 3),
        expected_num_seed_generators=1,
    )
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    case.run_layer_test(
        layers.Reshape,
        init_kwargs={"target_shape": (3, 1)},
        input_data=x,
        expected_output=x.reshape(2, 3, 1),
    )
    case.run_layer_test(layers.Add, init_kwargs={}, input_shape=[(2, 3), (2, 3)])


@pytest.mark.parametrize(
    "wrong",
    [
        {"expected_output_shape": (2, 4)},
        {"expected_num_trainable_weights": 1},
        {"expected_num_non_trainable_weights": 1},
        {"expected_output_dtype": "float64"},
        {"supports_masking": False},
    ],
)
def test_layer_checks_fail_on_a_wrong_description(case: Case, wrong: dict) -> None:
    with pytest.raises(AssertionError):
        case.run_layer_test(layers.Dense, init_kwargs={"units": 3}, input_shape=(2, 4), **wrong)


def test_wrong_values_and_arguments_are_reported(case: Case) -> None:
    x = np.ones((2, 3), np.float32)
    with pytest.raises(AssertionError, match="Unexpected output value"):
        case.run_layer_test(layers.Identity, init_kwargs={}, input_data=x, expected_output=x + 1)
    with pytest.raises(ValueError, match="cannot be passed at the same time"):
        case.run_layer_test(layers.Identity, init_kwargs={}, input_shape=(2,), input_data=x)


def test_serialization_round_trip_and_assertions(case: Case) -> None:
    loss = losses.CategoricalCrossentropy(from_logits=True, name="ce")
    revived = case.run_class_serialization_test(loss)
    assert isinstance(revived, losses.CategoricalCrossentropy) and revived.from_logits
    case.run_class_serialization_test(optimizers.Adam(learning_rate=0.01))
    t = ops.convert_to_tensor(np.array([1.0, 2.0], np.float32))
    case.assertAllClose(t, [1.0, 2.0])
    case.assertNotAllClose(t, [1.0, 2.5])
    case.assertAllEqual(t, np.array([1.0, 2.0]))
    case.assertDType(t, "float32")
    case.assertLen(t.data, 2)
    with pytest.raises(AssertionError, match="does not match the expected one"):
        case.assertDType(t, "float64")
    with pytest.raises(AssertionError):
        case.assertAllClose(t, [1.0, 2.1])
    assert not testing.uses_gpu() and not backend.SUPPORTS_SPARSE_TENSORS


def test_backend_names_of_keras_tensor_types() -> None:
    assert backend.Variable is __import__("nnlab.keras", fromlist=["Variable"]).Variable
    assert backend.config.image_data_format() == "channels_last"
    assert backend.is_tensor(ops.convert_to_tensor([1.0]))
    np.testing.assert_allclose(backend.convert_to_numpy(ops.rsqrt(np.float32(4.0))), 0.5)


def test_test_utils_equal_keras() -> None:
    """get_test_data draws Keras's own data for a seed; named_product names as Keras does."""
    from keras.src.testing import test_utils as theirs

    from nnlab.keras.testing import test_utils as ours

    for a, b in zip(
        ours.get_test_data(50, 20, (3, 2), 4, random_seed=7),
        theirs.get_test_data(50, 20, (3, 2), 4, random_seed=7),
        strict=True,
    ):
        for u, v in zip(a, b, strict=True):
            np.testing.assert_array_equal(u, v)
            assert u.dtype == v.dtype
    cases = ([{"testcase_name": "neg", "x": -1}, {"testcase_name": "pos", "x": 1}],)
    assert ours.named_product(*cases, kind=[float, int]) == theirs.named_product(
        *cases, kind=[float, int]
    )
