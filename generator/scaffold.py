"""`factcheck new`: write a claim file skeleton that validates, with its text fields clearly marked.

Run in a terminal, it asks for what the flags did not give, one field at a time, and asks again
(with a did-you-mean) when an answer is not valid, so that nothing typed is lost. Answering `q`,
Ctrl-D or Ctrl-C leaves without writing anything.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from slugify import slugify

from . import clock, model
from .corpus import PLACEHOLDER_PREFIX, References, suggest_id
from .model import Claim, Statement

ID_LIMIT = 80
"""Longest claim id the model accepts."""

# Words that carry no meaning of their own in a claim's text: dropped from its id only when the
# id would otherwise be too long, so that the words that say what the claim is about are kept.
FILLER = frozenset([
    "a", "an", "the", "and", "or", "but", "nor", "of", "to", "in", "on", "at", "by", "for", "from", "with",
    "as", "into", "onto", "about", "than", "that", "this", "these", "those", "is", "are", "was", "were", "be",
    "been", "being", "am", "has", "have", "had", "do", "does", "did", "will", "would", "shall", "should",
    "can", "could", "may", "might", "must", "it", "its", "it's", "he", "she", "they", "them", "his", "her",
    "their", "we", "our", "you", "your", "i", "my", "me", "us", "there", "here", "which", "who", "whom",
    "whose"
])

_APOSTROPHES = re.compile(r"(?<=\w)['’](?=\w)")


def claim_slug(text: str, limit: int = ID_LIMIT) -> str:
    """A readable, stable id from a claim's text: every word while it fits; when too long, the filler
    words go (all of them, wherever they are), and only if that is not enough, the last words."""
    words = slugify(_APOSTROPHES.sub("", text)).split("-")
    words = [w for w in words if w]
    if len("-".join(words)) <= limit:
        return "-".join(words)
    words = [w for w in words if w not in FILLER] or words
    while len(words) > 1 and len("-".join(words)) > limit:  # the claim is far too long to read as one line
        words.pop()
    return "-".join(words)[:limit].strip("-")


def _has_field(of: type[Claim] | type[Statement], name: str) -> bool:
    return name in of.model_fields


def _counters_have_stance() -> bool:
    """Whether counter-statements carry a stance in this version of the claim model."""
    counter: type[Statement] = getattr(model, "CounterStatement", Statement)
    return _has_field(counter, "stance")


@dataclass
class Counter:
    """One counter-statement: who, in which source, when (if the source says) and what it does to the claim."""

    speaker: str
    source: str
    date: dt.date | None = None
    stance: str = ""


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
    counters: list[Counter] = field(default_factory=list)
    evidence_cutoff: dt.date | None = None

    def counter_statements(self) -> list[Counter]:
        if self.counters:
            return self.counters
        return [Counter(self.counter_speaker or self.speaker, self.source)]

    def default_stance(self, counter: Counter) -> str:
        """The claimant's own words cannot contradict the claim; anyone else's most often do."""
        return "adds-context" if counter.speaker == self.speaker else "contradicts"

    def identifier(self) -> str:
        if self.claim_id:
            return self.claim_id
        if self.claim and not self.claim.startswith(PLACEHOLDER_PREFIX):
            return claim_slug(self.claim)
        return claim_slug(f"{self.speaker} {self.date or self.published}")

    def cutoff(self) -> dt.date:
        """The evidence cut-off: as given, else the latest statement date known, else the publication date."""
        dates = [d for d in (self.date, *(c.date for c in self.counter_statements())) if d]
        return self.evidence_cutoff or (max(dates) if dates else self.published)

    def problems(self, refs: References) -> list[str]:
        out = []
        speakers = [self.speaker, *(c.speaker for c in self.counter_statements())]
        for speaker in dict.fromkeys(speakers):
            if speaker not in refs.speakers:
                out.append(f"unknown speaker {speaker!r}; {_hint(speaker, refs.speakers, 'speaker')}")
        for source in dict.fromkeys([self.source, *(c.source for c in self.counter_statements())]):
            if source not in refs.seeds:
                out.append(f"unknown source {source!r}; {_hint(source, refs.seeds, 'source')}")
        if self.verdict not in refs.verdicts:
            out.append(f"unknown verdict {self.verdict!r}; {_hint(self.verdict, refs.verdicts, 'verdict')}")
        for topic in self.topics:
            if topic not in refs.topics:
                out.append(f"unknown topic {topic!r}; {_hint(topic, refs.topics, 'topic')}")
        if not self.topics:
            out.append("give at least one topic")
        return out

    def render(self, path: str) -> str:
        todo = PLACEHOLDER_PREFIX
        claim = json.dumps(self.claim, ensure_ascii=False) if self.claim else \
            f'"{todo}: the claim as one short sentence, without the verdict"'
        stance = _counters_have_stance()
        lines = [
            "# yaml-language-server: $schema=../generator/schemas/claim.schema.json",
            f'# Replace every "{todo}..." value, then run `factcheck validate {path}`.',
            f"claim: {claim}",
            "statement:",
            f"  speaker: {self.speaker}",
            *([f"  date: {self.date.isoformat()}"] if self.date else []),
            f"  source: {self.source}",
            f'  quote: "{todo}: paste the exact words from the source"',
            "counter_statements:",
        ]
        for counter in self.counter_statements():
            lines += [f"  - speaker: {counter.speaker}",
                      *([f"    date: {counter.date.isoformat()}"] if counter.date else []),
                      f"    source: {counter.source}",
                      f'    quote: "{todo}: paste the exact words of the other side"',
                      *([f"    stance: {counter.stance or self.default_stance(counter)}"] if stance else [])]
        lines += [
            "verdict:",
            f"  rating: {self.verdict}",
            f'  summary: "{todo}: one paragraph stating what the record shows"',
            *([f"evidence_cutoff: {self.cutoff().isoformat()}"] if _has_field(Claim, "evidence_cutoff") else []),
            f"topics: [{', '.join(self.topics)}]",
            f"published: {self.published.isoformat()}",
            "analysis: |",
            f"  {todo}: explain the check in Markdown.",
            "corrections: []",
        ]
        return "\n".join(lines) + "\n"


def _hint(value: str, table: Mapping[str, object], what: str) -> str:
    names = {k: str(getattr(v, "name", getattr(v, "label", ""))) for k, v in table.items()}
    match = suggest_id(value, table, names)
    known = f"known: {', '.join(sorted(table) if what != 'verdict' else table)}"
    return f"did you mean {match!r}? {known}" if match else known


def write_claim(new: NewClaim, claims_dir: Path, rel_dir: str = "claims") -> Path:
    target = claims_dir / f"{new.identifier()}.yaml"
    if target.exists():
        raise FileExistsError(target)
    claims_dir.mkdir(parents=True, exist_ok=True)
    target.write_text(new.render(f"{rel_dir}/{target.name}"), encoding="utf-8")
    return target


# --- asking in a terminal ---------------------------------------------------------------------------


class Aborted(Exception):
    """The editor left (q, Ctrl-D or Ctrl-C); `interrupted` is True for Ctrl-C."""

    def __init__(self, interrupted: bool = False):
        super().__init__("aborted")
        self.interrupted = interrupted


class Prompter:
    """Asks one question at a time and re-asks until the answer is valid. Prompts and messages go to `out`."""

    def __init__(self, read: Callable[[str], str] = input, out: TextIO | None = None):
        self._read = read
        self.out = out or sys.stderr

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def raw(self, label: str, default: str = "") -> str:
        self.out.flush()
        try:
            answer = self._read(f"{label}{f' [{default}]' if default else ''}: ").strip()
        except EOFError:
            raise Aborted() from None
        except KeyboardInterrupt:
            raise Aborted(interrupted=True) from None
        if answer.casefold() in ("q", "quit"):
            raise Aborted()
        return answer or default

    def choice(self, label: str, table: Mapping[str, str], what: str, default: str = "") -> str:
        """One id from `table` (id -> what readers see)."""
        while True:
            answer = self.raw(label, default)
            if answer in table:
                return answer
            if not answer:
                self.say(f"  please give a {what} id (or q to quit)")
                continue
            default = self.refuse(answer, table, what) or default

    def choices(self, label: str, table: Mapping[str, str], what: str) -> list[str]:
        """One or more ids from `table`, separated by commas or spaces."""
        default = ""
        while True:
            answer = self.raw(label, default)
            given = [part for part in re.split(r"[,\s]+", answer) if part]
            if not given:
                self.say(f"  give at least one {what} (or q to quit)")
                continue
            unknown = [part for part in given if part not in table]
            if not unknown:
                return list(dict.fromkeys(given))
            fixed = list(given)
            for part in unknown:
                match = self.refuse(part, table, what)
                if match:
                    fixed[fixed.index(part)] = match
            default = ", ".join(fixed) if fixed != given else ""

    def refuse(self, answer: str, table: Mapping[str, str], what: str) -> str | None:
        """Say why `answer` is not accepted; return the suggested id, if any, to offer as the default."""
        match = suggest_id(answer, table, table)
        self.say(f"  unknown {what} {answer!r}" + (f"; did you mean {match!r}? (press Enter to accept)" if match
                                                   else f"; one of: {', '.join(table)}"))
        return match

    def date(self, label: str, *, latest: dt.date, latest_reason: str, optional: bool = True,
             default: dt.date | None = None) -> dt.date | None:
        none = ", or Enter if the source does not state it" if optional else ""
        while True:
            answer = self.raw(f"{label} (YYYY-MM-DD{none})", default.isoformat() if default else "")
            if not answer or answer.casefold() in ("not stated", "none", "-"):
                if optional:
                    return None
                self.say("  a date is needed here, as YYYY-MM-DD")
                continue
            try:
                value = dt.date.fromisoformat(answer)
                if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", answer):
                    raise ValueError(answer)
            except ValueError:
                self.say(f"  {answer!r} is not a date: write it as YYYY-MM-DD, e.g. 2025-08-20" +
                         (", or press Enter if the source does not say" if optional else ""))
                continue
            if value > latest:
                self.say(f"  {value} is after {latest_reason} ({latest}); check the date")
                continue
            return value

    def yes(self, label: str, default: bool = True) -> bool:
        while True:
            answer = self.raw(f"{label} [{'Y/n' if default else 'y/N'}]").casefold()
            if not answer:
                return default
            if answer in ("y", "yes", "n", "no"):
                return answer.startswith("y")
            self.say("  answer y or n (or q to quit)")


URL_START = re.compile(r"^https?://", re.IGNORECASE)


@dataclass
class Asker:
    """The interactive questions of `factcheck new`, each answer checked against the publication's data."""

    prompt: Prompter
    refs: References
    seeds_path: Path
    archive: Callable[[str], str | None]
    """Archive a URL as a new source; return its id, or None (the reason already told)."""
    today: dt.date = field(default_factory=clock.today)

    def speakers(self) -> dict[str, str]:
        return {k: v.name for k, v in sorted(self.refs.speakers.items())}

    def sources(self) -> dict[str, str]:
        return {k: f"{v.outlet}: {v.title}" for k, v in sorted(self.refs.seeds.items())}

    def list_of(self, title: str, table: Mapping[str, str]) -> None:
        self.prompt.say(title)
        for key, label in table.items():
            self.prompt.say(f"  {key:<34} {label}")

    def source(self, label: str, default: str = "") -> str:
        while True:
            answer = self.prompt.raw(label, default)
            if URL_START.match(answer):
                known = next((sid for sid, seed in self.refs.seeds.items()
                              if answer.rstrip("/") in {(u or "").rstrip("/") for u in (seed.url, seed.final_url)}),
                             None)
                if known:
                    self.prompt.say(f"  already archived as {known}")
                    return known
                if self.prompt.yes(f"  {answer} is not archived yet. Archive it now with `factcheck archive`?"):
                    archived = self.archive(answer)
                    if archived:
                        return archived
                else:
                    self.prompt.say("  quotes are checked against archived sources; give a seed id instead")
                continue
            if answer in self.refs.seeds:
                return answer
            if not answer:
                self.prompt.say("  give a seed id or the article's URL (or q to quit)")
                continue
            default = self.prompt.refuse(answer, self.sources(), "source") or default

    def statement_date(self, label: str, source: str) -> dt.date | None:
        seed = self.refs.seeds.get(source)
        if seed is not None and seed.published <= self.today:
            return self.prompt.date(label, latest=seed.published, latest_reason=f"the date {source} was published")
        return self.prompt.date(label, latest=self.today, latest_reason="today")

    def fill(self, new: NewClaim, *, ask_counters: bool) -> NewClaim:
        p = self.prompt
        p.say("New claim. Answer each question; press Enter to accept a [default]; q quits without writing.")
        if new.source not in self.refs.seeds:
            if new.source:
                p.refuse(new.source, self.sources(), "source")
            self.list_of("Archived sources:", self.sources())
            new.source = self.source("Source of the claim (seed id, or the article's URL to archive it)")
        if new.speaker not in self.refs.speakers:
            if new.speaker:
                p.refuse(new.speaker, self.speakers(), "speaker")
            self.list_of("Speakers:", self.speakers())
            new.speaker = p.choice("Who made the claim (speaker id)", self.speakers(), "speaker")
        if new.date is None:
            new.date = self.statement_date("When was it said", new.source)
        if not new.claim:
            new.claim = p.raw("The claim as one short sentence (Enter to write it later)")
        if ask_counters:
            new.counters = self.counters(new)
        if not new.topics or any(t not in self.refs.topics for t in new.topics):
            topics = {k: v.name for k, v in sorted(self.refs.topics.items())}
            self.list_of("Topics:", topics)
            new.topics = p.choices("Topics (ids, separated by commas)", topics, "topic")
        if new.verdict not in self.refs.verdicts:
            verdicts = {k: v.label for k, v in self.refs.verdicts.items()}
            self.list_of("The verdict scale (fixed by the methodology):", verdicts)
            new.verdict = p.choice("Verdict", verdicts, "verdict")
        if _has_field(Claim, "evidence_cutoff") and new.evidence_cutoff is None:
            new.evidence_cutoff = p.date("Evidence cut-off: the date of the latest statement the verdict weighs",
                                         latest=new.published, latest_reason="the publication date",
                                         optional=False, default=new.cutoff())
        return new

    def counters(self, new: NewClaim) -> list[Counter]:
        """Each counter-statement: its speaker, source, date and (when the model has it) stance."""
        p = self.prompt
        counters: list[Counter] = []
        while True:
            p.say(f"Counter-statement {len(counters) + 1}: what the other side said.")
            speaker = p.choice("  speaker id", self.speakers(), "speaker")
            source = self.source("  source (seed id or URL)", new.source)
            date = self.statement_date("  when was it said", source)
            stance = ""
            if _counters_have_stance():
                stances = {"contradicts": "it says the claim is wrong", "supports": "it bears the claim out",
                           "adds-context": "it bears on the claim without settling it"}
                stance = p.choice("  stance (contradicts, supports, adds-context)", stances, "stance",
                                  new.default_stance(Counter(speaker, source)))
            counters.append(Counter(speaker, source, date, stance))
            if not p.yes("Add another counter-statement?", default=False):
                return counters
