"""`factcheck archive`: capture a news article as a source in seeds/.

One capture gives three files: seeds/<id>.warc.gz (the HTTP exchange as received, redirects
included, so the extraction can be re-run and audited), seeds/<id>.txt (the article text, as
trafilatura extracts it) and seeds/<id>.yaml (what the page says about itself, and how and
when it was captured). Nothing is written unless the capture succeeded, and nothing is ever
overwritten. What the page does not say is left out, never guessed.
"""

from __future__ import annotations

import codecs
import datetime as dt
import email.message
import hashlib
import importlib.metadata
import io
import json
import os
import re
import sys
import time
import urllib.parse
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import Any

import lxml.html
import trafilatura
import urllib3
import yaml
from pydantic import TypeAdapter, ValidationError
from slugify import slugify
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import BufferWARCWriter

from .model import LINE_PATTERN, URL_PATTERN, Seed

WAYBACK_ENDPOINT_ENV = "FACTCHECK_WAYBACK_ENDPOINT"
WAYBACK_AUTH_ENV = "FACTCHECK_WAYBACK_AUTH"
PROXY_ENV = "FACTCHECK_PROXY"
WAYBACK_ENDPOINT = "https://web.archive.org/save"
WAYBACK_PUBLIC = "https://web.archive.org/web"
HTML_TYPES = ("text/html", "application/xhtml+xml")
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
MAX_LINE = 300
USER_AGENT = "factcheck-desk/{version} (+archive of a cited source)"
_URL_RE = re.compile(URL_PATTERN)
_LINE_RE = re.compile(LINE_PATTERN)
_LANGUAGE_RE = re.compile(r"^([a-zA-Z]{2})(?:[-_]([a-zA-Z]{2}))?$")
_HOST_RE = re.compile(r"^https?://(?:www\.)?([^/:]+)", re.IGNORECASE)


class ArchiveError(Exception):
    """Bad input: a page that cannot be archived, with what to do about it."""

    def __init__(self, message: str, hint: str = "", *, usage: bool = False):
        super().__init__(message)
        self.message, self.hint, self.usage = message, hint, usage


@dataclass(frozen=True)
class Limits:
    timeout: float = 30.0
    """Seconds for the whole capture of a page, redirects included."""
    max_bytes: int = 5_000_000
    """Largest page body accepted, before and after decompression."""
    max_redirects: int = 10


@dataclass
class Exchange:
    """One HTTP request and its response, as sent and as received."""

    url: str
    request_line: str
    request_headers: list[tuple[str, str]]
    protocol: str
    status: int
    reason: str
    response_headers: list[tuple[str, str]]
    body: bytes
    """The body as it came over the wire (after de-chunking, before content decoding)."""
    when: dt.datetime

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.response_headers if k.lower() == name.lower()), None)


@dataclass
class Capture:
    """A page as fetched: the exchanges in order (redirects first) and the decoded body."""

    url: str
    exchanges: list[Exchange]
    body: bytes
    content_type: str
    captured: dt.datetime
    by_hand: bool = False

    @property
    def final_url(self) -> str:
        return self.exchanges[-1].url if self.exchanges else self.url

    @property
    def redirects(self) -> list[dict[str, Any]]:
        return [{"url": e.url, "status": e.status} for e in self.exchanges[:-1]]


@dataclass
class Extracted:
    text: str
    title: str | None
    outlet: str | None
    published: dt.date | None
    author: str | None
    language: str | None


@dataclass
class Result:
    seed_id: str
    written: list[Path]
    missing: list[str]
    archive_status: str | None = None
    archive_note: str = ""
    record: dict[str, Any] = field(default_factory=dict)


def _version(package: str) -> str:
    return importlib.metadata.version(package)


def _now() -> dt.datetime:
    return dt.datetime.now(tz=dt.UTC).replace(microsecond=0)


def _timestamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def check_url(url: str) -> str:
    """The URL if the desk can fetch and publish it (http or https, with a domain name)."""
    scheme = urllib.parse.urlsplit(url).scheme.lower() if ":" in url else ""
    if scheme not in ("http", "https"):
        shown = f"{scheme}: addresses" if scheme else "addresses without http:// or https://"
        raise ArchiveError(f"{url}: {shown} cannot be archived; only http and https pages can",
                           "give the page's web address, e.g. https://www.example.org/news/story")
    if not _URL_RE.match(url):
        raise ArchiveError(f"{url}: not a web address the desk can cite (it needs a domain name, no spaces)",
                           "copy the address from the browser's address bar")
    return url


def _pool(timeout: float) -> urllib3.PoolManager:
    proxy = os.environ.get(PROXY_ENV)
    settings: dict[str, Any] = {"timeout": urllib3.Timeout(connect=timeout, read=timeout), "retries": False}
    if proxy:
        return urllib3.ProxyManager(proxy, **settings)
    return urllib3.PoolManager(**settings)


def _request_headers(url: str) -> list[tuple[str, str]]:
    host = urllib.parse.urlsplit(url).netloc
    return [("Host", host), ("User-Agent", USER_AGENT.format(version=_version("factcheck-desk"))),
            ("Accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"), ("Accept-Encoding", "gzip, deflate"),
            ("Connection", "close")]


def _get(pool: urllib3.PoolManager, url: str, limits: Limits, deadline: float) -> Exchange:
    headers = _request_headers(url)
    parts = urllib.parse.urlsplit(url)
    proxied = isinstance(pool, urllib3.ProxyManager) and parts.scheme == "http"
    target = url if proxied else urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
    when = _now()
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise _timed_out(url, limits)
    try:
        response = pool.request("GET", url, headers=dict(headers), redirect=False, preload_content=False,
                                decode_content=False, timeout=urllib3.Timeout(connect=remaining, read=remaining))
    except urllib3.exceptions.TimeoutError:
        raise _timed_out(url, limits) from None
    except urllib3.exceptions.HTTPError as exc:
        raise ArchiveError(f"{url}: the server could not be reached ({_reason(exc)})",
                           "check the address, or save the page from a browser and use --from-file") from None
    try:
        length = response.headers.get("Content-Length")
        if length and length.isdigit() and int(length) > limits.max_bytes:
            raise _too_large(url, limits)
        chunks, size = [], 0
        try:
            for chunk in response.stream(64 * 1024, decode_content=False):
                size += len(chunk)
                if size > limits.max_bytes:
                    raise _too_large(url, limits)
                if time.monotonic() > deadline:
                    raise _timed_out(url, limits)
                chunks.append(chunk)
        except urllib3.exceptions.TimeoutError:
            raise _timed_out(url, limits) from None
        except urllib3.exceptions.HTTPError as exc:
            raise ArchiveError(f"{url}: the connection broke while reading the page ({_reason(exc)})",
                               "try again later") from None
    finally:
        response.release_conn()
    protocol = {10: "HTTP/1.0", 11: "HTTP/1.1"}.get(response.version, "HTTP/1.1")
    return Exchange(url, f"GET {target} {protocol}", headers, protocol, response.status, response.reason or "",
                    list(response.headers.items()), b"".join(chunks), when)


def _reason(exc: Exception) -> str:
    reason = getattr(exc, "reason", None) or exc
    text = str(reason)
    return text.split(": ", 1)[-1] if text.startswith("<") else text


def _timed_out(url: str, limits: Limits) -> ArchiveError:
    return ArchiveError(f"{url}: no complete answer within {limits.timeout:g} seconds",
                        "try again later, or raise the limit with --timeout")


def _too_large(url: str, limits: Limits) -> ArchiveError:
    return ArchiveError(f"{url}: the page is larger than {limits.max_bytes:,} bytes",
                        "check that the address is an article page; raise the limit with --max-bytes if it is")


def fetch(url: str, limits: Limits = Limits()) -> Capture:
    """GET a page, following up to `limits.max_redirects` redirects within one time limit."""
    check_url(url)
    deadline = time.monotonic() + limits.timeout
    exchanges: list[Exchange] = []
    seen = [url]
    current = url
    while True:
        with _pool(limits.timeout) as pool:  # one connection per request, as its Connection: close says
            exchange = _get(pool, current, limits, deadline)
        exchanges.append(exchange)
        if exchange.status not in REDIRECT_STATUSES:
            break
        location = exchange.header("Location")
        if not location:
            raise ArchiveError(f"{current}: redirect ({exchange.status}) without a Location to go to",
                               "open the address in a browser and archive the page it shows")
        following = urllib.parse.urljoin(current, location.strip())
        if following in seen:
            chain = " -> ".join([*seen[seen.index(following):], following])
            raise ArchiveError(f"{url}: redirect loop ({chain})", "the site is misconfigured; try again later")
        if len(exchanges) > limits.max_redirects:
            raise ArchiveError(f"{url}: more than {limits.max_redirects} redirects",
                               "open the address in a browser and archive the page it ends on")
        try:
            check_url(following)
        except ArchiveError as exc:
            raise ArchiveError(f"{current}: redirects to {following}, which cannot be archived", exc.hint) from None
        seen.append(following)
        current = following
    final = exchanges[-1]
    if final.status != HTTPStatus.OK:
        raise ArchiveError(f"{current}: the server answered {final.status} {final.reason}".rstrip(),
                           "check the address; a page that is gone may still be in the Wayback Machine"
                           if final.status in (404, 410) else "try again later")
    content_type = final.header("Content-Type") or ""
    body = _decoded(final, limits)
    return Capture(url, exchanges, body, content_type, exchanges[0].when)


def _decoded(exchange: Exchange, limits: Limits) -> bytes:
    coding = (exchange.header("Content-Encoding") or "identity").strip().lower()
    if coding in ("", "identity"):
        return exchange.body
    if coding not in ("gzip", "x-gzip", "deflate"):
        raise ArchiveError(f"{exchange.url}: the page is compressed as {coding!r}, which cannot be read",
                           "save the page from a browser and use --from-file")
    for wbits in (zlib.MAX_WBITS | 32, -zlib.MAX_WBITS):
        inflater = zlib.decompressobj(wbits)
        try:
            body = inflater.decompress(exchange.body, limits.max_bytes + 1)
        except zlib.error:
            continue
        if len(body) > limits.max_bytes:
            raise _too_large(exchange.url, limits)
        return body
    raise ArchiveError(f"{exchange.url}: the page says it is {coding}-compressed but is not",
                       "try again later, or save the page from a browser and use --from-file")


def decode_html(body: bytes, content_type: str, where: str) -> str:
    """The page as text: only HTML, in the encoding it declares (HTTP header, then the page itself)."""
    header = email.message.Message()
    header["Content-Type"] = content_type or "text/html"
    mime = header.get_content_type()
    if content_type and mime not in HTML_TYPES:
        raise ArchiveError(f"{where}: the address serves {mime}, not a web page",
                           "archive the article's HTML page; PDFs, images and feeds are not supported")
    charset = header.get_content_charset()
    if body.startswith(codecs.BOM_UTF8):
        charset, body = "utf-8", body[len(codecs.BOM_UTF8):]
    if not charset:
        charset = _declared_charset(body)
    charset = charset or "utf-8"
    try:
        codec = codecs.lookup(charset)
    except LookupError:
        raise ArchiveError(f"{where}: the page declares an unknown character encoding {charset!r}",
                           "save the page from a browser as UTF-8 and use --from-file") from None
    try:
        text = body.decode(codec.name)
    except UnicodeDecodeError as exc:
        raise ArchiveError(f"{where}: byte {exc.start} (0x{body[exc.start]:02x}) is not valid {codec.name}, "
                           "the encoding the page declares",
                           "save the page from a browser as UTF-8 and use --from-file") from None
    if "\x00" in text:
        raise ArchiveError(f"{where}: the page holds NUL bytes; it is not a text page",
                           "archive the article's HTML page")
    return text


def _declared_charset(body: bytes) -> str | None:
    try:
        document = lxml.html.document_fromstring(body[:64 * 1024])
    except Exception:  # lxml raises a variety of parser errors on broken input
        return None
    encoding = document.getroottree().docinfo.encoding
    return str(encoding) if encoding else None


def extract(html: str, url: str, where: str) -> Extracted:
    """Main text and metadata, as trafilatura finds them; anything the page does not state is None."""
    document = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=True,
        date_extraction_params={"extensive_search": False, "original_date": True})
    if document is None or isinstance(document, dict) or not (document.text or "").strip():
        raise ArchiveError(f"{where}: no article text found on the page",
                           "check that the address is an article page, not a front page or a paywall notice")
    host = _HOST_RE.match(document.url or url)
    outlet = document.sitename
    if outlet and host and outlet.lower() in (host.group(1).lower(), host.group(1).lower().removeprefix("www.")):
        outlet = None  # trafilatura's fallback to the host name: the page did not name its outlet
    published = dt.date.fromisoformat(document.date) if document.date else None
    return Extracted(text=_paragraphs(document.text or ""), title=_line(document.title), outlet=_line(outlet),
                     published=published, author=_line(document.author), language=_language(html))


def _paragraphs(text: str) -> str:
    return "\n\n".join(line.strip() for line in text.splitlines() if line.strip()) + "\n"


def _line(value: str | None) -> str | None:
    if value is None:
        return None
    value = " ".join(value.split())
    return value if value and _LINE_RE.match(value) and len(value) <= MAX_LINE else None


def _language(html: str) -> str | None:
    try:
        root = lxml.html.document_fromstring(html.encode("utf-8"), parser=lxml.html.HTMLParser(encoding="utf-8"))
    except Exception:  # lxml raises a variety of parser errors on broken input
        return None
    for value in [root.get("lang"), *root.xpath("//meta[@property='og:locale']/@content")]:
        match = _LANGUAGE_RE.match(str(value or "").strip())
        if match:
            return match.group(1).lower() + (f"-{match.group(2).upper()}" if match.group(2) else "")
    return None


def suggest_id(outlet: str | None, published: dt.date | None) -> str | None:
    if not outlet or not published:
        return None
    name = slugify(outlet, max_length=50, word_boundary=True)
    name = name.removeprefix("the-") if name != "the" else name
    return f"{name}-{published.isoformat()}" if name else None


def warc_bytes(capture: Capture, seed_id: str) -> bytes:
    """The capture as a gzipped WARC file: a warcinfo record, then each request and response."""
    writer = BufferWARCWriter(gzip=True)
    info = {"software": f"factcheck-desk {_version('factcheck-desk')} (warcio {_version('warcio')})",
            "format": "WARC File Format 1.0",
            "description": ("page saved by hand and archived with --from-file" if capture.by_hand
                            else "HTTP exchanges of the capture, redirects first")}
    writer.write_record(writer.create_warcinfo_record(f"{seed_id}.warc.gz", info))
    if capture.by_hand:
        record = writer.create_warc_record(
            capture.url, "resource", payload=io.BytesIO(capture.body), length=len(capture.body),
            warc_content_type=capture.content_type or "text/html",
            warc_headers_dict={"WARC-Date": _timestamp(capture.captured)})
        writer.write_record(record)
        return bytes(writer.get_contents())
    for exchange in capture.exchanges:
        date = {"WARC-Date": _timestamp(exchange.when)}
        request = writer.create_warc_record(
            exchange.url, "request", payload=io.BytesIO(b""), length=0, warc_headers_dict=dict(date),
            http_headers=StatusAndHeaders(exchange.request_line, exchange.request_headers, is_http_request=True))
        received = [(f"X-Archive-Orig-{k}" if k.lower() == "transfer-encoding" else k, v)
                    for k, v in exchange.response_headers]
        response = writer.create_warc_record(
            exchange.url, "response", payload=io.BytesIO(exchange.body), length=len(exchange.body),
            warc_headers_dict=dict(date),
            http_headers=StatusAndHeaders(f"{exchange.status} {exchange.reason}".rstrip(), received,
                                          protocol=exchange.protocol))
        writer.write_request_response_pair(request, response)
    return bytes(writer.get_contents())


def request_public_copy(url: str, timeout: float = 60.0) -> tuple[str | None, str]:
    """Ask Save Page Now for a public copy: (its address, "") or (None, why it is pending)."""
    endpoint = os.environ.get(WAYBACK_ENDPOINT_ENV) or WAYBACK_ENDPOINT
    headers = {"Accept": "application/json", "User-Agent": USER_AGENT.format(version=_version("factcheck-desk"))}
    auth = os.environ.get(WAYBACK_AUTH_ENV)
    if auth:
        headers["Authorization"] = f"LOW {auth}"
    deadline = time.monotonic() + timeout
    try:
        with urllib3.PoolManager(timeout=urllib3.Timeout(connect=10, read=30), retries=False) as pool:
            answer = _json(pool.request("POST", endpoint, fields={"url": url}, headers=headers,
                                        encode_multipart=False))
            job = answer.get("job_id")
            if not isinstance(job, str) or not job:
                return None, str(answer.get("message") or "the service did not start a capture")
            while True:
                status = _json(pool.request("GET", f"{endpoint.rstrip('/')}/status/{urllib.parse.quote(job)}",
                                            headers=headers))
                state = status.get("status")
                if state == "success" and re.fullmatch(r"\d{14}", str(status.get("timestamp", ""))):
                    original = str(status.get("original_url") or url)
                    return f"{WAYBACK_PUBLIC}/{status['timestamp']}/{original}", ""
                if state != "pending":
                    return None, str(status.get("message") or f"the capture ended as {state!r}")
                if time.monotonic() > deadline:
                    return None, f"the capture was not finished within {timeout:g} seconds"
                time.sleep(min(3.0, max(0.0, deadline - time.monotonic())))
    except urllib3.exceptions.HTTPError as exc:
        return None, f"Save Page Now could not be reached ({_reason(exc)})"
    except ValueError as exc:
        return None, str(exc)


def _json(response: urllib3.BaseHTTPResponse) -> dict[str, Any]:
    if response.status != HTTPStatus.OK:
        raise ValueError(f"Save Page Now answered {response.status} {response.reason or ''}".rstrip())
    try:
        data = json.loads(response.data)
    except (ValueError, UnicodeDecodeError):
        raise ValueError("Save Page Now answered something other than JSON") from None
    if not isinstance(data, dict):
        raise ValueError("Save Page Now answered something other than a JSON object")
    return data


def read_saved_page(path: Path, url: str, limits: Limits) -> Capture:
    """A page saved by hand (e.g. "Save page as..." in a browser), as if it had been fetched from `url`."""
    check_url(url)
    try:
        size = path.stat().st_size
        if size > limits.max_bytes:
            raise _too_large(str(path), limits)
        body = path.read_bytes()
        captured = dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC).replace(microsecond=0)
    except OSError as exc:
        raise ArchiveError(f"{path}: cannot be read ({exc.strerror})", "check the file name", usage=True) from None
    return Capture(url, [], body, "", captured, by_hand=True)


def _record(capture: Capture, extracted: Extracted, archive_url: str | None, archive_status: str | None,
            ) -> dict[str, Any]:
    record: dict[str, Any] = {
        "outlet": extracted.outlet, "title": extracted.title, "published": extracted.published,
        "author": extracted.author, "url": capture.url, "language": extracted.language,
        "captured": _timestamp(capture.captured), "sha256": hashlib.sha256(capture.body).hexdigest(),
        "final_url": None if capture.by_hand else capture.final_url,
        "redirects": capture.redirects or None,
        "extractor": {"name": "trafilatura", "version": _version("trafilatura")},
        "archive_url": archive_url, "archive_status": archive_status,
        "notes": "Saved by hand and archived from the file; captured is when the file was saved."
                 if capture.by_hand else None,
    }
    return {k: v for k, v in record.items() if v is not None}


MISSING_HELP = {
    "outlet": "the publication's name",
    "title": "the headline",
    "published": "the publication date, as YYYY-MM-DD",
    "author": "the byline, if the article has one",
    "language": "the language code, e.g. en or ru (en is assumed until you do)",
}


def _check_record(record: dict[str, Any], where: str) -> None:
    """What is written must be what the validator accepts, apart from fields the editor must add."""
    probe = {"outlet": "x", "title": "x", "published": "2000-01-01", **record}
    try:
        TypeAdapter(Seed).validate_python(probe)
    except ValidationError as exc:
        problem = exc.errors(include_url=False)[0]
        field_name = ".".join(str(p) for p in problem["loc"])
        raise ArchiveError(f"{where}: {field_name}: {problem['msg']}", "save the page from a browser and use "
                           "--from-file, or report the page to the desk's maintainers") from None


@contextmanager
def _exclusive(paths: list[Path]) -> Iterator[list[Path]]:
    """Create new files only; if anything fails, remove the ones this call created."""
    created: list[Path] = []
    try:
        yield created
    except BaseException:
        for path in created:
            path.unlink(missing_ok=True)
        raise


def _write_new(path: Path, data: bytes, created: list[Path]) -> None:
    with open(path, "xb") as out:
        created.append(path)
        out.write(data)


def archive(*, seeds: Path, url: str, from_file: Path | None = None, seed_id: str | None = None,
            wayback: bool = False, limits: Limits = Limits()) -> Result:
    """Capture `url` (or a saved copy of it) into `seeds`; raise ArchiveError with nothing written."""
    if seed_id is not None and not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", seed_id):
        raise ArchiveError(f"--id {seed_id!r}: ids hold lowercase letters, digits and single hyphens",
                           "e.g. --id example-herald-2025-08-20", usage=True)
    if seed_id is not None:
        _refuse_existing(seeds, seed_id)
    capture = read_saved_page(from_file, url, limits) if from_file else fetch(url, limits)
    where = str(from_file) if from_file else capture.final_url
    html = decode_html(capture.body, capture.content_type, where)
    extracted = extract(html, capture.final_url, where)
    chosen = seed_id or suggest_id(extracted.outlet, extracted.published)
    if chosen is None:
        unknown = " and ".join(n for n, v in (("outlet", extracted.outlet), ("publication date", extracted.published))
                               if not v)
        raise ArchiveError(f"{where}: the page does not state its {unknown}, so no id can be suggested",
                           "choose one with --id, e.g. --id example-herald-2025-08-20", usage=True)
    _refuse_existing(seeds, chosen)
    archive_url, status, note = None, None, ""
    if wayback:
        archive_url, note = request_public_copy(capture.final_url)
        status = "archived" if archive_url else "pending"
    record = _record(capture, extracted, archive_url, status)
    _check_record(record, where)
    missing = [name for name in MISSING_HELP if name not in record]
    text = yaml.safe_dump(record, sort_keys=False, allow_unicode=True, width=10_000, default_flow_style=False)
    seeds.mkdir(parents=True, exist_ok=True)
    files = [seeds / f"{chosen}.warc.gz", seeds / f"{chosen}.txt", seeds / f"{chosen}.yaml"]
    with _exclusive(files) as created:
        try:
            _write_new(files[0], warc_bytes(capture, chosen), created)
            _write_new(files[1], extracted.text.encode("utf-8"), created)
            _write_new(files[2], text.encode("utf-8"), created)
        except FileExistsError as exc:
            raise ArchiveError(f"{exc.filename} already exists; an archived source is never overwritten",
                               "choose another id with --id") from None
    return Result(chosen, files, missing, status, note, record)


def _refuse_existing(seeds: Path, seed_id: str) -> None:
    for suffix in (".yaml", ".txt", ".warc.gz"):
        path = seeds / f"{seed_id}{suffix}"
        if path.exists():
            raise ArchiveError(f"{path} already exists; an archived source is never overwritten",
                               "choose another id with --id")


def run(args: Any) -> int:
    """The `factcheck archive` command: 0 when archived, 1 for a page that cannot be, 2 for usage errors."""
    seeds = Path(args.root).resolve() / args.seeds_dir
    if args.from_file and not args.url_option:
        print("factcheck archive: --from-file needs --url, the address the page was saved from", file=sys.stderr)
        return 2
    url = args.url_option or args.url
    if not url:
        print("factcheck archive: give the address of the page to archive", file=sys.stderr)
        return 2
    limits = Limits(timeout=args.timeout, max_bytes=args.max_bytes, max_redirects=args.max_redirects)
    try:
        result = archive(seeds=seeds, url=url, from_file=Path(args.from_file) if args.from_file else None,
                         seed_id=args.id, wayback=args.wayback, limits=limits)
    except ArchiveError as exc:
        hint = f" ({exc.hint})" if exc.hint else ""
        print(f"factcheck archive: {exc.message}{hint}", file=sys.stderr)
        print("nothing was written", file=sys.stderr)
        return 2 if exc.usage else 1
    root = Path(args.root).resolve()
    for path in result.written:
        print(f"wrote {path.relative_to(root).as_posix() if path.is_relative_to(root) else path}")
    record = result.record
    print(f"  {record.get('outlet', '?')}: {record.get('title', '?')} ({record.get('published', '?')})")
    if record.get("redirects"):
        print(f"  redirected {len(record['redirects'])} time(s), ended at {record['final_url']}")
    if result.archive_status == "archived":
        print(f"  public copy: {record['archive_url']}")
    elif result.archive_status == "pending":
        print(f"  public copy pending: {result.archive_note}; add archive_url by hand once it exists")
    if result.missing:
        print(f"the page does not say: {', '.join(result.missing)}. Fill in {result.written[2].name}:")
        for name in result.missing:
            print(f"  {name}: {MISSING_HELP[name]}")
    print(f"cite it in claims as `source: {result.seed_id}`")
    return 0
