"""helpers.evaluation.ssim and hog_similarity (the sanity check's other two measures,
Adebayo et al. 2018): SSIM against scikit-image's structural_similarity in Wang et al.'s
(2004) setting; HOG similarity against a HOG written from Dalal and Triggs (2005); both through randomization_test."""
import cv2
import keras
import numpy as np
import pytest
from skimage.metrics import structural_similarity

from helpers.evaluation import hog_similarity, randomization_test, spearman, ssim


def pairs(n=6, shape=(32, 40), seed=0):
    rng = np.random.default_rng(seed)
    a = cv2.GaussianBlur(rng.random((n, *shape)).transpose(1, 2, 0), (0, 0), 3)
    a = a.transpose(2, 0, 1)
    a = (a - a.min(axis=(1, 2), keepdims=True)) / np.ptp(a, axis=(1, 2), keepdims=True)
    noise = np.linspace(0.02, 0.6, n)[:, None, None]
    b = np.clip(a + noise * rng.standard_normal(a.shape), 0, 1)
    return a, b


def test_ssim_equals_scikit_image_in_wang_et_al_setting():
    a, b = pairs()
    want = [structural_similarity(x, y, gaussian_weights=True, sigma=1.5,
                                  use_sample_covariance=False, data_range=1.0)
            for x, y in zip(a, b)]
    np.testing.assert_allclose(ssim(a, b), want, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ssim(a[0] * 255, b[0] * 255, data_range=255), want[0])
    assert ssim(a[:1], a[:1])[0] == pytest.approx(1.0)
    assert ssim(np.zeros((1, 16, 16)), np.zeros((1, 16, 16)))[0] == pytest.approx(1.0)
    assert abs(ssim(np.zeros_like(a[:1]), a[:1])[0]) < 0.01
    # maps under 11 pixels: the Gaussian cut to the largest odd window that fits and
    # renormalised (no standard to compare with: scikit-image filters with the full
    # 11 taps and reflected borders there); identical maps still score 1
    small_a, small_b = a[:2, :7, :9], b[:2, :7, :9]
    assert np.all(np.abs(ssim(small_a, small_b)) <= 1)
    np.testing.assert_allclose(ssim(small_a, small_a), 1.0)
    noisier = np.clip(a[0] + np.linspace(0.05, 0.5, 4)[:, None, None]
                      * np.random.default_rng(4).standard_normal((4, 32, 40)), 0, 1)
    assert np.all(np.diff(ssim(np.repeat(a[:1], 4, 0), noisier)) < 0)   # less alike


def reference_hog(m, cell=8, bins=9):
    """HOG written from Dalal and Triggs (2005): central-difference gradients,
    unsigned orientations in 9 bins of 20 degrees (hard assignment), magnitudes
    averaged per cell, 2 x 2-cell blocks L2-Hys normalised (clip at 0.2)."""
    gr = np.zeros_like(m)
    gc = np.zeros_like(m)
    gr[1:-1, :] = m[2:, :] - m[:-2, :]
    gc[:, 1:-1] = m[:, 2:] - m[:, :-2]
    mag = np.hypot(gr, gc)
    ang = np.rad2deg(np.arctan2(gr, gc)) % 180
    b = np.minimum((ang // (180 / bins)).astype(int), bins - 1)
    nr, nc = m.shape[0] // cell, m.shape[1] // cell
    hist = np.zeros((nr, nc, bins))
    for r in range(nr * cell):
        for c in range(nc * cell):
            hist[r // cell, c // cell, b[r, c]] += mag[r, c] / cell ** 2
    blocks = []
    for r in range(nr - 1):
        for c in range(nc - 1):
            v = hist[r:r + 2, c:c + 2].ravel()
            v = v / np.sqrt((v ** 2).sum() + 1e-10)
            v = np.minimum(v, 0.2)
            blocks.append(v / np.sqrt((v ** 2).sum() + 1e-10))
    return np.concatenate(blocks)


def test_hog_similarity_agrees_with_a_reference_hog():
    a, b = pairs(n=10, shape=(64, 64), seed=1)
    ours = hog_similarity(a, b)
    theirs = []
    for x, y in zip(a, b):
        fx, fy = reference_hog(x), reference_hog(y)
        theirs.append(np.corrcoef(fx, fy)[0, 1])
    # orientation bins on their boundaries may be assigned differently: close values
    np.testing.assert_allclose(ours, theirs, atol=0.03)
    assert spearman(ours[None], np.array(theirs)[None])[0] > 0.95
    assert hog_similarity(a, a) == pytest.approx(np.ones(10))
    np.testing.assert_allclose(hog_similarity(a, 3 * a), 1.0)
    np.testing.assert_array_equal(hog_similarity(np.zeros_like(a), a), 0.0)


@pytest.mark.parametrize("call, error, words", [
    (lambda: ssim(np.zeros((2, 8, 8)), np.zeros((2, 8, 9))), ValueError, "same shape"),
    (lambda: ssim(np.zeros((8, 8)), np.zeros((8, 8)), data_range=0), ValueError,
     "data_range"),
    (lambda: ssim(np.full((8, 8), np.nan), np.zeros((8, 8))), ValueError, "NaN"),
    (lambda: hog_similarity(np.zeros((2, 1, 8)), np.zeros((2, 1, 8))), ValueError, "2 x 2"),
])
def test_bad_input(call, error, words):
    with pytest.raises(error) as info:
        call()
    assert words in str(info.value)


def test_randomization_reports_ssim_hog_and_constant_maps():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input((16, 16, 3)),
        keras.layers.Conv2D(4, 3, padding="same", activation="relu", name="conv"),
        keras.layers.GlobalAveragePooling2D(),
        keras.layers.Dense(3, name="head")])
    x = np.random.default_rng(2).random((3, 16, 16, 3)).astype("float32")
    result = randomization_test(model, x, "gradcam", keep_maps=True, seed=1)
    assert result.ssim_values.shape == result.hog_values.shape == result.values.shape
    for j in range(len(result.layers)):
        np.testing.assert_allclose(
            result.ssim_values[:, j],
            ssim(_unit(result.maps[0]), _unit(result.maps[j + 1])))
        np.testing.assert_allclose(result.hog_values[:, j],
                                   hog_similarity(result.maps[0], result.maps[j + 1]))
        np.testing.assert_array_equal(result.constant[:, j],
                                      np.ptp(result.maps[j + 1], axis=(1, 2)) == 0)
    assert result.mean_curve_ssim.shape == result.mean_curve_hog.shape == (2,)
    independent = randomization_test(model, x, "gradcam", independent=True, seed=1)
    # the first layer randomised is the same in both modes
    np.testing.assert_allclose(independent.values[:, 0], result.values[:, 0])


def _unit(maps):
    low = maps.min(axis=(1, 2), keepdims=True)
    span = np.ptp(maps, axis=(1, 2), keepdims=True)
    return np.where(span > 0, (maps - low) / np.where(span > 0, span, 1), 0.0)
