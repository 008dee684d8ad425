"""Where each generated page and file lives (source path, URL, output file), and links between
pages, computed without MkDocs. Every URL and output path of the package comes from here."""

from __future__ import annotations

from functools import lru_cache


def claim_src(cid: str) -> str:
    return f"claims/{cid}.md"


def topic_src(tid: str) -> str:
    return f"topics/{tid}.md"


def speaker_src(sid: str) -> str:
    return f"speakers/{sid}.md"


def verdict_src(vid: str) -> str:
    return f"verdicts/{vid}.md"


def source_src(sid: str) -> str:
    return f"sources/{sid}.md"


def card_path(cid: str) -> str:
    """Output path of a claim's share card."""
    return f"cards/{cid}.png"


TOPICS_INDEX = "topics/index.md"
SPEAKERS_INDEX = "speakers/index.md"
VERDICTS_INDEX = "verdicts/index.md"
SOURCES_INDEX = "sources/index.md"
CORRECTIONS_LOG = "corrections/index.md"
METHODOLOGY = "methodology.md"
HOME = "index.md"


@lru_cache(maxsize=65536)
def page_url(src_uri: str, directory_urls: bool = True) -> str:
    """The URL of a page relative to the site root, as MkDocs computes it."""
    stem = src_uri[: -len(".md")] if src_uri.endswith(".md") else src_uri
    if stem == "index":
        return ""
    if stem.endswith("/index"):
        return stem[: -len("index")]
    return f"{stem}/" if directory_urls else f"{stem}.html"


def output_file(src_uri: str, directory_urls: bool = True) -> str:
    """The file a page is written to, relative to the site folder, as MkDocs writes it."""
    url = page_url(src_uri, directory_urls)
    return f"{url}index.html" if url.endswith("/") or url == "" else url


def relative(from_url: str, to_url: str) -> str:
    """A link from the page at `from_url` to `to_url` (both site-root relative, as page_url gives them)."""
    base = from_url.split("/")[:-1]
    target = to_url.split("/")
    common = 0
    while common < len(base) and common < len(target) - 1 and base[common] == target[common]:
        common += 1
    rel = "/".join([".."] * (len(base) - common) + target[common:])
    return rel or "./"


def absolute(site_url: str, url: str) -> str:
    return site_url.rstrip("/") + "/" + url
