"""Load a publication's files into a validated corpus, collecting every problem."""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import os
import pickle
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from . import memory, workers
from .checkcache import CheckCache, Entry, FileHashes, code_fingerprint, file_digest
from .clock import latest_today
from .diagnostics import Diagnostic, Diagnostics
from .html import markdown_problems
from .model import (
    LANGUAGES,
    LINE_PATTERN,
    TEXT_PATTERN,
    Address,
    Claim,
    ExternalSource,
    Publication,
    Seed,
    Speaker,
    Statement,
    Topic,
    Translation,
    VerdictLevel,
    explain_text_mismatch,
    is_slug,
)
from .quotes import QuoteCheck, SourceText, normalise
from .yamlsafe import LoadedYaml, decode_text, field_path, load_yaml

M = TypeVar("M", bound=BaseModel)
CLAIM_SUFFIXES = (".yaml", ".yml")
PLACEHOLDER = "placeholder"
PLACEHOLDER_PREFIX = "TODO"
Loc = tuple[str | int, ...]
"""Where a value is in a YAML file: keys and list indexes from the top, e.g. ("counter_statements", 1, "quote")."""


@dataclass(frozen=True)
class Project:
    """Where a publication keeps its content, relative to its root folder."""

    root: Path
    claims_dir: str = "claims"
    data_dir: str = "data"
    seeds_dir: str = "seeds"

    @property
    def claims_path(self) -> Path:
        return self.root / self.claims_dir

    @property
    def data_path(self) -> Path:
        return self.root / self.data_dir

    @property
    def seeds_path(self) -> Path:
        return self.root / self.seeds_dir

    def rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()

    def watched_paths(self) -> list[Path]:
        return [self.claims_path, self.data_path, self.seeds_path]


@dataclass
class Corpus:
    """A validated publication: every reference resolves, every quote is checked."""

    speakers: dict[str, Speaker]
    topics: dict[str, Topic]
    verdicts: dict[str, VerdictLevel]
    seeds: dict[str, Seed]
    claims: dict[str, Claim]
    claim_paths: dict[str, str] = field(default_factory=dict)
    claim_digests: dict[str, str] = field(default_factory=dict)
    """Per claim, a digest of its file and the code that read it (when known): equal digests, equal claims."""
    publication: Publication | None = None
    """data/publication.yaml, when it exists and is valid (see `load_publication`)."""

    def without(self, files: Iterable[str]) -> Corpus:
        """The corpus less the claims read from `files` (project-relative paths)."""
        left_out = set(files)
        kept = {cid: claim for cid, claim in self.claims.items() if self.claim_paths.get(cid) not in left_out}
        return Corpus(self.speakers, self.topics, self.verdicts, self.seeds, kept,
                      {cid: self.claim_paths[cid] for cid in kept if cid in self.claim_paths},
                      {cid: self.claim_digests[cid] for cid in kept if cid in self.claim_digests},
                      publication=self.publication)

    def sorted_claims(self, ids: Iterable[str] | None = None) -> list[tuple[str, Claim]]:
        """Newest first: by publication date, then by id for a stable order."""
        place = self._newest_first
        chosen = place if ids is None else sorted(dict.fromkeys(ids), key=place.__getitem__)
        return [(cid, self.claims[cid]) for cid in chosen]

    @cached_property
    def _newest_first(self) -> dict[str, int]:
        """Each claim's place in `sorted_claims`, sorted once: the feeds, the open data, the home page
        and every list of claims ask for some of them in that order."""
        order = sorted(self.claims.items(), key=lambda item: (-item[1].published.toordinal(), item[0]))
        return {cid: place for place, (cid, _) in enumerate(order)}

    def claims_by_topic(self) -> dict[str, list[str]]:
        return _group(self.claims, lambda c: c.topics)

    def claims_by_speaker(self) -> dict[str, list[str]]:
        return _group(self.claims, lambda c: [c.statement.speaker])

    def claims_by_verdict(self) -> dict[str, list[str]]:
        return _group(self.claims, lambda c: [c.verdict.rating])

    def claims_by_seed(self) -> dict[str, list[str]]:
        return _group(self.claims, lambda c: [s.source for s in _statements(c) if isinstance(s.source, str)])

    def speaker_appearances(self) -> dict[str, list[str]]:
        """Claims in which a speaker appears only in counter-statements."""
        return _group(self.claims, lambda c: [s.speaker for s in c.counter_statements
                                              if s.speaker != c.statement.speaker])

    def verdict_order(self) -> list[VerdictLevel]:
        return sorted(self.verdicts.values(), key=lambda v: -v.value)


def _statements(claim: Claim) -> list[Statement]:
    return [claim.statement, *claim.counter_statements]


def _group(claims: dict[str, Claim], keys: Callable[[Claim], Iterable[str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for cid, claim in claims.items():
        for key in dict.fromkeys(keys(claim)):
            out[key].append(cid)
    return dict(out)


def suggest_id(value: str, options: Iterable[str], names: Mapping[str, str] | None = None) -> str | None:
    """The id an editor most likely meant by `value`: a close spelling, or else the one id of which
    `value` is a whole word (of the id or of its display name in `names`), e.g. 'trump' for 'donald-trump'."""
    ids = list(options)
    matches = difflib.get_close_matches(value, ids, n=1, cutoff=0.6)
    if matches:
        return matches[0]
    words = set(re.split(r"[^a-z0-9]+", value.casefold())) - {""}
    if not words:
        return None
    named = names or {}
    holding = [i for i in ids if words <= set(re.split(r"[^a-z0-9]+", f"{i} {named.get(i, '')}".casefold()))]
    return holding[0] if len(holding) == 1 else None


def _did_you_mean(value: str, options: Iterable[str], names: Mapping[str, str] | None = None) -> str:
    match = suggest_id(value, options, names)
    return f"did you mean {match!r}?" if match else ""


_UNION_TAG = re.compile(r"^(str|int|bool|[A-Z][A-Za-z]+|function-.*|constrained-.*|.*\[.*\])$")


def _data_at(data: Any, loc: Loc) -> Any:
    for part in loc:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _is_model_branch(tag: str) -> bool:
    return bool(re.match(r"^[A-Z][A-Za-z]+$", tag)) or tag.startswith("model")


_URL_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.\s-]*):")


def _without_tags(loc: Loc) -> Loc:
    """A pydantic error location less the names of union branches, as the editor's file has it."""
    return tuple(p for p in loc if isinstance(p, int) or not _UNION_TAG.match(p))


def _other_branch(raw_loc: Loc, loaded: LoadedYaml, prefix: Loc) -> bool:
    """Whether an error belongs to the branch of a union the editor evidently did not mean (a mapping
    where an id is allowed too, or an id where a mapping is allowed too)."""
    tags = [(i, p) for i, p in enumerate(raw_loc) if isinstance(p, str) and _UNION_TAG.match(p)]
    if not tags:
        return False
    union_at, tag = tags[0]
    written = _data_at(loaded.data, prefix + _without_tags(raw_loc[:union_at]))
    return isinstance(written, dict) != _is_model_branch(tag)


def _unknown_field(loc: Loc, owner: type[BaseModel] | None) -> tuple[str, str]:
    key = loc[-1]
    names = list(owner.model_fields) if owner else []
    hint = _did_you_mean(str(key), names) or (f"allowed fields: {', '.join(names)}" if names else "")
    return f"unknown field {key!r}", hint


def _pattern_message(value: Any, loc: Loc, pattern: Any) -> tuple[str, str] | None:
    """The message and hint for a value that does not match its field's pattern, when there is a better
    one than pydantic's."""
    last = loc[-1] if loc else ""
    if pattern in (TEXT_PATTERN, LINE_PATTERN):
        return explain_text_mismatch(value, single_line=pattern == LINE_PATTERN), ""
    if last in ("speaker", "rating", "source", "id") or "topics" in loc:
        hint = "ids use lowercase letters, digits and single hyphens, e.g. sergey-lavrov"
        if last == "source":
            hint = ("cite an archived source by its id (a file name in seeds/ without .yaml), "
                    "or write a mapping with url, outlet and published")
        return f"{value!r} is not a valid id", hint
    if last == "url":
        scheme = _URL_SCHEME.match(value) if isinstance(value, str) else None
        if scheme and scheme.group(1).replace(" ", "").replace("\t", "").lower() not in ("http", "https"):
            return f"URL scheme {scheme.group(1)!r} is not allowed; use an http:// or https:// link", ""
        return f"{value!r} is not an http:// or https:// URL", ""
    return None


def _error_message(err: ErrorDetails, loc: Loc) -> tuple[str, str]:
    """The message and hint for a value pydantic refused (not an unknown or missing field)."""
    kind, value = err["type"], err.get("input")
    ctx = err.get("ctx") or {}
    last = loc[-1] if loc else ""
    if kind == "string_pattern_mismatch":
        explained = _pattern_message(value, loc, ctx.get("pattern"))
        if explained is not None:
            return explained
    elif kind in ("model_type", "dict_type") and last == "source":
        return ("source must be a seed id (e.g. meduza-2025-08-20) or a mapping with url, outlet and published",
                "")
    elif kind == "string_type":
        got = type(value).__name__ if value is not None else "nothing"
        return f"expected text, got {got}", "put the text in quotes"
    elif kind == "too_long" and isinstance(value, str):
        return f"is {len(value)} characters long; the limit is {ctx.get('max_length', 'the limit')}", ""
    return err["msg"].removeprefix("Value error, "), ""


def model_diagnostics(exc: ValidationError, loaded: LoadedYaml, model: type[BaseModel],
                      diagnostics: Diagnostics, prefix: Loc = ()) -> None:
    """Translate pydantic errors into positioned diagnostics with hints.

    For a field that accepts either an id or a mapping (a statement's `source`), only the
    errors of the alternative the editor evidently meant are reported."""
    seen: set[tuple[Loc, str]] = set()
    before = len(diagnostics)
    errors = exc.errors(include_url=False)
    for err in errors:
        raw_loc = tuple(err["loc"])
        if _other_branch(raw_loc, loaded, prefix):
            continue
        loc = prefix + _without_tags(raw_loc)
        kind = err["type"]
        field_loc = loc
        if kind == "extra_forbidden":
            line, col = loaded.where(loc, key=True)
            message, hint = _unknown_field(loc, _model_at(model, loc[len(prefix):-1]))
        elif kind == "missing":
            line, col = loaded.where(loc[:-1])
            message, hint = f"missing required field {loc[-1]!r}", ""
            field_loc = loc[:-1]
        else:
            line, col = loaded.where(loc)
            message, hint = _error_message(err, loc)
        if (loc, message) in seen:
            continue
        seen.add((loc, message))
        diagnostics.error(loaded.path, line, col, message, field=field_path(field_loc), hint=hint, code=kind)
    if len(diagnostics) == before and errors:
        first = errors[0]
        loc = prefix + _without_tags(tuple(first["loc"]))
        line, col = loaded.where(loc)
        diagnostics.error(loaded.path, line, col, first["msg"].removeprefix("Value error, "),
                          field=field_path(loc), code=first["type"])


def _model_at(model: type[BaseModel], loc: Loc) -> type[BaseModel] | None:
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        info = current.model_fields.get(part)
        if info is None:
            return None
        current = _unwrap(info.annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap(annotation: Any) -> Any:
    args = getattr(annotation, "__args__", None)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in args or ():
        found = _unwrap(arg)
        if isinstance(found, type) and issubclass(found, BaseModel):
            return found
    return annotation


def read_yaml_file(path: Path, project: Project, diagnostics: Diagnostics, expect: type = dict) -> LoadedYaml | None:
    rel = project.rel(path)
    try:
        if not _inside(path.resolve(), project.root.resolve()):
            diagnostics.error(rel, 1, 1, "file is a symbolic link pointing outside the repository",
                              hint="replace the link with the file itself", code="symlink")
            return None
        raw = path.read_bytes()
    except OSError as exc:
        diagnostics.error(rel, 1, 1, f"cannot read file: {exc.strerror}", code="io")
        return None
    text = decode_text(raw, rel, diagnostics)
    if text is None:
        return None
    return load_yaml(text, rel, diagnostics, expect=expect)


PUBLICATION_FILE = "publication.yaml"
_PLACEHOLDER_HOST = re.compile(r"(?:^|\.)(?:example\.(?:com|org|net)|example|invalid|test|localhost)$", re.IGNORECASE)


def load_publication(project: Project, diagnostics: Diagnostics) -> Publication | None:
    """data/publication.yaml: who publishes, owns, pays for and writes the publication, and how to
    reach it. What is missing, or only a placeholder, is a warning (an error with --strict)."""
    path = project.data_path / PUBLICATION_FILE
    rel = project.rel(path)
    if not path.exists():
        diagnostics.warning(rel, 1, 1, "the publication file is missing: the About, Contact and corrections pages "
                            "cannot say who publishes the fact-checks or how to reach them",
                            hint="`factcheck init NEW-FOLDER` writes one to copy and fill in",
                            code="publication-missing")
        return None
    read = read_model_file(path, Publication, project, diagnostics)
    if read is None:
        return None
    loaded, publication = read

    for loc, message, hint, always in _publication_gaps(publication):
        if publication.draft and not always:
            continue  # still being written: readers see "not stated yet"
        line, col = loaded.where(loc)
        diagnostics.warning(rel, line, col, message, field=field_path(loc), hint=hint, code="publication-incomplete")
    for where, text in _publication_texts(publication):
        for problem in markdown_problems(text):
            line, col = loaded.where(where)
            diagnostics.error(rel, line, col, problem, field=field_path(where), code="unsafe-markdown")
    return publication


def _publication_texts(publication: Publication) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Every Markdown text of the publication file, with where it is."""
    if publication.summary:
        yield ("summary",), publication.summary
    for name in ("organisation", "ownership", "funding", "team"):
        statement = getattr(publication, name).statement
        if statement:
            yield (name, "statement"), statement
    for name in ("contact", "corrections", "submit_claim"):
        address: Address = getattr(publication, name)
        for key in ("instructions", "none_because"):
            if getattr(address, key):
                yield (name, key), getattr(address, key)
    for i, member in enumerate(publication.team.members):
        if member.bio:
            yield ("team", "members", i, "bio"), member.bio


def _publication_gaps(publication: Publication) -> Iterator[tuple[tuple[str, ...], str, str, bool]]:
    """What the publication file leaves out: (where, what is wrong, how to fix it, reported even in a draft)."""
    if publication.summary is None:
        yield ("summary",), "no summary: readers are not told what the publication is", \
            "write one or two sentences in summary", False
    sections = (("organisation", "who publishes the publication", publication.organisation.statement is not None
                 or publication.organisation.legal_name is not None),
                ("ownership", "who owns and controls the publication", publication.ownership.statement is not None),
                ("funding", "who pays for the publication", publication.funding.statement is not None
                 or bool(publication.funding.funders)),
                ("team", "who writes and edits the fact-checks", publication.team.statement is not None
                 or bool(publication.team.members)))
    for name, what, given in sections:
        if not given:
            yield (name, "statement"), f"readers are not told {what}", \
                f"write {name}.statement (if there is none, say so plainly in it)", False
    addresses = (("contact", "readers cannot reach the editors"),
                 ("corrections", "readers cannot report an error"),
                 ("submit_claim", "readers cannot suggest a claim to check"))
    for name, consequence in addresses:
        address: Address = getattr(publication, name)
        if not address.given and address.none_because is None:
            yield (name,), f"no address: {consequence}", \
                f"give {name}.email or {name}.url, or say why there is none in {name}.none_because", False
        for key, value in (("email", address.email), ("url", address.url)):
            if value is not None and placeholder_address(value):
                yield (name, key), f"{value!r} is a placeholder address, not one that someone reads", \
                    "give the real address, or leave it out and say why in none_because", True


def placeholder_address(value: str) -> bool:
    """Whether an email or web address is on a domain reserved for examples (RFC 2606), not a real one."""
    host = value.rpartition("@")[2] if "@" in value and "://" not in value else \
        value.split("://", 1)[-1].split("/", 1)[0].split("?", 1)[0].split("#", 1)[0].rsplit(":", 1)[0]
    return bool(_PLACEHOLDER_HOST.search(host.rstrip(".")))


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def read_model_file(path: Path, model: type[M], project: Project,
                    diagnostics: Diagnostics) -> tuple[LoadedYaml, M] | None:
    """A YAML file read and validated as one `model`; None (with the problems reported) if it is not one."""
    loaded = read_yaml_file(path, project, diagnostics)
    if loaded is None:
        return None
    try:
        return loaded, model.model_validate(loaded.data)
    except ValidationError as exc:
        model_diagnostics(exc, loaded, model, diagnostics)
        return None


def _load_mapping_of(path: Path, model: type[M], project: Project, diagnostics: Diagnostics,
                     what: str) -> dict[str, M]:
    out: dict[str, M] = {}
    if not path.exists():
        diagnostics.error(project.rel(path), 1, 1, f"{what} file is missing", code="missing-file")
        return out
    loaded = read_yaml_file(path, project, diagnostics)
    if loaded is None:
        return out
    if list(loaded.data) == [what] and isinstance(loaded.data[what], list):
        return _load_list_of(loaded, model, diagnostics, what)
    for key, value in loaded.data.items():
        if not is_slug(key):
            line, col = loaded.where((key,), key=True)
            diagnostics.error(loaded.path, line, col, f"{key!r} is not a valid id", field=key,
                              hint="ids use lowercase letters, digits and single hyphens")
            continue
        try:
            out[key] = model.model_validate(value)
        except ValidationError as exc:
            model_diagnostics(exc, loaded, model, diagnostics, prefix=(key,))
    return out


def _load_list_of(loaded: LoadedYaml, model: type[M], diagnostics: Diagnostics, what: str) -> dict[str, M]:
    """The list shape of a data file, `speakers: [{id: ..., name: ...}]`, which the browser CMS
    edits (its relation widgets pick from a list); the same entries as the mapping `{id: {...}}`."""
    out: dict[str, M] = {}
    for index, item in enumerate(loaded.data[what]):
        loc = (what, index)
        line, col = loaded.where(loc)
        if not isinstance(item, dict):
            diagnostics.error(loaded.path, line, col, f"each entry of {what} must be a mapping with an id",
                              field=field_path(loc), code="dict_type")
            continue
        fields = dict(item)
        key = fields.pop("id", None)
        if not isinstance(key, str) or not is_slug(key):
            line, col = loaded.where((*loc, "id"))
            diagnostics.error(loaded.path, line, col,
                              f"{key!r} is not a valid id" if key is not None else "missing required field 'id'",
                              field=field_path((*loc, "id")),
                              hint="ids use lowercase letters, digits and single hyphens, e.g. sergey-lavrov")
            continue
        if key in out:
            line, col = loaded.where((*loc, "id"))
            diagnostics.error(loaded.path, line, col, f"id {key!r} is used twice", field=field_path((*loc, "id")),
                              hint="give each entry its own id")
            continue
        try:
            out[key] = model.model_validate(fields)
        except ValidationError as exc:
            model_diagnostics(exc, loaded, model, diagnostics, prefix=loc)
    return out


def load_verdicts(project: Project, diagnostics: Diagnostics) -> dict[str, VerdictLevel]:
    path = project.data_path / "verdicts.yaml"
    out: dict[str, VerdictLevel] = {}
    if not path.exists():
        diagnostics.error(project.rel(path), 1, 1, "verdict scale file is missing", code="missing-file")
        return out
    loaded = read_yaml_file(path, project, diagnostics, expect=list)
    if loaded is None:
        return out
    if not isinstance(loaded.data, list):
        diagnostics.error(loaded.path, 1, 1, "the verdict scale must be a list of ratings, best first")
        return out
    values: dict[int, str] = {}
    for index, item in enumerate(loaded.data):
        try:
            level = VerdictLevel.model_validate(item)
        except ValidationError as exc:
            model_diagnostics(exc, loaded, VerdictLevel, diagnostics, prefix=(index,))
            continue
        line, col = loaded.where((index,))
        if level.id in out:
            diagnostics.error(loaded.path, line, col, f"rating id {level.id!r} is used twice", field=f"[{index}].id")
        elif level.value in values:
            diagnostics.error(loaded.path, line, col,
                              f"rating value {level.value} is already used by {values[level.value]!r}",
                              field=f"[{index}].value", hint="each rating needs its own ratingValue")
        else:
            out[level.id] = level
            values[level.value] = level.id
    return out


_MARKUP = re.compile(
    r"</?(?:a|abbr|article|aside|b|blockquote|body|br|div|em|figcaption|figure|footer|h[1-6]|head|header|hr|html"
    r"|i|iframe|img|li|link|meta|nav|ol|p|picture|script|section|source|span|strong|style|sup|table|td|th|tr|ul)"
    r"(?:\s[^<>]*)?/?>"
    r"|&(?:[a-zA-Z][a-zA-Z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});", re.IGNORECASE)


def _markup_position(text: str) -> tuple[int, int, str] | None:
    found = _MARKUP.search(text)
    if found is None:
        return None
    before = text[: found.start()]
    return before.count("\n") + 1, found.start() - (before.rfind("\n") + 1) + 1, found.group()


def load_seeds(project: Project, diagnostics: Diagnostics) -> tuple[dict[str, Seed], dict[str, SourceText]]:
    seeds: dict[str, Seed] = {}
    texts: dict[str, SourceText] = {}
    folder = project.seeds_path
    if not folder.is_dir():
        return seeds, texts
    for text_path in sorted(folder.glob("*.txt")):
        if not text_path.with_suffix(".yaml").is_file():
            diagnostics.error(project.rel(text_path), 1, 1,
                              f"metadata {project.rel(text_path.with_suffix('.yaml'))} is missing",
                              hint="archive sources with `factcheck archive URL`, which writes both files; "
                                   "or add the .yaml with outlet, title and published", code="seed-pair")
    for path in sorted(folder.glob("*.yaml")):
        sid = path.stem
        rel = project.rel(path)
        if not is_slug(sid):
            diagnostics.error(rel, 1, 1, f"seed id {sid!r} (the file name) is not a valid id",
                              hint="use lowercase letters, digits and hyphens")
            continue
        loaded = read_yaml_file(path, project, diagnostics)
        if loaded is None:
            continue
        try:
            seed = Seed.model_validate(loaded.data)
        except ValidationError as exc:
            model_diagnostics(exc, loaded, Seed, diagnostics)
            continue
        text_path = path.with_suffix(".txt")
        if not text_path.is_file():
            diagnostics.error(rel, 1, 1, f"archived text {project.rel(text_path)} is missing",
                              hint="save the article text beside its metadata", code="seed-pair")
            continue
        raw = decode_text(text_path.read_bytes(), project.rel(text_path), diagnostics)
        if raw is None:
            continue
        markup = _markup_position(raw)
        if markup is not None:
            line, col, found = markup
            diagnostics.error(project.rel(text_path), line, col, f"the text holds HTML markup ({found!r})",
                              hint="a source's .txt is the article's plain text; archive the page with "
                                   "`factcheck archive URL` (or --from-file PAGE.html --url URL) to extract it",
                              code="seed-markup")
            continue
        seeds[sid] = seed
        texts[sid] = SourceText(raw)
        if seed.url is None and seed.url_note is None:
            line, col = loaded.where(())
            diagnostics.warning(rel, line, col, "source has no original URL; it is shown by outlet, headline and date",
                                field="url", hint="if the URL is not known, say why in url_note", code="no-url")
    return seeds, texts


def claim_file_names(project: Project) -> list[str]:
    """Names of the claim files in the claims folder, sorted."""
    folder = project.claims_path
    if not folder.is_dir():
        return []
    return sorted(name for name in os.listdir(folder) if name.endswith(CLAIM_SUFFIXES))


def claim_files(project: Project) -> list[Path]:
    return [project.claims_path / name for name in claim_file_names(project)]


LONG_CLAIM = 75
"""Characters a claim can have and still read as one line (a warning beyond)."""


class Positions(Protocol):
    """Where the values of a claim file are: its `LoadedYaml`, or for a cached claim a reader of it."""

    def where(self, loc: Loc, *, key: bool = False) -> tuple[int, int]: ...


@dataclass
class ParsedClaim:
    cid: str
    path: str
    loaded: Positions
    claim: Claim


def parse_claim_file(path: Path, project: Project, diagnostics: Diagnostics) -> ParsedClaim | None:
    rel = project.rel(path)
    cid = path.stem
    if not is_slug(cid):
        diagnostics.error(rel, 1, 1, f"file name {path.name!r} is not a valid claim id",
                          hint="name claim files with lowercase letters, digits and hyphens, "
                               "e.g. lavrov-summit-prepared.yaml",
                          code="bad-filename")
        return None
    read = read_model_file(path, Claim, project, diagnostics)
    if read is None:
        return None
    loaded, claim = read
    if claim.id is not None and claim.id != cid:
        line, col = loaded.where(("id",))
        diagnostics.error(rel, line, col, f"id {claim.id!r} does not match the file name {path.name!r}", field="id",
                          hint=f"rename the file to {claim.id}.yaml or set id: {cid}", code="id-mismatch")
    return ParsedClaim(cid, rel, loaded, claim)


@dataclass
class _ClaimReport:
    """Reports the problems of one claim, each at the position of the value concerned."""

    rel: str
    positions: Positions
    diagnostics: Diagnostics
    refs: References

    def __call__(self, loc: Loc, message: str, hint: str = "", *, warning: bool = False, code: str = "") -> None:
        line, col = self.positions.where(loc)
        (self.diagnostics.warning if warning else self.diagnostics.error)(
            self.rel, line, col, message, field=field_path(loc), hint=hint, code=code)

    def draft(self, loc: Loc, message: str) -> None:
        """Something that keeps the claim a draft (not an error: drafts are not published)."""
        line, col = self.positions.where(loc)
        self.diagnostics.draft(self.rel, line, col, message, field=field_path(loc), code=PLACEHOLDER)

    def reference(self, loc: Loc, value: str, table: Mapping[str, object], what: str) -> None:
        """An id that must name a speaker, topic, verdict or source."""
        if value not in table:
            self(loc, f"unknown {what} {value!r}", reference_hint(what, value, self.refs), code="unknown-ref")


def check_claim(parsed: ParsedClaim, refs: References, diagnostics: Diagnostics) -> None:
    """Cross-file checks: references resolve, dates are coherent, quotes are verbatim."""
    claim = parsed.claim
    report = _ClaimReport(parsed.path, parsed.loaded, diagnostics, refs)
    _check_references(claim, report)
    placeholders = _check_drafts(claim, report)
    _check_texts(claim, report)
    _check_dates(claim, refs.today, report)
    for loc, statement in _statements_at(claim):
        report.reference((*loc, "speaker"), statement.speaker, refs.speakers, "speaker")
        _check_statement_date(loc, statement, claim.published, report)
        seed = _check_statement_source(loc, statement, report)
        if seed is not None and (*loc, "quote") not in placeholders:
            _check_quote(loc, statement, seed, report)
    _check_stances(claim, report)
    _check_cutoff(claim, report)
    for loc, statement in _statements_at(claim):
        _check_statement_notes(loc, statement, report)
        for j, translation in enumerate(statement.other_translations):
            _check_translation((*loc, "other_translations", j), translation, statement, report)


def _statements_at(claim: Claim) -> list[tuple[Loc, Statement]]:
    """The claim's statement and its counter-statements, with where each is."""
    return [(("statement",), claim.statement),
            *((("counter_statements", i), s) for i, s in enumerate(claim.counter_statements))]


def _check_references(claim: Claim, report: _ClaimReport) -> None:
    """The verdict and the topics are on the desk's lists, each topic once."""
    refs = report.refs
    report.reference(("verdict", "rating"), claim.verdict.rating, refs.verdicts, "verdict")
    for i, topic in enumerate(claim.topics):
        report.reference(("topics", i), topic, refs.topics, "topic")
        if topic in claim.topics[:i]:
            report(("topics", i), f"topic {topic!r} is listed twice")


def _check_drafts(claim: Claim, report: _ClaimReport) -> set[Loc]:
    """Placeholder texts (an error in a claim marked ready) and the draft flag; returns where the
    placeholders are."""
    texts: list[tuple[Loc, str]] = [
        (("claim",), claim.claim), (("statement", "quote"), claim.statement.quote),
        (("verdict", "summary"), claim.verdict.summary), (("analysis",), claim.analysis),
        *((("counter_statements", i, "quote"), s.quote) for i, s in enumerate(claim.counter_statements))]
    placeholders: set[Loc] = set()
    for loc, text in texts:
        if not text.strip().startswith(PLACEHOLDER_PREFIX):
            continue
        placeholders.add(loc)
        if claim.draft is False:
            report(loc, "placeholder text in a claim marked ready (draft: false)",
                   "write the text, or set draft: true to keep the claim unpublished", code=PLACEHOLDER)
        else:
            report.draft(loc, "placeholder text still to be written; this draft is not published until it is replaced")
    if claim.draft:
        report.draft(("draft",), "marked as a draft; not published until draft: true is removed")
    return placeholders


def _check_texts(claim: Claim, report: _ClaimReport) -> None:
    """Markdown that would be unsafe on the page, and a claim too long for one line."""
    texts: list[tuple[Loc, str]] = [
        (("analysis",), claim.analysis),
        *((("corrections", i, "text"), c.text) for i, c in enumerate(claim.corrections))]
    for loc, text in texts:
        for problem in markdown_problems(text):
            report(loc, problem, code="unsafe-markdown")
    if len(claim.claim) > LONG_CLAIM:
        report(("claim",), f"claim is {len(claim.claim)} characters; keep it under 75 so it reads as one line",
               warning=True, code="long-claim")


def _check_dates(claim: Claim, today: dt.date, report: _ClaimReport) -> None:
    """The fact-check's own dates: published, updated and corrected, none in the future."""
    if claim.published > today:
        report(("published",), f"publication date {claim.published} is in the future", code="future-date")
    if claim.updated and claim.updated < claim.published:
        report(("updated",), f"updated date {claim.updated} is before the publication date {claim.published}")
    if claim.updated and claim.updated > today:
        report(("updated",), f"updated date {claim.updated} is in the future", code="future-date")
    for i, correction in enumerate(claim.corrections):
        if correction.date < claim.published:
            report(("corrections", i, "date"), f"correction dated {correction.date} is before publication "
                   f"({claim.published})")
        if correction.date > today:
            report(("corrections", i, "date"), f"correction date {correction.date} is in the future",
                   code="future-date")


def _check_statement_date(loc: Loc, statement: Statement, published: dt.date, report: _ClaimReport) -> None:
    """A statement is not dated in the future, nor after the fact-check that weighs it."""
    if not statement.date:
        return
    if statement.date > report.refs.today:
        report((*loc, "date"), f"date {statement.date} is in the future", code="future-date")
    elif statement.date > published:
        report((*loc, "date"), f"statement dated {statement.date} is after the fact-check was published "
               f"({published})", hint="check both dates", code="date-order")


def _check_statement_source(loc: Loc, statement: Statement, report: _ClaimReport) -> str | None:
    """A statement's source is archived and not older than the statement; returns its id when it is
    archived and readable, so that the quote can be checked against it."""
    refs = report.refs
    source = statement.source
    if isinstance(source, ExternalSource):
        report((*loc, "quote"), f"quote cites {source.outlet}, which is not archived in seeds/, so nobody "
               "can check that it is verbatim", hint=f"run `factcheck archive {source.url}` and cite the source "
               "by the id it prints", warning=True, code="unverifiable-quote")
        if source.published > refs.today:
            report((*loc, "source", "published"), f"date {source.published} is in the future", code="future-date")
        return None
    if source not in refs.seeds:
        if source not in refs.seed_problems:
            report.reference((*loc, "source"), source, refs.seeds, "source")
        return None
    seed = refs.seeds[source]
    if statement.date and statement.date > seed.published:
        report((*loc, "date"), f"statement dated {statement.date} is after its source was published "
               f"({seed.published})", code="date-order")
    return source


def _check_quote(loc: Loc, statement: Statement, source: str, report: _ClaimReport) -> None:
    """A statement's quote appears verbatim in its archived source."""
    result = report.refs.texts[source].check(statement.quote)
    if result.found:
        return
    whole = result.missing_piece == normalise(statement.quote)
    differs = "" if whole else f" (the part \"{result.missing_piece}\")"
    report((*loc, "quote"), f"quote does not appear verbatim in {source}{differs}", quote_hint(result),
           code="quote-mismatch")


def _check_stances(claim: Claim, report: _ClaimReport) -> None:
    """Every counter-statement says what it does to the claim, and the claimant does not contradict it."""
    claimant = claim.statement.speaker
    for i, counter in enumerate(claim.counter_statements):
        loc: Loc = ("counter_statements", i)
        if counter.stance is None:
            report(loc, "counter-statement has no stance",
                   "add stance: contradicts, supports or adds-context (what this statement does to the claim)",
                   code="missing-stance")
        elif counter.stance == "contradicts" and counter.speaker == claimant:
            report((*loc, "stance"), f"{claimant!r} made the claim, so their own words cannot contradict it",
                   "use stance: adds-context (or supports); quote other parties for what contradicts the claim",
                   code="claimant-contradicts")


def _check_cutoff(claim: Claim, report: _ClaimReport) -> None:
    """The evidence cut-off is given, and falls between the claim, the statements weighed and publication."""
    cutoff = claim.evidence_cutoff
    if cutoff is None:
        report(("verdict",), "the claim has no evidence cut-off",
               "add evidence_cutoff: YYYY-MM-DD, the date of the latest statement the verdict weighs; readers see "
               "'based on statements up to' that date", code="missing-cutoff")
        return
    if cutoff > claim.published:
        report(("evidence_cutoff",), f"evidence cut-off {cutoff} is after the fact-check was published "
               f"({claim.published})", "the cut-off is the date of the latest statement weighed", code="cutoff-order")
    for loc, statement in _statements_at(claim):
        if statement.date and statement.date > cutoff:
            report((*loc, "date"), f"statement dated {statement.date} is after the evidence cut-off ({cutoff})",
                   "move evidence_cutoff to the latest statement weighed, or check the date", code="cutoff-order")
    if claim.statement.date and cutoff < claim.statement.date:
        report(("evidence_cutoff",), f"evidence cut-off {cutoff} is before the claim was made "
               f"({claim.statement.date})", code="cutoff-order")


def _check_statement_notes(loc: Loc, statement: Statement, report: _ClaimReport) -> None:
    """A date note has a date to explain; a translation names its language, and only a translated
    quote lists other translations."""
    if statement.date_note and statement.date is None:
        report((*loc, "date_note"), "date_note explains a date, but the statement has no date",
               "add the date the note reasons to, or remove the note", code="date-note")
    if statement.translated_from is not None and statement.translated_from not in LANGUAGES:
        report((*loc, "translated_from"), f"unknown language code {statement.translated_from!r}",
               _did_you_mean(statement.translated_from, LANGUAGES) or
               f"use an ISO 639-1 code: {', '.join(sorted(LANGUAGES))}", code="unknown-language")
    if statement.other_translations and statement.translated_from is None:
        report((*loc, "other_translations"), "other translations are listed, but the quote is not marked as one",
               "add translated_from: the language the speaker used, e.g. ru", code="translation")
    if statement.reported and statement.other_translations:
        report((*loc, "other_translations"), "a paraphrase (reported: true) cannot have other translations",
               "quote the speaker's translated words instead, or remove other_translations", code="translation")


def _check_translation(loc: Loc, translation: Translation, statement: Statement, report: _ClaimReport) -> None:
    """Another outlet's translation of a statement appears verbatim in that outlet's archived report."""
    refs = report.refs
    source = translation.source
    if source == statement.source:
        report((*loc, "source"), "another translation must come from another outlet's report",
               "cite the outlet whose wording this is", code="translation")
        return
    if isinstance(source, ExternalSource):
        report((*loc, "quote"), f"translation cites {source.outlet}, which is not archived in seeds/, "
               "so nobody can check that it is verbatim", f"run `factcheck archive {source.url}` and cite "
               "the source by the id it prints", warning=True, code="unverifiable-quote")
        return
    if source not in refs.seeds:
        if source not in refs.seed_problems:
            report((*loc, "source"), f"unknown source {source!r}",
                   _did_you_mean(source, refs.seeds) or "add it to seeds/ (as <id>.yaml and <id>.txt)",
                   code="unknown-ref")
        return
    result = refs.texts[source].check(translation.quote)
    if not result.found:
        report((*loc, "quote"), f"translation does not appear verbatim in {source}", quote_hint(result),
               code="quote-mismatch")


def reference_hint(what: str, value: str, refs: References) -> str:
    """How to fix an unknown speaker, topic, verdict or source. Speakers and topics are the desk's
    shared lists and the verdict scale is the methodology's: editors are pointed at what exists,
    not at editing those files."""
    if what == "speaker":
        names = {k: v.name for k, v in refs.speakers.items()}
        match = suggest_id(value, refs.speakers, names)
        rest = ("speakers are defined in data/speakers.yaml; if this is a new speaker, ask an editor to add them "
                "there (id, name and role)")
    elif what == "topic":
        match = suggest_id(value, refs.topics, {k: v.name for k, v in refs.topics.items()})
        rest = "topics are defined in data/topics.yaml; ask an editor before adding a new one"
    elif what == "verdict":
        match = suggest_id(value, refs.verdicts, {k: v.label for k, v in refs.verdicts.items()})
        rest = f"the verdict scale is fixed by the methodology; pick one of: {', '.join(refs.verdicts)}"
    else:
        match = suggest_id(value, refs.seeds)
        rest = ("cite an archived source by its id (a file name in seeds/ without .yaml); "
                "archive a new article with `factcheck archive URL`")
    return f"did you mean {match!r}? {rest}" if match else rest


def quote_hint(result: QuoteCheck) -> str:
    """What the editor needs to fix a quote that is not in its source, on one line."""
    parts = [result.elision_hint] if result.elision_hint else []
    if result.diff:
        parts.append(f"closest passage in the source, differences marked [-in the quote-]{{+in the source+}}: "
                     f"\"{result.diff}\"")
    elif result.closest:
        parts.append(f"closest passage in the source: \"{result.closest}\"")
    return "; ".join(parts)


@dataclass
class References:
    speakers: dict[str, Speaker]
    topics: dict[str, Topic]
    verdicts: dict[str, VerdictLevel]
    seeds: dict[str, Seed]
    texts: dict[str, SourceText]
    today: dt.date
    seed_problems: set[str] = field(default_factory=set)
    digest: str = ""
    publication: Publication | None = None
    """What cross-file checks depend on (data files, sources, today's date), when known."""


def load_references(project: Project, diagnostics: Diagnostics) -> References:
    speakers = _load_mapping_of(project.data_path / "speakers.yaml", Speaker, project, diagnostics, "speakers")
    topics = _load_mapping_of(project.data_path / "topics.yaml", Topic, project, diagnostics, "topics")
    verdicts = load_verdicts(project, diagnostics)
    seeds, texts = load_seeds(project, diagnostics)
    broken = {p.stem for p in project.seeds_path.glob("*.yaml")} - set(seeds) if project.seeds_path.is_dir() else set()
    publication = load_publication(project, diagnostics)
    return References(speakers, topics, verdicts, seeds, texts, latest_today(), broken, publication=publication)


PARALLEL_THRESHOLD = 400


@dataclass
class _Deferred:
    """Positions of a cached claim's values, read from its file only if a problem must be reported."""

    file: Path
    project: Project
    path: str
    _loaded: LoadedYaml | None = None

    def where(self, loc: Loc, *, key: bool = False) -> tuple[int, int]:
        if self._loaded is None:
            self._loaded = read_yaml_file(self.file, self.project, Diagnostics()) or LoadedYaml(self.path)
        return self._loaded.where(loc, key=key)


def _check_one(path: Path, project: Project, refs: References) -> Entry:
    """Parse and check one claim file."""
    parse_problems = Diagnostics()
    parsed = parse_claim_file(path, project, parse_problems)
    rel = project.rel(path)
    if parsed is None:
        if not parse_problems.errors:
            parse_problems.error(rel, 1, 1, "claim could not be read", code="unreadable")
        return Entry(None, rel, None, list(parse_problems))
    check_problems = Diagnostics()
    check_claim(parsed, refs, check_problems)
    return Entry(parsed.cid, rel, parsed.claim, list(parse_problems), refs.digest, list(check_problems))


def _check_files(paths: list[Path]) -> list[bytes]:
    """Parse and check claim files, each entry pickled; runs in the parent or in a forked worker
    (see `workers`). The check cache stores these bytes as they are (see `CheckCache.put_pickled`)."""
    project, refs = workers.state()
    return [pickle.dumps(_check_one(path, project, refs), protocol=pickle.HIGHEST_PROTOCOL) for path in paths]


def _check_all(project: Project, refs: References, paths: list[Path], sharer: memory.Sharer
               ) -> Iterator[list[tuple[Entry, bytes]]]:
    """Check claim files, on every core when there are many and the platform can fork: each entry,
    with the bytes it was pickled to."""
    for chunk in workers.map_in_workers((project, refs), _check_files, paths, threshold=PARALLEL_THRESHOLD):
        yield [(_shared(pickle.loads(data), sharer), data) for data in chunk]


def _shared(entry: Entry, sharer: memory.Sharer) -> Entry:
    sharer.share(entry.claim)
    return entry


def _recheck(cid: str, entry: Entry, path: Path, project: Project, refs: References) -> None:
    """Run the cross-file checks again on a cached parse (the data files, sources or date changed)."""
    check_problems = Diagnostics()
    positions = _Deferred(path, project, entry.rel)
    check_claim(ParsedClaim(cid, entry.rel, positions, entry.claim), refs, check_problems)
    entry.checked_against, entry.check_problems = refs.digest, list(check_problems)


def _references(project: Project, diagnostics: Diagnostics, cache: CheckCache | None,
                hashes: FileHashes | None) -> References:
    """The data files and archived sources, from the cache when none of their files changed."""
    if cache is None or hashes is None:
        return load_references(project, diagnostics)
    fingerprint = code_fingerprint()
    digest = hashlib.sha256(b"references\0" + fingerprint.encode())
    for folder in (project.data_path, project.seeds_path):
        if not folder.is_dir():
            continue
        prefix = project.rel(folder)
        for name in sorted(os.listdir(folder)):
            path = os.path.join(folder, name)
            sha = hashes.sha(path, f"{prefix}/{name}") if os.path.isfile(path) else None
            digest.update(f"{prefix}/{name}\0{sha}\0".encode())
            if sha is None and os.path.isfile(path):  # a link or oversized file: no cache
                return load_references(project, diagnostics)
    key = digest.hexdigest()
    cached: tuple[References, list[Diagnostic]] | None = cache.get(key)
    if cached is None:
        found = Diagnostics()
        refs = load_references(project, found)
        cached = (refs, list(found))
        cache.put(key, cached)
    refs, problems = cached
    diagnostics.extend(problems)
    refs.today = latest_today()
    refs.digest = hashlib.sha256(f"{key} {refs.today.isoformat()}".encode()).hexdigest()
    return refs


def load_corpus(project: Project, only: Iterable[Path] | None = None,
                cache_dir: Path | None = None) -> tuple[Corpus, Diagnostics]:
    """Load and check everything (or only the named claim files plus what they reference).

    With a `cache_dir`, files unchanged since an earlier run are not parsed or checked again
    (see `checkcache`); the result is the same as without it."""
    diagnostics = Diagnostics()
    cache = CheckCache(cache_dir / "checked") if cache_dir is not None else None
    hashes = FileHashes(cache_dir / "file-hashes.pickle") if cache_dir is not None else None
    refs = _references(project, diagnostics, cache, hashes)
    entries: list[Entry] = []
    digests: dict[str, str] = {}
    sharer = memory.Sharer()  # each claim as it is read, wherever from (see `memory`)
    if cache is None or hashes is None:
        files = claim_files(project) if only is None else [Path(p) for p in only]
        for chunk in _check_all(project, refs, files, sharer):
            entries.extend(entry for entry, _ in chunk)
    else:
        entries, digests = _check_with_cache(project, refs, only, cache, hashes, sharer=sharer)
        cache.save(prune=only is None)
        hashes.save(prune=only is None)
    return _assemble(entries, refs, digests, diagnostics), diagnostics


def _listed_claim_files(project: Project, only: Iterable[Path] | None) -> list[tuple[str, str]]:
    """The claim files to check, each as (path, project-relative path)."""
    # Paths as strings while walking ten thousand files: pathlib objects cost more than the check.
    folder, prefix = str(project.claims_path), project.rel(project.claims_path)
    if only is None:
        return [(f"{folder}/{name}", f"{prefix}/{name}") for name in claim_file_names(project)]
    return [(str(p), project.rel(Path(p))) for p in only]


def _check_with_cache(project: Project, refs: References, only: Iterable[Path] | None, cache: CheckCache,
                      hashes: FileHashes, *, sharer: memory.Sharer) -> tuple[list[Entry], dict[str, str]]:
    """The entries of the claim files, taken from the cache for files unchanged since it was written
    (checked again against changed references), with the cache key of each claim by its id."""
    entries: list[Entry] = []
    digests: dict[str, str] = {}
    pending: dict[str, tuple[Path, str]] = {}
    fingerprint = code_fingerprint()
    for file, rel in _listed_claim_files(project, only):
        try:
            sha = hashes.sha(file, rel)
        except OSError:
            sha = None
        if sha is None:
            pending[rel] = (Path(file), "")
            continue
        key = file_digest(rel, sha, fingerprint)
        entry: Entry | None = cache.get(key)
        if entry is None:
            pending[rel] = (Path(file), key)
            continue
        _shared(entry, sharer)
        if entry.cid is not None and entry.checked_against != refs.digest:
            _recheck(entry.cid, entry, Path(file), project, refs)
            cache.put_changed(key, entry, {"checked_against": entry.checked_against,
                                           "check_problems": entry.check_problems})
        entries.append(entry)
        if entry.cid is not None:
            digests[entry.cid] = key
    for entry, data in _check_pending(project, refs, pending, sharer):  # workers return files in their own order
        entries.append(entry)
        key = pending[entry.rel][1]  # match results by path
        if key:
            cache.put_pickled(key, data)
            if entry.cid is not None:
                digests[entry.cid] = key
    return entries, digests


def _check_pending(project: Project, refs: References, pending: dict[str, tuple[Path, str]],
                   sharer: memory.Sharer) -> list[tuple[Entry, bytes]]:
    """Parse and check the claim files the cache did not hold (each entry with its pickled bytes)."""
    fresh: list[tuple[Entry, bytes]] = []
    for chunk in _check_all(project, refs, [path for path, _ in pending.values()], sharer):
        fresh.extend(chunk)
    return fresh


def _assemble(entries: list[Entry], refs: References, digests: dict[str, str], diagnostics: Diagnostics) -> Corpus:
    """The corpus of the claims checked, in file order, with every problem found; a claim id used by
    two files (letter case aside) is an error in the second."""
    entries.sort(key=lambda e: e.rel)
    claims: dict[str, Claim] = {}
    claim_paths: dict[str, str] = {}
    folded: dict[str, str] = {}
    for entry in entries:
        diagnostics.extend(entry.parse_problems)
        diagnostics.extend(entry.check_problems)
        if entry.cid is None:
            continue
        key = entry.cid.casefold()
        if key in folded:
            diagnostics.error(entry.rel, 1, 1, f"claim id {entry.cid!r} is also used by {folded[key]}",
                              hint="two files cannot publish to the same page; rename one", code="duplicate-id")
            continue
        folded[key] = entry.rel
        claims[entry.cid] = entry.claim
        claim_paths[entry.cid] = entry.rel
    return Corpus(refs.speakers, refs.topics, refs.verdicts, refs.seeds, claims, claim_paths,
                  {cid: digests[cid] for cid in claims if cid in digests}, publication=refs.publication)
