import random

import numpy as np
import pytest

import helpers
from helpers._profile import Profile


@pytest.mark.parametrize("name", ["test", "cpu", "gpu"])
def test_profile_reads_the_environment(monkeypatch, name):
    monkeypatch.setenv("HELPERS_PROFILE", name)
    p = helpers.profile()
    assert p.name == name
    assert p.source == "HELPERS_PROFILE"
    assert p.pick(test="a", cpu="b", gpu="c") == {"test": "a", "cpu": "b", "gpu": "c"}[name]


def test_profile_is_case_and_space_tolerant(monkeypatch):
    monkeypatch.setenv("HELPERS_PROFILE", " CPU ")
    assert helpers.profile().name == "cpu"


def test_unset_profile_is_detected_from_the_devices(monkeypatch):
    monkeypatch.delenv("HELPERS_PROFILE", raising=False)
    monkeypatch.setattr("helpers._profile._visible_gpus", lambda: [])
    assert helpers.profile().name == "cpu"
    monkeypatch.setattr("helpers._profile._visible_gpus", lambda: ["/physical_device:GPU:0"])
    p = helpers.profile()
    assert p.name == "gpu" and p.has_gpu and p.source == "auto-detected"


def test_unknown_profile_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("HELPERS_PROFILE", "fast")
    with pytest.raises(ValueError, match=r"'fast'.*expected one of test, cpu, gpu"):
        helpers.profile()
    with pytest.raises(ValueError, match="name must be one of 'test', 'cpu', 'gpu', got str 'laptop'"):
        Profile("laptop")
    with pytest.raises(TypeError, match="name must be one of"):
        Profile(None)


def test_seed_everything_takes_32_bit_seeds():
    # np.random.seed refuses 2**32 with its own error; helpers says so first
    with pytest.raises(ValueError, match=r"seed must be an int in \[0, 4294967295\]"):
        helpers.seed_everything(2**32)
    helpers.seed_everything(np.int64(2**32 - 1))


def test_pick_needs_every_profile():
    with pytest.raises(TypeError):
        Profile("cpu").pick(test=1, cpu=2)


def test_repr_names_the_profile_and_devices():
    text = repr(Profile("cpu", "HELPERS_PROFILE", ()))
    assert "'cpu'" in text and "CPU only" in text
    assert "`cpu`" in Profile("cpu")._repr_markdown_()


def test_seed_everything_repeats_numpy_python_and_keras():
    import keras

    def draw():
        return (np.random.rand(3), random.random(), keras.random.uniform((3,)).numpy())

    helpers.seed_everything(7)
    a = draw()
    helpers.seed_everything(7)
    b = draw()
    helpers.seed_everything(8)
    c = draw()
    for x, y, z in zip(a, b, c):
        np.testing.assert_array_equal(x, y)
        assert not np.array_equal(x, z)


@pytest.mark.parametrize("bad, err", [(-1, ValueError), (1.5, TypeError), ("3", TypeError), (True, TypeError)])
def test_seed_everything_rejects_bad_seeds(bad, err):
    with pytest.raises(err, match="seed"):
        helpers.seed_everything(bad)


def test_submodules_are_lazy_and_unknown_attributes_fail():
    assert "models" in dir(helpers)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        helpers.nope
