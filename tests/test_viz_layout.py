"""helpers.viz.layout: titles that run into each other and text the page shrinks below
a readable size are found, and logged in the build."""
import json
import os
import subprocess
import sys
import textwrap

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from helpers.viz.layout import COLUMN_PX, MIN_TEXT_PX, small_text, text_collisions  # noqa: E402,E501


def _panels(n, width, title):
    fig, axes = plt.subplots(1, n, figsize=(width, 2))
    for i, ax in enumerate(np.atleast_1d(axes)):
        ax.imshow(np.zeros((4, 4)))
        ax.set_title(title.format(i))
    return fig


def test_long_titles_in_a_narrow_row_collide():
    fig = _panels(4, 6, "a very long panel title, number {}")
    found = text_collisions(fig)
    plt.close(fig)
    assert "title 'a very long panel title, number 0' overlaps title " \
           "'a very long panel title, number 1'" in found
    assert all("number 0' overlaps title 'a very long panel title, number 3'" not in f
               for f in found)  # far-apart panels do not touch


def test_short_titles_do_not_collide():
    fig = _panels(4, 10, "map {}")
    assert text_collisions(fig) == []
    plt.close(fig)


def test_a_title_on_the_panel_above_its_tick_labels_is_found():
    # panels placed by hand: the lower panel's title sits where the upper panel's
    # tick labels and x label are (whatever layout or fonts other tests left)
    with matplotlib.rc_context():
        matplotlib.rcdefaults()
        fig = plt.figure(figsize=(3, 3), dpi=100)
        top = fig.add_axes([0.15, 0.55, 0.8, 0.4])
        low = fig.add_axes([0.15, 0.08, 0.8, 0.40])
        for ax, name in ((top, "row 0"), (low, "row 1")):
            ax.plot([1, 2])
            ax.set_title(name)
            ax.set_xlabel("x")
        found = text_collisions(fig)
        plt.close(fig)
        assert found == ["title 'row 1' overlaps the axis labels of 'row 0'"]
        fig, axes = plt.subplots(2, 1, figsize=(3, 5), layout="constrained")
        for i, ax in enumerate(axes):
            ax.plot([1, 2])
            ax.set_title(f"row {i}")
            ax.set_xlabel("x")
        assert text_collisions(fig) == []   # the same panels, laid out: nothing
        plt.close(fig)


def test_suptitle_is_checked_and_bad_input_refused():
    fig = _panels(1, 3, "panel")
    fig.suptitle("overall", y=0.97)   # drawn over the panel's title
    assert any("'overall'" in f for f in text_collisions(fig))
    plt.close(fig)
    with pytest.raises(TypeError, match="Figure"):
        text_collisions("fig")


def _labelled(width, fontsize, dpi=100, axis_on=True):
    fig, ax = plt.subplots(figsize=(width, 2), dpi=dpi)
    ax.plot([0, 1])
    ax.set_title("title", fontsize=fontsize)
    ax.tick_params(labelsize=fontsize)
    if not axis_on:
        ax.axis("off")
    return fig


@pytest.mark.parametrize("width, fontsize, small", [
    (6, 10, False),    # 600 px, shown as is: 10 pt is 13.9 px
    (6, 7, True),      # 7 pt is 9.7 px even unscaled
    (14, 10, True),    # 1400 px scaled to the column: 10 pt shown at 6.5 px
    (14, 22, False),   # ... unless the text is large enough to survive it
])
def test_small_text_follows_the_size_shown_on_the_page(width, fontsize, small):
    fig = _labelled(width, fontsize)
    found = small_text(fig)
    plt.close(fig)
    assert bool(found) == small
    if small:
        scale = min(1.0, COLUMN_PX / (width * 100))
        shown = fontsize * 100 / 72 * scale
        assert f"is {shown:.1f} px on the page ({fontsize:.1f} pt" in found[0]
        assert f"at least {MIN_TEXT_PX:g} px" in found[0]


def test_small_text_counts_the_saved_dpi_and_only_drawn_texts():
    # 7 pt at 200 dpi on a 3-inch figure: 600 px wide, text 19 px: readable
    fig = _labelled(3, 7, dpi=200)
    assert small_text(fig) == []
    plt.close(fig)
    # tick labels of a panel drawn with axis("off") are not on the page
    fig = _labelled(6, 7, axis_on=False)
    fig.axes[0].set_title("title", fontsize=12)
    assert small_text(fig) == []
    plt.close(fig)
    # a legend and a note inside the panel are
    fig = _labelled(6, 12)
    fig.axes[0].plot([1, 0], label="a line")
    fig.axes[0].legend(fontsize=6)
    fig.axes[0].text(0.5, 0.5, "note", fontsize=5)
    found = small_text(fig)
    plt.close(fig)
    assert any("'a line'" in f for f in found) and any("'note'" in f for f in found)


def test_small_text_refuses_bad_input():
    fig = _labelled(4, 10)
    with pytest.raises(TypeError, match="Figure"):
        small_text("fig")
    for bad in (0, -5, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="column_px must be a finite real number > 0"):
            small_text(fig, column_px=bad)
    for bad in ("660", True, None):
        with pytest.raises(TypeError, match="column_px must be a real number"):
            small_text(fig, column_px=bad)
    with pytest.raises(ValueError, match="min_px must be a finite real number > 0"):
        small_text(fig, min_px=0)
    plt.close(fig)


def test_the_build_variable_logs_every_drawn_figure(tmp_path):
    """With HELPERS_FIGURE_LOG set, importing helpers hooks every pyplot figure."""
    log = tmp_path / "figures.jsonl"
    script = textwrap.dedent("""
        import matplotlib
        matplotlib.use("Agg")
        import helpers
        import matplotlib.pyplot as plt
        fig, axes = plt.subplots(1, 3, figsize=(4, 2))
        for i, ax in enumerate(axes):
            ax.set_title(f"an overlong title for panel {i}")
        fig.savefig("bad.png")
        fig, ax = plt.subplots()
        ax.set_title("fine")
        fig.savefig("good.png")
        fig, ax = plt.subplots(figsize=(16, 3))
        ax.plot([0, 1])
        ax.set_title("wide")
        fig.savefig("wide.png")
    """)
    env = dict(os.environ, HELPERS_FIGURE_LOG=str(log), HELPERS_FIGURE_SOURCE="nb.ipynb")
    subprocess.run([sys.executable, "-c", script], check=True, cwd=tmp_path, env=env)
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert len(records) == 2 and {r["source"] for r in records} == {"nb.ipynb"}
    assert "overlong title for panel 0' overlaps" in records[0]["collisions"][0]
    assert records[1]["collisions"] == []
    assert "'wide' is " in records[1]["small_text"][0]   # 1600 px shrunk to the column
    log.unlink()
    env.pop("HELPERS_FIGURE_LOG")
    subprocess.run([sys.executable, "-c", script], check=True, cwd=tmp_path, env=env)
    assert not log.exists()   # without the variable nothing is hooked
