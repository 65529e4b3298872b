"""Matching the subject being typed in « Ajouter un ticket » against the entries.

Each entry keeps the stems of its words (``suggest_terms``), folded and stemmed as the
search folds them (models/search/text.py). A typed word finds an entry when its stem
begins one of the entry's: « imprim » (from « imprimante », or a word still being
typed) finds « imprimantes »; accents and case never matter.
"""

from __future__ import annotations

from ..search.text import document_words, is_stop_word, stem
from .rendering import plain_text

MIN_WORD_LENGTH = 3  # shorter words (« wi », « le ») suggest everything
MAX_WORDS = 10


def entry_terms(title: str, body: str) -> str:
    """« imprim reseau wifi »: the distinct stems of an entry, each once, in order."""
    stems = dict.fromkeys(
        stem(word)
        for word in document_words(f"{title}\n{plain_text(body)}")
        if not is_stop_word(word)
    )
    return " ".join(stems)


def typed_stems(text: str | None) -> list[str]:
    """The stems to look for in what the user typed, most telling words first."""
    words = [
        word
        for word in document_words((text or "")[:500])
        if len(word) >= MIN_WORD_LENGTH and not is_stop_word(word)
    ]
    stems = dict.fromkeys(stem(word) for word in words)
    return [found for found in stems if len(found) >= MIN_WORD_LENGTH][:MAX_WORDS]
