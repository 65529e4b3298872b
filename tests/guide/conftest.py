"""The user guide's scenes, played on the domain with French labels."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from portlet.app import create_app


@pytest.fixture(scope="module")
def french(tmp_path_factory):
    """Render lazy labels as a French user reads them."""
    app = create_app(
        {"DATA_DIR": str(tmp_path_factory.mktemp("data")), "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    )
    with app.app_context(), force_locale("fr"):
        yield lambda lazy: str(lazy)


def history_line(french, event) -> str:
    """« Test ESUP (esup9992) a créé le ticket. » as the recap screen shows it."""
    author = event.author.label if event.author else french("the application")
    return f"{author} {french(event.kind.phrase)}."
