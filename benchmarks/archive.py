"""How long `factcheck archive` takes for the local test pages (fetch over 127.0.0.1, WARC, extraction,
files written), excluding real network time. Prints the median and slowest of several runs per page.

    python benchmarks/archive.py [--runs 10]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.archive import archive  # noqa: E402

NEWS = ROOT / "tests" / "fixtures" / "news"
PAGES = {"/herald": ("herald-ceasefire-talks.html", "text/html; charset=utf-8"),
         "/vestnik": ("vestnik-port-calder.html", "text/html; charset=windows-1251"),
         "/council": ("council-statement.html", "text/html; charset=utf-8")}


class Pages(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        name, content_type = PAGES[urllib.parse.urlsplit(self.path).path]
        body = (NEWS / name).read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    runs = parser.parse_args().runs
    server = ThreadingHTTPServer(("127.0.0.1", 0), Pages)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    os.environ["FACTCHECK_PROXY"] = f"http://127.0.0.1:{server.server_address[1]}"
    archive(seeds=Path(tempfile.mkdtemp()) / "seeds", url="http://news.example.org/herald", seed_id="warm-up")
    print(f"factcheck archive, {runs} runs per page (local server; seconds)")
    for path, (name, _) in PAGES.items():
        times = []
        for i in range(runs):
            seeds = Path(tempfile.mkdtemp()) / "seeds"
            start = time.perf_counter()
            archive(seeds=seeds, url=f"http://news.example.org{path}", seed_id=f"run-{i}")
            times.append(time.perf_counter() - start)
        print(f"  {name:32} {(NEWS / name).stat().st_size:7,} bytes  median {statistics.median(times):.3f}"
              f"  max {max(times):.3f}")
    times = []
    for i in range(3):
        root = Path(tempfile.mkdtemp())
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "generator.cli", "--root", str(root), "archive",
                        "http://news.example.org/herald", "--id", f"cli-{i}"], check=True, capture_output=True,
                       cwd=ROOT)
        times.append(time.perf_counter() - start)
    print(f"  whole command, new process (imports included): median {statistics.median(times):.3f}"
          f"  max {max(times):.3f}")
    server.shutdown()


if __name__ == "__main__":
    main()
