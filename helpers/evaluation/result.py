"""The one result every score of :mod:`helpers.evaluation` returns.

A score gives one value per image (or one curve per image), says which images it could
score, and sums them up in one number:

* ``.values``: ``(N,)`` float64, one value per image, or ``(N, K)`` for scores that
  follow a curve (deletion and insertion over K fractions, the randomisation cascade
  over K layers);
* ``.valid``: ``(N,)`` bool, False where the score is undefined for that image (an
  empty region, a reference map with no ranking, a class probability of exactly 0);
  such an image keeps a defined value in ``.values`` (never NaN) and is left out of
  the summary;
* ``.per_image``: ``(N,)`` float64, the number each image contributes: ``.values``
  itself, or one number per curve (the area under it);
* ``.mean``: float, the mean of ``.per_image`` over the valid images: **the** score.

Subclasses add what a score has on top (the pointing game's distances, a curve's
fractions and areas, the cascade's layers) and never another summary.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Scores"]


@dataclass(frozen=True)
class Scores:
    """Per-image values of a score, the images it could score, and their mean.

    Attributes
    ----------
    values : np.ndarray, float64, ``(N,)`` or ``(N, K)``
        One value per image, or one curve of K points per image.
    valid : np.ndarray, bool, ``(N,)``
        False where the score is undefined for the image (the reason is given by each
        score's docstring); those images are excluded from :attr:`mean`.
    """

    values: np.ndarray
    valid: np.ndarray

    def __post_init__(self):
        values = np.asarray(self.values, dtype=np.float64)
        valid = np.asarray(self.valid)
        if values.ndim not in (1, 2):
            raise ValueError(f"values must be (N,) or (N, K), got shape {values.shape}")
        if valid.dtype != np.bool_ or valid.shape != values.shape[:1]:
            raise ValueError(f"valid must be a bool array ({len(values)},), one flag per "
                             f"image, got {valid.dtype} {valid.shape}")
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "valid", valid)

    @property
    def n_valid(self) -> int:
        """How many images were scored."""
        return int(self.valid.sum())

    @property
    def n_excluded(self) -> int:
        """How many images were left out because their score is undefined."""
        return int((~self.valid).sum())

    @property
    def per_image(self) -> np.ndarray:
        """The number each image contributes to :attr:`mean`, ``(N,)`` float64.

        ``values`` for a score with one value per image; subclasses whose values are
        curves reduce each curve to one number (the area under it).
        """
        if self.values.ndim != 1:
            raise NotImplementedError(f"{type(self).__name__} must say how a curve becomes "
                                      "one number per image")
        return self.values

    @property
    def mean(self) -> float:
        """The score: mean of :attr:`per_image` over the valid images.

        Raises ValueError when no image is valid (a score of nothing is not 0).
        """
        if self.n_valid == 0:
            raise ValueError(f"no image could be scored: all {len(self.valid)} are invalid "
                             "(see the score's docstring for what makes an image invalid)")
        return float(self.per_image[self.valid].mean())

    def _mean_curve(self, curves: np.ndarray) -> np.ndarray:
        if self.n_valid == 0:
            raise ValueError(f"no image could be scored: all {len(self.valid)} are invalid")
        return curves[self.valid].mean(axis=0)

    def __len__(self) -> int:
        return len(self.values)
