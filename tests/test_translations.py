"""French first: every message the code can show has its French words."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "fragments" / "translations"
# What `make translations` extracts: babel.cfg says it, here as there.
with open(ROOT / "babel.cfg") as _mapping:
    METHODS, _OPTIONS = parse_mapping_cfg(_mapping)
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}


def catalog(language: str):
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", "rb") as source:
        return read_po(source, locale=language)


def source_messages() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT),
        METHODS,
        keywords=KEYWORDS,
        options_map={
            pattern: {"extensions": "jinja2.ext.i18n", **options}
            for pattern, options in _OPTIONS.items()
        },
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_the_french_catalogue_is_complete_and_settled():
    french = catalog("fr")
    untranslated = [m.id for m in french if m.id and not m.string]
    fuzzy = [m.id for m in french if m.id and m.fuzzy]
    assert untranslated == [] and fuzzy == []


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_catalogues_hold_exactly_the_messages_of_the_code(language):
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog(language) if m.id}
    assert ids == source_messages(), "run `make translations`, then translate what is new"


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_compiled_catalogues_match_their_sources(language):
    compiled = io.BytesIO()
    write_mo(compiled, catalog(language))
    mo = TRANSLATIONS / language / "LC_MESSAGES" / "messages.mo"
    assert mo.read_bytes() == compiled.getvalue(), "run `make translations`"
