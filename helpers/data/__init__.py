"""Image sets for the course, each returned as an :class:`ImageSet`.

Offline (no download, used by the core chapters and the tests):

=========================  ===============================================================
:func:`digits`             scikit-learn's 8x8 handwritten digits, split into train/test
:func:`shapes`             procedural shapes with exact boxes and masks
:func:`tank_scenes`        the tank story: tanks in a forest, labels confounded with weather
:func:`nuisance_pets`      cats and dogs with annotated nuisances (bars, people, ...), Chapter 9
:func:`sample_photos`      real photos bundled with scikit-image and scikit-learn
:func:`image_folder`       your own folder-per-class tree of JPEG/PNG files
:func:`detection_scenes`   several objects per image with boxes, classes, masks
                           (a :class:`DetectionSet`; COCO json in and out, and the
                           detectors' :class:`~helpers.detection.Detections`, are in
                           :mod:`helpers.detection`)
=========================  ===============================================================

Downloaded once, verified by SHA-256, then cached (labs; see :func:`data_home`):

=========================  ===============================================================
:func:`cifar10`            CIFAR-10, the python version (Krizhevsky, 2009)
:func:`cats_vs_dogs`       Microsoft's Kaggle Cats vs Dogs (PetImages), 1 = dog, 0 = cat
:func:`imagenette`         fast.ai's Imagenette 160 px: ten ImageNet classes (French horn, ...)
:func:`download`           the verified download the loaders use
=========================  ===============================================================
"""
from .cats_vs_dogs import cats_vs_dogs
from .cifar10 import cifar10
from .digits import digits
from .imagenette import IMAGENETTE_CLASSES, imagenette
from .downloads import ChecksumError, DownloadError, data_home, download
from .detectionset import DetectionSet
from .imageset import ImageSet
from .nuisances import CONFOUNDED_BARS, DEFAULT_RATES, NUISANCES, nuisance_pets
from .photos import image_folder, sample_photos
from .scenes import DEFAULT_SCENE_CLASSES, detection_scenes
from .shapes import SHAPE_CLASSES, boxes_from_masks, shapes
from .tanks import WEATHER_NAMES, tank_scenes

__all__ = [
    "ImageSet",
    "DetectionSet",
    "detection_scenes",
    "DEFAULT_SCENE_CLASSES",
    "digits",
    "shapes",
    "SHAPE_CLASSES",
    "boxes_from_masks",
    "tank_scenes",
    "WEATHER_NAMES",
    "nuisance_pets",
    "NUISANCES",
    "DEFAULT_RATES",
    "CONFOUNDED_BARS",
    "sample_photos",
    "image_folder",
    "cifar10",
    "cats_vs_dogs",
    "imagenette",
    "IMAGENETTE_CLASSES",
    "download",
    "data_home",
    "DownloadError",
    "ChecksumError",
]
