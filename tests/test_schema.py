"""The JSON Schema shipped to editors is generated from the model and agrees with it."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from pydantic import ValidationError

from generator.diagnostics import Diagnostics
from generator.model import Claim
from generator.schema import SCHEMA_PATH, schema_text
from generator.yamlsafe import load_yaml

from .conftest import REPO

CASES = yaml.safe_load((Path(__file__).parent / "fixtures" / "schema_cases.yaml").read_text(encoding="utf-8"))
# The first shipped claim whose statement has a date (the no-statement-date case deletes it).
BASE_FILE = next(p for p in sorted((REPO / "claims").glob("*.yaml"))
                 if "date" in yaml.safe_load(p.read_text(encoding="utf-8"))["statement"])


def _load(path: Path):
    loaded = load_yaml(path.read_text(encoding="utf-8"), path.name, Diagnostics())
    assert loaded is not None
    return loaded.data


def _apply(case: dict):
    if "replace" in case:
        return case["replace"]
    data = copy.deepcopy(_load(BASE_FILE))
    for dotted, value in (case.get("set") or {}).items():
        *parents, last = [int(p) if p.isdigit() else p for p in dotted.split(".")]
        node = data
        for part in parents:
            node = node[part]
        node[last] = value
    for dotted in case.get("delete", []):
        *parents, last = [int(p) if p.isdigit() else p for p in dotted.split(".")]
        node = data
        for part in parents:
            node = node[part]
        del node[last]
    return data


VALIDATOR = jsonschema.Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")),
                                            format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def model_accepts(data) -> bool:
    try:
        Claim.model_validate(data)
    except ValidationError:
        return False
    return True


def schema_accepts(data) -> bool:
    return VALIDATOR.is_valid(data)


def test_shipped_schema_is_generated_from_the_model() -> None:
    assert SCHEMA_PATH.read_text(encoding="utf-8") == schema_text(), "run `factcheck schema --write`"


@pytest.mark.parametrize("path", sorted((REPO / "claims").glob("*.yaml")) +
                         sorted((REPO / "tests" / "golden" / "project" / "claims").glob("*.yaml")),
                         ids=lambda p: p.stem)
def test_published_claims_pass_both(path: Path) -> None:
    data = _load(path)
    assert model_accepts(data) and schema_accepts(data)


@pytest.mark.parametrize("case", CASES["valid"], ids=lambda c: c["name"])
def test_valid_variants_pass_both(case: dict) -> None:
    data = _apply(case)
    assert model_accepts(data), "model rejects"
    assert schema_accepts(data), "schema rejects"


@pytest.mark.parametrize("case", CASES["invalid"], ids=lambda c: c["name"])
def test_invalid_variants_fail_both(case: dict) -> None:
    data = _apply(case)
    assert not model_accepts(data), "model accepts"
    assert not schema_accepts(data), "schema accepts"


def test_every_claim_file_points_editors_at_the_schema() -> None:
    for path in sorted((REPO / "claims").glob("*.yaml")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=../generator/schemas/claim.schema.json", path
    settings = json.loads((REPO / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    assert settings["yaml.schemas"]["./generator/schemas/claim.schema.json"] == ["claims/*.yaml", "claims/*.yml"]


def test_claim_format_page_documents_every_field(built_site: Path) -> None:
    from generator.model import Correction, ExternalSource, Statement, Verdict

    html = (built_site / "claim-format" / "index.html").read_text(encoding="utf-8")
    for model in (Claim, Statement, ExternalSource, Verdict, Correction):
        section = html[html.index(f'id="format-{model.__name__.lower()}"'):]
        section = section[: section.index("</table>")]
        for name in model.model_fields:
            assert f"<td><code>{name}</code></td>" in section, (model.__name__, name)
    assert "<td>date (YYYY-MM-DD)</td>" in html and "<td>id or ExternalSource</td>" in html
