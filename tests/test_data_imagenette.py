"""The Imagenette loader and the HELPERS_FIXTURES offline mode, on archives made here."""
import importlib
import json
import tarfile
import urllib.error
import urllib.request

import numpy as np
import pytest

from helpers.data import ChecksumError, DownloadError, data_home, imagenette
from helpers.data.downloads import fixture_folder as active_fixture_folder
imagenette_module = importlib.import_module("helpers.data.imagenette")
from lab_fixtures import class_colour, fixture_folder, imagenette_tgz, jpeg, sha256


@pytest.fixture
def fake_imagenette(tmp_path, monkeypatch):
    (tmp_path / "server").mkdir()
    archive = imagenette_tgz(tmp_path / "server" / "imagenette2-160.tgz")
    monkeypatch.setattr(imagenette_module, "IMAGENETTE_URL", archive.as_uri())
    monkeypatch.setattr(imagenette_module, "IMAGENETTE_SHA256", sha256(archive))
    return archive


@pytest.fixture
def count_urlopen(monkeypatch):
    calls = []
    real = urllib.request.urlopen

    def counting(url, *args, **kwargs):
        calls.append(url)
        return real(url, *args, **kwargs)

    monkeypatch.setattr(urllib.request, "urlopen", counting)
    return calls


def test_loads_classes_labels_and_imagenet_indices(fake_imagenette, tmp_path, count_urlopen):
    data = imagenette("train", root=tmp_path / "cache", size=(24, 32), limit=None)
    assert data.images.shape == (30, 24, 32, 3) and data.images.dtype == np.float32
    assert np.bincount(data.labels).tolist() == [3] * 10
    assert data.class_names[5] == "French horn"
    assert data.extras["wnids"][5] == "n03394916"
    assert list(data.extras["imagenet_index"]) == [0, 217, 482, 491, 497, 566, 569, 571,
                                                      574, 701]
    for image, label in zip(data.images, data.labels):  # each photo is its class's colour
        np.testing.assert_allclose(image.mean(axis=(0, 1)),
                                   np.array(class_colour(label)) / 255, atol=0.06)
    assert len(count_urlopen) == 1
    val = imagenette("val", root=tmp_path / "cache", size=16, limit=None)
    assert len(val) == 20 and len(count_urlopen) == 1  # unpacked once, reused


def test_classes_and_limit_choose_photos(fake_imagenette, tmp_path):
    data = imagenette(root=tmp_path / "cache", size=16, classes=["church", "French horn"],
                      limit=2, seed=1)
    assert data.class_names == ("church", "French horn")
    assert list(data.extras["imagenet_index"]) == [497, 566]
    assert sorted(data.labels.tolist()) == [0, 0, 1, 1]
    horn = data.images[data.labels == 1].mean(axis=(0, 1, 2))
    np.testing.assert_allclose(horn, np.array(class_colour(5)) / 255, atol=0.06)
    same = imagenette(root=tmp_path / "cache", size=16, classes=["church", "French horn"],
                      limit=2, seed=1)
    assert same.extras["paths"].tolist() == data.extras["paths"].tolist()


def test_wrong_digest_unpacks_nothing(fake_imagenette, tmp_path, monkeypatch):
    monkeypatch.setattr(imagenette_module, "IMAGENETTE_SHA256", "3" * 64)
    with pytest.raises(ChecksumError, match="SHA-256"):
        imagenette(root=tmp_path / "cache", size=16)
    assert not (tmp_path / "cache" / "imagenette2-160").exists()
    assert not (tmp_path / "cache" / "imagenette2-160.tgz").exists()


def test_truncated_archive_is_refused(fake_imagenette, tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "imagenette2-160.tgz").write_bytes(fake_imagenette.read_bytes()[:500])
    with pytest.raises(ChecksumError, match="incomplete"):
        imagenette(root=cache, size=16, download=False)
    assert not (cache / "imagenette2-160").exists()


def test_offline_error_says_what_to_download_and_where(tmp_path, monkeypatch):
    def offline(*args, **kwargs):
        raise urllib.error.URLError("no route to host")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    with pytest.raises(DownloadError, match="imagenette2-160.tgz.*SHA-256 must be 88daccb0"):
        imagenette(root=tmp_path, size=16)
    with pytest.raises(FileNotFoundError, match="download=False"):
        imagenette(root=tmp_path, size=16, download=False)


def test_extraction_writes_nothing_outside_the_cache(tmp_path, monkeypatch):
    (tmp_path / "server").mkdir()
    evil = jpeg((255, 0, 0), 8, 8)
    archive = imagenette_tgz(tmp_path / "server" / "imagenette2-160.tgz", per_class=(1, 1),
                             extra_members=[("imagenette2-160/train/../../../escape.JPEG", evil),
                                            ("/tmp/absolute.JPEG", evil),
                                            ("imagenette2-160/train/n01440764/x.sh", b"rm")])
    with tarfile.open(archive) as tar:
        assert any(".." in m.name for m in tar.getmembers())
    monkeypatch.setattr(imagenette_module, "IMAGENETTE_URL", archive.as_uri())
    monkeypatch.setattr(imagenette_module, "IMAGENETTE_SHA256", sha256(archive))
    data = imagenette(root=tmp_path / "cache" / "inner", size=8, limit=None)
    assert len(data) == 10
    written = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert not any(p.name in ("escape.JPEG", "absolute.JPEG", "x.sh") for p in written)


def test_archive_missing_a_class_is_reported(tmp_path, monkeypatch):
    (tmp_path / "server").mkdir()
    archive = tmp_path / "server" / "imagenette2-160.tgz"
    with tarfile.open(archive, "w:gz"):
        pass
    monkeypatch.setattr(imagenette_module, "IMAGENETTE_URL", archive.as_uri())
    monkeypatch.setattr(imagenette_module, "IMAGENETTE_SHA256", sha256(archive))
    with pytest.raises(ValueError, match="does not contain the folders.*train/n01440764"):
        imagenette(root=tmp_path / "cache", size=8)
    assert not (tmp_path / "cache" / "imagenette2-160").exists()


@pytest.mark.parametrize("kwargs, error, match", [
    ({"split": "test"}, ValueError, "split"),
    ({"classes": "French horn"}, TypeError, "classes must be a sequence of class names"),
    ({"classes": ["cornet"]}, ValueError, "classes"),
    ({"classes": []}, ValueError, "at least one"),
    ({"classes": ["church", "church"]}, ValueError, "repeat"),
    ({"limit": 0}, ValueError, "limit"),
    ({"download": "no"}, TypeError, "download"),
])
def test_bad_arguments_are_refused(tmp_path, kwargs, error, match):
    with pytest.raises(error, match=match):
        imagenette(root=tmp_path, **kwargs)


# ---------------------------------------------------------------- HELPERS_FIXTURES
def test_fixture_folder_replaces_the_download_and_the_cache(tmp_path, monkeypatch):
    folder = tmp_path / "fixtures"
    folder.mkdir()
    fixture_folder(folder, [imagenette_tgz(folder / "imagenette2-160.tgz")])
    monkeypatch.setenv("HELPERS_FIXTURES", str(folder))
    monkeypatch.setenv("HELPERS_PROFILE", "test")
    monkeypatch.setenv("HELPERS_DATA", str(tmp_path / "real_cache"))

    def offline(*args, **kwargs):
        if not str(args[0]).startswith("file://"):
            raise AssertionError("the internet was used")
        return real(*args, **kwargs)

    real = urllib.request.urlopen
    monkeypatch.setattr(urllib.request, "urlopen", offline)
    data = imagenette(root=tmp_path / "my_root", size=8, limit=1)
    assert len(data) == 10
    assert data_home(tmp_path / "my_root") == folder / "cache"
    assert (folder / "cache" / "imagenette2-160").is_dir()
    assert not (tmp_path / "real_cache").exists() and not (tmp_path / "my_root").exists()


def test_fixture_archive_is_still_verified(tmp_path, monkeypatch):
    folder = tmp_path / "fixtures"
    folder.mkdir()
    archive = imagenette_tgz(folder / "imagenette2-160.tgz")
    (folder / "checksums.json").write_text(json.dumps({archive.name: "4" * 64}))
    monkeypatch.setenv("HELPERS_FIXTURES", str(folder))
    monkeypatch.setenv("HELPERS_PROFILE", "test")
    with pytest.raises(ChecksumError, match="SHA-256"):
        imagenette(size=8)
    assert not (folder / "cache" / "imagenette2-160").exists()


@pytest.mark.parametrize("profile", ["cpu", "gpu", None])
def test_fixture_folder_is_refused_outside_the_test_profile(tmp_path, monkeypatch, profile):
    fixture_folder(tmp_path, [])
    monkeypatch.setenv("HELPERS_FIXTURES", str(tmp_path))
    if profile is None:
        monkeypatch.delenv("HELPERS_PROFILE", raising=False)
    else:
        monkeypatch.setenv("HELPERS_PROFILE", profile)
    with pytest.raises(ValueError, match="HELPERS_PROFILE is not 'test'"):
        imagenette(size=8)


def test_fixture_folder_without_manifest_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("HELPERS_FIXTURES", str(tmp_path))
    monkeypatch.setenv("HELPERS_PROFILE", "test")
    with pytest.raises(ValueError, match="checksums.json"):
        active_fixture_folder()


def test_file_not_in_the_manifest_keeps_its_real_digest(tmp_path, monkeypatch):
    fixture_folder(tmp_path, [])  # lists nothing
    monkeypatch.setenv("HELPERS_FIXTURES", str(tmp_path))
    monkeypatch.setenv("HELPERS_PROFILE", "test")
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "imagenette2-160.tgz").write_bytes(b"not the real archive")
    with pytest.raises(ChecksumError, match="88daccb0"):
        imagenette(size=8, download=False)
