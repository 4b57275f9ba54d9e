"""The tank story, measured: a model trained on confounded scenes learns the weather.

``helpers.data.tank_scenes`` draws forests with or without a camouflaged tank under a
sunny or a cloudy sky. With ``confounded=True`` every tank was "photographed" on a
cloudy day, as the story tells it. A small GAP CNN trained on such scenes:

* is perfect on held-out confounded scenes,
* is at chance on unconfounded scenes (the weather no longer tells the label),
* and its Grad-CAM puts most of its mass on the sky, far more than the sky's share of
  the image.

The same network trained on unconfounded scenes has to find the tank, and its "tank"
heatmap peaks on the tank.
"""
import keras
import numpy as np
import pytest

import helpers
from helpers import explain, models, training

from explain_reference import peak_in_box_rate

SIZE = 64
# (scenes, epochs): the weather is learned in a few steps, the tank takes longer. With
# seeds 0, 1 and 2 the confounded run scored 100% held out and 50% on fair scenes, and
# put 0.83-0.88 of Grad-CAM's mass on the sky (the tests ask for 97%, 35-65% and 0.69,
# twice the sky's share); the fair run scored 100%, its peaks 99.5-100% in the box
# (the tests ask for 95% and 90%).
CONFOUNDED_RUN = (400, 4)
FAIR_RUN = (800, 8)


def _train(confounded: bool, seed: int = 0):
    n_train, epochs = CONFOUNDED_RUN if confounded else FAIR_RUN
    keras.utils.set_random_seed(seed)
    scenes = helpers.data.tank_scenes(n_train, size=SIZE, confounded=confounded, seed=seed)
    model = models.gap_cnn((SIZE, SIZE, 3), 2, widths=(32, 64, 64), convs_per_block=1)
    training.fit(model, scenes, epochs=epochs, learning_rate=1e-3, progress=False, seed=seed)
    return model


def _accuracy(model, scenes):
    return np.mean(model.predict(scenes.images, verbose=0).argmax(axis=1) == scenes.labels)


@pytest.fixture(scope="module")
def confounded_model():
    return _train(confounded=True)


@pytest.fixture(scope="module")
def fair_model():
    return _train(confounded=False)


@pytest.fixture(scope="module")
def held_out():
    return {
        "confounded": helpers.data.tank_scenes(400, size=SIZE, confounded=True, seed=101),
        "unconfounded": helpers.data.tank_scenes(400, size=SIZE, confounded=False, seed=102),
    }


def test_the_confounded_model_learned_the_weather_not_the_tank(confounded_model, held_out):
    assert _accuracy(confounded_model, held_out["confounded"]) >= 0.97
    # Weather is independent of the label here, so a weather detector is at chance.
    assert 0.35 <= _accuracy(confounded_model, held_out["unconfounded"]) <= 0.65


def test_the_confounded_model_looks_at_the_sky(confounded_model, held_out):
    scenes = held_out["confounded"]
    maps = explain.gradcam(confounded_model, scenes.images)
    sky = scenes.extras["sky_masks"]
    mass_on_sky = (maps * sky).sum(axis=(1, 2)) / np.maximum(maps.sum(axis=(1, 2)), 1e-12)
    sky_fraction = sky.mean()
    assert mass_on_sky.mean() >= 0.65
    assert mass_on_sky.mean() >= 2 * sky_fraction


def test_a_fairly_trained_model_looks_at_the_tank(fair_model, held_out):
    scenes = held_out["unconfounded"]
    assert _accuracy(fair_model, scenes) >= 0.95
    tank = scenes.class_names.index("tank")
    predicted = fair_model.predict(scenes.images, verbose=0).argmax(axis=1)
    hits = np.flatnonzero((scenes.labels == tank) & (predicted == tank))
    maps = explain.gradcam(fair_model, scenes.images[hits], targets=tank)
    assert peak_in_box_rate(maps, scenes.boxes[hits]) >= 0.9
