"""A spare site for the build after a cold one, made while the editor edits.

A rebuild starts from the spare: the site the build before it replaced, whose unchanged files it
keeps in place (see `kept`). A cold build replaces no site, so the rebuild after it would copy
every unchanged file from the store into a new folder: at 10,000 claims, 30,000 files and twice
the time of a rebuild that keeps them. So once a build has published a site and no spare exists,
`start` copies the files of that site's manifest from the store into a new spare, in a detached
process (`python -m generator.output.spare CACHE`) that goes on after the build has returned.
That build also leaves to it the copies of its files for the store (ten thousand pages and more,
seconds at the end of a cold build), which it makes first, from the published site, each only if
the file is still what the build wrote (`kept.signature`, which any write changes). Then:

- it copies into a folder beside the cache (`CACHE.spare-making/`, so that deleting the cache in
  the meantime is not disturbed), records that folder's manifest, then renames the folder to the
  spare and the manifest to the spare's, in that order; a folder without its manifest is never
  used (`Output._take_spare`);
- the next build in the same cache waits for it first (`wait`), so a build never reads a spare
  being written, and clears what a stopped one left.

Nothing is lost when it fails or is killed: the next build copies what it needs, and produces
again what the store lacks. Not started in CI (`CI` set): a CI job builds once, and the spare
would only be saved with the cache; there the build stores its files itself.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

from . import kept
from .copier import copy_all
from .fs import process_alive
from .store import put

MAKING = "spare-making"
SPARE = "spare-site"
FILES = (f"{MAKING}.pid", f"{MAKING}.jobs", f"{MAKING}.token")
"""A maker's files in the cache: its process number, its jobs, and the token that makes the cache its own."""
# Makers started by this process, by cache folder: waited for through their handle, since a child
# that has exited stays a zombie to `kill(pid, 0)` until its parent reaps it.
_STARTED: dict[str, subprocess.Popen[bytes]] = {}


def wanted() -> bool:
    """Whether builds here leave a spare behind them: not in CI, and only where a process can
    outlive the build that started it."""
    return os.name == "posix" and not os.environ.get("CI")


def making(cache: Path) -> Path:
    """The folder a spare is made in, beside the cache."""
    return cache.with_name(f"{cache.name}.{MAKING}")


def can_start(cache: Path, manifest: kept.Manifest) -> bool:
    """Whether `start` would make a spare: there is none, none is being made, and the site has files."""
    return bool(manifest) and not os.path.lexists(making(cache)) and not os.path.lexists(cache / SPARE)


def start(cache: Path, store_folder: Path, manifest: kept.Manifest, *, site: Path,
          unstored: Mapping[str, str] | None = None) -> bool:
    """Make a spare of the site `manifest` describes (output path -> key and signature), from the
    store in `store_folder`, in a detached process. `unstored` (output path -> key): files the
    build published without keeping a copy in the store; the process stores them first, from the
    published `site`, each only if it is still what the build wrote (its signature in `manifest`).
    Returns whether it started (not when a spare exists or is being made)."""
    if not can_start(cache, manifest):
        return False
    folder = making(cache)
    folder.mkdir(parents=True)
    fill = [(f"{site}/{path}", f"{store_folder}/{key}", manifest[path][1])
            for path, key in sorted((unstored or {}).items()) if path in manifest]
    jobs = [(f"{store_folder}/{key}", path, key) for path, (key, _) in sorted(manifest.items())]
    (cache / f"{MAKING}.jobs").write_bytes(pickle.dumps((fill, jobs), protocol=pickle.HIGHEST_PROTOCOL))
    token = secrets.token_hex(8)
    (cache / f"{MAKING}.token").write_text(token, encoding="ascii")
    process = subprocess.Popen([sys.executable, "-m", "generator.output.spare", str(cache), token],
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    (cache / f"{MAKING}.pid").write_text(str(process.pid), encoding="utf-8")
    _STARTED[str(cache)] = process
    return True


def wait(cache: Path, timeout: float = 300) -> None:
    """Wait for a spare maker an earlier build started in `cache` (stop it after `timeout`
    seconds); then clear what an unfinished one left."""
    process = _STARTED.pop(str(cache), None)
    if process is not None:
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    else:
        _wait_for_pid(cache / f"{MAKING}.pid", timeout)
    shutil.rmtree(making(cache), ignore_errors=True)
    for name in FILES:
        (cache / name).unlink(missing_ok=True)
    (cache / "manifests" / f"{MAKING}.pickle").unlink(missing_ok=True)


def _wait_for_pid(pid_file: Path, timeout: float) -> None:
    try:
        pid = int(pid_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    deadline = time.monotonic() + timeout
    while process_alive(pid):
        if time.monotonic() > deadline:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
            return
        time.sleep(0.05)



def make(cache: Path, token: str) -> None:
    """The maker's work: store what the build left unstored, copy the spare from the store, record
    its manifest, then put the spare and its manifest in place. It stops as soon as the cache is
    not the one it was started for (deleted, and perhaps made again by a new build)."""
    folder, manifests = making(cache), cache / "manifests"
    fill, jobs = pickle.loads((cache / f"{MAKING}.jobs").read_bytes())
    for source, stored, signature in fill:
        if not _ours(cache, token):
            raise FileNotFoundError(cache)
        store(source, stored, signature)
    jobs = [(source, path, key) for source, path, key in jobs if os.path.exists(source)]
    copy_all([(source, f"{folder}/{path}") for source, path, _ in jobs])
    manifest = kept.record(folder, {path: key for _, path, key in jobs})
    manifests.mkdir(exist_ok=True)  # not the cache itself, should it have been deleted meanwhile
    kept.save(manifests / f"{MAKING}.pickle", manifest)
    if os.path.lexists(cache / SPARE) or not _ours(cache, token):
        raise FileExistsError(cache / SPARE)
    os.replace(folder, cache / SPARE)
    os.replace(manifests / f"{MAKING}.pickle", manifests / "spare.pickle")


def _ours(cache: Path, token: str) -> bool:
    """Whether `cache` is still the cache this maker was started for."""
    try:
        return (cache / f"{MAKING}.token").read_text(encoding="ascii") == token
    except OSError:
        return False


def store(source: str, stored: str, signature: kept.Signature) -> bool:
    """Copy a published file into the store, if it is what the build wrote before and after the copy
    (its signature changes with any write: see `kept`). A file edited in place is left out; the
    next build that needs it produces it again."""
    folder, key = os.path.split(stored)
    if os.path.exists(stored) or not os.path.isdir(folder) or kept.signature(source) != signature:
        return False  # stored already, or the cache was deleted meanwhile, or the file changed
    return put(folder, key, source, lambda: kept.signature(source) == signature)


def main(argv: list[str]) -> int:
    cache, token = Path(argv[0]), argv[1]
    try:
        make(cache, token)
    except (OSError, pickle.UnpicklingError, EOFError):  # the next build copies what it needs instead
        if _ours(cache, token):
            shutil.rmtree(making(cache), ignore_errors=True)
            (cache / "manifests" / f"{MAKING}.pickle").unlink(missing_ok=True)
        return 1
    finally:
        if _ours(cache, token):  # a new build's cache keeps its own maker's files
            for name in FILES:
                (cache / name).unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
