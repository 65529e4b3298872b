"""The search box's language, parsed into a small tree.

    imprimante réseau         both words (AND)
    "carte multiservice"      these words in a row
    -wifi  -"mot de passe"    without this word or phrase
    imprimante OR scanner     either (OR binds tighter than AND: « a b OR c » is a ∧ (b ∨ c))

Anything else is text: quotes left open, ``&``, ``!``, ``:*``, ``'``, ``NEAR``, ``*``,
parentheses… only separate words. Nothing the user types reaches an engine's query
syntax: the engines render the tree (``engines``), never the text.
"""

from __future__ import annotations

from dataclasses import dataclass

from .text import is_stop_word, words

MAX_QUERY_LENGTH = 500  # characters read; the form says so beyond it
MAX_TERMS = 10  # words or phrases, exclusions included
MAX_PHRASE_WORDS = 10
OR = "OR"


@dataclass(frozen=True)
class Term:
    """A word, or several words in a row (a phrase)."""

    words: tuple[str, ...]

    def __str__(self) -> str:
        return " ".join(self.words)


@dataclass(frozen=True)
class AnyOf:
    terms: tuple[Term, ...]


@dataclass(frozen=True)
class Not:
    term: Term


Part = Term | AnyOf | Not


@dataclass(frozen=True)
class AllOf:
    """The whole query: every part must hold."""

    parts: tuple[Part, ...] = ()

    @property
    def wanted(self) -> list[Term]:
        """The terms looked for (not the excluded ones): what ranks and highlights."""
        found: list[Term] = []
        for part in self.parts:
            found += [part] if isinstance(part, Term) else list(getattr(part, "terms", ()))
        return found

    @property
    def is_empty(self) -> bool:
        return not self.parts

    @property
    def only_excludes(self) -> bool:
        return bool(self.parts) and all(isinstance(part, Not) for part in self.parts)


@dataclass
class _Token:
    words: list[str]
    negated: bool = False


def _tokens(text: str) -> list[_Token | str]:
    """Words, quoted phrases and OR, in order; a leading « - » negates the next one."""
    tokens: list[_Token | str] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        negated = text[i] == "-" and i + 1 < n and not text[i + 1].isspace()
        i += negated
        if text[i] == '"':
            end = text.find('"', i + 1)
            if end != -1:
                tokens.append(_Token(words(text[i + 1 : end]), negated))
                i = end + 1
                continue
            i += 1  # a quote left open is only text
        j = i
        while j < n and not text[j].isspace() and text[j] != '"':
            j += 1
        chunk, i = text[i:j], j
        tokens.append(OR if chunk == OR and not negated else _Token(words(chunk), negated))
    return tokens


def _term(found: list[str]) -> Term | None:
    """Stop words at either end of a phrase find nothing: PostgreSQL drops them too."""
    while found and is_stop_word(found[0]):
        found = found[1:]
    while found and is_stop_word(found[-1]):
        found = found[:-1]
    return Term(tuple(found[:MAX_PHRASE_WORDS])) if found else None


def parse(text: str | None) -> AllOf:
    """The query in ``text``; never fails. Words beyond the limits are ignored."""
    text = (text or "")[:MAX_QUERY_LENGTH]
    parts: list[Part] = []
    seen: set[tuple[bool, Term]] = set()
    joining = False  # the previous token was OR
    for token in _tokens(text):
        if token == OR:
            joining = bool(parts) and not isinstance(parts[-1], Not)
            continue
        term = _term(token.words)
        if term is None or (token.negated, term) in seen or len(seen) >= MAX_TERMS:
            joining = False
            continue
        seen.add((token.negated, term))
        if token.negated:
            parts.append(Not(term))
        elif joining:
            previous = parts[-1]
            terms = previous.terms if isinstance(previous, AnyOf) else (previous,)
            parts[-1] = AnyOf((*terms, term))
        else:
            parts.append(term)
        joining = False
    return AllOf(tuple(parts))
