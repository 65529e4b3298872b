"""Demo data: the services of the user guide, people to play them, and tickets in
every state, all created through the workflow as real users would.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import Category, CategoryMember, Department, DepartmentManager, User
from models.db import utcnow
from models.enums import Action, AssignmentAlgorithm, FaqVisibility, TicketScope
from models.faq import FaqEntry
from models.faq.matching import entry_terms
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
    faq = _faq(session, users, categories)
    _tickets(session, users, categories, faq)
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


# title, visibility, body (Markdown), categories, entries under it; per FAQ (None: global).
FAQ = {
    None: [
        (
            "Bien décrire sa demande",
            FaqVisibility.EVERYONE,
            "Pour une réponse rapide, indiquez :\n\n"
            "- **où** : bâtiment, salle, poste ;\n"
            "- **quoi** : le message d'erreur exact, une capture d'écran ;\n"
            "- **depuis quand**, et ce que vous avez déjà essayé.",
            [],
            [],
        ),
        (
            "Mot de passe oublié",
            FaqVisibility.AUTHENTICATED,
            "Le mot de passe de l'ENT se change sur la page **Mon compte** de l'ENT. "
            "Sans accès à votre messagerie de secours, déposez un ticket.",
            ["Compte et ENT"],
            [],
        ),
    ],
    "INFORMATIQUE": [
        (
            "Réseau",
            FaqVisibility.EVERYONE,
            "Se connecter au réseau de l'université, sur le campus et à distance.",
            [],
            [
                (
                    "Se connecter au Wi-Fi eduroam",
                    FaqVisibility.EVERYONE,
                    "## Sur un ordinateur portable\n\n"
                    "1. Installez le profil eduroam de l'université (outil **geteduroam**).\n"
                    "2. Identifiant : `uid@univ.example` ; mot de passe : celui de l'ENT.\n\n"
                    "## Toujours pas de connexion ?\n\n"
                    "Supprimez l'ancien profil eduroam, puis réinstallez-le : "
                    "le certificat du réseau a changé.",
                    ["Réseau et Wi-Fi"],
                    [],
                ),
                (
                    "Le VPN de l'université",
                    FaqVisibility.AUTHENTICATED,
                    "Le VPN donne accès aux ressources internes depuis l'extérieur. "
                    "Installez le client depuis [la page du numérique](https://numerique.univ.example/vpn).",
                    ["Réseau et Wi-Fi"],
                    [],
                ),
            ],
        ),
        (
            "Imprimer depuis un poste de l'université",
            FaqVisibility.AUTHENTICATED,
            "Les imprimantes des couloirs impriment avec votre carte multiservice. "
            "Une imprimante qui affiche **erreur 49** doit être éteinte puis rallumée.",
            ["Imprimantes"],
            [],
        ),
        (
            "Procédure interne : réinitialiser une imprimante",
            FaqVisibility.DEPARTMENT,
            "Pour les gestionnaires : menu *Maintenance*, code **4455**, puis "
            "*Réinitialiser la file d'impression*.",
            ["Imprimantes"],
            [],
        ),
    ],
}


def _faq(
    session: Session, users: dict[str, User], categories: dict[str, Category]
) -> dict[str, FaqEntry]:
    """The FAQ entries above, written by the administrator and the service's manager."""
    found: dict[str, FaqEntry] = {}
    departments = {d.label: d for d in session.scalars(sa.select(Department))}

    def add(department, parent, entries, author):
        for position, (title, visibility, body, linked, children) in enumerate(entries):
            entry = FaqEntry(
                department=department,
                parent=parent,
                position=position,
                title=title,
                body=body,
                visibility=visibility,
                categories=[categories[label] for label in linked],
                suggest_terms=entry_terms(title, body),
                created_by=author,
                updated_by=author,
            )
            session.add(entry)
            found[title] = entry
            add(department, entry, children, author)

    for label, entries in FAQ.items():
        department = departments[label] if label else None
        add(department, None, entries, users["gestionnaire" if label else "admin"])
    session.flush()
    return found


def _tickets(
    session: Session,
    users: dict[str, User],
    categories: dict[str, Category],
    faq: dict[str, FaqEntry],
) -> None:
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
        faq_entry=faq["Se connecter au Wi-Fi eduroam"],
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
