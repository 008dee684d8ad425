"""Files of an earlier build kept where they are, when they are provably what this tool wrote.

A rebuild after one edit needs the same ten thousand pages and cards as the build before. Copying
them from the store every time costs seconds, so the folder a build writes into starts as the site
of an earlier build (the spare, or the served folder itself) and a file there is kept only if:

- the manifest that build saved lists it under the key this build wants at that path, and
- its status is still what the manifest recorded: the same inode, size, modification time and
  change time. Any write to a file changes its change time (ctime), which no program can set back,
  so a file edited in place after it was published, or replaced, is never kept.

Every other file is deleted. MkDocs empties the output folder before it builds, but leaves hidden
entries alone, so `hide` moves the earlier files under a hidden name and `take_back` returns the
folders that hold reusable files once the build knows what it wants.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Collection, Mapping
from pathlib import Path

from .fs import atomic_write, move_to_trash
from .survey import Listing, Signature, signature, walk

__all__ = ["HIDDEN", "Manifest", "Signature", "hide", "leftovers", "load", "record", "save", "signature", "take_back"]

HIDDEN = ".factcheck-previous"
Manifest = dict[str, tuple[str, Signature]]
"""Output path -> (key, signature) of each file a build left in its folder."""


def record(folder: Path, files: Mapping[str, str], known: Mapping[str, Signature] | None = None) -> Manifest:
    """The manifest of `files` (output path -> key) as they are in `folder` now. `known`: the
    signatures of files kept in place (see `take_back`), taken when they were found to be what this
    tool wrote: not taken again. Should one have been written since, the signature recorded is not
    its own, and the next build does not keep it, as it would not with its own."""
    manifest: Manifest = {}
    root, known = str(folder), known or {}
    for path, key in files.items():
        found = known.get(path) or signature(f"{root}/{path}")
        if found is not None:
            manifest[path] = (key, found)
    return manifest


def load(path: Path) -> Manifest:
    try:
        with open(path, "rb") as handle:
            data = pickle.load(handle)
    except Exception:  # missing, torn or foreign: nothing is kept
        return {}
    return data if isinstance(data, dict) else {}


def save(path: Path, manifest: Manifest) -> None:
    atomic_write(path, pickle.dumps(manifest, protocol=pickle.HIGHEST_PROTOCOL))


def hide(folder: Path) -> Path | None:
    """Move everything in `folder` under its hidden subfolder, out of the way of MkDocs' cleaning.
    Returns the trash left by an earlier hidden subfolder, if any."""
    previous = folder / HIDDEN
    leftover = move_to_trash(previous, into=folder.parent)
    previous.mkdir()
    with os.scandir(folder) as entries:
        for entry in list(entries):
            if entry.name != HIDDEN:
                os.replace(entry.path, previous / entry.name)
    return leftover


def take_back(folder: Path, wanted: Mapping[str, str], manifest: Manifest, skip: Collection[str],
              listing: Listing | None = None) -> dict[str, Signature]:
    """Return the hidden folders that hold wanted files to their places, keeping only the files
    that are wanted under the key their manifest entry records and whose status is unchanged (and
    that MkDocs will not write itself); delete every other file. Returns the output paths kept,
    with their signatures.
    `listing`: what the hidden folder holds (see `survey`), listed here when not given. What is
    left hidden is moved out of `folder` for the caller to delete (`leftovers`)."""
    previous = folder / HIDDEN
    kept: dict[str, Signature] = {}
    if not previous.is_dir() or not manifest:  # nothing can be kept: all of it goes with `leftovers`
        return kept
    listing = listing if listing is not None else walk(str(previous))
    tops = {path.split("/", 1)[0] for path in wanted if "/" in path}
    returned = {name for name in listing.folders if name in tops and not os.path.lexists(folder / name)}
    for name in sorted(returned):
        os.replace(previous / name, folder / name)
    root = str(folder)
    for path, found in listing.files.items():
        if path.split("/", 1)[0] not in returned:
            continue
        known = manifest.get(path)
        key = wanted.get(path)
        if found is not None and key is not None and path not in skip and known is not None \
                and known[0] == key and known[1] == found:
            kept[path] = found
        else:
            os.unlink(f"{root}/{path}")
    # Folders left without a kept file are deleted, deepest first; the returned ones stay.
    holding = {parent for path in kept for parent in _parents(path)}
    for path in sorted((p for p in listing.folders if "/" in p and p.split("/", 1)[0] in returned
                        and p not in holding), key=lambda p: p.count("/"), reverse=True):
        os.rmdir(f"{root}/{path}")
    return kept


def _parents(path: str) -> list[str]:
    """The folders `path` is in, relative: "a/b/c" -> ["a/b", "a"]."""
    parts = path.split("/")[:-1]
    return ["/".join(parts[:i]) for i in range(len(parts), 0, -1)]


def leftovers(folder: Path) -> Path | None:
    """Move what `take_back` did not return out of `folder`, for deletion."""
    return move_to_trash(folder / HIDDEN, into=folder.parent)
