"""`factcheck new` writes a claim that validates with only its text left to write;
`factcheck preview` renders just the named claim, and placeholders never get published."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from generator.cli import main
from generator.corpus import Project, load_corpus

from .conftest import mkdocs_build

FLAGS = ["--speaker", "sergey-lavrov", "--source", "meduza-2025-08-20", "--topic", "security-guarantees",
         "--topic", "bilateral-summit", "--verdict", "disputed", "--date", "2025-08-20",
         "--counter-speaker", "volodymyr-zelensky", "--no-input"]


def test_new_writes_a_claim_that_validates_with_placeholders_marked(publication: Path, capsys) -> None:
    assert main(["--root", str(publication), "new", *FLAGS, "--claim", "Russia will join the guarantees"]) == 0
    rel = capsys.readouterr().out.strip()
    assert rel == "claims/russia-will-join-the-guarantees.yaml"
    corpus, diagnostics = load_corpus(Project(publication), only=[publication / rel])
    assert not diagnostics.errors
    placeholders = {d.field for d in diagnostics.drafts if d.code == "placeholder"}
    assert placeholders == {"statement.quote", "counter_statements[0].quote", "verdict.summary", "analysis"}
    claim = corpus.claims["russia-will-join-the-guarantees"]
    assert claim.topics == ["security-guarantees", "bilateral-summit"]
    assert claim.statement.date.isoformat() == "2025-08-20"


def test_a_claim_with_placeholders_is_never_published(publication: Path, caplog) -> None:
    """A scaffolded claim is a draft: the strict build passes, leaves it out and says so."""
    assert main(["--root", str(publication), "new", *FLAGS, "--id", "unfinished"]) == 0
    with caplog.at_level(logging.INFO):
        site = mkdocs_build(publication)
    assert not (site / "claims" / "unfinished").exists()
    assert "not published (draft): claims/unfinished.yaml" in caplog.text


def test_new_refuses_unknown_references_and_existing_files(publication: Path, capsys) -> None:
    bad = [*FLAGS]
    bad[1] = "sergei-lavrov"
    assert main(["--root", str(publication), "new", *bad]) == 2
    assert "unknown speaker 'sergei-lavrov'" in capsys.readouterr().err
    assert main(["--root", str(publication), "new", *FLAGS, "--id", "twice"]) == 0
    assert main(["--root", str(publication), "new", *FLAGS, "--id", "twice"]) == 2
    assert main(["--root", str(publication), "new", "--no-input"]) == 2


def test_new_names_unknown_references_with_a_did_you_mean(publication: Path, capsys) -> None:
    bad = [*FLAGS]
    bad[1], bad[9] = "trump", "misleading"
    assert main(["--root", str(publication), "new", *bad]) == 2
    err = capsys.readouterr().err
    assert "unknown speaker 'trump'; did you mean 'donald-trump'?" in err
    assert "unknown verdict 'misleading'; known: accurate, missing-context, disputed, unsupported, contradicted" in err


def test_counter_speaker_flag_sets_the_counter_statement(publication: Path, capsys) -> None:
    flags = [*FLAGS]
    flags[flags.index("--counter-speaker") + 1] = "donald-trump"
    assert main(["--root", str(publication), "new", *flags, "--id", "countered"]) == 0
    text = (publication / "claims" / "countered.yaml").read_text(encoding="utf-8")
    assert "counter_statements:\n  - speaker: donald-trump\n" in text
    without = [f for i, f in enumerate(flags) if "--counter-speaker" not in flags[max(0, i - 1):i + 1]]
    assert main(["--root", str(publication), "new", *without, "--id", "uncountered"]) == 2
    assert "--counter-speaker is required" in capsys.readouterr().err


@pytest.mark.parametrize(("claim", "slug"), [
    ("Russia will join the guarantees", "russia-will-join-the-guarantees"),
    ("Putin’s envoy said Russia won't accept NATO troops", "putins-envoy-said-russia-wont-accept-nato-troops"),
    ("Trump says Europe will provide security guarantees to Ukraine with the United States coordinating them",
     "trump-says-europe-provide-security-guarantees-ukraine-united-states-coordinating"),
    ("The Kremlin says that it has not at any point in the talks agreed to a meeting of the presidents in Alaska",
     "kremlin-says-not-any-point-talks-agreed-meeting-presidents-alaska"),
])
def test_ids_from_claim_text_keep_the_key_words(claim: str, slug: str) -> None:
    from generator.model import is_slug
    from generator.scaffold import ID_LIMIT, claim_slug

    made = claim_slug(claim)
    assert made == slug
    assert len(made) <= ID_LIMIT and is_slug(made)
    assert claim_slug(claim) == made  # stable: the same text always gives the same id


def test_preview_renders_only_the_named_claim(publication: Path, tmp_path: Path, capsys) -> None:
    claim = sorted((publication / "claims").glob("*.yaml"))[0]
    out = tmp_path / "preview"
    assert main(["--root", str(publication), "preview", str(claim), "--out", str(out)]) == 0
    printed = Path(capsys.readouterr().out.strip())
    assert printed == out / "claims" / claim.stem / "index.html" and printed.is_file()
    assert len(list((out / "claims").glob("*/index.html"))) == 1
    assert "application/ld+json" in printed.read_text(encoding="utf-8")


def test_an_over_indented_key_in_a_scaffolded_claim_gets_an_indentation_hint(publication: Path, capsys) -> None:
    assert main(["--root", str(publication), "new", *FLAGS, "--id", "indented"]) == 0
    path = publication / "claims" / "indented.yaml"
    text = path.read_text(encoding="utf-8")
    assert "\n  date: 2025-08-20\n" in text
    path.write_text(text.replace("\n  date: 2025-08-20\n", "\n     date: 2025-08-20\n"), encoding="utf-8")
    capsys.readouterr()
    assert main(["--root", str(publication), "validate", "--no-cache", str(path)]) == 1
    out = capsys.readouterr().out
    assert "claims/indented.yaml:6:10: error: YAML syntax error" in out
    assert "`date:` is indented more than `speaker:` on the line above" in out and "remove 3 spaces" in out
    assert "must be quoted" not in out


def test_a_colon_inside_a_value_still_gets_the_quoting_hint(publication: Path, capsys) -> None:
    assert main(["--root", str(publication), "new", *FLAGS, "--id", "colon"]) == 0
    path = publication / "claims" / "colon.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("claim: ", "claim: Lavrov said: no meeting  # ", 1), encoding="utf-8")
    capsys.readouterr()
    assert main(["--root", str(publication), "validate", "--no-cache", str(path)]) == 1
    assert "a value containing ': ' must be quoted" in capsys.readouterr().out


def test_unknown_speaker_and_rating_hints_point_at_what_exists(publication: Path, capsys) -> None:
    assert main(["--root", str(publication), "new", *FLAGS, "--id", "renamed"]) == 0
    path = publication / "claims" / "renamed.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("speaker: sergey-lavrov", "speaker: trump", 1)
                    .replace("rating: disputed", "rating: misleading"), encoding="utf-8")
    capsys.readouterr()
    assert main(["--root", str(publication), "validate", "--no-cache", str(path)]) == 1
    out = capsys.readouterr().out
    assert ("unknown speaker 'trump' (hint: did you mean 'donald-trump'? speakers are defined in data/speakers.yaml; "
            "if this is a new speaker, ask an editor to add them there") in out
    assert ("unknown verdict 'misleading' (hint: the verdict scale is fixed by the methodology; pick one of: "
            "accurate, missing-context, disputed, unsupported, contradicted)") in out
    assert "add it to data/" not in out
