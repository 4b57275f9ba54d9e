"""Scores for heatmaps: does a map sit on the object, and does it show what the model uses?

Against ground truth (a box or a mask drawn by a person), ``score(maps, truth, ...)``:

==============================  ==============================================================
:func:`pointing_game`           is the map's maximum on the object? (Zhang et al., 2016)
:func:`energy_pointing_game`    share of the map's mass on the object (Wang et al., 2020)
==============================  ==============================================================

Against the model itself (forward passes, batched and compiled),
``score(model, images, maps, targets, ...)`` or, for the scores that make the maps
themselves, ``score(model, images, method, targets, ...)``:

==============================  ==============================================================
:func:`average_drop`            confidence lost on image * map, % (Chattopadhay et al., 2018)
:func:`increase_in_confidence`  how often image * map is *more* convincing, % (same paper)
:func:`deletion`                remove top pixels first: curve and area (Petsiuk et al., 2018)
:func:`insertion`               reveal top pixels first: curve and area (same paper)
:func:`road`                    remove pixels, impute them from their neighbours, ask
                                the model (ROAD, Rong et al., 2022)
:func:`randomization_test`      maps after destroying the weights (Adebayo et al., 2018)
:func:`noise_stability`         maps after adding invisible noise to the image
==============================  ==============================================================

**The contract.** Every score above returns a :class:`Scores` (or a subclass that adds
fields, never another summary):

* ``.values``: per image, ``(N,)``; or a curve per image, ``(N, K)`` (deletion and
  insertion: the probability at K fractions, :class:`Curves`; the randomisation cascade:
  the rank correlation after each of K layers, :class:`Randomization`);
* ``.valid``: ``(N,)`` bool, False where the score is undefined for the image (an empty
  region; a reference map that is constant, so ranks nothing; a class probability of
  exactly 0); its value stays defined (never NaN) and it is left out of the summary;
* ``.per_image``: ``(N,)``, each image's number (``.values``, or the area under its
  curve: ``Curves.auc``);
* ``.mean``: the score, the mean of ``.per_image`` over the valid images (a
  ``ValueError`` if none is valid). Curves also give ``.mean_curve`` to plot.

**Argument order**, the same everywhere: ``model, images, maps`` (or the ``method`` that
makes them), ``truth``, ``targets``, each left out where a score does not use it, then
keyword-only options. One meaning per name: ``truth`` is the ground truth (boxes or
masks, one per image); ``regions`` (Chapter 9's :func:`mass_shares`) a dict of named
masks; ``fill`` what deletion/insertion put in place of a pixel (``"zeros"``,
``"blur"``); a *baseline* is a map that knows nothing (:func:`random_maps`,
:func:`center_maps`).

:func:`score_table` puts the scores of several methods side by side in one
:class:`ScoreTable`, with the rankings each metric gives. It is driven by the registry
:data:`METRICS` (``{name: Metric}``: the function, which way is better, the options it
takes) and each cell is that function's ``.mean``.

Not scores, but their tools: :func:`confidence` (the two probabilities behind average
drop), :func:`spearman`, :func:`ssim` and :func:`hog_similarity` (how alike two
maps are: the sanity check's three measures), :func:`pixel_order`
(ties at random), :func:`blur_parameters` (the insertion blur at the image's size),
:func:`noisy_linear_imputation` (ROAD's fill).
Without any annotation, by the map's shape alone (Lab A's mistakes):
:func:`map_shape` (area, share of the mass near the border), :func:`group_by_shape`.
Chapter 9's error analysis: :func:`mass_shares`, :func:`group_by_mass`,
:func:`error_rates`, :func:`error_rates_by_flag`.

Baselines that know nothing, to read every score against: :func:`random_maps`,
:func:`center_maps`.

Conventions: maps are ``(N, H, W)`` (or one ``(H, W)``) at the image's resolution,
finite (booleans count as 0/1); targets as in :mod:`helpers.explain` (None = the
predicted class). Degenerate inputs have defined values, never NaN: an all-zero map is
a miss and has no mass (0); huge map values do not overflow a share; a model whose
logits are NaN (NaN weights) is refused with a ``ValueError``, as are maps with NaN.
"""
from __future__ import annotations

from .baselines import center_maps, random_maps
from .confidence import Confidence, average_drop, confidence, increase_in_confidence
from .error_groups import (ErrorTable, error_rates, error_rates_by_flag, focused,
                           group_by_mass, mass_shares)
from .map_shape import SHAPE_GROUPS, MapShape, group_by_shape, map_shape
from .localization import PointingGame, energy_pointing_game, pointing_game
from .imputation import noisy_linear_imputation
from .perturbation import Curves, blur_parameters, deletion, insertion, pixel_order
from .road import PERCENTILES, Road, road
from .randomization import Randomization, randomization_test, spearman
from .similarity import hog_similarity, ssim
from .stability import noise_stability
from .result import Scores
from .table import (DEFAULT_METRICS, METRICS, Metric, ScoreTable, identical_maps,
                    score_table)

__all__ = [
    "map_shape",
    "group_by_shape",
    "MapShape",
    "SHAPE_GROUPS",
    "pointing_game",
    "energy_pointing_game",
    "average_drop",
    "increase_in_confidence",
    "confidence",
    "deletion",
    "insertion",
    "pixel_order",
    "blur_parameters",
    "road",
    "noisy_linear_imputation",
    "PERCENTILES",
    "Road",
    "DEFAULT_METRICS",
    "randomization_test",
    "spearman",
    "ssim",
    "hog_similarity",
    "noise_stability",
    "random_maps",
    "center_maps",
    "mass_shares",
    "focused",
    "group_by_mass",
    "error_rates",
    "error_rates_by_flag",
    "ErrorTable",
    "score_table",
    "identical_maps",
    "ScoreTable",
    "METRICS",
    "Metric",
    "Scores",
    "PointingGame",
    "Confidence",
    "Curves",
    "Randomization",
]
