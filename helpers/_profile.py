"""Profiles: one code path, three amounts of work.

A profile scales how much work a chapter does (epochs, data set sizes, number of
images explained), never *what* the code does. Chapters write their knobs in
plain sight::

    P = helpers.profile()
    EPOCHS = P.pick(test=1, cpu=8, gpu=40)

``HELPERS_PROFILE`` selects the profile:

``test``  the smallest run that still executes every line (used by the test suite);
``cpu``   a laptop or a 2-core CI machine: minutes per chapter;
``gpu``   Colab with a GPU: the full-size experiments.

Unset, it is ``gpu`` when TensorFlow sees a GPU and ``cpu`` otherwise.
"""
from __future__ import annotations

import os
import random
from dataclasses import dataclass, field

from ._checks import check_choice, check_int, check_str, describe

PROFILES = ("test", "cpu", "gpu")
ENV_VAR = "HELPERS_PROFILE"


def _visible_gpus() -> list[str]:
    import tensorflow as tf

    return [d.name for d in tf.config.list_physical_devices("GPU")]


@dataclass(frozen=True)
class Profile:
    """The active profile.

    Attributes
    ----------
    name : str
        ``"test"``, ``"cpu"`` or ``"gpu"``.
    source : str
        Where the name came from: ``"HELPERS_PROFILE"`` or ``"auto-detected"``.
    gpus : tuple of str
        The GPUs TensorFlow sees (empty on a CPU-only machine).
    """

    name: str
    source: str = "auto-detected"
    gpus: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self):
        check_choice(self.name, "name", PROFILES)
        check_str(self.source, "source")
        if not isinstance(self.gpus, tuple) or not all(isinstance(g, str) for g in self.gpus):
            raise TypeError(f"gpus must be a tuple of str, got {describe(self.gpus)}")

    def pick(self, *, test, cpu, gpu):
        """Return the value for the active profile.

        Examples
        --------
        >>> Profile("cpu").pick(test=1, cpu=8, gpu=40)
        8
        """
        return {"test": test, "cpu": cpu, "gpu": gpu}[self.name]

    @property
    def has_gpu(self) -> bool:
        """True when TensorFlow sees at least one GPU."""
        return bool(self.gpus)

    def __repr__(self) -> str:
        devices = ", ".join(self.gpus) if self.gpus else f"CPU only ({os.cpu_count()} cores)"
        return f"Profile({self.name!r}, from {self.source}; devices: {devices})"

    def _repr_markdown_(self) -> str:
        devices = ", ".join(self.gpus) if self.gpus else f"CPU only ({os.cpu_count()} cores)"
        return f"**Profile `{self.name}`** ({self.source}) · devices: {devices}"


def profile() -> Profile:
    """Read the active profile from ``HELPERS_PROFILE``, or detect it.

    Returns
    -------
    Profile

    Raises
    ------
    ValueError
        If ``HELPERS_PROFILE`` is set to something other than ``test``, ``cpu`` or ``gpu``.
    """
    raw = os.environ.get(ENV_VAR)
    if raw is not None and raw.strip().lower() not in PROFILES:
        raise ValueError(
            f"{ENV_VAR}={raw!r} is not a profile; expected one of {', '.join(PROFILES)} "
            f"(or unset it to auto-detect: gpu if TensorFlow sees a GPU, else cpu)"
        )
    gpus = tuple(_visible_gpus())
    if raw is None:
        return Profile("gpu" if gpus else "cpu", "auto-detected", gpus)
    return Profile(raw.strip().lower(), ENV_VAR, gpus)


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy, TensorFlow and Keras so that a run can be repeated.

    Parameters
    ----------
    seed : int
        A non-negative integer.

    Notes
    -----
    Seeding makes weight initialisation, shuffling and dropout repeatable. On a GPU
    some kernels are still non-deterministic; that is a property of the hardware
    libraries, not of the seed.
    """
    # NumPy's legacy global seed (np.random.seed) takes 32 bits
    seed = check_int(seed, "seed", low=0, high=2**32 - 1)
    import numpy as np

    os.environ["PYTHONHASHSEED"] = str(seed)
    random.seed(seed)
    np.random.seed(seed)
    import keras

    keras.utils.set_random_seed(seed)
