"""Argument checks shared by the loaders: one clear message per kind of mistake."""
from __future__ import annotations

import numbers

import numpy as np

from .._checks import check_int

__all__ = ["check_int", "check_fraction", "check_size_pair", "make_rng"]


def check_fraction(value, name: str) -> float:
    """Return ``value`` as a float, or raise if it is not a number strictly in (0, 1)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number in (0, 1), got {type(value).__name__}.")
    if not 0.0 < float(value) < 1.0:
        raise ValueError(f"{name} must lie strictly between 0 and 1, got {value}.")
    return float(value)


def check_size_pair(size, name: str = "size", minimum: int = 8) -> tuple[int, int]:
    """Return an image size as ``(height, width)``; an int ``s`` means ``(s, s)``."""
    if isinstance(size, numbers.Integral) and not isinstance(size, bool):
        size = (size, size)
    if not isinstance(size, (tuple, list)) or len(size) != 2:
        raise TypeError(f"{name} must be an int or a (height, width) pair, got {size!r}.")
    height = check_int(size[0], f"{name}[0] (height)", minimum)
    width = check_int(size[1], f"{name}[1] (width)", minimum)
    return height, width


def make_rng(seed) -> np.random.Generator:
    """A NumPy random generator from an int seed (``None`` is refused: data must be reproducible)."""
    check_int(seed, "seed", 0)
    return np.random.default_rng(seed)
