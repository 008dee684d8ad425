"""Memory a build holds for its whole length, kept small.

At 10,000 claims the build process holds every checked claim for as long as it runs, while
Pagefind indexes a bundle beside it; the two together set the build's peak memory. Two things
here cut that peak, neither changing what a build produces:

- `Sharer`: pydantic keeps, in every model instance, the set of the fields its data
  gave. Claims of one publication give few distinct sets, yet each instance holds its own (about
  550 bytes): 31 MB of 121 MB at 10,000 claims. Equal sets become one shared frozen set. Models
  are frozen here, so nothing adds to these sets; a pydantic call that would (`model_copy` with
  `update`) fails loudly rather than changing other claims' sets, and so does `model_dump` with
  `exclude_unset` (nothing here uses either). Claims also repeat short values
  (stances, ratings, topic, speaker and source ids): equal short strings become one (7 MB).
- `give_back`: receiving ten thousand checked claims from the workers (or the check cache) frees
  as much memory as it keeps, in pieces the C allocator holds on to; `malloc_trim` returns the free
  pages to the system (27 to 38 MB after loading 10,000 claims). Writing pages frees memory the
  same way, about 4 MB a thousand pages: `Pacer` gives it back every thousand pages (a
  `malloc_trim` takes about 20 ms), and the build again after rendering the index pages and
  before drawing its share of the cards. Only with glibc; elsewhere nothing.

`python benchmarks/build_profile.py --count 10000` shows the peak; `FACTCHECK_WITHOUT=share-values`
and `FACTCHECK_WITHOUT=give-back` turn each off (see `tuning`).
"""

from __future__ import annotations

import ctypes
from functools import cache
from typing import Any

from pydantic import BaseModel

from . import tuning

SHORT = 64
"""Strings up to this many characters are shared when equal (ids, stances, dates, names)."""


class Sharer:
    """Makes equal field sets, and equal short strings, of the models it is given (and of every
    model inside them) one shared object each. Given each claim as soon as it is read, so that
    the memory of its copies goes to the next claim read rather than staying free in the heap."""

    def __init__(self) -> None:
        self.on = tuning.on("share-values")
        self.sets: dict[frozenset[str], frozenset[str]] = {}
        self.strings: dict[str, str] = {}

    def share(self, value: object) -> object:
        if not self.on:
            return value
        if type(value) is str and len(value) <= SHORT:  # not a subclass (an enum member stays one)
            return self.strings.setdefault(value, value)
        if isinstance(value, list):
            value[:] = [self.share(child) for child in value]
        elif isinstance(value, BaseModel):
            fields = frozenset(value.__pydantic_fields_set__)
            object.__setattr__(value, "__pydantic_fields_set__", self.sets.setdefault(fields, fields))
            for name, child in value.__dict__.items():
                value.__dict__[name] = self.share(child)
        return value


@cache
def _trim() -> Any:
    """glibc's `malloc_trim`, if this process has it (looked up among the symbols already loaded,
    not by library name, which needs `ldconfig`)."""
    try:
        trim = getattr(ctypes.CDLL(None), "malloc_trim", None)
    except OSError:
        return None
    if trim is not None:
        trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim


def give_back() -> None:
    """Return the C allocator's free memory to the system."""
    trim = _trim()
    if trim is not None and tuning.on("give-back"):
        trim(0)


class Pacer:
    """Calls `give_back` once every `every` pages (counted as MkDocs hands them over to be written)."""

    def __init__(self, every: int = 1000):
        self.every, self.count = every, 0

    def written(self) -> None:
        self.count += 1
        if self.count % self.every == 0:
            give_back()
