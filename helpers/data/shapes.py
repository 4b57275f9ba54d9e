"""Procedural shapes: one coloured object per image, with its exact box and mask.

Each image shows one object (a circle, a square, a triangle, ...) at a random
position, size, rotation and colour, on a background that changes style from image
to image (smooth noise, stripes, blotches, grain). Nothing but the object's *shape*
tells the classes apart, so a model has to look at the object; and because the
generator knows where the object is, the course can check where a heatmap looks.
"""
from __future__ import annotations


import cv2
import numpy as np

from . import _textures
from ._drawing import fill_disc, fill_polygon
from .._checks import check_array, check_class_names, check_int, check_pair
from ._checks import MAX_SIDE, check_pixel_budget, make_rng
from .imageset import ImageSet

__all__ = ["shapes", "SHAPE_CLASSES", "boxes_from_masks"]

#: Every class :func:`shapes` can draw, by name.
SHAPE_CLASSES = ("circle", "square", "triangle", "cross", "ring", "star")

_BACKGROUNDS = ("smooth", "stripes", "blotches", "grain")
_MIN_SIZE = 16
#: Smallest object diameter drawn, in pixels, whatever ``scale`` asks for: below it a
#: ring has no hole, a star no points, and a ring's stroke can vanish altogether.
_MIN_DIAMETER = 6.0
#: Smallest ring stroke (outer minus inner radius), in pixels.
_MIN_STROKE = 1.5
#: Every object covers at least this many pixels (checked after drawing).
_MIN_PIXELS = 8


def shapes(
    n: int,
    size: int = 64,
    classes=("circle", "square", "triangle"),
    seed: int = 0,
    scale=(0.3, 0.6),
) -> ImageSet:
    """A balanced set of ``n`` RGB images, each with one object of one class.

    Parameters
    ----------
    n : int, >= 1
        Number of images. Classes are balanced: counts differ by at most one.
    size : int, >= 16
        Height and width of the square images, in pixels.
    classes : sequence of str
        Names of the classes to draw, chosen from :data:`SHAPE_CLASSES`
        (``"circle"``, ``"square"``, ``"triangle"``, ``"cross"``, ``"ring"``,
        ``"star"``); label ``i`` is ``classes[i]``.
    seed : int
        Seed of the generator: the same seed gives the same images.
    scale : (float, float)
        Smallest and largest object diameter, as fractions of ``size``, with
        ``0.1 <= smallest <= largest <= 0.9``. Whatever the fraction, an object
        is at least 6 pixels across and covers at least 8 pixels (a ring keeps a
        stroke of at least 1.5 pixels), so every image shows its class.

    Returns
    -------
    ImageSet
        ``images`` float32 (n, size, size, 3) in [0, 1]; ``labels`` int64;
        ``boxes`` float32 (n, 4) ``xyxy`` in pixels (exclusive right/bottom
        edges), the tight bounding box of ``masks`` bool (n, size, size), which
        is ``True`` exactly on the object's pixels. ``extras["backgrounds"]``
        names each image's background style.

    Examples
    --------
    >>> data = shapes(300, size=64, classes=("circle", "star"))
    >>> data.images.shape, data.class_counts()
    ((300, 64, 64, 3), {'circle': 150, 'star': 150})
    """
    n = check_int(n, "n", low=1)
    size = check_int(size, "size", low=_MIN_SIZE, high=MAX_SIDE)
    check_pixel_budget(n, size, size, 3)
    classes = _check_classes(classes)
    low, high = check_pair(scale, "scale", kind="real", low=0.1, high=0.9, ordered=True,
                           note=" (fractions of the image size: 1.0 is the whole image)")
    rng = make_rng(seed)

    labels = rng.permutation(np.arange(n) % len(classes)).astype(np.int64)
    images = np.empty((n, size, size, 3), np.float32)
    masks = np.empty((n, size, size), bool)
    styles = rng.integers(len(_BACKGROUNDS), size=n)
    for i in range(n):
        background, colours = _background(rng, size, _BACKGROUNDS[styles[i]])
        diameter = max(rng.uniform(low, high) * size, _MIN_DIAMETER)
        masks[i] = _visible_object_mask(rng, classes[labels[i]], size, diameter)
        colour = _contrasting_colour(rng, colours)
        shading = 0.85 + 0.15 * _textures.smooth_noise(rng, size, size, 2)[..., np.newaxis]
        images[i] = np.where(masks[i][..., np.newaxis], colour * shading, background)
    images += 0.03 * rng.standard_normal(images.shape, dtype=np.float32)  # sensor grain
    np.clip(images, 0.0, 1.0, out=images)
    return ImageSet(
        images=images,
        labels=labels,
        class_names=classes,
        boxes=boxes_from_masks(masks),
        masks=masks,
        extras={"backgrounds": np.array(_BACKGROUNDS)[styles]},
    )


def boxes_from_masks(masks) -> np.ndarray:
    """Tight ``xyxy`` boxes around the ``True`` pixels of each mask.

    Parameters
    ----------
    masks : ndarray, bool, shape (N, H, W)

    Returns
    -------
    ndarray, float32, shape (N, 4)
        ``(x0, y0, x1, y1)`` in pixels with exclusive right/bottom edges, so a
        single pixel at column 3, row 5 gives ``[3, 5, 4, 6]``. All-NaN for an
        empty mask.
    """
    masks = check_array(masks, "masks", ndim=3, dtype=None, allow_empty=True,
                        shape_hint="(N, H, W) of booleans")
    if masks.dtype.kind != "b":
        if not np.isin(masks, (0, 1)).all():
            raise ValueError("masks must hold booleans (or 0/1), found other values")
        masks = masks.astype(bool)
    boxes = np.full((len(masks), 4), np.nan, np.float32)
    rows_used = masks.any(axis=2)  # (N, H)
    cols_used = masks.any(axis=1)  # (N, W)
    found = rows_used.any(axis=1)
    height, width = masks.shape[1:]
    # first True from the start / from the end of each row and column profile
    boxes[found, 0] = cols_used[found].argmax(axis=1)
    boxes[found, 1] = rows_used[found].argmax(axis=1)
    boxes[found, 2] = width - cols_used[found, ::-1].argmax(axis=1)
    boxes[found, 3] = height - rows_used[found, ::-1].argmax(axis=1)
    return boxes


# ---------------------------------------------------------------- validation
def _check_classes(classes) -> tuple[str, ...]:
    return check_class_names(classes, "classes", choices=SHAPE_CLASSES)


# ---------------------------------------------------------------- drawing
def _background(rng: np.random.Generator, size: int, style: str):
    """One background image (size, size, 3) and the main colours it is made of."""
    colour_a, colour_b = rng.uniform(0.1, 0.9, size=(2, 3)).astype(np.float32)
    if style == "smooth":
        weight = _textures.fractal_noise(rng, size, size)
    elif style == "stripes":
        weight = _textures.stripes(rng, size, size, period=rng.uniform(0.1, 0.3) * size)
    elif style == "blotches":
        field = _textures.smooth_noise(rng, size, size, cells=int(rng.integers(3, 7)))
        weight = cv2.GaussianBlur((field > 0.5).astype(np.float32), (3, 3), 0)
    else:  # "grain": one colour under strong pixel noise
        colour_b = colour_a
        weight = np.zeros((size, size), np.float32)
    image = _textures.blend(weight, colour_a, colour_b)
    if style == "grain":
        image += 0.12 * rng.standard_normal(image.shape, dtype=np.float32)
    return np.clip(image, 0.0, 1.0), (colour_a, colour_b)


def _contrasting_colour(rng: np.random.Generator, background_colours) -> np.ndarray:
    """The most distinct of a few random colours from the background's colours."""
    candidates = rng.uniform(0.0, 1.0, size=(12, 3)).astype(np.float32)
    distances = np.stack(
        [np.linalg.norm(candidates - colour, axis=1) for colour in background_colours]
    )
    return candidates[distances.min(axis=0).argmax()]


def _visible_object_mask(rng: np.random.Generator, name: str, size: int,
                         diameter: float) -> np.ndarray:
    """:func:`_object_mask` with at least ``_MIN_PIXELS`` pixels: redrawn larger if not."""
    for _ in range(20):
        mask = _object_mask(rng, name, size, diameter)
        if np.count_nonzero(mask) >= _MIN_PIXELS:
            return mask
        diameter = min(diameter * 1.25, 0.9 * size)
    raise RuntimeError(  # pragma: no cover - sizes >= 16 always succeed (tested)
        f"could not draw a visible {name} of diameter {diameter:.1f} in a {size}-pixel image"
    )


def _object_mask(rng: np.random.Generator, name: str, size: int, diameter: float) -> np.ndarray:
    """Boolean (size, size) mask of one object of class ``name``, fully inside the image."""
    radius = diameter / 2
    margin = radius + 1
    centre = rng.uniform(margin, size - margin, size=2)
    angle = rng.uniform(0, 2 * np.pi)
    canvas = np.zeros((size, size), np.uint8)
    if name == "circle":
        fill_disc(canvas, centre, radius, 1)
    elif name == "ring":
        fill_disc(canvas, centre, radius, 1)
        fill_disc(canvas, centre, min(radius * 0.55, radius - _MIN_STROKE), 0)
    elif name == "square":
        fill_polygon(canvas, _regular_polygon(centre, radius, 4, angle))
    elif name == "triangle":
        fill_polygon(canvas, _regular_polygon(centre, radius, 3, angle))
    elif name == "star":
        outer = _regular_polygon(centre, radius, 5, angle)
        inner = _regular_polygon(centre, radius * 0.42, 5, angle + np.pi / 5)
        fill_polygon(canvas, np.stack([outer, inner], axis=1).reshape(-1, 2))
    elif name == "cross":
        half_length, half_width = radius * 0.95, radius * 0.3
        for arm_angle in (angle, angle + np.pi / 2):
            fill_polygon(canvas, _rectangle(centre, half_length, half_width, arm_angle))
    return canvas.astype(bool)


def _regular_polygon(centre, radius: float, n_corners: int, angle: float) -> np.ndarray:
    """Corners (n_corners, 2) as (x, y) of a regular polygon with circumradius ``radius``."""
    angles = angle + 2 * np.pi * np.arange(n_corners) / n_corners
    return np.asarray(centre) + radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)


def _rectangle(centre, half_length: float, half_width: float, angle: float) -> np.ndarray:
    """Corners (4, 2) of a rectangle rotated by ``angle`` (radians) about its centre."""
    corners = np.array(
        [[-half_length, -half_width], [half_length, -half_width],
         [half_length, half_width], [-half_length, half_width]]
    )
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    return np.asarray(centre) + corners @ rotation.T
