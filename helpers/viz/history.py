"""Training curves."""
from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
from matplotlib.ticker import MaxNLocator

from .._checks import check_array, check_strings, describe


def plot_history(history, metrics=("loss", "accuracy")):
    """Plot training (and validation) curves, one panel per metric.

    Parameters
    ----------
    history : keras.callbacks.History or dict
        What :func:`helpers.training.fit` returns, or its ``.history`` dict
        (metric name -> one value per epoch).
    metrics : sequence of str
        Which metrics to draw; ``"val_<name>"`` is drawn with ``<name>`` when present.

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
    missing = [m for m in metrics if m not in logs]
    if missing:
        raise ValueError(f"metrics asks for {missing}, but history has no such entry; "
                         f"it has {sorted(logs)}")
    checked = {}
    for name in metrics:
        for key in (name, f"val_{name}"):
            if key in logs:  # NaN is allowed: a diverged run is drawn with gaps
                checked[key] = check_array(logs[key], f"history[{key!r}]", ndim=1, finite=False,
                                           shape_hint="(epochs,)")
    logs = checked
    fig, axes = plt.subplots(1, len(metrics), figsize=(4.5 * len(metrics), 3.2), squeeze=False)
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
