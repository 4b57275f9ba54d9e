"""helpers.viz.heatmaps: overlay and compare."""
import cv2
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from helpers.viz.layout import PAGE_INCHES, small_text, text_collisions  # noqa: E402
from helpers.viz.heatmaps import (DEFAULT_COLORMAP, colorbar, colormap_colours,  # noqa: E402
                                  compare, overlay)


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
    out = overlay(image, heat, alpha=0.4, colormap="jet")
    assert out.shape == (20, 30, 3) and out.dtype == np.uint8
    want = np.round(0.6 * 128 + 0.4 * _jet(np.round(heat * 255).astype(np.uint8)).astype(np.float64))
    assert np.abs(out.astype(int) - want).max() <= 1


def test_overlay_alpha_extremes_and_colours():
    image = np.random.default_rng(0).random((8, 8, 3)).astype(np.float32)
    heat = np.zeros((8, 8), np.float32)
    heat[0, 0] = 1.0
    np.testing.assert_array_equal(overlay(image, heat, alpha=0.0), np.round(image * 255).astype(np.uint8))
    colours = overlay(image, heat, alpha=1.0, colormap="jet")
    assert tuple(colours[0, 0]) == tuple(_jet(np.array([[255]], np.uint8))[0, 0])  # hot = red end
    assert colours[0, 0, 0] > colours[0, 0, 2] and colours[5, 5, 2] > colours[5, 5, 0]  # cold = blue
    # another OpenCV colour map by name
    assert overlay(image, heat, colormap="viridis").shape == (8, 8, 3)


def test_overlay_upsamples_the_heatmap_before_colour_mapping():
    image = np.zeros((32, 32, 3), np.float32)
    coarse = np.array([[0.0, 1.0], [1.0, 0.0]], np.float32)
    out = overlay(image, coarse, alpha=1.0, colormap="jet")
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
    with pytest.raises(ValueError, match="heatmap must be a 2-D array"):
        overlay(image, heat[None])
    with pytest.raises(ValueError, match="alpha"):
        overlay(image, heat, alpha=1.5)
    with pytest.raises(ValueError, match="image must be"):
        overlay(np.zeros((8, 8, 4), np.float32), heat)
    # strings where numbers are expected: TypeError naming the argument
    with pytest.raises(TypeError, match="alpha must be a real number"):
        overlay(image, heat, alpha="0.5")
    with pytest.raises(TypeError, match="heatmap must hold numbers"):
        overlay(image, np.full((8, 8), "x"))
    with pytest.raises(TypeError, match="image must be an array of numbers"):
        overlay("photo.png", heat)
    with pytest.raises(TypeError, match="colormap must be the name"):
        overlay(image, heat, colormap=3)
    with pytest.raises(ValueError, match="heatmap contains NaN"):
        overlay(image, np.full((8, 8), np.nan, np.float32))
    with pytest.raises(ValueError, match="float image must be in \\[0, 1\\]"):
        overlay(image + 255.0, heat)
    with pytest.raises(TypeError, match="float in \\[0, 1\\] or uint8"):
        overlay(image.astype(np.int32), heat)


def _lightness(rgb_u8):
    """CIE L* of sRGB colours (N, 3) uint8: how bright each colour looks."""
    lab = cv2.cvtColor(rgb_u8[None].astype(np.uint8), cv2.COLOR_RGB2LAB)[0]
    return lab[:, 0].astype(float)


def test_the_default_colormap_is_ordered_by_lightness_and_jet_is_not():
    """Brighter must mean higher all along the default scale: a reader can rank two places."""
    assert DEFAULT_COLORMAP == "inferno"
    light = _lightness(colormap_colours())
    assert np.all(np.diff(light[::8]) > 0)               # strictly brighter, step by step
    jet = _lightness(colormap_colours("jet"))
    assert jet.argmax() not in (0, 255)                   # jet is brightest in the middle
    # over a blue sky, the top of the default scale stays brighter than its middle
    sky = np.zeros((1, 2, 3), np.float32)
    sky[..., 2] = 0.9
    sky[..., 1] = 0.5
    out = overlay(sky, np.array([[0.5, 1.0]], np.float32))
    assert _lightness(out[0])[1] > _lightness(out[0])[0] + 10


def test_compare_grid():
    rng = np.random.default_rng(0)
    images = rng.random((3, 16, 16, 3)).astype(np.float32)
    maps = {"gradcam": rng.random((3, 16, 16)).astype(np.float32),
            "scorecam": rng.random((3, 4, 4)).astype(np.float32)}
    fig = compare(images, maps, titles=["a", "b", "c"])
    try:
        assert isinstance(fig, matplotlib.figure.Figure)
        axes = np.array(fig.axes[:15]).reshape(3, 5)   # image, then (map, overlay) per method
        assert [ax.get_title() for ax in axes[0]] == ["a", "gradcam\nmap", "gradcam\noverlay",
                                                      "scorecam\nmap", "scorecam\noverlay"]
        assert axes[1, 0].get_title() == "b"
        shown = axes[0, 4].get_images()[0].get_array()
        np.testing.assert_array_equal(shown, overlay(images[0], maps["scorecam"][0]))
        raw = axes[0, 3].get_images()[0]
        np.testing.assert_allclose(raw.get_array(), maps["scorecam"][0])
        assert raw.get_clim() == (0.0, 1.0)                       # the raw map on the fixed scale
        bar = fig.axes[15]                                        # the colour bar
        assert len(fig.axes) == 16 and "heatmap value" in bar.get_ylabel()
        # fits the book's column, where it is shown at its own size: text stays readable
        assert fig.get_size_inches()[0] <= PAGE_INCHES + 1e-6
        assert small_text(fig) == [] and text_collisions(fig) == []
    finally:
        plt.close(fig)
    fig = compare(images, maps, show_maps=False, show_colorbar=False, colormap="jet", alpha=0.4)
    try:
        assert len(fig.axes) == 9 and fig.axes[1].get_title() == "gradcam"
        np.testing.assert_array_equal(fig.axes[2].get_images()[0].get_array(),
                                      overlay(images[0], maps["scorecam"][0], 0.4, "jet"))
    finally:
        plt.close(fig)
    fig = compare(images[0], {"cam": maps["gradcam"][0]})  # one image
    try:
        assert len(fig.axes) == 4                          # image, map, overlay, colour bar
    finally:
        plt.close(fig)
    with pytest.raises(ValueError, match="one heatmap per image"):
        compare(images, {"cam": maps["gradcam"][:2]})
    with pytest.raises(ValueError, match="non-empty dict"):
        compare(images, {})
    with pytest.raises(TypeError, match="maps must be a dict"):
        compare(images, [maps["gradcam"]])
    with pytest.raises(TypeError, match="size must be a real number"):
        compare(images, maps, size="2")
    with pytest.raises(TypeError, match="max_images must be an int"):
        compare(images, maps, max_images="4")
    with pytest.raises(TypeError, match="alpha must be a real number"):
        compare(images, maps, alpha="0.4")
    with pytest.raises(TypeError, match="show_maps must be True or False"):
        compare(images, maps, show_maps="no")
    with pytest.raises(TypeError, match="titles must be a sequence of strings"):
        compare(images, maps, titles=[1, 2, 3])
    with pytest.raises(TypeError, match="images must be an array"):
        compare("images", maps)


def test_colorbar_matches_the_overlay_colours():
    fig, axes = plt.subplots(1, 2)
    try:
        bar = colorbar(fig, axes, colormap="viridis")
        lut = bar.cmap(np.linspace(0, 1, 256))[:, :3]
        np.testing.assert_allclose(lut * 255, colormap_colours("viridis"), atol=1)
        with pytest.raises(TypeError, match="label must be a string"):
            colorbar(fig, axes, label=3)
        with pytest.raises(ValueError, match="colormap must be one of"):
            colorbar(fig, axes, colormap="rainbowish")
    finally:
        plt.close(fig)


def test_compare_titles_do_not_collide_at_the_page_width():
    """Two methods with long names, at the column's width: the names are wrapped onto two
    lines, and the titles fit."""
    rng = np.random.default_rng(0)
    images = rng.random((2, 16, 16, 3)).astype(np.float32)
    maps = {"gradcam": rng.random((2, 16, 16)).astype(np.float32),
            "scorecam": rng.random((2, 4, 4)).astype(np.float32)}
    fig = compare(images[:2], {"confounded model": maps["gradcam"][:2],
                               "fair model": maps["scorecam"][:2]},
                  titles=["a tank in fog\n-> tank / tank", "a field\n-> field / field"])
    assert text_collisions(fig) == [] and small_text(fig) == []
    titles = [ax.get_title() for ax in fig.axes[:5]]
    assert titles[1:] == ["confounded\nmodel\nmap", "confounded\nmodel\noverlay",
                          "fair model\nmap", "fair model\noverlay"]
    plt.close(fig)
