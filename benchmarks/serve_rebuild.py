"""Time from saving a claim to the browser reload under `mkdocs serve`.

    python benchmarks/serve_rebuild.py DIR [PORT]

DIR is a publication (e.g. one written by `factcheck synth`); the script starts `mkdocs serve`
there, waits for the first build, edits one claim and prints how long the rebuild took until
MkDocs reloaded the browser.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path


def measure(root: Path, port: str = "8765") -> tuple[float, float]:
    """Seconds for the first build until serving, and from saving an edited claim to the reload."""
    proc = subprocess.Popen(["mkdocs", "serve", "-a", f"127.0.0.1:{port}"], cwd=root, text=True,
                            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert proc.stdout is not None

    def wait_for(pattern: str) -> str:
        for line in proc.stdout:
            if re.search(pattern, line):
                return line
        raise SystemExit(f"mkdocs serve ended before printing {pattern!r}")

    claim = sorted((root / "claims").glob("*.yaml"))[0]
    text = claim.read_text(encoding="utf-8")
    try:
        started = time.perf_counter()
        wait_for(r"Serving on")
        first = time.perf_counter() - started
        time.sleep(1)
        saved = time.perf_counter()
        claim.write_text(text.replace("summary: ", "summary: Edited while serving. ", 1), encoding="utf-8")
        wait_for(r"Reloading browsers")
        return first, time.perf_counter() - saved
    finally:
        claim.write_text(text, encoding="utf-8")
        proc.send_signal(signal.SIGINT)  # as Ctrl-C: MkDocs deletes its temporary site (SIGTERM would not)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main() -> None:
    root = Path(sys.argv[1])
    port = sys.argv[2] if len(sys.argv) > 2 else "8765"
    first, reload = measure(root, port)
    print(f"first build and serve: {first:.1f} s")
    print(f"save to reload after editing one claim: {reload:.1f} s")


if __name__ == "__main__":
    main()
