"""The demo's people, shared by the demo data and the demo CAS server.

Plain data: the demo CAS server (a separate Django process) imports it too.
Every demo account's password is ``DEMO_PASSWORD``.
"""

from __future__ import annotations

DEMO_PASSWORD = "demo"
DOMAIN = "univ.example"


def _person(uid, display_name, mail, affiliations, entity=None, admin=False):
    attributes = {
        "uid": uid,
        "displayName": display_name,
        "mail": mail,
        "eduPersonAffiliation": affiliations,
        "eduPersonPrincipalName": f"{uid}@{DOMAIN}",
    }
    if entity:
        attributes["supannEntiteAffectation"] = entity
    return {"uid": uid, "admin": admin, "attributes": attributes}


# Requesters first, then the managers of the two demo services, then the administrator.
PEOPLE = [
    _person(
        "etudiant", "Camille MARTIN", f"camille.martin@{DOMAIN}", ["student", "member"], "UFR-SCI"
    ),
    _person("esup9992", "Test ESUP", f"esup9992@{DOMAIN}", ["student", "member"], "UFR-LET"),
    _person(
        "personnel",
        "Sophie POMMIER",
        f"sophie.pommier@{DOMAIN}",
        ["staff", "employee", "member"],
        "PRES",
    ),
    _person(
        "gestionnaire",
        "Jean DUPONT",
        f"jean.dupont@{DOMAIN}",
        ["staff", "employee", "member"],
        "DSI",
    ),
    _person(
        "gestionnaire2",
        "Léa BERNARD",
        f"lea.bernard@{DOMAIN}",
        ["staff", "employee", "member"],
        "DSI",
    ),
    _person(
        "securite", "Marc DURAND", f"marc.durand@{DOMAIN}", ["staff", "employee", "member"], "HS"
    ),
    _person(
        "admin",
        "Administrateur ASSISTANCE",
        f"assistance@{DOMAIN}",
        ["staff", "member"],
        "DSI",
        admin=True,
    ),
]

BY_UID = {person["uid"]: person for person in PEOPLE}
