"""Django settings of the peer: django-helpdesk, served for the benchmark only.

Run with bench/.peer-venv's Python (never the project's venv). The database is named
by PEER_DATABASE (default ``assistance_bench_peer``) on the bench's PostgreSQL.
Everything is Django's and django-helpdesk's documented default except what a
production deployment for a university (100 000 accounts) would set, all in the peer's
favour: persistent database connections (CONN_MAX_AGE), teams mode off (no
pinax-teams), and the « assign to » lists limited to staff
(HELPDESK_STAFF_ONLY_TICKET_OWNERS / _CC), which spares it rendering every account in
the ticket view and the ticket list.
"""

import os

DEBUG = False
SECRET_KEY = "bench-peer-secret-key-not-for-production"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ.get("PEER_DATABASE", "assistance_bench_peer"),
        "USER": os.environ.get("PEER_DATABASE_USER", "postgres"),
        "HOST": os.environ.get("PEER_DATABASE_HOST", "127.0.0.1"),
        "PORT": os.environ.get("PEER_DATABASE_PORT", "5432"),
        # Persistent connections, as a production deployment sets them (the default, 0,
        # would open a PostgreSQL connection per request).
        "CONN_MAX_AGE": 600,
    }
}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",  # required by django-helpdesk (links in mails)
    "django.contrib.humanize",  # required by django-helpdesk (elapsed times)
    "rest_framework",  # required by django-helpdesk (its API, the list's datatables)
    "helpdesk",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "bench.peer.urls"
WSGI_APPLICATION = "bench.peer.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

SITE_ID = 1
LANGUAGE_CODE = "fr"
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
STATIC_URL = "/static/"
MEDIA_ROOT = os.environ.get("PEER_MEDIA_ROOT", "/tmp/assistance-bench-peer-media")
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
LOGIN_URL = "/helpdesk/login/"
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"

HELPDESK_TEAMS_MODE_ENABLED = False
HELPDESK_STAFF_ONLY_TICKET_OWNERS = True
HELPDESK_STAFF_ONLY_TICKET_CC = True
