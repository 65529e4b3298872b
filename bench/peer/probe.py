"""Sign a django-helpdesk user in, and count the queries of its views, for bench/run.py.

    PEER_DATABASE=assistance_bench_peer bench/.peer-venv/bin/python -m bench.peer.probe \\
        u0000001 /helpdesk/tickets/5001/ …

Prints one JSON object: ``cookie``, the session cookie of a fresh login of the user,
written as django.contrib.auth.login() writes it (database sessions, Django's default)
without a login form; and ``views``, for each path given, its status, size and number
of SQL queries (a second request, so that first-request work is not counted); and the
``versions`` of Django and django-helpdesk.
"""

from __future__ import annotations

import json
import os
import sys
from importlib.metadata import version


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.peer.settings")
    import django

    django.setup()


def cookie(username: str) -> str:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore

    user = User.objects.get(username=username)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def queries(username: str, paths: list[str]) -> dict:
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    client = Client()
    client.force_login(User.objects.get(username=username))
    out = {}
    with override_settings(ALLOWED_HOSTS=["testserver"]):
        for path in paths:
            client.get(path)
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path)
            out[path] = {
                "status": response.status_code,
                "bytes": len(response.content),
                "queries": len(captured.captured_queries),
            }
    return out


def main(argv: list[str]) -> None:
    setup()
    username, paths = argv[0], argv[1:]
    versions = {name: version(name) for name in ("django", "django-helpdesk")}
    result = {"cookie": cookie(username), "views": queries(username, paths), "versions": versions}
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
