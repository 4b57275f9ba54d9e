"""Where does the CNN look? Heatmap explanations for Keras image classifiers.

=========================  =================================================================
:func:`saliency`           gradient of the target logit w.r.t. the pixels (Simonyan et al., 2014)
:func:`smoothgrad`         saliency averaged over noisy copies (Smilkov et al., 2017)
:func:`occlusion`          score drop when a patch is hidden (Zeiler and Fergus, 2014)
:func:`cam`                class activation maps of a GAP network (Zhou et al., 2016)
:func:`gradcam`            gradient-weighted CAM, any head (Selvaraju et al., 2017)
:func:`gradcam_plus_plus`  Grad-CAM++ (Chattopadhay et al., 2018)
:func:`scorecam`           gradient-free, score-weighted CAM (Wang et al., 2020); Faster Score-CAM
:func:`hirescam`           gradient x activation per position (Draelos and Carin, 2020)
:func:`xgradcam`           activation-weighted gradient average (Fu et al., 2020)
:func:`layercam`           positive gradient x activation per position (Jiang et al., 2021)
:func:`eigencam`           first principal component of the maps (Muhammad and Yeasin, 2020)
:func:`ablationcam`        relative logit drop with a channel zeroed (Desai and Ramaswamy, 2020)
:func:`integrated_gradients`  gradients integrated from a baseline (Sundararajan et al., 2017)
:func:`guided_backprop`    positive-gradient-only backpropagation (Springenberg et al., 2015)
:func:`guided_gradcam`     guided backpropagation x Grad-CAM (Selvaraju et al., 2017)
:func:`explain`            any of the above by name
=========================  =================================================================

Conventions shared by all of them::

    maps = helpers.explain.gradcam(model, images, targets=None)

* ``images``: float ``(N, H, W, C)`` as the model takes them, or one ``(H, W, C)`` image;
* ``targets``: what is explained, a score object (:mod:`helpers.explain.targets`):
  :class:`ClassLogit` ``(k)`` (the default: None means each image's predicted class, an
  int that class for all images, an int array one class per image; for a single sigmoid
  logit, 1 explains the logit and 0 its negative), :class:`LogSoftmax` ``(k)`` (the
  logit gap, log p_k), :class:`DetectionCell` ``(row, col, c)`` or
  :class:`DetectionBox` ``(box, c)`` (a dense detector's score); one object for all
  images or a list, one per image. Every method takes every score;
* result: float32 ``(N, H, W)`` (``(H, W)`` for one image) at input resolution, each map
  min-max scaled to [0, 1], a constant map as zeros;
* the target's **logit** is explained: a final softmax/sigmoid is bypassed without
  touching the model, which runs in inference mode (``training=False``).

The CAM family shares one skeleton (:mod:`helpers.explain.cam_base`); each method only
defines its channel weights (:class:`CAM`, :class:`GradCAM`, :class:`GradCAMPlusPlus`,
:class:`HiResCAM`, :class:`XGradCAM`, :class:`LayerCAM`, :class:`EigenCAM`; the
forward-pass methods :class:`ScoreCAM` and :class:`AblationCAM` on :class:`ForwardPassCAM`).
Raw (unscaled) attributions: :func:`saliency_attributions` (the signed gradient),
:func:`integrated_gradients_attributions`, :func:`guided_backprop_attributions`.

Checking and costing explanations: :func:`finite_differences` (the gradient's
definition, evaluated with forward passes) and :func:`measure_cost` (passes counted by
a :class:`PassCounter`, and seconds).
"""
from __future__ import annotations

import inspect

from .ablationcam import AblationCAM, ablationcam
from .cam import CAM, cam, gap_head
from .cam_base import CAMBase, ForwardPassCAM, combine
from .detection import DETECTION_CAM_METHODS, detection_cam
from .eigencam import EigenCAM, eigencam
from .gradcam import GradCAM, gradcam
from .gradcam_plus_plus import GradCAMPlusPlus, gradcam_plus_plus
from .cost import Cost, PassCounter, counting_model, measure_cost
from .finite_differences import finite_differences
from .gradients import saliency, saliency_attributions, smoothgrad
from .guided import guided_backprop, guided_backprop_attributions, guided_gradcam
from .hirescam import HiResCAM, hirescam
from .integrated_gradients import integrated_gradients, integrated_gradients_attributions
from .layercam import LayerCAM, layercam
from .occlusion import occlusion
from .scorecam import ScoreCAM, scorecam
from .targets import ClassLogit, DetectionBox, DetectionCell, LogSoftmax, Score
from .xgradcam import XGradCAM, xgradcam

METHODS = {
    "saliency": saliency,
    "smoothgrad": smoothgrad,
    "occlusion": occlusion,
    "cam": cam,
    "gradcam": gradcam,
    "gradcam_plus_plus": gradcam_plus_plus,
    "scorecam": scorecam,
    "hirescam": hirescam,
    "xgradcam": xgradcam,
    "layercam": layercam,
    "eigencam": eigencam,
    "ablationcam": ablationcam,
    "integrated_gradients": integrated_gradients,
    "guided_backprop": guided_backprop,
    "guided_gradcam": guided_gradcam,
}
"""Method name -> function, as accepted by :func:`explain`."""

_ALIASES = {"gradcam++": "gradcam_plus_plus", "gradcampp": "gradcam_plus_plus",
            "ig": "integrated_gradients", "guidedbackpropagation": "guided_backprop"}


def explain(method: str, model, images, targets=None, /, **options):
    """Run an explanation method chosen by name.

    Parameters
    ----------
    method : str
        One of :data:`METHODS`; case, dashes, spaces and underscores are ignored
        (``"Grad-CAM"``, ``"Grad-CAM++"``, ``"Score-CAM"``, ``"Ablation-CAM"`` work;
        ``"IG"`` is Integrated Gradients).
    model, images, targets
        As for every method.
    **options
        The method's own keyword arguments (e.g. ``layer=``, ``batch_size=``,
        ``max_channels=``; Integrated Gradients' ``method=`` too: the four arguments
        above are positional-only, so option names never collide with them).

    Returns
    -------
    np.ndarray, float32, ``(N, H, W)`` (``(H, W)`` for one image), in [0, 1]

    Raises
    ------
    ValueError
        For an unknown method name (the message lists the known ones).
    TypeError
        For an option the method does not take (the message lists those it takes).
    """
    if not isinstance(method, str):
        raise TypeError(f"method must be a str naming a method, got {type(method).__name__}")
    key = method.strip().lower().replace("-", "").replace(" ", "").replace("_", "")
    key = _ALIASES.get(key, key)
    names = {name.replace("_", ""): name for name in METHODS}
    name = names.get(key, key if key in METHODS else None)
    if name is None:
        raise ValueError(f"unknown explanation method {method!r}; known methods: {', '.join(METHODS)}")
    function = METHODS[name]
    known = [p.name for p in inspect.signature(function).parameters.values()
             if p.kind is inspect.Parameter.KEYWORD_ONLY]
    unknown = sorted(set(options) - set(known))
    if unknown:
        raise TypeError(f"{name} does not take option(s) {', '.join(unknown)}; its options "
                        f"are: {', '.join(known)}")
    return function(model, images, targets, **options)


__all__ = [
    "Score",
    "ClassLogit",
    "LogSoftmax",
    "DetectionCell",
    "DetectionBox",
    "METHODS",
    "explain",
    "saliency",
    "smoothgrad",
    "occlusion",
    "cam",
    "gradcam",
    "gradcam_plus_plus",
    "scorecam",
    "hirescam",
    "xgradcam",
    "layercam",
    "eigencam",
    "detection_cam",
    "DETECTION_CAM_METHODS",
    "ablationcam",
    "integrated_gradients",
    "integrated_gradients_attributions",
    "guided_backprop",
    "guided_backprop_attributions",
    "guided_gradcam",
    "CAMBase",
    "ForwardPassCAM",
    "HiResCAM",
    "XGradCAM",
    "LayerCAM",
    "EigenCAM",
    "AblationCAM",
    "CAM",
    "GradCAM",
    "GradCAMPlusPlus",
    "ScoreCAM",
    "combine",
    "gap_head",
    "saliency_attributions",
    "finite_differences",
    "measure_cost",
    "counting_model",
    "Cost",
    "PassCounter",
]
