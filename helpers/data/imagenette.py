"""Imagenette: ten easy ImageNet classes, as JPEG photos 160 px on the short side.

fast.ai's Imagenette (Howard, 2019) is a small subset of ImageNet: 9,469 training
and 3,925 validation photos of ten classes, about 94 MiB in the "160 px" version,
so a lab downloads it in seconds in Colab. One class is the French horn (WordNet id
n03394916, ImageNet class 566), the instrument of the Grad-CAM example in the notes on heatmaps.

The archive unpacks to ``imagenette2-160/{train,val}/<wnid>/<name>.JPEG``. It is
verified by SHA-256 before anything is unpacked, and only plain files at that depth
are written (no links, no absolute paths, no ``..``), so a tampered archive cannot
write outside the cache.
"""
from __future__ import annotations

import os
import re
import shutil
import tarfile
from pathlib import Path, PurePosixPath

import numpy as np

from . import _image_files
from .._checks import check_bool, check_choice, check_class_names, check_int, check_path
from ._checks import check_photo_budget, check_size_pair, make_rng
from .cats_vs_dogs import _progress
from .downloads import data_home, fetch
from .imageset import ImageSet

__all__ = ["imagenette", "IMAGENETTE_URL", "IMAGENETTE_SHA256", "IMAGENETTE_CLASSES"]

IMAGENETTE_URL = "https://s3.amazonaws.com/fast-ai-imageclas/imagenette2-160.tgz"
IMAGENETTE_FILENAME = "imagenette2-160.tgz"
# SHA-256 of imagenette2-160.tgz (98,948,031 bytes) as published in TensorFlow Datasets'
# tensorflow_datasets/url_checksums/imagenette.txt. It was not re-computed from the file
# here (no internet); any file with another digest is refused before it is unpacked.
IMAGENETTE_SHA256 = "88daccb09b6fce93f45e6c09ddeb269cce705549e6bff322092a2a5a11489863"

#: The ten classes in label order: (WordNet id, name, ImageNet-1k class index).
IMAGENETTE_CLASSES = (
    ("n01440764", "tench", 0),
    ("n02102040", "English springer", 217),
    ("n02979186", "cassette player", 482),
    ("n03000684", "chain saw", 491),
    ("n03028079", "church", 497),
    ("n03394916", "French horn", 566),
    ("n03417042", "garbage truck", 569),
    ("n03425413", "gas pump", 571),
    ("n03445777", "golf ball", 574),
    ("n03888605", "parachute", 701),
)
_TOP = "imagenette2-160"
_EXTRACTED = "imagenette2-160"  # folder name in the cache
_SPLITS = ("train", "val")
_MEMBER = re.compile(r"imagenette2-160/(train|val)/(n\d{8})/([A-Za-z0-9_.-]+\.JPEG)")


def imagenette(
    split: str = "train",
    *,
    root=None,
    download: bool = True,
    size=(160, 160),
    classes=None,
    limit: int | None = 100,
    seed: int = 0,
) -> ImageSet:
    """Imagenette photos of one split, downloaded and unpacked once, then read from the cache.

    Parameters
    ----------
    split : {"train", "val"}
        Training or validation photos.
    root : path or None
        Cache folder; None means ``$HELPERS_DATA`` or ``~/.cache/helpers``.
    download : bool
        If False, never download: use the cached copy or raise.
    size : int or (int, int)
        Output ``(height, width)`` in pixels; the largest central region of that
        aspect ratio is cut, then resized (photos are not stretched).
    classes : sequence of str or None
        Class names to keep (see :data:`IMAGENETTE_CLASSES`), e.g. ``["French horn"]``;
        labels are then 0 .. len(classes) - 1 in the order given. None keeps all ten.
    limit : int or None
        Photos per class, drawn at random (with ``seed``); None loads them all
        (about 2.9 GB as float32 at 160x160 for the training split). A set must fit
        4 GiB of float32 pixels: a larger one is refused before any photo is read.
    seed : int
        Seed of the random choice of photos and of their order.

    Returns
    -------
    ImageSet
        ``images`` float32 (N, height, width, 3) in [0, 1], RGB; ``labels`` int64;
        ``class_names`` the class names; shuffled. ``extras["imagenet_index"]``:
        each class's index among ImageNet's 1,000 classes (to read
        a pretrained network's output), tuple of int; ``extras["wnids"]``;
        ``extras["paths"]``, each photo's file.

    Raises
    ------
    FileNotFoundError, DownloadError
        If the data is not cached and cannot (or may not) be downloaded.
    ChecksumError
        If the archive's SHA-256 digest is wrong (nothing is unpacked).
    """
    split = check_choice(split, "split", _SPLITS)
    download = check_bool(download, "download")
    check_path(root, "root", optional=True)
    height, width = check_size_pair(size, "size", minimum=8)
    chosen = _check_classes(classes)
    if limit is not None:
        limit = check_int(limit, "limit", low=1)
    rng = make_rng(seed)
    folder = _unpacked_folder(root, download) / split

    files_per_class = []
    for wnid, name, _ in chosen:
        files = sorted((folder / wnid).glob("*.JPEG")) if (folder / wnid).is_dir() else []
        if not files:
            raise ValueError(f"{folder / wnid} holds no photos of {name!r}: the cache is damaged; "
                             f"delete {folder.parent} and load again.")
        files_per_class.append(files)
    check_photo_budget(files_per_class, limit, height, width)

    images, labels, paths = [], [], []
    for label, files in enumerate(files_per_class):
        order = rng.permutation(len(files))[: len(files) if limit is None else limit]
        for index in order:
            images.append(_image_files.read_image(files[index], (height, width), crop=True))
            paths.append(str(files[index]))
            labels.append(label)
    order = rng.permutation(len(labels))
    return ImageSet(
        images=np.stack(images)[order],
        labels=np.asarray(labels, np.int64)[order],
        class_names=tuple(name for _, name, _ in chosen),
        extras={
            "imagenet_index": tuple(index for _, _, index in chosen),
            "wnids": tuple(wnid for wnid, _, _ in chosen),
            "paths": np.array(paths)[order],
        },
    )


def _check_classes(classes):
    if classes is None:
        return IMAGENETTE_CLASSES
    names = [name for _, name, _ in IMAGENETTE_CLASSES]
    classes = check_class_names(classes, "classes", choices=names)
    return tuple(IMAGENETTE_CLASSES[names.index(name)] for name in classes)


def _unpacked_folder(root, allow_download: bool) -> Path:
    """The unpacked tree in the cache, fetching and unpacking the archive if needed."""
    folder = data_home(root) / _EXTRACTED
    if folder.is_dir():  # only ever created, by the rename below, from a verified archive
        return folder
    archive = fetch(IMAGENETTE_URL, IMAGENETTE_FILENAME, IMAGENETTE_SHA256, root, allow_download)
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    with tarfile.open(archive, "r:gz") as tar:
        members = [m for m in tar.getmembers() if m.isfile() and _MEMBER.fullmatch(m.name)]
        for member in _progress(members, f"unpacking {archive.name}"):
            target = partial / PurePosixPath(member.name).relative_to(_TOP)
            target.parent.mkdir(parents=True, exist_ok=True)
            with tar.extractfile(member) as source, open(target, "wb") as out:
                shutil.copyfileobj(source, out)
    missing = [f"{split}/{wnid}" for split in _SPLITS for wnid, _, _ in IMAGENETTE_CLASSES
               if not (partial / split / wnid).is_dir()]
    if missing:
        shutil.rmtree(partial, ignore_errors=True)
        raise ValueError(f"{archive} does not contain the folders {missing} under {_TOP}/.")
    os.replace(partial, folder)  # atomic: the folder appears complete or not at all
    return folder
