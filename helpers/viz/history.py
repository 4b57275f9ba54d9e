"""Training curves."""
from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
from matplotlib.ticker import MaxNLocator

from .._checks import check_array, check_strings, describe
from .layout import PAGE_INCHES

#: Most panels (metrics) one figure of training curves draws.
MAX_METRICS = 12


def plot_history(history, metrics=("loss", "accuracy")):
    """Plot training (and validation) curves, one panel per metric.

    Parameters
    ----------
    history : keras.callbacks.History or dict
        What :func:`helpers.training.fit` returns, or its ``.history`` dict
        (metric name -> one value per epoch).
    metrics : sequence of str
        Which metrics to draw (1 to 12, each once); ``"val_<name>"`` is drawn with
        ``<name>`` when present, and must then have as many epochs. Values are numbers
        (booleans are refused); NaN and infinities are allowed and drawn as gaps (a
        diverged run).

    Returns
    -------
    matplotlib.figure.Figure
    """
    logs = getattr(history, "history", history)
    if not isinstance(logs, Mapping):
        raise TypeError(
            "history must be a keras History or a dict of metric -> values, "
            f"got {describe(history)}"
        )
    metrics = check_strings(metrics, "metrics", min_length=1)
    repeated = sorted({m for m in metrics if metrics.count(m) > 1})
    if repeated:
        raise ValueError(f"metrics must name each metric once; repeated: {repeated}")
    if len(metrics) > MAX_METRICS:
        raise ValueError(f"metrics asks for {len(metrics)} panels, more than {MAX_METRICS} "
                         "in one figure; draw them in several figures")
    missing = [m for m in metrics if m not in logs]
    if missing:
        raise ValueError(f"metrics asks for {missing}, but history has no such entry; "
                         f"it has {sorted(logs)}")
    checked = {}
    for name in metrics:
        for key in (name, f"val_{name}"):
            if key in logs:  # NaN is allowed: a diverged run is drawn with gaps
                checked[key] = check_array(logs[key], f"history[{key!r}]", ndim=1, finite=False,
                                           shape_hint="(epochs,)", allow_bool=False)
        validation = f"val_{name}"
        if validation in checked and len(checked[validation]) != len(checked[name]):
            raise ValueError(
                f"history[{validation!r}] has {len(checked[validation])} epochs but "
                f"history[{name!r}] has {len(checked[name])}: both must come from the same "
                "run (one value per epoch); merge the runs' histories epoch by epoch first")
    logs = checked
    width = min(4.5 * len(metrics), PAGE_INCHES)          # fits the book's column
    fig, axes = plt.subplots(1, len(metrics), figsize=(width, 3.2), squeeze=False)
    for ax, name in zip(axes[0], metrics):
        values = logs[name]
        epochs = range(1, len(values) + 1)
        ax.plot(epochs, values, "o-", label="train")
        if f"val_{name}" in logs:
            ax.plot(epochs, logs[f"val_{name}"], "s--", label="validation")
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(name)
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    return fig
