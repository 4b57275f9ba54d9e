"""Models for the course, and finding the layer a heatmap method should use.

=============================  ========================================================
:func:`gap_cnn`                conv blocks -> GAP -> one Dense layer of logits (CAM-ready)
:func:`vgg_like`               the VGG-16-like network of the Score-CAM notes' experiment
:func:`vgg16`                  Keras' VGG16 as a nested base with a new head
:func:`last_conv_layer`        the layer a CAM method weights by default
:func:`find_layer`             a layer by name, nested models included
:func:`output_activation`      "softmax", "sigmoid" or "linear": what the model outputs
:class:`Detector`              what the detectors share: checks, training loop, ``detect``
:class:`CenterNet`             a tiny one-stage, anchor-free detector (centre heatmaps)
:class:`SlidingWindowDetector` a sliding-window classifier with R-CNN's other steps
                               (fixed windows, warped crops, CNN, box regression, NMS)
=============================  ========================================================
"""
from __future__ import annotations

from .centernet import CenterNet
from .detector import Detector
from .classifiers import VGGPreprocess, gap_cnn, vgg16, vgg_like
from .sliding_window import SlidingWindowDetector
from .inspection import (
    CONV_TYPES,
    all_layers,
    final_activation,
    find_layer,
    input_operation,
    last_conv_layer,
    layer_ids,
    layer_paths,
    output_activation,
    output_operation,
)

__all__ = [
    "Detector",
    "CenterNet",
    "SlidingWindowDetector",
    "gap_cnn",
    "vgg_like",
    "vgg16",
    "VGGPreprocess",
    "CONV_TYPES",
    "all_layers",
    "last_conv_layer",
    "find_layer",
    "output_activation",
    "output_operation",
    "final_activation",
    "input_operation",
    "layer_paths",
    "layer_ids",
]
