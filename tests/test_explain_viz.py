"""helpers.viz.heatmaps: overlay and compare."""
import cv2
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from helpers.viz.heatmaps import compare, overlay  # noqa: E402


def _jet(values_u8):
    return cv2.cvtColor(cv2.applyColorMap(values_u8, cv2.COLORMAP_JET), cv2.COLOR_BGR2RGB)


@pytest.mark.parametrize("image", [
    np.full((20, 30, 3), 0.5, np.float32),   # float RGB
    np.full((20, 30), 0.5, np.float64),      # float grey
    np.full((20, 30, 1), 0.5, np.float32),   # float grey with a channel axis
    np.full((20, 30, 3), 128, np.uint8),     # uint8 RGB
    np.full((20, 30), 128, np.uint8),        # uint8 grey
])
def test_overlay_accepts_float_uint8_grey_rgb(image):
    heat = np.linspace(0, 1, 20 * 30, dtype=np.float32).reshape(20, 30)
    out = overlay(image, heat)
    assert out.shape == (20, 30, 3) and out.dtype == np.uint8
    want = np.round(0.6 * 128 + 0.4 * _jet(np.round(heat * 255).astype(np.uint8)).astype(np.float64))
    assert np.abs(out.astype(int) - want).max() <= 1


def test_overlay_alpha_extremes_and_colours():
    image = np.random.default_rng(0).random((8, 8, 3)).astype(np.float32)
    heat = np.zeros((8, 8), np.float32)
    heat[0, 0] = 1.0
    np.testing.assert_array_equal(overlay(image, heat, alpha=0.0), np.round(image * 255).astype(np.uint8))
    colours = overlay(image, heat, alpha=1.0)
    assert tuple(colours[0, 0]) == tuple(_jet(np.array([[255]], np.uint8))[0, 0])  # hot = red end
    assert colours[0, 0, 0] > colours[0, 0, 2] and colours[5, 5, 2] > colours[5, 5, 0]  # cold = blue
    # another OpenCV colour map by name
    assert overlay(image, heat, colormap="viridis").shape == (8, 8, 3)


def test_overlay_upsamples_the_heatmap_before_colour_mapping():
    image = np.zeros((32, 32, 3), np.float32)
    coarse = np.array([[0.0, 1.0], [1.0, 0.0]], np.float32)
    out = overlay(image, coarse, alpha=1.0)
    up = cv2.resize(coarse, (32, 32), interpolation=cv2.INTER_LINEAR)
    np.testing.assert_array_equal(out, _jet(np.round(up * 255).astype(np.uint8)))
    # smooth, not blocky: many distinct colours, not two
    assert len(np.unique(out.reshape(-1, 3), axis=0)) > 10


def test_overlay_bad_input():
    image = np.zeros((8, 8, 3), np.float32)
    heat = np.zeros((8, 8), np.float32)
    with pytest.raises(ValueError, match="colormap"):
        overlay(image, heat, colormap="nope")
    with pytest.raises(ValueError, match="heatmap must be in \\[0, 1\\]"):
        overlay(image, heat + 2)
    with pytest.raises(ValueError, match="heatmap must be 2-D"):
        overlay(image, heat[None])
    with pytest.raises(ValueError, match="alpha"):
        overlay(image, heat, alpha=1.5)
    with pytest.raises(ValueError, match="image must be"):
        overlay(np.zeros((8, 8, 4), np.float32), heat)
    with pytest.raises(ValueError, match="float image must be in \\[0, 1\\]"):
        overlay(image + 255.0, heat)
    with pytest.raises(TypeError, match="float in \\[0, 1\\] or uint8"):
        overlay(image.astype(np.int32), heat)


def test_compare_grid():
    rng = np.random.default_rng(0)
    images = rng.random((3, 16, 16, 3)).astype(np.float32)
    maps = {"gradcam": rng.random((3, 16, 16)).astype(np.float32),
            "scorecam": rng.random((3, 4, 4)).astype(np.float32)}
    fig = compare(images, maps, titles=["a", "b", "c"])
    try:
        assert isinstance(fig, matplotlib.figure.Figure)
        axes = np.array(fig.axes).reshape(3, 3)
        assert [ax.get_title() for ax in axes[0]] == ["a", "gradcam", "scorecam"]
        assert axes[1, 0].get_title() == "b"
        shown = axes[0, 2].get_images()[0].get_array()
        np.testing.assert_array_equal(shown, overlay(images[0], maps["scorecam"][0]))
    finally:
        plt.close(fig)
    fig = compare(images[0], {"cam": maps["gradcam"][0]})  # one image
    try:
        assert len(fig.axes) == 2
    finally:
        plt.close(fig)
    with pytest.raises(ValueError, match="one heatmap per image"):
        compare(images, {"cam": maps["gradcam"][:2]})
    with pytest.raises(ValueError, match="non-empty dict"):
        compare(images, {})
