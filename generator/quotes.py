"""Verbatim-quote checking against archived source text.

Only differences a careful editor would ignore are normalised: whitespace and line
breaks, straight versus curly quotes, dash variants, and "..." versus "…". An
editor's elision, written ``[...]`` or ``[…]``, stands for a gap: the pieces on
either side must appear in the source in order.
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


def normalise(text: str) -> str:
    if not text.isascii():
        text = text.translate(_TRANSLATE).replace("…", "...")
    return _SPACE.sub(" ", text).strip()


@dataclass(frozen=True)
class QuoteCheck:
    found: bool
    closest: str = ""
    missing_piece: str = ""


class SourceText:
    """A source's text, normalised once, against which many quotes are checked."""

    def __init__(self, raw: str):
        self.normalised = normalise(raw)

    def check(self, quote: str) -> QuoteCheck:
        pieces = [p for p in (normalise(part) for part in _ELISION.split(quote)) if p]
        if not pieces:
            return QuoteCheck(False, missing_piece=quote)
        position = 0
        for piece in pieces:
            found = self.normalised.find(piece, position)
            if found < 0:
                return QuoteCheck(False, closest=self.closest(piece), missing_piece=piece)
            position = found + len(piece)
        return QuoteCheck(True)

    def closest(self, piece: str) -> str:
        """The passage of the source that best matches `piece`, for showing the editor what differs."""
        source = self.normalised
        if not source:
            return ""
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
        return source[begin:end if end > 0 else len(source)]
