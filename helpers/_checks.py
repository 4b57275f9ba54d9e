"""Argument checks shared across ``helpers``: one clear message per kind of mistake."""
from __future__ import annotations

import numbers


def check_int(value, name: str, minimum: int, note: str = "") -> int:
    """Return ``value`` as an int, or raise if it is not an integer >= ``minimum``.

    ``True``/``False`` and floats such as ``64.0`` are refused rather than coerced
    (``TypeError``); an integer below ``minimum`` is a ``ValueError``. ``note`` is
    appended to the ``ValueError`` message, e.g. to say what a value means.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value}{note}")
    return int(value)
