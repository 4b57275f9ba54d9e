"""helpers: the companion package of the course "Where Does the CNN Look?".

The chapters import it to keep their code cells short::

    import helpers
    P = helpers.profile()                    # test | cpu | gpu: how much work to do
    train, test = helpers.data.digits()
    model = helpers.models.gap_cnn(train.images.shape[1:], n_classes=10)
    helpers.training.fit(model, train, test, epochs=P.pick(test=1, cpu=10, gpu=20))

Submodules (imported lazily, so ``import helpers`` is fast and does not load
TensorFlow until a model is needed):

=================  ==========================================================
``data``           offline and downloadable image sets, as :class:`ImageSet`
``models``         small CAM-ready CNNs, the Score-CAM notes' VGG-like net, VGG16, layer lookup
``training``       :func:`fit`: an input pipeline, a progress line, GPU speed-ups
``metrics``        softmax, cross-entropy, classification metrics
``explain``        saliency, CAM, Grad-CAM, Grad-CAM++, Score-CAM, ...
``evaluation``     scoring heatmaps: pointing game, drops, deletion, sanity checks
``compare``        bootstrap intervals: is "method A beats B" more than luck?
``detection``      IoU, NMS, average precision, COCO/VOC evaluation
``viz``            image grids, training curves, heatmap overlays, boxes
``exercises``      auto-checked exercises: ``load(chapter).q1.check(answer)``
``claims``         :func:`claim`: the checks that keep a chapter's text true
=================  ==========================================================
"""
from __future__ import annotations

import importlib
import os

from ._profile import Profile, profile, seed_everything
from .claims import claim

__version__ = "0.1.0"

if os.environ.get("HELPERS_FIGURE_LOG"):  # the book's test build: check every figure
    import matplotlib

    if "helpers.viz.layout:watch" not in matplotlib.rcParams["figure.hooks"]:
        matplotlib.rcParams["figure.hooks"] = [*matplotlib.rcParams["figure.hooks"],
                                               "helpers.viz.layout:watch"]

_SUBMODULES = (
    "data",
    "models",
    "training",
    "metrics",
    "explain",
    "evaluation",
    "compare",
    "detection",
    "viz",
    "exercises",
)

__all__ = ["Profile", "profile", "seed_everything", "claim", "__version__", *_SUBMODULES]


def __getattr__(name: str):
    if name in _SUBMODULES:
        module = importlib.import_module(f".{name}", __name__)
        globals()[name] = module
        return module
    raise AttributeError(f"module 'helpers' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
