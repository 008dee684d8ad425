"""Worker processes for work that splits by file or by page (checking claims, rendering pages).

Workers are forked, so the state they need (the corpus, a renderer) reaches them through the pool
initializer without being pickled; results come back through the pool as usual. Where the platform
cannot fork, or there is one core, callers do the work in the calling process instead
(`can_fork`)."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.pool import Pool
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_STATE: list[Any] = [None]  # this process's worker state: set by the pool initializer, read by `state`


def _install(state: Any) -> None:
    _STATE[0] = state


def state() -> Any:
    """The state given to `fork_pool`, inside a worker (or `run_here`)."""
    if _STATE[0] is None:
        raise RuntimeError("not in a worker process started by generator.workers")
    return _STATE[0]


def cores() -> int:
    return min(os.cpu_count() or 1, 8)


def can_fork() -> bool:
    return cores() > 1 and "fork" in multiprocessing.get_all_start_methods()


def fork_pool(workers: int, shared: Any) -> Pool:
    """A pool of `workers` forked processes in which `state()` returns `shared`."""
    return multiprocessing.get_context("fork").Pool(workers, initializer=_install, initargs=(shared,))


def run_here(shared: Any, function: Callable[[T], R], argument: T) -> R:
    """Call `function` in this process as a worker would, with `state()` returning `shared`."""
    previous = _STATE[0]
    _install(shared)
    try:
        return function(argument)
    finally:
        _install(previous)


def chunks(items: Sequence[T], count: int) -> list[list[T]]:
    """`items` dealt into `count` interleaved chunks (so each chunk gets a fair share of the work)."""
    return [list(items[i::count]) for i in range(count) if items[i::count]]


def map_in_workers(shared: Any, function: Callable[[list[T]], R], items: Sequence[T], *,
                   threshold: int) -> Iterator[R]:
    """`function` over chunks of `items`, on every core when there are at least `threshold` items
    and the platform can fork; otherwise in this process, as one chunk."""
    if len(items) < threshold or not can_fork():
        yield run_here(shared, function, list(items))
        return
    workers = cores()
    with fork_pool(workers, shared) as pool:
        yield from pool.imap(function, chunks(items, workers * 4))
