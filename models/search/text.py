"""Words as search sees them, the same way on both engines.

PostgreSQL's ``assistance_french`` configuration removes accents (unaccent), then
stems with Snowball's French stemmer and drops French stop words. SQLite has none of
this, so Python does the same before FTS5 indexes the result; queries go through the
same steps, so « reseau » finds « réseaux » on both.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata

import snowballstemmer

# Letters and digits; everything else (punctuation, operators, underscores) separates.
WORD = re.compile(r"[^\W_]+")
# « Wi-Fi », « e-mail »: indexed as their parts and as one word, so « wifi » finds them.
COMPOUND = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)+")
MAX_WORD_LENGTH = 100
# Letters unaccent spells out that Unicode does not decompose.
LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ø": "o", "đ": "d", "ł": "l", "ß": "ss"})

# PostgreSQL's french.stop (Snowball's list). PostgreSQL compares it with the word once
# unaccented, so its accented entries never match: the same happens here.
_FRENCH_STOP = """
    au aux avec ce ces dans de des du elle en et eux il je la le leur lui ma mais me même
    mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes
    toi ton tu un une vos votre vous c d j l à m n s t y été étée étées étés étant étante
    étants étantes suis es est sommes êtes sont serai seras sera serons serez seront serais
    serait serions seriez seraient étais était étions étiez étaient fus fut fûmes fûtes
    furent sois soit soyons soyez soient fusse fusses fût fussions fussiez fussent ayant
    ayante ayantes ayants eu eue eues eus ai as avons avez ont aurai auras aura aurons aurez
    auront aurais aurait aurions auriez auraient avais avait avions aviez avaient eut eûmes
    eûtes eurent aie aies ait ayons ayez aient eusse eusses eût eussions eussiez eussent
"""
STOP_WORDS = frozenset(_FRENCH_STOP.split())

_local = threading.local()  # Snowball stemmers keep state: one per thread


def words(text: str | None) -> list[str]:
    """The words of ``text``, as written (each cut to a sane length)."""
    return [word[:MAX_WORD_LENGTH] for word in WORD.findall(text or "")]


def fold(word: str) -> str:
    """Lower case, without accents: « Réseaux » → « reseaux »."""
    decomposed = unicodedata.normalize("NFKD", word.casefold().translate(LIGATURES))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@functools.lru_cache(maxsize=65_536)
def stem(word: str) -> str:
    """The form both the index and the queries keep: « Imprimantes » → « imprim ».
    Cached: a helpdesk's vocabulary is small and repeats, and the pure-Python Snowball
    stemmer is what reindexing spends its time on."""
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = snowballstemmer.stemmer("french")
    return stemmer.stemWord(fold(word))


def is_stop_word(word: str) -> bool:
    return fold(word) in STOP_WORDS


def document_words(text: str | None) -> list[str]:
    """The words a document is indexed by: its words, each hyphenated compound also
    written whole just before its parts (« Wi-Fi » → WiFi Wi Fi)."""
    joined = COMPOUND.sub(
        lambda found: found.group().replace("-", "") + " " + found.group(), text or ""
    )
    return words(joined)


def spaced_words(text: str | None) -> str:
    """A document as words separated by spaces: what PostgreSQL's parser is given, so
    that it splits text exactly as queries are split here (« l'imprimante »…)."""
    return " ".join(document_words(text))


def stemmed_words(text: str | None) -> str:
    """What SQLite's FTS5 indexes: every word folded and stemmed, stop words included
    (phrases keep their inner words; a query never asks for a stop word alone)."""
    return " ".join(stem(word) for word in document_words(text))
