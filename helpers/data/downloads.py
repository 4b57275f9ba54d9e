"""Downloading a data file once, checking it is the right file, and caching it.

Every downloaded file is checked against a SHA-256 digest written in the code
*before* anything reads it: a truncated download, a changed file on the server or a
tampered copy is refused, never unpickled or unpacked. The check happens while the
file streams in, then the file is moved into place in one step, so the cache never
holds a half-written or unverified file.

The cache folder is, in order of preference: the ``root`` argument of a loader,
the ``HELPERS_DATA`` environment variable, or ``~/.cache/helpers``.

Fixture data for the tests
--------------------------
The labs download real data sets; the tests run them offline on small archives in
the same formats. ``HELPERS_FIXTURES`` names a folder holding such archives and a
``checksums.json`` ``{file name: SHA-256}``. It is honoured only together with
``HELPERS_PROFILE=test`` (anything else raises, so a forgotten variable never
replaces real data), and only for the file names the manifest lists; then:

* :func:`fetch` takes the file from that folder instead of the internet, still
  verified, against the manifest's digest (the real digests in the code are never
  changed or bypassed);
* :func:`data_home` is ``<HELPERS_FIXTURES>/cache`` whatever ``root`` or
  ``HELPERS_DATA`` say, so fixture files and what is unpacked from them never
  enter a real cache.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import urllib.error
import urllib.request
import warnings
from pathlib import Path

from .._checks import check_bool, check_path, check_real, describe

__all__ = ["download", "data_home", "fetch", "sha256_of", "DownloadError", "ChecksumError",
           "FIXTURES_ENV"]

#: Environment variable naming a folder of fixture archives (tests only; see above).
FIXTURES_ENV = "HELPERS_FIXTURES"

_CHUNK_BYTES = 1 << 20  # read and hash 1 MiB at a time


class DownloadError(OSError):
    """A file could not be downloaded (no network, server error, interrupted transfer)."""


class ChecksumError(ValueError):
    """A file's SHA-256 digest is not the expected one: it is incomplete or a different file."""


def data_home(root: str | os.PathLike | None = None) -> Path:
    """The folder where downloaded data sets are cached.

    Parameters
    ----------
    root : path or None
        Use this folder. If None, use ``$HELPERS_DATA`` if set, else
        ``~/.cache/helpers``.

    Returns
    -------
    pathlib.Path
        The folder (not created here; :func:`download` creates it when needed).

    Raises
    ------
    ValueError
        If the path exists and is not a folder (a file).
    """
    check_path(root, "root", optional=True)
    fixtures = fixture_folder()
    if fixtures is not None:
        return fixtures / "cache"
    name = "root"
    if root is None:
        name = "$HELPERS_DATA" if os.environ.get("HELPERS_DATA") else "the default cache"
        root = os.environ.get("HELPERS_DATA") or Path.home() / ".cache" / "helpers"
    folder = Path(root).expanduser()
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"{name} must be a folder for the data cache, but {folder} is a file.")
    return folder


def sha256_of(path: str | os.PathLike) -> str:
    """SHA-256 digest of a file, as 64 lowercase hex digits (read in 1 MiB chunks)."""
    hasher = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(_CHUNK_BYTES):
            hasher.update(chunk)
    return hasher.hexdigest()


def download(
    url: str,
    dest: str | os.PathLike,
    sha256: str,
    *,
    progress: bool = True,
    timeout: float = 60.0,
) -> Path:
    """Download ``url`` to ``dest``, keeping it only if its SHA-256 digest is ``sha256``.

    The file streams into a temporary file next to ``dest`` and is hashed on the
    way; only a complete file with the right digest is renamed to ``dest`` (an
    atomic step). Anything else leaves no file behind.

    Parameters
    ----------
    url : str
        ``https://``, ``http://`` or ``file://`` address.
    dest : path
        Where to put the file; missing parent folders are created.
    sha256 : str
        Expected SHA-256 digest, 64 hex digits.
    progress : bool
        Show a progress bar (if ``tqdm`` is installed).
    timeout : float
        Seconds to wait for the server before giving up.

    Returns
    -------
    pathlib.Path
        ``dest``.

    Raises
    ------
    DownloadError
        If the file cannot be fetched (e.g. no internet connection).
    ChecksumError
        If the downloaded bytes do not have the expected digest.
    """
    expected = _check_sha256(sha256)
    _check_url(url)
    dest = Path(check_path(dest, "dest"))
    progress = check_bool(progress, "progress")
    timeout = check_real(timeout, "timeout", low=0, low_open=True, note=" (seconds)")
    dest.parent.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            actual = _stream(url, out, timeout, progress, label=dest.name)
        if actual != expected:
            raise ChecksumError(
                f"the file downloaded from {url} has SHA-256 {actual}, expected {expected}. "
                "It is incomplete or not the expected file, so it was deleted."
            )
        os.replace(partial, dest)
    finally:
        if os.path.exists(partial):
            os.remove(partial)
    return dest


def fetch(
    url: str,
    filename: str,
    sha256: str,
    root: str | os.PathLike | None = None,
    allow_download: bool = True,
) -> Path:
    """Path of a verified copy of a file in the cache, downloading it if needed.

    A cached copy is re-checked against ``sha256`` on every call (so nothing
    unverified is ever read); a copy with the wrong digest is downloaded again,
    or refused when ``allow_download`` is False.

    Parameters
    ----------
    url, sha256 : str
        Where the file comes from and its expected SHA-256 digest.
    filename : str
        Name of the file in the cache folder :func:`data_home` ``(root)``.
    root : path or None
        Cache folder; see :func:`data_home`.
    allow_download : bool
        If False, only use a file already in the cache.

    Raises
    ------
    FileNotFoundError
        If the file is not cached and ``allow_download`` is False.
    DownloadError
        If the download fails; the message says how to put the file in place by hand.
    ChecksumError
        If the cached or downloaded file has the wrong digest.
    """
    allow_download = check_bool(allow_download, "download")
    expected = _check_sha256(sha256)
    fixture = _fixture_source(filename)
    if fixture is not None:
        url, expected = fixture
    path = data_home(root) / filename
    if path.exists():
        actual = sha256_of(path)
        if actual == expected:
            return path
        if not allow_download:
            raise ChecksumError(
                f"{path} has SHA-256 {actual}, expected {expected}: it is incomplete or a "
                f"different file. Delete it, then download {url} again."
            )
        warnings.warn(
            f"{path} does not have the expected SHA-256 digest (incomplete or a different "
            "file); downloading it again.",
            stacklevel=3,
        )
        path.unlink()
    if not allow_download:
        raise FileNotFoundError(
            f"{filename} is not in the cache and download=False. "
            + _by_hand(url, path, expected)
        )
    try:
        return download(url, path, expected)
    except DownloadError as error:
        raise DownloadError(f"{error} {_by_hand(url, path, expected)}") from error


# ------------------------------------------------------------------ fixtures (tests only)
def fixture_folder() -> Path | None:
    """The folder named by ``$HELPERS_FIXTURES``, or None when it is not set.

    Raises
    ------
    ValueError
        If it is set without ``HELPERS_PROFILE=test``, or is not a folder with a
        ``checksums.json``.
    """
    folder = os.environ.get(FIXTURES_ENV)
    if not folder:
        return None
    if os.environ.get("HELPERS_PROFILE") != "test":
        raise ValueError(
            f"{FIXTURES_ENV} is set ({folder!r}) but HELPERS_PROFILE is not 'test': fixture "
            f"data replaces downloads only in the tests. Unset {FIXTURES_ENV} to use the "
            "real data."
        )
    folder = Path(folder).expanduser()
    if not (folder / "checksums.json").is_file():
        raise ValueError(
            f"{FIXTURES_ENV} must name a folder with a checksums.json "
            f"({{file name: SHA-256}}), got {str(folder)!r}"
        )
    return folder


def _fixture_source(filename: str) -> tuple[str, str] | None:
    """(file:// url, digest) of ``filename`` in the fixture folder, if it lists it."""
    folder = fixture_folder()
    if folder is None:
        return None
    with open(folder / "checksums.json", encoding="utf-8") as file:
        digests = json.load(file)
    if not isinstance(digests, dict) or filename not in digests:
        return None
    return (folder / filename).resolve().as_uri(), _check_sha256(digests[filename])


# ------------------------------------------------------------------ helpers
def _check_sha256(sha256) -> str:
    if not isinstance(sha256, str):
        raise TypeError(f"sha256 must be a str of 64 hexadecimal digits, got {describe(sha256)}.")
    if not re.fullmatch(r"[0-9a-fA-F]{64}", sha256):
        raise ValueError(f"sha256 must be 64 hexadecimal digits, got {sha256!r}.")
    return sha256.lower()


_URL_SCHEMES = ("https://", "http://", "file://")


def _check_url(url) -> str:
    if not isinstance(url, str):
        raise TypeError(f"url must be a str such as 'https://...', got {describe(url)}.")
    if not url.startswith(_URL_SCHEMES):
        raise ValueError(
            f"url must start with {', '.join(_URL_SCHEMES)}, got {url!r}."
        )
    return url


def _by_hand(url: str, path: Path, sha256: str) -> str:
    return (
        f"To install it by hand, download {url} on a machine with internet access and "
        f"copy it to {path} (or to the same name under the folder given by root= or "
        f"$HELPERS_DATA); its SHA-256 must be {sha256}."
    )


def _stream(url: str, out, timeout: float, progress: bool, label: str) -> str:
    """Copy ``url`` into the open file ``out``; return the SHA-256 of the bytes copied."""
    hasher = hashlib.sha256()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            total = response.headers.get("Content-Length")
            bar = _progress_bar(int(total) if total else None, label, progress)
            try:
                while chunk := response.read(_CHUNK_BYTES):
                    hasher.update(chunk)
                    out.write(chunk)
                    if bar is not None:
                        bar.update(len(chunk))
            finally:
                if bar is not None:
                    bar.close()
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        raise DownloadError(f"could not download {url} ({reason}).") from error
    return hasher.hexdigest()


def _progress_bar(total: int | None, label: str, enabled: bool):
    if not enabled:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:  # tqdm is optional: no bar, same download
        return None
    return tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024, desc=label)
