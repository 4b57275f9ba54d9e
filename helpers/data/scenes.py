"""Multi-object detection scenes: several shapes per image, each with class, box and mask.

Each image shows 1 to 4 (by default) objects of the :func:`~helpers.data.shapes`
classes, of several sizes, on the same textured backgrounds as the shapes set. Some
objects overlap (the later one is drawn on top, and each object keeps at least
``min_visible`` of its pixels), some are small. Optionally a *distractor* (a shape of
a class that is not a target, e.g. a ring) sits right next to some objects: a
detector should ignore it, and an explanation of a detection should not point at it.

Ground truth follows COCO's convention: an object's mask is its *visible* pixels and
its box is the tight box around that mask (``xyxy`` float pixels, exclusive right and
bottom edges), so ``boxes == boxes_from_masks(masks)`` object by object.
"""
from __future__ import annotations

import numpy as np

from .._checks import check_int, check_real
from ._checks import MAX_SIDE, check_pixel_budget, make_rng
from ._drawing import fill_disc, fill_polygon
from .detectionset import DetectionSet, pad_objects
from .shapes import (
    _BACKGROUNDS,
    _background,
    _check_classes,
    _contrasting_colour,
    _rectangle,
    _regular_polygon,
    boxes_from_masks,
    SHAPE_CLASSES,
)
from . import _textures

__all__ = ["detection_scenes", "DEFAULT_SCENE_CLASSES"]

#: The target classes of :func:`detection_scenes` unless told otherwise.
DEFAULT_SCENE_CLASSES = ("circle", "square", "triangle")

_PLACEMENT_TRIES = 40  # positions tried for one object of one size
_OBJECT_ROUNDS = 5  # sizes tried for one object before the layout starts again
_LAYOUT_ROUNDS = 20  # layouts tried for one image before giving up with an error


def detection_scenes(
    n: int,
    size: int = 64,
    classes=DEFAULT_SCENE_CLASSES,
    objects=(1, 4),
    object_size=(8.0, 40.0),
    overlap: float = 0.3,
    distractors: float = 0.0,
    distractor_class: str = "ring",
    min_visible: float = 0.75,
    seed: int = 0,
) -> DetectionSet:
    """``n`` RGB scenes with several labelled objects each.

    Parameters
    ----------
    n : int, >= 1
        Number of images.
    size : int, >= 32
        Height and width of the square images, in pixels.
    classes : sequence of str
        Target classes, from :data:`~helpers.data.SHAPE_CLASSES`; label ``i`` is
        ``classes[i]``. Each object's class is drawn uniformly.
    objects : (int, int)
        Smallest and largest number of objects per image (inclusive); the count is
        drawn uniformly, and every image has exactly the count drawn (an object that
        finds no room is drawn again, smaller or larger; a layout with no room for
        all of them starts again; a ``ValueError`` says which argument to change
        if the objects cannot fit). ``(0, k)`` allows empty images.
    object_size : (float, float)
        Smallest and largest object diameter in pixels (the diameter of the circle
        through a polygon's corners), drawn uniformly. At least 6, at most ``0.75 * size``.
    overlap : float in [0, 1]
        Probability that an object (after the first) is placed against an earlier
        one so that the two overlap; otherwise it goes anywhere it fits.
    distractors : float in [0, 1]
        Probability that an object gets a distractor next to it (touching distance,
        never covering a target object).
    distractor_class : str
        The distractor's shape; must not be one of ``classes``.
    min_visible : float in (0, 1]
        Every object keeps at least this share of its pixels visible.
    seed : int
        Same value, same scenes.

    Returns
    -------
    DetectionSet
        ``images`` float32 (n, size, size, 3) in [0, 1]; ``boxes`` (n, M, 4),
        ``labels`` (n, M), ``masks`` (n, M, size, size), ``counts`` (n,) with
        M = the largest object count. ``extras``: ``"backgrounds"`` (n,) style
        names; ``"distractor_boxes"`` (n, D, 4) NaN-padded, ``"distractor_masks"``
        (n, D, size, size), ``"distractor_counts"`` (n,), ``"distractor_of"``
        (n, D) int64, the slot of the object each distractor stands next to (-1 in
        padding); ``"diameters"`` (n, M) float32, the drawn diameters (NaN padding).

    Examples
    --------
    >>> scenes = detection_scenes(100, seed=1)
    >>> scenes.images.shape, bool(scenes.counts.min() >= 1)
    ((100, 64, 64, 3), True)
    """
    n = check_int(n, "n", low=1)
    size = check_int(size, "size", low=32, high=MAX_SIDE)
    classes = _check_classes(classes)
    low_count, high_count = _check_pair(objects, "objects", int)
    check_int(low_count, "objects[0] (fewest objects)", low=0)
    check_int(high_count, "objects[1] (most objects)", low=max(low_count, 1), high=12)
    low_size, high_size = _check_pair(object_size, "object_size", float)
    check_real(low_size, "object_size[0] (smallest diameter)", low=6.0, high=size * 0.75)
    check_real(high_size, "object_size[1] (largest diameter)", low=low_size, high=size * 0.75)
    overlap = check_real(overlap, "overlap", low=0.0, high=1.0)
    distractors = check_real(distractors, "distractors", low=0.0, high=1.0)
    if distractor_class not in SHAPE_CLASSES or distractor_class in classes:
        raise ValueError(
            f"distractor_class must be a shape class from {SHAPE_CLASSES} that is not a "
            f"target class {classes}, got {distractor_class!r}."
        )
    min_visible = check_real(min_visible, "min_visible", low=0.0, high=1.0, low_open=True)
    # float32 pixels plus one bool mask per object slot (a quarter of a float each)
    check_pixel_budget(n, size, size, 3 + -(-high_count // 4))
    rng = make_rng(seed)

    images = np.empty((n, size, size, 3), np.float32)
    styles = rng.integers(len(_BACKGROUNDS), size=n)
    all_labels, all_masks, all_diameters = [], [], []
    d_masks, d_of = [], []
    for i in range(n):
        background, colours = _background(rng, size, _BACKGROUNDS[styles[i]])
        n_objects = int(rng.integers(low_count, high_count + 1))
        for _ in range(_LAYOUT_ROUNDS):  # start the image again if an object found no room
            layout = _place_objects(
                rng, n_objects, len(classes), classes, size, (low_size, high_size),
                overlap, min_visible,
            )
            if layout is not None:
                break
        else:
            raise ValueError(
                f"detection_scenes could not fit {n_objects} objects of diameter "
                f"{low_size:g} to {high_size:g} px into a {size} x {size} image with "
                f"min_visible={min_visible:g} of each one showing (image {i}, "
                f"{_LAYOUT_ROUNDS} layouts tried): lower objects[1] (most objects) or "
                "object_size[1] (largest diameter), lower min_visible, or raise size."
            )
        labels, full, diameters = layout
        distractor_full, distractor_of = _place_distractors(
            rng, full, diameters, distractors, distractor_class, size
        )
        image = background
        layers = [(m, "distractor") for m in distractor_full] + [(m, "object") for m in full]
        for mask, _ in layers:  # distractors first, so objects are never covered
            colour = _contrasting_colour(rng, colours)
            shading = 0.85 + 0.15 * _textures.smooth_noise(rng, size, size, 2)[..., None]
            image = np.where(mask[..., None], colour * shading, image)
        images[i] = image
        all_labels.append(labels)
        all_masks.append(_visible(full, size))
        all_diameters.append(diameters)
        covered = np.any(full, axis=0) if full else np.zeros((size, size), bool)
        d_masks.append(np.array([m & ~covered for m in distractor_full]).reshape(-1, size, size))
        d_of.append(np.asarray(distractor_of, np.int64))
    images += 0.03 * rng.standard_normal(images.shape, dtype=np.float32)
    np.clip(images, 0.0, 1.0, out=images)

    counts = np.array([len(labels) for labels in all_labels], np.int64)
    masks = pad_objects(all_masks, False, bool, (size, size))
    boxes = _padded_boxes(masks, counts)
    d_counts = np.array([len(m) for m in d_masks], np.int64)
    d_masks_padded = pad_objects(d_masks, False, bool, (size, size))
    extras = {
        "backgrounds": np.array(_BACKGROUNDS)[styles],
        "diameters": pad_objects(all_diameters, np.nan, np.float32),
        "distractor_boxes": _padded_boxes(d_masks_padded, d_counts),
        "distractor_masks": d_masks_padded,
        "distractor_counts": d_counts,
        "distractor_of": pad_objects(d_of, -1, np.int64),
        "distractor_class": distractor_class,
    }
    return DetectionSet(
        images=images,
        boxes=boxes,
        labels=pad_objects(all_labels, -1, np.int64),
        counts=counts,
        class_names=classes,
        masks=masks,
        extras=extras,
    )


# ---------------------------------------------------------------- validation
def _check_pair(value, name: str, kind) -> tuple:
    if isinstance(value, (str, bytes)) or not hasattr(value, "__len__") or len(value) != 2:
        raise TypeError(f"{name} must be a pair (smallest, largest), got {value!r}.")
    low, high = value
    if kind is int:
        check_int(low, f"{name}[0]"), check_int(high, f"{name}[1]")
    else:
        check_real(low, f"{name}[0]"), check_real(high, f"{name}[1]")
    return low, high


# ---------------------------------------------------------------- placement
def _shape_mask(name: str, size: int, centre, radius: float, angle: float) -> np.ndarray:
    """Bool (size, size) mask of one shape with circumradius ``radius`` at ``centre`` (x, y)."""
    canvas = np.zeros((size, size), np.uint8)
    if name == "circle":
        fill_disc(canvas, centre, radius, 1)
    elif name == "ring":
        fill_disc(canvas, centre, radius, 1)
        fill_disc(canvas, centre, radius * 0.55, 0)
    elif name == "square":
        fill_polygon(canvas, _regular_polygon(centre, radius, 4, angle))
    elif name == "triangle":
        fill_polygon(canvas, _regular_polygon(centre, radius, 3, angle))
    elif name == "star":
        outer = _regular_polygon(centre, radius, 5, angle)
        inner = _regular_polygon(centre, radius * 0.42, 5, angle + np.pi / 5)
        fill_polygon(canvas, np.stack([outer, inner], axis=1).reshape(-1, 2))
    else:  # "cross"
        for arm in (angle, angle + np.pi / 2):
            fill_polygon(canvas, _rectangle(centre, radius * 0.95, radius * 0.3, arm))
    return canvas.astype(bool)


def _visible(full: list[np.ndarray], size: int) -> np.ndarray:
    """Visible part of each mask when later masks are drawn on top: (K, size, size)."""
    visible = np.zeros((len(full), size, size), bool)
    on_top = np.zeros((size, size), bool)
    for j in range(len(full) - 1, -1, -1):
        visible[j] = full[j] & ~on_top
        on_top |= full[j]
    return visible


def _place_objects(rng, n_objects, n_classes, classes, size, diameters, overlap, min_visible):
    """Labels (K,), full masks (list of K (size, size) bool) and diameters (K,), with
    K == n_objects exactly, or None when this layout left no room for an object."""
    labels, full, drawn = [], [], []
    for _ in range(n_objects):
        label = int(rng.integers(n_classes))
        for _ in range(_OBJECT_ROUNDS):  # a fresh size and angle each round
            placed = _place_one(rng, classes[label], full, drawn, size, diameters,
                                overlap, min_visible)
            if placed is not None:
                labels.append(label), full.append(placed[0]), drawn.append(placed[1])
                break
        else:
            return None
    return labels, full, drawn


def _place_one(rng, name, full, drawn, size, diameters, overlap, min_visible):
    """One object's (full mask, diameter) placed among ``full``, or None."""
    diameter = float(rng.uniform(*diameters))
    radius = diameter / 2
    angle = rng.uniform(0, 2 * np.pi)
    against = full and rng.random() < overlap
    for _ in range(_PLACEMENT_TRIES):
        if against:  # next to an earlier object, closer than touching distance
            anchor = int(rng.integers(len(full)))
            centre = _centre_of(full[anchor])
            reach = (drawn[anchor] / 2 + radius) * rng.uniform(0.45, 0.85)
            direction = rng.uniform(0, 2 * np.pi)
            centre = centre + reach * np.array([np.cos(direction), np.sin(direction)])
        else:
            centre = rng.uniform(radius + 1, size - radius - 1, size=2)
        if not (radius + 1 <= centre[0] <= size - radius - 1
                and radius + 1 <= centre[1] <= size - radius - 1):
            continue
        mask = _shape_mask(name, size, centre, radius, angle)
        visible = _visible(full + [mask], size)
        kept = [v.sum() / max(m.sum(), 1) for v, m in zip(visible, full + [mask])]
        if mask.any() and min(kept) >= min_visible:
            return mask, diameter
    return None


def _centre_of(mask: np.ndarray) -> np.ndarray:
    rows, cols = np.nonzero(mask)
    return np.array([cols.mean() + 0.5, rows.mean() + 0.5])


def _place_distractors(rng, full, diameters, probability, name, size):
    """Distractor masks (list of (size, size) bool) and the object index each one is next to."""
    masks, owners = [], []
    taken = np.any(full, axis=0) if full else np.zeros((size, size), bool)
    grown = _dilate(taken)
    for j, (mask, diameter) in enumerate(zip(full, diameters)):
        if rng.random() >= probability:
            continue
        radius = max(diameter / 2 * rng.uniform(0.7, 1.0), 3.0)
        for _ in range(_PLACEMENT_TRIES):
            direction = rng.uniform(0, 2 * np.pi)
            gap = diameter / 2 + radius + rng.uniform(1.0, 3.0)
            centre = _centre_of(mask) + gap * np.array([np.cos(direction), np.sin(direction)])
            if not (radius + 1 <= centre[0] <= size - radius - 1
                    and radius + 1 <= centre[1] <= size - radius - 1):
                continue
            candidate = _shape_mask(name, size, centre, radius, rng.uniform(0, 2 * np.pi))
            if candidate.any() and not (candidate & grown).any():
                masks.append(candidate), owners.append(j)
                grown |= _dilate(candidate)
                break
    return masks, owners


def _dilate(mask: np.ndarray) -> np.ndarray:
    """Grow a bool mask by one pixel (4-neighbourhood and diagonals)."""
    padded = np.pad(mask, 1)
    out = np.zeros_like(mask)
    for dy in (0, 1, 2):
        for dx in (0, 1, 2):
            out |= padded[dy:dy + mask.shape[0], dx:dx + mask.shape[1]]
    return out


def _padded_boxes(masks: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """(N, M, 4) float32 tight boxes of padded masks (N, M, H, W); NaN in padding."""
    n, slots = masks.shape[:2]
    boxes = np.full((n, slots, 4), np.nan, np.float32)
    if slots:
        flat = boxes_from_masks(masks.reshape(n * slots, *masks.shape[2:])).reshape(n, slots, 4)
        real = np.arange(slots)[np.newaxis, :] < counts[:, np.newaxis]
        boxes[real] = flat[real]
    return boxes
