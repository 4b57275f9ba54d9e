"""Offline real images: scikit-learn digits, bundled sample photos, and image folders."""
import socket

import cv2
import numpy as np
import pytest

from helpers.data import digits, image_folder, sample_photos


# ------------------------------------------------------------------- digits
def test_digits_format_and_split():
    train, test = digits()
    assert len(train) + len(test) == 1797
    assert len(test) == pytest.approx(0.25 * 1797, abs=10)
    for part in (train, test):
        assert part.images.shape[1:] == (8, 8, 1) and part.images.dtype == np.float32
        assert part.labels.dtype == np.int64
        assert part.class_names == tuple("0123456789")
        assert part.boxes is None and part.masks is None
    assert train.images.min() == 0.0 and train.images.max() == 1.0  # 0..16 ink scaled to [0, 1]
    assert len(np.unique(train.images)) == 17  # the raw levels are the integers 0..16


def test_digits_split_is_stratified_and_seeded():
    train, test = digits(test_fraction=0.2, seed=1)
    shares = np.array(list(test.class_counts().values())) / (
        np.array(list(test.class_counts().values())) + np.array(list(train.class_counts().values()))
    )
    assert np.abs(shares - 0.2).max() < 0.01
    _, same = digits(test_fraction=0.2, seed=1)
    _, other = digits(test_fraction=0.2, seed=2)
    np.testing.assert_array_equal(test.images, same.images)
    assert not np.array_equal(test.images, other.images)


@pytest.mark.parametrize("fraction, error", [(0, ValueError), (1.2, ValueError), ("a", TypeError)])
def test_digits_refuses_bad_fractions(fraction, error):
    with pytest.raises(error, match="test_fraction"):
        digits(test_fraction=fraction)


# ------------------------------------------------------------ sample photos
@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("this test must not use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_sample_photos_are_bundled_real_photos(no_network):
    photos = sample_photos(size=96)
    assert photos.images.shape == (6, 96, 96, 3) and photos.images.dtype == np.float32
    assert photos.class_names == ("astronaut", "cat", "coffee", "rocket", "temple", "flower")
    np.testing.assert_array_equal(photos.labels, np.arange(6))
    assert photos.boxes is None and photos.masks is None
    assert photos.images.min() >= 0 and photos.images.max() <= 1
    assert (photos.images.std(axis=(1, 2, 3)) > 0.08).all()  # real content, not blank
    assert len(set(photos.extras["sources"])) == 6
    # colour photos, not grey ones
    assert (np.abs(photos.images[..., 0] - photos.images[..., 2]).mean(axis=(1, 2)) > 0.02).all()


def test_sample_photos_are_centre_cropped_not_stretched():
    square = sample_photos(size=64).images[1]  # the cat, 451x300 originally
    wide = sample_photos(size=(64, 96)).images[1]
    assert wide.shape == (64, 96, 3)
    # the square crop is the middle of the wide crop, so their middles agree
    middle = cv2.resize(wide[:, 16:80], (64, 64), interpolation=cv2.INTER_AREA)
    assert np.abs(middle - square).mean() < 0.08


@pytest.mark.parametrize("size, error", [(4, ValueError), ("big", TypeError), ((64, 64, 3), ValueError), ((16.7, 16), TypeError)])
def test_sample_photos_refuse_bad_sizes(size, error):
    with pytest.raises(error, match="size"):
        sample_photos(size=size)


# ------------------------------------------------------------- image folder
def write_image(path, bgr):
    path.parent.mkdir(parents=True, exist_ok=True)
    assert cv2.imwrite(str(path), bgr)


def colour_image(bgr, height=20, width=30):
    return np.full((height, width, 3), bgr, np.uint8)


@pytest.fixture
def pet_folder(tmp_path):
    red, blue = (0, 0, 255), (255, 0, 0)  # OpenCV colours are BGR
    write_image(tmp_path / "cat" / "a.png", colour_image(red))
    write_image(tmp_path / "cat" / "b.JPG", colour_image(red, 40, 20))
    write_image(tmp_path / "cat" / "c.png", np.full((10, 10), 200, np.uint8))  # grey
    write_image(tmp_path / "dog" / "a.jpg", colour_image(blue))
    write_image(tmp_path / "dog" / "b.jpeg", colour_image(blue, 50, 50))
    (tmp_path / "dog" / "notes.txt").write_text("not an image, ignored")
    (tmp_path / "dog" / ".hidden.jpg").write_bytes(b"ignored: hidden")
    (tmp_path / "README.md").write_text("a file at the top level is not a class")
    return tmp_path


def test_image_folder_reads_classes_sorted_rgb_and_resized(pet_folder):
    data = image_folder(pet_folder, size=(16, 24))
    assert data.class_names == ("cat", "dog")
    assert data.images.shape == (5, 16, 24, 3) and data.images.dtype == np.float32
    assert data.labels.tolist() == [0, 0, 0, 1, 1]
    red_cats = data.images[:2].mean(axis=(1, 2))
    blue_dogs = data.images[3:].mean(axis=(1, 2))
    assert (red_cats[:, 0] > 0.9).all() and (red_cats[:, 2] < 0.1).all()  # RGB, not BGR
    assert (blue_dogs[:, 2] > 0.9).all() and (blue_dogs[:, 0] < 0.1).all()
    np.testing.assert_allclose(data.images[2], 200 / 255, atol=1e-6)  # grey -> 3 equal channels
    assert data.extras["paths"][0].endswith("a.png") and data.extras["skipped_files"] == ()


def test_image_folder_loads_requested_classes_in_the_given_order(pet_folder):
    data = image_folder(pet_folder, size=16, class_names=("dog", "cat"))
    assert data.class_names == ("dog", "cat")
    assert data.labels.tolist() == [0, 0, 1, 1, 1]
    only_dogs = image_folder(pet_folder, size=16, class_names=["dog"])
    assert len(only_dogs) == 2 and only_dogs.class_names == ("dog",)


def test_image_folder_crop_keeps_the_aspect(tmp_path):
    image = np.zeros((20, 60, 3), np.uint8)
    image[:, 20:40] = 255  # a white middle third
    write_image(tmp_path / "only" / "wide.png", image)
    stretched = image_folder(tmp_path, size=20).images[0]
    cropped = image_folder(tmp_path, size=20, crop=True).images[0]
    assert stretched.mean() == pytest.approx(1 / 3, abs=0.03)
    assert cropped.mean() == pytest.approx(1.0, abs=0.01)


def test_corrupt_file_raises_naming_it(pet_folder):
    (pet_folder / "dog" / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    with pytest.raises(ValueError, match="broken.jpg"):
        image_folder(pet_folder, size=16)


def test_corrupt_files_can_be_skipped_with_a_warning(pet_folder):
    (pet_folder / "dog" / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    (pet_folder / "cat" / "empty.png").write_bytes(b"")
    with pytest.warns(UserWarning, match=r"skipped 2 of 7 files.*(empty\.png|broken\.jpg)"):
        data = image_folder(pet_folder, size=16, on_error="skip")
    assert len(data) == 5
    assert sorted(name.rsplit("/", 1)[-1] for name in data.extras["skipped_files"]) == [
        "broken.jpg", "empty.png"
    ]


def test_missing_unknown_and_empty_folders_raise(pet_folder, tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        image_folder(tmp_path / "nowhere")
    with pytest.raises(FileNotFoundError, match=r"bird.*available folders: \['cat', 'dog'\]"):
        image_folder(pet_folder, class_names=("cat", "bird"))
    (pet_folder / "fish").mkdir()
    with pytest.raises(ValueError, match="class folder 'fish' holds no image files"):
        image_folder(pet_folder)
    empty_root = tmp_path / "empty_root"
    empty_root.mkdir()
    with pytest.raises(ValueError, match="no class folders"):
        image_folder(empty_root)


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        ({"on_error": "ignore"}, ValueError, "on_error"),
        ({"size": 0}, ValueError, "size"),
        ({"size": (16, 16, 3)}, ValueError, "size"),
        ({"size": (16.7, 16)}, TypeError, r"size\[0\] \(height\) must be an int"),
        ({"crop": "no"}, TypeError, "crop must be True or False"),
        ({"class_names": "cat"}, TypeError, "class_names"),
        ({"class_names": ("cat", "cat")}, ValueError, "repeats"),
        ({"class_names": ()}, ValueError, "at least one"),
    ],
)
def test_image_folder_bad_arguments(pet_folder, kwargs, error, words):
    with pytest.raises(error, match=words):
        image_folder(pet_folder, **kwargs)
