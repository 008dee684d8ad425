"""The editing screen at /admin/: Decap CMS, configured from the model the validator uses.

The configuration (admin/config.yml in the publication) is generated, like the JSON Schema: every
field of a claim, a source, a speaker and a topic becomes a form field whose widget, required flag,
pattern and hint come from the pydantic model. Only the `backend` section is the publication's own
(which repository, which branch, which sign-in service); `factcheck cms --write` keeps it and
regenerates the rest, and `factcheck cms --check` fails when the model and the configuration drift.

References to the publication's own data are pickers: speakers and topics are relation widgets
on data/speakers.yaml and data/topics.yaml (written as lists, the shape relation widgets read),
archived sources a relation on seeds/, and the verdict a select built from data/verdicts.yaml.

Everything the CMS can write is inside claims/, data/ and seeds/ (`config_path_problems`).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from html import escape
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from .corpus import Corpus, Project
from .diagnostics import Diagnostics
from .model import LINE_PATTERN, SLUG_PATTERN, TEXT_PATTERN, URL_PATTERN, Claim, Seed, Speaker, Topic, VerdictLevel
from .yamlsafe import load_yaml

TEMPLATES = Path(__file__).parent / "templates" / "cms"
VENDORED_SCRIPT = TEMPLATES / "decap-cms.js"
NPM_FOLDER = Path(__file__).resolve().parents[1] / "tools" / "cms"
NPM_SCRIPT = NPM_FOLDER / "node_modules" / "decap-cms" / "dist" / "decap-cms.js"
CONFIG_FILE = "admin/config.yml"
OUTPUT_FOLDER = "admin"
HEADER = ("# The editing screen at /admin/ (Decap CMS). Generated from generator/model.py by\n"
          "# `factcheck cms --write`: edit only the backend section (which repository, branch and sign-in\n"
          "# service); the rest is regenerated from the model, and `factcheck cms --check` fails when it drifts.\n")
DEFAULT_BACKEND: dict[str, Any] = {"name": "github", "repo": "your-organisation/your-publication", "branch": "main"}
MEDIA_FOLDER = "uploads"
"""Under seeds/: Decap needs a media folder even when no field takes a file; nothing reads it."""

PATTERN_MESSAGES = {
    SLUG_PATTERN: "Lowercase letters, digits and single hyphens, e.g. sergey-lavrov.",
    TEXT_PATTERN: "Must not be empty or hold invisible control characters.",
    LINE_PATTERN: "One line of text, without invisible control characters.",
    URL_PATTERN: "An http:// or https:// link.",
}


class CmsConfigError(Exception):
    """The committed configuration cannot be read or is unsafe; the message is for editors."""


@dataclass(frozen=True)
class Reference:
    """A field that names an entry of the publication's own data."""

    kind: str  # "speakers", "topics", "seeds" or "verdicts"
    multiple: bool = False


REFERENCES: dict[str, Reference] = {
    "speaker": Reference("speakers"),
    "source": Reference("seeds"),
    "rating": Reference("verdicts"),
    "topics": Reference("topics", multiple=True),
}
"""Field name -> what it refers to, for the fields of a claim that hold an id (or a list of ids).
`test_cms_config` fails when a claim gains an id field that is not listed here."""

REQUIRED_IN_CMS = {("Claim", "id"): "The file name: lowercase words joined by hyphens, e.g. "
                                     "lavrov-summit-prepared. Required here because the CMS names the file "
                                     "after it; keep it equal to the file name when editing."}
"""Fields optional in the file but required in the form, and the hint that says why."""

REFERENCE_HINTS = {
    "speakers": "Pick who said it; add a new speaker under 'Speakers and topics' first.",
    "seeds": "Pick the archived article the quote comes from (archive a new one with `factcheck archive URL`).",
    "verdicts": "The rating, from the publication's verdict scale (data/verdicts.yaml).",
    "topics": "Pick one or more topics; add a new topic under 'Speakers and topics' first.",
}

MARKDOWN_MARK = "Markdown"
"""A text field whose description mentions Markdown gets the Markdown editor."""


# --- the configuration ---------------------------------------------------------------------------

def _optional(prop: Mapping[str, Any]) -> tuple[Mapping[str, Any], bool]:
    """(the non-null alternative, whether null is allowed) of a schema property."""
    options = prop.get("anyOf")
    if options and any(o.get("type") == "null" for o in options):
        rest = [o for o in options if o.get("type") != "null"]
        inner = rest[0] if len(rest) == 1 else {"anyOf": rest}
        merged = {**inner, **{k: v for k, v in prop.items() if k not in ("anyOf", "default")}}
        return merged, True
    return prop, False


def _ref_name(prop: Mapping[str, Any]) -> str | None:
    ref = prop.get("$ref")
    return str(ref).rsplit("/", 1)[-1] if ref else None


class _Builder:
    def __init__(self, project: Project, verdicts: list[VerdictLevel]) -> None:
        self.project = project
        self.verdicts = verdicts
        self.defs: dict[str, Any] = {}
        self.references = True

    def model_fields(self, model: type[Any]) -> list[dict[str, Any]]:
        schema = model.model_json_schema(mode="validation")
        self.defs.update(schema.get("$defs", {}))
        return self.object_fields(model.__name__, schema)

    def object_fields(self, owner: str, schema: Mapping[str, Any]) -> list[dict[str, Any]]:
        required = set(schema.get("required", []))
        return [self.field(owner, name, prop, name in required)
                for name, prop in schema.get("properties", {}).items()]

    def field(self, owner: str, name: str, prop: Mapping[str, Any], required: bool) -> dict[str, Any]:
        inner, _ = _optional(prop)
        out: dict[str, Any] = {"name": name, "label": name.replace("_", " ").capitalize()}
        description = prop.get("description") or inner.get("description")
        if (owner, name) in REQUIRED_IN_CMS:
            required, description = True, REQUIRED_IN_CMS[(owner, name)]
        reference = REFERENCES.get(name) if self.references else None
        if reference is not None:
            description = REFERENCE_HINTS[reference.kind]
        if description:
            out["hint"] = description
        if reference is not None:
            out.update(self.reference(reference))
        else:
            out.update(self.widget(inner, description or ""))
        if not required:
            out["required"] = False
        if "default" in prop and prop["default"] not in (None, []):
            out["default"] = prop["default"]
        return out

    def widget(self, prop: Mapping[str, Any], description: str) -> dict[str, Any]:
        name = _ref_name(prop)
        if name is not None:
            definition = self.defs[name]
            return {"widget": "object", "collapsed": False, "fields": self.object_fields(name, definition)}
        kind = prop.get("type")
        if "enum" in prop or "const" in prop:
            values = prop.get("enum", [prop.get("const")])
            return {"widget": "select", "options": list(values)}
        if kind == "boolean":
            return {"widget": "boolean"}
        if kind == "integer":
            out: dict[str, Any] = {"widget": "number", "value_type": "int"}
            if "minimum" in prop:
                out["min"] = prop["minimum"]
            if "maximum" in prop:
                out["max"] = prop["maximum"]
            return out
        if kind == "array":
            return self.array_widget(prop)
        if kind == "string":
            return self.string_widget(prop, description)
        raise CmsConfigError(f"no CMS widget for the model type {dict(prop)!r}; add one to generator/cms.py")

    def array_widget(self, prop: Mapping[str, Any]) -> dict[str, Any]:
        items = prop.get("items", {})
        item_ref = _ref_name(items)
        out: dict[str, Any] = {"widget": "list"}
        if item_ref is not None:
            out.update(collapsed=False, fields=self.object_fields(item_ref, self.defs[item_ref]))
            label = self.defs[item_ref].get("title", item_ref)
            out["label_singular"] = re.sub(r"(?<!^)(?=[A-Z])", " ", label).lower()
        else:
            out["field"] = {"name": "item", "label": "Item", **self.widget(items, "")}
        if "minItems" in prop:
            out["min"] = prop["minItems"]
        return out

    @staticmethod
    def string_widget(prop: Mapping[str, Any], description: str) -> dict[str, Any]:
        fmt = prop.get("format")
        if fmt == "date":
            return {"widget": "datetime", "date_format": "YYYY-MM-DD", "time_format": False}
        if fmt == "date-time":
            return {"widget": "datetime", "format": "YYYY-MM-DDTHH:mm:ss[Z]", "date_format": "YYYY-MM-DD",
                    "time_format": "HH:mm:ss", "picker_utc": True}
        pattern = prop.get("pattern")
        out: dict[str, Any]
        if MARKDOWN_MARK in description:
            out = {"widget": "markdown", "modes": ["raw", "rich_text"], "sanitize_preview": True,
                   "buttons": ["bold", "italic", "link", "heading-three", "quote", "bulleted-list",
                               "numbered-list"], "editor_components": []}
        elif pattern == TEXT_PATTERN:
            out = {"widget": "text"}
        else:
            out = {"widget": "string"}
        if pattern:
            out["pattern"] = [pattern, PATTERN_MESSAGES.get(pattern, f"Must match {pattern}")]
        return out

    def reference(self, reference: Reference) -> dict[str, Any]:
        if reference.kind == "verdicts":
            return {"widget": "select", "options": [{"label": v.label, "value": v.id} for v in self.verdicts]}
        if reference.kind == "seeds":
            return {"widget": "relation", "collection": "seeds", "value_field": "{{slug}}",
                    "search_fields": ["title", "outlet"], "display_fields": ["outlet", "title", "published"],
                    "options_length": 50}
        key = reference.kind
        out = {"widget": "relation", "collection": "data", "file": key, "value_field": f"{key}.*.id",
               "search_fields": [f"{key}.*.name", f"{key}.*.id"], "display_fields": [f"{key}.*.name"],
               "options_length": 50}
        if reference.multiple:
            out["multiple"] = True
        return out

    def data_entry(self, model: type[Any], key: str, label: str, singular: str) -> dict[str, Any]:
        example = "sergey-lavrov" if key == "speakers" else "bilateral-summit"
        id_field = {"name": "id", "label": "Id", "widget": "string",
                    "pattern": [SLUG_PATTERN, PATTERN_MESSAGES[SLUG_PATTERN]],
                    "hint": f"Identifier the claims use, e.g. {example}; changing it breaks the claims that use it."}
        return {"name": key, "label": label, "file": f"{self.project.data_dir}/{key}.yaml",
                "fields": [{"name": key, "label": label, "label_singular": singular, "widget": "list",
                            "collapsed": True, "summary": "{{fields.name}} ({{fields.id}})",
                            "fields": [id_field, *self.model_fields(model)]}]}


def collections(project: Project, verdicts: list[VerdictLevel]) -> list[dict[str, Any]]:
    build = _Builder(project, verdicts)
    claim_fields = build.model_fields(Claim)
    build.references = False
    seed_fields = build.model_fields(Seed)
    data_files = [build.data_entry(Speaker, "speakers", "Speakers", "speaker"),
                  build.data_entry(Topic, "topics", "Topics", "topic")]
    return [
        {"name": "claims", "label": "Fact-checks", "label_singular": "Fact-check",
         "description": "One file per fact-check in claims/. Saving opens a pull request; the site is rebuilt "
                        "when an editor merges it.",
         "folder": project.claims_dir, "extension": "yaml", "format": "yaml", "create": True, "delete": False,
         "identifier_field": "id", "slug": "{{slug}}", "summary": "{{claim}}",
         "sortable_fields": ["published", "claim"],
         "view_filters": [{"label": v.label, "field": "verdict.rating", "pattern": f"^{v.id}$"} for v in verdicts],
         "fields": claim_fields},
        {"name": "seeds", "label": "Archived sources", "label_singular": "Archived source",
         "description": "Metadata of the articles archived in seeds/. Archive a new one with "
                        "`factcheck archive URL`, which also saves its text and a WARC record.",
         "folder": project.seeds_dir, "extension": "yaml", "format": "yaml", "create": False, "delete": False,
         "identifier_field": "title", "summary": "{{outlet}}: {{title}} ({{published}})", "fields": seed_fields},
        {"name": "data", "label": "Speakers and topics", "format": "yaml", "delete": False, "files": data_files},
    ]


def generated_config(project: Project, verdicts: list[VerdictLevel], backend: Mapping[str, Any] | None,
                     site_url: str = "") -> dict[str, Any]:
    config: dict[str, Any] = {"backend": dict(backend or DEFAULT_BACKEND)}
    config["backend"].setdefault("name", "github")
    config["publish_mode"] = "editorial_workflow"
    if site_url:
        config["site_url"] = config["display_url"] = site_url
    config.update({"locale": "en", "media_folder": f"{project.seeds_dir}/{MEDIA_FOLDER}",
                   "slug": {"encoding": "ascii", "clean_accents": True, "sanitize_replacement": "-"},
                   "collections": collections(project, verdicts)})
    return config


def config_text(config: Mapping[str, Any]) -> str:
    return HEADER + yaml.safe_dump(dict(config), allow_unicode=True, sort_keys=False, width=110)


def config_path(project: Project) -> Path:
    return project.root / CONFIG_FILE


def read_config(project: Project) -> dict[str, Any] | None:
    """The committed configuration, or None when the publication has none (no CMS)."""
    path = config_path(project)
    if not path.is_file():
        return None
    diagnostics = Diagnostics()
    loaded = load_yaml(path.read_text(encoding="utf-8"), project.rel(path), diagnostics)
    if loaded is None or diagnostics.errors:
        raise CmsConfigError("\n".join(d.text() for d in diagnostics.errors) or f"{project.rel(path)}: unreadable")
    data: dict[str, Any] = loaded.data
    return data


def expected_text(project: Project, corpus_verdicts: list[VerdictLevel], site_url: str = "") -> str:
    current = read_config(project)
    backend = current.get("backend") if current and isinstance(current.get("backend"), dict) else None
    return config_text(generated_config(project, corpus_verdicts, backend, site_url))


# --- safety: where the CMS can write -------------------------------------------------------------

def _inside(value: object, roots: tuple[str, ...]) -> bool:
    if not isinstance(value, str) or not value or "\\" in value or "{{" in value:
        return False
    path = PurePosixPath(value)
    if path.is_absolute() or ".." in path.parts or "~" in value:
        return False
    return bool(path.parts) and path.parts[0] in roots


def config_path_problems(project: Project, config: Mapping[str, Any]) -> list[str]:
    """Every place in `config` that lets the CMS write outside claims/, data/ and seeds/."""
    roots = (project.claims_dir, project.data_dir, project.seeds_dir)
    problems = []
    for key in ("media_folder",):
        if not _inside(config.get(key), roots):
            problems.append(f"{key}: {config.get(key)!r} is outside {', '.join(r + '/' for r in roots)}")
    for index, collection in enumerate(config.get("collections") or []):
        problems.extend(_collection_problems(collection, f"collections[{index}]", roots))
    return problems


def _collection_problems(collection: object, where: str, roots: tuple[str, ...]) -> list[str]:
    if not isinstance(collection, dict):
        return [f"{where}: not a mapping"]
    outside = f"is outside {', '.join(roots)}"
    problems = [f"{where}.{key}: not allowed (it can move files out of the content folders)"
                for key in ("path", "media_folder", "nested", "meta") if key in collection]
    if "folder" in collection and not _inside(collection["folder"], roots):
        problems.append(f"{where}.folder: {collection['folder']!r} {outside}")
    for number, entry in enumerate(collection.get("files") or []):
        file = entry.get("file") if isinstance(entry, dict) else entry
        if not _inside(file, roots):
            problems.append(f"{where}.files[{number}].file: {file!r} {outside}")
    if "folder" not in collection and "files" not in collection:
        problems.append(f"{where}: has neither folder nor files")
    for path, field in _walk_fields(collection.get("fields") or [], where):
        problems.extend(f"{path}.{key}: {field[key]!r} {outside}" for key in ("media_folder", "public_folder")
                        if key in field and not _inside(field[key], roots))
    return problems


def _walk_fields(fields: list[Any], where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    for index, field in enumerate(fields):
        if not isinstance(field, dict):
            continue
        path = f"{where}.fields[{index}]"
        yield path, field
        yield from _walk_fields(field.get("fields") or [], path)


# --- the site: /admin/ ---------------------------------------------------------------------------

def preview_data(corpus: Corpus) -> dict[str, Any]:
    """What the preview shows beside the form: verdict labels and colours, speakers, sources."""
    return {
        "verdicts": {v.id: {"label": v.label, "colour": v.colour, "icon": v.icon} for v in corpus.verdict_order()},
        "speakers": {k: {"name": s.name, "role": s.role} for k, s in sorted(corpus.speakers.items())},
        "topics": {k: t.name for k, t in sorted(corpus.topics.items())},
        "seeds": {k: {"outlet": s.outlet, "title": s.title, "published": s.published.isoformat(), "url": s.url}
                  for k, s in sorted(corpus.seeds.items())},
    }


def admin_page(site_name: str, script_digest: str) -> str:
    return (TEMPLATES / "index.html").read_text(encoding="utf-8").replace(
        "{{ site_name }}", escape(site_name)).replace("{{ script_version }}", script_digest[:12])


def site_files(project: Project, corpus: Corpus, site_name: str, folder: Path) -> dict[str, Path]:
    """/admin/ of the built site, by output path: the page, the configuration, the vendored Decap
    CMS script, our preview template and its data. Empty when the publication has no
    admin/config.yml (run `factcheck cms --write` to add the editing screen)."""
    config = read_config(project)
    if config is None:
        return {}
    problems = config_path_problems(project, config)
    if problems:
        raise CmsConfigError(f"{CONFIG_FILE}: the CMS could write outside the content folders:\n  "
                             + "\n  ".join(problems))
    script_digest = hashlib.sha256(VENDORED_SCRIPT.read_bytes()).hexdigest()
    out = folder / OUTPUT_FOLDER
    out.mkdir(parents=True, exist_ok=True)
    written = {"index.html": admin_page(site_name, script_digest),
               "preview-data.json": json.dumps(preview_data(corpus), ensure_ascii=False, sort_keys=True)}
    files: dict[str, Path] = {}
    for name, text in written.items():
        target = out / name
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
        files[f"{OUTPUT_FOLDER}/{name}"] = target
    files[f"{OUTPUT_FOLDER}/config.yml"] = config_path(project)
    for name in ("decap-cms.js", "preview.js", "preview.css"):
        files[f"{OUTPUT_FOLDER}/{name}"] = TEMPLATES / name
    return files


def vendored_script_matches() -> bool | None:
    """Whether the vendored script is the one in the pinned npm package (None: not installed)."""
    if not NPM_SCRIPT.is_file():
        return None
    return NPM_SCRIPT.read_bytes() == VENDORED_SCRIPT.read_bytes()


def vendor_script() -> None:
    """Copy decap-cms.js from the installed npm package (tools/cms) into the generator's templates."""
    if not NPM_SCRIPT.is_file():
        raise CmsConfigError(f"{NPM_SCRIPT} is missing; run `npm ci --prefix tools/cms` first")
    shutil.copyfile(NPM_SCRIPT, VENDORED_SCRIPT)


# --- the command ---------------------------------------------------------------------------------

def run(project: Project, *, write: bool, check: bool, repo: str | None = None, branch: str | None = None,
        auth_url: str | None = None) -> int:
    """`factcheck cms`: print, --write or --check admin/config.yml. Exit 0, or 1 when it is out of
    date, unsafe or cannot be generated (the message says what to run)."""
    import sys

    from .corpus import load_verdicts

    diagnostics = Diagnostics()
    verdicts = sorted(load_verdicts(project, diagnostics).values(), key=lambda v: -v.value)
    if diagnostics.errors:
        print("factcheck cms: the verdict scale has errors; fix them first:\n"
              + "\n".join(d.text() for d in diagnostics.errors), file=sys.stderr)
        return 1
    path, rel = config_path(project), project.rel(config_path(project))
    try:
        current = read_config(project)
    except CmsConfigError as exc:
        print(f"factcheck cms: {exc}", file=sys.stderr)
        return 1
    backend = dict(current["backend"]) if current and isinstance(current.get("backend"), dict) else None
    if repo or branch or auth_url:
        backend = backend or dict(DEFAULT_BACKEND)
        backend.update({k: v for k, v in (("repo", repo), ("branch", branch), ("base_url", auth_url)) if v})
    text = config_text(generated_config(project, verdicts, backend))
    if check:
        if current is None:
            print(f"factcheck cms: {rel} is missing; run `factcheck cms --write`", file=sys.stderr)
            return 1
        problems = config_path_problems(project, current)
        if problems:
            print(f"factcheck cms: {rel}: the CMS could write outside the content folders:\n  "
                  + "\n  ".join(problems), file=sys.stderr)
            return 1
        if path.read_text(encoding="utf-8") != text:
            print(f"factcheck cms: {rel} is out of date with the model or data/verdicts.yaml; "
                  "run `factcheck cms --write` and commit the result", file=sys.stderr)
            return 1
        return 0
    if write:
        changed = not path.is_file() or path.read_text(encoding="utf-8") != text
        if changed:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        print(f"{rel} {'updated' if changed else 'already up to date'}", file=sys.stderr)
        return 0
    print(text, end="")
    return 0
