"""The warning a metric emits where it is undefined, and the one function that emits it.

``helpers.metrics.UndefinedMetricWarning`` (re-exported by :mod:`helpers.metrics`) is
public: catch or filter it as scikit-learn's warning of the same name, e.g.
``warnings.simplefilter("ignore", helpers.metrics.UndefinedMetricWarning)``.
:mod:`helpers.detection` emits it too (a mean AP over no class).
"""
from __future__ import annotations

import warnings

__all__ = ["UndefinedMetricWarning", "warn_undefined"]


class UndefinedMetricWarning(UserWarning):
    """A metric was asked for where it is undefined (e.g. precision with no positive
    prediction); a conventional value (0, 1 or NaN) was returned instead."""


def warn_undefined(message: str, stacklevel: int = 3) -> None:
    """Emit an :class:`UndefinedMetricWarning` pointing at the caller's caller."""
    warnings.warn(message, UndefinedMetricWarning, stacklevel=stacklevel)
