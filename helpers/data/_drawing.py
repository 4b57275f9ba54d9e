"""Filling polygons and discs into a mask with OpenCV, at sub-pixel precision."""
from __future__ import annotations

import cv2
import numpy as np

_SUBPIXEL_BITS = 4  # OpenCV takes fixed-point corners: 4 fractional bits = 1/16 pixel
_SCALE = 1 << _SUBPIXEL_BITS


def fill_polygon(canvas: np.ndarray, corners: np.ndarray, value: int = 1) -> None:
    """Set the pixels inside a polygon to ``value``, in place.

    Parameters
    ----------
    canvas : ndarray, uint8, shape (H, W)
    corners : ndarray, float, shape (K, 2)
        Corners as (x, y) in pixels, in drawing order (concave shapes allowed).
    """
    points = np.round(np.asarray(corners) * _SCALE).astype(np.int32)
    cv2.fillPoly(canvas, [points], value, lineType=cv2.LINE_8, shift=_SUBPIXEL_BITS)


def fill_disc(canvas: np.ndarray, centre, radius: float, value: int = 1) -> None:
    """Set the pixels inside a disc to ``value``, in place (centre as (x, y), in pixels)."""
    cv2.circle(
        canvas,
        tuple(int(round(c * _SCALE)) for c in centre),
        int(round(radius * _SCALE)),
        value,
        thickness=-1,
        lineType=cv2.LINE_8,
        shift=_SUBPIXEL_BITS,
    )
