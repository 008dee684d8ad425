"""JSON Schema for claim files, generated from the model the validator uses."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .model import Claim

SCHEMA_PATH = Path(__file__).parent / "schemas" / "claim.schema.json"
SCHEMA_ID = "https://factcheck-desk.example.org/schemas/claim.schema.json"


def claim_schema() -> dict[str, Any]:
    schema = Claim.model_json_schema(mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID,
            "title": "Fact-check claim", **{k: v for k, v in schema.items() if k != "title"}}


def schema_text() -> str:
    return json.dumps(claim_schema(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def write_schema(path: Path = SCHEMA_PATH) -> bool:
    """Write the schema; return True when the file changed."""
    text = schema_text()
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return True
