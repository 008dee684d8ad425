"""`factcheck archive`: an editor archives a new source from its address, and cites it in a claim."""

from __future__ import annotations

import gzip
import io
import json
import re
import threading
import time
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
import yaml
from warcio.archiveiterator import ArchiveIterator

from generator.cli import main

from .conftest import copy_publication, mkdocs_build, text_of

NEWS = Path(__file__).parent / "fixtures" / "news"
HERALD_URL = "http://herald.example.org/world/2025/08/20/harbour-talks"
HERALD_TEXT = (NEWS / "expected" / "herald-ceasefire-talks.txt").read_text(encoding="utf-8")
VESTNIK_TEXT = (NEWS / "expected" / "vestnik-port-calder.txt").read_text(encoding="utf-8")
HTML = "text/html; charset=utf-8"


def _page(name: str) -> bytes:
    return (NEWS / name).read_bytes()


class NewsSite(BaseHTTPRequestHandler):
    """News pages by path, for any host: the archive command reaches it as its HTTP proxy, so pages
    have ordinary addresses (herald.example.org) while every connection stays on 127.0.0.1."""

    protocol_version = "HTTP/1.1"
    routes: ClassVar[dict[str, tuple[int, list[tuple[str, str]], bytes]]] = {
        "/world/2025/08/20/harbour-talks": (200, [("Content-Type", HTML)], _page("herald-ceasefire-talks.html")),
        "/r/harbour-talks": (301, [("Location", "/world/2025/08/20/harbour-talks")], b""),
        "/short/harbour": (302, [("Location", "http://herald.example.org/r/harbour-talks")], b""),
        "/mir/2025/08/21/port-calder": (200, [("Content-Type", "text/html; charset=windows-1251")],
                                        _page("vestnik-port-calder.html")),
        "/mir/meta-only": (200, [("Content-Type", "text/html")], _page("vestnik-port-calder.html")),
        "/notices/council-statement": (200, [("Content-Type", HTML)], _page("council-statement.html")),
        "/gzipped": (200, [("Content-Type", HTML), ("Content-Encoding", "gzip")],
                     gzip.compress(_page("herald-ceasefire-talks.html"))),
        "/missing": (404, [("Content-Type", HTML)], b"<h1>Not found</h1>"),
        "/broken": (500, [("Content-Type", HTML)], b"<h1>Internal error</h1>"),
        "/loop-a": (302, [("Location", "/loop-b")], b""),
        "/loop-b": (302, [("Location", "/loop-a")], b""),
        "/to-ftp": (301, [("Location", "ftp://files.example.org/story.txt")], b""),
        "/big": (200, [("Content-Type", HTML)], b"<html><body><p>" + b"word " * 60_000 + b"</p></body></html>"),
        "/report.pdf": (200, [("Content-Type", "application/pdf")], b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"),
        "/bad-bytes": (200, [("Content-Type", HTML)], b"<html><body><p>caf\xe9 \xff</p></body></html>"),
    }
    log: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        parts = urllib.parse.urlsplit(self.path)
        self.log.append(f"GET {parts.netloc}{parts.path}")
        if parts.path == "/slow":
            time.sleep(2)
        if parts.path.startswith("/save/status/"):
            job = parts.path.rsplit("/", 1)[-1]
            answer = {"status": "success", "job_id": job, "timestamp": "20250820094107",
                      "original_url": HERALD_URL}
            self._send(200, [("Content-Type", "application/json")], json.dumps(answer).encode())
            return
        status, headers, body = self.routes.get(parts.path, (404, [("Content-Type", HTML)], b"no such page"))
        self._send(status, headers, body)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        self.log.append(f"POST {self.path} {form.get('url', [''])[0]}")
        if self.path == "/save":
            self._send(200, [("Content-Type", "application/json")],
                       json.dumps({"url": form["url"][0], "job_id": "spn2-0123abcd"}).encode())
        else:
            self._send(503, [("Content-Type", HTML)], b"<h1>Service unavailable</h1>")

    def _send(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def news_site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), NewsSite)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def desk(tmp_path: Path, news_site: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty publication whose archive command reaches the news site through it as a proxy."""
    monkeypatch.setenv("FACTCHECK_PROXY", news_site)
    monkeypatch.setenv("FACTCHECK_WAYBACK_ENDPOINT", f"{news_site}/save")
    (tmp_path / "seeds").mkdir()
    return tmp_path


def archive(root: Path, *args: str) -> int:
    return main(["--root", str(root), "archive", *args])


def seed_files(root: Path) -> list[str]:
    return sorted(p.name for p in (root / "seeds").iterdir())


def test_article_is_archived_with_its_text_metadata_and_capture(desk: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert archive(desk, "http://herald.example.org/short/harbour") == 0
    out = capsys.readouterr().out
    assert seed_files(desk) == ["example-herald-2025-08-20.txt", "example-herald-2025-08-20.warc.gz",
                                "example-herald-2025-08-20.yaml"]
    assert (desk / "seeds" / "example-herald-2025-08-20.txt").read_text(encoding="utf-8") == HERALD_TEXT
    for boilerplate in ("cookies", "Morning Briefing", "Related stories", "Subscribe", "All rights reserved",
                        "dataLayer", "Diplomacy"):
        assert boilerplate not in HERALD_TEXT
    record = yaml.safe_load((desk / "seeds" / "example-herald-2025-08-20.yaml").read_text(encoding="utf-8"))
    captured = record.pop("captured")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", captured)
    assert record == {
        "outlet": "The Example Herald", "title": "Harbour talks end without a ceasefire date",
        "published": __import__("datetime").date(2025, 8, 20), "author": "Mara Lindqvist",
        "url": "http://herald.example.org/short/harbour", "language": "en-GB",
        "sha256": __import__("hashlib").sha256(_page("herald-ceasefire-talks.html")).hexdigest(),
        "final_url": HERALD_URL,
        "redirects": [{"url": "http://herald.example.org/short/harbour", "status": 302},
                      {"url": "http://herald.example.org/r/harbour-talks", "status": 301}],
        "extractor": {"name": "trafilatura", "version": "2.3.1"},
    }
    assert "redirected 2 time(s), ended at " + HERALD_URL in out
    assert "cite it in claims as `source: example-herald-2025-08-20`" in out
    assert "does not say" not in out


def test_warc_holds_every_request_and_response_of_the_capture(desk: Path) -> None:
    assert archive(desk, "http://herald.example.org/short/harbour", "--id", "herald-talks") == 0
    with open(desk / "seeds" / "herald-talks.warc.gz", "rb") as stream:
        records = [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI"),
                    f"{r.http_headers.protocol} {r.http_headers.statusline}".strip() if r.http_headers else None,
                    r.content_stream().read())
                   for r in ArchiveIterator(stream)]
    assert [(kind, uri, status) for kind, uri, status, _ in records] == [
        ("warcinfo", None, None),
        ("response", "http://herald.example.org/short/harbour", "HTTP/1.1 302 Found"),
        ("request", "http://herald.example.org/short/harbour", "GET http://herald.example.org/short/harbour HTTP/1.1"),
        ("response", "http://herald.example.org/r/harbour-talks", "HTTP/1.1 301 Moved Permanently"),
        ("request", "http://herald.example.org/r/harbour-talks",
         "GET http://herald.example.org/r/harbour-talks HTTP/1.1"),
        ("response", HERALD_URL, "HTTP/1.1 200 OK"),
        ("request", HERALD_URL, f"GET {HERALD_URL} HTTP/1.1"),
    ]
    assert records[-2][3] == _page("herald-ceasefire-talks.html")


def test_cyrillic_page_in_windows_1251(desk: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert archive(desk, "http://vestnik.example.org/mir/2025/08/21/port-calder") == 0
    assert "severnyi-vestnik-2025-08-21" in capsys.readouterr().out
    assert (desk / "seeds" / "severnyi-vestnik-2025-08-21.txt").read_text(encoding="utf-8") == VESTNIK_TEXT
    record = yaml.safe_load((desk / "seeds" / "severnyi-vestnik-2025-08-21.yaml").read_text(encoding="utf-8"))
    assert (record["outlet"], record["title"], str(record["published"]), record["author"], record["language"]) == (
        "Северный вестник", "Переговоры в Порт-Калдере завершились без даты перемирия", "2025-08-21",
        "Анна Соколова", "ru")


def test_charset_declared_only_in_the_page(desk: Path) -> None:
    assert archive(desk, "http://vestnik.example.org/mir/meta-only", "--id", "vestnik-meta") == 0
    assert (desk / "seeds" / "vestnik-meta.txt").read_text(encoding="utf-8") == VESTNIK_TEXT


def test_compressed_page_is_recorded_as_sent_and_read_decompressed(desk: Path) -> None:
    assert archive(desk, "http://herald.example.org/gzipped", "--id", "herald-gzip") == 0
    assert (desk / "seeds" / "herald-gzip.txt").read_text(encoding="utf-8") == HERALD_TEXT
    with open(desk / "seeds" / "herald-gzip.warc.gz", "rb") as stream:
        response = next(r for r in ArchiveIterator(stream) if r.rec_type == "response")
        assert response.http_headers.get_header("Content-Encoding") == "gzip"
        assert response.content_stream().read() == _page("herald-ceasefire-talks.html")


def test_missing_metadata_is_left_out_and_named(desk: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert archive(desk, "http://calder.example.org/notices/council-statement") == 2
    assert "does not state its outlet and publication date, so no id can be suggested" in capsys.readouterr().err
    assert seed_files(desk) == []
    assert archive(desk, "http://calder.example.org/notices/council-statement", "--id", "council-statement") == 0
    out = capsys.readouterr().out
    assert "the page does not say: outlet, published, author, language. Fill in council-statement.yaml:" in out
    record = yaml.safe_load((desk / "seeds" / "council-statement.yaml").read_text(encoding="utf-8"))
    assert record["title"] == "Council statement on the harbour talks"
    assert not {"outlet", "published", "author", "language"} & set(record)


def test_saved_page_from_file(desk: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = NEWS / "herald-ceasefire-talks.html"
    assert archive(desk, "--from-file", str(page), "--url", HERALD_URL) == 0
    assert (desk / "seeds" / "example-herald-2025-08-20.txt").read_text(encoding="utf-8") == HERALD_TEXT
    record = yaml.safe_load((desk / "seeds" / "example-herald-2025-08-20.yaml").read_text(encoding="utf-8"))
    assert record["url"] == HERALD_URL and "final_url" not in record and "redirects" not in record
    with open(desk / "seeds" / "example-herald-2025-08-20.warc.gz", "rb") as stream:
        kinds = [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI")) for r in ArchiveIterator(stream)]
    assert kinds == [("warcinfo", None), ("resource", HERALD_URL)]
    assert archive(desk, "--from-file", str(page)) == 2
    assert "--from-file needs --url" in capsys.readouterr().err


def test_wayback_copy_is_recorded(desk: Path, capsys: pytest.CaptureFixture[str]) -> None:
    NewsSite.log.clear()
    assert archive(desk, HERALD_URL, "--wayback") == 0
    assert f"POST /save {HERALD_URL}" in NewsSite.log
    record = yaml.safe_load((desk / "seeds" / "example-herald-2025-08-20.yaml").read_text(encoding="utf-8"))
    assert record["archive_url"] == f"https://web.archive.org/web/20250820094107/{HERALD_URL}"
    assert record["archive_status"] == "archived"
    assert f"public copy: https://web.archive.org/web/20250820094107/{HERALD_URL}" in capsys.readouterr().out


@pytest.mark.parametrize("endpoint", ["{site}/save-unavailable", "http://127.0.0.1:9/save"])
def test_wayback_failure_leaves_the_copy_pending(desk: Path, news_site: str, endpoint: str,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("FACTCHECK_WAYBACK_ENDPOINT", endpoint.format(site=news_site))
    assert archive(desk, HERALD_URL, "--wayback") == 0
    record = yaml.safe_load((desk / "seeds" / "example-herald-2025-08-20.yaml").read_text(encoding="utf-8"))
    assert record["archive_status"] == "pending" and "archive_url" not in record
    out = capsys.readouterr().out
    assert "public copy pending:" in out
    assert ("503" in out) if "unavailable" in endpoint else ("could not be reached" in out)


@pytest.mark.parametrize(("args", "message"), [
    (["http://herald.example.org/missing"], "http://herald.example.org/missing: the server answered 404 Not Found"),
    (["http://herald.example.org/broken"], "the server answered 500 Internal Server Error"),
    (["http://herald.example.org/slow", "--timeout", "0.5"], "no complete answer within 0.5 seconds"),
    (["http://herald.example.org/loop-a"],
     "redirect loop (http://herald.example.org/loop-a -> http://herald.example.org/loop-b -> "
     "http://herald.example.org/loop-a)"),
    (["http://herald.example.org/short/harbour", "--max-redirects", "1"], "more than 1 redirects"),
    (["http://herald.example.org/to-ftp"], "redirects to ftp://files.example.org/story.txt, which cannot be archived"),
    (["file:///etc/passwd"], "file: addresses cannot be archived; only http and https pages can"),
    (["ftp://files.example.org/story.txt"], "ftp: addresses cannot be archived"),
    (["javascript:alert(1)"], "javascript: addresses cannot be archived"),
    (["herald.example.org/world"], "addresses without http:// or https:// cannot be archived"),
    (["http://herald.example.org/big", "--max-bytes", "100000"], "the page is larger than 100,000 bytes"),
    (["http://herald.example.org/report.pdf"], "the address serves application/pdf, not a web page"),
    (["http://herald.example.org/bad-bytes"], "byte 18 (0xe9) is not valid utf-8"),
])
def test_bad_input_is_refused_and_nothing_written(desk: Path, args: list[str], message: str,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert archive(desk, *args) == 1
    err = capsys.readouterr().err
    assert message in err, err
    assert "nothing was written" in err and "Traceback" not in err
    assert seed_files(desk) == []


def test_existing_source_is_never_overwritten(desk: Path, capsys: pytest.CaptureFixture[str]) -> None:
    existing = desk / "seeds" / "example-herald-2025-08-20.txt"
    existing.write_text("an earlier capture\n", encoding="utf-8")
    assert archive(desk, HERALD_URL) == 1
    assert f"{existing} already exists; an archived source is never overwritten" in capsys.readouterr().err
    assert seed_files(desk) == ["example-herald-2025-08-20.txt"]
    assert existing.read_text(encoding="utf-8") == "an earlier capture\n"


def test_usage_errors_exit_two(desk: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert archive(desk) == 2
    assert archive(desk, HERALD_URL, "--id", "Not An Id") == 2
    assert archive(desk, HERALD_URL, "--timeout", "soon") == 2
    assert archive(desk, "--from-file", str(desk / "nowhere.html"), "--url", HERALD_URL) == 2
    assert "nowhere.html: cannot be read" in capsys.readouterr().err
    assert seed_files(desk) == []


CLAIM = """\
claim: The harbour talks set a ceasefire date
statement:
  speaker: sergey-lavrov
  source: example-herald-2025-08-20
  quote: a date had been “agreed in principle”
  reported: true
counter_statements:
  - speaker: volodymyr-zelensky
    source: example-herald-2025-08-20
    stance: contradicts
    quote: {quote}
verdict:
  rating: disputed
  summary: The delegations' accounts of the talks differ.
topics: [bilateral-summit]
published: 2025-08-21
evidence_cutoff: 2025-08-20
analysis: |
  One delegation says a date was agreed; the other says it was not.
"""


def test_archived_source_can_be_cited_and_is_shown_to_readers(tmp_path: Path, news_site: str,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_publication(tmp_path / "pub")
    monkeypatch.setenv("FACTCHECK_PROXY", news_site)
    monkeypatch.setenv("FACTCHECK_WAYBACK_ENDPOINT", f"{news_site}/save")
    assert archive(root, "http://herald.example.org/r/harbour-talks", "--wayback") == 0
    claim = root / "claims" / "harbour-date-agreed.yaml"
    claim.write_text(CLAIM.format(quote="We are ready to sign a text, but not a text that was written for us by "
                                        "others"), encoding="utf-8")
    assert main(["--root", str(root), "validate", "--no-cache", "--strict"]) == 0
    site = mkdocs_build(root)
    claim_page = (site / "claims" / "harbour-date-agreed" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../sources/example-herald-2025-08-20/"' in claim_page
    source_page = site / "sources" / "example-herald-2025-08-20" / "index.html"
    html = source_page.read_text(encoding="utf-8")
    captured = yaml.safe_load((root / "seeds" / "example-herald-2025-08-20.yaml").read_text())["captured"]
    assert f'<time class="fc-captured" datetime="{captured}">' in html
    assert (f'<a class="fc-archived-copy" href="https://web.archive.org/web/20250820094107/{HERALD_URL}" '
            'rel="noopener">See the public archived copy</a>') in html
    assert "The Example Herald, by Mara Lindqvist" in text_of(source_page)

    claim.write_text(CLAIM.format(quote="We are ready to sign any text"), encoding="utf-8")
    out = io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("sys.stdout", out)
        assert main(["--root", str(root), "validate", "--no-cache"]) == 1
    line = next(i for i, row in enumerate(CLAIM.splitlines(), 1) if "quote: {quote}" in row)
    assert (f"claims/harbour-date-agreed.yaml:{line}:12: error: counter_statements[0].quote: quote does not "
            "appear verbatim in example-herald-2025-08-20") in out.getvalue()


def _validate(root: Path) -> str:
    out = io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("sys.stdout", out)
        main(["--root", str(root), "validate", "--no-cache"])
    return out.getvalue()


@pytest.mark.parametrize(("markup", "line", "column"), [
    ("<p>", 3, 6), ('<a href="https://example.org/">', 3, 6), ("&ldquo;", 3, 6)])
def test_source_text_with_html_markup_is_an_error(publication: Path, markup: str, line: int, column: int) -> None:
    text = publication / "seeds" / "meduza-2025-08-20.txt"
    rows = text.read_text(encoding="utf-8").splitlines(keepends=True)
    rows[2] = "Some " + markup + rows[2]
    text.write_text("".join(rows), encoding="utf-8")
    out = _validate(publication)
    assert (f"seeds/meduza-2025-08-20.txt:{line}:{column}: error: the text holds HTML markup ({markup!r})"
            in out), out
    assert "factcheck archive URL" in out


def test_source_text_and_metadata_come_in_pairs(publication: Path) -> None:
    (publication / "seeds" / "orphan-2025-08-20.txt").write_text("Some article text.\n", encoding="utf-8")
    (publication / "seeds" / "meduza-2025-08-20.txt").unlink()
    out = _validate(publication)
    assert "seeds/orphan-2025-08-20.txt:1:1: error: metadata seeds/orphan-2025-08-20.yaml is missing" in out
    assert "seeds/meduza-2025-08-20.yaml:1:1: error: archived text seeds/meduza-2025-08-20.txt is missing" in out
