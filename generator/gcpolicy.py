"""How often Python's cyclic garbage collector runs during a build or a validation.

A build at 10,000 claims holds a few million long-lived objects (the corpus, its caches, MkDocs'
pages) and makes few reference cycles. With the default thresholds the collector walks all of
those objects again every time the heap grows by a quarter, which was a fifth of a rebuild.
Collecting the young generation less often leaves that to far fewer, equally complete passes;
memory freed by reference counting (nearly all of it) is unaffected.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

THRESHOLDS = (50_000, 20, 100)


def relax() -> tuple[int, int, int]:
    """Raise the thresholds (never lower them); return the previous ones for `restore`."""
    previous = gc.get_threshold()
    gc.set_threshold(*(max(old, new) for old, new in zip(previous, THRESHOLDS, strict=True)))
    return previous


def restore(previous: tuple[int, int, int]) -> None:
    gc.set_threshold(*previous)


@contextmanager
def relaxed() -> Iterator[None]:
    previous = relax()
    try:
        yield
    finally:
        restore(previous)


def leave() -> None:
    """The build is over and the process is about to end: no collection will walk what exists now."""
    gc.freeze()


def resume() -> None:
    """Another build in the same process: what `leave` set aside is collected as usual again."""
    gc.unfreeze()
