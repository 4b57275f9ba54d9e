"""Error analysis with heatmaps: group images by where a heatmap's mass falls, then
count the mistakes per group and per nuisance (Chapter 9).

The Cats-vs-Dogs Grad-CAM notes sorted a classifier's mistakes by hand, looking at their Grad-CAM maps:
"looks at the bars behind the cat", "looks at the person", "finds nothing". With
ground-truth masks the same sorting is a computation:

1. :func:`mass_shares`: for every image, the share of its heatmap's mass (the sum of
   its values) on each annotated region (object, distractor, texture, ...) and on
   the rest of the image, ``"elsewhere"``: the energy pointing game
   (:func:`~helpers.evaluation.energy_pointing_game`) of each region in turn;
2. :func:`group_by_mass`: keep the hot part of each map (values at or above ``focus``
   times its peak, half by default: an upsampled CAM spreads a thin haze of low values
   over the whole image, which would otherwise weigh as much as its peak); then each
   image goes to the region that holds the *majority* of that mass, provided that region also holds clearly more than its *fair share*
   (more than ``min_lift`` times its share of the image's area, what a map spread
   evenly would put there); otherwise the map is ``"diffuse"``, and an all-zero map
   is ``"nowhere"``;
3. :func:`error_rates` and :func:`error_rates_by_flag`: how many images, how many
   mistakes and which error rate in each group, or for each nuisance flag.

The heatmaps are any non-negative maps at input resolution, e.g. those of
:func:`helpers.explain.gradcam`; the regions are boolean masks such as those of
:func:`helpers.data.nuisance_pets`. This module sits with the other measurements of
heatmaps against ground truth (pointing game, energy pointing game): it *is* the
energy pointing game, taken over several regions at once and turned into groups.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .._checks import check_real, describe, first_positions
from ._inputs import check_maps
from .localization import energy_pointing_game

__all__ = ["mass_shares", "group_by_mass", "error_rates", "error_rates_by_flag", "ErrorTable",
           "focused", "ELSEWHERE", "DIFFUSE", "NOWHERE", "FOCUS", "MIN_SHARE", "MIN_LIFT"]

#: The part of the image outside every named region.
ELSEWHERE = "elsewhere"
#: No region (nor the rest of the image) holds the majority of the mass with a clear lift.
DIFFUSE = "diffuse"
#: An all-zero map: no evidence anywhere (Grad-CAM gives one when no pixel supports the class).
NOWHERE = "nowhere"
#: Default focus: only the map's values at or above half its peak count as its mass.
FOCUS = 0.5
#: Default share of the map's mass a region must hold: a majority.
MIN_SHARE = 0.5
#: Default lift a region must reach: 1.5 times the share of the mass a map spread
#: evenly would put on it (its share of the image's area).
MIN_LIFT = 1.5

_RESERVED = (ELSEWHERE, DIFFUSE, NOWHERE)


def _check_maps(maps) -> np.ndarray:
    """Maps as float64 (N, H, W), non-negative (the check the other scores use)."""
    array, single = check_maps(maps, nonnegative=True)
    if single:
        raise ValueError(
            f"maps must be a 3-D array (N, H, W), one map per image, got shape "
            f"{array.shape[1:]}; for one image, pass maps[np.newaxis] and masks[np.newaxis]"
        )
    return array


def _check_regions(regions, shape: tuple[int, int, int]) -> dict[str, np.ndarray]:
    if not isinstance(regions, Mapping):
        raise TypeError(
            "regions must be a dict of name -> boolean masks (N, H, W), e.g. "
            f"{{'object': data.masks}}, got {describe(regions)}"
        )
    if not regions:
        raise ValueError("regions is empty: give at least one named mask, e.g. {'object': masks}.")
    checked = {}
    for name, masks in regions.items():
        if not isinstance(name, str) or name in _RESERVED:
            raise ValueError(
                f"region names must be str other than {_RESERVED} (those name groups of "
                f"their own), got {name!r}"
            )
        masks = np.asarray(masks)
        if masks.dtype != np.bool_:
            raise TypeError(
                f"regions[{name!r}] must be a boolean mask array, got dtype {masks.dtype}; "
                "compare first, e.g. masks > 0.5"
            )
        if masks.shape != shape:
            raise ValueError(
                f"regions[{name!r}] must have the maps' shape {shape} (N, H, W), "
                f"got {masks.shape}"
            )
        for other, other_masks in checked.items():
            both = (masks & other_masks).any(axis=(1, 2))
            if both.any():
                raise ValueError(
                    f"regions {other!r} and {name!r} overlap in image(s) "
                    f"{first_positions(both)}: each pixel may belong to one region only"
                )
        checked[name] = masks
    return checked


def focused(maps, focus: float = FOCUS) -> np.ndarray:
    """The hot part of each map: values below ``focus`` times the map's peak set to 0.

    Parameters
    ----------
    maps : array-like, float >= 0, shape (N, H, W)
    focus : float in [0, 1)
        0 keeps every value; 0.5 keeps the values at or above half of each map's peak.

    Returns
    -------
    ndarray, float64, shape (N, H, W)
        An all-zero map stays all zero.
    """
    maps = _check_maps(maps)
    focus = check_real(focus, "focus", low=0.0, high=1.0, high_open=True)
    peaks = maps.max(axis=(1, 2), keepdims=True)
    return np.where(maps >= focus * peaks, maps, 0.0)


def mass_shares(maps, regions: Mapping[str, np.ndarray], *, focus: float = 0.0
                ) -> dict[str, np.ndarray]:
    """Share of each heatmap's mass on each region and on the rest of the image.

    Parameters
    ----------
    maps : array-like, float, shape (N, H, W)
        Non-negative heatmaps at the masks' resolution.
    regions : dict of str -> ndarray of bool, shape (N, H, W)
        Named, non-overlapping masks, e.g. ``{"object": ..., "distractor": ...}``.
    focus : float in [0, 1)
        Count only the values at or above ``focus`` times each map's peak
        (:func:`focused`); 0, the default, counts the whole map.

    Returns
    -------
    dict of str -> ndarray, float64, shape (N,)
        For every region name, then ``"elsewhere"`` (the pixels in no region): the
        sum of the map over the region divided by the map's total, in [0, 1]. The
        shares of an image add up to 1; an all-zero map has share 0 everywhere
        (never NaN).
    """
    maps = focused(maps, focus)
    regions = _check_regions(regions, maps.shape)
    covered = np.zeros(maps.shape, bool)
    for masks in regions.values():
        covered |= masks
    # each share is the energy pointing game of that region (0 for an empty region or map)
    shares = {name: energy_pointing_game(maps, masks).values for name, masks in regions.items()}
    shares[ELSEWHERE] = energy_pointing_game(maps, ~covered).values
    return shares


def group_by_mass(maps, regions: Mapping[str, np.ndarray], *, focus: float = FOCUS,
                  min_share: float = MIN_SHARE, min_lift: float = MIN_LIFT) -> np.ndarray:
    """Assign each image to the region where its heatmap's mass falls.

    Only the hot part of each map counts: the values at or above ``focus`` times its
    peak (default 0.5, half the peak; see :func:`focused`). An image goes to a region (or to ``"elsewhere"``, the pixels in no region) when
    that region holds

    * at least ``min_share`` of the map's mass (default 0.5: a majority), and
    * at least ``min_lift`` times its share of the image's area (default 1.5: clearly
      more than the share a map spread evenly would put there; this keeps a large
      region such as a background panel from winning with a flat map).

    If several qualify (possible only with ``min_share`` < 0.5), the one with the
    largest share wins. An image with no qualifying region is ``"diffuse"``; an
    all-zero map is ``"nowhere"``.

    Parameters
    ----------
    maps : array-like, float, shape (N, H, W)
        Non-negative heatmaps, e.g. from :func:`helpers.explain.gradcam`.
    regions : dict of str -> ndarray of bool, shape (N, H, W)
        Named, non-overlapping masks. Names ``"elsewhere"``, ``"diffuse"`` and
        ``"nowhere"`` are reserved. An empty mask (an image without a distractor)
        never wins.
    focus : float in [0, 1)
    min_share : float in (0, 1]
    min_lift : float >= 1

    Returns
    -------
    ndarray of str, shape (N,)
        A region name, ``"elsewhere"``, ``"diffuse"`` or ``"nowhere"`` per image.

    Examples
    --------
    >>> maps = np.zeros((1, 4, 4)); maps[0, :2, :2] = 1.0      # all heat top-left
    >>> obj = np.zeros((1, 4, 4), bool); obj[0, :2, :2] = True
    >>> group_by_mass(maps, {"object": obj}).tolist()
    ['object']
    """
    min_share = check_real(min_share, "min_share", low=0.0, high=1.0, low_open=True)
    min_lift = check_real(min_lift, "min_lift", low=1.0)
    shares = mass_shares(maps, regions, focus=focus)
    maps = np.asarray(maps)
    covered = np.zeros(maps.shape, bool)
    areas = {}
    for name, masks in regions.items():
        areas[name] = np.asarray(masks).mean(axis=(1, 2))
        covered |= np.asarray(masks)
    areas[ELSEWHERE] = (~covered).mean(axis=(1, 2))

    names = list(shares)
    share = np.stack([shares[name] for name in names], axis=1)  # (N, R)
    area = np.stack([areas[name] for name in names], axis=1)
    qualifies = (area > 0) & (share >= min_share) & (share >= min_lift * area)
    ranked = np.where(qualifies, share, -1.0)
    best = ranked.argmax(axis=1)
    groups = np.array(names, dtype=object)[best]
    groups[~qualifies.any(axis=1)] = DIFFUSE
    groups[maps.reshape(len(maps), -1).max(axis=1) == 0] = NOWHERE   # maps are >= 0
    return groups.astype(str)


# --------------------------------------------------------------------------- tables
@dataclass(frozen=True)
class ErrorTable:
    """Mistakes counted per group: one row per group.

    Attributes
    ----------
    names : tuple of str
        The rows: groups, or nuisance flags.
    counts : ndarray, int64, shape (R,)
        Images in each row.
    errors : ndarray, int64, shape (R,)
        Mistakes among them.
    total_errors : int
        Mistakes over all the images (rows of a flag table may overlap).
    """

    names: tuple
    counts: np.ndarray
    errors: np.ndarray
    total_errors: int

    @property
    def rates(self) -> np.ndarray:
        """Error rate of each row, ``errors / counts``, float64 (R,) (rows are never empty)."""
        return self.errors / self.counts

    @property
    def share_of_errors(self) -> np.ndarray:
        """Share of all mistakes that fall in each row, float64 (R,) (0 when there are none)."""
        return self.errors / max(self.total_errors, 1)

    def rate(self, name: str) -> float:
        """The error rate of one row, by name."""
        return float(self.rates[self._row(name)])

    def count(self, name: str) -> int:
        """The number of images in one row, by name."""
        return int(self.counts[self._row(name)])

    def _row(self, name: str) -> int:
        if name not in self.names:
            raise KeyError(f"no row {name!r}; the rows are {self.names}")
        return self.names.index(name)

    def __str__(self) -> str:
        width = max(len("group"), *(len(n) for n in self.names))
        lines = [f"{'group':<{width}}  {'images':>6}  {'errors':>6}  {'error rate':>10}  "
                 f"{'share of errors':>15}"]
        for name, count, errors, rate, share in zip(self.names, self.counts, self.errors,
                                                    self.rates, self.share_of_errors):
            lines.append(f"{name:<{width}}  {count:>6}  {errors:>6}  {rate:>10.1%}  {share:>15.1%}")
        return "\n".join(lines)

    __repr__ = __str__


def _check_correct(correct) -> np.ndarray:
    array = np.asarray(correct)
    if array.dtype != np.bool_:
        raise TypeError(
            "correct must be a boolean array, one value per image (True where the "
            f"prediction is right), e.g. predicted == labels; got {describe(correct)}"
        )
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"correct must be a non-empty 1-D array (N,), got shape {array.shape}")
    return array


def error_rates(correct, groups, order: Sequence | None = None) -> ErrorTable:
    """Images, mistakes and error rate per group.

    Parameters
    ----------
    correct : ndarray of bool, shape (N,)
        True where the prediction is right (``predicted == labels``).
    groups : array-like, shape (N,)
        The group of each image (str or int), e.g. from :func:`group_by_mass`.
    order : sequence, optional
        The rows, in this order; groups listed but absent are left out, groups
        present but not listed are an error. Default: the groups present, sorted.

    Returns
    -------
    ErrorTable
        One row per group present.
    """
    correct = _check_correct(correct)
    groups = np.asarray(groups)
    if groups.shape != correct.shape:
        raise ValueError(
            f"groups must hold one group per image, shape {correct.shape}, got {groups.shape}"
        )
    present = np.unique(groups)
    if order is None:
        rows = list(present)
    else:
        listed = list(order)
        missing = [g for g in present.tolist() if g not in listed]
        if missing:
            raise ValueError(f"order leaves out group(s) {missing} present in groups")
        rows = [g for g in listed if np.any(groups == g)]
    counts = np.array([np.sum(groups == g) for g in rows], np.int64)
    errors = np.array([np.sum(~correct[groups == g]) for g in rows], np.int64)
    return ErrorTable(tuple(str(g) for g in rows), counts, errors, int((~correct).sum()))


def error_rates_by_flag(correct, flags, names: Sequence[str]) -> ErrorTable:
    """Images, mistakes and error rate among the images that carry each flag.

    Parameters
    ----------
    correct : ndarray of bool, shape (N,)
        True where the prediction is right.
    flags : ndarray of bool, shape (N, K)
        One column per flag, e.g. ``extras["nuisances"]`` of
        :func:`helpers.data.nuisance_pets`. An image may carry several flags, so
        the rows overlap.
    names : sequence of K str
        The flags' names.

    Returns
    -------
    ErrorTable
        One row per flag carried by at least one image, in column order, then
        ``"none"`` (images with no flag) if there are any, then ``"all"``.
    """
    correct = _check_correct(correct)
    flags = np.asarray(flags)
    if flags.dtype != np.bool_:
        raise TypeError(f"flags must be a boolean array (N, K), got {describe(flags)}")
    if flags.ndim != 2 or flags.shape[0] != correct.shape[0]:
        raise ValueError(
            f"flags must have shape ({correct.shape[0]}, K), one row per image, got {flags.shape}"
        )
    names = tuple(names)
    if len(names) != flags.shape[1] or not all(isinstance(n, str) for n in names):
        raise ValueError(f"names must give {flags.shape[1]} str, one per column of flags, "
                         f"got {names!r}")
    selections = [(name, flags[:, k]) for k, name in enumerate(names)]
    selections += [("none", ~flags.any(axis=1)), ("all", np.ones(len(correct), bool))]
    selections = [(name, rows) for name, rows in selections if rows.any()]
    counts = np.array([rows.sum() for _, rows in selections], np.int64)
    errors = np.array([(~correct[rows]).sum() for _, rows in selections], np.int64)
    return ErrorTable(tuple(name for name, _ in selections), counts, errors,
                      int((~correct).sum()))
