"""`factcheck init DIR` starts a publication that validates and builds strictly from the first run,
and the publication file it writes holds the transparency statement readers see (data/publication.yaml).
Real commands: the CLI in a subprocess and a real strict MkDocs build."""

from __future__ import annotations

import filecmp
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from generator.init import SCALES, TEMPLATES

from .conftest import REPO, mkdocs_build, text_of

NAME = "Harbour News Fact Check"
SITE = "https://factcheck.harbour-news.org/"


def factcheck(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator.cli", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=120, check=False)


def start(folder: Path, *extra: str) -> Path:
    result = factcheck("init", str(folder), "--name", NAME, "--site-url", SITE, *extra)
    assert result.returncode == 0, result.stderr
    return folder


@pytest.fixture
def started(tmp_path: Path) -> Path:
    return start(tmp_path / "desk", "--contact", "desk@harbour-news.org",
                 "--corrections", "https://harbour-news.org/corrections", "--submit", "tips@harbour-news.org")


def test_a_new_publication_validates_and_builds_strictly(started: Path) -> None:
    for rel in ("mkdocs.yml", "data/publication.yaml", "data/verdicts.yaml", "data/speakers.yaml", "data/topics.yaml",
                "content/index.md", "content/about.md", "content/contact.md", "content/corrections-policy.md",
                "content/submit-a-claim.md", "content/methodology.md", ".github/workflows/pull-request.yml",
                ".github/workflows/deploy.yml", ".gitignore", "requirements.txt", "claims/example-draft-claim.yaml"):
        assert (started / rel).is_file(), rel
    config = yaml.safe_load((started / "mkdocs.yml").read_text(encoding="utf-8"))
    assert config["site_name"] == NAME and config["site_url"] == SITE
    assert any(p == "factcheck" or (isinstance(p, dict) and "factcheck" in p) for p in config["plugins"])
    assert ".factcheck-cache/" in (started / ".gitignore").read_text(encoding="utf-8")

    validated = factcheck("--root", str(started), "validate", "--strict", "--no-cache")
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert "0 error(s), 0 warning(s)" in validated.stderr

    site = mkdocs_build(started)
    assert not (site / "claims" / "example-draft-claim").exists(), "the example draft was published"
    contact = text_of(site / "contact" / "index.html")
    assert "desk@harbour-news.org" in contact and "https://harbour-news.org/corrections" in contact
    assert "tips@harbour-news.org" in text_of(site / "submit-a-claim" / "index.html")
    home = text_of(site / "index.html")
    assert NAME in home and "is still being written" in home  # the footer says the statement is a draft
    assert "The publication has not stated this yet" in text_of(site / "about" / "index.html")


@pytest.mark.parametrize("scale", sorted(SCALES))
def test_every_offered_scale_validates(tmp_path: Path, scale: str) -> None:
    folder = start(tmp_path / scale, "--scale", scale)
    verdicts = yaml.safe_load((folder / "data" / "verdicts.yaml").read_text(encoding="utf-8"))
    assert len(verdicts) >= 3 and len({v["value"] for v in verdicts}) == len(verdicts)
    result = factcheck("--root", str(folder), "validate", "--strict", "--no-cache")
    assert result.returncode == 0, result.stdout + result.stderr


def test_once_out_of_draft_every_missing_value_is_reported_with_its_line(tmp_path: Path) -> None:
    folder = start(tmp_path / "desk")
    publication = folder / "data" / "publication.yaml"
    publication.write_text(publication.read_text(encoding="utf-8").replace("draft: true\n", ""), encoding="utf-8")
    lines = publication.read_text(encoding="utf-8").splitlines()

    relaxed = factcheck("--root", str(folder), "validate", "--no-cache")
    assert relaxed.returncode == 0
    strict = factcheck("--root", str(folder), "validate", "--strict", "--no-cache")
    assert strict.returncode == 1
    reported = re.findall(r"^data/publication\.yaml:(\d+):\d+: error: ([\w.]+)", strict.stdout, re.MULTILINE)
    fields = {name for _, name in reported}
    assert fields == {"summary", "organisation.statement", "ownership.statement", "funding.statement",
                      "team.statement", "contact", "corrections", "submit_claim"}, strict.stdout
    tops = [i for i, text in enumerate(lines, 1) if re.match(r"[a-z_]+:", text)]
    for line, name in reported:  # each points into its own section of the file, at a line to write in
        section = next(i for i in tops if lines[i - 1].startswith(f"{name.split('.')[0]}:"))
        following = [i for i in tops if i > section]
        assert section <= int(line) < (following[0] if following else len(lines) + 1), (name, line)
        assert lines[int(line) - 1].rstrip().endswith(":"), (name, lines[int(line) - 1])  # an empty value
    assert "Traceback" not in strict.stdout + strict.stderr


def test_a_placeholder_address_is_refused_even_in_a_draft(tmp_path: Path) -> None:
    refused = factcheck("init", str(tmp_path / "a"), "--name", NAME, "--site-url", SITE,
                        "--contact", "news@example.com")
    assert refused.returncode == 2 and "placeholder address" in refused.stderr
    assert not (tmp_path / "a").exists()

    folder = start(tmp_path / "b")
    publication = folder / "data" / "publication.yaml"
    text = publication.read_text(encoding="utf-8").replace("  url: \n", "  url: https://tips.example.org/form\n", 1)
    publication.write_text(text, encoding="utf-8")
    result = factcheck("--root", str(folder), "validate", "--no-cache")
    assert re.search(r"data/publication\.yaml:\d+:\d+: warning: contact\.url: .*placeholder address", result.stdout), \
        result.stdout


def test_init_refuses_a_folder_in_use_and_bad_options_without_a_traceback(tmp_path: Path) -> None:
    used = tmp_path / "used"
    used.mkdir()
    (used / "notes.txt").write_text("mine", encoding="utf-8")
    result = factcheck("init", str(used), "--name", NAME, "--site-url", SITE)
    assert result.returncode == 2 and "not empty" in result.stderr
    assert [p.name for p in used.iterdir()] == ["notes.txt"]
    for option, value, message in (("--site-url", "factcheck.org", "is not an http(s):// address"),
                                   ("--contact", "call us", "neither an email address")):
        args = {"--site-url": SITE, option: value}
        result = factcheck("init", str(tmp_path / "new"), "--name", NAME, *[x for kv in args.items() for x in kv])
        assert result.returncode == 2 and message in result.stderr, result.stderr
        assert "Traceback" not in result.stderr


def test_the_packaged_theme_is_the_one_this_site_uses() -> None:
    """init copies the theme overrides from inside the package; they must not drift from the repository's."""
    packaged, used = TEMPLATES / "files" / "theme_overrides", REPO / "theme_overrides"
    files = sorted(p.relative_to(used) for p in used.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(packaged) for p in packaged.rglob("*") if p.is_file())
    _, mismatch, errors = filecmp.cmpfiles(used, packaged, [str(f) for f in files], shallow=False)
    assert mismatch == [] and errors == [], "copy theme_overrides/ to generator/templates/init/files/theme_overrides/"


def test_the_sample_publication_says_what_it_is(built_site: Path) -> None:
    about = text_of(built_site / "about" / "index.html")
    assert "demonstration publication" in about
    assert "No organisation publishes this site" in about and "has no funding" in about
    assert "There is no editorial team" in about
    contact = text_of(built_site / "contact" / "index.html")
    assert "@" not in re.sub(r"<[^>]+>", "", contact.split("Reach the editors", 1)[1].split("Suggest a claim", 1)[0])
    assert "gives no contact address" in contact
    home = text_of(built_site / "index.html")
    assert "Fact-Check Desk is the demonstration publication" in home  # the footer, on every page
