"""Image preprocessing and augmentation layers against Keras 3 (torch backend): the
deterministic layers and the resampling routines number for number, the random layers'
inference identity, their outcomes when the random range is a single value, the distribution
of their draws, seeds, configs both ways, a model that fits, and the errors."""

from __future__ import annotations

import json

import numpy as np
import pytest

from nnlab.autograd import Tensor
from nnlab.keras.layers.image_transforms import affine_transform

from .keras_oracle import keras, nk

RNG = np.random.default_rng(0)
IMAGES = RNG.uniform(0, 255, (3, 7, 10, 2)).astype(np.float32)  # (N, H, W, C)
TOL = dict(rtol=1e-5, atol=1e-4)  # pixel values up to 255

RANDOM_LAYERS = {
    "RandomFlip": dict(),
    "RandomRotation": dict(factor=0.2),
    "RandomZoom": dict(height_factor=0.3, width_factor=(-0.2, 0.4)),
    "RandomTranslation": dict(height_factor=0.2, width_factor=(-0.1, 0.3)),
    "RandomContrast": dict(factor=0.4),
    "RandomBrightness": dict(factor=0.2),
    "RandomCrop": dict(height=5, width=6),
}


def both(name, x, **kwargs):
    """(Keras's output, nnlab's) of the layer ``name`` built with ``kwargs`` on ``x``."""
    call = {k: kwargs.pop(k) for k in ("training",) if k in kwargs}
    theirs = np.asarray(getattr(keras.layers, name)(**kwargs)(x, **call))
    ours = getattr(nk.layers, name)(**kwargs)(x, **call)
    assert isinstance(ours, Tensor) and ours.dtype == np.float32
    return theirs, ours.numpy()


# ----------------------------------------------------------------------- deterministic layers
@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
@pytest.mark.parametrize(
    "size", [(4, 5), (11, 13), (7, 10), (3, 17), (14, 4)], ids=lambda s: f"{s[0]}x{s[1]}"
)
@pytest.mark.parametrize("aspect", ["stretch", "crop", "pad"])
def test_resizing_matches_keras(interpolation, size, aspect):
    kwargs = dict(height=size[0], width=size[1], interpolation=interpolation)
    if aspect == "crop":
        kwargs["crop_to_aspect_ratio"] = True
    if aspect == "pad":
        kwargs.update(pad_to_aspect_ratio=True, fill_value=7.5)
    theirs, ours = both("Resizing", IMAGES, **kwargs)
    assert ours.shape == theirs.shape == (3, *size, 2)
    np.testing.assert_allclose(ours, theirs, **TOL)


def test_resizing_antialias_unbatched_channels_first_and_integers():
    image = IMAGES[0].transpose(2, 0, 1)  # (C, H, W)
    theirs, ours = both(
        "Resizing", image, height=3, width=4, antialias=True, data_format="channels_first"
    )
    assert ours.shape == (2, 3, 4)
    np.testing.assert_allclose(ours, theirs, **TOL)
    pixels = np.arange(2 * 4 * 4 * 1, dtype=np.uint8).reshape(2, 4, 4, 1)
    ours = nk.layers.Resizing(2, 2, interpolation="nearest")(pixels).numpy()
    assert ours.dtype == np.float32  # Keras keeps uint8; nnlab's layers are float32
    np.testing.assert_array_equal(ours, keras.layers.Resizing(2, 2, "nearest")(pixels))


@pytest.mark.parametrize("size", [(4, 6), (7, 10), (9, 12), (2, 11)], ids=str)
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_center_crop_matches_keras(size, data_format):
    x = IMAGES if data_format == "channels_last" else IMAGES.transpose(0, 3, 1, 2)
    theirs, ours = both("CenterCrop", x, height=size[0], width=size[1], data_format=data_format)
    np.testing.assert_allclose(ours, theirs, **TOL)
    theirs, ours = both("CenterCrop", x[0], height=size[0], width=size[1], data_format=data_format)
    np.testing.assert_allclose(ours, theirs, **TOL)


@pytest.mark.parametrize("size", [(5, 6), (7, 4), (9, 12)], ids=str)
def test_random_crop_at_inference_is_the_aspect_crop_and_resize(size):
    """Documented by Keras 3 ("resized and cropped so as to return the largest possible window
    in the image that matches the target aspect ratio"): its ``smart_resize``. Keras 3.15
    itself returns the input unchanged there (keras-team/keras#21868)."""
    ours = nk.layers.RandomCrop(*size)(IMAGES, training=False).numpy()
    theirs = keras.preprocessing.image.smart_resize(IMAGES, size)
    np.testing.assert_allclose(ours, np.asarray(theirs), **TOL)


@pytest.mark.parametrize(
    "layer",
    [
        lambda: nk.layers.Resizing(4, 5, pad_to_aspect_ratio=True, fill_value=1.0),
        lambda: nk.layers.CenterCrop(3, 4),
        lambda: nk.layers.CenterCrop(9, 4),
        lambda: nk.layers.RandomCrop(3, 4, seed=0),
    ],
    ids=["resizing", "center_crop", "center_crop_resized", "random_crop"],
)
def test_crops_and_resizes_are_differentiable(layer):
    x = Tensor(IMAGES[:1].astype(np.float64) / 255, requires_grad=True)
    y = layer()(x)
    assert y.dtype == np.float64
    (y * y).sum().backward()
    assert x.grad is not None and x.grad.shape == x.shape and np.abs(x.grad).sum() > 0


# ------------------------------------------------------------------------- affine transform
TRANSFORMS = np.array(
    [
        [1.1, 0.2, -1.3, -0.15, 0.9, 2.2, 0, 0],
        [0.8, -0.5, 3.7, 0.4, 1.2, -2.1, 0, 0],
        [-1, 0, 8.3, 0, -1, 6.7, 0, 0],
    ],
    np.float32,
)


@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
@pytest.mark.parametrize("fill_mode", ["constant", "reflect", "wrap", "nearest"])
def test_affine_transform_matches_keras(interpolation, fill_mode):
    theirs = keras.ops.image.affine_transform(
        IMAGES, TRANSFORMS, interpolation=interpolation, fill_mode=fill_mode, fill_value=3.0
    )
    ours = affine_transform(IMAGES, TRANSFORMS, interpolation, fill_mode, 3.0)
    np.testing.assert_allclose(ours, np.asarray(theirs), **TOL)


# -------------------------------------------------- random layers: inference, forced outcomes
@pytest.mark.parametrize("name", sorted(set(RANDOM_LAYERS) - {"RandomCrop"}))  # a crop (above)
def test_random_layers_are_the_identity_at_inference(name):
    layer = getattr(nk.layers, name)(**RANDOM_LAYERS[name])
    for x in (IMAGES, IMAGES[0], IMAGES.astype(np.uint8)):
        out = layer(x, training=False)
        assert out.dtype == np.float32
        np.testing.assert_array_equal(out.numpy(), x.astype(np.float32))
        np.testing.assert_array_equal(
            out.numpy(),
            np.asarray(
                getattr(keras.layers, name)(**RANDOM_LAYERS[name])(
                    x.astype(np.float32), training=False
                )
            ),
        )
    model = nk.Sequential([nk.Input(IMAGES.shape[1:]), layer])
    np.testing.assert_array_equal(model.predict(IMAGES, verbose=0), IMAGES)


@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("RandomRotation", dict(factor=(0.25, 0.25))),
        ("RandomRotation", dict(factor=(-0.1, -0.1), fill_mode="constant", fill_value=9.0)),
        ("RandomRotation", dict(factor=(0.07, 0.07), fill_mode="wrap", interpolation="nearest")),
        ("RandomZoom", dict(height_factor=(0.3, 0.3), width_factor=(-0.2, -0.2))),
        ("RandomZoom", dict(height_factor=(-0.4, -0.4), fill_mode="nearest")),
        ("RandomTranslation", dict(height_factor=(0.2, 0.2), width_factor=(-0.3, -0.3))),
        (
            "RandomTranslation",
            dict(height_factor=(-0.5, -0.5), width_factor=(0.0, 0.0), fill_mode="constant"),
        ),
        ("RandomBrightness", dict(factor=(0.1, 0.1))),
        ("RandomBrightness", dict(factor=(-0.3, -0.3), value_range=(0, 1))),
        ("RandomContrast", dict(factor=(0.0, 0.0))),
    ],
)
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_random_layers_match_keras_when_the_draw_is_forced(name, kwargs, data_format):
    """A range (a, a) leaves one outcome: the layers then equal Keras's, in training."""
    x = IMAGES if data_format == "channels_last" else IMAGES.transpose(0, 3, 1, 2)
    if kwargs.get("value_range") == (0, 1):
        x = x / 255
    theirs, ours = both(name, x, data_format=data_format, training=True, **kwargs)
    np.testing.assert_allclose(ours, theirs, **TOL)
    theirs, ours = both(name, x[1], data_format=data_format, training=True, **kwargs)
    np.testing.assert_allclose(ours, theirs, **TOL)


def test_rotation_by_a_quarter_turn_is_rot90():
    square = IMAGES[:, :7, :7]
    turned = nk.layers.RandomRotation((0.25, 0.25), interpolation="nearest")(square).numpy()
    np.testing.assert_allclose(turned, np.rot90(square, 1, axes=(1, 2)), atol=1e-4)


def test_random_flip_outcomes_and_their_frequency():
    x = np.broadcast_to(IMAGES[:1], (400, 7, 10, 2))
    for mode, flip in [
        ("horizontal", lambda a: a[:, ::-1]),
        ("vertical", lambda a: a[::-1]),
        ("horizontal_and_vertical", lambda a: a[::-1, ::-1]),  # one draw for both, as Keras 3
    ]:
        out = nk.layers.RandomFlip(mode, seed=3)(x).numpy()
        kept = (out == x[0]).all(axis=(1, 2, 3))
        flipped = (out == flip(x[0])).all(axis=(1, 2, 3))
        assert (kept | flipped).all()
        assert 0.4 < flipped.mean() < 0.6  # p = 1/2, n = 400: 5 sd's ~ 0.125


def test_the_draws_follow_their_distributions():
    layer = nk.layers.RandomRotation((-0.1, 0.3), seed=0)
    transforms = layer.transforms(5000, 7, 10)
    angles = np.arctan2(transforms[:, 3], transforms[:, 0]) / (2 * np.pi)
    assert angles.min() >= -0.1 and angles.max() <= 0.3
    assert abs(angles.mean() - 0.1) < 0.01
    zoom = nk.layers.RandomZoom(0.5, seed=0).transforms(5000, 7, 10)
    assert ((zoom[:, 0] >= 0.5) & (zoom[:, 0] <= 1.5)).all()
    np.testing.assert_array_equal(zoom[:, 0], zoom[:, 4])  # width_factor=None: one zoom
    shift = nk.layers.RandomTranslation(0.2, (0.0, 0.5), seed=0).transforms(5000, 10, 8)
    assert (np.abs(shift[:, 5]) <= 2).all() and ((-shift[:, 2] >= 0) & (-shift[:, 2] <= 4)).all()
    x = np.full((2000, 2, 2, 1), 100, np.float32)
    x[:, 0] = 50
    out = nk.layers.RandomContrast(0.5, seed=0)(x).numpy()
    contrast = (out[:, 1, 0, 0] - out[:, 0, 0, 0]) / 50
    assert contrast.min() >= 1 and contrast.max() <= 1.5  # Keras 3: factor f -> c in [1, 1+f]
    out = nk.layers.RandomBrightness(0.1, seed=0)(x).numpy()
    delta = out[:, 1, 0, 0] - 100
    assert np.abs(delta).max() <= 25.5 and abs(delta.mean()) < 2


def test_random_crop_in_training():
    out = nk.layers.RandomCrop(4, 6, seed=1)(IMAGES).numpy()
    assert out.shape == (3, 4, 6, 2)
    spots = {
        (top, left)
        for top in range(4)
        for left in range(5)
        if np.array_equal(out, IMAGES[:, top : top + 4, left : left + 6])
    }
    assert len(spots) == 1  # one window for the whole batch
    small = nk.layers.RandomCrop(9, 12)(IMAGES).numpy()  # larger than the image: resized
    np.testing.assert_allclose(
        small, np.asarray(keras.preprocessing.image.smart_resize(IMAGES, (9, 12))), **TOL
    )


@pytest.mark.parametrize("name", sorted(RANDOM_LAYERS))
def test_seed_reproduces_the_augmentation(name):
    first = getattr(nk.layers, name)(seed=5, **RANDOM_LAYERS[name])
    second = getattr(nk.layers, name)(seed=5, **RANDOM_LAYERS[name])
    a, b = first(IMAGES).numpy(), second(IMAGES).numpy()
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first(IMAGES).numpy(), a)  # the next batch draws anew


# ------------------------------------------------------------------------- configs, shapes
ALL_LAYERS = {
    **RANDOM_LAYERS,
    "Resizing": dict(
        height=4, width=6, interpolation="nearest", pad_to_aspect_ratio=True, fill_value=1.0
    ),
    "CenterCrop": dict(height=3, width=3, data_format="channels_first"),
}


def plain(config):
    """A config as JSON reads it back, without the name (Keras numbers its own)."""
    return {k: v for k, v in json.loads(json.dumps(config)).items() if k != "name"}


@pytest.mark.parametrize("name", sorted(ALL_LAYERS))
def test_config_round_trips_with_keras(name):
    ours = getattr(nk.layers, name)(**ALL_LAYERS[name])
    theirs = getattr(keras.layers, name)(**ALL_LAYERS[name])
    keras_config = plain(theirs.get_config())
    if name == "RandomCrop":  # Keras draws a seed when given none; nnlab keeps None
        keras_config["seed"] = None
    assert plain(ours.get_config()) == keras_config
    loaded = keras.layers.deserialize(
        {"module": "keras.layers", "class_name": name, "config": ours.get_config()}
    )
    assert {**plain(loaded.get_config()), "seed": None} == {**keras_config, "seed": None}
    again = nk.layers.deserialize({"class_name": name, "config": theirs.get_config()})
    assert type(again) is type(ours)
    assert plain(again.get_config()) == plain(theirs.get_config())


@pytest.mark.parametrize("name", sorted(ALL_LAYERS))
def test_output_shapes(name):
    layer = getattr(nk.layers, name)(**ALL_LAYERS[name])
    keras_layer = getattr(keras.layers, name)(**ALL_LAYERS[name])
    for shape in [(None, 7, 10, 2), (7, 10, 2)]:
        assert layer.compute_output_shape(shape) == keras_layer.compute_output_shape(shape)


# -------------------------------------------------------------------- in a model, saved
def test_a_model_with_augmentation_fits_and_saves(tmp_path):
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 1, (64, 8, 8, 1)).astype(np.float32)
    y = (x[:, 2:6, 2:6].mean(axis=(1, 2, 3)) > 0.5).astype(np.float32)[:, None]
    model = nk.Sequential(
        [
            nk.Input((8, 8, 1)),
            nk.layers.RandomFlip("horizontal", seed=1),
            nk.layers.RandomRotation(0.05, seed=2),
            nk.layers.Conv2D(4, 3, activation="relu"),
            nk.layers.Flatten(),
            nk.layers.Dense(1, activation="sigmoid"),
        ],
        seed=0,
    )
    model.compile(optimizer="adam", loss="binary_crossentropy")
    before = [w.copy() for w in model.get_weights()]
    history = model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    assert all(not np.array_equal(a, b) for a, b in zip(before, model.get_weights(), strict=True))
    augmented = model(x, training=True).numpy()  # the model passes training on to its layers
    assert not np.array_equal(augmented, model(x, training=True).numpy())
    predictions = model.predict(x, verbose=0)
    np.testing.assert_array_equal(predictions, model.predict(x, verbose=0))  # no augmentation
    path = tmp_path / "augmented.keras"
    model.save(path)
    theirs = keras.models.load_model(path)
    np.testing.assert_allclose(theirs.predict(x, verbose=0), predictions, rtol=1e-4, atol=1e-5)
    ours = nk.models.load_model(path)
    np.testing.assert_allclose(ours.predict(x, verbose=0), predictions, rtol=1e-6)


def test_a_functional_model_predicts_as_keras():
    def build(k):
        inputs = k.Input((7, 10, 2))
        x = k.layers.Resizing(6, 6, crop_to_aspect_ratio=True)(inputs)
        x = k.layers.RandomZoom(0.2)(x)
        x = k.layers.CenterCrop(4, 4)(x)
        x = k.layers.Conv2D(3, 2)(x)
        outputs = k.layers.Dense(1)(k.layers.Flatten()(x))
        return k.Model(inputs, outputs)

    theirs, ours = build(keras), build(nk)
    ours.set_weights(theirs.get_weights())
    assert ours.output_shape == theirs.output_shape == (None, 1)
    np.testing.assert_allclose(
        ours.predict(IMAGES, verbose=0), theirs.predict(IMAGES, verbose=0), rtol=1e-4, atol=1e-3
    )


def test_a_keras_file_with_image_layers_loads(tmp_path):
    theirs = keras.Sequential(
        [
            keras.Input((7, 10, 2)),
            keras.layers.Resizing(8, 8, pad_to_aspect_ratio=True),
            keras.layers.RandomCrop(6, 6),
            keras.layers.RandomFlip("vertical"),
            keras.layers.RandomTranslation(0.1, 0.1, fill_mode="wrap"),
            keras.layers.RandomContrast(0.2),
            keras.layers.RandomBrightness(0.1),
            keras.layers.Conv2D(2, 3, data_format="channels_last"),
            keras.layers.Flatten(),
            keras.layers.Dense(1),
        ]
    )
    path = tmp_path / "keras_made.keras"
    theirs.save(path)
    ours = nk.models.load_model(path)
    assert [type(layer).__name__ for layer in ours.layers] == [
        type(layer).__name__ for layer in theirs.layers
    ]
    x = IMAGES / 255
    # Keras 3.15's RandomCrop leaves its input whole at inference (keras-team/keras#21868), so
    # compare the rest of the model on the documented crop: the (8, 8) image resized to (6, 6)
    resized = nk.layers.Resizing(6, 6)(ours.layers[0](x)).numpy()
    np.testing.assert_allclose(
        ours.predict(x, verbose=0),
        keras.Sequential(theirs.layers[6:]).predict(resized, verbose=0),
        rtol=1e-4,
        atol=1e-5,
    )


# ------------------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    "build, words",
    [
        (lambda: nk.layers.RandomRotation(1.5), "RandomRotation: factor"),
        (lambda: nk.layers.RandomRotation(0.1, fill_mode="mirror"), "fill_mode"),
        (lambda: nk.layers.RandomZoom(-1.0), "RandomZoom: height_factor"),
        (lambda: nk.layers.RandomZoom(0.1, width_factor=(0.1, 2)), "width_factor"),
        (lambda: nk.layers.RandomZoom(0.1, interpolation="bicubic"), "interpolation"),
        (lambda: nk.layers.RandomTranslation(0.1, "a"), "RandomTranslation: width_factor"),
        (lambda: nk.layers.RandomContrast(-0.2), "RandomContrast: factor"),
        (lambda: nk.layers.RandomBrightness(0.2, value_range=(0, 1, 2)), "value_range"),
        (lambda: nk.layers.RandomFlip("diagonal"), "RandomFlip: mode"),
        (lambda: nk.layers.Resizing(0, 3), "Resizing: height"),
        (lambda: nk.layers.Resizing(3, 3, interpolation="lanczos3"), "interpolation"),
        (lambda: nk.layers.Resizing(3, 3, fill_mode="reflect"), "fill_mode"),
        (
            lambda: nk.layers.Resizing(3, 3, crop_to_aspect_ratio=True, pad_to_aspect_ratio=True),
            "only one",
        ),
        (lambda: nk.layers.CenterCrop(2, 2.5), "CenterCrop: width"),
        (lambda: nk.layers.RandomZoom(0.1, data_format="nhwc"), "RandomZoom: .*data_format"),
        (lambda: nk.layers.RandomFlip()(np.zeros((2, 3))), "rank 3"),
        (lambda: nk.layers.Resizing(2, 2)(np.zeros((1, 2, 3, 4, 5))), "Resizing expects"),
    ],
)
def test_errors(build, words):
    with pytest.raises(ValueError, match=words):
        build()
