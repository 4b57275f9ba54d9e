"""Claims: the checks that keep a chapter's text true of the run beside it.

Every number, ranking or direction that a chapter's prose states is checked in a
hidden cell by :func:`claim`, which compares the value the run measured with the bound
the text states::

    helpers.claim("held-out accuracy", held_out_acc, ">=", 0.9)
    helpers.claim("Score-CAM weights differ", p.max() - p.min(), ">", 0.2)
    helpers.claim("field accuracy", field_acc, "between", (0.35, 0.65))
    helpers.claim("Eigen-CAM is class-agnostic", np.array_equal(a, b))

What happens when a claim does not hold depends on who runs the chapter
(``HELPERS_CLAIMS``):

``strict``  the book build and the test suite (``tests/conftest.py`` and the book's
            Sphinx extension set it): a :class:`ClaimError` (an ``AssertionError``)
            stops the chapter, and the build fails with the chapter's name;
``report``  a reader's run (Colab, a downloaded notebook, JupyterLab; the default):
            nothing is raised; one sentence says what the text states and what this
            run gave. Training runs differ from machine to machine, and a reader's copy
            must never stop on a check of the text.

With ``HELPERS_CLAIMS_LOG`` set to a file path, every claim appends one JSON line
(what, value, operator, bound, margin, held) to that file. ``tools/claim_margins.py``
uses it to print each guard's margin over several training runs, so that a thin guard
is seen before it fails on another machine.
"""
from __future__ import annotations

import json
import math
import os

from ._checks import is_real, describe

MODE_VAR = "HELPERS_CLAIMS"
LOG_VAR = "HELPERS_CLAIMS_LOG"
MODES = ("strict", "report")
OPERATORS = ("<", "<=", ">", ">=", "==", "!=", "between")

_WORDS = {"<": "below", "<=": "at most", ">": "above", ">=": "at least",
          "==": "equal to", "!=": "different from", "between": "between"}


class ClaimError(AssertionError):
    """A chapter's claim does not hold in this run (raised in ``strict`` mode only)."""


def mode() -> str:
    """``"strict"`` or ``"report"``, from ``HELPERS_CLAIMS`` (default ``"report"``)."""
    value = os.environ.get(MODE_VAR, "report").strip().lower() or "report"
    if value not in MODES:
        raise ValueError(f"{MODE_VAR} must be one of {MODES}, got {value!r}")
    return value


def _number(value, name: str) -> float:
    """A real scalar as float (NumPy scalars and 0-d arrays too; NaN kept), else TypeError."""
    if getattr(value, "shape", None) == () and hasattr(value, "item"):
        value = value.item()                   # a 0-d array
    if not is_real(value):
        raise TypeError(f"{name} must be a real number, got {describe(value)}")
    return float(value)


def _format(x) -> str:
    if isinstance(x, float):
        return f"{x:.4g}"
    return repr(x) if isinstance(x, str) else str(x)


def _margin(value: float, op: str, bound) -> float:
    """How far inside (positive) or outside (negative) the bound the value lies."""
    if op in (">", ">="):
        return value - bound
    if op in ("<", "<="):
        return bound - value
    low, high = bound
    return min(value - low, high - value)


def _holds(value, op: str, bound) -> bool:
    if op == "<":
        return value < bound
    if op == "<=":
        return value <= bound
    if op == ">":
        return value > bound
    if op == ">=":
        return value >= bound
    if op in ("==", "!="):
        if hasattr(value, "shape") or hasattr(bound, "shape"):
            import numpy as np

            same = bool(np.array_equal(value, bound))
        else:
            same = bool(value == bound)
        return same if op == "==" else not same
    low, high = bound
    return low <= value <= high


def claim(what: str, value, op: str | None = None, bound=None) -> bool:
    """Check one statement of a chapter's text against this run's value.

    Parameters
    ----------
    what : str
        What is claimed, in the words of the text ("held-out accuracy").
    value : real number, or bool when ``op`` is None
        What this run measured.
    op : {"<", "<=", ">", ">=", "==", "!=", "between"} or None
        How ``value`` relates to ``bound``; None: ``value`` is a condition that must be
        true.
    bound : real number, or (low, high) for "between" (inclusive)
        What the text states.

    Returns
    -------
    bool
        Whether the claim holds. In ``strict`` mode a claim that does not hold raises
        :class:`ClaimError` instead; in ``report`` mode it prints one sentence.
    """
    if not isinstance(what, str) or not what.strip():
        raise TypeError(f"what must be a non-empty str, got {what!r:.80}")
    current = mode()
    margin = None
    if op is None:
        if bound is not None:
            raise ValueError("bound is given without op: pass op, e.g. '>='")
        held = bool(value)
        shown, stated = str(held), "true"
    else:
        if op not in OPERATORS:
            raise ValueError(f"op must be one of {OPERATORS}, got {op!r}")
        if op == "between":
            if not (isinstance(bound, (tuple, list)) and len(bound) == 2):
                raise TypeError(f"bound must be (low, high) for 'between', got {bound!r}")
            bound = (_number(bound[0], "low"), _number(bound[1], "high"))
            if bound[0] > bound[1]:
                raise ValueError(f"bound must have low <= high, got {bound}")
        elif op in ("==", "!="):
            pass                                  # any comparable values
        else:
            bound = _number(bound, "bound")
        if op in ("==", "!="):
            held = bool(_holds(value, op, bound))
        else:
            number = _number(value, "value")
            if math.isnan(number):
                held = False                      # NaN satisfies no inequality
            else:
                held = _holds(number, op, bound)
                margin = _margin(number, op, bound)
            value = number
        shown = _format(value)
        stated = (f"between {_format(bound[0])} and {_format(bound[1])}"
                  if op == "between" else f"{_WORDS[op]} {_format(bound)}")
    _log(what, value, op, bound, margin, held)
    if held:
        return True
    if current == "strict":
        raise ClaimError(f"claim not held: {what}: the text says {stated}, "
                         f"this run gave {shown}")
    if op is None:
        said = f"Note: the text's claim \"{what}\" does not hold in your run."
    else:
        said = f"Note: the text says {what} is {stated}; your run gave {shown}."
    print(said + " Training runs differ from machine to machine; the text's figures "
          "come from the book's own runs.")
    return False


def _log(what, value, op, bound, margin, held) -> None:
    path = os.environ.get(LOG_VAR)
    if not path:
        return

    def plain(x):
        if isinstance(x, (tuple, list)):
            return [plain(v) for v in x]
        if isinstance(x, (bool, int, float, str)) or x is None:
            return x
        try:
            return float(x)
        except (TypeError, ValueError):
            return repr(x)[:200]

    record = {"what": what, "value": plain(value), "op": op, "bound": plain(bound),
              "margin": margin, "held": bool(held)}
    with open(path, "a", encoding="utf-8") as log:
        log.write(json.dumps(record) + "\n")


def optional_import(module: str):
    """Import a library that only a chapter's cross-check needs (e.g. pycocotools).

    Returns the module; if it is not installed, raises ``ImportError`` in ``strict``
    mode (the build and tests install every reference library) and returns None in
    ``report`` mode, where the reader's install may not have it.
    """
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        if mode() == "strict":
            raise
        print(f"Note: {module} is not installed; the cross-check against it is skipped "
              f"(pip install {module.split('.')[0]} to run it).")
        return None
