"""`factcheck new` writes a claim that validates with only its text left to write;
`factcheck preview` renders just the named claim, and placeholders never get published."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

from generator.cli import main
from generator.corpus import Project, load_corpus

from .conftest import mkdocs_build

FLAGS = ["--speaker", "sergey-lavrov", "--source", "meduza-2025-08-20", "--topic", "security-guarantees",
         "--topic", "bilateral-summit", "--verdict", "disputed", "--date", "2025-08-20", "--no-input"]


def test_new_writes_a_claim_that_validates_with_placeholders_marked(publication: Path, capsys) -> None:
    assert main(["--root", str(publication), "new", *FLAGS, "--claim", "Russia will join the guarantees"]) == 0
    rel = capsys.readouterr().out.strip()
    assert rel == "claims/russia-will-join-the-guarantees.yaml"
    corpus, diagnostics = load_corpus(Project(publication), only=[publication / rel])
    assert not diagnostics.errors
    placeholders = {d.field for d in diagnostics.warnings if d.code == "placeholder"}
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


def test_new_asks_for_what_is_missing_when_interactive(publication: Path) -> None:
    script = ("import sys; sys.stdin.isatty = lambda: True; from generator.cli import main; "
              f"sys.exit(main(['--root', {str(publication)!r}, 'new', '--id', 'asked']))")
    answers = "donald-trump\nmeduza-2025-08-20\naccurate\nbilateral-summit\nA claim typed at the prompt\n"
    result = subprocess.run([sys.executable, "-c", script], input=answers, capture_output=True, text=True, timeout=60,
                            check=False)
    assert result.returncode == 0, result.stderr
    text = (publication / "claims" / "asked.yaml").read_text(encoding="utf-8")
    assert "speaker: donald-trump" in text and 'claim: "A claim typed at the prompt"' in text
    assert "rating: accurate" in text and "topics: [bilateral-summit]" in text


def test_preview_renders_only_the_named_claim(publication: Path, tmp_path: Path, capsys) -> None:
    claim = sorted((publication / "claims").glob("*.yaml"))[0]
    out = tmp_path / "preview"
    assert main(["--root", str(publication), "preview", str(claim), "--out", str(out)]) == 0
    printed = Path(capsys.readouterr().out.strip())
    assert printed == out / "claims" / claim.stem / "index.html" and printed.is_file()
    assert len(list((out / "claims").glob("*/index.html"))) == 1
    assert "application/ld+json" in printed.read_text(encoding="utf-8")
