"""helpers.evaluation.road and noisy_linear_imputation (Rong et al., 2022), against a
reference written from the paper: every removed pixel is the weighted mean of its
in-image neighbours (side 1/6, corner 1/12), one dense linear system solved with
numpy.linalg, on models the tests build."""
import keras
import numpy as np
import pytest

from helpers.evaluation import (PERCENTILES, noisy_linear_imputation, pixel_order, road,
                                random_maps)
from helpers.evaluation.road import removal_ranks

WEIGHTS = {(dr, dc): (1 / 12 if dr and dc else 1 / 6)
           for dr in (-1, 0, 1) for dc in (-1, 0, 1) if dr or dc}


def reference_imputation(image, removed):
    """The paper's definition, one equation per removed pixel, built pixel by pixel."""
    h, w, c = image.shape
    cells = [(r, q) for r in range(h) for q in range(w) if removed[r, q]]
    where = {cell: i for i, cell in enumerate(cells)}
    a = np.zeros((len(cells), len(cells)))
    b = np.zeros((len(cells), c))
    for i, (r, q) in enumerate(cells):
        for (dr, dc), weight in WEIGHTS.items():
            rr, qq = r + dr, q + dc
            if not (0 <= rr < h and 0 <= qq < w):
                continue                          # outside the image: not a neighbour
            a[i, i] += weight
            if removed[rr, qq]:
                a[i, where[rr, qq]] -= weight     # an unknown neighbour
            else:
                b[i] += weight * image[rr, qq]    # a kept neighbour
    out = image.astype(np.float64).copy()
    if cells:
        solved = np.linalg.solve(a, b)
        for (r, q), value in zip(cells, solved):
            out[r, q] = value
    return out


@pytest.mark.parametrize("shape, share", [((9, 11, 3), 0.6), ((7, 7, 1), 0.9),
                                          ((12, 10, 3), 0.1)])
def test_imputation_matches_the_dense_reference(shape, share):
    rng = np.random.default_rng(1)
    image = rng.random(shape)
    removed = rng.random(shape[:2]) < share
    removed[0, 0] = removed[-1, -1] = True       # corners: three neighbours only
    removed[1, 1] = False
    got = noisy_linear_imputation(image, removed, noise=0)
    want = reference_imputation(image, removed)
    np.testing.assert_allclose(got, want, atol=1e-6)
    np.testing.assert_array_equal(got[~removed], image[~removed].astype(np.float32))


def test_imputed_pixels_are_the_weighted_mean_of_their_neighbours():
    rng = np.random.default_rng(2)
    image = rng.random((16, 16, 2))
    removed = np.zeros((16, 16), bool)
    removed[3:12, 4:14] = True                    # one large hole
    out = noisy_linear_imputation(image, removed, noise=0).astype(np.float64)
    for r, q in zip(*np.nonzero(removed)):
        total = sum(w for (dr, dc), w in WEIGHTS.items()
                    if 0 <= r + dr < 16 and 0 <= q + dc < 16)
        mean = sum(w * out[r + dr, q + dc] for (dr, dc), w in WEIGHTS.items()
                   if 0 <= r + dr < 16 and 0 <= q + dc < 16) / total
        np.testing.assert_allclose(out[r, q], mean, atol=1e-5)
    # a hole in a constant image is filled with that constant
    flat = noisy_linear_imputation(np.full((16, 16, 3), 0.3), removed, noise=0)
    np.testing.assert_allclose(flat, 0.3, atol=1e-6)


def test_noise_is_added_to_the_imputed_pixels_only():
    rng = np.random.default_rng(3)
    image = rng.random((40, 40, 3))
    removed = rng.random((40, 40)) < 0.5
    plain = noisy_linear_imputation(image, removed, noise=0)
    noisy = noisy_linear_imputation(image, removed, noise=0.05, random_state=4)
    diff = (noisy - plain).astype(np.float64)
    assert np.all(diff[~removed] == 0)
    assert diff[removed].std() == pytest.approx(0.05, rel=0.1)
    assert abs(diff[removed].mean()) < 0.005
    again = noisy_linear_imputation(image, removed, noise=0.05, random_state=4)
    other = noisy_linear_imputation(image, removed, noise=0.05, random_state=5)
    np.testing.assert_array_equal(noisy, again)
    assert not np.array_equal(noisy, other)


def region_model(h=10, w=10, seed=0):
    """Two logits: class 1 grows with the red channel inside rows 2-5, columns 3-7;
    a softmax head, as the chapters' models end."""
    keras.utils.set_random_seed(seed)
    kernel = np.zeros((h, w, 3, 2), np.float32)
    kernel[2:6, 3:8, 0, 1] = 40.0 / 20
    kernel[:, :, 1, 0] = 5.0 / (h * w)
    model = keras.Sequential([keras.Input((h, w, 3)), keras.layers.Flatten(),
                              keras.layers.Dense(2, activation="softmax")])
    model.layers[-1].set_weights([kernel.reshape(-1, 2), np.array([0, -20], np.float32)])
    return model


def softmax_of(model, images, target):
    return np.asarray(model(images.astype(np.float32)), np.float64)[:, target]


@pytest.mark.parametrize("order", ["most", "least"])
def test_road_matches_the_reference_curve(order):
    model = region_model()
    rng = np.random.default_rng(5)
    x = rng.random((3, 10, 10, 3)).astype(np.float32)
    m = rng.random((3, 10, 10))                          # no ties: one order
    percentiles = (0, 15, 50, 85)
    got = road(model, x, m, 1, percentiles=percentiles, order=order, noise=0, batch_size=5)
    for i in range(3):
        sign = -1 if order == "most" else 1
        by_rank = np.argsort(sign * m[i].ravel(), kind="stable")
        for k, p in enumerate(percentiles):
            removed = np.zeros(100, bool)
            removed[by_rank[:round(p)]] = True           # p % of 100 pixels
            image = reference_imputation(x[i], removed.reshape(10, 10))
            want = softmax_of(model, image[None], 1)[0]
            assert got.values[i, k] == pytest.approx(want, rel=1e-4, abs=1e-6)
    np.testing.assert_allclose(got.original, softmax_of(model, x, 1), rtol=1e-5)
    np.testing.assert_allclose(got.values[:, 0], got.original, rtol=1e-5)
    np.testing.assert_allclose(got.fractions, np.array(percentiles) / 100)
    assert got.order == order and got.valid.all()
    np.testing.assert_allclose(got.per_image, got.values.mean(axis=1))
    assert got.mean == pytest.approx(got.values.mean())


def test_removal_follows_pytorch_grad_cams_percentile_where_the_counts_agree():
    """pytorch-grad-cam's ROAD*RelevantFirst(q) keeps q % of the pixels: MoRF keeps
    ``cam < np.percentile(cam, q)``, LeRF keeps ``1 - cam < np.percentile(1 - cam, q)``.
    On 100 pixels without ties both remove exactly 100 - q % of them, as road does at
    percentile 100 - q."""
    rng = np.random.default_rng(6)
    cams = rng.random((4, 10, 10))
    for q in (10, 20, 30, 40, 50, 60, 70, 80, 90):
        for order in ("most", "least"):
            rank, counts = removal_ranks(cams, np.array([100.0 - q]), order, 0)
            ours = rank < counts[0]
            for cam, mine in zip(cams, ours):
                if order == "most":
                    kept = cam < np.percentile(cam, q)
                else:
                    kept = (1 - cam) < np.percentile(1 - cam, q)
                np.testing.assert_array_equal(mine, ~kept)


def test_a_map_of_the_evidence_beats_its_reverse():
    model = region_model()
    x = np.random.default_rng(7).random((4, 10, 10, 3)).astype(np.float32)
    x[:, 2:6, 3:8, 0] = 1.0                             # the evidence for class 1
    evidence = np.zeros((4, 10, 10))
    evidence[:, 2:6, 3:8] = 1.0
    evidence += 0.01 * np.random.default_rng(8).random((4, 10, 10))
    good = road(model, x, evidence, 1, order="most", noise=0)
    bad = road(model, x, 1 - evidence, 1, order="most", noise=0)
    assert good.mean < bad.mean - 0.3
    assert (road(model, x, evidence, 1, order="least", noise=0).mean
            > road(model, x, 1 - evidence, 1, order="least", noise=0).mean + 0.3)


def test_same_random_state_same_curves_whatever_the_batch():
    model = region_model()
    x = np.random.default_rng(9).random((5, 10, 10, 3)).astype(np.float32)
    m = np.round(random_maps((5, 10, 10), seed=2), 1)    # ties, broken at random
    a = road(model, x, m, 1, random_state=3, batch_size=4)
    b = road(model, x, m, 1, random_state=3, batch_size=64)
    c = road(model, x, m, 1, random_state=4)
    np.testing.assert_array_equal(a.values, b.values)
    assert not np.array_equal(a.values, c.values)
    np.testing.assert_array_equal(a.percentiles, PERCENTILES)


@pytest.mark.parametrize("kwargs, error, words", [
    ({"percentiles": (10, 100)}, ValueError, "[0, 100)"),
    ({"percentiles": (-5,)}, ValueError, "[0, 100)"),
    ({"percentiles": (10, 10)}, ValueError, "once"),
    ({"percentiles": "10"}, TypeError, "percentiles"),
    ({"order": "top"}, ValueError, "order"),
    ({"noise": -0.1}, ValueError, "noise"),
    ({"random_state": -1}, ValueError, "random_state"),
    ({"random_state": 1.5}, TypeError, "random_state"),
])
def test_bad_arguments_are_clear_errors(kwargs, error, words):
    model = region_model()
    x = np.zeros((2, 10, 10, 3), np.float32)
    with pytest.raises(error) as info:
        road(model, x, np.ones((2, 10, 10)), **kwargs)
    assert words in str(info.value)


@pytest.mark.parametrize("call, error, words", [
    (lambda: noisy_linear_imputation(np.zeros((4, 4, 3)), np.ones((4, 4), bool)),
     ValueError, "every pixel"),
    (lambda: noisy_linear_imputation(np.zeros((4, 4, 3)), np.ones((4, 4))),
     TypeError, "bool"),
    (lambda: noisy_linear_imputation(np.zeros((4, 4, 3)), np.ones((4, 5), bool)),
     ValueError, "shape"),
    (lambda: noisy_linear_imputation(np.zeros((4, 4)), np.ones((4, 4), bool)),
     ValueError, "image"),
])
def test_imputation_bad_input(call, error, words):
    with pytest.raises(error) as info:
        call()
    assert words in str(info.value)


def test_pixel_order_breaks_ties_at_random_and_reproducibly():
    maps = np.zeros((2, 8, 8))
    maps[:, 3, 3] = 1.0
    maps[:, 5, 5] = 0.5
    a = pixel_order(maps, random_state=0)
    assert (a[:, 3, 3] == 0).all() and (a[:, 5, 5] == 1).all()
    tied = a.reshape(2, -1)[:, np.flatnonzero(maps[0].ravel() == 0)]
    assert sorted(tied[0]) == list(range(2, 64))
    assert not np.array_equal(tied[0], np.sort(tied[0]))   # not row-major
    assert not np.array_equal(a[0], a[1])                  # each map its own draw
    np.testing.assert_array_equal(a, pixel_order(maps, random_state=0))
    assert not np.array_equal(a, pixel_order(maps, random_state=1))
    row_major = pixel_order(maps, random_state=None)
    np.testing.assert_array_equal(row_major.reshape(2, -1)[:, np.flatnonzero(
        maps[0].ravel() == 0)][0], np.arange(2, 64))


def test_deletion_averages_random_orders_of_the_ties():
    """n_orders curves, each with the ties in an order drawn one after another from a
    generator started at random_state; maps without ties need one order."""
    from helpers.evaluation import deletion, insertion
    model = region_model()
    x = np.random.default_rng(10).random((3, 10, 10, 3)).astype(np.float32)
    m = np.zeros((3, 10, 10))
    m[:, 2:4, 3:5] = 1.0                          # most of the map tied at 0
    steps = 5
    got = deletion(model, x, m, 1, steps=steps, random_state=7, n_orders=3)
    rng = np.random.default_rng(7)
    curves = []
    for _ in range(3):
        rank = pixel_order(m, random_state=rng)
        counts = np.arange(steps + 1) * 100 // steps
        curves.append([softmax_of(model, np.where((rank < c)[..., None], 0, x), 1)
                       for c in counts])
    want = np.mean(curves, axis=0).T
    np.testing.assert_allclose(got.values, want, rtol=1e-4, atol=1e-6)
    single = deletion(model, x, m, 1, steps=steps, random_state=7)
    assert not np.allclose(single.values, got.values)
    smooth = np.random.default_rng(11).random((3, 10, 10))
    np.testing.assert_array_equal(
        insertion(model, x, smooth, 1, steps=steps, n_orders=4).values,
        insertion(model, x, smooth, 1, steps=steps).values)


def test_the_insertion_blur_scales_with_the_image():
    from helpers.evaluation import blur_parameters
    assert blur_parameters(224, 224) == (11, 5.0)
    kernel, sigma = blur_parameters(64, 80)
    assert kernel == 3 and sigma == pytest.approx(5 * 64 / 224)
    assert blur_parameters(512, 512) == (25, pytest.approx(5 * 512 / 224))
    assert blur_parameters(8, 8)[0] == 3
