"""`factcheck new`: write a claim file skeleton that validates, with its text fields clearly marked."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from slugify import slugify

from . import clock
from .corpus import PLACEHOLDER_PREFIX, References

TEMPLATE = """\
# yaml-language-server: $schema=../generator/schemas/claim.schema.json
# Replace every "{todo}..." value, then run `factcheck validate {path}`.
claim: {claim}
statement:
  speaker: {speaker}
{date_line}  source: {source}
  quote: "{todo}: paste the exact words from the source"
counter_statements:
  - speaker: {counter_speaker}
    source: {source}
    quote: "{todo}: paste the exact words of the other side"
verdict:
  rating: {verdict}
  summary: "{todo}: one paragraph stating what the record shows"
topics: [{topics}]
published: {published}
analysis: |
  {todo}: explain the check in Markdown.
corrections: []
"""


@dataclass
class NewClaim:
    speaker: str
    source: str
    verdict: str
    topics: list[str]
    date: dt.date | None = None
    claim: str = ""
    counter_speaker: str = ""
    claim_id: str = ""
    published: dt.date = field(default_factory=clock.today)

    def identifier(self) -> str:
        if self.claim_id:
            return self.claim_id
        words = self.claim if self.claim and not self.claim.startswith(PLACEHOLDER_PREFIX) else \
            f"{self.speaker} {self.date or self.published}"
        return slugify(words, max_length=70, word_boundary=True)

    def problems(self, refs: References) -> list[str]:
        out = []
        if self.speaker not in refs.speakers:
            out.append(f"unknown speaker {self.speaker!r}; known: {', '.join(sorted(refs.speakers))}")
        if self.counter_speaker and self.counter_speaker not in refs.speakers:
            out.append(f"unknown speaker {self.counter_speaker!r}")
        if self.source not in refs.seeds:
            out.append(f"unknown source {self.source!r}; archived sources: {', '.join(sorted(refs.seeds))}")
        if self.verdict not in refs.verdicts:
            out.append(f"unknown verdict {self.verdict!r}; the scale: {', '.join(refs.verdicts)}")
        for topic in self.topics:
            if topic not in refs.topics:
                out.append(f"unknown topic {topic!r}; known: {', '.join(sorted(refs.topics))}")
        if not self.topics:
            out.append("give at least one topic")
        return out

    def render(self, path: str) -> str:
        claim = json.dumps(self.claim, ensure_ascii=False) if self.claim else \
            f'"{PLACEHOLDER_PREFIX}: the claim as one short sentence, without the verdict"'
        return TEMPLATE.format(
            todo=PLACEHOLDER_PREFIX, path=path, claim=claim, speaker=self.speaker,
            date_line=f"  date: {self.date.isoformat()}\n" if self.date else "", source=self.source,
            counter_speaker=self.counter_speaker or self.speaker, verdict=self.verdict,
            topics=", ".join(self.topics), published=self.published.isoformat())


def write_claim(new: NewClaim, claims_dir: Path, rel_dir: str = "claims") -> Path:
    target = claims_dir / f"{new.identifier()}.yaml"
    if target.exists():
        raise FileExistsError(target)
    claims_dir.mkdir(parents=True, exist_ok=True)
    target.write_text(new.render(f"{rel_dir}/{target.name}"), encoding="utf-8")
    return target
