"""Highlighted extracts, made safe by construction.

The engines mark the words found with two private-use characters (PostgreSQL's
``ts_headline`` is told to use them; SQLite's extracts are marked here in Python), after
removing any such character from the text itself. ``segments`` then cuts the marked text
into (text, found) pairs: templates escape every piece and wrap the found ones in
<mark>, so nothing a user wrote is ever taken for markup.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import sqlalchemy as sa

from .syntax import Term
from .text import COMPOUND, WORD, is_stop_word, stem

START, STOP = "\ue000", "\ue001"
MARKED = re.compile(f"{START}(.*?){STOP}", re.S)
EXTRACT_WORDS = 30
Segment = tuple[str, bool]


def unmark(text: sa.ColumnElement[str]) -> sa.ColumnElement[str]:
    """The text without our marker characters (PostgreSQL)."""
    return sa.func.translate(text, START + STOP, "")


def segments(marked: str | None) -> list[Segment]:
    """« a \ue000b\ue001 c » → [("a ", False), ("b", True), (" c", False)]."""
    found: list[Segment] = []
    position = 0
    marked = marked or ""
    for match in MARKED.finditer(marked):
        if match.start() > position:
            found.append((marked[position : match.start()], False))
        found.append((match.group(1), True))
        position = match.end()
    if position < len(marked):
        found.append((marked[position:], False))
    return [(text.replace(START, "").replace(STOP, ""), hit) for text, hit in found if text]


def highlight_document(text: str | None, terms: Sequence[Term], *, whole: bool = False) -> str:
    """``text`` with the words of ``terms`` marked: all of it, or (``whole=False``) an
    extract of about EXTRACT_WORDS words around the first word found."""
    text = (text or "").replace(START, "").replace(STOP, "")
    wanted = {stem(word) for term in terms for word in term.words if not is_stop_word(word)}
    words = list(WORD.finditer(text))
    hits = {index for index, word in enumerate(words) if stem(word.group()) in wanted}
    for compound in COMPOUND.finditer(text):  # « wifi » found in « Wi-Fi »
        if stem(compound.group().replace("-", "")) in wanted:
            hits |= {
                index
                for index, word in enumerate(words)
                if compound.start() <= word.start() < compound.end()
            }
    first, last = 0, len(words)
    if not whole and len(words) > EXTRACT_WORDS:
        first = max(0, min(min(hits, default=0) - EXTRACT_WORDS // 3, len(words) - EXTRACT_WORDS))
        last = first + EXTRACT_WORDS
    start = 0 if first == 0 else words[first].start()
    end = len(text) if last == len(words) else words[last - 1].end()
    pieces = ["… "] if start > 0 else []
    position = start
    for index in range(first, last):
        word = words[index]
        pieces.append(text[position : word.start()])
        pieces.append(f"{START}{word.group()}{STOP}" if index in hits else word.group())
        position = word.end()
    pieces.append(text[position:end])
    if end < len(text):
        pieces.append(" …")
    return "".join(pieces)
