"""`factcheck init DIR`: start a new publication that validates and builds from the first run.

It writes the MkDocs configuration with the plugin, the reader pages, the publication file to
fill in (data/publication.yaml, marked as a draft), a verdict scale chosen from common ones, the
speakers and topics files, the GitHub workflows, .gitignore and one example draft claim with its
example source. Everything comes from templates inside the package (templates/init/), so an
installed tool can start a publication without the tool's own repository.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from . import model
from .corpus import placeholder_address
from .model import EMAIL_PATTERN, URL_PATTERN, Claim
from .scaffold import NewClaim

TEMPLATES = Path(__file__).resolve().parent / "templates" / "init"
SCALES = {"evidence": "five ratings by how far the record bears a claim out (the sample's scale)",
          "three": "True, Misleading, False",
          "six": "from True to False, with Unproven for claims the evidence cannot settle"}
DEFAULT_SCALE = "evidence"
RENAMED = {"gitignore": ".gitignore", "github": ".github"}
"""Files kept in the package under names that packaging tools do not skip, and their real names."""
EXAMPLE_CLAIM = "example-draft-claim"

_EMAIL = re.compile(EMAIL_PATTERN)
_URL = re.compile(URL_PATTERN)


class InitError(Exception):
    """The publication cannot be started as asked; the message says why and what to do."""


@dataclass
class Reach:
    """An address readers use for one purpose: an email address, a web address, or neither."""

    email: str | None = None
    url: str | None = None

    @classmethod
    def parse(cls, value: str | None, what: str) -> Reach:
        if not value:
            return cls()
        value = value.strip()
        if placeholder_address(value):
            raise InitError(f"--{what}: {value!r} is a placeholder address; give one that someone reads, "
                            "or leave the option out and fill it in later")
        if _EMAIL.match(value):
            return cls(email=value)
        if _URL.match(value):
            return cls(url=value)
        raise InitError(f"--{what}: {value!r} is neither an email address nor an http(s):// address")


@dataclass
class NewPublication:
    name: str
    site_url: str
    description: str = ""
    language: str = "en"
    scale: str = DEFAULT_SCALE
    contact: Reach = field(default_factory=Reach)
    corrections: Reach = field(default_factory=Reach)
    submit: Reach = field(default_factory=Reach)
    today: dt.date = field(default_factory=dt.date.today)

    def problems(self) -> list[str]:
        out = []
        if not self.name.strip() or "\n" in self.name:
            out.append("--name: give the publication's name on one line")
        if not _URL.match(self.site_url):
            out.append(f"--site-url: {self.site_url!r} is not an http(s):// address, e.g. https://factcheck.example.org/")
        if self.scale not in SCALES:
            out.append(f"--scale: {self.scale!r} is not one of {', '.join(SCALES)}")
        if not re.fullmatch(r"[a-z]{2}(-[A-Z]{2})?", self.language):
            out.append(f"--language: {self.language!r} is not a language code such as en or pt-BR")
        return out


def _yaml(value: str) -> str:
    """A YAML scalar for any text: a JSON string is a valid double-quoted YAML string."""
    return json.dumps(value, ensure_ascii=False)


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), undefined=StrictUndefined, autoescape=False,
                      keep_trailing_newline=True)
    env.filters["yaml"] = _yaml
    env.filters["yaml_or_blank"] = lambda value: _yaml(value) if value else ""
    return env


def _version() -> str:
    try:
        return metadata.version("factcheck-desk")
    except metadata.PackageNotFoundError:  # running from a source tree that was never installed
        return "0.1.0"


def example_claim(new: NewPublication, verdict: str) -> str:
    """The example claim: a draft (never published) with every text still to be written."""
    skeleton = NewClaim(speaker="example-speaker", source="example-source", verdict=verdict, topics=["example-topic"],
                        claim_id=EXAMPLE_CLAIM, published=new.today)
    text = skeleton.render(f"claims/{EXAMPLE_CLAIM}.yaml")
    lines = [line for line in text.splitlines() if "yaml-language-server" not in line]
    header = ["# yaml-language-server: $schema=../schemas/claim.schema.json",
              "# An example claim, written by `factcheck init` to show the shape of a fact-check.",
              "# It is a draft: it is never published, and its TODO texts are not errors. Copy it (or run",
              "# `factcheck new`) for your first fact-check, then delete it with the example speaker,",
              "# topic and source (data/speakers.yaml, data/topics.yaml, seeds/example-source.*)."]
    draft = ["draft: true"] if "draft" in Claim.model_fields else []
    return "\n".join(header + lines + draft) + "\n"


def _first_rating(scale_text: str) -> str:
    match = re.search(r"^- id: ([a-z0-9-]+)$", scale_text, re.MULTILINE)
    if match is None:
        raise InitError(f"the {scale_text[:20]!r} scale template has no rating")
    return match.group(1)


def init(target: Path, new: NewPublication) -> list[Path]:
    """Write a new publication into `target` (missing or empty); return the files written."""
    problems = new.problems()
    if problems:
        raise InitError("; ".join(problems))
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise InitError(f"{target} already exists and is not empty; give a new folder")
    env = _environment()
    contents: dict[str, str] = {
        "mkdocs.yml": env.get_template("mkdocs.yml.j2").render(
            name=new.name, site_url=new.site_url if new.site_url.endswith("/") else new.site_url + "/",
            description=new.description or f"Fact-checks by {new.name}.", language=new.language),
        "data/publication.yaml": env.get_template("publication.yaml.j2").render(
            name=new.name, contact=new.contact, corrections=new.corrections, submit=new.submit),
        "requirements.txt": env.get_template("requirements.txt.j2").render(version=_version()),
    }
    scale = (TEMPLATES / "scales" / f"{new.scale}.yaml").read_text(encoding="utf-8")
    contents["data/verdicts.yaml"] = scale
    contents[f"claims/{EXAMPLE_CLAIM}.yaml"] = example_claim(new, _first_rating(scale))
    schema = Path(model.__file__).resolve().parent / "schemas" / "claim.schema.json"
    if schema.is_file():
        contents["schemas/claim.schema.json"] = schema.read_text(encoding="utf-8")

    written: list[Path] = []
    target.mkdir(parents=True, exist_ok=True)
    files = TEMPLATES / "files"
    for source in sorted(p for p in files.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        parts = source.relative_to(files).parts
        destination = target.joinpath(RENAMED.get(parts[0], parts[0]), *parts[1:])
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, destination)
        written.append(destination)
    for rel, text in contents.items():
        destination = target / rel
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_text(text, encoding="utf-8")
        written.append(destination)
    return sorted(written)
