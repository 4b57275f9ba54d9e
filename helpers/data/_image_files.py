"""Reading image files (JPEG, PNG, ...) into float32 RGB arrays of one size."""
from __future__ import annotations

import os
import warnings
from pathlib import Path

import cv2
import numpy as np

#: File name endings that :func:`helpers.data.image_folder` reads (case-insensitive).
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".webp")


class UnreadableImageError(ValueError):
    """A file that should hold an image could not be decoded."""


def read_image(path: str | os.PathLike, size: tuple[int, int], crop: bool = False) -> np.ndarray:
    """One image file as float32 RGB, resized to ``size``.

    Parameters
    ----------
    path : path
        A JPEG, PNG, BMP or WebP file. Grey images are repeated to 3 channels; an
        alpha channel is dropped.
    size : (int, int)
        Output ``(height, width)`` in pixels.
    crop : bool
        If True, first cut the largest central region with the output's aspect
        ratio (no distortion); if False, stretch the whole image.

    Returns
    -------
    ndarray, float32, shape (height, width, 3), values in [0, 1]

    Raises
    ------
    UnreadableImageError
        If OpenCV cannot decode the file (corrupt, truncated or not an image).
    """
    encoded = np.fromfile(path, dtype=np.uint8)  # np.fromfile also handles non-ASCII paths
    bgr = cv2.imdecode(encoded, cv2.IMREAD_COLOR) if encoded.size else None
    if bgr is None:
        raise UnreadableImageError(f"cannot decode {path}: it is corrupt or not an image.")
    rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    return to_float(resize(rgb, size, crop=crop))


def resize(image: np.ndarray, size: tuple[int, int], crop: bool = False) -> np.ndarray:
    """Resize a (H, W, C) image to ``size = (height, width)``, optionally centre-cropping first.

    Shrinking uses area averaging (no aliasing), enlarging bilinear interpolation.
    """
    height, width = size
    if crop:
        image = center_crop(image, width / height)
    shrinking = image.shape[0] > height or image.shape[1] > width
    interpolation = cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR
    return cv2.resize(image, (width, height), interpolation=interpolation)


def center_crop(image: np.ndarray, aspect: float) -> np.ndarray:
    """The largest central region of ``image`` whose width / height is ``aspect``."""
    rows, cols = image.shape[:2]
    if cols / rows > aspect:  # too wide: trim left and right
        new_cols = max(1, int(round(rows * aspect)))
        start = (cols - new_cols) // 2
        return image[:, start : start + new_cols]
    new_rows = max(1, int(round(cols / aspect)))
    start = (rows - new_rows) // 2
    return image[start : start + new_rows]


def to_float(image: np.ndarray) -> np.ndarray:
    """uint8 pixels 0..255 as float32 in [0, 1]."""
    return np.multiply(image, 1.0 / 255.0, dtype=np.float32)


def read_images(paths, size: tuple[int, int], crop: bool, on_error: str, root: Path | None = None):
    """Read many files; return ``(images, kept, failed)``.

    ``images`` is float32 (M, height, width, 3), ``kept`` the int64 positions of the
    M files that were read and ``failed`` the paths that could not be decoded. With
    ``on_error="raise"`` the first unreadable file raises
    :class:`UnreadableImageError` naming it; with ``"skip"`` it is left out, and a
    warning gives the count and the first few names.
    """
    images, kept, failed = [], [], []
    for position, path in enumerate(paths):
        try:
            images.append(read_image(path, size, crop=crop))
        except UnreadableImageError as error:
            if on_error == "raise":
                raise UnreadableImageError(
                    f"{error} Remove or replace it, or pass on_error='skip' to leave out "
                    "unreadable files (with a warning)."
                ) from None
            failed.append(path)
        else:
            kept.append(position)
    if failed:
        warn_skipped(failed, len(paths), root)
    height, width = size
    stacked = np.stack(images) if images else np.empty((0, height, width, 3), np.float32)
    return stacked, np.asarray(kept, np.int64), failed


def warn_skipped(skipped, n_total: int, root: Path | None = None, why: str = "unreadable") -> None:
    """Warn that ``len(skipped)`` of ``n_total`` files were skipped, naming a few."""
    names = [os.path.relpath(path, root) if root else str(path) for path in skipped]
    examples = ", ".join(names[:5]) + (", ..." if len(names) > 5 else "")
    warnings.warn(
        f"skipped {len(skipped)} of {n_total} files ({why}): {examples}",
        stacklevel=3,
    )
