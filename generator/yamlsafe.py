"""Safe, position-aware YAML loading for untrusted content files.

Only the YAML core schema is accepted (no language-specific tags), anchors and
aliases are refused (they are how expansion bombs work and claim files never need
them), duplicate keys are errors, and every value keeps the line and column where
it was written so that problems can be reported precisely.
"""

from __future__ import annotations

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
    def __init__(self, line: int, column: int, message: str, hint: str = "", field: str = ""):
        super().__init__(message)
        self.line, self.column, self.message, self.hint, self.field = line, column, message, hint, field


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
                          hint="a claim file should be a few kilobytes; split long analysis or check for pasted binary data",
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
    """Parse one YAML document; report problems into `diagnostics` and return None on failure."""
    result = LoadedYaml(path)
    try:
        documents = list(yaml.compose_all(text, Loader=_Loader))
    except yaml.MarkedYAMLError as exc:
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
            hint = "a value containing ': ' must be quoted, e.g. quote: \"...\""
        elif "could not find expected ':'" in problem or "expected <block end>" in problem:
            hint = "check the indentation of this line against the one above"
        diagnostics.error(path, line, column, f"YAML syntax error: {problem}", hint=hint, code="yaml-syntax")
        return None
    except yaml.YAMLError as exc:
        diagnostics.error(path, 1, 1, f"YAML error: {exc}", code="yaml-syntax")
        return None
    if not documents or documents[0] is None:
        diagnostics.error(path, 1, 1, "file is empty", hint="start from `factcheck new` or a complete example",
                          code="empty")
        return None
    if len(documents) > 1:
        mark = documents[1].start_mark
        diagnostics.error(path, mark.line + 1, 1, "file holds more than one YAML document",
                          hint="remove the `---` separator: one claim per file", code="multi-document")
        return None
    root = documents[0]
    try:
        result.data = _build(root, (), result, set(), 0)
    except _Refused as exc:
        diagnostics.error(path, exc.line, exc.column, exc.message, hint=exc.hint, field=exc.field, code="yaml-refused")
        return None
    if expect is dict and not isinstance(result.data, dict):
        kind = "a list" if isinstance(result.data, list) else "a single value"
        diagnostics.error(path, 1, 1, f"file holds {kind}, but a mapping of fields is expected",
                          hint="write `field: value` lines at the top level, not `- item` lines", code="not-mapping")
        return None
    return result


def _build(node: yaml.Node, loc: Path, result: LoadedYaml, seen: set[int], depth: int) -> Any:
    line, column = node.start_mark.line + 1, node.start_mark.column + 1
    if len(seen) >= MAX_NODES:
        raise _Refused(line, column, f"document has more than {MAX_NODES:,} values", field=field_path(loc))
    if depth > MAX_DEPTH:
        raise _Refused(line, column, f"document is nested more than {MAX_DEPTH} levels deep", field=field_path(loc))
    if id(node) in seen:
        raise _Refused(line, column, "aliases (*name) are not allowed",
                       hint="write the value out in full; anchors and aliases are how YAML expansion bombs work",
                       field=field_path(loc))
    seen.add(id(node))
    result.positions.setdefault(loc, (line, column))
    if isinstance(node, yaml.MappingNode):
        if node.tag != _MAP:
            raise _Refused(line, column, f"tag {node.tag!r} is not allowed", field=field_path(loc))
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            kline, kcol = key_node.start_mark.line + 1, key_node.start_mark.column + 1
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise _Refused(kline, kcol, "merge keys (<<) are not allowed", hint="write the fields out",
                               field=field_path(loc))
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != _STR:
                raise _Refused(kline, kcol, "keys must be plain names", field=field_path(loc))
            key = key_node.value
            if key in out:
                first = result.key_positions[loc + (key,)]
                raise _Refused(kline, kcol, f"duplicate key {key!r} (first written on line {first[0]})",
                               hint="YAML would silently keep only the last value; remove one of them",
                               field=field_path(loc + (key,)))
            result.key_positions[loc + (key,)] = (kline, kcol)
            out[key] = _build(value_node, loc + (key,), result, seen, depth + 1)
        return out
    if isinstance(node, yaml.SequenceNode):
        if node.tag != _SEQ:
            raise _Refused(line, column, f"tag {node.tag!r} is not allowed", field=field_path(loc))
        return [_build(item, loc + (i,), result, seen, depth + 1) for i, item in enumerate(node.value)]
    if node.tag not in _SCALAR_TAGS:
        raise _Refused(line, column, f"tag {node.tag!r} is not allowed",
                       hint="only plain YAML values (text, numbers, dates, true/false) are accepted",
                       field=field_path(loc))
    if node.tag in (_STR, "tag:yaml.org,2002:timestamp"):
        return node.value
    try:
        return _constructor.construct_object(node)
    except (ValueError, yaml.YAMLError):
        return node.value

