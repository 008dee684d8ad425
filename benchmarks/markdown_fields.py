"""Markdown-field benchmark: the field renderer of the previous release (Python-Markdown with
`sane_lists` and `tables`, kept here as the baseline) against `generator.html.markdown_html`
(comrak), both followed by the same allowlist, in one process, on the same fields: the
analyses and corrections of synthetic claims (`generator.synth`, as `run.py` builds them) and
of the repository's own claims.

    python benchmarks/markdown_fields.py           # 2,000 synthetic claims, 5 rounds

Prints microseconds per field for each, their ratio, and how many of the repository's fields
render differently. Figures, not assertions.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import markdown
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from generator import html, synth  # noqa: E402


def previous_release() -> Callable[[str], str]:
    converter = markdown.Markdown(extensions=["sane_lists", "tables"], output_format="html")

    def render(text: str) -> str:
        converter.reset()
        return html.allowlisted(converter.convert(text))
    return render


def fields(folder: Path) -> list[str]:
    """Every Markdown field of the claims in `folder`: the analysis and each correction's text."""
    found = []
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        found.append(data.get("analysis") or "")
        found.extend(c.get("text") or "" for c in data.get("corrections") or [])
    return [f for f in found if f]


def per_field(render: Callable[[str], object], texts: Iterable[str], rounds: int) -> float:
    texts = list(texts)
    times = []
    for _ in range(rounds):
        started = time.process_time()
        for text in texts:
            render(text)
        times.append((time.process_time() - started) / len(texts))
    return statistics.median(times) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--count", type=int, default=2000, help="synthetic claims")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        synthetic = fields(synth.synthesize(args.count, Path(temporary) / "publication") / "claims")
    own = fields(ROOT / "claims")
    before = previous_release()
    print(f"comrak {markdown_version()}; Python-Markdown {markdown.__version__}")
    for name, texts in (("synthetic", synthetic), ("repository", own * max(1, len(synthetic) // max(1, len(own))))):
        old = per_field(before, texts, args.rounds)
        new = per_field(html.markdown_html, texts, args.rounds)
        print(f"{name:10s} {len(texts):6d} fields: previous {old:7.1f} us, now {new:6.1f} us a field "
              f"({new / old:.2f}x)")
    differ = sum(before(t) != str(html.markdown_html(t)) for t in own)
    print(f"the repository's {len(own)} fields: {differ} render differently (byte for byte)")


def markdown_version() -> str:
    from importlib import metadata
    return metadata.version("comrak")


if __name__ == "__main__":
    main()
