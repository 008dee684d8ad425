"""`factcheck preview`: build a site holding only the named claims, so an editor sees one page fast."""

from __future__ import annotations

import sys
import time
from pathlib import Path

PREVIEW_DIR = ".factcheck-preview"


def preview(root: Path, claims: list[Path], out: Path | None = None) -> int:
    from .cli import run_mkdocs

    root = root.resolve()
    paths = [p.resolve() for p in claims]
    for path in paths:
        if not path.is_file():
            print(f"factcheck preview: {path}: no such file", file=sys.stderr)
            return 2
    site_dir = (out or root / PREVIEW_DIR).resolve()
    started = time.perf_counter()
    status = run_mkdocs(root / "mkdocs.yml", command="serve", site_dir=str(site_dir), strict=False,
                        plugin_options={"only": [str(p) for p in paths]})
    if status:
        return status
    elapsed = time.perf_counter() - started
    for path in paths:
        print(site_dir / "claims" / path.stem / "index.html")
    print(f"rendered {len(paths)} claim(s) in {elapsed:.2f} s; open the file(s) above in a browser", file=sys.stderr)
    return 0
