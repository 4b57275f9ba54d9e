"""Figures a reader cannot read: checks the book build runs on every figure.

A panel title that runs into its neighbour's, or into the tick labels of the panel
above, is unreadable on the page even though nothing failed; so is text that the page
shrinks below a readable size, when a wide figure is scaled down to the column.
:func:`text_collisions` and :func:`small_text` find these on a drawn figure;
:func:`watch` attaches both checks to every figure pyplot makes, and writes what they
find as JSON lines to a log, which the book's tests read after the build
(``HELPERS_FIGURE_LOG``; the chapters need no change).
"""
from __future__ import annotations

import json
import os

from matplotlib.figure import Figure

from .._checks import check_real
from ._checks import check_figure

__all__ = ["text_collisions", "small_text", "watch", "LOG_VARIABLE", "COLUMN_PX",
           "PAGE_INCHES", "MIN_TEXT_PX"]

#: The environment variable naming the log file of :func:`watch`.
LOG_VARIABLE = "HELPERS_FIGURE_LOG"
#: Width of the book's text column in CSS pixels, in a 1280-pixel-wide window: a figure
#: wider than this is scaled down to it (tests/test_browser.py checks that the real
#: column is at least this wide, so that :func:`small_text` is never too lenient).
COLUMN_PX = 660
#: The column's width in inches at matplotlib's default 100 dpi: a figure up to this
#: wide is shown at its own size, so its text keeps its point size.
PAGE_INCHES = COLUMN_PX / 100
#: Smallest readable text on the page, in CSS pixels (the book's prose is 16 px; 10 px
#: is 7.5 pt on a 96-dpi screen).
MIN_TEXT_PX = 10.0
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
    check_figure(fig)
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


def _legend_texts(legend) -> list:
    if legend is None or not legend.get_visible():
        return []
    return [*legend.get_texts(), legend.get_title()]


def _shown_texts(fig: Figure) -> list:
    """The texts a reader sees: titles, notes, legends, and the axis labels and tick
    labels of panels whose axes are drawn (``axis("off")`` draws none)."""
    texts = [*fig.texts, *(t for leg in fig.legends for t in _legend_texts(leg))]
    for name in ("_suptitle", "_supxlabel", "_supylabel"):
        if getattr(fig, name, None) is not None:
            texts.append(getattr(fig, name))
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        texts += [ax.title, getattr(ax, "_left_title", None),
                  getattr(ax, "_right_title", None), *ax.texts,
                  *_legend_texts(ax.get_legend())]
        if ax.axison:
            for axis in (ax.xaxis, ax.yaxis):
                if axis.get_visible():
                    texts += [axis.label, *axis.get_ticklabels()]
    return [t for t in texts if t is not None and t.get_visible() and t.get_text().strip()]


def small_text(fig: Figure, renderer=None, *, column_px: float = COLUMN_PX,
               min_px: float = MIN_TEXT_PX) -> list[str]:
    """Texts shown smaller than ``min_px`` once the figure is fitted to the page.

    The figure is saved at ``fig.dpi`` (the notebook's PNG) and shown at its natural
    width, or scaled down to ``column_px`` if wider. A text of ``s`` points is then
    ``s * dpi / 72 * min(1, column_px / width_px)`` CSS pixels tall.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        A figure; it is drawn first if ``renderer`` is None.
    renderer : matplotlib renderer, optional
        The renderer of a draw that just happened (its figure box is the saved one:
        the tight box when saved with ``bbox_inches="tight"``).
    column_px, min_px : float > 0
        The page's column width and the smallest readable text, CSS pixels.

    Returns
    -------
    list of str
        One sentence per font size found too small (naming its first text), e.g.
        ``"text 'IoU 0.62' is 5.1 px on the page (8.0 pt, figure 1450 px wide scaled
        to 660 px); at least 10 px"``; empty if every text is readable.
    """
    check_figure(fig)
    column_px = check_real(column_px, "column_px", low=0, low_open=True, note=" (pixels)")
    min_px = check_real(min_px, "min_px", low=0, low_open=True, note=" (pixels)")
    if renderer is None:
        fig.canvas.draw()
    width = fig.bbox.width                      # pixels at fig.dpi, as saved
    scale = min(1.0, column_px / width) if width > 0 else 1.0
    found, seen = [], set()
    for text in _shown_texts(fig):
        size = text.get_fontsize()
        shown = size * fig.dpi / 72 * scale
        if shown < min_px - 1e-9 and size not in seen:
            seen.add(size)
            found.append(f"text {text.get_text()[:40]!r} is {shown:.1f} px on the page "
                         f"({size:.1f} pt, figure {width:.0f} px wide"
                         + (f" scaled to {column_px:.0f} px" if scale < 1 else "")
                         + f"); at least {min_px:g} px")
    return found


def _log_problems(event) -> None:
    fig = event.canvas.figure
    try:
        found = text_collisions(fig, event.renderer)
        small = small_text(fig, event.renderer)
    except Exception as error:  # the check must never break a reader's figure
        found, small = [f"could not check the figure: {error!r}"], []
    path = os.environ.get(LOG_VARIABLE)
    if not (found or small) or not path:
        return
    record = {"source": os.environ.get("HELPERS_FIGURE_SOURCE", os.getcwd()),
              "collisions": found, "small_text": small}
    with open(path, "a", encoding="utf-8") as log:
        log.write(json.dumps(record) + "\n")


def watch(fig: Figure) -> None:
    """Check ``fig`` each time it is drawn and log its collisions and small text (a
    pyplot figure hook).

    Registered by ``import helpers`` as ``rcParams["figure.hooks"]`` when the variable
    ``HELPERS_FIGURE_LOG`` names a log file (the book's test build sets it).
    """
    fig.canvas.mpl_connect("draw_event", _log_problems)
