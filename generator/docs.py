"""Editor documentation generated from the model's JSON Schema, so it cannot drift from the validator."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment

from .model import SLUG_PATTERN, Claim, Seed

MODELS = ("Claim", "Statement", "ExternalSource", "Verdict", "Correction")
SOURCE_MODELS = ("Seed", "Redirect", "Extractor")


def describe(prop: dict[str, Any]) -> str:
    """A short, editor-readable type for one JSON Schema property."""
    if "$ref" in prop:
        ref: str = prop["$ref"]
        return ref.rsplit("/", 1)[-1]
    if "anyOf" in prop:
        options = [describe(p) for p in prop["anyOf"] if p.get("type") != "null"]
        return " or ".join(dict.fromkeys(options))
    if "enum" in prop:
        return "one of: " + ", ".join(str(v) for v in prop["enum"])
    kind = prop.get("type")
    if kind == "array":
        return f"list of {describe(prop.get('items', {}))}"
    if kind == "string":
        if prop.get("format") == "date":
            return "date (YYYY-MM-DD)"
        if prop.get("format") == "date-time":
            return "date and time (UTC, e.g. 2025-08-20T09:41:07Z)"
        if prop.get("pattern") == SLUG_PATTERN:
            return "id"
        if prop.get("pattern", "").startswith("^[hH][tT][tT][pP]"):
            return "http(s) URL"
        return "text"
    return {"boolean": "true/false", "integer": "number"}.get(kind or "", kind or "any")


def model_fields(schema: dict[str, Any]) -> list[dict[str, Any]]:
    required = set(schema.get("required", []))
    return [{"name": name, "type": describe(prop), "required": name in required,
             "description": prop.get("description", "")}
            for name, prop in schema["properties"].items()]


def claim_format_reference(env: Environment) -> str:
    schema = Claim.model_json_schema()
    definitions = {**schema.get("$defs", {}), "Claim": schema}
    sections = [(name, definitions[name].get("description", ""), model_fields(definitions[name])) for name in MODELS]
    source_schema = Seed.model_json_schema()
    source_definitions = {**source_schema.get("$defs", {}), "Seed": source_schema}
    sections += [(name, source_definitions[name].get("description", ""), model_fields(source_definitions[name]))
                 for name in SOURCE_MODELS]
    return env.get_template("claim_format.html").render(sections=sections)
