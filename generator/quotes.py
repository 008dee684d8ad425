"""Verbatim-quote checking against archived source text.

Only differences a careful editor would ignore are normalised: whitespace and line
breaks, straight versus curly quotes, dash variants, and "..." versus "…". An
editor's elision, written ``[...]`` or ``[…]``, stands for a gap: the pieces on
either side must appear in the source in order.

When a quote is not found, the editor is shown the closest passage of the source as it
is written there (curly quotes and dashes kept), and a word-level diff from the quote to
that passage: ``[-words of the quote-]{+words of the source+}``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

_TRANSLATE = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u02bc": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u200b": "",
})
_SPACE = re.compile(r"\s+")
_ELISION = re.compile(r"\s*\[(?:\.\.\.|…)\]\s*")
_BARE_ELLIPSIS = re.compile(r"\.\.\.|…")
_TOKEN = re.compile(r"\s*(?:\w+(?:['’]\w+)*|[^\w\s])")

DELETED = ("[-", "-]")
INSERTED = ("{+", "+}")


def normalise(text: str) -> str:
    if not text.isascii():
        text = text.translate(_TRANSLATE).replace("…", "...")
    return _SPACE.sub(" ", text).strip()


def _normalise_char(char: str) -> str:
    return "..." if char == "…" else char.translate(_TRANSLATE)


def normalise_with_positions(raw: str) -> tuple[str, list[int]]:
    """`normalise(raw)`, and for each of its characters the index in `raw` it came from."""
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(raw):
        for out in _normalise_char(char):
            space = out.isspace()
            if space and (not chars or chars[-1] == " "):
                continue
            chars.append(" " if space else out)
            origin.append(index)
    if chars and chars[-1] == " ":
        chars.pop()
        origin.pop()
    return "".join(chars), origin


@dataclass(frozen=True)
class QuoteCheck:
    found: bool
    closest: str = ""
    """The passage of the source nearest to the missing piece, with its characters as in the source."""
    missing_piece: str = ""
    diff: str = ""
    """Word-level difference from the missing piece to `closest` (see `word_diff`)."""
    elision_hint: str = ""
    """Set when the quote uses a bare "..." or "…" where the editor evidently left words out."""


class SourceText:
    """A source's text, normalised once, against which many quotes are checked."""

    def __init__(self, raw: str):
        self.raw = raw
        self.normalised = normalise(raw)
        self._origin: list[int] | None = None

    def check(self, quote: str) -> QuoteCheck:
        missing = self._missing(quote)
        if missing is None:
            return QuoteCheck(True)
        if not missing:
            return QuoteCheck(False, missing_piece=quote)
        closest = self.closest(missing)
        diff = word_diff(missing, closest) if closest and _alike(missing, closest) else ""
        return QuoteCheck(False, closest=closest, missing_piece=missing, diff=diff,
                          elision_hint=self._elision_hint(quote))

    def _missing(self, quote: str) -> str | None:
        """The first piece of `quote` not found in order, "" for an empty quote, None when all are found."""
        pieces = [p for p in (normalise(part) for part in _ELISION.split(quote)) if p]
        if not pieces:
            return ""
        position = 0
        for piece in pieces:
            found = self.normalised.find(piece, position)
            if found < 0:
                return piece
            position = found + len(piece)
        return None

    def _elision_hint(self, quote: str) -> str:
        bare = [m for m in _BARE_ELLIPSIS.finditer(quote)
                if not (quote[max(0, m.start() - 1):m.start()] == "[" and quote[m.end():m.end() + 1] == "]")]
        if not bare:
            return ""
        rewritten = quote
        for m in reversed(bare):
            rewritten = f"{rewritten[:m.start()]} [...] {rewritten[m.end():]}"
        if self._missing(rewritten) is None:
            return ("an elision is written [...] (square brackets), not \"...\"; "
                    "with [...] in place of the dots the quote is found in the source")
        return ("if the dots mark words you left out, write them as [...] (square brackets); "
                "a bare \"...\" must appear in the source itself")

    def _span(self, piece: str) -> tuple[int, int]:
        source = self.normalised
        matcher = SequenceMatcher(None, source, piece, autojunk=False)
        match = matcher.find_longest_match(0, len(source), 0, len(piece))
        start = max(0, match.a - match.b)
        window = source[start:start + len(piece)]
        best, best_ratio = start, SequenceMatcher(None, window, piece, autojunk=False).ratio()
        for shift in (-10, -5, -2, 2, 5, 10):
            s = max(0, start + shift)
            ratio = SequenceMatcher(None, source[s:s + len(piece)], piece, autojunk=False).ratio()
            if ratio > best_ratio:
                best, best_ratio = s, ratio
        begin = source.rfind(" ", 0, best + 1) + 1 if best > 0 and source[best - 1] != " " else best
        end = source.find(" ", best + len(piece) + 8)
        return begin, end if end > 0 else len(source)

    def closest_normalised(self, piece: str) -> str:
        """The closest passage as normalised text (what the checker compared against)."""
        if not self.normalised:
            return ""
        begin, end = self._span(piece)
        return self.normalised[begin:end]

    def closest(self, piece: str) -> str:
        """The passage of the source that best matches `piece`, for showing the editor what differs:
        its characters as written in the source, line breaks shown as spaces."""
        if not self.normalised:
            return ""
        begin, end = self._span(piece)
        if end <= begin:
            return ""
        if self._origin is None:
            normalised, self._origin = normalise_with_positions(self.raw)
            assert normalised == self.normalised
        raw = self.raw[self._origin[begin]:self._origin[end - 1] + 1]
        return _SPACE.sub(" ", raw).strip()


def _tokens(text: str) -> list[tuple[str, str]]:
    """Words and punctuation marks, each as (leading space, the token as written)."""
    out = []
    for match in _TOKEN.finditer(text):
        token = match.group()
        word = token.lstrip()
        out.append((token[:len(token) - len(word)], word))
    return out


def _alike(quote: str, passage: str) -> bool:
    """Whether a word diff is worth showing: most of the quote's words are in the passage."""
    mine = [normalise(w) for _, w in _tokens(quote)]
    theirs = [normalise(w) for _, w in _tokens(passage)]
    matched = sum(size for _, _, size in SequenceMatcher(None, mine, theirs, autojunk=False).get_matching_blocks())
    return bool(mine) and matched >= len(mine) / 2


def word_diff(quote: str, passage: str) -> str:
    """`passage` with the quote's differences marked word by word: ``[-only in the quote-]`` and
    ``{+only in the passage+}``. Words are compared as the checker compares them (a curly and a
    straight quote are the same), and shown as written in the passage."""
    mine, theirs = _tokens(quote), _tokens(passage)
    matcher = SequenceMatcher(None, [normalise(w) for _, w in mine], [normalise(w) for _, w in theirs],
                              autojunk=False)
    opcodes = matcher.get_opcodes()
    # The passage runs a little past the quote on either side: words only there are context, not a difference.
    while opcodes and opcodes[0][0] == "insert":
        opcodes.pop(0)
    while opcodes and opcodes[-1][0] == "insert":
        opcodes.pop()
    if opcodes and opcodes[-1][0] == "replace":  # the passage's words replacing the quote's last ones
        op, i1, i2, j1, j2 = opcodes[-1]
        opcodes[-1] = (op, i1, i2, j1, min(j2, j1 + i2 - i1))
    if opcodes and opcodes[0][0] == "replace":  # and its first ones
        op, i1, i2, j1, j2 = opcodes[0]
        opcodes[0] = (op, i1, i2, max(j1, j2 - (i2 - i1)), j2)
    parts: list[str] = []

    def joined(tokens: list[tuple[str, str]]) -> str:
        return "".join(space + word for space, word in tokens).lstrip()

    for op, i1, i2, j1, j2 in opcodes:
        if op == "equal":
            parts.extend((" " if space and parts else "") + word for space, word in theirs[j1:j2])
            continue
        first = (mine[i1:i2] or theirs[j1:j2])[0]
        parts.append(" " if first[0] and parts else "")
        if i2 > i1:
            parts.append(f"{DELETED[0]}{joined(mine[i1:i2])}{DELETED[1]}")
        if j2 > j1:
            parts.append(f"{INSERTED[0]}{joined(theirs[j1:j2])}{INSERTED[1]}")
    return "".join(parts)
