"""Grouping heatmaps by their shape alone, for photos that have no masks.

Chapter 9 groups mistakes by where a map's mass falls on annotated regions
(:func:`helpers.evaluation.group_by_mass`). Real photos (Cats vs Dogs in Lab A) have no
such annotations; what a map says by itself is how much of the image it covers and
how much of its mass lies near the border, i.e. on the background of a photo framed
around its subject. :func:`map_shape` measures both and :func:`group_by_shape` names a
group from them. The groups are a measured, repeatable stand-in for sorting by eye,
not a diagnosis: a "spot" on a nose and a "spot" on a collar are the same group.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import check_real
from ._inputs import check_maps, unit_peak

__all__ = ["MapShape", "map_shape", "group_by_shape", "SHAPE_GROUPS"]

#: The groups of :func:`group_by_shape`, in the order they are tested.
SHAPE_GROUPS = ("empty", "edges", "diffuse", "spot", "object")


@dataclass(frozen=True)
class MapShape:
    """Shape statistics of N maps.

    Attributes
    ----------
    area : np.ndarray, float64, ``(N,)``
        Fraction of the pixels where the map is at least ``threshold``, in [0, 1].
    border_share : np.ndarray, float64, ``(N,)``
        Fraction of the map's mass in the border ring (``border`` of the side on each
        edge), in [0, 1]; 0 for an all-zero map.
    border_area : float
        Fraction of the image the ring covers: a map spread evenly has
        ``border_share == border_area``.
    """

    area: np.ndarray
    border_share: np.ndarray
    border_area: float


def map_shape(maps, *, threshold: float = 0.5, border: float = 0.2) -> MapShape:
    """How much of the image each map covers and how much of its mass lies near the border.

    Parameters
    ----------
    maps : array-like, float, ``(N, H, W)`` or one ``(H, W)``, values >= 0
    threshold : float in (0, 1]
        A pixel counts in ``area`` when its value is at least ``threshold`` times the
        map's maximum.
    border : float in (0, 0.5)
        Width of the border ring, as a fraction of the height (top and bottom) and of
        the width (left and right).

    Returns
    -------
    MapShape
    """
    maps, _ = check_maps(maps, nonnegative=True)
    threshold = check_real(threshold, "threshold", low=0, high=1, low_open=True)
    border = check_real(border, "border", low=0, high=0.5, low_open=True, high_open=True)
    n, height, width = maps.shape
    peak = maps.max(axis=(1, 2), keepdims=True)
    covered = (maps >= threshold * peak) & (peak > 0)
    ring = np.ones((height, width), bool)
    dy, dx = int(round(border * height)), int(round(border * width))
    ring[dy:height - dy, dx:width - dx] = False
    scaled = unit_peak(maps)             # sums of huge values would overflow to inf
    mass = scaled.sum(axis=(1, 2))
    on_ring = (scaled * ring).sum(axis=(1, 2))
    share = np.divide(on_ring, mass, out=np.zeros(n), where=mass > 0)
    return MapShape(area=covered.mean(axis=(1, 2)), border_share=share,
                    border_area=float(ring.mean()))


def group_by_shape(maps, *, threshold: float = 0.5, border: float = 0.2,
                   spot: float = 0.1, diffuse: float = 0.4, edges: float = 0.8) -> np.ndarray:
    """Name each map's group from its shape (:func:`map_shape`).

    Rules, tested in this order:

    ``"empty"``    the map is zero everywhere (the method found no evidence);
    ``"edges"``    at least ``edges`` of the mass lies in the border ring (the background
                   of a photo framed around its subject);
    ``"diffuse"``  the map covers at least ``diffuse`` of the image;
    ``"spot"``     it covers at most ``spot`` of the image (one small part: a nose, an eye);
    ``"object"``   anything in between (about the size of an animal's head).

    Parameters
    ----------
    maps : array-like ``(N, H, W)`` or ``(H, W)``, values >= 0
    threshold, border : see :func:`map_shape`
    spot, diffuse, edges : float in (0, 1)
        The limits above; ``spot`` must be below ``diffuse``.

    Returns
    -------
    np.ndarray of str, ``(N,)``
    """
    spot = check_real(spot, "spot", low=0, high=1, low_open=True, high_open=True)
    diffuse = check_real(diffuse, "diffuse", low=0, high=1, low_open=True, high_open=True)
    edges = check_real(edges, "edges", low=0, high=1, low_open=True, high_open=True)
    if spot >= diffuse:
        raise ValueError(f"spot ({spot}) must be below diffuse ({diffuse})")
    maps, _ = check_maps(maps, nonnegative=True)
    shape = map_shape(maps, threshold=threshold, border=border)
    empty = maps.max(axis=(1, 2)) <= 0
    groups = np.full(len(maps), "object", dtype=object)
    groups[shape.area <= spot] = "spot"
    groups[shape.area >= diffuse] = "diffuse"
    groups[shape.border_share >= edges] = "edges"
    groups[empty] = "empty"
    return groups.astype(str)
