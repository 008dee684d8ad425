"""The browser CMS (generator/cms.py): its configuration follows the model and stays inside the
content folders; claim files survive the way a CMS rewrites YAML; /admin/ in the built site is
valid, self-hosted and kept out of search, feeds and the sitemap; files the CMS writes are
validated like any other (tests/hostile/cms/)."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import sys
import types
import typing
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from generator import cms
from generator.cli import main
from generator.corpus import Project, load_corpus
from generator.model import Claim, Seed, Speaker, Topic

from .conftest import REPO, copy_publication, mkdocs_build

HOSTILE_CMS = Path(__file__).parent / "hostile" / "cms"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def _config() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((REPO / cms.CONFIG_FILE).read_text(encoding="utf-8"))
    return data


def _collection(config: dict[str, Any], name: str) -> dict[str, Any]:
    return next(c for c in config["collections"] if c["name"] == name)


# --- the configuration follows the model ---------------------------------------------------------

def test_the_committed_configuration_is_the_generated_one(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "--root", str(REPO), "cms", "--check")
    assert code == 0, f"{err}\nRun `factcheck cms --write` and commit admin/config.yml"


def test_check_fails_on_drift_and_write_repairs_it_keeping_the_backend(tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    pub = copy_publication(tmp_path / "pub")
    shutil.copytree(REPO / "admin", pub / "admin", dirs_exist_ok=True)
    path = pub / cms.CONFIG_FILE
    path.write_text(path.read_text(encoding="utf-8").replace("widget: markdown", "widget: string", 1),
                    encoding="utf-8")
    code, _, err = _run(capsys, "--root", str(pub), "cms", "--check")
    assert code == 1 and "admin/config.yml is out of date" in err and "factcheck cms --write" in err
    code, _, _ = _run(capsys, "--root", str(pub), "cms", "--write", "--repo", "newsroom/checks", "--auth-url",
                      "https://auth.newsroom.example")
    assert code == 0
    backend = yaml.safe_load(path.read_text(encoding="utf-8"))["backend"]
    assert backend == {"name": "github", "repo": "newsroom/checks", "branch": "main",
                       "base_url": "https://auth.newsroom.example"}
    assert _run(capsys, "--root", str(pub), "cms", "--check")[0] == 0
    # a change to the verdict scale changes the verdict picker: the check says so
    scale = pub / "data" / "verdicts.yaml"
    scale.write_text(scale.read_text(encoding="utf-8").replace("label: Disputed", "label: Contested"),
                     encoding="utf-8")
    assert _run(capsys, "--root", str(pub), "cms", "--check")[0] == 1


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """(the annotation without None, whether None is allowed)."""
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        return (rest[0] if len(rest) == 1 else typing.Union[tuple(rest)]), True  # noqa: UP007
    return annotation, False


def _expected_widget(owner: type[BaseModel], name: str, annotation: Any, description: str) -> str:
    if name in cms.REFERENCES and owner is not Seed:
        return "select" if cms.REFERENCES[name].kind == "verdicts" else "relation"
    inner, _ = _unwrap(annotation)
    origin = typing.get_origin(inner)
    if origin is typing.Literal:
        return "select"
    if origin is list:
        return "list"
    if isinstance(inner, type) and issubclass(inner, BaseModel):
        return "object"
    if inner is bool:
        return "boolean"
    if inner is int:
        return "number"
    schema = owner.model_json_schema()["properties"][name]
    text = json.dumps(schema)
    if '"format": "date' in text:
        return "datetime"
    if "Markdown" in description:
        return "markdown"
    return "text" if cms.TEXT_PATTERN.replace("\\", "\\\\") in text else "string"


def _check_fields(model: type[BaseModel], fields: list[dict[str, Any]], where: str, seen: list[str]) -> None:
    """Each field against the model: pydantic's own field list and types, and the JSON Schema's
    required list (the one editors' YAML language servers use)."""
    by_name = {f["name"]: f for f in fields}
    required = set(model.model_json_schema(mode="validation").get("required", []))
    assert list(by_name) == list(model.model_fields), f"{where}: fields differ from {model.__name__}"
    for name, info in model.model_fields.items():
        field, path = by_name[name], f"{where}.{name}"
        seen.append(path)
        description = info.description or ""
        widget = _expected_widget(model, name, info.annotation, description)
        assert field["widget"] == widget, f"{path}: widget {field['widget']!r}, expected {widget!r}"
        required_in_cms = (model.__name__, name) in cms.REQUIRED_IN_CMS
        assert field.get("required", True) == (name in required or required_in_cms), f"{path}: required"
        if name not in cms.REFERENCES and not required_in_cms and description:
            assert field["hint"] == description, f"{path}: the hint is not the model's description"
        inner, _ = _unwrap(info.annotation)
        patterns = [m.pattern for m in getattr(inner, "__metadata__", ()) if getattr(m, "pattern", None)]
        for meta in info.metadata:
            if getattr(meta, "pattern", None):
                patterns.append(meta.pattern)
        if field["widget"] in ("string", "text", "markdown") and patterns:
            assert field["pattern"][0] == patterns[0], f"{path}: pattern"
        item = typing.get_args(inner)[0] if typing.get_origin(inner) is list else inner
        if isinstance(item, type) and issubclass(item, BaseModel) and field["widget"] in ("list", "object"):
            _check_fields(item, field["fields"], path, seen)


def test_every_model_field_appears_with_its_widget_required_flag_hint_and_pattern() -> None:
    config = _config()
    seen: list[str] = []
    _check_fields(Claim, _collection(config, "claims")["fields"], "claims", seen)
    _check_fields(Seed, _collection(config, "seeds")["fields"], "seeds", seen)
    files = {f["name"]: f for f in _collection(config, "data")["files"]}
    for key, model in (("speakers", Speaker), ("topics", Topic)):
        (entries,) = files[key]["fields"]
        assert entries["widget"] == "list" and entries["fields"][0]["name"] == "id"
        _check_fields(model, entries["fields"][1:], key, seen)
    assert "claims.analysis" in seen and "claims.counter_statements.quote" in seen and len(seen) > 40


def test_widgets_named_by_the_issue() -> None:
    fields = {f["name"]: f for f in _collection(_config(), "claims")["fields"]}
    assert fields["analysis"]["widget"] == "markdown" and fields["analysis"]["sanitize_preview"] is True
    assert {f["name"]: f["widget"] for f in fields["corrections"]["fields"]} == {"date": "datetime",
                                                                                   "text": "markdown"}
    assert fields["published"]["widget"] == "datetime" and fields["published"]["time_format"] is False
    assert fields["counter_statements"]["widget"] == "list" and fields["counter_statements"]["min"] == 1
    said = {f["name"]: f for f in fields["statement"]["fields"]}
    assert said["speaker"]["widget"] == "relation"
    assert said["speaker"]["value_field"] == "speakers.*.id" and said["speaker"]["file"] == "speakers"
    assert said["source"]["collection"] == "seeds" and said["source"]["value_field"] == "{{slug}}"
    assert fields["topics"]["widget"] == "relation" and fields["topics"]["multiple"] is True
    rating = {f["name"]: f for f in fields["verdict"]["fields"]}["rating"]
    corpus, _ = load_corpus(Project(REPO))
    assert rating["options"] == [{"label": v.label, "value": v.id} for v in corpus.verdict_order()]
    assert fields["id"].get("required", True) is True


def test_every_id_field_of_a_claim_is_picked_from_the_publication_data() -> None:
    """A new field holding an id (a slug) must be a picker, or this test names it."""
    slug_fields = []

    def walk(schema: dict[str, Any], defs: dict[str, Any], where: str) -> None:
        for name, prop in schema.get("properties", {}).items():
            text = json.dumps(prop)
            ref = next((d for d in defs if f'"#/$defs/{d}"' in text), None)
            if cms.SLUG_PATTERN.replace("\\", "\\\\") in text and name != "id":
                slug_fields.append(name)
            if ref is not None and ref != "ExternalSource":
                walk(defs[ref], defs, f"{where}.{name}")

    schema = Claim.model_json_schema()
    walk(schema, schema["$defs"], "claim")
    assert slug_fields and set(slug_fields) <= set(cms.REFERENCES), sorted(set(slug_fields) - set(cms.REFERENCES))


# --- where the CMS can write ---------------------------------------------------------------------

def test_the_generated_configuration_writes_only_inside_claims_data_and_seeds() -> None:
    config = _config()
    assert cms.config_path_problems(Project(REPO), config) == []
    places = [c.get("folder") for c in config["collections"]] + [f["file"] for c in config["collections"]
                                                                  for f in c.get("files", [])]
    assert sorted(p.split("/")[0] for p in places if p) == ["claims", "data", "data", "seeds"]
    assert config["media_folder"].startswith("seeds/")


@pytest.mark.parametrize(("change", "reported"), [
    (lambda c: c["collections"][0].update(folder="../outside"), "collections[0].folder"),
    (lambda c: c["collections"][0].update(folder="/etc"), "collections[0].folder"),
    (lambda c: c["collections"][0].update(folder="claims/../.github/workflows"), "collections[0].folder"),
    (lambda c: c["collections"][0].update(folder="content"), "collections[0].folder"),
    (lambda c: c["collections"][0].update(path="../{{slug}}"), "collections[0].path"),
    (lambda c: c["collections"][0].update(nested={"depth": 100}), "collections[0].nested"),
    (lambda c: c["collections"][2]["files"][0].update(file=".github/workflows/deploy.yml"),
     "collections[2].files[0].file"),
    (lambda c: c["collections"][2]["files"][0].update(file="data\\..\\mkdocs.yml"), "collections[2].files[0].file"),
    (lambda c: c.update(media_folder="theme_overrides"), "media_folder"),
    (lambda c: c["collections"][0]["fields"][0].update(media_folder="../site"),
     "collections[0].fields[0].media_folder"),
], ids=["parent", "absolute", "dot-dot-inside", "other-folder", "path-template", "nested", "workflow-file",
        "backslashes", "media-folder", "field-media-folder"])
def test_a_configuration_that_could_write_elsewhere_is_refused(change, reported: str, tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    config = copy.deepcopy(_config())
    change(config)
    problems = cms.config_path_problems(Project(REPO), config)
    assert any(p.startswith(reported) for p in problems), problems
    pub = copy_publication(tmp_path / "pub")
    (pub / "admin").mkdir(exist_ok=True)
    (pub / cms.CONFIG_FILE).write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    code, _, err = _run(capsys, "--root", str(pub), "cms", "--check")
    assert code == 1 and "could write outside the content folders" in err and reported in err


def test_the_build_refuses_an_unsafe_configuration_without_a_traceback(tmp_path: Path) -> None:
    config = copy.deepcopy(_config())
    config["collections"][0]["folder"] = "../outside"
    pub = copy_publication(tmp_path / "pub")
    (pub / "admin").mkdir(exist_ok=True)
    (pub / cms.CONFIG_FILE).write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    built = subprocess.run([sys.executable, "-c", "import sys; from generator.cli import main; sys.exit(main())",
                            "--root", str(pub), "build", "--site-dir", str(tmp_path / "site")],
                           capture_output=True, text=True, check=False, cwd=REPO)
    assert built.returncode != 0 and "could write outside the content folders" in built.stderr
    assert "Traceback" not in built.stderr and not (tmp_path / "site" / "admin").exists()


# --- claim files survive the CMS -----------------------------------------------------------------

def _as_a_cms_writes(value: Any, flip: bool) -> Any:
    """Reorder every mapping (reversed or sorted) the way a form with another field order writes it."""
    if isinstance(value, dict):
        keys = sorted(value, reverse=flip)
        return {k: _as_a_cms_writes(value[k], flip) for k in keys}
    if isinstance(value, list):
        return [_as_a_cms_writes(v, flip) for v in value]
    return value


@pytest.mark.parametrize("style", ["block-reversed", "flow-sorted"])
def test_every_shipped_claim_and_data_file_survives_a_cms_rewrite(style: str, tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """Parse, reorder keys, drop comments and dump again (PyYAML standing in for the CMS's YAML
    library: other quoting, folding and flow style); the real validator must accept every file."""
    pub = copy_publication(tmp_path / "pub")
    flip, flow = style == "block-reversed", None if style == "flow-sorted" else False
    files = [*sorted((pub / "claims").glob("*.yaml")), pub / "data" / "speakers.yaml", pub / "data" / "topics.yaml"]
    for path in files:
        before = path.read_text(encoding="utf-8")
        data = yaml.safe_load(before)
        after = yaml.safe_dump(_as_a_cms_writes(data, flip), allow_unicode=True, sort_keys=False,
                               default_flow_style=flow, width=60)
        assert "#" not in after.split("\n")[0] and after != before
        path.write_text(after, encoding="utf-8")
    expected, _ = load_corpus(Project(REPO))
    code, out, _ = _run(capsys, "--root", str(pub), "validate", "--no-cache", "--format", "json")
    errors = [d for d in json.loads(out or "[]") if d["severity"] == "error"]
    assert code == 0 and errors == [], errors
    rewritten, _ = load_corpus(Project(pub))
    assert rewritten.claims == expected.claims and rewritten.speakers == expected.speakers


# --- data files as lists (the shape relation widgets read) ---------------------------------------

def test_list_shaped_data_keeps_positions_and_did_you_mean(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pub = copy_publication(tmp_path / "pub")
    speakers = pub / "data" / "speakers.yaml"
    text = speakers.read_text(encoding="utf-8")
    assert text.count("\n- id: ") >= 6, "the shipped speakers file is in the list shape"
    speakers.write_text(text + "- id: sergey-lavrov\n  name: Again\n  role: Twice\n- id: Bad Id\n  name: X\n"
                        "  role: Y\n- id: new-person\n  name: New\n  rol: Typo\n", encoding="utf-8")
    lines = speakers.read_text(encoding="utf-8").splitlines()
    claim = pub / "claims" / "lavrov-meeting-not-discussed-in-anchorage.yaml"
    claim.write_text(claim.read_text(encoding="utf-8").replace("speaker: sergey-lavrov", "speaker: sergey-lavrow"),
                     encoding="utf-8")
    code, out, _ = _run(capsys, "--root", str(pub), "validate", "--no-cache", "--format", "json")
    found = {(d["path"], d["line"], d["message"], d["hint"]) for d in json.loads(out) if d["severity"] == "error"}
    line_of = {row: i for i, row in enumerate(lines, 1)}
    assert code == 1
    assert ("data/speakers.yaml", line_of["- id: sergey-lavrov"], "id 'sergey-lavrov' is used twice",
            "give each entry its own id") in found
    assert any(f[:3] == ("data/speakers.yaml", line_of["- id: Bad Id"], "'Bad Id' is not a valid id") for f in found)
    assert any(f[0] == "data/speakers.yaml" and f[1] == line_of["  rol: Typo"] and "'rol'" in f[2]
               and "role" in f[3] for f in found), found
    assert any(f[0].endswith("anchorage.yaml") and "did you mean 'sergey-lavrov'?" in f[3] for f in found), found


def test_the_mapping_shape_is_still_accepted(tmp_path: Path) -> None:
    pub = copy_publication(tmp_path / "pub")
    for name in ("speakers", "topics"):
        path = pub / "data" / f"{name}.yaml"
        entries = yaml.safe_load(path.read_text(encoding="utf-8"))[name]
        path.write_text(yaml.safe_dump({e.pop("id"): e for e in entries}, allow_unicode=True), encoding="utf-8")
    corpus, diagnostics = load_corpus(Project(pub))
    expected, _ = load_corpus(Project(REPO))
    assert diagnostics.errors == [] and corpus.speakers == expected.speakers and corpus.topics == expected.topics


# --- what the CMS writes is untrusted input ------------------------------------------------------

CMS_CASES = yaml.safe_load((HOSTILE_CMS / "expected.yaml").read_text(encoding="utf-8"))


def test_every_cms_case_has_an_expectation() -> None:
    assert {p.stem for p in HOSTILE_CMS.glob("*.yaml") if p.name != "expected.yaml"} == set(CMS_CASES)


@pytest.mark.parametrize("name", sorted(CMS_CASES))
def test_a_hostile_file_written_through_the_cms_is_reported_in_place(name: str, tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    expected = CMS_CASES[name]
    pub = copy_publication(tmp_path / "pub")
    shutil.copyfile(HOSTILE_CMS / f"{name}.yaml", pub / "claims" / f"{name}.yaml")
    code, out, err = _run(capsys, "--root", str(pub), "validate", "--no-cache", "--format", "json",
                          str(pub / "claims" / f"{name}.yaml"))
    errors = [d for d in json.loads(out or "[]") if d["severity"] == "error"]
    assert code == 1 and "Traceback" not in err
    assert any(d["path"] == f"claims/{name}.yaml" and d["line"] == expected["line"] and d["field"] == expected["field"]
               and expected["message"] in d["message"] for d in errors), errors


# --- /admin/ in the built site -------------------------------------------------------------------

@pytest.fixture(scope="module")
def site_with_cms(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pub = copy_publication(tmp_path_factory.mktemp("cms-built") / "pub")
    shutil.copytree(REPO / "admin", pub / "admin", dirs_exist_ok=True)
    return mkdocs_build(pub)


def test_admin_is_served_self_hosted_and_kept_out_of_search_feeds_and_sitemap(site_with_cms: Path) -> None:
    admin = site_with_cms / "admin"
    assert sorted(p.name for p in admin.iterdir()) == ["config.yml", "decap-cms.js", "index.html",
                                                       "preview-data.json", "preview.css", "preview.js"]
    page = (admin / "index.html").read_text(encoding="utf-8")
    scripts = [line for line in page.splitlines() if "<script" in line]
    assert scripts and all('src="decap-cms.js?' in s or 'src="preview.js?' in s for s in scripts)
    assert "http" not in "".join(scripts) and 'data-pagefind-ignore="all"' in page and "noindex" in page
    assert "data-pagefind-body" not in page
    assert (admin / "decap-cms.js").read_bytes() == cms.VENDORED_SCRIPT.read_bytes()
    assert (admin / "config.yml").read_bytes() == (REPO / cms.CONFIG_FILE).read_bytes()
    published = [p for p in site_with_cms.rglob("*") if p.is_file() and p.suffix in (".xml", ".json", ".csv")
                 and "admin" not in p.parts and "pagefind" not in p.parts]
    assert published and not any("/admin/" in p.read_text(encoding="utf-8", errors="replace") for p in published)
    fragments = list((site_with_cms / "pagefind").rglob("*"))
    assert fragments, "the site was indexed"
    indexed = subprocess.run(["grep", "-rl", "Editing screen", str(site_with_cms / "pagefind")], check=False,
                             capture_output=True, text=True)
    assert indexed.stdout == ""
    preview = json.loads((admin / "preview-data.json").read_text(encoding="utf-8"))
    assert preview["verdicts"]["disputed"]["label"] == "Disputed" and "sergey-lavrov" in preview["speakers"]


def test_admin_page_passes_the_nu_html_checker(site_with_cms: Path, nu_checker: list[str]) -> None:
    result = subprocess.run([*nu_checker, "--errors-only", "--format", "json", "--stdout",
                             str(site_with_cms / "admin" / "index.html")], capture_output=True, text=True,
                            timeout=300, check=False)
    messages = json.loads(result.stdout or "{}").get("messages", [])
    assert [m for m in messages if m.get("type") == "error"] == [] and result.returncode == 0


def test_the_vendored_script_is_the_pinned_npm_package() -> None:
    lock = json.loads((REPO / "tools" / "cms" / "package-lock.json").read_text(encoding="utf-8"))
    package = json.loads((REPO / "tools" / "cms" / "package.json").read_text(encoding="utf-8"))
    pinned = package["devDependencies"]["decap-cms"]
    assert lock["packages"]["node_modules/decap-cms"]["version"] == pinned
    assert f"decap-cms {pinned}" in cms.VENDORED_SCRIPT.read_text(encoding="utf-8")[-4000:]
    if cms.vendored_script_matches() is not None:  # tools/cms installed (the browser test installs it)
        assert cms.vendored_script_matches(), (
            "copy tools/cms/node_modules/decap-cms/dist/decap-cms.js to generator/templates/cms/ "
            "after changing the pinned version")
