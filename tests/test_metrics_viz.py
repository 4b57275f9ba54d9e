"""helpers.viz.metrics: the figures of Chapter 3 draw, label and refuse bad input."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from helpers.viz.metrics import plot_confusion_matrix, plot_pr_curve, plot_roc_curve  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _texts(ax):
    return [t.get_text() for t in ax.texts]


def test_confusion_matrix_shows_counts_and_rates():
    cm = np.array([[5, 1, 0], [2, 3, 0], [0, 0, 0]])
    ax = plot_confusion_matrix(cm, class_names=["cat", "dog", "bird"])
    assert isinstance(ax, matplotlib.axes.Axes)
    assert _texts(ax)[:3] == ["5", "1", "0"] and len(_texts(ax)) == 9
    assert [t.get_text() for t in ax.get_xticklabels()] == ["cat", "dog", "bird"]
    assert ax.get_xlabel() == "predicted class" and ax.get_ylabel() == "true class"
    rates = _texts(plot_confusion_matrix(cm, normalize="true"))
    assert rates[:3] == ["0.83", "0.17", "0.00"] and rates[-1] == "0.00"   # an empty row shows 0
    assert _texts(plot_confusion_matrix(cm, normalize="pred"))[0] == "0.71"
    assert _texts(plot_confusion_matrix(cm, normalize="all"))[0] == "0.45"


def test_confusion_matrix_draws_on_a_given_axes():
    _, ax = plt.subplots()
    assert plot_confusion_matrix([[1, 0], [0, 1]], ax=ax, colorbar=False, title="t") is ax
    assert ax.get_title() == "t"


@pytest.mark.parametrize("bad, message", [
    (np.ones((2, 3)), "square"), (np.array([[1, -1], [0, 1]]), "non-negative"), (np.zeros((0, 0)), "cm is empty")])
def test_confusion_matrix_refuses_bad_input(bad, message):
    with pytest.raises(ValueError, match=message):
        plot_confusion_matrix(bad)
    with pytest.raises(ValueError, match="normalize"):
        plot_confusion_matrix(np.eye(2), normalize="rows")
    with pytest.raises(ValueError, match="class_names"):
        plot_confusion_matrix(np.eye(2), class_names=["a"])


def test_pr_and_roc_curves_share_axes_and_report_their_areas():
    rng = np.random.default_rng(0)
    y = (rng.random(300) < 0.1).astype(int)
    a, b = rng.normal(y * 2.0), rng.normal(y * 0.5)
    ax = plot_pr_curve(y, a, label="A", mark_threshold=0.5)
    assert plot_pr_curve(y, b, label="B", ax=ax, show_baseline=False) is ax
    labels = ax.get_legend_handles_labels()[1]
    assert labels[0].startswith("A (AP = ") and any(l.startswith("B (AP = ") for l in labels)
    assert any(l.startswith("random (0.1") for l in labels)
    ax = plot_roc_curve(y, a, mark_threshold=0.0)
    assert ax.get_legend_handles_labels()[1][0].startswith("AUC = ")
    assert plot_roc_curve(y, b, ax=ax, label="B") is ax


def test_curves_refuse_nan_scores():
    with pytest.raises(ValueError, match="NaN"):
        plot_pr_curve([0, 1], [0.2, np.nan])
    with pytest.raises(ValueError, match="NaN"):
        plot_roc_curve([0, 1], [0.2, np.nan])
