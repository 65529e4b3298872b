"""Settings of the demo CAS server, for a loopback-only machine without internet.

``DEMOCAS_DATA_DIR`` (set by ``__main__`` from ``--data-dir``) holds the SQLite database.
"""

import os
from pathlib import Path

DATA_DIR = Path(os.environ["DEMOCAS_DATA_DIR"])

# A demo server on 127.0.0.1 only: nothing to protect with this key.
SECRET_KEY = os.environ.get("DEMOCAS_SECRET_KEY", "democas-not-a-secret")
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "cas_server",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "portlet.democas.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA_DIR / "democas.sqlite3",
        # Validation, PGT callbacks and SLO run in parallel threads.
        "OPTIONS": {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"},
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

# The French newcomer logs in here with a real browser.
LANGUAGE_CODE = "fr"
USE_I18N = True
TIME_ZONE = "Europe/Paris"
USE_TZ = True
STATIC_URL = "/cas/static/"

# Cookies ignore ports: keep ours apart from the application's on the same 127.0.0.1.
SESSION_COOKIE_NAME = "democas_session"
SESSION_COOKIE_PATH = "/cas/"
CSRF_COOKIE_NAME = "democas_csrftoken"
CSRF_COOKIE_PATH = "/cas/"
LANGUAGE_COOKIE_NAME = "democas_language"
LANGUAGE_COOKIE_PATH = "/cas/"

# Errors go to stderr (the log file of the tests) even with DEBUG off.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["stderr"], "level": "INFO"},
}

CAS_AUTH_CLASS = "portlet.democas.auth.DemoAuthUser"
# Seconds a service or proxy ticket stays valid (the tests shorten it to see tickets expire).
CAS_TICKET_VALIDITY = int(os.environ.get("DEMOCAS_TICKET_VALIDITY", "60"))
# Offline machine: no version check, no CDN (a local stylesheet stands in for Bootstrap).
CAS_NEW_VERSION_HTML_WARNING = False
CAS_NEW_VERSION_EMAIL_WARNING = False
CAS_COMPONENT_URLS = {
    "bootstrap3_css": "",
    "bootstrap3_js": "",
    "html5shiv": "",
    "respond": "",
    "bootstrap4_css": STATIC_URL + "democas/login.css",
    "bootstrap4_js": "",
    "jquery": "",
}
CAS_SHOW_POWERED = False
CAS_SLO_TIMEOUT = 2
