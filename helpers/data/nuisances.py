"""Cats and dogs with annotated nuisances, for error analysis with heatmaps (Chapter 9).

The Cats-vs-Dogs Grad-CAM notes trained VGG16 on Kaggle's Cats vs Dogs, looked at the Grad-CAM heatmaps of
its mistakes and sorted them into groups by hand: cats in front of bars or bricks,
cats with people, low-contrast dogs, small animals, faces hidden or turned away.
:func:`nuisance_pets` makes a procedural stand-in for such photos in which every
nuisance is *known*: each image says which nuisances it carries, and masks say where
the animal, the distracting person and the striped background are. That turns
"the heatmap seems to look at the bars" into a number.

Each image shows one animal head: a **cat** (round head, two pointed ears standing
up, a small pink nose) or a **dog** (round head, two long ears hanging down, a snout
with a big black nose, dark patches over about a third of the coat). Fur colours,
sizes and positions are drawn the same way for both classes, so only the animal's
shape and markings tell them apart. Five nuisances (:data:`NUISANCES`) are added at
random:

``"bars"``          a panel of cage bars or bricks, 30-55 % of the image wide, behind
                    the animal (the "texture");
``"person"``        a person standing beside the animal (the "distractor");
``"low_contrast"``  a washed-out photo: fur close to the background colour, contrast cut;
``"small"``         the animal is about half its usual size;
``"occluded"``      a post or a table edge hides part of the animal.

With ``confounded=True`` the bars go with one class, as a kennel would put them
behind dogs: almost every dog has bars behind it and almost no cat does, so the
bars are a shortcut to the label. With ``confounded=False`` (the fix, and the way
to build a fair test set) each class has bars equally often.
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from . import _textures
from .._checks import check_bool, check_int, check_real
from ._checks import make_rng
from ._drawing import fill_disc, fill_polygon
from .imageset import ImageSet
from .shapes import boxes_from_masks

__all__ = ["nuisance_pets", "NUISANCES", "DEFAULT_RATES", "CONFOUNDED_BARS"]

#: The nuisances, in the column order of ``extras["nuisances"]``.
NUISANCES = ("bars", "person", "low_contrast", "small", "occluded")

#: Share of the images of each class that carry each nuisance (``"bars"``: when not
#: confounded).
DEFAULT_RATES = {"bars": 0.5, "person": 0.25, "low_contrast": 0.2, "small": 0.2, "occluded": 0.2}

#: With ``confounded=True``: share of the cats (label 0) and of the dogs (label 1)
#: with bars behind them.
CONFOUNDED_BARS = (0.1, 0.9)

CAT, DOG = 0, 1
_MIN_SIZE = 48
_HEAD_RADIUS = (0.14, 0.19)  # head radius, as a fraction of the image size
_SMALL_FACTOR = 0.55  # a "small" animal's head radius, relative to the usual one
_LOW_CONTRAST_GAIN = 0.45  # a washed-out image keeps this share of its contrast
_PATCH_SHARE = 0.35  # share of a dog's head under dark patches


def nuisance_pets(n: int, size: int = 64, confounded: bool = False, rates=None,
                  seed: int = 0) -> ImageSet:
    """``n`` images of a cat or a dog head, each with annotated nuisances.

    Parameters
    ----------
    n : int, >= 2
        Number of images; half are cats (label 0), half dogs (label 1) (one more cat
        when ``n`` is odd).
    size : int, >= 48
        Height and width of the square images, in pixels.
    confounded : bool
        If True, bars stand behind 90 % of the dogs and 10 % of the cats
        (:data:`CONFOUNDED_BARS`), whatever ``rates["bars"]`` says: the bars are a
        shortcut to "dog". If False, each class has bars behind ``rates["bars"]``
        of its images.
    rates : mapping of str to float in [0, 1], optional
        Share of each class's images that carry each nuisance, for any of the
        names in :data:`NUISANCES`; names left out keep :data:`DEFAULT_RATES`
        (bars 0.5, person 0.25, low contrast, small and occluded 0.2 each).
        Counts are exact per class (rounded), placed at random and independently
        of each other.
    seed : int
        Seed of the generator: the same seed gives the same images.

    Returns
    -------
    ImageSet
        ``images`` float32 (n, size, size, 3) in [0, 1]; ``labels`` int64 (0 cat,
        1 dog); ``class_names`` ``("cat", "dog")``; ``masks`` bool (n, size, size),
        ``True`` on the animal's *visible* pixels; ``boxes`` float32 (n, 4), their
        tight ``xyxy`` box in pixels (exclusive right/bottom edges). ``extras``:

        - ``"nuisances"``: bool (n, 5), one column per name in :data:`NUISANCES`;
        - ``"nuisance_names"``: :data:`NUISANCES`;
        - ``"distractor_masks"``: bool (n, size, size), the person's visible pixels
          (all False without a person); ``"distractor_boxes"``: float32 (n, 4),
          their box (NaN rows without a person);
        - ``"texture_masks"``: bool (n, size, size), the visible pixels of the bars
          or bricks panel (all False without bars); ``"texture_boxes"``: its box;
        - ``"occluder_masks"``: bool (n, size, size), the post or table edge.

        The animal, person, texture and occluder masks never overlap.

    Examples
    --------
    >>> train = nuisance_pets(1000, confounded=True, seed=0)
    >>> bars = train.extras["nuisances"][:, NUISANCES.index("bars")]
    >>> [round(float(bars[train.labels == c].mean()), 1) for c in (0, 1)]
    [0.1, 0.9]
    """
    n = check_int(n, "n", low=2)
    size = check_int(size, "size", low=_MIN_SIZE)
    confounded = check_bool(confounded, "confounded")
    rates = _check_rates(rates)
    rng = make_rng(seed)

    labels = rng.permutation(np.arange(n) % 2).astype(np.int64)
    flags = np.zeros((n, len(NUISANCES)), bool)
    for column, name in enumerate(NUISANCES):
        for label in (CAT, DOG):
            rate = CONFOUNDED_BARS[label] if (name == "bars" and confounded) else rates[name]
            members = np.flatnonzero(labels == label)
            chosen = rng.permutation(members.size) < round(rate * members.size)
            flags[members[chosen], column] = True

    images = np.empty((n, size, size, 3), np.float32)
    layers = {key: np.zeros((n, size, size), bool)
              for key in ("object", "distractor", "texture", "occluder")}
    for i in range(n):
        scene = _scene(rng, size, int(labels[i]), dict(zip(NUISANCES, flags[i])))
        images[i] = scene.pop("image")
        for key, mask in scene.items():
            layers[key][i] = mask
    images += 0.02 * rng.standard_normal(images.shape, dtype=np.float32)  # sensor grain
    np.clip(images, 0.0, 1.0, out=images)
    return ImageSet(
        images=images,
        labels=labels,
        class_names=("cat", "dog"),
        boxes=boxes_from_masks(layers["object"]),
        masks=layers["object"],
        extras={
            "nuisances": flags,
            "nuisance_names": NUISANCES,
            "distractor_masks": layers["distractor"],
            "distractor_boxes": boxes_from_masks(layers["distractor"]),
            "texture_masks": layers["texture"],
            "texture_boxes": boxes_from_masks(layers["texture"]),
            "occluder_masks": layers["occluder"],
        },
    )


def _check_rates(rates) -> dict[str, float]:
    if rates is None:
        return dict(DEFAULT_RATES)
    if not isinstance(rates, Mapping):
        raise TypeError(
            f"rates must be a dict such as {{'person': 0.5}} (nuisance name -> share of "
            f"images), got {type(rates).__name__}."
        )
    unknown = [name for name in rates if name not in NUISANCES]
    if unknown:
        raise ValueError(f"rates has unknown nuisance(s) {unknown}; choose from {NUISANCES}.")
    checked = dict(DEFAULT_RATES)
    for name, value in rates.items():
        checked[name] = check_real(value, f"rates[{name!r}]", low=0.0, high=1.0)
    return checked


# --------------------------------------------------------------------------- one scene
def _scene(rng: np.random.Generator, size: int, label: int, has: dict) -> dict:
    """Draw one image and its layers: the image (size, size, 3) and four bool masks."""
    colour_a, colour_b = rng.uniform(0.25, 0.85, size=(2, 3)).astype(np.float32)
    image = _textures.blend(_textures.fractal_noise(rng, size, size), colour_a, colour_b)
    empty = np.zeros((size, size), bool)
    texture = empty.copy()
    if has["bars"]:
        texture, pattern = _texture_panel(rng, size)
        image = np.where(texture[..., np.newaxis], pattern, image)

    radius = rng.uniform(*_HEAD_RADIUS) * size * (_SMALL_FACTOR if has["small"] else 1.0)
    side = rng.choice([-1, 1])  # the animal's half of the image, when a person is there
    centre = _head_centre(rng, size, radius, side if has["person"] else 0)

    distractor = empty.copy()
    if has["person"]:
        distractor, person = _person(rng, size, -side)
        image = np.where(distractor[..., np.newaxis], person, image)

    if has["low_contrast"]:  # fur close to the background's own colour
        fur = (colour_a + colour_b) / 2 + rng.uniform(-0.08, 0.08, 3)
    else:
        fur = _contrasting_fur(rng, (colour_a, colour_b))
    head = _head_mask(size, centre, radius, label, rng)
    shading = 0.8 + 0.2 * _textures.smooth_noise(rng, size, size, 3)[..., np.newaxis]
    coat = np.clip(fur, 0, 1) * shading
    if label == DOG:  # dark patches over about a third of a dog's head
        patches = _textures.smooth_noise(rng, size, size, cells=5)
        dark = patches > np.quantile(patches[head], 1 - _PATCH_SHARE)
        coat = np.where(dark[..., np.newaxis], 0.35 * coat + 0.05, coat)
    image = np.where(head[..., np.newaxis], coat, image)
    face = np.zeros((size, size), np.uint8)
    for dx in (-0.38, 0.38):  # eyes, the same for cats and dogs
        fill_disc(face, (centre[0] + dx * radius, centre[1] - 0.1 * radius), max(0.8, 0.12 * radius))
    if label == DOG:  # a big black nose at the end of the snout
        fill_disc(face, (centre[0], centre[1] + 0.62 * radius), max(1.0, 0.22 * radius))
    else:  # a small pink nose
        fill_disc(face, (centre[0], centre[1] + 0.3 * radius), max(0.6, 0.09 * radius), 2)
    image = np.where(((face == 1) & head)[..., np.newaxis], np.float32(0.05), image)
    image = np.where(((face == 2) & head)[..., np.newaxis], np.float32([0.9, 0.5, 0.55]), image)

    occluder = empty.copy()
    if has["occluded"]:
        occluder, colour = _occluder(rng, size, head)
        image = np.where(occluder[..., np.newaxis], colour, image)

    if has["low_contrast"]:
        mean = image.mean(axis=(0, 1), keepdims=True)
        image = mean + _LOW_CONTRAST_GAIN * (image - mean)
    obj = head & ~occluder
    distractor &= ~head & ~occluder
    texture &= ~head & ~distractor & ~occluder
    return {"image": np.clip(image, 0, 1).astype(np.float32), "object": obj,
            "distractor": distractor, "texture": texture, "occluder": occluder}


def _head_centre(rng, size: int, radius: float, side: int) -> np.ndarray:
    """(x, y) of the head's centre, far enough from the edges for ears and snout.

    ``side`` -1 keeps the head in the left part, +1 in the right part, 0 anywhere.
    """
    margin_x, margin_top, margin_bottom = 1.5 * radius + 1, 1.7 * radius + 1, 1.3 * radius + 1
    low_x, high_x = margin_x, size - margin_x
    if side < 0:
        high_x = max(low_x, 0.42 * size)
    elif side > 0:
        low_x = min(high_x, 0.58 * size)
    return np.array([rng.uniform(low_x, high_x), rng.uniform(margin_top, size - margin_bottom)])


def _contrasting_fur(rng, background_colours) -> np.ndarray:
    """The most distinct of a few random fur colours from the background's colours."""
    candidates = rng.uniform(0.0, 1.0, size=(12, 3)).astype(np.float32)
    distances = np.stack([np.linalg.norm(candidates - c, axis=1) for c in background_colours])
    return candidates[distances.min(axis=0).argmax()]


def _ellipse(centre, half_width: float, half_height: float, angle: float = 0.0, points: int = 24):
    """Corners (points, 2) of an ellipse rotated by ``angle`` (radians)."""
    t = np.linspace(0, 2 * np.pi, points, endpoint=False)
    x, y = half_width * np.cos(t), half_height * np.sin(t)
    c, s = np.cos(angle), np.sin(angle)
    return np.asarray(centre) + np.stack([c * x - s * y, s * x + c * y], axis=1)


def _head_mask(size: int, centre, radius: float, label: int, rng) -> np.ndarray:
    """A cat's head (pointed ears up) or a dog's (long ears hanging down, a snout)."""
    canvas = np.zeros((size, size), np.uint8)
    cx, cy = centre
    fill_disc(canvas, centre, radius)
    if label == CAT:
        spread = rng.uniform(0.45, 0.65)  # where the ears sit on the head, in radians off vertical
        for sign in (-1, 1):
            angle = sign * spread
            base_left = (cx + radius * np.sin(angle - 0.35), cy - radius * np.cos(angle - 0.35))
            base_right = (cx + radius * np.sin(angle + 0.35), cy - radius * np.cos(angle + 0.35))
            tip = (cx + 1.65 * radius * np.sin(angle), cy - 1.65 * radius * np.cos(angle))
            fill_polygon(canvas, np.array([base_left, tip, base_right]))
    else:
        droop = rng.uniform(-0.15, 0.15)
        for sign in (-1, 1):
            ear_centre = (cx + sign * 1.0 * radius, cy + 0.25 * radius)
            fill_polygon(canvas, _ellipse(ear_centre, 0.32 * radius, 0.85 * radius, sign * droop))
        fill_polygon(canvas, _ellipse((cx, cy + 0.6 * radius), 0.42 * radius, 0.38 * radius))
    return canvas.astype(bool)


def _texture_panel(rng, size: int):
    """A panel of cage bars or bricks: its mask (size, size) and its pixels (size, size, 3)."""
    width = rng.uniform(0.3, 0.55) * size
    left = rng.uniform(0, size - width)
    panel = np.zeros((size, size), bool)
    panel[:, int(left):int(np.ceil(left + width))] = True
    rows, cols = np.mgrid[0:size, 0:size].astype(np.float32)
    if rng.random() < 0.5:  # cage bars: dark vertical bars
        period = rng.uniform(0.08, 0.12) * size
        thickness = rng.uniform(0.3, 0.45) * period
        bar = ((cols - rng.uniform(0, period)) % period) < thickness
        metal = np.array([0.12, 0.12, 0.14]) + rng.uniform(0, 0.08)
        gap = np.array([0.75, 0.75, 0.72]) + rng.uniform(-0.1, 0.1, 3)
        pattern = np.where(bar[..., np.newaxis], metal, gap)
    else:  # bricks: staggered red-brown bricks with light mortar
        brick_h = rng.uniform(0.07, 0.1) * size
        brick_w = 2.2 * brick_h
        course = np.floor(rows / brick_h)
        shifted = cols + (course % 2) * brick_w / 2
        mortar = ((rows % brick_h) < 1.2) | ((shifted % brick_w) < 1.2)
        brick = np.array([0.62, 0.28, 0.18]) + rng.uniform(-0.06, 0.06, 3)
        pattern = np.where(mortar[..., np.newaxis], np.array([0.85, 0.82, 0.75]), brick)
    return panel, pattern.astype(np.float32)


def _person(rng, size: int, side: int):
    """A person standing at one side, cut by the bottom edge: mask and pixels."""
    head_r = rng.uniform(0.08, 0.11) * size
    cx = rng.uniform(0.12, 0.3) * size
    cx = cx if side < 0 else size - cx
    cy = rng.uniform(0.2, 0.4) * size
    canvas = np.zeros((size, size), np.uint8)
    fill_disc(canvas, (cx, cy), head_r)
    neck = cy + head_r * 1.1
    body = np.array([[cx - 1.3 * head_r, neck], [cx + 1.3 * head_r, neck],
                     [cx + 2.0 * head_r, size + 1], [cx - 2.0 * head_r, size + 1]])
    fill_polygon(canvas, body)
    mask = canvas.astype(bool)
    skin = np.array([0.85, 0.66, 0.52]) * rng.uniform(0.6, 1.05)
    clothes = rng.uniform(0.1, 0.9, 3)
    rows = np.arange(size)[:, np.newaxis, np.newaxis]
    pixels = np.where(rows < neck, skin, clothes) * np.ones((size, size, 3))
    return mask, pixels.astype(np.float32)


def _occluder(rng, size: int, head: np.ndarray):
    """A post (vertical) or table edge (from below) hiding 25-50 % of the head."""
    rows, cols = np.nonzero(head)
    area = rows.size
    vertical = rng.random() < 0.5
    coords = np.sort(cols if vertical else rows)
    share = rng.uniform(0.25, 0.5)
    mask = np.zeros((size, size), bool)
    if vertical and rng.random() < 0.5:  # a post over the left part of the head
        edge = coords[int(share * area)]
        mask[:, max(0, coords[0] - 2):edge] = True
    elif vertical:  # a post over the right part
        edge = coords[area - 1 - int(share * area)]
        mask[:, edge + 1:min(size, coords[-1] + 3)] = True
    else:  # a table edge from below
        edge = coords[area - 1 - int(share * area)]
        mask[edge + 1:, :] = True
    colour = np.array([0.45, 0.32, 0.2]) + rng.uniform(-0.1, 0.1, 3)
    return mask, colour.astype(np.float32)
