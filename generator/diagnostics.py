"""Problems found in content, collected as values and reported together."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from dataclasses import field as dataclass_field
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    DRAFT = "draft"
    """Not a problem: the claim is unfinished and is left out of the published site."""


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem in one file, with its position (1-based line and column; 0 when unknown)."""

    path: str
    line: int
    column: int
    severity: Severity
    message: str
    field: str = ""
    hint: str = ""
    code: str = dataclass_field(default="", compare=False)

    def text(self) -> str:
        where = f"{self.path}:{self.line}:{self.column}"
        subject = f"{self.field}: " if self.field else ""
        hint = f" (hint: {self.hint})" if self.hint else ""
        return f"{where}: {self.severity.value}: {subject}{self.message}{hint}"

    def github(self) -> str:
        def esc(value: str) -> str:
            return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

        def esc_prop(value: str) -> str:
            return esc(value).replace(":", "%3A").replace(",", "%2C")

        kind = {Severity.ERROR: "error", Severity.WARNING: "warning"}.get(self.severity, "notice")
        subject = f"{self.field}: " if self.field else ""
        hint = f" (hint: {self.hint})" if self.hint else ""
        props = f"file={esc_prop(self.path)},line={max(self.line, 1)},col={max(self.column, 1)}"
        return f"::{kind} {props}::{esc(subject + self.message + hint)}"

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["severity"] = self.severity.value
        return data


class Diagnostics(list[Diagnostic]):
    """An ordered collection of diagnostics with helpers for the common cases."""

    def error(self, path: str, line: int, column: int, message: str, *, field: str = "",
              hint: str = "", code: str = "") -> None:
        self.append(Diagnostic(path, line, column, Severity.ERROR, message, field, hint, code))

    def warning(self, path: str, line: int, column: int, message: str, *, field: str = "",
                hint: str = "", code: str = "") -> None:
        self.append(Diagnostic(path, line, column, Severity.WARNING, message, field, hint, code))

    def draft(self, path: str, line: int, column: int, message: str, *, field: str = "",
              hint: str = "", code: str = "") -> None:
        self.append(Diagnostic(path, line, column, Severity.DRAFT, message, field, hint, code))

    @property
    def drafts(self) -> list[Diagnostic]:
        return [d for d in self if d.severity is Severity.DRAFT]

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self if d.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self if d.severity is Severity.WARNING]

    def sorted(self) -> list[Diagnostic]:
        return sorted(set(self))


def format_diagnostics(diagnostics: Iterable[Diagnostic], fmt: str = "text") -> str:
    items = sorted(set(diagnostics))
    if fmt == "json":
        return json.dumps([d.as_dict() for d in items], ensure_ascii=False, indent=2)
    if fmt == "github":
        return "\n".join(d.github() for d in items)
    return "\n".join(d.text() for d in items)


class ContentError(Exception):
    """Raised at the boundary (build, CLI) when content has errors; carries every diagnostic."""

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        self.diagnostics = sorted(set(diagnostics))
        errors = [d for d in self.diagnostics if d.severity is Severity.ERROR]
        summary = f"{len(errors)} error(s) in content"
        super().__init__(summary + ":\n" + "\n".join(d.text() for d in self.diagnostics))
