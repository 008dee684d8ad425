"""`factcheck synth`: a complete synthetic publication of N claims, for scale tests and benchmarks.

Deterministic for a given seed. Quotes are real substrings of the synthetic archived sources,
so validation (quote verification included) does the same work as on real content."""

from __future__ import annotations

import datetime as dt
import random
import shutil
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
_PROSE = ("the minister said talks would continue only if the agenda was prepared in advance and that "
          "guarantees for security must include every permanent member of the council while officials in "
          "washington described a framework for peace with european partners who would provide support on "
          "the ground and in the air according to statements published after the meeting in the capital "
          "delegations met again to discuss humanitarian issues prisoner exchanges ceasefire lines energy "
          "infrastructure grain exports sanctions relief reconstruction funding monitoring mission observers "
          "referendum neutrality nuclear status military alliance membership treaty draft communique summit "
          "bilateral trilateral format envoy adviser spokesperson briefing interview transcript report")
WORDS = _PROSE.split()
CYRILLIC = ["переговоры", "встреча", "гарантии", "безопасности", "министр", "заявил", "формат", "саммит", "делегация"]
FIRST = ["Sergey", "Olena", "José", "Zoë", "Łukasz", "Søren", "Ana", "Dmitri", "Chloé", "Mykola", "Ingrid",
         "Amélie", "Jürgen", "Oksana", "François", "Yuliia", "Radosław", "Émile", "Nadia", "Björn",
         "Сергей", "Олена", "Дмитрий", "Наталья", "Ірина", "Ştefan", "Ilçe", "Đorđe", "Håkon", "Renée"]
LAST = ["Ivanov", "Kovalenko", "García", "Müller", "Dubois", "Nowak", "Petrenko", "Hansen", "Rossi", "Novák",
        "Сидоренко", "Шевченко", "Smirnova", "O'Neill", "Łapiński", "Ó Briain", "Åberg", "Çelik", "Núñez", "Ямада"]
ROLES = ["Foreign Minister", "Presidential spokesperson", "Special envoy", "Member of parliament",
         "Defence Minister", "Ambassador", "Presidential aide", "Deputy Prime Minister", "Mayor", "Senator"]
OUTLETS = ["Daily Ledger", "Evening Courier", "Kyiv Observer", "Baltic Wire", "Continental Review",
           "Газета Вестник", "Le Quotidien", "Northern Post", "Global Dispatch", "Harbour Times"]
TOPIC_HEADS = ["Security guarantees", "Ceasefire talks", "Sanctions", "Energy", "Grain exports", "Prisoner exchanges",
               "Reconstruction", "Élections", "Переговоры", "Nuclear safety", "Humanitarian corridors", "Summits"]
TOPIC_TAILS = ["in Europe", "and the Black Sea", "after Anchorage", "at the UN", "in Kyiv", "in Moscow", "and NATO",
               "in Genève", "and the Baltic states", "in Łódź"]
VERDICTS = ["accurate", "missing-context", "disputed", "unsupported", "contradicted"]
CYRILLIC_WORD_SHARE = 0.04
SEED_URL_SHARE = 0.95
CONTEXT_SHARE = 0.2
CORRECTED_SHARE = 0.08

SeedText = tuple[str, dt.date, list[str]]
"""An archived source: its id, publication date and sentences."""


def _sentence(rng: random.Random, low: int, high: int) -> str:
    words = [rng.choice(CYRILLIC if rng.random() < CYRILLIC_WORD_SHARE else WORDS)
             for _ in range(rng.randint(low, high))]
    return " ".join(words).capitalize() + "."


def _paragraph(rng: random.Random, words: int) -> str:
    out: list[str] = []
    while sum(len(s.split()) for s in out) < words:
        out.append(_sentence(rng, 8, 22))
    return " ".join(out)


def _day(rng: random.Random, start: dt.date, span: int) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, span))


def synthesize(count: int, out: Path, seed: int = 1, *, speakers: int = 500, topics: int = 50) -> Path:
    """Write a publication of `count` claims into `out` (which must not exist or be empty)."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    for sub in ("claims", "data", "seeds"):
        (out / sub).mkdir(exist_ok=True)
    _write_site(out)
    speaker_data: dict[str, dict[str, str]] = {}
    for i in range(speakers):
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        speaker_data[f"speaker-{i:03d}"] = {"name": name, "role": f"{rng.choice(ROLES)} of Country {i % 40 + 1}"}
    topic_data = {f"topic-{i:02d}": {"name": f"{rng.choice(TOPIC_HEADS)} {rng.choice(TOPIC_TAILS)} ({i + 1})",
                                     "description": _sentence(rng, 8, 14)} for i in range(topics)}
    _dump(out / "data" / "speakers.yaml", speaker_data)
    _dump(out / "data" / "topics.yaml", topic_data)
    shutil.copyfile(REPO / "data" / "verdicts.yaml", out / "data" / "verdicts.yaml")
    seeds: list[SeedText] = []
    seed_count = max(5, count // 10)
    for i in range(seed_count):
        sid = f"source-{i:05d}"
        published = _day(rng, dt.date(2023, 1, 1), 1000)
        sentences = [_sentence(rng, 10, 30) for _ in range(rng.randint(25, 45))]
        (out / "seeds" / f"{sid}.txt").write_text("\n\n".join(sentences) + "\n", encoding="utf-8")
        meta = {"outlet": rng.choice(OUTLETS), "title": _sentence(rng, 6, 12).rstrip("."), "published":
                published.isoformat(), "language": "en"}
        if rng.random() < SEED_URL_SHARE:
            meta["url"] = f"https://news-{i % 7}.example.org/{published.year}/{sid}"
        _dump(out / "seeds" / f"{sid}.yaml", meta)
        seeds.append((sid, published, sentences))
    speaker_ids, topic_ids = list(speaker_data), list(topic_data)
    for i in range(count):
        _dump(out / "claims" / f"claim-{i:05d}.yaml", _claim(rng, seeds, speaker_ids, topic_ids))
    return out


QUOTE_WORDS = (14, 15, 19, 21, 22, 23, 23, 24, 25, 29, 31, 33, 41, 45, 64)
ANALYSIS_WORDS = (85, 109, 129, 133, 145, 146, 151, 153, 190, 240, 320)


def _quote(rng: random.Random, sentences: list[str]) -> str:
    """A run of words from the source, as long as the seed claims' quotes (14 to 64 words)."""
    words = " ".join(sentences).split()
    length = min(len(words), rng.choice(QUOTE_WORDS) + rng.randint(-3, 3))
    start = rng.randrange(len(words) - length + 1)
    return " ".join(words[start:start + length])


def _analysis(rng: random.Random) -> str:
    total = rng.choice(ANALYSIS_WORDS) + rng.randint(-10, 10)
    paragraphs: list[str] = []
    while total > 0:
        size = min(total, rng.randint(40, 90))
        paragraphs.append(_paragraph(rng, size))
        total -= size
    return "\n\n".join(paragraphs) + "\n"


STANCES = ("contradicts", "supports", "adds-context")


def _statement(rng: random.Random, seeds: list[SeedText], speaker: str) -> dict[str, str]:
    sid, published, sentences = rng.choice(seeds)
    statement = {"speaker": speaker, "date": (published - dt.timedelta(days=rng.randint(0, 3))).isoformat(),
                 "source": sid, "quote": _quote(rng, sentences)}
    if rng.random() < CONTEXT_SHARE:
        statement["context"] = _sentence(rng, 3, 6).rstrip(".")
    return statement


def _claim(rng: random.Random, seeds: list[SeedText], speakers: list[str], topics: list[str]) -> dict[str, object]:
    speaker = rng.choice(speakers)
    statement = _statement(rng, seeds, speaker)
    counters = [_statement(rng, seeds, rng.choice(speakers)) for _ in range(rng.randint(1, 4))]
    for counter in counters:  # the claimant's own words never contradict the claim
        counter["stance"] = "adds-context" if counter["speaker"] == speaker else rng.choice(STANCES)
    latest = max(dt.date.fromisoformat(s["date"]) for s in [statement, *counters])
    published = latest + dt.timedelta(days=rng.randint(3, 40))
    claim: dict[str, object] = {
        "claim": _sentence(rng, 5, 10).rstrip(".")[:74], "statement": statement, "counter_statements": counters,
        "verdict": {"rating": rng.choice(VERDICTS), "summary": _paragraph(rng, rng.randint(40, 72))},
        "evidence_cutoff": latest.isoformat(),
        "topics": rng.sample(topics, rng.randint(1, 3)), "published": published.isoformat(),
        "analysis": _analysis(rng),
        "corrections": []}
    if rng.random() < CORRECTED_SHARE:
        claim["corrections"] = [{"date": (published + dt.timedelta(days=rng.randint(1, 30))).isoformat(),
                                 "text": _sentence(rng, 8, 16)} for _ in range(rng.randint(1, 2))]
    return claim


def _dump(path: Path, data: object) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100), encoding="utf-8")


def _write_site(out: Path) -> None:
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    config = config.replace("site_name: Fact-Check Desk", "site_name: Synthetic Desk").replace(
        "https://factcheck-desk.example.org/", "https://synthetic.example.org/")
    config = config.replace("custom_dir: theme_overrides", f"custom_dir: {REPO / 'theme_overrides'}")
    (out / "mkdocs.yml").write_text(config, encoding="utf-8")
    if (out / "content").exists():
        shutil.rmtree(out / "content")
    shutil.copytree(REPO / "content", out / "content")
