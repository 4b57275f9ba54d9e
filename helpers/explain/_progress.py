"""A progress bar for long runs only (tqdm.auto: a widget in notebooks, text elsewhere)."""
from __future__ import annotations

import time

AUTO_THRESHOLD_S = 2.0
"""With ``progress=None`` the bar appears once the run is expected to take longer than this."""


class Progress:
    """Count work units; show a bar if asked (True), never (False) or when slow (None).

    Parameters
    ----------
    total : int
        Work units (e.g. masked images) in the run.
    desc : str
        Label of the bar.
    progress : bool or None
        None decides after the first update: the bar is shown when
        ``elapsed / done * total`` exceeds :data:`AUTO_THRESHOLD_S` seconds.
    """

    def __init__(self, total: int, desc: str, progress: bool | None = None):
        if progress not in (None, True, False):
            raise TypeError(f"progress must be None (automatic), True or False, got {progress!r}")
        self.total, self.desc, self.mode = total, desc, progress
        self.done = 0
        self.start = time.perf_counter()
        self.bar = self._open(0) if progress else None

    def _open(self, initial: int):
        from tqdm.auto import tqdm

        return tqdm(total=self.total, initial=initial, desc=self.desc, unit="img", leave=False)

    def update(self, n: int) -> None:
        self.done += n
        if self.bar is not None:
            self.bar.update(n)
        elif self.mode is None and self.done < self.total:
            elapsed = time.perf_counter() - self.start
            if elapsed / self.done * self.total > AUTO_THRESHOLD_S:
                self.bar = self._open(self.done)
        if self.done >= self.total:
            self.close()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
        self.mode = False
