"""The search box's language: what each query means, and junk that means only words."""

from __future__ import annotations

import pytest

from models.search.syntax import MAX_TERMS, AllOf, AnyOf, Not, Term, parse
from models.search.text import fold, spaced_words, stem, stemmed_words


def t(*words: str) -> Term:
    return Term(tuple(words))


@pytest.mark.parametrize(
    ("typed", "meaning"),
    [
        # words: all of them
        ("imprimante", (t("imprimante"),)),
        ("imprimante réseau", (t("imprimante"), t("réseau"))),
        ("  imprimante\t\nréseau  ", (t("imprimante"), t("réseau"))),
        # "phrases": words in a row
        ('"carte multiservice"', (t("carte", "multiservice"),)),
        ('"mot de passe" oublié', (t("mot", "de", "passe"), t("oublié"))),
        # -exclusion, of a word or a phrase
        ("wifi -eduroam", (t("wifi"), Not(t("eduroam")))),
        ('-"mot de passe" compte', (Not(t("mot", "de", "passe")), t("compte"))),
        # OR binds tighter than AND
        ("imprimante OR scanner", (AnyOf((t("imprimante"), t("scanner"))),)),
        ("panne imprimante OR scanner", (t("panne"), AnyOf((t("imprimante"), t("scanner"))))),
        ("a OR b OR z", (AnyOf((t("a"), t("b"), t("z"))),)),
        ('"carte grise" OR permis', (AnyOf((t("carte", "grise"), t("permis"))),)),
        # OR where it joins nothing is dropped; lower-case « or » is a word
        ("OR imprimante OR", (t("imprimante"),)),
        ("imprimante OR -scanner", (t("imprimante"), Not(t("scanner")))),
        ("or massif", (t("or"), t("massif"))),
        # a word cut by punctuation is a phrase of its pieces
        ("wi-fi", (t("wi", "fi"),)),
        ("rapport_final.pdf", (t("rapport", "final", "pdf"),)),
        # stop words alone find nothing; at a phrase's ends they are dropped
        ("le la les", (t("les"),)),
        ("l'imprimante", (t("imprimante"),)),
        ('"de la carte"', (t("carte"),)),
        # the same word twice counts once (and with and without it finds nothing)
        ("wifi wifi -wifi -wifi", (t("wifi"), Not(t("wifi")))),
    ],
)
def test_queries_mean_what_the_help_says(typed, meaning):
    assert parse(typed) == AllOf(meaning)


@pytest.mark.parametrize(
    ("typed", "meaning"),
    [
        ("", ()),
        (None, ()),
        ("   ", ()),
        ('"', ()),
        ('""', ()),
        ("-", ()),
        ("- -", ()),
        ("OR", ()),
        ("' & ! :* | ( ) < > \\ % _ ; --", ()),
        ("\x00\x01\x7f", ()),
        # operators of tsquery and FTS5 are only text
        ("imprimante & !scanner", (t("imprimante"), t("scanner"))),
        ("imprim:* AND NEAR(a b)", (t("imprim"), t("AND"), t("NEAR", "a"), t("b"))),
        ("impri* ^wifi", (t("impri"), t("wifi"))),
        ("'; DROP TABLE tickets; --", (t("DROP"), t("TABLE"), t("tickets"))),
        # a quote left open is a separator, not a phrase
        ('"carte grise', (t("carte"), t("grise"))),
        ('carte "grise" "permis', (t("carte"), t("grise"), t("permis"))),
        ('-"carte', (Not(t("carte")),)),
        ("--wifi", (Not(t("wifi")),)),
    ],
)
def test_junk_is_text_and_never_an_error(typed, meaning):
    assert parse(typed) == AllOf(meaning)


def test_long_queries_are_bounded():
    many = parse(" ".join(f"mot{number}" for number in range(50)))
    assert len(many.parts) == MAX_TERMS
    huge = parse("x" * 2000)
    assert huge.parts == (t("x" * 100),)  # a word is cut at 100 characters
    assert len(parse("a " * 2000).parts) == 1
    assert len(parse('"' + "mot " * 50 + '"').parts[0].words) == 10


def test_what_the_query_looks_for_and_what_it_needs():
    query = parse('panne "carte grise" OR permis -eduroam')
    assert query.wanted == [t("panne"), t("carte", "grise"), t("permis")]
    assert parse("-eduroam").only_excludes and not parse("-eduroam wifi").only_excludes
    assert parse("le").is_empty and not parse("wifi").is_empty


@pytest.mark.parametrize(
    ("written", "indexed"),
    [
        ("Réseau", "reseau"),
        ("réseaux", "reseau"),
        ("RESEAU", "reseau"),
        ("imprimantes", "imprim"),
        ("Imprimante", "imprim"),
        ("cœur", "coeur"),
        ("Œuvres", "oeuvr"),
        ("2024", "2024"),
    ],
)
def test_words_are_folded_and_stemmed_the_same_for_index_and_query(written, indexed):
    assert stem(written) == indexed


def test_text_is_split_on_anything_but_letters_and_digits():
    assert spaced_words("L'imprimante (bât. B) : « hors-service » !") == (
        "L imprimante bât B horsservice hors service"
    )
    assert stemmed_words("Les imprimantes du réseau") == "le imprim du reseau"
    assert fold("Ça débloque") == "ca debloque"
