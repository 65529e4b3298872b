"""Configuration: defaults, then ``ASSISTANCE_*`` environment variables, then ``DATABASE_URL``.

Every key a deployer may set is listed in README.md, « Configuration ».
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

DEFAULTS = {
    # Where the embedded defaults live: the SQLite file, attachments, the secret key.
    "DATA_DIR": None,  # None: Flask's instance folder, <project>/instance
    "ATTACHMENTS_DIR": None,  # None: <DATA_DIR>/attachments
    "MAX_ATTACHMENT_MB": 20,
    "MAX_FILES_PER_FORM": 10,
    "RECENT_VIEWS": 25,
    "BABEL_DEFAULT_LOCALE": "fr",
    "BABEL_DEFAULT_TIMEZONE": "Europe/Paris",
    "LANGUAGES": ["fr", "en"],
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    # Identity: the CAS server, and the URL CAS and e-mails know this service by.
    "PUBLIC_URL": "http://127.0.0.1:5000",
    "CAS_SERVER_URL": None,
    "CAS_TIMEOUT": 5,
    "CAS_ALLOWED_PROXIES": [],
    "SESSION_HOURS": 12,
    # Embedding in the portal.
    "FRAME_ANCESTORS": ["'self'"],
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_PARTITIONED": False,
    "SESSION_COOKIE_NAME": "assistance_session",
    "PORTAL_URL_TEMPLATE": None,
    # The <assistance-widget>: portal origins allowed to call /api/v1, and the key of the
    # portal's signed userinfo token (uPortal's soffit signatureKey, Base64).
    "WIDGET_ORIGINS": [],
    "PORTAL_JWT_KEY": None,
    "PORTAL_JWT_ISSUER": None,
    "TEMPLATE_OVERRIDES": None,
    # Mail (Flask-Mail's keys): the SMTP server, and how the outbox is delivered.
    "MAIL_SERVER": "localhost",
    "MAIL_PORT": 25,
    "MAIL_USE_TLS": False,
    "MAIL_USE_SSL": False,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_DEFAULT_SENDER": None,  # None: assistance@<host of PUBLIC_URL>
    "MAIL_TIMEOUT": 30,
    "MAIL_MESSAGE_ID_DOMAIN": None,  # None: the host of PUBLIC_URL
    "MAIL_DELIVERY": None,  # "inline" | "worker" | "off"; None: inline on SQLite, else worker
    "MAIL_FILE_DIR": None,  # set: mails are written there as .eml files, not sent
    "OUTBOX_MAX_ATTEMPTS": 8,
    # Owners are reminded this many days before a « Clos » ticket expires (0: never).
    "EXPIRY_REMINDER_DAYS": 3,
}

MAIL_DELIVERY_MODES = ("inline", "worker", "off")


def database_url(url: str) -> str:
    """Accept the usual spellings of a PostgreSQL URL and use psycopg 3 for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def load(app, overrides: dict | None) -> None:
    config = app.config
    config.from_mapping(DEFAULTS)
    config.from_prefixed_env("ASSISTANCE")
    if os.environ.get("DATABASE_URL"):
        config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    config.from_mapping(overrides or {})

    data_dir = Path(config["DATA_DIR"] or app.instance_path)
    config["DATA_DIR"] = str(data_dir)
    config["ATTACHMENTS_DIR"] = str(config["ATTACHMENTS_DIR"] or data_dir / "attachments")
    config.setdefault("SQLALCHEMY_DATABASE_URI", f"sqlite:///{data_dir / 'assistance.sqlite3'}")
    config["SQLALCHEMY_DATABASE_URI"] = database_url(config["SQLALCHEMY_DATABASE_URI"])
    config["BABEL_TRANSLATION_DIRECTORIES"] = str(PROJECT_ROOT / "fragments" / "translations")
    config["MAX_ATTACHMENT_BYTES"] = int(config["MAX_ATTACHMENT_MB"]) * (1 << 20)
    # A whole request: its files at their largest, and the form around them.
    config["MAX_CONTENT_LENGTH"] = config["MAX_ATTACHMENT_BYTES"] * int(
        config["MAX_FILES_PER_FORM"]
    ) + (1 << 20)
    config.setdefault("SESSION_COOKIE_SECURE", config["PUBLIC_URL"].startswith("https://"))
    config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=float(config["SESSION_HOURS"]))
    if not config["MAIL_DELIVERY"]:
        embedded = config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
        config["MAIL_DELIVERY"] = "inline" if embedded else "worker"
    if config["MAIL_DELIVERY"] not in MAIL_DELIVERY_MODES:
        raise ValueError(f"MAIL_DELIVERY must be one of {', '.join(MAIL_DELIVERY_MODES)}")
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = _persistent_secret(data_dir / "secret_key")


def prepare_folders(app) -> None:
    """The embedded default creates what it needs on first start."""
    Path(app.config["DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    Path(app.config["ATTACHMENTS_DIR"]).mkdir(parents=True, exist_ok=True)


def _persistent_secret(path: Path) -> str:
    """A random key kept beside the data, so sessions survive a restart."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        key = secrets.token_hex(32)
        try:
            with open(path, "x") as out:  # two workers starting together keep one key
                out.write(key)
            os.chmod(path, 0o600)
        except FileExistsError:
            return path.read_text().strip()
        return key
