"""Procedural "tank in a forest" scenes that reproduce the tank story.

The story (from the notes on heatmaps; most likely an urban legend): a network learned to tell photos
of camouflaged tanks from photos of empty forest, and scored perfectly on held-out
photos, but failed in the field, because every tank photo had been taken on a cloudy
day and every forest photo on a sunny one. It had learned the weather.

:func:`tank_scenes` makes that data set on demand. Each scene is a sky above a forest;
half the scenes hide a camouflaged tank among the trees. The weather is drawn in the
sky for *both* classes, as something a model can see: a blue sky with a sun disc
("sunny") or a grey sky with clouds ("cloudy"). With ``confounded=True`` tanks only
appear on cloudy days, as in the story; with ``confounded=False`` the weather is
independent of the label. The forest looks the same whatever the weather, so a model
that learned the weather looks at the sky, and a heatmap can show it.
"""
from __future__ import annotations

import numpy as np

from . import _textures
from .._checks import check_bool, check_int
from ._checks import MAX_SIDE, check_pixel_budget, make_rng
from ._drawing import fill_polygon
from .imageset import ImageSet
from .shapes import boxes_from_masks

__all__ = ["tank_scenes", "WEATHER_NAMES"]

#: Names of the weather codes in ``extras["weather"]``: 0 sunny, 1 cloudy.
WEATHER_NAMES = ("sunny", "cloudy")
SUNNY, CLOUDY = 0, 1
FOREST, TANK = 0, 1

_MIN_SIZE = 32
_HORIZON_RANGE = (0.27, 0.45)  # base of the tree line, as a fraction of the height
_MIN_SKY_FRACTION = 0.2  # the top fifth of every scene is sky
_SKY_ROWS_AT_MOST = 0.55  # the tree line never dips below 55 % of the height


def tank_scenes(n: int, size: int = 64, confounded: bool = True, seed: int = 0) -> ImageSet:
    """``n`` forest scenes, half of them with a camouflaged tank, under varying weather.

    Parameters
    ----------
    n : int, >= 2
        Number of scenes; half are "forest" (label 0), half "tank" (label 1)
        (one more forest scene when ``n`` is odd).
    size : int, >= 32
        Height and width of the square images, in pixels.
    confounded : bool
        If True, the weather gives the label away, as in the story: every tank
        scene is cloudy and every forest scene sunny. If False, each class is
        half sunny, half cloudy, so only the tank itself tells the classes apart.
    seed : int
        Seed of the generator: the same seed gives the same scenes.

    Returns
    -------
    ImageSet
        ``images`` float32 (n, size, size, 3) in [0, 1]; ``labels`` int64
        (0 forest, 1 tank); ``class_names`` ``("forest", "tank")``;
        ``boxes`` float32 (n, 4), the tank's tight ``xyxy`` box in pixels
        (exclusive right/bottom edges; a NaN row for forest scenes);
        ``masks`` bool (n, size, size), ``True`` on the tank's pixels.
        ``extras``:

        - ``"sky_masks"``: bool (n, size, size), ``True`` on sky pixels (above the
          tree line); the top fifth of every image is sky, and the ragged tree
          line sits at about 25-47 % of the height (the sky covers ~35 % of an
          image on average);
        - ``"sky_boxes"``: float32 (n, 4), the sky's ``xyxy`` box;
        - ``"weather"``: int64 (n,), 0 sunny (blue sky, sun disc), 1 cloudy
          (grey sky, clouds);
        - ``"weather_names"``: ``("sunny", "cloudy")``.

    Examples
    --------
    >>> train = tank_scenes(1000, confounded=True, seed=0)
    >>> field_test = tank_scenes(400, confounded=False, seed=1)
    >>> bool((train.extras["weather"] == train.labels).all())   # tanks on cloudy days
    True
    """
    n = check_int(n, "n", low=2)
    size = check_int(size, "size", low=_MIN_SIZE, high=MAX_SIDE)
    confounded = check_bool(confounded, "confounded")
    check_pixel_budget(n, size, size, 3)
    rng = make_rng(seed)

    labels = rng.permutation(np.arange(n) % 2).astype(np.int64)
    weather = _choose_weather(rng, labels, bool(confounded))
    images = np.empty((n, size, size, 3), np.float32)
    sky_masks = np.empty((n, size, size), bool)
    tank_masks = np.zeros((n, size, size), bool)
    for i in range(n):
        tree_line = _tree_line(rng, size)
        sky_masks[i] = np.arange(size)[:, np.newaxis] < tree_line[np.newaxis, :]
        sky = _sunny_sky(rng, size) if weather[i] == SUNNY else _cloudy_sky(rng, size)
        scene = np.where(sky_masks[i][..., np.newaxis], sky, _forest(rng, size))
        if labels[i] == TANK:
            tank_masks[i], tank = _tank(rng, size, top_limit=int(tree_line.max()) + 2)
            scene = np.where(tank_masks[i][..., np.newaxis], tank, scene)
        images[i] = scene
    images += 0.02 * rng.standard_normal(images.shape, dtype=np.float32)  # film grain
    np.clip(images, 0.0, 1.0, out=images)
    return ImageSet(
        images=images,
        labels=labels,
        class_names=("forest", "tank"),
        boxes=boxes_from_masks(tank_masks),
        masks=tank_masks,
        extras={
            "sky_masks": sky_masks,
            "sky_boxes": boxes_from_masks(sky_masks),
            "weather": weather,
            "weather_names": WEATHER_NAMES,
        },
    )


def _choose_weather(rng: np.random.Generator, labels: np.ndarray, confounded: bool) -> np.ndarray:
    """Weather code per scene: equal to the label if confounded, else half/half per class."""
    if confounded:
        return np.where(labels == TANK, CLOUDY, SUNNY).astype(np.int64)
    weather = np.empty_like(labels)
    for label in (FOREST, TANK):
        members = np.flatnonzero(labels == label)
        weather[members] = rng.permutation(np.arange(members.size) % 2)
    return weather


# ------------------------------------------------------------------ the sky
def _tree_line(rng: np.random.Generator, size: int) -> np.ndarray:
    """Row where the forest starts in each column, shape (size,), int.

    A base line at 27-45 % of the height, made ragged by a slow wobble (+-3 %)
    and by pointed tree tops (up to 4 % higher); never inside the top fifth of the
    image, never below 55 % of its height.
    """
    horizon = rng.uniform(*_HORIZON_RANGE) * size
    wobble = (_textures.smooth_noise(rng, 1, size, cells=4)[0] - 0.5) * 0.06 * size
    columns = np.arange(size)
    crowns = np.zeros(size)
    x = rng.uniform(-3, 0)
    while x < size:  # a row of conifer tops: triangles of random width and height
        half_width = rng.uniform(0.03, 0.06) * size
        height = rng.uniform(0.01, 0.04) * size
        crowns = np.maximum(crowns, height * (1 - np.abs(columns - x) / half_width))
        x += half_width * rng.uniform(1.0, 1.8)
    line = np.round(horizon + wobble - crowns).astype(int)
    return np.clip(line, int(np.ceil(_MIN_SKY_FRACTION * size)), int(_SKY_ROWS_AT_MOST * size))


def _sunny_sky(rng: np.random.Generator, size: int) -> np.ndarray:
    """A clear blue sky, deeper blue at the zenith, with a bright sun disc and its glow.

    The sun sits in the top fifth of the image, which is always sky.
    """
    zenith = np.array([0.15, 0.40, 0.85]) + rng.uniform(-0.05, 0.05, 3)
    horizon = np.array([0.35, 0.60, 0.95]) + rng.uniform(-0.05, 0.05, 3)
    rows = np.linspace(0.0, 1.0, size, dtype=np.float32)[:, np.newaxis]
    paling = np.clip(2.5 * rows, 0.0, 1.0)  # palest from 40 % of the height down
    sky = _textures.blend(np.repeat(paling, size, axis=1), zenith, horizon)

    radius = rng.uniform(0.06, 0.09) * size
    centre_x = rng.uniform(radius + 1, size - radius - 1)
    centre_y = rng.uniform(radius + 1, _MIN_SKY_FRACTION * size - 1)
    ys, xs = np.mgrid[0:size, 0:size].astype(np.float32)
    distance = np.hypot(xs - centre_x, ys - centre_y)
    sun = np.array([1.0, 0.95, 0.65], np.float32)
    glow = 0.4 * np.exp(-((distance / (1.5 * radius)) ** 2))[..., np.newaxis]
    sky = (1 - glow) * sky + glow * sun
    return np.where((distance <= radius)[..., np.newaxis], sun, sky).astype(np.float32)


def _cloudy_sky(rng: np.random.Generator, size: int) -> np.ndarray:
    """An overcast grey sky covered with lighter and darker clouds."""
    level = rng.uniform(0.62, 0.75)
    # the clouds' contrast is spread over the part of the image that can be sky
    sky_rows = int(np.ceil(_SKY_ROWS_AT_MOST * size))
    clouds = _textures.fractal_noise(rng, sky_rows, size, cells=(3, 6, 12))
    clouds = np.pad(clouds, ((0, size - sky_rows), (0, 0)), mode="edge")
    light = np.clip((clouds - 0.35) * 3.0, 0.0, 1.0)  # puffy white tops
    dark = np.clip((0.25 - clouds) * 3.0, 0.0, 1.0)  # shaded undersides
    grey = level + 0.25 * light - 0.22 * dark
    tint = np.array([0.0, 0.01, 0.04], np.float32)  # a hint of blue
    return (grey[..., np.newaxis] + tint).astype(np.float32)


# --------------------------------------------------------------- the forest
def _forest(rng: np.random.Generator, size: int) -> np.ndarray:
    """Dense forest (size, size, 3): dark foliage, lighter leaves, brown trunks.

    Drawn the same way whatever the weather, so the forest tells nothing about it.
    """
    foliage = _textures.fractal_noise(rng, size, size, cells=(4, 8, 16))
    forest = _textures.blend(foliage, [0.05, 0.16, 0.06], [0.22, 0.40, 0.14])
    n_trunks = int(rng.integers(4, 9))
    for x in rng.uniform(0, size, n_trunks):
        width = max(1, int(round(rng.uniform(0.01, 0.03) * size)))
        shade = rng.uniform(0.15, 0.30)
        forest[:, int(x) : int(x) + width] = [shade, shade * 0.75, shade * 0.45]
    leaves = _textures.smooth_noise(rng, size, size, cells=size // 4)
    forest = np.where((leaves > 0.75)[..., np.newaxis], forest * 1.25, forest)  # sunlit leaves
    return np.clip(forest, 0.0, 1.0).astype(np.float32)


# ----------------------------------------------------------------- the tank
def _tank(rng: np.random.Generator, size: int, top_limit: int):
    """A camouflaged tank below the tree line: its mask and its painted pixels.

    Returns
    -------
    mask : ndarray, bool, shape (size, size)
        Hull, turret and barrel.
    paint : ndarray, float32, shape (size, size, 3)
        Camouflage colours (olive, brown, dark green blotches), darker tracks.
    """
    length = rng.uniform(0.30, 0.45) * size  # hull length, in pixels
    hull_height = 0.33 * length
    turret_height = 0.25 * length
    total_height = hull_height + turret_height
    lowest, highest = size - 2, max(top_limit + total_height, 0.7 * size)
    bottom = rng.uniform(min(highest, lowest), lowest)
    left = rng.uniform(1, size - length - 1)
    facing = rng.choice([-1, 1])  # barrel points left or right

    hull_top = bottom - hull_height
    hull = np.array(
        [[left, hull_top], [left + length, hull_top],
         [left + 0.88 * length, bottom], [left + 0.12 * length, bottom]]
    )
    turret_left = left + (0.25 if facing > 0 else 0.30) * length
    turret_width = 0.45 * length
    turret = np.array(
        [[turret_left + 0.1 * turret_width, hull_top - turret_height],
         [turret_left + 0.9 * turret_width, hull_top - turret_height],
         [turret_left + turret_width, hull_top], [turret_left, hull_top]]
    )
    barrel_y = hull_top - 0.6 * turret_height
    barrel_start = turret_left + (turret_width if facing > 0 else 0)
    barrel_end = np.clip(barrel_start + facing * 0.45 * length, 0, size - 1)
    thickness = max(1.0, 0.05 * length)

    barrel = np.array(
        [[barrel_start, barrel_y - thickness / 2], [barrel_end, barrel_y - thickness / 2],
         [barrel_end, barrel_y + thickness / 2], [barrel_start, barrel_y + thickness / 2]]
    )
    mask = np.zeros((size, size), np.uint8)
    for corners in (hull, turret, barrel):
        fill_polygon(mask, corners)

    camouflage = _textures.smooth_noise(rng, size, size, cells=int(size / 6))
    olive = np.array([0.40, 0.40, 0.20]) + rng.uniform(-0.04, 0.04, 3)
    brown = np.array([0.38, 0.27, 0.15]) + rng.uniform(-0.04, 0.04, 3)
    dark = np.array([0.12, 0.18, 0.09])
    paint = np.where(
        (camouflage < 0.35)[..., np.newaxis], brown,
        np.where((camouflage > 0.7)[..., np.newaxis], dark, olive),
    ).astype(np.float32)
    rows = np.arange(size)[:, np.newaxis, np.newaxis]
    tracks = rows >= bottom - 0.35 * hull_height
    paint = np.where(tracks, np.float32(0.12), paint)
    return mask.astype(bool), paint.astype(np.float32)
