"""Interactive `factcheck new`, driven through a real pseudo-terminal: every answer is checked
as it is typed and asked again with a did-you-mean, nothing is lost, and leaving writes nothing."""

from __future__ import annotations

import os
import re
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from generator.cli import main

NEWS = Path(__file__).parent / "fixtures" / "news"
FACTCHECK = Path(sys.executable).parent / "factcheck"
PROMPT = re.compile(r"([^\n]*): $")
PATIENCE = 60.0
"""Seconds to wait for the program to say something before the test gives up (a hang, not a speed limit)."""


# Started in a new session, the program makes the terminal its controlling terminal by opening it, as a
# login shell would, so that Ctrl-C typed on it interrupts the program.
_ON_TERMINAL = "import os, sys; os.close(os.open(os.ttyname(0), os.O_RDWR)); os.execv(sys.argv[1], sys.argv[1:])"


class Terminal:
    """`factcheck` running on a pseudo-terminal, as an editor would run it."""

    def __init__(self, *args: str, env: dict[str, str] | None = None):
        self.master, slave = os.openpty()
        self.process = subprocess.Popen([sys.executable, "-c", _ON_TERMINAL, str(FACTCHECK), *args],
                                        stdin=slave, stdout=slave, stderr=slave, env={**os.environ, **(env or {})},
                                        start_new_session=True)
        os.close(slave)
        self.transcript = ""
        self._seen = 0

    def _read(self, deadline: float) -> bool:
        ready, _, _ = select.select([self.master], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            return False
        try:
            chunk = os.read(self.master, 4096)
        except OSError:  # the program ended and closed the terminal
            return False
        self.transcript += chunk.decode("utf-8", "replace").replace("\r\n", "\n")
        return bool(chunk)

    def prompt(self) -> str:
        """Wait for the next question; return it, and the lines said since the last answer."""
        deadline = time.monotonic() + PATIENCE
        while True:
            found = PROMPT.search(self.transcript, self._seen)
            if found and found.end() == len(self.transcript):
                self._seen = found.end()
                return found.group(1)
            if not self._read(deadline):
                raise AssertionError(f"no question came; the terminal showed:\n{self.transcript}")

    def prompt_or_end(self) -> str | None:
        """The next question, or None once the program has ended."""
        deadline = time.monotonic() + PATIENCE
        while True:
            found = PROMPT.search(self.transcript, self._seen)
            if found and found.end() == len(self.transcript):
                self._seen = found.end()
                return found.group(1)
            if not self._read(deadline) and (self.process.poll() is not None or time.monotonic() >= deadline):
                return None

    def answer(self, text: str) -> None:
        os.write(self.master, text.encode() + b"\n")

    def press(self, keys: bytes) -> None:
        os.write(self.master, keys)

    def finish(self) -> int:
        deadline = time.monotonic() + PATIENCE
        while self._read(deadline):
            pass
        code = self.process.wait(timeout=PATIENCE)
        os.close(self.master)
        return code


@pytest.fixture
def terminal(publication: Path) -> Iterator[list[Terminal]]:
    started: list[Terminal] = []
    yield started
    for term in started:
        if term.process.poll() is None:
            term.process.kill()
            term.process.wait()


def start(started: list[Terminal], publication: Path, *args: str, env: dict[str, str] | None = None) -> Terminal:
    term = Terminal("--root", str(publication), "new", *args, env=env)
    started.append(term)
    return term


ARTICLE = "http://herald.example.org/world/2025/08/20/harbour-talks"


class NewsSite(BaseHTTPRequestHandler):
    """A news site on 127.0.0.1, reached as a proxy so that the article keeps its real-looking address."""

    def do_GET(self) -> None:
        if self.path == ARTICLE:
            body, status = (NEWS / "herald-ceasefire-talks.html").read_bytes(), 200
        else:
            body, status = b"<h1>no such page</h1>", 404
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def news_site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), NewsSite)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def claims_in(publication: Path) -> set[str]:
    return {p.name for p in (publication / "claims").iterdir()}


def test_a_misspelt_speaker_gets_a_did_you_mean_and_is_asked_again(publication: Path, terminal) -> None:
    before = claims_in(publication)
    term = start(terminal, publication, "--source", "meduza-2025-08-20")
    question = term.prompt()
    assert question.startswith("Who made the claim")
    term.answer("sergey-lavorv")
    again = term.prompt()
    said = term.transcript
    assert "unknown speaker 'sergey-lavorv'; did you mean 'sergey-lavrov'?" in said
    assert again == "Who made the claim (speaker id) [sergey-lavrov]"
    term.answer("")  # Enter accepts the suggestion
    assert term.prompt().startswith("When was it said")
    term.answer("q")
    assert term.finish() == 1
    assert term.transcript.rstrip().endswith("factcheck new: stopped; nothing was written")
    assert claims_in(publication) == before


def test_a_bad_date_is_explained_and_asked_again(publication: Path, terminal) -> None:
    term = start(terminal, publication, "--source", "meduza-2025-08-20", "--speaker", "sergey-lavrov")
    assert term.prompt().startswith("When was it said")
    term.answer("20/08/2025")
    assert term.prompt().startswith("When was it said")
    assert "'20/08/2025' is not a date: write it as YYYY-MM-DD, e.g. 2025-08-20" in term.transcript
    term.answer("2025-02-30")
    assert term.prompt().startswith("When was it said")
    assert "'2025-02-30' is not a date" in term.transcript
    term.answer("2025-08-25")
    assert term.prompt().startswith("When was it said")
    assert "2025-08-25 is after the date meduza-2025-08-20 was published (2025-08-20)" in term.transcript
    term.answer("2025-08-20")
    assert term.prompt().startswith("The claim as one short sentence")
    term.press(b"\x04")  # Ctrl-D
    assert term.finish() == 1
    assert "Traceback" not in term.transcript


def test_ctrl_c_leaves_without_a_traceback_or_a_file(publication: Path, terminal) -> None:
    before = claims_in(publication)
    term = start(terminal, publication)
    assert term.prompt().startswith("Source of the claim")
    term.answer("meduza-2025-08-20")
    assert term.prompt().startswith("Who made the claim")
    term.press(b"\x03")  # Ctrl-C, which the terminal turns into SIGINT
    code = term.finish()
    assert code == 128 + signal.SIGINT
    assert "Traceback" not in term.transcript and "KeyboardInterrupt" not in term.transcript
    last = term.transcript.strip().splitlines()[-1]
    assert last == "factcheck new: interrupted; nothing was written"
    assert claims_in(publication) == before


def _answer_for(question: str) -> str | None:
    """Answers for the questions whose order or presence does not matter to the test."""
    if question.startswith("  stance"):
        return "contradicts"
    if question.startswith("Evidence cut-off"):
        return ""
    return None


def test_a_full_run_from_a_url_writes_a_draft_that_validates(publication: Path, terminal, news_site: str,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    term = start(terminal, publication, "--published", "2025-08-22", env={"FACTCHECK_PROXY": news_site})
    script = [
        ("Source of the claim", ARTICLE),
        (f"  {ARTICLE} is not archived yet", "y"),
        ("Who made the claim", "sergey-lavorv"),
        ("Who made the claim", ""),
        ("When was it said", "2025-08-32"),
        ("When was it said", "2025-08-20"),
        ("The claim as one short sentence", "Harbour talks agreed a ceasefire date"),
        ("  speaker id", "volodymyr-zelenskyy"),
        ("  speaker id", "volodymyr-zelensky"),
        ("  source", ""),
        ("  when was it said", ""),
        ("Add another counter-statement?", "y"),
        ("  speaker id", "donald-trump"),
        ("  source", "meduza-2025-08-20"),
        ("  when was it said", "2025-08-18"),
        ("Add another counter-statement?", "n"),
        ("Topics", "security-guarantees, summit"),
        ("Topics", "security-guarantees, negotiation-format"),
        ("Verdict", "misleading"),
        ("Verdict", "disputed"),
    ]
    for expected, reply in script:
        question = term.prompt()
        while (extra := _answer_for(question)) is not None:
            term.answer(extra)
            question = term.prompt()
        assert question.startswith(expected), (expected, term.transcript)
        term.answer(reply)
    while (question := term.prompt_or_end()) is not None:
        extra = _answer_for(question)
        assert extra is not None, term.transcript
        term.answer(extra)
    assert term.finish() == 0, term.transcript
    shown = term.transcript
    assert "wrote seeds/example-herald-2025-08-20.txt" in shown
    assert "unknown speaker 'sergey-lavorv'; did you mean 'sergey-lavrov'?" in shown
    assert "'2025-08-32' is not a date" in shown
    assert "unknown speaker 'volodymyr-zelenskyy'; did you mean 'volodymyr-zelensky'?" in shown
    assert "unknown topic 'summit'; did you mean 'bilateral-summit'?" in shown
    assert "unknown verdict 'misleading'; one of: accurate, missing-context, disputed, unsupported, contradicted" \
        in shown
    rel = "claims/harbour-talks-agreed-a-ceasefire-date.yaml"
    assert shown.strip().splitlines()[-1] == rel
    text = (publication / rel).read_text(encoding="utf-8")
    assert "  speaker: sergey-lavrov\n  date: 2025-08-20\n  source: example-herald-2025-08-20\n" in text
    assert "  - speaker: volodymyr-zelensky\n    source: example-herald-2025-08-20\n" in text
    assert "  - speaker: donald-trump\n    date: 2025-08-18\n    source: meduza-2025-08-20\n" in text
    assert "topics: [security-guarantees, negotiation-format]" in text and "rating: disputed" in text
    capsys.readouterr()
    assert main(["--root", str(publication), "validate", "--no-cache", str(publication / rel)]) == 0
    out = capsys.readouterr()
    assert "error" not in out.out
    assert f"{rel}:" in out.out and "placeholder" in out.out
