"""helpers.viz.layout: titles that run into each other are found, and logged in the build."""
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

from helpers.viz.layout import text_collisions  # noqa: E402


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
    """)
    env = dict(os.environ, HELPERS_FIGURE_LOG=str(log), HELPERS_FIGURE_SOURCE="nb.ipynb")
    subprocess.run([sys.executable, "-c", script], check=True, cwd=tmp_path, env=env)
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert len(records) == 1 and records[0]["source"] == "nb.ipynb"
    assert "overlong title for panel 0' overlaps" in records[0]["collisions"][0]
    log.unlink()
    env.pop("HELPERS_FIGURE_LOG")
    subprocess.run([sys.executable, "-c", script], check=True, cwd=tmp_path, env=env)
    assert not log.exists()   # without the variable nothing is hooked
