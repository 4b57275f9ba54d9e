"""Building the book for the tests: ONE executed build, shared by the build test and the
browser test (tests/conftest.py keeps it for the session).

The build executes every chapter in the ``test`` profile (HELPERS_PROFILE=test, set by
the root conftest.py) with ``execute_notebooks: force`` and ``raise_on_error``: a
failing cell, a hidden guard's assert included, fails the build, and
:func:`failing_notebooks` names the chapter. This is the only run of the chapters in
the default test command; nbval stays available for running one chapter alone.
"""
from __future__ import annotations

import fnmatch
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "_build" / "test"             # the site: OUTPUT/_build/html (gitignored)
SCREENSHOTS = ROOT / "_build" / "screenshots"
FIGURE_LOG = "figure_collisions.jsonl"         # in OUTPUT: colliding titles, small text
BUILD_TIMEOUT = 1500                          # seconds, for the whole build



def executed_notebooks(root: Path = ROOT) -> list[Path]:
    """book/*.ipynb that the build executes: all but those matching _config.yml's
    ``execute.exclude_patterns`` (matched as myst-nb does, PurePosixPath.match); the labs
    are shown unexecuted (they need the internet and a GPU)."""
    from pathlib import PurePosixPath

    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    patterns = (config.get("execute") or {}).get("exclude_patterns") or []
    return [p for p in sorted((root / "book").glob("*.ipynb"))
            if not any(PurePosixPath(p.as_posix()).match(pattern) for pattern in patterns)]

@dataclass
class Build:
    returncode: int
    log: str
    html: Path

    @property
    def figure_collisions(self) -> list[dict]:
        """Figures with titles that run into each other or text the page shrinks below a
        readable size (``helpers.viz.layout``'s log): ``{"source", "collisions",
        "small_text"}`` records."""
        log = self.html.parents[1] / FIGURE_LOG
        if not log.exists():
            return []
        return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()
                if line.strip()]

    @property
    def execution(self) -> dict:
        """{docname: {"seconds", "method", "succeeded"}} written by tools/book_extras.py."""
        report = self.html / "reports" / "execution.json"
        return json.loads(report.read_text(encoding="utf-8")) if report.exists() else {}


def test_config(source: Path, out: Path, execute: str, cache: Path | None = None) -> Path:
    """A copy of ``source``'s _config.yml for a test build (written into ``out``)."""
    config = yaml.safe_load((source / "_config.yml").read_text(encoding="utf-8"))
    config["execute"] = dict(config.get("execute", {}), execute_notebooks=execute)
    if cache is not None:
        config["execute"]["cache"] = str(cache)
    extensions = config.get("sphinx", {}).get("local_extensions") or {}
    # a config outside the source folder: make the local extensions' paths absolute
    config.setdefault("sphinx", {})["local_extensions"] = {
        name: str((source / path).resolve()) for name, path in extensions.items()} or None
    if config["sphinx"]["local_extensions"] is None:
        del config["sphinx"]["local_extensions"]
    out.mkdir(parents=True, exist_ok=True)
    path = out / "_config.test.yml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- execution
def _execute_one(job: tuple[str, int, dict]) -> tuple[str, str | None, float]:
    """Run one chapter in its own kernel: (path, executed notebook or None, seconds).

    The kernel gets ``env``, not this process's environment at the moment it starts:
    the build may run beside tests that change ``os.environ`` (monkeypatch).
    """
    import time

    import nbformat
    from nbclient import NotebookClient

    path, timeout, env = job
    env = dict(env, HELPERS_FIGURE_SOURCE=Path(path).name)   # names it in the figure log
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=False,
                            record_timing=False,
                            resources={"metadata": {"path": str(Path(path).parent)}})
    start = time.perf_counter()
    try:
        client.execute(env=env)
        executed = nbformat.writes(nb)
    except Exception:               # a failing cell, a timeout, a dead kernel: the
        executed = None             # build runs the chapter again and reports it
    return path, executed, time.perf_counter() - start


def execute_chapters(source: Path, cache: Path, *, workers: int = 2,
                     timeout: int = BUILD_TIMEOUT,
                     env: dict | None = None) -> dict[str, float]:
    """Execute every chapter of ``source``, ``workers`` at a time, into a fresh cache.

    The chapters run in parallel kernels (2 on a 2-core machine: one kernel rarely keeps
    both cores busy), and each executed notebook is stored in the jupyter-cache that the
    build then reads (``execute_notebooks: cache``), so the build does not run them again.
    A chapter that fails is not cached: the build runs it once more, in order, and fails
    with the chapter's name and traceback as before. The kernels get ``env`` (default:
    this process's environment now), without MPLBACKEND (see :func:`build`).
    Returns {path: seconds}.
    """
    from concurrent.futures import ThreadPoolExecutor

    import nbformat
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    if cache.exists():
        shutil.rmtree(cache)             # never reuse outputs of older code
    settings = yaml.safe_load((source / "_config.yml").read_text(encoding="utf-8"))
    settings = settings.get("execute", {}) or {}
    skipped = settings.get("exclude_patterns", []) or []
    chapters = [p for p in sorted(source.glob("book/*.ipynb"))
                if not any(fnmatch.fnmatch(str(p.relative_to(source)), pattern)
                           for pattern in skipped)]
    env = dict(os.environ if env is None else env)
    env.pop("MPLBACKEND", None)         # see build()
    jobs = [(str(p), int(settings.get("timeout", timeout)), env) for p in chapters]
    with ThreadPoolExecutor(max(1, workers)) as pool:   # each thread drives its own kernel
        results = list(pool.map(_execute_one, jobs))
    store = get_cache(str(cache))
    seconds = {}
    for path, executed, runtime in results:      # one writer: the cache is a SQLite file
        seconds[path] = runtime
        if executed is not None:
            store.cache_notebook_bundle(
                CacheBundleIn(nbformat.reads(executed, as_version=4), path,
                              data={"execution_seconds": runtime}),
                check_validity=False, overwrite=True)
    return seconds


def build(source: Path = ROOT, out: Path = OUTPUT, *, execute: str = "force",
          timeout: int = BUILD_TIMEOUT, workers: int = 2, env: dict | None = None) -> Build:
    """``jupyter-book build source -W -n --keep-going --all`` into ``out``.

    With ``execute="force"`` the chapters are first executed ``workers`` at a time
    (:func:`execute_chapters`) and the build reads their outputs from that fresh cache.
    Kernels and ``jupyter-book`` run with ``env`` (default: this process's environment
    when the build starts), so that the build can run beside other tests.
    """
    env = dict(os.environ if env is None else env)
    figure_log = out / FIGURE_LOG
    figure_log.unlink(missing_ok=True)
    env["HELPERS_FIGURE_LOG"] = str(figure_log)   # helpers.viz.layout checks every figure
    cache = out / "jupyter_cache"
    if execute == "force" and workers > 1:
        execute_chapters(source, cache, workers=workers, timeout=timeout, env=env)
        config = test_config(source, out, "cache", cache)
    else:
        config = test_config(source, out, execute)
    jb = shutil.which("jupyter-book") or "jupyter-book"
    # the root conftest sets MPLBACKEND=Agg for the unit tests; a kernel with Agg shows no
    # figure at all (plt.show() does nothing), so the build's kernels get their default,
    # the inline backend, as a reader's do
    env.pop("MPLBACKEND", None)
    result = subprocess.run(
        [jb, "build", str(source), "-W", "-n", "--keep-going", "--all",
         "--config", str(config), "--path-output", str(out)],
        capture_output=True, text=True, cwd=source, timeout=timeout, env=env)
    log = result.stdout + result.stderr
    for saved in re.findall(r"saved in (/\S+\.log)", log):      # Sphinx's full traceback
        path = Path(saved)
        if path.exists():
            log += "\n" + path.read_text(encoding="utf-8", errors="replace")
    return Build(result.returncode, log, out / "_build" / "html")


def failing_notebooks(log: str) -> list[str]:
    """The notebooks whose execution failed, as the build log names them."""
    names = re.findall(r"ExecutionError: (\S+\.ipynb)", log)
    names += re.findall(r"Executing notebook failed.*?\n?.*?(\S+\.ipynb)", log)
    names += re.findall(r"(\S+\.ipynb): WARNING: Executing notebook failed", log)
    found = []
    for name in names:
        short = Path(name).name
        if short not in found:
            found.append(short)
    return found


def failure_report(result: Build) -> str:
    """What a failed build tells the reader of the test output."""
    notebooks = failing_notebooks(result.log)
    head = (f"executing {', '.join(notebooks)} failed (a cell raised, e.g. a hidden guard's "
            "assert; run it alone with `HELPERS_PROFILE=test python -m pytest --nbval-lax "
            f"--nbval-current-env book/{notebooks[0]}`)\n" if notebooks else "the book build failed\n")
    errors = [line for line in result.log.splitlines()
              if re.search(r"AssertionError|Error:|WARNING|ERROR", line)]
    return head + "\n".join(errors[-40:]) + "\n--- end of the log ---\n" + result.log[-3000:]
