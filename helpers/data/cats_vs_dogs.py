"""Microsoft's Cats vs Dogs photos (the Kaggle "Dogs vs. Cats" / Asirra data).

25,000 photos from Petfinder.com, 12,500 cats and 12,500 dogs, of all sizes, in
``PetImages/Cat`` and ``PetImages/Dog`` inside Microsoft's zip (about 786 MiB).
Labels follow the Kaggle competition (the Dogs-vs-Cats data-set notes): 1 = dog, 0 = cat.

Some files in the archive are not usable JPEG photos (empty, truncated, or other
formats under a ``.jpg`` name, plus ``Thumbs.db`` files). As in the Keras example
"Image classification from scratch", a file whose first bytes lack the JFIF marker
is left out, and so is any file OpenCV cannot decode; the loader warns how many it
skipped and lists them in ``extras["skipped_files"]``.
"""
from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path, PurePosixPath

import numpy as np

from . import _image_files
from .._checks import check_bool, check_int, check_path
from ._checks import check_photo_budget, check_size_pair, make_rng
from .downloads import data_home, fetch
from .imageset import ImageSet

__all__ = ["cats_vs_dogs", "CATS_VS_DOGS_URL", "CATS_VS_DOGS_SHA256"]

CATS_VS_DOGS_URL = (
    "https://download.microsoft.com/download/3/E/1/"
    "3E1C3F21-ECDB-4869-8368-6DEBA77B919F/kagglecatsanddogs_5340.zip"
)
CATS_VS_DOGS_FILENAME = "kagglecatsanddogs_5340.zip"
# SHA-256 of kagglecatsanddogs_5340.zip as recorded by TensorFlow Datasets
# (tensorflow_datasets/url_checksums/cats_vs_dogs.txt); the same digest is the download
# checksum in GoMLX's Cats-vs-Dogs example. It was not re-computed from the file here
# (no internet); the loader refuses any file whose digest differs, so a changed
# archive fails loudly, never silently.
CATS_VS_DOGS_SHA256 = "b7974bd00a84a99921f36ee4403f089853777b5ae8d151c76a86e64900334af9"

#: Class index -> folder in the archive: 0 = cat, 1 = dog (as in the Kaggle competition).
_FOLDERS = {"cat": "PetImages/Cat", "dog": "PetImages/Dog"}
_EXTRACTED = "kagglecatsanddogs_5340"  # folder name in the cache
_JFIF_MARKER = b"JFIF"
_HEADER_BYTES = 10  # a JFIF file starts with FF D8 FF E0, a length, then "JFIF"


def cats_vs_dogs(
    root=None,
    download: bool = True,
    size=(160, 160),
    limit: int | None = 1000,
    seed: int = 0,
) -> ImageSet:
    """Cats vs Dogs photos, downloaded and unpacked once, then read from the cache.

    Parameters
    ----------
    root : path or None
        Cache folder; None means ``$HELPERS_DATA`` or ``~/.cache/helpers``. The
        zip is verified by SHA-256, then unpacked next to it (about 800 MB more).
    download : bool
        If False, never download: use the cached copy or raise.
    size : int or (int, int)
        Output ``(height, width)`` in pixels; photos are stretched to it.
    limit : int or None
        Photos per class, drawn at random (with ``seed``) among the usable ones.
        The default, 1,000 per class, takes about 600 MB as float32 at 160x160;
        None loads all ~23,400 usable photos, which at 160x160 (7.2 GB) is
        refused: a set must fit 4 GiB of float32 pixels (a ``ValueError`` says
        so before any photo is read); all of them fit at 112x112 or less.
    seed : int
        Seed of the random choice of photos and of their order.

    Returns
    -------
    ImageSet
        ``images`` float32 (N, height, width, 3) in [0, 1], RGB; ``labels`` int64,
        0 = cat, 1 = dog; ``class_names`` ``("cat", "dog")``; shuffled.
        ``extras["paths"]``: each photo's file (str);
        ``extras["skipped_files"]``: the files left out as unusable (tuple of str,
        relative to the unpacked folder), ``extras["n_skipped"]`` their number.

    Raises
    ------
    FileNotFoundError, DownloadError
        If the data is not cached and cannot (or may not) be downloaded.
    ChecksumError
        If the zip's SHA-256 digest is wrong (nothing is unpacked).
    """
    download = check_bool(download, "download")  # "no" is truthy: never a download by mistake
    check_path(root, "root", optional=True)
    height, width = check_size_pair(size, "size", minimum=8)
    if limit is not None:
        limit = check_int(limit, "limit", low=1)
    rng = make_rng(seed)
    folder = _unpacked_folder(root, download)

    files_per_class, unusable = [], []
    for name, subfolder in _FOLDERS.items():
        files = (sorted(path for path in (folder / subfolder).iterdir() if path.is_file())
                 if (folder / subfolder).is_dir() else [])
        if not files:
            raise ValueError(
                f"{folder / subfolder} holds no photos of {name!r}: the cache is unpacked only "
                f"in part (or damaged); delete {folder} and load again, and it is unpacked "
                "from the verified archive.")
        is_jfif = [_has_jfif_header(path) for path in files]
        files_per_class.append([path for path, ok in zip(files, is_jfif) if ok])
        unusable += [path for path, ok in zip(files, is_jfif) if not ok]
    n_files = sum(len(files) for files in files_per_class) + len(unusable)
    check_photo_budget(files_per_class, limit, height, width)

    images, labels, paths = [], [], []
    for label, files in enumerate(files_per_class):
        wanted = len(files) if limit is None else min(limit, len(files))
        chosen, undecodable = _read_until(files, wanted, (height, width), rng)
        unusable += undecodable
        images.append(chosen[0])
        paths += chosen[1]
        labels += [label] * len(chosen[1])

    skipped = tuple(sorted(os.path.relpath(path, folder) for path in unusable))
    if skipped:
        _image_files.warn_skipped(skipped, n_files, why="not a readable JPEG/JFIF photo")
    order = rng.permutation(len(labels))
    return ImageSet(
        images=np.concatenate(images)[order],
        labels=np.asarray(labels, np.int64)[order],
        class_names=tuple(_FOLDERS),
        extras={
            "paths": np.array([str(path) for path in paths])[order],
            "skipped_files": skipped,
            "n_skipped": len(skipped),
        },
    )


def _unpacked_folder(root, allow_download: bool) -> Path:
    """The unpacked ``PetImages`` tree in the cache, fetching and unpacking it if needed."""
    folder = data_home(root) / _EXTRACTED
    if folder.is_dir():  # only ever created, by the rename below, from a verified zip
        return folder
    archive = fetch(CATS_VS_DOGS_URL, CATS_VS_DOGS_FILENAME, CATS_VS_DOGS_SHA256, root, allow_download)
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    with zipfile.ZipFile(archive) as zipped:
        members = [m for m in zipped.infolist() if not m.is_dir() and _is_pet_image(m.filename)]
        for member in _progress(members, f"unpacking {archive.name}"):
            target = partial / PurePosixPath(member.filename)
            target.parent.mkdir(parents=True, exist_ok=True)
            with zipped.open(member) as source, open(target, "wb") as out:
                shutil.copyfileobj(source, out)
    missing = [sub for sub in _FOLDERS.values() if not (partial / sub).is_dir()]
    if missing:
        shutil.rmtree(partial, ignore_errors=True)
        raise ValueError(f"{archive} does not contain the folders {missing}.")
    os.replace(partial, folder)  # atomic: the folder appears complete or not at all
    return folder


def _progress(items, label: str):
    """``items``, with a progress bar when tqdm is installed."""
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return items
    return tqdm(items, desc=label, unit="file", disable=len(items) < 1000)


def _is_pet_image(name: str) -> bool:
    """True for a plain file name under PetImages/Cat or PetImages/Dog (no ``..`` tricks)."""
    parts = PurePosixPath(name).parts
    return (
        len(parts) == 3
        and "/".join(parts[:2]) in _FOLDERS.values()
        and parts[2] not in ("", ".", "..")
        and "\\" not in name
    )


def _has_jfif_header(path: Path) -> bool:
    with open(path, "rb") as file:
        return _JFIF_MARKER in file.read(_HEADER_BYTES)


def _read_until(files, wanted: int, size, rng: np.random.Generator):
    """Read files in random order until ``wanted`` decode; return them and the failures.

    Returns
    -------
    ((images, paths), failed)
        ``images`` float32 (wanted or fewer, H, W, 3), ``paths`` the files read,
        ``failed`` the files OpenCV could not decode.
    """
    images, paths, failed = [], [], []
    for index in rng.permutation(len(files)):
        if len(images) == wanted:
            break
        try:
            images.append(_image_files.read_image(files[index], size))
            paths.append(files[index])
        except _image_files.UnreadableImageError:
            failed.append(files[index])
    height, width = size
    stacked = np.stack(images) if images else np.empty((0, height, width, 3), np.float32)
    return (stacked, paths), failed
