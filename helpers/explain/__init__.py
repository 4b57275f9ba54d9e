"""Where does the CNN look? Heatmap explanations for Keras image classifiers.

=========================  =================================================================
:func:`saliency`           gradient of the target logit w.r.t. the pixels (Simonyan et al., 2014)
:func:`smoothgrad`         saliency averaged over noisy copies (Smilkov et al., 2017)
:func:`occlusion`          score drop when a patch is hidden (Zeiler and Fergus, 2014)
:func:`cam`                class activation maps of a GAP network (Zhou et al., 2016)
:func:`gradcam`            gradient-weighted CAM, any head (Selvaraju et al., 2017)
:func:`gradcam_plus_plus`  Grad-CAM++ (Chattopadhay et al., 2018)
:func:`scorecam`           gradient-free, score-weighted CAM (Wang et al., 2020); Faster Score-CAM
:func:`explain`            any of the above by name
=========================  =================================================================

Conventions shared by all of them::

    maps = helpers.explain.gradcam(model, images, targets=None)

* ``images``: float ``(N, H, W, C)`` as the model takes them, or one ``(H, W, C)`` image;
* ``targets``: None (each image's predicted class), an int (all images) or one per image;
  for a single sigmoid logit, 1 explains the logit and 0 its negative;
* result: float32 ``(N, H, W)`` (``(H, W)`` for one image) at input resolution, each map
  min-max scaled to [0, 1], a constant map as zeros;
* the target's **logit** is explained: a final softmax/sigmoid is bypassed without
  touching the model, which runs in inference mode (``training=False``).

The CAM family shares one skeleton (:mod:`helpers.explain.cam_base`); each method only
defines its channel weights (:class:`CAM`, :class:`GradCAM`, :class:`GradCAMPlusPlus`,
:class:`ScoreCAM`).

Checking and costing explanations: :func:`saliency_attributions` (the raw, signed
gradient), :func:`finite_differences` (the gradient's definition, evaluated with forward
passes), :func:`noise_stability` and :func:`rank_correlation` (does a map survive
invisible noise?), :func:`measure_cost` (passes counted by a :class:`PassCounter`, and
seconds).
"""
from __future__ import annotations

from .cam import CAM, cam, gap_head
from .cam_base import CAMBase, combine
from .gradcam import GradCAM, gradcam
from .gradcam_plus_plus import GradCAMPlusPlus, gradcam_plus_plus
from .cost import Cost, PassCounter, counting_model, measure_cost
from .finite_differences import finite_differences
from .gradients import saliency, saliency_attributions, smoothgrad
from .occlusion import occlusion
from .scorecam import ScoreCAM, scorecam
from .stability import noise_stability, rank_correlation

METHODS = {
    "saliency": saliency,
    "smoothgrad": smoothgrad,
    "occlusion": occlusion,
    "cam": cam,
    "gradcam": gradcam,
    "gradcam_plus_plus": gradcam_plus_plus,
    "scorecam": scorecam,
}
"""Method name -> function, as accepted by :func:`explain`."""

_ALIASES = {"gradcam++": "gradcam_plus_plus", "gradcampp": "gradcam_plus_plus"}


def explain(method: str, model, images, targets=None, **options):
    """Run an explanation method chosen by name.

    Parameters
    ----------
    method : str
        One of :data:`METHODS` (``"saliency"``, ``"smoothgrad"``, ``"occlusion"``,
        ``"cam"``, ``"gradcam"``, ``"gradcam_plus_plus"``, ``"scorecam"``); case, dashes
        and spaces are ignored (``"Grad-CAM"``, ``"Grad-CAM++"`` and ``"Score-CAM"`` work).
    model, images, targets
        As for every method.
    **options
        The method's own keyword arguments (e.g. ``layer=``, ``batch_size=``,
        ``max_channels=``).

    Returns
    -------
    np.ndarray, float32, ``(N, H, W)`` (``(H, W)`` for one image), in [0, 1]

    Raises
    ------
    ValueError
        For an unknown method name (the message lists the known ones).
    """
    if not isinstance(method, str):
        raise TypeError(f"method must be a str naming a method, got {type(method).__name__}")
    key = method.strip().lower().replace("-", "").replace(" ", "").replace("_", "")
    key = _ALIASES.get(key, key)
    names = {name.replace("_", ""): name for name in METHODS}
    name = names.get(key, key if key in METHODS else None)
    if name is None:
        raise ValueError(f"unknown explanation method {method!r}; known methods: {', '.join(METHODS)}")
    return METHODS[name](model, images, targets, **options)


__all__ = [
    "METHODS",
    "explain",
    "saliency",
    "smoothgrad",
    "occlusion",
    "cam",
    "gradcam",
    "gradcam_plus_plus",
    "scorecam",
    "CAMBase",
    "CAM",
    "GradCAM",
    "GradCAMPlusPlus",
    "ScoreCAM",
    "combine",
    "gap_head",
    "saliency_attributions",
    "finite_differences",
    "noise_stability",
    "rank_correlation",
    "measure_cost",
    "counting_model",
    "Cost",
    "PassCounter",
]
