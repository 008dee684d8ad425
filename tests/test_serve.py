"""`mkdocs serve` never stops answering: content errors show in the preview, drafts stay out.

A real `mkdocs serve` runs on a free port of 127.0.0.1 over a copy of the publication; the test
breaks a claim, waits for the rebuild, checks that every request is answered within a second with
the last good site and the errors (file:line), then fixes the file and sees the site come back.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import copy_publication

CLAIM = "lavrov-putin-always-open-to-meeting-zelensky"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    def __init__(self, root: Path, temporary: Path):
        self.port = free_port()
        self.lines: list[str] = []
        self.process = subprocess.Popen(  # its temporary site goes under `temporary`
            [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{self.port}"],
            cwd=root, env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "TMPDIR": str(temporary)}, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        threading.Thread(target=self._read, daemon=True).start()

    def stop(self) -> None:
        """Stop it as an editor does, with Ctrl-C (SIGINT): MkDocs then deletes its temporary site.
        SIGTERM would end it at once and leave the whole site behind in the temporary folder."""
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    def wait_for(self, pattern: str, after: int = 0, limit: float = 120) -> int:
        """Wait until a line after the first `after` lines matches; return the number of lines then."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            for i, line in enumerate(self.lines[after:], start=after):
                if re.search(pattern, line):
                    return i + 1
            if self.process.poll() is not None:
                raise AssertionError("mkdocs serve ended:\n" + "".join(self.lines[-40:]))
            time.sleep(0.1)
        raise AssertionError(f"no line matching {pattern!r}:\n" + "".join(self.lines[-40:]))

    def get(self, path: str) -> str:
        """The page at `path`; the server must answer within a second."""
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/{path}", timeout=1) as response:
            return str(response.read().decode("utf-8"))


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[Server, Path]]:
    root = copy_publication(tmp_path / "pub")
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    running = Server(root, temporary)
    try:
        running.wait_for(r"Serving on")
        yield running, root
    finally:
        running.stop()
    assert not list(temporary.iterdir()), "mkdocs serve leaves no temporary site behind"


def test_serve_keeps_answering_through_content_errors_and_recovers(server: tuple[Server, Path]) -> None:
    serve, root = server
    page = f"claims/{CLAIM}/"
    good = serve.get(page)
    assert "fc-editor-notice" not in good
    claim = root / "claims" / f"{CLAIM}.yaml"
    text = claim.read_text(encoding="utf-8")
    seen = len(serve.lines)
    claim.write_text(text.replace("speaker: sergey-lavrov", "speaker: sergey-lavorv", 1), encoding="utf-8")
    seen = serve.wait_for(r"error\(s\) in content", seen)
    serve.wait_for(r"Reloading browsers", seen)
    time.sleep(0.5)
    for path in ("", page, "topics/"):
        shown = serve.get(path)
        assert "error(s) in content" in shown
        assert f"claims/{CLAIM}.yaml:" in shown and "sergey-lavorv" in shown
    assert "Lavrov" in serve.get(page), "the last good version of the claim is still shown"
    seen = len(serve.lines)
    claim.write_text(text, encoding="utf-8")
    serve.wait_for(r"Reloading browsers", seen)
    time.sleep(0.5)
    assert "fc-editor-notice" not in serve.get(page)


def test_a_new_draft_never_breaks_serve_and_is_not_shown(server: tuple[Server, Path]) -> None:
    serve, root = server
    seen = len(serve.lines)
    source = (root / "claims" / f"{CLAIM}.yaml").read_text(encoding="utf-8")
    draft = re.sub(r"(?m)^analysis: .*$", "analysis: TODO write the analysis", source, count=1)
    draft = re.sub(r"(?ms)^analysis: \|\n(  .*\n)+", "analysis: TODO write the analysis\n", draft, count=1)
    assert "TODO" in draft
    (root / "claims" / "a-new-draft.yaml").write_text(draft, encoding="utf-8")
    serve.wait_for(r"not published \(draft\): claims/a-new-draft.yaml", seen)
    serve.wait_for(r"Reloading browsers", seen)
    time.sleep(0.5)
    assert "fc-editor-notice" not in serve.get("")
    with pytest.raises(urllib.error.HTTPError):
        serve.get("claims/a-new-draft/")
