"""What is specific to the loaders' arguments; the checks themselves are :mod:`helpers._checks`."""
from __future__ import annotations


import numpy as np

from .._checks import check_int, check_pair, check_real

__all__ = ["check_fraction", "check_size_pair", "check_pixel_budget", "check_photo_budget",
           "make_rng", "MAX_PIXEL_BYTES", "MAX_SIDE"]

#: Largest image side a loader makes, in pixels.
MAX_SIDE = 4096
#: Largest float32 pixel array a generator makes at once (4 GiB).
MAX_PIXEL_BYTES = 4 * 2**30


def check_fraction(value, name: str) -> float:
    """Return ``value`` as a float, or raise if it is not a number strictly in (0, 1)."""
    return check_real(value, name, low=0.0, high=1.0, low_open=True, high_open=True)


def check_size_pair(size, name: str = "size", minimum: int = 8) -> tuple[int, int]:
    """Return an image size as ``(height, width)``; an int ``s`` means ``(s, s)``.

    Each side is an int in ``[minimum, MAX_SIDE]``: ``16.7`` is refused, not truncated.
    """
    return check_pair(size, name, kind="int", low=minimum, high=MAX_SIDE,
                      words=("height", "width"), allow_scalar=True)


def check_photo_budget(files_per_class, limit, height: int, width: int) -> None:
    """:func:`check_pixel_budget` for a photo loader: ``limit`` photos (or all) of each
    class's files, as RGB ``height x width``, before any photo is read."""
    wanted = sum(len(files) if limit is None else min(limit, len(files))
                 for files in files_per_class)
    check_pixel_budget(wanted, height, width, 3, name="the photos asked for (limit per class)",
                       advice="lower limit or size")


def check_pixel_budget(n: int, height: int, width: int, channels: int, name: str = "n",
                       advice: str = "") -> None:
    """Refuse a set whose float32 pixels would exceed :data:`MAX_PIXEL_BYTES`.

    ``name`` is what sets the number ``n`` of images; ``advice`` replaces the default
    "ask for at most ... images at a time"."""
    n_bytes = 4 * n * height * width * channels
    if n_bytes > MAX_PIXEL_BYTES:
        most = MAX_PIXEL_BYTES // (4 * height * width * channels)
        raise ValueError(
            f"{name}={n} images of {height}x{width}x{channels} would take "
            f"{n_bytes / 2**30:.1f} GiB of float32 pixels (the limit is 4 GiB); "
            f"{advice or f'ask for at most {most} images at a time'}."
        )


def make_rng(seed) -> np.random.Generator:
    """A NumPy random generator from an int seed (``None`` is refused: data must be reproducible)."""
    check_int(seed, "seed", low=0)
    return np.random.default_rng(seed)
