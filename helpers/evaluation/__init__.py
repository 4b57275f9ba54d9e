"""Scores for heatmaps: does a map sit on the object, and does it show what the model uses?

Against ground truth (a box or a mask drawn by a person):

==============================  ==============================================================
:func:`pointing_game`           is the map's maximum on the object? (Zhang et al., 2016)
:func:`energy_pointing_game`    share of the map's mass on the object (Wang et al., 2020)
==============================  ==============================================================

Against the model itself (forward passes, batched and compiled):

==============================  ==============================================================
:func:`average_drop`            confidence lost on image * map (Chattopadhay et al., 2018)
:func:`increase_in_confidence`  how often image * map is *more* convincing (same paper)
:func:`deletion`                remove top pixels first: curve and area (Petsiuk et al., 2018)
:func:`insertion`               reveal top pixels first: curve and area (same paper)
:func:`randomization_test`      maps after destroying the weights (Adebayo et al., 2018)
:func:`noise_stability`         maps after adding invisible noise to the image
==============================  ==============================================================

:func:`score_table` puts every score of several methods side by side in one
:class:`ScoreTable`, with the rankings each metric gives.

Without any annotation, by the map's shape alone (Lab A's mistakes):
:func:`map_shape` (area, share of the mass near the border), :func:`group_by_shape`.

Baselines that know nothing, to read every score against: :func:`random_maps`,
:func:`center_maps`.

Conventions: maps are ``(N, H, W)`` (or one ``(H, W)``) at the image's resolution;
regions are xyxy pixel boxes ``(N, 4)`` or masks ``(N, H, W)``; targets as in
:mod:`helpers.explain` (None = the predicted class). Degenerate inputs have defined
values, never NaN: an all-zero map is a miss and has no mass (0), an empty region is
excluded and counted in ``.valid``, a constant map has rank correlation 0.
"""
from __future__ import annotations

from .baselines import center_maps, random_maps
from .confidence import Confidence, average_drop, confidence, increase_in_confidence
from .error_groups import (ErrorTable, error_rates, error_rates_by_flag, focused,
                           group_by_mass, mass_shares)
from .map_shape import SHAPE_GROUPS, MapShape, group_by_shape, map_shape
from .localization import PointingGame, RegionScores, energy_pointing_game, pointing_game
from .perturbation import Curves, deletion, insertion, pixel_order
from .randomization import Randomization, randomization_test, spearman
from .stability import noise_stability
from .table import METRICS, ScoreTable, score_table

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
    "randomization_test",
    "spearman",
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
    "ScoreTable",
    "METRICS",
    "RegionScores",
    "PointingGame",
    "Confidence",
    "Curves",
    "Randomization",
]
