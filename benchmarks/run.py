"""Scale benchmark: the generator against stock MkDocs + Material, in one run.

    python benchmarks/run.py                 # N = 1,000 and 10,000
    python benchmarks/run.py --sizes 1000    # quicker

For each N it writes a synthetic publication (`factcheck synth`), then measures: validation
(cold, with `--no-cache`, and again after editing one claim, reusing the check cache), a cold
build (empty cache), a rebuild after editing one claim (`factcheck build` again, reusing the
cache), peak RSS, site size, the heaviest claim page, and the bytes a reader downloads for a
first search. Beside it, the baseline: stock MkDocs + Material building the same number of
plain ~630-word Markdown pages, not in the nav, with Material's built-in search. Prints a table
with ratios and writes benchmarks/results.json.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import serve_rebuild  # noqa: E402

ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1795392000"}


def _tree(pid: int) -> list[int]:
    found = [pid]
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as handle:
                for child in handle.read().split():
                    found += _tree(int(child))
    except OSError:
        pass
    return found


def _memory(pid: int) -> tuple[int, int]:
    """RSS and PSS (KiB) of one process; PSS shares pages between the processes that map them."""
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1])
    except OSError:
        pass
    return rss, pss


def timed(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, int, int]:
    """Wall time, peak RSS of the largest process and peak PSS of the whole process tree (KiB),
    sampled every 50 ms: the build, its workers, the card painter and Pagefind."""
    started = time.perf_counter()
    process = subprocess.Popen(cmd, cwd=cwd, env=env or ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    largest = total = 0
    errors: list[bytes] = []
    reader = __import__("threading").Thread(target=lambda: errors.append(process.stderr.read()), daemon=True)
    reader.start()
    while process.poll() is None:
        sizes = [_memory(pid) for pid in _tree(process.pid)]
        largest = max(largest, *(rss for rss, _ in sizes))
        total = max(total, sum(pss for _, pss in sizes))
        time.sleep(0.05)
    elapsed = time.perf_counter() - started
    reader.join()
    if process.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed in {cwd}:\n{b''.join(errors).decode()[-3000:]}")
    return elapsed, largest, total


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def baseline_project(root: Path, pages: int, seed: int = 7) -> None:
    """N plain Markdown pages of about 630 words, outside the nav, stock Material with search."""
    rng = random.Random(seed)
    words = ["security", "guarantees", "summit", "delegation", "minister", "statement", "negotiations", "format",
             "agenda", "council", "treaty", "ceasefire", "envoy", "alliance", "neutrality", "interview", "report",
             "officials", "partners", "framework"]
    docs = root / "docs" / "pages"
    docs.mkdir(parents=True)
    (root / "docs" / "index.md").write_text("# Baseline\n\nStock MkDocs + Material.\n", encoding="utf-8")
    for i in range(pages):
        paragraphs = []
        for _ in range(7):
            paragraphs.append(" ".join(rng.choice(words) for _ in range(90)).capitalize() + ".")
        (docs / f"page-{i:05d}.md").write_text(f"# Page {i}\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
    (root / "mkdocs.yml").write_text(
        "site_name: Baseline\nsite_url: https://baseline.example.org/\ntheme:\n  name: material\n"
        "plugins:\n  - search\nnav:\n  - Home: index.md\nvalidation:\n  nav:\n    omitted_files: ignore\n",
        encoding="utf-8")


def first_query_bytes(site: Path, query: str, pagefind: bool) -> tuple[int, list[str]]:
    """Bytes a reader's browser fetches for the search machinery and a first query, measured in
    Chromium, and the first results' links (relative to the site)."""
    import functools
    import http.server
    import threading

    from playwright.sync_api import sync_playwright

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}/"
    total = 0
    args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium", args=args)
        page = browser.new_page()
        sizes: dict[str, int] = {}

        def record(response):
            if "/pagefind/" in response.url or "search" in response.url:
                with contextlib.suppress(Exception):  # a response without a body (a redirect) has no size
                    sizes[response.url] = len(response.body())

        page.on("response", record)
        if pagefind:
            page.goto(base + f"search/?q={query}")
            page.locator(".fc-result__link").first.wait_for(timeout=60000)
        else:
            page.goto(base)
            page.locator("input.md-search__input").click()
            page.fill("input.md-search__input", query)
            page.locator(".md-search-result__item").first.wait_for(timeout=120000)
        page.wait_for_timeout(1000)
        total = sum(sizes.values())
        links = page.locator(".fc-result__link" if pagefind else ".md-search-result__link")
        found = [href.replace(base, "").lstrip("/") for href in
                 (links.nth(i).evaluate("a => a.href") for i in range(min(links.count(), 5)))]
        browser.close()
    server.shutdown()
    return total, found


def heaviest(folder: Path) -> int:
    return max((p.stat().st_size for p in folder.glob("*/index.html")), default=0)


# This machine's file system (ext4 without a journal) will not reuse an inode for 60 s after it
# was freed, and scans past every recently freed one to create a file: after deleting a built
# site and its cache (~70,000 files at 10,000 claims), a cold core build took 21.9 s (13.4 s of
# system time) instead of 14.7 s (2.9 s). Builds free inodes too (replaced files, the folders
# of a replaced site, `mkdocs serve`'s temporary site). So the benchmark deletes nothing itself
# until the end (folders it is done with are renamed into `set-aside/`), and each timed cold
# build, ours and stock MkDocs', starts QUIET seconds after the step before it ended.
QUIET = 65.0


def set_aside(path: Path, work: Path) -> None:
    """Move a folder the benchmark is done with out of the way, to be deleted when it ends."""
    aside = work / "set-aside"
    aside.mkdir(exist_ok=True)
    path.rename(Path(tempfile.mkdtemp(prefix=f"{path.name}-", dir=aside)) / path.name)


def quiet_file_system() -> None:
    """Let what the steps before freed age past the file system's memory of it (see above)."""
    os.sync()
    time.sleep(QUIET)


def settle(root: Path, timeout: float = 300) -> None:
    """Wait until the folders a build left to be deleted in the background are gone and the spare
    a cold build leaves is made (generator/output/spare.py), as they are long before an editor has
    made the next edit, so that one step's background work is not timed in the next."""
    deadline = time.monotonic() + timeout
    making = root / ".factcheck-cache" / "spare-making.pid"
    while time.monotonic() < deadline and (making.exists() or any("trash" in p.name for p in root.iterdir())):
        time.sleep(0.1)


def edit_one_claim(root: Path, word: str = "Edited") -> None:
    path = root / "claims" / "claim-00000.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("summary: ", f"summary: {word}. ", 1), encoding="utf-8")


def measure(n: int, work: Path) -> dict:
    row: dict = {"claims": n}
    pub = work / f"pub-{n}"
    started = time.perf_counter()
    subprocess.run(["factcheck", "synth", "--count", str(n), "--out", str(pub)], check=True, env=ENV,
                   stderr=subprocess.DEVNULL)
    row["synth_s"] = time.perf_counter() - started
    row["validate_s"], row["validate_rss_kib"], _ = timed(["factcheck", "validate", "--no-cache"], pub)
    timed(["factcheck", "validate"], pub)  # fills the check cache
    edit_one_claim(pub)
    row["validate_warm_s"], _, _ = timed(["factcheck", "validate"], pub)
    set_aside(pub / ".factcheck-cache", work)
    core = pub / "mkdocs.core.yml"
    core.write_text((pub / "mkdocs.yml").read_text(encoding="utf-8").replace(
        "plugins:\n  - factcheck\n",
        "plugins:\n  - factcheck:\n      share_cards: false\n      search_index: never\n"), encoding="utf-8")
    core_build = ["factcheck", "build", "--config-file", core.name]
    quiet_file_system()
    row["core_build_s"], row["core_rss_kib"], row["core_pss_kib"] = timed(core_build, pub)
    row["pages"] = sum(1 for _ in (pub / "site").rglob("index.html"))
    settle(pub)
    # Stock MkDocs next, before any of our rebuilds has deleted a replaced site in the background.
    base = work / f"baseline-{n}"
    baseline_project(base, row["pages"] - 1)
    quiet_file_system()
    row["baseline_build_s"], row["baseline_rss_kib"], row["baseline_pss_kib"] = timed(["mkdocs", "build", "-q"], base)
    row["baseline_site_bytes"] = folder_size(base / "site")
    row["baseline_heaviest_bytes"] = heaviest(base / "site" / "pages")
    row["baseline_search_first_query_bytes"], _ = first_query_bytes(base / "site", "minister", pagefind=False)
    edit_one_claim(pub)
    settle(pub)
    row["core_rebuild_s"], _, _ = timed(core_build, pub)
    settle(pub)
    for leftover in [pub / ".factcheck-cache", pub / "site"]:  # the full build starts from nothing too
        set_aside(leftover, work)
    quiet_file_system()
    row["build_s"], row["build_rss_kib"], row["build_pss_kib"] = timed(["factcheck", "build"], pub)
    built = time.perf_counter()
    settle(pub)
    row["spare_ready_s"] = time.perf_counter() - built  # after the cold build, in the background
    site = pub / "site"
    assert row["pages"] == sum(1 for _ in site.rglob("index.html")), "the core and full builds differ in pages"
    row["site_bytes"] = folder_size(site)
    row["heaviest_claim_bytes"] = heaviest(site / "claims")
    edit_one_claim(pub)
    settle(pub)
    row["rebuild_s"], row["rebuild_rss_kib"], _ = timed(["factcheck", "build"], pub)
    _, found = first_query_bytes(site, "edited", pagefind=True)
    row["search_finds_the_edit"] = found[:1] == ["claims/claim-00000/"]
    # The first rebuild after a cold build copies every unchanged file into a new site (a cold build
    # leaves no spare site to start from); every later one starts from the site the one before replaced.
    edit_one_claim(pub, "Quokkaville")
    settle(pub)
    row["next_rebuild_s"], _, _ = timed(["factcheck", "build"], pub)
    _, found = first_query_bytes(site, "quokkaville", pagefind=True)
    row["search_finds_the_next_edit"] = found[:1] == ["claims/claim-00000/"]
    row["search_first_query_bytes"], _ = first_query_bytes(site, "minister", pagefind=True)
    settle(pub)
    _, row["serve_rebuild_s"] = serve_rebuild.measure(pub)
    set_aside(pub, work)
    set_aside(base, work)
    return row


def report(rows: list[dict]) -> str:
    mb = 1024 * 1024
    lines = [f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
             f"{platform.system()} {platform.release()}", "",
             "Core = the generator's own work, as the baseline does (share cards and Pagefind off); "
             "full = the default configuration (plus share cards and Pagefind).", ""]
    header = ("| claims | pages | validate cold / after one edit | baseline build | core build | core ratio "
              "| core per page vs 1k | full build | full ratio | rebuild core / full (first, next) / serve "
              "| peak RSS core / full / baseline |")
    lines += [header, "|" + "---|" * (header.count("|") - 1)]
    first = rows[0]
    for r in rows:
        per_page = (r["core_build_s"] / r["pages"]) / (first["core_build_s"] / first["pages"])
        lines.append(
            f"| {r['claims']:,} | {r['pages']:,} | {r['validate_s']:.2f} s / {r['validate_warm_s']:.2f} s | "
            f"{r['baseline_build_s']:.1f} s | "
            f"{r['core_build_s']:.1f} s | {r['core_build_s'] / r['baseline_build_s']:.2f}× | {per_page:.2f}× | "
            f"{r['build_s']:.1f} s | {r['build_s'] / r['baseline_build_s']:.2f}× | "
            f"{r['core_rebuild_s']:.1f} s / {r['rebuild_s']:.1f} s, {r['next_rebuild_s']:.1f} s / "
            f"{r['serve_rebuild_s']:.1f} s | "
            f"{r['core_rss_kib'] / 1024:.0f} / {r['build_rss_kib'] / 1024:.0f} / "
            f"{r['baseline_rss_kib'] / 1024:.0f} MB |")
    header = ("| claims | site (full) | baseline site | heaviest claim page | baseline page | first search "
              "| baseline first search |")
    lines += ["", header, "|" + "---|" * (header.count("|") - 1)]
    for r in rows:
        lines.append(
            f"| {r['claims']:,} | {r['site_bytes'] / mb:.0f} MB | {r['baseline_site_bytes'] / mb:.0f} MB | "
            f"{r['heaviest_claim_bytes'] / 1024:.0f} KB | {r['baseline_heaviest_bytes'] / 1024:.0f} KB | "
            f"{r['search_first_query_bytes'] / 1024:.0f} KB | {r['baseline_search_first_query_bytes'] / 1024:.0f} KB |")
    lines += ["", "Targets of the default configuration (share cards and search on), largest size:", ""]
    last = rows[-1]
    per_claim = (last["build_s"] / last["claims"]) / (first["build_s"] / first["claims"])
    checks = [
        ("cold default build / stock MkDocs", f"{last['build_s'] / last['baseline_build_s']:.2f}×", "≤ 1.00×",
         last["build_s"] <= last["baseline_build_s"]),
        ("rebuild after one edit, with search: the first after a cold build",
         f"{last['rebuild_s']:.1f} s (search finds the edit: {'yes' if last['search_finds_the_edit'] else 'NO'})",
         "≤ 5 s", last["rebuild_s"] <= 5 and last["search_finds_the_edit"]),
        ("rebuild after one edit, with search: the next one",
         f"{last['next_rebuild_s']:.1f} s (search finds the edit: "
         f"{'yes' if last['search_finds_the_next_edit'] else 'NO'})",
         "≤ 5 s", last["next_rebuild_s"] <= 5 and last["search_finds_the_next_edit"]),
        ("peak RSS, largest process", f"{last['build_rss_kib'] / 1024:.0f} MB", "≤ 500 MB",
         last["build_rss_kib"] <= 500 * 1024),
        ("peak PSS, all processes together", f"{last['build_pss_kib'] / 1024:.0f} MB", "≤ 500 MB",
         last["build_pss_kib"] <= 500 * 1024),
        ("first search (uncompressed bytes)", f"{last['search_first_query_bytes'] / 1024:.0f} KB", "≤ 500 KB",
         last["search_first_query_bytes"] <= 500 * 1024),
        (f"cost per claim at {last['claims']:,} / at {first['claims']:,}", f"{per_claim:.2f}×", "≤ 1.15×",
         per_claim <= 1.15)]
    lines += [f"The spare for the first rebuild was ready {last['spare_ready_s']:.1f} s after the cold build "
              "ended (made in the background; see generator/output/spare.py).", ""]
    lines += ["| figure | measured | target | met |", "|---|---|---|---|"]
    lines += [f"| {name} | {value} | {target} | {'yes' if met else 'no'} |" for name, value, target, met in checks]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="factcheck-bench-") as tmp:
        for n in args.sizes:
            rows.append(measure(n, Path(tmp)))
            print(json.dumps(rows[-1]), file=sys.stderr)
    table = report(rows)
    print(table)
    (HERE / "results.json").write_text(json.dumps({"rows": rows, "table": table}, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
