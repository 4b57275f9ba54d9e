"""Bad input to the data loaders, the figures and the label checks, tried as a careful
user would break them: each gets a TypeError/ValueError that names the argument and
says what was wrong (or, where the input is fine after all, a defined result).

The older functions' last gaps: a Cats-vs-Dogs cache unpacked only in part,
``plot_history`` with histories of different lengths, ``shapes`` with a scale
larger than the image, a label of 1e300. The newer ones: the ``imagenette`` loader
and the ``viz`` functions (images with NaN, wrong shapes, empty input, booleans,
sizes that would end in a MemoryError).
"""
from __future__ import annotations

import cv2
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from helpers import data, metrics, viz  # noqa: E402
from helpers.data import IMAGENETTE_CLASSES  # noqa: E402

RNG = np.random.default_rng(0)
IMAGE = RNG.random((8, 8, 3)).astype(np.float32)
IMAGES = RNG.random((3, 8, 8, 3)).astype(np.float32)
HEATMAP = RNG.random((4, 4)).astype(np.float32)
MAPS = {"Grad-CAM": RNG.random((3, 4, 4)).astype(np.float32)}


def with_nan(array):
    array = np.array(array, dtype=np.float32)
    array.flat[0] = np.nan
    return array


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


# --------------------------------------------------------------------------- cases
# (id, call, error, what the message must say)
VIZ_CASES = [
    # show_images
    ("grid-nan", lambda: viz.show_images(with_nan(IMAGES)), ValueError, "images contains NaN"),
    ("grid-empty", lambda: viz.show_images(np.zeros((0, 8, 8, 3))), ValueError, "images is empty"),
    ("grid-ragged", lambda: viz.show_images([np.zeros((8, 8)), np.zeros((4, 4))]), ValueError,
     "images must be a rectangular array"),
    ("grid-2-channels", lambda: viz.show_images(np.zeros((2, 8, 8, 2))), ValueError,
     "1, 3 or 4 channels"),
    ("grid-one-rgb-image", lambda: viz.show_images(IMAGE), ValueError, r"image\[None\]"),
    ("grid-0-255-floats", lambda: viz.show_images(IMAGES * 255), ValueError,
     r"\[0, 1\].*divide"),
    ("grid-standardised", lambda: viz.show_images(IMAGES - 2), ValueError, r"\[0, 1\]"),
    ("grid-uint16", lambda: viz.show_images((IMAGES * 60000).astype(np.uint16)), ValueError,
     r"\[0, 255\]"),
    ("grid-huge-max-images", lambda: viz.show_images(IMAGES, max_images=10**9), ValueError,
     "max_images"),
    ("grid-huge-figure", lambda: viz.show_images(np.zeros((64, 4, 4)), size=19.0, ncols=8),
     ValueError, "inches"),
    ("grid-one-hot-labels", lambda: viz.show_images(IMAGES, labels=np.eye(3)), ValueError,
     "argmax"),
    ("grid-label-1e300", lambda: viz.show_images(IMAGES, labels=[1e300, 0, 1]), ValueError,
     "labels must be class indices.*1e\\+300"),
    ("grid-short-titles", lambda: viz.show_images(IMAGES, titles=["a"]), ValueError,
     "titles has 1 entries for 3 images"),
    ("grid-string-cmap", lambda: viz.show_images(IMAGES[..., 0], cmap="grey-ish"), ValueError,
     "cmap"),
    # overlay
    ("overlay-nan-image", lambda: viz.overlay(with_nan(IMAGE), HEATMAP), ValueError,
     "image contains NaN"),
    ("overlay-nan-heatmap", lambda: viz.overlay(IMAGE, with_nan(HEATMAP)), ValueError,
     "heatmap contains NaN"),
    ("overlay-bool-heatmap", lambda: viz.overlay(IMAGE, HEATMAP > 0.5), TypeError,
     "heatmap must hold numbers, got booleans"),
    ("overlay-bool-image", lambda: viz.overlay(IMAGE > 0.5, HEATMAP), TypeError,
     "image must hold numbers, got booleans"),
    ("overlay-3d-heatmap", lambda: viz.overlay(IMAGE, HEATMAP[..., None]), ValueError,
     r"heatmap must be a 2-D array"),
    ("overlay-empty-heatmap", lambda: viz.overlay(IMAGE, np.zeros((0, 4))), ValueError,
     "heatmap is empty"),
    ("overlay-rgba-image", lambda: viz.overlay(np.zeros((8, 8, 4)), HEATMAP), ValueError,
     r"image must be \(H, W\)"),
    ("overlay-1d-image", lambda: viz.overlay(np.zeros(8), HEATMAP), ValueError,
     "image must be a 2 or 3-D array"),
    ("overlay-uint16-image", lambda: viz.overlay(np.zeros((8, 8, 3), np.uint16), HEATMAP),
     TypeError, "image must be float in \\[0, 1\\] or uint8"),
    ("overlay-heatmap-above-1", lambda: viz.overlay(IMAGE, HEATMAP * 3), ValueError,
     r"heatmap must be in \[0, 1\]"),
    ("overlay-unknown-colormap", lambda: viz.overlay(IMAGE, HEATMAP, colormap="nope"),
     ValueError, "colormap must be one of"),
    ("overlay-nan-alpha", lambda: viz.overlay(IMAGE, HEATMAP, alpha=float("nan")), ValueError,
     "alpha"),
    # compare
    ("compare-no-maps", lambda: viz.compare(IMAGES, {}), ValueError, "maps must be a non-empty"),
    ("compare-map-string", lambda: viz.compare(IMAGES, {"a": "x"}), TypeError, r"maps\['a'\]"),
    ("compare-int-key", lambda: viz.compare(IMAGES, {1: MAPS["Grad-CAM"]}), TypeError,
     "method names"),
    ("compare-nan-map", lambda: viz.compare(IMAGES, {"a": with_nan(MAPS["Grad-CAM"])}),
     ValueError, r"maps\['a'\] contains NaN"),
    ("compare-empty-images", lambda: viz.compare(np.zeros((0, 8, 8, 3)), {"a": np.zeros((0, 4, 4))}),
     ValueError, "images is empty"),
    ("compare-string-images", lambda: viz.compare(np.array([["a"]]), {"a": HEATMAP}), TypeError,
     "images must hold numbers"),
    ("compare-5d-images", lambda: viz.compare(np.zeros((1, 1, 8, 8, 3)), {"a": HEATMAP}),
     ValueError, "images must be a 2 or 3 or 4-D array"),
    ("compare-ragged-images", lambda: viz.compare([IMAGE, IMAGE[:4]], {"a": np.zeros((2, 4, 4))}),
     ValueError, "images must be a rectangular array"),
    ("compare-bool-images", lambda: viz.compare(IMAGES > 0.5, MAPS), TypeError,
     "images must be float.*booleans"),
    ("compare-nan-images", lambda: viz.compare(with_nan(IMAGES), MAPS), ValueError,
     "images contains NaN"),
    ("compare-one-map-per-image", lambda: viz.compare(IMAGES, {"a": np.zeros((2, 4, 4))}),
     ValueError, "one heatmap per image"),
    ("compare-huge-size", lambda: viz.compare(IMAGES, MAPS, size=1e9), ValueError, "size"),
    ("compare-huge-width", lambda: viz.compare(IMAGES, MAPS, max_width=1e9), ValueError,
     "max_width"),
    ("compare-too-many-panels", lambda: viz.compare(np.zeros((500, 2, 2)), {"a": np.zeros((500, 2, 2))},
                                                    max_images=500), ValueError, "panels"),
    ("compare-int-titles", lambda: viz.compare(IMAGES, MAPS, titles=[1, 2, 3]), TypeError,
     "titles"),
    # colorbar
    ("colorbar-no-figure", lambda: viz.colorbar(None, None), TypeError,
     "fig must be a matplotlib Figure"),
    ("colorbar-no-axes", lambda: viz.colorbar(plt.figure(), []), ValueError,
     "axes must hold at least one Axes"),
    ("colorbar-string-axes", lambda: viz.colorbar(plt.figure(), "ax"), TypeError,
     "axes must be a matplotlib Axes"),
    ("colorbar-int-colormap", lambda: viz.colorbar(*plt.subplots(), colormap=3), TypeError,
     "colormap"),
    ("colorbar-int-label", lambda: viz.colorbar(*plt.subplots(), label=3), TypeError, "label"),
    # plot_history
    ("history-different-lengths",
     lambda: viz.plot_history({"loss": [1, 0.5, 0.3], "val_loss": [1, 0.6]}, ["loss"]),
     ValueError, r"history\['val_loss'\] has 2 epochs but history\['loss'\] has 3"),
    ("history-empty", lambda: viz.plot_history({"loss": []}, ["loss"]), ValueError,
     r"history\['loss'\] is empty"),
    ("history-string", lambda: viz.plot_history({"loss": "abc"}, ["loss"]), TypeError,
     r"history\['loss'\]"),
    ("history-2d", lambda: viz.plot_history({"loss": [[1, 2]]}, ["loss"]), ValueError,
     "1-D array"),
    ("history-bool", lambda: viz.plot_history({"loss": [True, False]}, ["loss"]), TypeError,
     "got booleans"),
    ("history-metrics-string", lambda: viz.plot_history({"loss": [1]}, "loss"), TypeError,
     "metrics must be a list of str"),
    ("history-no-metrics", lambda: viz.plot_history({"loss": [1]}, []), ValueError, "metrics"),
    ("history-repeated-metric", lambda: viz.plot_history({"loss": [1]}, ["loss", "loss"]),
     ValueError, "repeated"),
    ("history-too-many-panels",
     lambda: viz.plot_history({f"m{i}": [1.0] for i in range(40)}, [f"m{i}" for i in range(40)]),
     ValueError, "40 panels"),
    ("history-none", lambda: viz.plot_history(None), TypeError, "history must be"),
    ("history-missing-metric", lambda: viz.plot_history({"loss": [1]}), ValueError,
     r"\['accuracy'\]"),
    # plot_confusion_matrix
    ("cm-nan", lambda: viz.plot_confusion_matrix(np.full((2, 2), np.nan)), ValueError,
     "cm contains NaN"),
    ("cm-rates", lambda: viz.plot_confusion_matrix([[0.5, 1], [1, 0]]), ValueError,
     "whole-number counts.*normalize"),
    ("cm-too-many-classes", lambda: viz.plot_confusion_matrix(np.zeros((5000, 5000))), ValueError,
     "5000 classes"),
    ("cm-bool", lambda: viz.plot_confusion_matrix(np.eye(2, dtype=bool)), TypeError, "cm must hold"),
    ("cm-empty", lambda: viz.plot_confusion_matrix(np.zeros((0, 0))), ValueError, "cm is empty"),
    ("cm-not-square", lambda: viz.plot_confusion_matrix(np.zeros((2, 3))), ValueError, "square"),
    ("cm-negative", lambda: viz.plot_confusion_matrix([[1, -1], [0, 1]]), ValueError, "negative"),
    ("cm-names", lambda: viz.plot_confusion_matrix(np.eye(2), ["a"]), ValueError,
     "class_names must have 2 entries"),
    ("cm-ax", lambda: viz.plot_confusion_matrix(np.eye(2), ax="x"), TypeError, "ax must be"),
    # curves
    ("pr-nan-score", lambda: viz.plot_pr_curve([0, 1], [0.5, np.nan]), ValueError,
     "y_score contains NaN"),
    ("pr-empty", lambda: viz.plot_pr_curve([], []), ValueError, "y_true is empty"),
    ("pr-label-1e300", lambda: viz.plot_pr_curve([0, 1e300], [0.5, 0.2]), ValueError,
     "y_true must be class indices"),
    ("pr-nan-threshold", lambda: viz.plot_pr_curve([0, 1], [0.5, 0.2], mark_threshold=np.nan),
     ValueError, "mark_threshold"),
    ("roc-one-class", lambda: viz.plot_roc_curve([0, 0], [0.5, 0.2]), ValueError,
     "no positive sample"),
    ("roc-int-label", lambda: viz.plot_roc_curve([0, 1], [0.5, 0.2], label=3), TypeError, "label"),
    ("roc-2d-scores", lambda: viz.plot_roc_curve([0, 1], [[0.5, 0.2]]), ValueError,
     "y_score must be a 1-D array"),
]

LABEL_AND_SHAPES_CASES = [
    ("accuracy-1e300", lambda: metrics.accuracy([1e300, 0], [0, 0]), ValueError,
     "y_true must be class indices 0, 1, 2, ..., found 1e\\+300"),
    ("confusion-matrix-1e300", lambda: metrics.confusion_matrix([0, 1], [0, -1e300]), ValueError,
     "y_pred must be class indices"),
    ("precision-recall-1e300", lambda: metrics.precision_recall_f1([0, 1], [1e300, 1]), ValueError,
     "far beyond any number of classes"),
    ("shapes-scale-above-image", lambda: data.shapes(4, scale=(0.5, 1.5)), ValueError,
     r"scale\[1\] \(largest\).*1\.0 is the whole image"),
    ("shapes-scale-in-pixels", lambda: data.shapes(4, scale=(10, 40)), ValueError,
     "fractions of the image size"),
    ("shapes-scale-reversed", lambda: data.shapes(4, scale=(0.6, 0.3)), ValueError,
     "smallest <= largest"),
    ("shapes-scale-string", lambda: data.shapes(4, scale="big"), TypeError,
     r"scale must be a pair \(smallest, largest\)"),
    ("shapes-scale-one-number", lambda: data.shapes(4, scale=(0.2,)), ValueError,
     "got 1 value"),
]


@pytest.mark.parametrize("call, error, match",
                         [case[1:] for case in VIZ_CASES + LABEL_AND_SHAPES_CASES],
                         ids=[case[0] for case in VIZ_CASES + LABEL_AND_SHAPES_CASES])
def test_bad_input_is_refused_clearly(call, error, match):
    with pytest.raises(error, match=match):
        call()


# ------------------------------------------------------------- defined results instead
def test_boolean_images_are_shown_as_masks():
    fig = viz.show_images(IMAGES[..., 0] > 0.5)
    shown = [ax.images[0].get_array() for ax in fig.axes if ax.images]
    assert len(shown) == 3
    assert set(np.unique(shown[0])) <= {0.0, 1.0}


def test_a_diverged_run_is_drawn_with_gaps():
    fig = viz.plot_history({"loss": [1.0, np.nan, np.inf], "val_loss": [1.0, 2.0, 3.0]},
                           ["loss"])
    train, validation = fig.axes[0].lines[:2]
    assert np.isnan(train.get_ydata()[1]) and list(validation.get_ydata()) == [1.0, 2.0, 3.0]


def test_compare_and_show_images_still_draw_ordinary_input():
    assert len(viz.compare(IMAGES, MAPS).axes) == 3 * 3 + 1          # + the colour bar
    assert len([ax for ax in viz.show_images(IMAGES).axes if ax.images]) == 3


# ------------------------------------------------------------------------- loaders
def jfif_file(path):
    """A file whose header says JPEG/JFIF (enough to be listed; never decoded here)."""
    path.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00")


def photo(path, colour=(200, 100, 50)):
    image = np.full((20, 24, 3), colour, np.uint8)
    ok, encoded = cv2.imencode(".jpg", image)
    assert ok
    path.write_bytes(encoded.tobytes())


@pytest.fixture
def cats_cache(tmp_path, monkeypatch):
    monkeypatch.delenv("HELPERS_FIXTURES", raising=False)
    pets = tmp_path / "kagglecatsanddogs_5340" / "PetImages"
    (pets / "Cat").mkdir(parents=True)
    for i in range(3):
        photo(pets / "Cat" / f"{i}.jpg")
    return tmp_path, pets


def test_a_cats_vs_dogs_cache_unpacked_in_part_is_named(cats_cache):
    root, pets = cats_cache
    with pytest.raises(ValueError, match=r"PetImages/Dog holds no photos of 'dog'.*unpacked "
                                         r"only in part.*delete"):
        data.cats_vs_dogs(root=root, download=False, size=16)
    (pets / "Dog").mkdir()                                     # there, but empty
    with pytest.raises(ValueError, match="unpacked only in part"):
        data.cats_vs_dogs(root=root, download=False, size=16)
    for i in range(2):                                         # complete: it loads
        photo(pets / "Dog" / f"{i}.jpg", colour=(50, 100, 200))
    loaded = data.cats_vs_dogs(root=root, download=False, size=16)
    assert loaded.class_counts() == {"cat": 3, "dog": 2}


def test_cats_vs_dogs_too_large_is_refused_before_reading(cats_cache):
    root, pets = cats_cache
    (pets / "Dog").mkdir()
    for folder in ("Cat", "Dog"):
        for i in range(40):
            jfif_file(pets / folder / f"big{i}.jpg")   # not decodable: never read
    with pytest.raises(ValueError, match="4 GiB.*lower limit or size"):
        data.cats_vs_dogs(root=root, download=False, size=4096, limit=None)


@pytest.fixture
def imagenette_cache(tmp_path, monkeypatch):
    monkeypatch.delenv("HELPERS_FIXTURES", raising=False)
    train = tmp_path / "imagenette2-160" / "train"
    for wnid, _, _ in IMAGENETTE_CLASSES:
        (train / wnid).mkdir(parents=True)
        for i in range(8):
            jfif_file(train / wnid / f"{i}.JPEG")
    return tmp_path


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(split="test"), ValueError, "split must be one of 'train', 'val'"),
    (dict(split=None), TypeError, "split must be one of"),
    (dict(size=0), ValueError, r"size\[0\] \(height\) must be an int in \[8, 4096\]"),
    (dict(size=(32, 32, 3)), ValueError, r"size must be a pair \(height, width\)"),
    (dict(size="160"), TypeError, "size must be an int or a pair"),
    (dict(limit=3.5), TypeError, "limit must be an int"),
    (dict(limit=0), ValueError, "limit must be an int >= 1"),
    (dict(classes="tench"), TypeError, "classes must be a sequence of class names"),
    (dict(classes=[]), ValueError, "classes must name at least one class"),
    (dict(classes=["tench", "tench"]), ValueError, "classes must be unique"),
    (dict(classes=["cat"]), ValueError, r"classes\[0\] must be one of 'tench'"),
    (dict(root=3), TypeError, "root must be a path"),
    (dict(download="no"), TypeError, "download must be True or False"),
    (dict(seed=-1), ValueError, "seed must be an int >= 0"),
    (dict(seed=None), TypeError, "seed must be an int"),
    (dict(size=4096, limit=None), ValueError, "4 GiB.*lower limit or size"),
])
def test_imagenette_refuses_bad_arguments_before_reading(imagenette_cache, kwargs, error,
                                                         match):
    kwargs = {"root": imagenette_cache, "download": False, **kwargs}
    with pytest.raises(error, match=match):
        data.imagenette(**kwargs)


def test_a_cache_root_that_is_a_file_is_named(tmp_path, monkeypatch):
    monkeypatch.delenv("HELPERS_FIXTURES", raising=False)
    afile = tmp_path / "not-a-folder"
    afile.write_text("x")
    with pytest.raises(ValueError, match="root must be a folder.*is a file"):
        data.imagenette(root=afile, download=False)
    with pytest.raises(ValueError, match="root must be a folder"):
        data.cats_vs_dogs(root=afile, download=False)
    monkeypatch.setenv("HELPERS_DATA", str(afile))
    with pytest.raises(ValueError, match=r"\$HELPERS_DATA must be a folder"):
        data.data_home()

