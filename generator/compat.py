"""Which engine builds the site: MkDocs 1.6 or ProperDocs, its maintained fork.

Both read the same `mkdocs.yml`, load plugins from the `mkdocs.plugins` entry-point group and
provide the same API; ProperDocs serves it under the `mkdocs` module name through an import alias
(`properdocs.replacement`) that its own command installs before it loads any plugin. So the
plugin works unchanged under `properdocs build`. Only a program that imports the engine itself
(`factcheck build`, `factcheck preview`, the tests' in-process builds) has to choose first:

    from generator import compat
    compat.select()          # before the first `import mkdocs...`

The choice comes from the `FACTCHECK_ENGINE` environment variable (`mkdocs` or `properdocs`);
without it, MkDocs if it is installed, else ProperDocs.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from typing import Literal

Engine = Literal["mkdocs", "properdocs"]
ENGINES: tuple[Engine, ...] = ("mkdocs", "properdocs")
VARIABLE = "FACTCHECK_ENGINE"
_ALIAS = "properdocs.replacement"


class EngineError(RuntimeError):
    """The requested engine is not installed, or another one is already in use."""


def active() -> Engine | None:
    """The engine that `import mkdocs` gives in this process, or None before anything imported it."""
    if _ALIAS in sys.modules:
        return "properdocs"
    return "mkdocs" if "mkdocs" in sys.modules else None


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def requested() -> Engine:
    """The engine named by FACTCHECK_ENGINE; without it, MkDocs if installed, else ProperDocs."""
    name = os.environ.get(VARIABLE, "").strip().lower()
    if not name:
        current = active()
        if current is not None:
            return current
        return "mkdocs" if _installed("mkdocs") or not _installed("properdocs") else "properdocs"
    if name not in ENGINES:
        raise EngineError(f"{VARIABLE}={name!r} is not an engine this project runs on; use one of: "
                          + ", ".join(ENGINES))
    return "mkdocs" if name == "mkdocs" else "properdocs"


def select(engine: Engine | None = None) -> Engine:
    """Make `import mkdocs...` resolve to `engine` (default: `requested()`) in this process, and
    return it. Call it before the first import of `mkdocs`; selecting the engine already in use
    again does nothing."""
    wanted = engine or requested()
    current = active()
    if current is not None:
        if current != wanted:
            raise EngineError(f"{current} is already in use in this process; {wanted} must be selected before "
                              "anything imports mkdocs")
        return current
    if not _installed(wanted):
        raise EngineError(f"{wanted} is not installed: pip install {wanted}")
    if wanted == "properdocs":
        importlib.import_module(_ALIAS)
    return wanted


def command(engine: Engine | None = None) -> list[str]:
    """The command line that runs `engine`'s CLI with this interpreter, e.g. [python, '-m', 'properdocs']."""
    return [sys.executable, "-m", engine or requested()]
