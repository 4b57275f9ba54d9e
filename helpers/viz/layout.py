"""Figures whose text runs into itself: a check the book build runs on every figure.

A panel title that runs into its neighbour's, or into the tick labels of the panel
above, is unreadable on the page even though nothing failed. :func:`text_collisions`
finds these on a drawn figure; :func:`watch` attaches that check to every figure
pyplot makes, and writes what it finds as JSON lines to a log, which the book's
tests read after the build (``HELPERS_FIGURE_LOG``; the chapters need no change).
"""
from __future__ import annotations

import json
import os

from matplotlib.figure import Figure

__all__ = ["text_collisions", "watch", "LOG_VARIABLE"]

#: The environment variable naming the log file of :func:`watch`.
LOG_VARIABLE = "HELPERS_FIGURE_LOG"
#: Overlaps of up to this many pixels (at the figure's dpi) are not reported.
_SLACK = 1.0


def _overlap(a, b) -> bool:
    return (a.x0 < b.x1 - _SLACK and b.x0 < a.x1 - _SLACK
            and a.y0 < b.y1 - _SLACK and b.y0 < a.y1 - _SLACK)


def _titles(fig: Figure) -> list:
    titles = [(ax, ax.title) for ax in fig.axes if ax.get_visible() and ax.title.get_text()]
    suptitle = getattr(fig, "_suptitle", None)
    if suptitle is not None and suptitle.get_text() and suptitle.get_visible():
        titles.append((None, suptitle))
    return titles


def text_collisions(fig: Figure, renderer=None) -> list[str]:
    """Where a title overlaps another title or another panel's axis labels.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        A figure; it is drawn first if ``renderer`` is None.
    renderer : matplotlib renderer, optional
        The renderer of a draw that just happened (as in a ``draw_event``).

    Returns
    -------
    list of str
        One sentence per collision, naming both texts, e.g.
        ``"title 'Grad-CAM: map' overlaps title 'HiResCAM: map'"``; empty if none.
    """
    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    if renderer is None:
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
    titles = _titles(fig)
    boxes = [(ax, text, text.get_window_extent(renderer)) for ax, text in titles]
    found = []
    for i, (ax_a, a, box_a) in enumerate(boxes):
        for ax_b, b, box_b in boxes[i + 1:]:
            if _overlap(box_a, box_b):
                found.append(f"title {a.get_text()!r} overlaps title {b.get_text()!r}")
        for other in fig.axes:
            if other is ax_a or not other.get_visible() or not other.axison:
                continue
            for axis in (other.xaxis, other.yaxis):
                extent = axis.get_tightbbox(renderer)
                if extent is not None and extent.width > 0 and _overlap(box_a, extent):
                    owner = other.get_title() or other.get_label() or "another panel"
                    found.append(f"title {a.get_text()!r} overlaps the axis labels of "
                                 f"{owner!r}")
    return found


def _log_collisions(event) -> None:
    fig = event.canvas.figure
    try:
        found = text_collisions(fig, event.renderer)
    except Exception as error:  # the check must never break a reader's figure
        found = [f"could not check the figure: {error!r}"]
    path = os.environ.get(LOG_VARIABLE)
    if not found or not path:
        return
    record = {"source": os.environ.get("HELPERS_FIGURE_SOURCE", os.getcwd()),
              "collisions": found}
    with open(path, "a", encoding="utf-8") as log:
        log.write(json.dumps(record) + "\n")


def watch(fig: Figure) -> None:
    """Check ``fig`` each time it is drawn and log its collisions (a pyplot figure hook).

    Registered by ``import helpers`` as ``rcParams["figure.hooks"]`` when the variable
    ``HELPERS_FIGURE_LOG`` names a log file (the book's test build sets it).
    """
    fig.canvas.mpl_connect("draw_event", _log_collisions)
