"""Real photographs: the ones bundled with scikit-image and scikit-learn, or your own.

:func:`sample_photos` needs no download: the photos ship inside the two libraries'
wheels. :func:`image_folder` reads a folder-per-class tree of image files, the
layout most image data sets use (``root/cat/001.jpg``, ``root/dog/002.jpg``, ...).
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from . import _image_files
from .._checks import check_bool, check_choice, check_path, check_strings
from ._checks import check_size_pair
from .imageset import ImageSet

__all__ = ["sample_photos", "image_folder", "SAMPLE_PHOTOS"]

#: The bundled photos: class name -> (library, name of the image in it).
SAMPLE_PHOTOS = {
    "astronaut": ("skimage", "astronaut"),  # Eileen Collins, NASA
    "cat": ("skimage", "chelsea"),  # Chelsea the cat
    "coffee": ("skimage", "coffee"),  # a cup of coffee
    "rocket": ("skimage", "rocket"),  # a SpaceX Falcon 9 on its launch pad
    "temple": ("sklearn", "china.jpg"),  # a temple in China
    "flower": ("sklearn", "flower.jpg"),  # a flower in close-up
}


def sample_photos(size=224) -> ImageSet:
    """Six real colour photos bundled with scikit-image and scikit-learn (no download).

    Parameters
    ----------
    size : int or (int, int)
        Output size in pixels: ``size x size`` for an int, else ``(height, width)``.
        Each photo is centre-cropped to that aspect ratio, then resized.

    Returns
    -------
    ImageSet
        ``images`` float32 (6, H, W, 3) in [0, 1]; one class per photo
        (``class_names`` ``("astronaut", "cat", "coffee", "rocket", "temple",
        "flower")``, ``labels`` ``0..5``); no boxes or masks;
        ``extras["sources"]`` says where each photo comes from, e.g.
        ``"skimage.data.chelsea"``.

    Examples
    --------
    >>> photos = sample_photos(224)   # e.g. to explain an ImageNet VGG16
    >>> photos.images.shape
    (6, 224, 224, 3)
    """
    height, width = check_size_pair(size, "size", minimum=8)
    images, sources = [], []
    for library, name in SAMPLE_PHOTOS.values():
        photo = _load_bundled(library, name)
        images.append(_image_files.to_float(_image_files.resize(photo, (height, width), crop=True)))
        sources.append(f"{library}.data.{name}" if library == "skimage" else f"sklearn.datasets:{name}")
    return ImageSet(
        images=np.stack(images),
        labels=np.arange(len(images), dtype=np.int64),
        class_names=tuple(SAMPLE_PHOTOS),
        extras={"sources": np.array(sources)},
    )


def _load_bundled(library: str, name: str) -> np.ndarray:
    """One bundled photo as uint8 RGB (H, W, 3), read from the installed library."""
    if library == "skimage":
        import skimage.data  # these photos are in the scikit-image wheel: no download

        return getattr(skimage.data, name)()
    from sklearn.datasets import load_sample_image

    return load_sample_image(name)


def image_folder(
    path: str | os.PathLike,
    size=(160, 160),
    class_names=None,
    on_error: str = "raise",
    crop: bool = False,
) -> ImageSet:
    """Images from a folder-per-class tree, e.g. ``path/cat/*.jpg`` and ``path/dog/*.jpg``.

    Parameters
    ----------
    path : path
        Folder holding one sub-folder per class. Files ending in ``.jpg``,
        ``.jpeg``, ``.png``, ``.bmp`` or ``.webp`` (any case) are read; other
        files and hidden files (names starting with ``.``) are ignored.
    size : int or (int, int)
        Output ``(height, width)`` in pixels (an int means square).
    class_names : sequence of str or None
        Sub-folders to load, in label order. None loads every sub-folder, sorted
        by name (label 0 is the first name).
    on_error : {"raise", "skip"}
        What to do with a file that cannot be decoded: raise an error naming it,
        or leave it out and warn with the number skipped and a few names. A
        file is never dropped silently.
    crop : bool
        If True, centre-crop each image to the output's aspect ratio before
        resizing (no distortion); if False, stretch the whole image.

    Returns
    -------
    ImageSet
        ``images`` float32 (N, height, width, 3) in [0, 1], RGB; ``labels``
        int64; no boxes or masks. ``extras["paths"]`` holds each image's file
        path (str), and ``extras["skipped_files"]`` the files left out.

    Raises
    ------
    FileNotFoundError
        If ``path`` or a requested class folder does not exist.
    ValueError
        If there are no class folders, a class folder holds no image files,
        ``class_names`` repeats a name, or ``on_error`` is not recognised.
    UnreadableImageError (a ValueError)
        If a file cannot be decoded and ``on_error="raise"``.
    """
    root = Path(check_path(path, "path"))
    height, width = check_size_pair(size, "size", minimum=8)
    check_choice(on_error, "on_error", ("raise", "skip"))
    crop = check_bool(crop, "crop")
    if class_names is not None:
        check_strings(class_names, "class_names")
    if not root.is_dir():
        raise FileNotFoundError(
            f"path {root} (the image folder) does not exist or is not a folder."
        )
    class_names = _class_folders(root, class_names)

    paths, labels = [], []
    for label, name in enumerate(class_names):
        files = sorted(
            entry for entry in (root / name).iterdir()
            if entry.is_file() and not entry.name.startswith(".")
            and entry.suffix.lower() in _image_files.IMAGE_EXTENSIONS
        )
        if not files:
            raise ValueError(
                f"path {root}: its class folder {name!r} holds no image files "
                f"(expected names ending in {', '.join(_image_files.IMAGE_EXTENSIONS)})."
            )
        paths += files
        labels += [label] * len(files)

    images, kept, failed = _image_files.read_images(
        paths, (height, width), crop=crop, on_error=on_error, root=root
    )
    if len(kept) == 0:
        raise ValueError(f"none of the {len(paths)} image files under {root} could be read.")
    return ImageSet(
        images=images,
        labels=np.asarray(labels, np.int64)[kept],
        class_names=class_names,
        extras={
            "paths": np.array([str(paths[i]) for i in kept]),
            "skipped_files": tuple(str(path) for path in failed),
        },
    )


def _class_folders(root: Path, class_names) -> tuple[str, ...]:
    """The class names to load: all sub-folders (sorted) or the requested ones, checked."""
    available = sorted(
        entry.name for entry in root.iterdir() if entry.is_dir() and not entry.name.startswith(".")
    )
    if class_names is None:
        if not available:
            raise ValueError(
                f"path {root} holds no class folders; expected one sub-folder per class, "
                "e.g. cat/ and dog/, each holding that class's images."
            )
        return tuple(available)
    class_names = check_strings(class_names, "class_names")
    if not class_names:
        raise ValueError(f"class_names must name at least one folder; available: {available}.")
    if len(set(class_names)) != len(class_names):
        raise ValueError(f"class_names repeats a name: {class_names}.")
    missing = [name for name in class_names if name not in available]
    if missing:
        raise FileNotFoundError(
            f"no class folder for {missing} in {root}; available folders: {available}."
        )
    return class_names
