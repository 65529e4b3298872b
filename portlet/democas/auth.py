"""The demo people as CAS accounts: every uid of ``BY_UID``, one shared password."""

from __future__ import annotations

import copy

from cas_server.auth import AuthUser

from portlet.demo_people import BY_UID, DEMO_PASSWORD


class DemoAuthUser(AuthUser):
    def test_password(self, password):
        return self.username in BY_UID and password == DEMO_PASSWORD

    def attributs(self):
        person = BY_UID.get(self.username)
        # A copy: django-cas-server may rewrite list values in place.
        return copy.deepcopy(person["attributes"]) if person else {}
