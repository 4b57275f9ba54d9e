"""How exercises show themselves: results, hints and solutions as text, HTML and Markdown.

:class:`Result` (what ``check()`` returns), :class:`Hint` and :class:`Solution` print
as plain text and render in Jupyter with a coloured label; :func:`fmt` writes values
in a short, copy-pasteable form. Nothing here judges an answer (that is
:mod:`helpers.exercises.answers`) or holds a question (:mod:`helpers.exercises.questions`).
"""
from __future__ import annotations

import html
import re
import textwrap
from dataclasses import dataclass

import numpy as np

__all__ = ["Result", "Hint", "Solution", "fmt", "CORRECT", "INCORRECT", "NOT_ATTEMPTED"]

CORRECT, INCORRECT, NOT_ATTEMPTED = "correct", "incorrect", "not attempted"

_LABELS = {CORRECT: ("Correct", "#1b7f3b"), INCORRECT: ("Incorrect", "#c62828"),
           NOT_ATTEMPTED: ("Not attempted yet", "#1565c0")}


def fmt(value, max_chars: int = 240, digits: int | None = None) -> str:
    """A short, copy-pasteable text form of a value (arrays as ``np.array([...])``).

    Floats show 6 significant figures and arrays 4 decimals unless ``digits`` asks
    for more (feedback does, when two different values would look the same).
    """
    if isinstance(value, np.ndarray):
        body = np.array2string(value, separator=", ", precision=4 if digits is None else digits, threshold=30, edgeitems=3,
                               max_line_width=100, suppress_small=False)
        plain = value.dtype in (np.dtype(np.float64), np.dtype(np.int64), np.dtype(bool))
        dtype = "" if plain else f", dtype=np.{value.dtype}"
        text = f"np.array({body}{dtype})"
        if value.size > 30:
            text += f"  # shape {value.shape}"
    elif isinstance(value, (bool, np.bool_)):
        text = repr(bool(value))
    elif isinstance(value, np.integer):
        text = repr(int(value))
    elif isinstance(value, (float, np.floating)):
        if np.isfinite(value):
            text = f"{float(value):.{6 if digits is None else digits}g}"
            text += "" if any(c in text for c in ".e") else ".0"
        else:
            text = repr(float(value)).replace("inf", "np.inf").replace("nan", "np.nan")
    elif isinstance(value, tuple):
        inner = ", ".join(fmt(v, max_chars, digits) for v in value)
        text = f"({inner}{',' if len(value) == 1 else ''})"
    elif isinstance(value, list) and len(value) <= 30:
        text = "[" + ", ".join(fmt(v, max_chars, digits) for v in value) + "]"
    else:
        text = repr(value)
    if len(text) > max_chars:
        text = text[: max_chars - 5] + " ...]"
    return text


# Colours that read on light and dark pages alike (JupyterLab, Colab, the book's dark
# mode): text inherits the page's colour, greys are the page colour made fainter, and
# code spans get a translucent background instead of the theme's (light) one.
_CODE_STYLE = ("color:inherit;background:rgba(127,127,127,0.2);padding:0 0.25em;"
               "border-radius:3px;font-size:0.95em")
_PRE_STYLE = "color:inherit;background:transparent;border:none;padding:0;"
_FAINT = "opacity:0.75"


def _inline_html(text: str) -> str:
    """Escape, then render `code` spans and **bold** (the only markup messages use)."""
    escaped = html.escape(text)
    escaped = re.sub(r"`([^`]+)`", rf"<code style='{_CODE_STYLE}'>\1</code>", escaped)
    return re.sub(r"\*\*([^*]+)\*\*", r"<b>\1</b>", escaped)


# --------------------------------------------------------------------------- results
@dataclass(frozen=True)
class Result:
    """What ``check()`` returns. ``bool(result)`` is True only when correct.

    Attributes
    ----------
    status : str
        ``"correct"``, ``"incorrect"`` or ``"not attempted"``.
    message : str
        One or two sentences (with `code` in backticks).
    details : tuple of (str, str)
        Labelled lines shown under the message, e.g. ``("expected", "0.9")``.
    question : str
        Which question, e.g. ``"Question 2"``.
    """

    status: str
    message: str
    details: tuple[tuple[str, str], ...] = ()
    question: str = ""

    def __bool__(self) -> bool:
        return self.status == CORRECT

    @property
    def correct(self) -> bool:
        return self.status == CORRECT

    @property
    def label(self) -> str:
        return _LABELS[self.status][0]

    def __str__(self) -> str:
        where = f" ({self.question})" if self.question else ""
        lines = [f"{self.label}{where}: {self.message}"]
        width = max((len(name) for name, _ in self.details), default=0)
        for name, value in self.details:
            value_lines = str(value).splitlines() or [""]
            lines.append(f"  {name + ':':<{width + 1}} {value_lines[0]}")
            lines.extend(f"  {'':<{width + 1}} {more}" for more in value_lines[1:])
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        label, colour = _LABELS[self.status]
        where = f" <span style='{_FAINT}'>({html.escape(self.question)})</span>" if self.question else ""
        rows = "".join(
            f"<tr><td style='text-align:left;padding-right:1em;{_FAINT}'>{html.escape(name)}</td>"
            f"<td style='text-align:left'><pre style='margin:0;white-space:pre-wrap;{_PRE_STYLE}'>"
            f"{html.escape(str(value))}</pre></td></tr>"
            for name, value in self.details)
        table = f"<table style='margin:0.3em 0 0 1em'>{rows}</table>" if rows else ""
        return (f"<div style='border-left:4px solid {colour};padding:0.3em 0.8em;margin:0.3em 0'>"
                f"<span style='color:{colour};font-weight:bold'>{label}</span>{where}: "
                f"{_inline_html(self.message)}{table}</div>")

    def _repr_markdown_(self) -> str:
        label, colour = _LABELS[self.status]
        where = f" ({self.question})" if self.question else ""
        text = f"<span style='color:{colour}'>**{label}**</span>{where}: {self.message}"
        if self.details:
            block = "\n".join(f"{name}: {value}" for name, value in self.details)
            text += "\n\n```text\n" + block + "\n```"
        return text


@dataclass(frozen=True)
class Hint:
    """What ``hint()`` returns: one hint, numbered; shows itself in Jupyter, prints as text.

    Attributes
    ----------
    question : str
        Which question, e.g. ``"Question 2"``.
    text : str
        The hint.
    number, total : int
        Which hint of how many (hints go from gentle to explicit).
    note : str
        What comes next: "ask again for the next hint", or, after the last,
        where the answer is.
    """

    question: str
    text: str
    number: int = 1
    total: int = 1
    note: str = ""

    @property
    def last(self) -> bool:
        """True for the last of several hints: the one closest to the answer."""
        return self.total > 1 and self.number == self.total

    @property
    def heading(self) -> str:
        """``Hint 1 of 3`` or ``Hint 3 of 3, the last: close to the answer``."""
        text = f"Hint {self.number} of {self.total}"
        return text + (", the last: close to the answer" if self.last else "")

    def __str__(self) -> str:
        note = f" ({self.note})" if self.note else ""
        return f"{self.heading} ({self.question}): {self.text}{note}"

    __repr__ = __str__

    def _repr_html_(self) -> str:
        note = (f" <span style='{_FAINT}'>({_inline_html(self.note)})</span>"
                if self.note else "")
        return (f"<div style='border-left:4px solid #f9a825;padding:0.3em 0.8em;"
                f"margin:0.3em 0'><span style='color:#b27b00;font-weight:bold'>"
                f"{html.escape(self.heading)}</span> <span style='{_FAINT}'>"
                f"({html.escape(self.question)})</span>: {_inline_html(self.text)}"
                f"{note}</div>")

    def _repr_markdown_(self) -> str:
        note = f" ({self.note})" if self.note else ""
        return (f"<span style='color:#b27b00'>**{self.heading}**</span> "
                f"({self.question}): {self.text}{note}")


@dataclass(frozen=True)
class Solution:
    """What ``solution()`` returns: the reference code and why it is right."""

    question: str
    code: str
    explanation: str = ""

    def __str__(self) -> str:
        text = f"Solution ({self.question}):\n{textwrap.indent(self.code, '    ')}"
        return text + (f"\n{self.explanation}" if self.explanation else "")

    __repr__ = __str__

    def _repr_html_(self) -> str:
        why = f"<p style='margin:0.3em 0 0 0'>{_inline_html(self.explanation)}</p>" if self.explanation else ""
        return (f"<div style='border-left:4px solid #6a1b9a;padding:0.3em 0.8em;margin:0.3em 0'>"
                f"<span style='color:#6a1b9a;font-weight:bold'>Solution</span> "
                f"<span style='{_FAINT}'>({html.escape(self.question)})</span>:"
                f"<pre style='margin:0.3em 0 0 0;{_PRE_STYLE}'>{html.escape(self.code)}</pre>{why}</div>")

    def _repr_markdown_(self) -> str:
        why = f"\n\n{self.explanation}" if self.explanation else ""
        return f"<span style='color:#6a1b9a'>**Solution**</span> ({self.question}):\n\n```python\n{self.code}\n```{why}"
