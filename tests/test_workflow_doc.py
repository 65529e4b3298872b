"""docs/workflow.md is the workflow table, as people read it: never stale."""

from pathlib import Path

from models.workflow import TRANSITIONS
from models.workflow_doc import render

DOC = Path(__file__).resolve().parent.parent / "docs" / "workflow.md"


def test_the_committed_workflow_document_matches_the_code():
    assert DOC.read_text() == render(), "docs/workflow.md is stale: run `make docs`"


def test_the_document_shows_every_rule_in_french():
    text = render()
    for label in (
        "Libre",
        "En cours",
        "Incomplet",
        "Reporté",
        "Clos/approuvé",
        "Expiré",
        "Refuser clôture",
        "Ajouter commentaire",
        "Prendre en charge",
    ):
        assert label in text
    rows = [line for line in text.splitlines() if line.startswith("| ") and " | " in line]
    assert len(rows) > len({(action, actor) for _, action, actor in TRANSITIONS})
