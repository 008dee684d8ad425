"""Editor documentation generated from the model, so the docs cannot drift from the validator."""

from __future__ import annotations

from typing import Any, get_args, get_origin

from jinja2 import Environment
from pydantic import BaseModel

from .model import Claim, Correction, ExternalSource, Statement, Verdict


def _type_name(annotation: Any) -> str:
    origin = get_origin(annotation)
    args = [a for a in get_args(annotation) if a is not type(None)]
    if origin is list:
        return f"list of {_type_name(args[0])}"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation.__name__
    if args and origin is not None and str(origin).endswith("Annotated"):
        return _type_name(args[0])
    if args:
        names = [_type_name(a) for a in args if not isinstance(a, (str, int))]
        if names:
            return " or ".join(dict.fromkeys(names))
        return " | ".join(repr(a) for a in args)
    return {"str": "text", "date": "date (YYYY-MM-DD)", "bool": "true/false", "int": "number"}.get(
        getattr(annotation, "__name__", str(annotation)), getattr(annotation, "__name__", str(annotation)))


def model_fields(model: type[BaseModel]) -> list[dict[str, Any]]:
    rows = []
    for name, info in model.model_fields.items():
        rows.append({"name": name, "type": _type_name(info.annotation), "required": info.is_required(),
                     "description": info.description or ""})
    return rows


def claim_format_reference(env: Environment) -> str:
    sections = [(model.__name__, (model.__doc__ or "").strip(), model_fields(model))
                for model in (Claim, Statement, ExternalSource, Verdict, Correction)]
    return env.get_template("claim_format.html").render(sections=sections)
