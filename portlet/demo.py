"""Demo data: the services of the user guide, people to play them, and tickets in
every state, all created through the workflow as real users would.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import Category, CategoryMember, Department, DepartmentManager, User
from models.db import utcnow
from models.enums import Action, AssignmentAlgorithm, TicketScope
from models.logins import identify
from models.workflow import create_ticket, perform

from .demo_people import PEOPLE

# label, title, description, managers, categories: (label, description, children, flags)
SERVICES = [
    (
        "HYGIENE - SECURITE",
        "Hygiène et sécurité",
        "Sécurité des personnes et des locaux : incendie, premiers secours, risques.",
        ["securite"],
        [
            ("Sécurité incendie", "Extincteurs, alarmes, issues de secours.", [], {}),
            ("Premiers secours", "Trousses de secours, défibrillateurs.", [], {}),
            ("Locaux et accès", "Portes, badges, éclairage, signalétique.", [], {"expiry_days": 7}),
        ],
    ),
    (
        "INFORMATIQUE",
        "Direction du numérique",
        "Comptes, messagerie, réseau, postes de travail et logiciels.",
        ["gestionnaire", "gestionnaire2"],
        [
            ("Compte et ENT", "Mot de passe, accès à l'ENT, authentification CAS.", [], {}),
            ("Messagerie", "Boîte aux lettres, listes de diffusion, agenda.", [], {}),
            ("Réseau et Wi-Fi", "Eduroam, réseau filaire, VPN.", [], {}),
            (
                "Poste de travail",
                "Ordinateurs et périphériques des salles et bureaux.",
                [
                    ("Imprimantes", "Impression, photocopieurs, scanners.", [], {}),
                    ("Logiciels", "Installation et licences de logiciels.", [], {}),
                ],
                {"accepts_tickets": True},
            ),
        ],
    ),
]


def load(session: Session) -> bool:
    """Add the demo data; False when it is there already."""
    if session.scalar(sa.select(Department.id).where(Department.label == "INFORMATIQUE")):
        return False
    users = _users(session)
    categories = _services(session, users)
    session.flush()
    _tickets(session, users, categories)
    session.commit()
    return True


def _users(session: Session) -> dict[str, User]:
    """The demo people, as their first CAS login would have created them."""
    users = {}
    for person in PEOPLE:
        user = identify(session, person["uid"], person["attributes"])
        user.is_admin = person["admin"]
        users[person["uid"]] = user
    session.flush()
    return users


def _services(session: Session, users: dict[str, User]) -> dict[str, Category]:
    categories: dict[str, Category] = {}
    for position, (label, title, description, managers, tree) in enumerate(SERVICES):
        department = Department(
            label=label, title=title, description=description, position=position
        )
        session.add(department)
        for rank, uid in enumerate(managers):
            department.managers.append(DepartmentManager(user=users[uid], position=rank))
        _categories(department, None, tree, categories)
    session.add_all(categories.values())
    it = categories["Poste de travail"]
    it.assignment_algorithm = AssignmentAlgorithm.ROUND_ROBIN
    categories["Imprimantes"].members.append(CategoryMember(user=users["gestionnaire2"]))
    categories["Messagerie"].assignment_algorithm = AssignmentAlgorithm.FIRST_AVAILABLE
    categories["Messagerie"].members.append(CategoryMember(user=users["gestionnaire"]))
    return categories


def _categories(department, parent, tree, found) -> None:
    for position, (label, description, children, flags) in enumerate(tree):
        category = Category(
            department=department,
            parent=parent,
            label=label,
            description=description,
            position=position,
            **flags,
        )
        found[label] = category
        _categories(department, category, children, found)


def _tickets(session: Session, users: dict[str, User], categories: dict[str, Category]) -> None:
    start = utcnow() - timedelta(days=20)

    def at(days: float):
        return start + timedelta(days=days)

    def new(owner, category, subject, message, days, **extra):
        ticket = create_ticket(
            session,
            creator=users[owner],
            category=categories[category],
            subject=subject,
            message=message,
            now=at(days),
            **extra,
        )
        session.flush()
        return ticket

    # The user guide's own example, still waiting for someone to take it.
    new(
        "esup9992",
        "Sécurité incendie",
        "Extincteurs Présidence",
        "Bonjour,\nOù sont placés les extincteurs à la Présidence ?\nMerci d'avance\n"
        "Bien cordialement,",
        19.5,
    )

    # A request for information the owner has not answered yet.
    printer = new(
        "personnel",
        "Imprimantes",
        "Imprimante HS au 2e étage du bâtiment B",
        "L'imprimante du couloir affiche « erreur 49 » depuis ce matin.",
        10,
    )
    perform(
        printer,
        Action.REQUEST_INFORMATION,
        user=printer.manager,
        now=at(10.2),
        message="Pouvez-vous nous indiquer le numéro d'inventaire collé sur l'imprimante ?",
    )

    # Closed by the service, waiting for the owner's approval.
    wifi = new(
        "etudiant",
        "Réseau et Wi-Fi",
        "Pas de connexion eduroam en amphi A",
        "Mon ordinateur portable ne se connecte plus à eduroam dans l'amphi A.",
        12,
    )
    perform(wifi, Action.TAKE, user=users["gestionnaire"], now=at(12.1))
    perform(
        wifi,
        Action.CLOSE,
        user=users["gestionnaire"],
        now=at(13),
        message="Le certificat du profil eduroam a été renouvelé ; merci de réinstaller le profil.",
    )

    # A full loop: refused closure, then approved.
    mail = new(
        "esup9992",
        "Messagerie",
        "Boîte aux lettres pleine",
        "Je ne peux plus envoyer de messages : ma boîte est pleine.",
        3,
    )
    perform(
        mail,
        Action.CLOSE,
        user=mail.manager,
        now=at(3.5),
        message="Votre quota a été augmenté à 5 Go.",
    )
    perform(
        mail,
        Action.REFUSE_CLOSURE,
        user=users["esup9992"],
        now=at(4),
        message="Le message d'erreur apparaît toujours.",
    )
    perform(
        mail,
        Action.CLOSE,
        user=mail.manager,
        now=at(4.5),
        message="Le quota est maintenant appliqué ; il fallait vous reconnecter.",
    )
    perform(mail, Action.APPROVE_CLOSURE, user=users["esup9992"], now=at(5))

    # Postponed until a software licence arrives, and an intranet-wide known problem.
    software = new(
        "personnel",
        "Logiciels",
        "Installation de MATLAB en salle 204",
        "Pour les TP de la rentrée, il faudrait MATLAB sur les 20 postes.",
        15,
    )
    perform(software, Action.TAKE, user=users["gestionnaire2"], now=at(15.2))
    perform(
        software,
        Action.POSTPONE,
        user=users["gestionnaire2"],
        now=at(15.3),
        message="En attente des licences.",
        recall_at=utcnow() + timedelta(days=10),
    )
    new(
        "etudiant",
        "Compte et ENT",
        "Impossible de me connecter à l'ENT",
        "Depuis hier, l'ENT me renvoie sur la page de connexion après mon mot de passe.",
        19,
        scope=TicketScope.INTRANET,
    )
