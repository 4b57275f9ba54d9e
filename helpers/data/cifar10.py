"""CIFAR-10, the "python version" from the University of Toronto.

60,000 colour images of 32x32 pixels in 10 classes (6,000 per class), split into
50,000 for training (five batches of 10,000) and 10,000 for testing
(Krizhevsky, 2009, *Learning Multiple Layers of Features from Tiny Images*).

The archive stores each batch as a Python pickle. Unpickling can run arbitrary
code, so the archive's SHA-256 digest is checked first (the same digest Keras
uses), and the pickles are then read by an unpickler that only accepts the few
NumPy names a CIFAR-10 batch contains.
"""
from __future__ import annotations

import pickle
import tarfile

import numpy as np

from .._checks import check_bool, check_path
from .downloads import fetch
from .imageset import ImageSet

__all__ = ["cifar10", "CIFAR10_URL", "CIFAR10_SHA256"]

CIFAR10_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
CIFAR10_FILENAME = "cifar-10-python.tar.gz"
CIFAR10_SHA256 = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"

_TRAIN_BATCHES = tuple(f"data_batch_{i}" for i in range(1, 6))
_TEST_BATCH = "test_batch"
_META = "batches.meta"
_SIDE = 32  # pixels


def cifar10(root=None, download: bool = True) -> tuple[ImageSet, ImageSet]:
    """CIFAR-10 as ``(train, test)``, downloaded once (~163 MiB) and cached.

    Parameters
    ----------
    root : path or None
        Cache folder for ``cifar-10-python.tar.gz``; None means ``$HELPERS_DATA``
        or ``~/.cache/helpers`` (see :func:`helpers.data.data_home`).
    download : bool
        If False, never download: use the cached archive or raise.

    Returns
    -------
    (train, test) : tuple of ImageSet
        ``images`` float32 (50000, 32, 32, 3) and (10000, 32, 32, 3) in [0, 1],
        RGB; ``labels`` int64 in 0..9; ``class_names`` from the archive
        (``"airplane"``, ``"automobile"``, ``"bird"``, ``"cat"``, ``"deer"``,
        ``"dog"``, ``"frog"``, ``"horse"``, ``"ship"``, ``"truck"``). About 740 MB
        of memory in all.

    Raises
    ------
    FileNotFoundError, DownloadError
        If the archive is not cached and cannot (or may not) be downloaded; the
        message says where to put a copy made by hand.
    ChecksumError
        If the archive's SHA-256 digest is wrong (nothing is unpickled).
    """
    download = check_bool(download, "download")  # "False" is truthy: never a download by mistake
    check_path(root, "root", optional=True)
    archive_path = fetch(CIFAR10_URL, CIFAR10_FILENAME, CIFAR10_SHA256, root, download)
    wanted = set(_TRAIN_BATCHES) | {_TEST_BATCH, _META}
    found = {}
    with tarfile.open(archive_path, "r:gz") as archive:
        for member in archive:  # one pass: a .tar.gz cannot seek cheaply
            name = member.name.rsplit("/", 1)[-1]
            if member.isfile() and name in wanted:
                found[name] = _unpickle(archive.extractfile(member), name)
    missing = sorted(wanted - set(found))
    if missing:
        raise ValueError(f"{archive_path} is not a CIFAR-10 python archive: {missing} missing.")

    class_names = tuple(name.decode("utf-8") for name in found[_META][b"label_names"])
    train_images, train_labels = _images_and_labels({name: found[name] for name in _TRAIN_BATCHES})
    test_images, test_labels = _images_and_labels({_TEST_BATCH: found[_TEST_BATCH]})
    train = ImageSet(images=train_images, labels=train_labels, class_names=class_names)
    test = ImageSet(images=test_images, labels=test_labels, class_names=class_names)
    return train, test


class _BatchUnpickler(pickle.Unpickler):
    """An unpickler that only rebuilds dicts, lists, bytes and NumPy arrays.

    A CIFAR-10 batch refers to no other global names; anything else in a pickle
    (a function to call, a class to build) is refused.
    """

    _ALLOWED = {
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("numpy.core.multiarray", "_reconstruct"),  # pickles written by NumPy 1.x
        ("numpy._core.multiarray", "_reconstruct"),  # ... and by NumPy 2.x
        ("numpy.core.multiarray", "scalar"),
        ("numpy._core.multiarray", "scalar"),
        ("numpy.core.numeric", "_frombuffer"),  # pickle protocol 5
        ("numpy._core.numeric", "_frombuffer"),
        ("_codecs", "encode"),  # how protocol 2 stores bytes
    }

    def find_class(self, module: str, name: str):
        if (module, name) in self._ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(
            f"refusing to load {module}.{name}: a CIFAR-10 batch only holds "
            "dicts, lists, bytes and NumPy arrays."
        )


def _unpickle(file, name: str) -> dict:
    """One batch file as a dict with bytes keys (the batches were written by Python 2)."""
    content = _BatchUnpickler(file, encoding="bytes").load()
    if not isinstance(content, dict):
        raise ValueError(f"CIFAR-10 member {name} should hold a dict, got {type(content).__name__}.")
    return content


def _images_and_labels(batches: dict) -> tuple[np.ndarray, np.ndarray]:
    """Stack batches into ``(images, labels)``: float32 (n, 32, 32, 3) in [0, 1], int64 (n,).

    Each row of a batch's ``b"data"`` holds 3,072 bytes: the red plane (32x32, row
    by row), then the green one, then the blue one. The float32 array is filled
    batch by batch, so memory peaks at the final size, not twice it.
    """
    pixels, labels = [], []
    for name, batch in batches.items():
        data, batch_labels = batch.get(b"data"), np.asarray(batch.get(b"labels"))
        if not isinstance(data, np.ndarray) or data.dtype != np.uint8 or data.ndim != 2 \
                or data.shape[1] != 3 * _SIDE * _SIDE:
            raise ValueError(f"CIFAR-10 member {name}: b'data' should be uint8 (n, 3072).")
        if batch_labels.shape != (len(data),) or not np.issubdtype(batch_labels.dtype, np.integer):
            raise ValueError(f"CIFAR-10 member {name}: b'labels' should be {len(data)} integers.")
        pixels.append(data)
        labels.append(batch_labels.astype(np.int64))
    images = np.empty((sum(len(data) for data in pixels), _SIDE, _SIDE, 3), np.float32)
    start = 0
    for data in pixels:
        planes = data.reshape(-1, 3, _SIDE, _SIDE).transpose(0, 2, 3, 1)  # (n, row, column, channel)
        np.multiply(planes, np.float32(1 / 255), out=images[start : start + len(data)])
        start += len(data)
    return images, np.concatenate(labels)
