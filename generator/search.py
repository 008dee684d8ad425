"""Full-text search with Pagefind: an index split into small fragments that readers' browsers
fetch on demand, so the first query stays small however many claims are published."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BUNDLE = "pagefind"


class SearchIndexError(Exception):
    """Pagefind failed; the message carries its output."""


def index_site(site_dir: Path) -> int:
    """Index a built site in place (writes site_dir/pagefind/); return the number of pages indexed."""
    result = subprocess.run([sys.executable, "-m", "pagefind", "--site", str(site_dir), "--output-subdir", BUNDLE],
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SearchIndexError(f"pagefind failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    for line in result.stdout.splitlines():
        if "Indexed" in line and "page" in line:
            digits = "".join(ch for ch in line.split("page")[0] if ch.isdigit())
            if digits:
                return int(digits)
    return 0
