"""scikit-learn's 8x8 handwritten digits: real data that ships with the library."""
from __future__ import annotations

import numpy as np

from .._checks import check_int
from ._checks import check_fraction
from .imageset import ImageSet

__all__ = ["digits"]


def digits(test_fraction: float = 0.25, seed: int = 0) -> tuple[ImageSet, ImageSet]:
    """The 1,797 handwritten digits bundled with scikit-learn, split into train and test.

    A tiny cousin of MNIST (8x8 instead of 28x28 pixels, 1,797 instead of 70,000
    images), available offline, so a first CNN trains in seconds on a CPU.

    Parameters
    ----------
    test_fraction : float in (0, 1)
        Share of the images (per class) that go to the test set.
    seed : int
        Seed of the stratified split: the same seed gives the same split.

    Returns
    -------
    (train, test) : tuple of ImageSet
        ``images`` float32 of shape (N, 8, 8, 1) in [0, 1] (the raw pixels are
        ink counts 0..16, divided by 16), ``labels`` int64 in 0..9,
        ``class_names`` ``("0", ..., "9")``; no boxes or masks.
    """
    from sklearn.datasets import load_digits  # imported here: scikit-learn is slow to import

    check_fraction(test_fraction, "test_fraction")
    check_int(seed, "seed", low=0)
    bunch = load_digits()
    images = (bunch.images / 16.0).astype(np.float32)[..., np.newaxis]
    labels = bunch.target.astype(np.int64)
    everything = ImageSet(
        images=images,
        labels=labels,
        class_names=tuple(str(digit) for digit in range(10)),
    )
    return everything.split(test_fraction, seed=seed, stratify=True)
