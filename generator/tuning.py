"""Switches that turn off one performance mechanism at a time, for `benchmarks/mechanisms.py`.

Each mechanism must pay for itself in measured seconds (or megabytes); the benchmark measures a
rebuild with all of them on, then with each one off. Set `FACTCHECK_WITHOUT` to a comma-separated
list of names to turn mechanisms off; nothing else reads it, and the output is the same either way
(only time and memory differ).

- keep-in-place: a rebuild starts from the site an earlier build left (the spare, or the served
  folder) and keeps the files provably unchanged there (else it copies every file from the store)
- survey: the earlier site's files are listed, with their status, by a separate process started
  as soon as they are hidden, while the build loads and renders (else by the build itself when it
  takes them back; `generator/output/survey.py`)
- copier: reused pages are copied into the site by a separate process (else by the build itself)
- spare-maker: a build that replaced no site leaves a spare for the next one, made by a detached
  process, which also makes the build's copies for the store (else the build makes those, and
  the next build copies every unchanged file itself)
- gc-policy: Python's cyclic garbage collector runs less often during a build
- placeholder: MkDocs holds a short placeholder instead of each generated page's body until written
- card-share: when the build has finished its own work before the card painter, it draws cards
  too, from the last one back, until it meets the painter (else it waits for the painter)
- painter-priority: the card painter runs at the lowest priority, so that the page loop and Pagefind
  go first and the cards take the time they leave (`generator/cards.py`; else at the build's priority)
- page-shell: generated pages are put in a shell of the theme's page, derived and checked once per
  folder, instead of being rendered by the theme's templates one by one (`generator/pageshell.py`)
- share-values: the claims' models share their equal pydantic field sets and short strings (`generator/memory.py`)
- give-back: the build process returns the C allocator's free memory to the system after loading
  the claims, after rendering the index pages, every thousand pages and before drawing its share
  of the cards (`generator/memory.py`)
- pagefind-decay: Pagefind's allocator returns freed memory after 20 ms instead of after ten seconds
  (`generator/search.py`)
- skip-markdown: a generated page (its body is HTML already) skips MkDocs' Markdown, which builds a
  parser with every extension for each page (`generator/plugin.py`)
"""

from __future__ import annotations

import os

MECHANISMS = ("keep-in-place", "survey", "copier", "gc-policy", "placeholder", "spare-maker", "page-shell",
              "card-share", "painter-priority", "share-values", "give-back", "pagefind-decay", "skip-markdown")


def on(mechanism: str) -> bool:
    assert mechanism in MECHANISMS, mechanism
    return mechanism not in os.environ.get("FACTCHECK_WITHOUT", "").split(",")
