r"""HiResCAM (Draelos and Carin, 2020): gradients times activations, position by position.

Grad-CAM averages each channel's gradient over the map before multiplying, so a
channel whose gradient is large in one place and opposite in another can light up
where the model does not look. HiResCAM keeps the gradient at each position: its map
is exactly what each position of the layer adds to the target logit, to first order.
"""
from __future__ import annotations

from .cam_base import CAMBase


class HiResCAM(CAMBase):
    r"""HiResCAM: the weight of channel k at (i, j) is its gradient there.

    .. math::

        w_k^c(i, j) = \frac{\partial y^c}{\partial A_k(i, j)}, \qquad
        L^c(i, j) = \mathrm{ReLU}\Big(\sum_k w_k^c(i, j)\, A_k(i, j)\Big),

    i.e. the element-wise product gradient x activation summed over channels (as
    pytorch-grad-cam's ``HiResCAM``). For a GAP -> Dense head the gradient is the same
    at every position, and HiResCAM equals Grad-CAM (and CAM).
    """

    name = "hirescam"

    def channel_weights(self, activations, gradients, outputs, score):
        """``(N, h, w, K)``: the gradients themselves."""
        return gradients


def hirescam(model, images, targets=None, *, layer=None, batch_size=None):
    """HiResCAM heatmaps.

    Parameters and returns as :func:`helpers.explain.gradcam`.
    """
    return HiResCAM.for_model(model, layer)(images, targets, batch_size=batch_size)
