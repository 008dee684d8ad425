"""`factcheck preview`: build a site holding only the named claims, so an editor sees one page fast."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

PREVIEW_DIR = ".factcheck-preview"


def preview(root: Path, claims: list[Path], out: Path | None = None) -> int:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError, PluginError

    from .plugin import PREVIEW_ENV

    root = root.resolve()
    paths = [p.resolve() for p in claims]
    for path in paths:
        if not path.is_file():
            print(f"factcheck preview: {path}: no such file", file=sys.stderr)
            return 2
    site_dir = (out or root / PREVIEW_DIR).resolve()
    started = time.perf_counter()
    os.environ[PREVIEW_ENV] = os.pathsep.join(str(p) for p in paths)
    try:
        config = load_config(str(root / "mkdocs.yml"), site_dir=str(site_dir), strict=False)
        config.plugins.on_startup(command="serve", dirty=False)
        try:
            build(config)
        finally:
            config.plugins.on_shutdown()
    except (PluginError, ConfigurationError, Abort) as exc:
        print(str(exc), file=sys.stderr)
        return 1
    finally:
        os.environ.pop(PREVIEW_ENV, None)
    elapsed = time.perf_counter() - started
    for path in paths:
        print(site_dir / "claims" / path.stem / "index.html")
    print(f"rendered {len(paths)} claim(s) in {elapsed:.2f} s; open the file(s) above in a browser", file=sys.stderr)
    return 0
