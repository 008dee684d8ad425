"""A spare site for the build after a cold one, made while the editor edits.

A rebuild starts from the spare: the site the build before it replaced, whose unchanged files it
keeps in place (see `kept`). A cold build replaces no site, so the rebuild after it would copy
every unchanged file from the store into a new folder: at 10,000 claims, 30,000 files and twice
the time of a rebuild that keeps them. So once a build has published a site and no spare exists,
`start` copies the files of that site's manifest from the store into a new spare, in a detached
process (`python -m generator.output.spare CACHE`) that goes on after the build has returned:

- it copies into a folder beside the cache (`CACHE.spare-making/`, so that deleting the cache in
  the meantime is not disturbed), records that folder's manifest, then renames the folder to the
  spare and the manifest to the spare's, in that order; a folder without its manifest is never
  used (`Output._take_spare`);
- the next build in the same cache waits for it first (`wait`), so a build never reads a spare
  being written, and clears what a stopped one left.

Nothing is lost when it fails or is killed: the next build copies what it needs, as it would
have anyway. Not started in CI (`CI` set): a CI job builds once, and the spare would only be
saved with the cache.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from . import kept
from .copier import copy_all
from .fs import process_alive

MAKING = "spare-making"
SPARE = "spare-site"
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


def start(cache: Path, store_folder: Path, manifest: kept.Manifest) -> None:
    """Make a spare of the site `manifest` describes (output path -> key and signature), from the
    store in `store_folder`, in a detached process."""
    folder = making(cache)
    if os.path.lexists(folder) or os.path.lexists(cache / SPARE) or not manifest:
        return
    folder.mkdir(parents=True)
    jobs = [(f"{store_folder}/{key}", path, key) for path, (key, _) in sorted(manifest.items())]
    (cache / f"{MAKING}.jobs").write_bytes(pickle.dumps(jobs, protocol=pickle.HIGHEST_PROTOCOL))
    process = subprocess.Popen([sys.executable, "-m", "generator.output.spare", str(cache)],
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    (cache / f"{MAKING}.pid").write_text(str(process.pid), encoding="utf-8")
    _STARTED[str(cache)] = process


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
    for name in (f"{MAKING}.pid", f"{MAKING}.jobs"):
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



def make(cache: Path) -> None:
    """The maker's work: copy, record the manifest, then put the spare and its manifest in place."""
    folder, manifests = making(cache), cache / "manifests"
    jobs: list[tuple[str, str, str]] = pickle.loads((cache / f"{MAKING}.jobs").read_bytes())
    copy_all([(source, f"{folder}/{path}") for source, path, _ in jobs])
    manifest = kept.record(folder, {path: key for _, path, key in jobs})
    manifests.mkdir(exist_ok=True)  # not the cache itself, should it have been deleted meanwhile
    kept.save(manifests / f"{MAKING}.pickle", manifest)
    if os.path.lexists(cache / SPARE):
        raise FileExistsError(cache / SPARE)
    os.replace(folder, cache / SPARE)
    os.replace(manifests / f"{MAKING}.pickle", manifests / "spare.pickle")


def main(argv: list[str]) -> int:
    cache = Path(argv[0])
    try:
        make(cache)
    except (OSError, pickle.UnpicklingError, EOFError):  # the next build copies what it needs instead
        shutil.rmtree(making(cache), ignore_errors=True)
        (cache / "manifests" / f"{MAKING}.pickle").unlink(missing_ok=True)
        return 1
    finally:
        for name in (f"{MAKING}.pid", f"{MAKING}.jobs"):
            (cache / name).unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
