"""Downloads, CIFAR-10 and Cats vs Dogs, run offline on small files in the real formats.

The tests build a tiny ``cifar-10-python.tar.gz`` and a tiny ``kagglecatsanddogs``
zip, serve them through ``file://`` URLs, and point the loaders' URL and SHA-256
constants at them, so the real code path (download, verify, unpack, parse) runs.
"""
import hashlib
import importlib
import io
import os
import pickle
import tarfile
import urllib.error
import urllib.request
import zipfile

import cv2
import numpy as np
import pytest

from helpers.data import ChecksumError, DownloadError, cats_vs_dogs, cifar10, data_home, download

# The modules, not the functions of the same name that helpers.data exports.
cats_module = importlib.import_module("helpers.data.cats_vs_dogs")
cifar_module = importlib.import_module("helpers.data.cifar10")

CIFAR_CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def count_urlopen(monkeypatch):
    """Count calls to urllib's urlopen (the one door to the network)."""
    calls = []
    real_urlopen = urllib.request.urlopen

    def counting(url, *args, **kwargs):
        calls.append(url)
        return real_urlopen(url, *args, **kwargs)

    monkeypatch.setattr(urllib.request, "urlopen", counting)
    return calls


# ----------------------------------------------------------------- download
def test_download_verifies_and_moves_the_file_into_place(tmp_path):
    source = tmp_path / "server" / "file.bin"
    source.parent.mkdir()
    source.write_bytes(os.urandom(3_000_000))  # several 1 MiB chunks
    dest = tmp_path / "cache" / "sub" / "file.bin"
    assert download(source.as_uri(), dest, sha256(source), progress=False) == dest
    assert dest.read_bytes() == source.read_bytes()
    assert os.listdir(dest.parent) == ["file.bin"]  # no temporary file left


def test_download_with_a_wrong_digest_keeps_nothing(tmp_path):
    source = tmp_path / "file.bin"
    source.write_bytes(b"some bytes")
    dest = tmp_path / "cache" / "file.bin"
    with pytest.raises(ChecksumError, match="SHA-256"):
        download(source.as_uri(), dest, "0" * 64, progress=False)
    assert not dest.exists() and os.listdir(dest.parent) == []


def test_download_failure_is_a_download_error(tmp_path):
    with pytest.raises(DownloadError, match="could not download"):
        download((tmp_path / "missing.bin").as_uri(), tmp_path / "x.bin", "0" * 64, progress=False)
    assert not (tmp_path / "x.bin").exists()


@pytest.mark.parametrize("digest, error", [("abc", ValueError), ("g" * 64, ValueError),
                                           (None, TypeError)])
def test_download_refuses_a_malformed_digest(tmp_path, digest, error):
    with pytest.raises(error, match="64 hexadecimal digits"):
        download("file:///nothing", tmp_path / "x", digest)


def test_data_home_prefers_root_then_environment_then_home(monkeypatch, tmp_path):
    monkeypatch.setenv("HELPERS_DATA", str(tmp_path / "env"))
    assert data_home(tmp_path / "root") == tmp_path / "root"
    assert data_home() == tmp_path / "env"
    monkeypatch.delenv("HELPERS_DATA")
    assert data_home().parts[-2:] == (".cache", "helpers")


# ------------------------------------------------------------------ CIFAR-10
def cifar_batch(rng, n):
    return {
        b"batch_label": b"fake batch",
        b"labels": rng.integers(0, 10, n).tolist(),
        b"data": rng.integers(0, 256, (n, 3072), dtype=np.uint8),
        b"filenames": [f"img_{i}.png".encode() for i in range(n)],
    }


def write_tar(path, members):
    with tarfile.open(path, "w:gz") as archive:
        for name, obj in members.items():
            payload = pickle.dumps(obj, protocol=2)
            info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
            info.size = len(payload)
            archive.addfile(info, io.BytesIO(payload))


@pytest.fixture
def fake_cifar(tmp_path, monkeypatch):
    """A 5 x 4 + 3 image CIFAR-10 archive 'on a server' and the batches it holds."""
    rng = np.random.default_rng(0)
    batches = {f"data_batch_{i}": cifar_batch(rng, 4) for i in range(1, 6)}
    batches["test_batch"] = cifar_batch(rng, 3)
    batches["batches.meta"] = {b"label_names": [name.encode() for name in CIFAR_CLASSES],
                               b"num_cases_per_batch": 4, b"num_vis": 3072}
    archive = tmp_path / "server" / "cifar-10-python.tar.gz"
    archive.parent.mkdir()
    write_tar(archive, batches)
    monkeypatch.setattr(cifar_module, "CIFAR10_URL", archive.as_uri())
    monkeypatch.setattr(cifar_module, "CIFAR10_SHA256", sha256(archive))
    return archive, batches


def test_cifar10_downloads_verifies_and_parses(fake_cifar, tmp_path, count_urlopen):
    _, batches = fake_cifar
    train, test = cifar10(root=tmp_path / "cache")
    assert count_urlopen == [fake_cifar[0].as_uri()]
    assert (tmp_path / "cache" / "cifar-10-python.tar.gz").exists()
    assert train.images.shape == (20, 32, 32, 3) and test.images.shape == (3, 32, 32, 3)
    assert train.images.dtype == np.float32 and train.labels.dtype == np.int64
    assert train.class_names == tuple(CIFAR_CLASSES)
    first = batches["data_batch_1"][b"data"][0]
    # a row holds the red plane, then green, then blue, each 32 x 32 row by row
    assert train.images[0, 0, 0, 0] == pytest.approx(first[0] / 255)
    assert train.images[0, 0, 0, 1] == pytest.approx(first[1024] / 255)
    assert train.images[0, 0, 0, 2] == pytest.approx(first[2048] / 255)
    assert train.images[0, 0, 1, 0] == pytest.approx(first[1] / 255)
    assert train.images[0, 1, 0, 0] == pytest.approx(first[32] / 255)
    expected_labels = sum((batches[f"data_batch_{i}"][b"labels"] for i in range(1, 6)), [])
    assert train.labels.tolist() == expected_labels
    assert test.labels.tolist() == batches["test_batch"][b"labels"]


def test_cifar10_second_call_uses_the_cache(fake_cifar, tmp_path, count_urlopen, monkeypatch):
    cifar10(root=tmp_path / "cache")
    monkeypatch.setattr(cifar_module, "CIFAR10_URL", (tmp_path / "gone").as_uri())
    train, _ = cifar10(root=tmp_path / "cache", download=False)
    again, _ = cifar10(root=tmp_path / "cache")
    assert len(count_urlopen) == 1
    np.testing.assert_array_equal(train.images, again.images)


def test_cifar10_wrong_digest_is_refused_before_unpickling(fake_cifar, tmp_path, monkeypatch):
    monkeypatch.setattr(cifar_module, "CIFAR10_SHA256", "1" * 64)

    def must_not_run(*args, **kwargs):
        raise AssertionError("an unverified file was unpickled")

    monkeypatch.setattr(cifar_module, "_unpickle", must_not_run)
    with pytest.raises(ChecksumError, match="SHA-256"):
        cifar10(root=tmp_path / "cache")
    assert list((tmp_path / "cache").iterdir()) == []  # the bad file is not cached


def test_cifar10_bad_cached_copy_is_refused_or_downloaded_again(fake_cifar, tmp_path):
    cached = tmp_path / "cache" / "cifar-10-python.tar.gz"
    cached.parent.mkdir()
    cached.write_bytes(b"truncated")
    with pytest.raises(ChecksumError, match="Delete it"):
        cifar10(root=tmp_path / "cache", download=False)
    with pytest.warns(UserWarning, match="downloading it again"):
        train, _ = cifar10(root=tmp_path / "cache")
    assert len(train) == 20 and sha256(cached) == sha256(fake_cifar[0])


def test_cifar10_offline_error_says_what_to_download_and_where(tmp_path, monkeypatch):
    def offline(*args, **kwargs):
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    cache = tmp_path / "cache"
    with pytest.raises(DownloadError) as info:
        cifar10(root=cache)
    message = str(info.value)
    assert "name resolution" in message
    assert "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz" in message
    assert str(cache / "cifar-10-python.tar.gz") in message
    assert cifar_module.CIFAR10_SHA256 in message
    assert not any(cache.iterdir())


def test_cifar10_without_download_and_cache_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="cifar-10-python.tar.gz.*download=False"):
        cifar10(root=tmp_path, download=False)


def test_cifar10_environment_variable_chooses_the_cache(fake_cifar, tmp_path, monkeypatch):
    monkeypatch.setenv("HELPERS_DATA", str(tmp_path / "from_env"))
    cifar10()
    assert (tmp_path / "from_env" / "cifar-10-python.tar.gz").exists()


def test_cifar10_malformed_batch_is_reported(tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    members = {f"data_batch_{i}": cifar_batch(rng, 2) for i in range(1, 6)}
    members["data_batch_2"][b"data"] = members["data_batch_2"][b"data"][:, :100]
    members["test_batch"] = cifar_batch(rng, 2)
    members["batches.meta"] = {b"label_names": [name.encode() for name in CIFAR_CLASSES]}
    archive = tmp_path / "odd.tar.gz"
    write_tar(archive, members)
    monkeypatch.setattr(cifar_module, "CIFAR10_URL", archive.as_uri())
    monkeypatch.setattr(cifar_module, "CIFAR10_SHA256", sha256(archive))
    with pytest.raises(ValueError, match=r"data_batch_2.*uint8 \(n, 3072\)"):
        cifar10(root=tmp_path / "cache")


def test_cifar10_archive_without_the_batches_is_reported(tmp_path, monkeypatch):
    archive = tmp_path / "empty.tar.gz"
    write_tar(archive, {"readme.html": {b"nothing": b"here"}})
    monkeypatch.setattr(cifar_module, "CIFAR10_URL", archive.as_uri())
    monkeypatch.setattr(cifar_module, "CIFAR10_SHA256", sha256(archive))
    with pytest.raises(ValueError, match="not a CIFAR-10 python archive"):
        cifar10(root=tmp_path / "cache")


class Sneaky:
    def __reduce__(self):
        return (os.getcwd, ())  # a harmless call, but a call: must be refused


def test_cifar10_unpickler_refuses_anything_but_arrays(tmp_path, monkeypatch):
    """Defence in depth: even a file with the 'right' digest cannot make the loader call code."""
    rng = np.random.default_rng(0)
    members = {f"data_batch_{i}": cifar_batch(rng, 2) for i in range(1, 6)}
    members["data_batch_3"][b"labels"] = Sneaky()
    members["test_batch"] = cifar_batch(rng, 2)
    members["batches.meta"] = {b"label_names": [name.encode() for name in CIFAR_CLASSES]}
    archive = tmp_path / "evil.tar.gz"
    write_tar(archive, members)
    monkeypatch.setattr(cifar_module, "CIFAR10_URL", archive.as_uri())
    monkeypatch.setattr(cifar_module, "CIFAR10_SHA256", sha256(archive))
    with pytest.raises(pickle.UnpicklingError, match="refusing to load"):
        cifar10(root=tmp_path / "cache")


# ------------------------------------------------------------- Cats vs Dogs
def jpeg_bytes(bgr_colour, height=30, width=40):
    ok, encoded = cv2.imencode(".jpg", np.full((height, width, 3), bgr_colour, np.uint8))
    assert ok and b"JFIF" in encoded.tobytes()[:10]
    return encoded.tobytes()


@pytest.fixture
def fake_pets(tmp_path, monkeypatch):
    """A zip like Microsoft's: 5 cats (red) and 4 dogs (blue) plus unusable files."""
    archive = tmp_path / "server" / "kagglecatsanddogs_5340.zip"
    archive.parent.mkdir()
    red, blue = (0, 0, 255), (255, 0, 0)  # BGR
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("readme[1].txt", "licence text")
        zipped.writestr("PetImages/Cat/", "")
        for i in range(5):
            zipped.writestr(f"PetImages/Cat/{i}.jpg", jpeg_bytes(red))
        for i in range(4):
            zipped.writestr(f"PetImages/Dog/{i}.jpg", jpeg_bytes(blue, 50, 20))
        zipped.writestr("PetImages/Cat/666.jpg", b"")  # empty, as in the real archive
        zipped.writestr("PetImages/Dog/11702.jpg", b"GIF89a not a jpeg at all")
        zipped.writestr("PetImages/Dog/9999.jpg", jpeg_bytes(blue)[:20])  # JFIF header, no image
        zipped.writestr("PetImages/Cat/Thumbs.db", b"\xd0\xcf\x11\xe0 windows thumbnails")
        zipped.writestr("PetImages/Cat/../../escape.jpg", jpeg_bytes(red))
    monkeypatch.setattr(cats_module, "CATS_VS_DOGS_URL", archive.as_uri())
    monkeypatch.setattr(cats_module, "CATS_VS_DOGS_SHA256", sha256(archive))
    return archive


def test_cats_vs_dogs_loads_labels_and_reports_skipped_files(fake_pets, tmp_path, count_urlopen):
    with pytest.warns(UserWarning, match=r"skipped 4 of 13 files") as record:
        data = cats_vs_dogs(root=tmp_path / "cache", size=(24, 32), limit=None)
    assert "666.jpg" in str(record[0].message)
    assert len(count_urlopen) == 1
    assert data.class_names == ("cat", "dog")
    assert data.class_counts() == {"cat": 5, "dog": 4}
    assert data.images.shape == (9, 24, 32, 3) and data.images.dtype == np.float32
    colour = data.images.mean(axis=(1, 2))
    cats, dogs = data.labels == 0, data.labels == 1  # 0 = cat, 1 = dog (the Dogs-vs-Cats data-set notes)
    assert (colour[cats, 0] > 0.9).all() and (colour[dogs, 2] > 0.9).all()  # RGB order
    assert data.extras["n_skipped"] == 4
    assert sorted(os.path.basename(p) for p in data.extras["skipped_files"]) == [
        "11702.jpg", "666.jpg", "9999.jpg", "Thumbs.db"
    ]
    assert all(("Cat" in p) == (label == 0) for p, label in zip(data.extras["paths"], data.labels))


def test_cats_vs_dogs_unpacks_only_pet_images(fake_pets, tmp_path):
    with pytest.warns(UserWarning):
        cats_vs_dogs(root=tmp_path / "cache", size=16)
    unpacked = tmp_path / "cache" / "kagglecatsanddogs_5340"
    assert sorted(p.name for p in unpacked.iterdir()) == ["PetImages"]
    assert not list(tmp_path.rglob("escape.jpg"))


def test_cats_vs_dogs_limit_and_seed_choose_photos(fake_pets, tmp_path):
    with pytest.warns(UserWarning):
        small = cats_vs_dogs(root=tmp_path / "cache", size=16, limit=2, seed=0)
    assert small.class_counts() == {"cat": 2, "dog": 2}
    with pytest.warns(UserWarning):
        same = cats_vs_dogs(root=tmp_path / "cache", size=16, limit=2, seed=0)
    np.testing.assert_array_equal(small.extras["paths"], same.extras["paths"])
    choices = set()
    for seed in range(6):
        with pytest.warns(UserWarning):
            choices.add(tuple(sorted(cats_vs_dogs(root=tmp_path / "cache", size=16, limit=2,
                                                  seed=seed).extras["paths"])))
    assert len(choices) > 1


def test_cats_vs_dogs_reuses_the_unpacked_folder(fake_pets, tmp_path, count_urlopen, monkeypatch):
    with pytest.warns(UserWarning):
        cats_vs_dogs(root=tmp_path / "cache", size=16)
    monkeypatch.setattr(cats_module, "CATS_VS_DOGS_URL", (tmp_path / "gone.zip").as_uri())
    with pytest.warns(UserWarning):
        data = cats_vs_dogs(root=tmp_path / "cache", size=16, download=False)
    assert len(count_urlopen) == 1 and len(data) == 9


def test_cats_vs_dogs_wrong_digest_unpacks_nothing(fake_pets, tmp_path, monkeypatch):
    monkeypatch.setattr(cats_module, "CATS_VS_DOGS_SHA256", "2" * 64)
    with pytest.raises(ChecksumError):
        cats_vs_dogs(root=tmp_path / "cache")
    assert list((tmp_path / "cache").iterdir()) == []


def test_cats_vs_dogs_offline_error_says_what_to_download(tmp_path, monkeypatch):
    monkeypatch.setattr(cats_module, "CATS_VS_DOGS_URL", (tmp_path / "no_server.zip").as_uri())
    with pytest.raises(DownloadError, match=r"copy it to .*kagglecatsanddogs_5340\.zip"):
        cats_vs_dogs(root=tmp_path / "cache")
    with pytest.raises(FileNotFoundError, match="download=False"):
        cats_vs_dogs(root=tmp_path / "cache", download=False)


def test_the_published_constants_look_right():
    assert cats_module.CATS_VS_DOGS_URL.startswith("https://download.microsoft.com/")
    assert cats_module.CATS_VS_DOGS_URL.endswith("/kagglecatsanddogs_5340.zip")
    assert cifar_module.CIFAR10_URL == "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
    for digest in (cats_module.CATS_VS_DOGS_SHA256, cifar_module.CIFAR10_SHA256):
        assert len(digest) == 64 and int(digest, 16) >= 0


@pytest.mark.parametrize("kwargs, error", [({"limit": 0}, ValueError), ({"limit": 2.5}, TypeError),
                                           ({"size": -1}, ValueError), ({"seed": "x"}, TypeError)])
def test_cats_vs_dogs_bad_arguments_fail_before_any_download(tmp_path, kwargs, error, count_urlopen):
    with pytest.raises(error):
        cats_vs_dogs(root=tmp_path, **kwargs)
    assert count_urlopen == []
