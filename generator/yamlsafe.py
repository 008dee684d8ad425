"""Safe, position-aware YAML loading for untrusted content files.

Only the YAML core schema is accepted (no language-specific tags), anchors and
aliases are refused (they are how expansion bombs work and claim files never need
them), duplicate keys are errors, and every value keeps the line and column where
it was written so that problems can be reported precisely.

Documents are built from the parser's event stream with an explicit stack rather than by
recursive composition (PyYAML's composer, C or Python, recurses once per level and overflows
the C stack on tens of thousands of nested brackets), so nesting is bounded by MAX_DEPTH
before any deeper value is built, whatever the file holds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from .diagnostics import Diagnostics

try:
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader

MAX_FILE_BYTES = 256 * 1024
MAX_NODES = 20_000
MAX_DEPTH = 32

Path = tuple[str | int, ...]

_STR = "tag:yaml.org,2002:str"
_SCALAR_TAGS = {
    _STR,
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_constructor = yaml.constructor.SafeConstructor()


@dataclass
class LoadedYaml:
    """A YAML document as plain Python data plus the position of every value and key."""

    path: str
    data: Any = None
    positions: dict[Path, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[Path, tuple[int, int]] = field(default_factory=dict)

    def where(self, loc: Path, *, key: bool = False) -> tuple[int, int]:
        """The best known position for `loc`, falling back to its nearest ancestor."""
        table = self.key_positions if key else self.positions
        probe = tuple(loc)
        while probe:
            if probe in table:
                return table[probe]
            if not key and probe in self.key_positions:
                return self.key_positions[probe]
            probe = probe[:-1]
        return self.positions.get((), (1, 1))


class _Refused(Exception):
    def __init__(self, line: int, column: int, message: str, *, hint: str = "", field: str = "",
                 code: str = "yaml-refused"):
        super().__init__(message)
        self.line, self.column, self.message, self.hint, self.field = line, column, message, hint, field
        self.code = code


def field_path(loc: Path) -> str:
    """Render a location as editors write it: ``counter_statements[1].quote``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def decode_text(raw: bytes, path: str, diagnostics: Diagnostics) -> str | None:
    """Decode UTF-8 (a leading byte-order mark is accepted and dropped) or report where it fails."""
    if len(raw) > MAX_FILE_BYTES:
        diagnostics.error(path, 1, 1, f"file is {len(raw):,} bytes, over the limit of {MAX_FILE_BYTES:,}",
                          hint="a claim file should be a few kilobytes; "
                               "split long analysis or check for pasted binary data",
                          code="file-too-large")
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        diagnostics.error(path, line, column, f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
                          hint="save the file as UTF-8 in your editor", code="encoding")
        return None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        diagnostics.error(path, line, 1, "file contains a NUL character", hint="this looks like a binary file",
                          code="encoding")
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def load_yaml(text: str, path: str, diagnostics: Diagnostics, *, expect: type = dict) -> LoadedYaml | None:
    """Parse one YAML document; report problems into `diagnostics` and return None on failure.

    The document is built straight from the parser's event stream with an explicit stack, never
    by recursive composition: nesting deeper than MAX_DEPTH is refused at the event that crosses
    the limit, so a file of 100,000 opening brackets costs a few dozen events, not a crash.
    """
    result = LoadedYaml(path)
    loader = _Loader(text)
    try:
        documents = _read_stream(loader, result)
    except yaml.MarkedYAMLError as exc:
        _syntax_error(exc, text, path, diagnostics)
        return None
    except yaml.YAMLError as exc:
        diagnostics.error(path, 1, 1, f"YAML error: {exc}", code="yaml-syntax")
        return None
    except _Refused as exc:
        diagnostics.error(path, exc.line, exc.column, exc.message, hint=exc.hint, field=exc.field,
                          code=exc.code)
        return None
    finally:
        loader.dispose()
    if documents == 0:
        diagnostics.error(path, 1, 1, "file is empty", hint="start from `factcheck new` or a complete example",
                          code="empty")
        return None
    if expect is dict and not isinstance(result.data, dict):
        kind = "a list" if isinstance(result.data, list) else "a single value"
        diagnostics.error(path, 1, 1, f"file holds {kind}, but a mapping of fields is expected",
                          hint="write `field: value` lines at the top level, not `- item` lines", code="not-mapping")
        return None
    return result


def _syntax_error(exc: yaml.MarkedYAMLError, text: str, path: str, diagnostics: Diagnostics) -> None:
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = exc.problem or "invalid YAML"
    hint = ""
    context = exc.context_mark
    if exc.context and context is not None and (context.line + 1, context.column + 1) != (line, column):
        hint = f"{exc.context} that starts at line {context.line + 1}, column {context.column + 1}"
    bad_line = text.split("\n")[line - 1] if 0 < line <= text.count("\n") + 1 else ""
    if "\t" in bad_line[: max(column, 1)] or "\\t" in problem:
        hint = "YAML indentation must use spaces, not tabs"
    elif "mapping values are not allowed" in problem:
        hint = _over_indented(text.split("\n")[: line - 1], bad_line, column) or \
            "a value containing ': ' must be quoted, e.g. quote: \"...\""
    elif "could not find expected ':'" in problem or "expected <block end>" in problem:
        hint = "check the indentation of this line against the one above"
    diagnostics.error(path, line, column, f"YAML syntax error: {problem}", hint=hint, code="yaml-syntax")


_KEY_LINE = re.compile(r"^( *)(?:- +)?([A-Za-z0-9_.-]+):(?: +(\S.*))?$")


def _over_indented(before: list[str], bad_line: str, column: int) -> str:
    """The hint for a key indented deeper than the `key: value` line above it, which YAML reads as
    that value continuing (and then refuses its colon)."""
    key = _KEY_LINE.match(bad_line)
    if key is None or column != len(key.group(1)) + len(key.group(2)) + 1:
        return ""
    above = next((ln for ln in reversed(before) if ln.strip() and not ln.lstrip().startswith("#")), "")
    parent = _KEY_LINE.match(above)
    if parent is None or not parent.group(3) or len(key.group(1)) <= len(parent.group(1)):
        return ""
    extra = len(key.group(1)) - len(above) + len(above.lstrip(" -"))
    where = f"`{parent.group(2)}:` on the line above"
    return (f"`{key.group(2)}:` is indented more than {where}, so YAML reads it as part of that value; "
            f"start it in the same column (remove {extra} space{'s' if extra != 1 else ''})"
            if extra > 0 else "")


def _read_stream(loader: Any, result: LoadedYaml) -> int:
    """Build the first document into `result`; return how many documents the stream holds (0 or 1).

    A second document is refused where its content starts, without reading further."""
    loader.get_event()  # StreamStartEvent
    if isinstance(loader.get_event(), yaml.StreamEndEvent):
        return 0
    result.data = _Builder(loader, result).document()
    loader.get_event()  # DocumentEndEvent
    if isinstance(loader.get_event(), yaml.DocumentStartEvent):
        line, _ = _position(loader.get_event())
        raise _Refused(line, 1, "file holds more than one YAML document",
                       hint="remove the `---` separator: one claim per file", code="multi-document")
    return 1


@dataclass
class _Open:
    """A mapping or sequence whose end event has not been read yet."""

    loc: Path
    value: dict[str, Any] | list[Any]
    key: str | None = None


class _Builder:
    """Plain data from one document's events, with positions; refusals raise `_Refused` at once."""

    def __init__(self, loader: Any, result: LoadedYaml) -> None:
        self.loader, self.result = loader, result
        self.stack: list[_Open] = []
        self.values = 0

    def document(self) -> Any:
        get_event, stack = self.loader.get_event, self.stack
        while True:
            event = get_event()
            if isinstance(event, yaml.CollectionEndEvent):
                done = stack.pop()
                if not stack:
                    return done.value
                self._attach(stack[-1], done.value)
            elif stack and stack[-1].key is None and isinstance(stack[-1].value, dict):
                self._key(stack[-1], event)
            else:
                value = self._value(event)
                if not stack:
                    return value

    @staticmethod
    def _attach(parent: _Open, value: Any) -> None:
        if isinstance(parent.value, list):
            parent.value.append(value)
        elif parent.key is not None:
            parent.value[parent.key] = value
            parent.key = None

    def _key(self, parent: _Open, event: yaml.Event) -> None:
        line, column = _position(event)
        if isinstance(event, yaml.AliasEvent):
            raise _Refused(line, column, "aliases (*name) are not allowed", hint=_ALIAS_HINT,
                           field=field_path(parent.loc))
        tag = self._tag(event)
        if tag == "tag:yaml.org,2002:merge":
            raise _Refused(line, column, "merge keys (<<) are not allowed", hint="write the fields out",
                           field=field_path(parent.loc))
        if tag != _STR or not isinstance(event, yaml.ScalarEvent):
            raise _Refused(line, column, "keys must be plain names", field=field_path(parent.loc))
        key = event.value
        loc = (*parent.loc, key)
        if key in parent.value:
            first = self.result.key_positions[loc]
            raise _Refused(line, column, f"duplicate key {key!r} (first written on line {first[0]})",
                           hint="YAML would silently keep only the last value; remove one of them",
                           field=field_path(loc))
        self.result.key_positions[loc] = (line, column)
        parent.key = key

    def _value(self, event: yaml.Event) -> Any:
        """Start a collection (pushed on the stack) or read a scalar (attached to its parent)."""
        parent = self.stack[-1] if self.stack else None
        if parent is None:
            loc: Path = ()
        elif isinstance(parent.value, list):
            loc = (*parent.loc, len(parent.value))
        else:
            loc = (*parent.loc, parent.key or "")
        line, column = _position(event)
        if self.values >= MAX_NODES:
            raise _Refused(line, column, f"document has more than {MAX_NODES:,} values", field=field_path(loc))
        self.values += 1
        if len(self.stack) > MAX_DEPTH:
            raise _Refused(line, column, f"document is nested more than {MAX_DEPTH} levels deep",
                           field=field_path(loc[:1]),
                           hint="a claim needs only a few levels of nesting; remove the extra [ or { brackets, "
                                "`- ` markers or indentation that start here")
        if isinstance(event, yaml.AliasEvent):
            raise _Refused(line, column, "aliases (*name) are not allowed", hint=_ALIAS_HINT, field=field_path(loc))
        self.result.positions.setdefault(loc, (line, column))
        tag = self._tag(event)
        if isinstance(event, yaml.CollectionStartEvent):
            mapping = isinstance(event, yaml.MappingStartEvent)
            if tag != (_MAP if mapping else _SEQ):
                raise _Refused(line, column, f"tag {tag!r} is not allowed", field=field_path(loc))
            container: dict[str, Any] | list[Any] = {} if mapping else []
            self.stack.append(_Open(loc, container))
            return container
        value = _scalar(event, tag, line, column, loc)
        if parent is not None:
            self._attach(parent, value)
        return value

    def _tag(self, event: yaml.Event) -> str:
        """The event's tag, or the one the core schema resolves for an untagged node."""
        tag: str | None = getattr(event, "tag", None)
        if tag is not None and tag != "!":
            return tag
        if isinstance(event, yaml.ScalarEvent):
            resolved: str = self.loader.resolve(yaml.ScalarNode, event.value, event.implicit)
            return resolved
        return _MAP if isinstance(event, yaml.MappingStartEvent) else _SEQ


def _position(event: yaml.Event) -> tuple[int, int]:
    """1-based line and column where an event starts (the parser always sets it; 1, 1 otherwise)."""
    mark = event.start_mark
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


_ALIAS_HINT = "write the value out in full; anchors and aliases are how YAML expansion bombs work"


def _scalar(event: yaml.Event, tag: str, line: int, column: int, loc: Path) -> Any:
    if tag not in _SCALAR_TAGS:
        raise _Refused(line, column, f"tag {tag!r} is not allowed",
                       hint="only plain YAML values (text, numbers, dates, true/false) are accepted",
                       field=field_path(loc))
    assert isinstance(event, yaml.ScalarEvent)
    if tag in (_STR, "tag:yaml.org,2002:timestamp"):
        return event.value
    node = yaml.ScalarNode(tag, event.value)
    try:
        return _constructor.construct_object(node)
    except (ValueError, yaml.YAMLError):
        return event.value
