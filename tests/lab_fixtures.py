"""Small archives in the real data sets' formats, for tests that must stay offline.

:func:`fixture_folder` writes them with a ``checksums.json`` for ``HELPERS_FIXTURES``
(see :mod:`helpers.data.downloads`).
"""
import hashlib
import io
import json
import tarfile

import cv2
import numpy as np

from helpers.data import IMAGENETTE_CLASSES


def jpeg(colour_rgb, height, width, seed=0):
    """A JPEG of one colour with a little noise (so the files differ)."""
    rng = np.random.default_rng(seed)
    image = np.clip(np.asarray(colour_rgb)[None, None, ::-1]
                    + rng.normal(0, 8, (height, width, 3)), 0, 255).astype(np.uint8)
    ok, encoded = cv2.imencode(".jpg", image)
    assert ok
    return encoded.tobytes()


def class_colour(label):
    """A distinct RGB colour per class index."""
    hue = np.uint8(label * 18)
    hsv = np.array([[[hue, 200, 220]]], np.uint8)
    return tuple(int(v) for v in cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)[0, 0])


def _add(tar, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def imagenette_tgz(path, per_class=(3, 2), size=(40, 56), extra_members=()):
    """An ``imagenette2-160.tgz`` with ``per_class`` (train, val) photos of each class.

    Class ``k``'s photos are of :func:`class_colour` ``(k)``; ``extra_members`` are
    ``(name, bytes)`` pairs added as they are (e.g. path-traversal attempts).
    """
    with tarfile.open(path, "w:gz") as tar:
        _add(tar, "imagenette2-160/noisy_imagenette.csv", b"path,noisy_labels_0\n")
        for label, (wnid, _, _) in enumerate(IMAGENETTE_CLASSES):
            for split, count in zip(("train", "val"), per_class):
                for i in range(count):
                    name = f"imagenette2-160/{split}/{wnid}/{wnid}_{i}.JPEG"
                    _add(tar, name, jpeg(class_colour(label), *size, seed=label * 100 + i))
        for name, data in extra_members:
            _add(tar, name, data)
    return path


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fixture_folder(folder, archives):
    """Write ``checksums.json`` for the archive paths in ``folder``; return ``folder``."""
    digests = {path.name: sha256(path) for path in archives}
    (folder / "checksums.json").write_text(json.dumps(digests, indent=1))
    return folder


CIFAR_CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse",
                 "ship", "truck")


def _cifar_batch(rng, n):
    """``n`` 32x32 images: noise with a square of the class's colour at a random place."""
    labels = rng.integers(0, 10, n)
    images = rng.integers(0, 90, (n, 32, 32, 3)).astype(np.uint8)
    for image, label in zip(images, labels):
        y, x = rng.integers(0, 20, 2)
        image[y:y + 12, x:x + 12] = class_colour(int(label))
    return {
        b"batch_label": b"fixture batch",
        b"labels": labels.tolist(),
        b"data": images.transpose(0, 3, 1, 2).reshape(n, 3072),  # CIFAR's channel-first rows
        b"filenames": [f"img_{i}.png".encode() for i in range(n)],
    }


def cifar10_tgz(path, per_batch=40, n_test=40, seed=0):
    """A ``cifar-10-python.tar.gz`` with 5 x ``per_batch`` training and ``n_test`` test images."""
    import pickle

    rng = np.random.default_rng(seed)
    members = {f"data_batch_{i}": _cifar_batch(rng, per_batch) for i in range(1, 6)}
    members["test_batch"] = _cifar_batch(rng, n_test)
    members["batches.meta"] = {b"label_names": [name.encode() for name in CIFAR_CLASSES],
                               b"num_cases_per_batch": per_batch, b"num_vis": 3072}
    with tarfile.open(path, "w:gz") as tar:
        for name, obj in members.items():
            _add(tar, f"cifar-10-batches-py/{name}", pickle.dumps(obj, protocol=2))
    return path


def cats_vs_dogs_zip(path, per_class=20, size=(48, 64), seed=0):
    """A ``kagglecatsanddogs_5340.zip`` in Microsoft's layout: ``per_class`` JPEG photos in
    ``PetImages/Cat`` and ``PetImages/Dog`` (a warm blob for cats, a cool one for dogs,
    on noise), plus the kinds of unusable files the real archive holds."""
    import zipfile

    rng = np.random.default_rng(seed)
    height, width = size
    with zipfile.ZipFile(path, "w") as zipped:
        for folder, colour in (("Cat", (220, 120, 40)), ("Dog", (60, 90, 220))):
            for i in range(per_class):
                image = rng.integers(0, 110, (height, width, 3)).astype(np.uint8)
                y, x = rng.integers(0, height // 2), rng.integers(0, width // 2)
                image[y:y + height // 2, x:x + width // 2] = colour
                ok, encoded = cv2.imencode(".jpg", image[..., ::-1])
                assert ok
                zipped.writestr(f"PetImages/{folder}/{i}.jpg", encoded.tobytes())
        zipped.writestr("PetImages/Cat/666.jpg", b"")             # empty, as in the archive
        zipped.writestr("PetImages/Dog/Thumbs.db", b"\xd0\xcf\x11\xe0 thumbnails")
    return path
