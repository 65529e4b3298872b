"""The application shell: configuration, first start, commands and health."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from models import Ticket
from portlet.app import create_app
from portlet.config import database_url
from tests.conftest import ENGINES, drop_database, fresh_database_url


def test_the_embedded_default_creates_its_files_on_first_start(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    data = tmp_path / "data"
    app = create_app({"DATA_DIR": str(data)})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{data / 'assistance.sqlite3'}"
    assert (data / "attachments").is_dir()
    key = app.config["SECRET_KEY"]
    assert len(key) == 64 and (data / "secret_key").read_text() == key
    assert (
        create_app({"DATA_DIR": str(data)}).config["SECRET_KEY"] == key
    )  # sessions survive restarts


def test_the_environment_configures_the_service(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://helpdesk@db.univ.example/assistance")
    monkeypatch.setenv("ASSISTANCE_MAX_ATTACHMENT_MB", "5")
    monkeypatch.setenv("ASSISTANCE_SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("ASSISTANCE_DATA_DIR", str(tmp_path))
    config = create_app().config
    assert (
        config["SQLALCHEMY_DATABASE_URI"]
        == "postgresql+psycopg://helpdesk@db.univ.example/assistance"
    )
    assert config["MAX_ATTACHMENT_BYTES"] == 5 << 20
    assert config["SECRET_KEY"] == "from-the-environment"
    assert config["ATTACHMENTS_DIR"] == str(tmp_path / "attachments")


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgresql://u@h/d", "postgresql+psycopg://u@h/d"),
        ("postgresql+psycopg://u@h/d", "postgresql+psycopg://u@h/d"),
        ("sqlite:////srv/a.db", "sqlite:////srv/a.db"),
    ],
)
def test_database_urls_use_psycopg_3(given, used):
    assert database_url(given) == used


@pytest.fixture(params=ENGINES)
def fresh_app(request, tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    url = fresh_database_url(request.param, tmp_path)
    app = create_app({"DATA_DIR": str(tmp_path / "data"), "SQLALCHEMY_DATABASE_URI": url})
    yield app
    with app.app_context():
        from models import db

        db.engine.dispose()
    drop_database(url)


def test_the_commands_build_the_schema_load_the_demo_and_run_the_batches(fresh_app):
    client, runner = fresh_app.test_client(), fresh_app.test_cli_runner()
    assert client.get("/healthz").status_code == 503  # no schema yet

    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    loaded = runner.invoke(args=["demo", "load"])
    assert loaded.exit_code == 0 and "loaded" in loaded.output
    again = runner.invoke(args=["demo", "load"])
    assert again.exit_code == 0 and "already" in again.output

    health = client.get("/healthz")
    assert health.status_code == 200
    assert (
        health.json["status"] == "ok"
        and health.json["services"] == 2
        and health.json["categories"] >= 8
    )

    expired = runner.invoke(args=["batch", "expire", "--now", "2099-01-01T00:00:00+0000"])
    assert expired.exit_code == 0 and "expired: 1" in expired.output
    recalled = runner.invoke(args=["batch", "recall", "--now", "2099-01-01T00:00:00+0000"])
    assert recalled.exit_code == 0 and "recalled: 1" in recalled.output
    with fresh_app.app_context():
        from models import db

        statuses = db.session.scalars(sa.select(Ticket.status).order_by(Ticket.id)).all()
    assert [s.value for s in statuses] == [
        "free",
        "incomplete",
        "expired",
        "approved",
        "in_progress",
        "free",
    ]


def test_the_workflow_document_check_passes_on_a_clean_tree(fresh_app):
    result = fresh_app.test_cli_runner().invoke(args=["workflow-doc", "--check"])
    assert result.exit_code == 0, result.output


def test_the_console_script_is_installed():
    script = Path(sys.executable).parent / "assistance"
    result = subprocess.run(
        [str(script), "batch", "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and "expire" in result.stdout


def test_french_is_the_default_and_english_the_second_language(tmp_path):
    from portlet.extensions import select_locale

    app = create_app({"DATA_DIR": str(tmp_path), "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    for header, expected in [
        (None, "fr"),
        ("en-GB,en;q=0.8", "en"),
        ("de-DE", "fr"),
        ("fr-FR,en;q=0.5", "fr"),
    ]:
        headers = {"Accept-Language": header} if header else {}
        with app.test_request_context(headers=headers):
            assert select_locale() == expected


def test_the_purge_command_removes_forgotten_uploads(fresh_app):
    runner = fresh_app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    result = runner.invoke(args=["batch", "purge-uploads", "--now", "2099-01-01T00:00:00+0000"])
    assert result.exit_code == 0 and "purged: 0" in result.output
