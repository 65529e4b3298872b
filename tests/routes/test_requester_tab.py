"""The requester's tab: dashboard, search, bookmarks and history, files, the ticket
view's promises, and bad input — over HTTP, in French."""

from __future__ import annotations

import io
import re
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from models import Attachment, Category, Ticket, TicketEvent, db
from models.enums import Action, ActionScope, Status, TicketScope
from models.operations import act
from tests.factories import ticket_in
from tests.routes.conftest import PUBLIC_URL, form_values
from tests.routes.test_ticket_pages import text

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def upload(name: str, content: bytes):
    return (io.BytesIO(content), name)


def test_the_tab_marks_the_current_page_for_assistive_technologies(world, browser):
    owner = browser(world.owner)
    for url, label in [
        ("/", "Accueil"),
        ("/dashboard", "Tableau de bord"),
        ("/search", "Recherche"),
        ("/bookmarks", "Signets/Historique"),
    ]:
        page = owner.get(url)
        assert page.status_code == 200
        current = re.search(
            r'<a class="hd-tabs__link[^"]*"[^>]*aria-current="page"[^>]*>(.*?)</a>', page.text, re.S
        )
        assert " ".join(re.sub(r"<[^>]+>", " ", current.group(1)).split()) == label, url


def test_the_dashboard_filters_my_tickets_and_marks_the_unread(world, browser):
    open_one = ticket_in(db.session, world, Status.IN_PROGRESS, subject="Imprimante en panne")
    closed_one = ticket_in(db.session, world, Status.CLOSED, subject="Wi-Fi salle 12")
    ticket_in(db.session, world, Status.APPROVED, subject="Quota de messagerie")
    invited = ticket_in(db.session, world, Status.FREE, subject="Projecteur amphi B", invite=False)
    act(db.session, invited.id, Action.INVITE, user=world.owner, invitee=world.newcomer)
    owner = browser(world.owner)

    page = text(owner.get("/dashboard"))
    assert "Mes tickets : 2" in page  # open by default
    assert "Imprimante en panne" in page and "Projecteur amphi B" in page
    assert "N° Date Service Catégorie Sujet Statut Gestionnaire" in page
    assert "(non lu)" in page

    approval = text(owner.get("/dashboard?status=approval"))
    assert "Wi-Fi salle 12" in approval and "Imprimante en panne" not in approval
    closed = text(owner.get("/dashboard?status=closed&involvement=owner"))
    assert "Quota de messagerie" in closed and "Wi-Fi salle 12" not in closed

    owner.get(f"/tickets/{open_one.id}")  # showing a ticket marks it read
    row = re.search(
        r"<tr[^>]*>(?:(?!</tr>).)*Imprimante en panne.*?</tr>", owner.get("/dashboard").text, re.S
    ).group(0)
    assert "hd-table__row--unread" not in row

    guest = text(browser(world.newcomer).get("/dashboard?involvement=invited"))
    assert "Projecteur amphi B" in guest and "Imprimante en panne" not in guest
    assert closed_one.id  # kept for the filters above
    weird = owner.get("/dashboard?status=nope&involvement=%00&page=-4")
    assert weird.status_code == 200


def test_the_dashboard_pages_through_many_tickets(world, browser, app):
    for number in range(23):
        ticket_in(
            db.session,
            world,
            Status.FREE,
            subject=f"Demande {number:02d}",
            invite=False,
            attach=False,
        )
    owner = browser(world.owner)
    first, second = text(owner.get("/dashboard")), text(owner.get("/dashboard?page=2"))
    assert "Page 1 sur 2" in first and "Page suivante" in first and "Demande 22" in first
    assert "Page 2 sur 2" in second and "Demande 00" in second and "Demande 22" not in second
    assert "Page 2 sur 2" in text(owner.get("/dashboard?page=99"))


def test_search_finds_only_what_the_searcher_may_read(world, browser):
    mine = ticket_in(db.session, world, Status.IN_PROGRESS, subject="Extincteur vide")
    act(
        db.session,
        mine.id,
        Action.COMMENT,
        user=world.tm,
        message="Note interne : fournisseur Sicli",
        scope=ActionScope.MANAGER,
    )
    public = ticket_in(db.session, world, Status.FREE, subject="Panne générale du Wi-Fi")
    public.scope = TicketScope.INTRANET
    db.session.commit()

    owner, stranger, manager = browser(world.owner), browser(world.newcomer), browser(world.tm)

    def found(who, query: str) -> str:
        """The results page's text, the words found no longer cut out by <mark>."""
        page = who.get("/search", query_string={"q": query})
        return text(SimpleNamespace(text=re.sub(r"</?mark[^>]*>", "", page.text)))

    assert "Extincteur vide" in found(owner, "extincteur")
    assert "Aucun ticket" in found(owner, "sicli")  # a managers' note
    assert "Extincteur vide" in found(manager, "sicli")
    assert "Aucun ticket" in found(stranger, "extincteur")  # private
    assert "Panne générale du Wi-Fi" in found(stranger, "wi-fi")  # intranet
    for odd in ["%", "_", "'; DROP TABLE tickets; --", "x" * 2000, "\\", "a b c d e f g h i j k l"]:
        assert owner.get("/search", query_string={"q": odd}).status_code == 200


def test_bookmarks_and_history_can_be_kept_and_cleared(world, browser):
    ticket = ticket_in(db.session, world, Status.IN_PROGRESS, subject="Clé USB perdue")
    owner = browser(world.owner)
    page = owner.get(f"/tickets/{ticket.id}")
    fields = form_values(
        re.search(r'action="/tickets/\d+/bookmark".*?</form>', page.text, re.S).group(0)
    )
    assert owner.post(f"/tickets/{ticket.id}/bookmark", data=fields).status_code == 303
    link = f'<a href="/tickets/{ticket.id}">Clé USB perdue</a>'
    assert owner.get("/bookmarks").text.count(link) == 2  # bookmarked, and in the history
    cleared = owner.submit("/bookmarks", "/bookmarks/clear-history")
    assert cleared.status_code == 303
    assert "Votre historique est vide." in text(owner.get("/bookmarks"))
    assert "Clé USB perdue" in text(owner.get("/bookmarks"))  # still bookmarked


def test_a_user_attaches_files_before_creating_and_removes_one(world, browser, app):
    owner = browser(world.owner)
    url = f"/tickets/new?category={world.other_category.id}"
    _, fields = owner.form(url)
    fields.update({"hd-subject": "Extincteurs Présidence", "hd-message": "Voir le plan."})
    staged = owner.post(
        "/tickets/new",
        data={
            **fields,
            "hd-attach": "Joindre un fichier",
            "hd-files": [
                upload("plan.pdf", b"%PDF-1.7 plan"),
                upload("../../etc/passwd", b"root:x"),
            ],
        },
        content_type="multipart/form-data",
    )
    assert staged.status_code == 200
    page = text(staged)
    assert "Fichier attachés (2)" in page and "plan.pdf" in page and "passwd" in page
    assert "etc/passwd" not in page and "Voir le plan." in staged.text  # typed text kept
    removed_id = re.search(r'name="hd-remove_file" value="(\d+)"', staged.text).group(1)
    fields = form_values(staged.text)
    after = owner.post(
        "/tickets/new", data={**fields, "hd-message": "Voir le plan.", "hd-remove_file": removed_id}
    )
    assert "Fichier attachés (1)" in text(after)

    fields = form_values(after.text)
    created = owner.post(
        "/tickets/new",
        data={**fields, "hd-message": "Voir le plan.", "hd-create": "Créer le ticket"},
    )
    assert created.status_code == 303
    ticket = db.session.scalars(sa.select(Ticket)).one()
    # « plan.pdf » was removed; what is left is named safely and typed by its bytes.
    assert [(a.original_name, a.media_type) for a in ticket.attachments] == [
        ("passwd", "text/plain")
    ]

    again = owner.post(
        "/tickets/new",
        data={**fields, "hd-message": "Voir le plan.", "hd-create": "Créer le ticket"},
    )
    assert again.status_code == 303 and again.headers["Location"] == created.headers["Location"]
    assert db.session.scalar(sa.select(sa.func.count(Ticket.id))) == 1  # a double click: one ticket


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([("vide.txt", b"")], "Ce fichier est vide."),
        ([(f"f{i}.txt", b"x") for i in range(200)], "Vous pouvez joindre au plus 10 fichiers"),
        ([("gros.bin", b"x" * (200 << 10))], "dépasse la limite de 100 ko"),
    ],
)
def test_bad_files_are_refused_beside_the_field(world, browser, app, files, message):
    app.config.update(MAX_ATTACHMENT_BYTES=100 << 10)
    owner = browser(world.owner)
    _, fields = owner.form(f"/tickets/new?category={world.category.id}")
    answer = owner.post(
        "/tickets/new",
        data={
            **fields,
            "hd-subject": "S",
            "hd-message": "Texte gardé",
            "hd-attach": "Joindre",
            "hd-files": [upload(name, content) for name, content in files],
        },
        content_type="multipart/form-data",
    )
    assert answer.status_code == 422
    assert message in text(answer) and 'id="hd-files-error"' in answer.text
    assert "Texte gardé" in answer.text


def test_a_category_closed_between_the_steps_keeps_what_was_typed(world, browser):
    owner = browser(world.owner)
    url = f"/tickets/new?category={world.category.id}"
    _, fields = owner.form(url)
    parent = world.category
    db.session.add(Category(department=world.service, label="Sous-catégorie", parent=parent))
    db.session.commit()  # the chosen category now has children and takes no ticket itself
    answer = owner.post(
        "/tickets/new",
        data={
            **fields,
            "hd-subject": "Mon sujet",
            "hd-message": "Mon long message",
            "hd-create": "Créer le ticket",
        },
    )
    assert answer.status_code == 422
    assert "Cette catégorie ne reçoit plus de tickets" in text(answer)
    assert "Mon long message" in answer.text and 'value="Mon sujet"' in answer.text
    assert '<select class="hd-input hd-input--selectfield" id="hd-category"' in answer.text


def test_files_are_downloaded_only_by_who_may_read_them(world, browser, app):
    ticket = ticket_in(db.session, world, Status.IN_PROGRESS, attach=False)
    owner, manager = browser(world.owner), browser(world.tm)
    _, fields = manager.form(f"/tickets/{ticket.id}/comment")
    manager.post(
        f"/tickets/{ticket.id}/comment",
        content_type="multipart/form-data",
        data={
            **fields,
            "hd-message": "Capture du diagnostic",
            "hd-scope": "manager",
            "hd-files": [upload("diag.png", PNG)],
        },
    )
    _, fields = owner.form(f"/tickets/{ticket.id}/comment")
    owner.post(
        f"/tickets/{ticket.id}/comment",
        content_type="multipart/form-data",
        data={
            **fields,
            "hd-message": "Voici une photo",
            "hd-files": [upload("<script>x.png", PNG)],
        },
    )
    internal, shared = db.session.scalars(sa.select(Attachment).order_by(Attachment.id)).all()

    with owner.get(f"/tickets/{ticket.id}/files/{shared.id}") as download:
        assert download.status_code == 200 and download.data == PNG
        assert download.headers["Content-Disposition"].startswith("attachment;")
        assert download.headers["X-Content-Type-Options"] == "nosniff"
        assert download.headers["Content-Type"] == "image/png"
        assert "sandbox" in download.headers["Content-Security-Policy"]
    assert owner.get(f"/tickets/{ticket.id}/files/{internal.id}").status_code == 404
    assert browser(world.newcomer).get(f"/tickets/{ticket.id}/files/{shared.id}").status_code == 404
    view = owner.get(f"/tickets/{ticket.id}")
    assert "diag.png" not in view.text and "&lt;script&gt;x.png" in view.text
    assert "<script>x.png" not in view.text


def test_a_pending_question_comes_first_with_its_answer_box(world, browser):
    ticket = ticket_in(db.session, world, Status.INCOMPLETE)
    owner = browser(world.owner)
    page = owner.get(f"/tickets/{ticket.id}")
    body = text(page)
    assert body.index("Le service a besoin d'un complément d'information") < body.index(
        "Accès direct"
    )
    assert "Quel bâtiment ?" in body
    question = page.text.index('class="hd-question"')
    assert page.text.index('name="hd-message"', question) < page.text.index("hd-direct")
    fields = form_values(page.text[question : page.text.index("</form>", question)])
    answered = owner.post(f"/tickets/{ticket.id}/comment", data={**fields, "hd-message": "Bât. B"})
    assert answered.status_code == 303
    assert "Le service a besoin" not in text(owner.get(f"/tickets/{ticket.id}"))


def test_messages_keep_their_lines_and_links_are_safe(world, browser):
    ticket = ticket_in(db.session, world, Status.IN_PROGRESS)
    act(
        db.session,
        ticket.id,
        Action.COMMENT,
        user=world.owner,
        message="Voir https://intranet.univ.example/doc?a=1&b=2.\n<img src=x onerror=alert(1)>\n"
        'javascript:alert(1) "quoted"',
    )
    page = browser(world.owner).get(f"/tickets/{ticket.id}").text
    assert (
        '<a href="https://intranet.univ.example/doc?a=1&amp;b=2" rel="noopener noreferrer '
        'nofollow" target="_blank">https://intranet.univ.example/doc?a=1&amp;b=2</a>.'
    ) in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page and "<img src=x" not in page
    assert 'href="javascript' not in page


def test_the_view_costs_the_same_queries_whatever_the_history(world, browser, app):
    from sqlalchemy import event

    def queries_for(ticket_id: int) -> int:
        counted = []
        listener = lambda *args: counted.append(1)  # noqa: E731
        engine = db.engine
        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert owner.get(f"/portlet/tickets/{ticket_id}").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(counted)

    owner = browser(world.owner)
    short = ticket_in(db.session, world, Status.IN_PROGRESS)
    long = ticket_in(db.session, world, Status.IN_PROGRESS)
    for number in range(30):
        act(db.session, long.id, Action.COMMENT, user=world.owner, message=f"Relance {number}")
        act(db.session, long.id, Action.COMMENT, user=world.tm, message=f"Réponse {number}")
    act(db.session, long.id, Action.CHANGE_PRIORITY, user=world.tm, priority=5)
    queries_for(short.id)  # warm the caches of the first request
    assert queries_for(long.id) == queries_for(short.id)
    assert (
        db.session.scalar(
            sa.select(sa.func.count(TicketEvent.id)).where(TicketEvent.ticket_id == long.id)
        )
        > 60
    )


def test_english_is_one_click_away_and_complete(world, browser):
    owner = browser(world.owner)
    page, _ = owner.form("/")
    fields = form_values(page.text.split('class="hd-language"')[1])
    saved = owner.post(
        "/preferences/language", data={**fields, "hd-language": "en", "hd-next": "/"}
    )
    assert saved.status_code == 303 and saved.headers["Location"] == f"{PUBLIC_URL}/"
    english = text(owner.get("/"))
    assert "Online help desk" in english and "Add a ticket" in english and "Dashboard" in english
    assert "Assistance en ligne" not in english
    wrong = owner.post("/preferences/language", data={**fields, "hd-language": "de"})
    assert wrong.status_code == 303


def test_the_institution_writes_its_own_welcome_text(world, browser, app, tmp_path):
    from portlet.app import create_app

    overrides = tmp_path / "overrides" / "home"
    overrides.mkdir(parents=True)
    (overrides / "_welcome.html").write_text("<p>Bienvenue à l'Université de Test.</p>")
    custom = create_app({**app.config, "TEMPLATE_OVERRIDES": str(tmp_path / "overrides")})
    owner = browser()
    owner.client = custom.test_client()
    owner.sign_in(world.owner)
    try:
        page = text(owner.get("/"))
        assert "Bienvenue à l'Université de Test." in page and "Ajouter un ticket" in page
    finally:
        with custom.app_context():
            db.engine.dispose()


def test_approving_a_ticket_that_no_longer_awaits_approval_is_refused(world, browser):
    ticket = ticket_in(db.session, world, Status.CLOSED)
    owner = browser(world.owner)
    page = owner.get(f"/tickets/{ticket.id}")
    form = re.search(r'action="/tickets/\d+/approve_closure".*?</form>', page.text, re.S).group(0)
    act(db.session, ticket.id, Action.REOPEN, user=world.dm, message="Pas encore réglé.")
    answer = owner.post(f"/tickets/{ticket.id}/approve_closure", data=form_values(form))
    assert answer.status_code in (403, 409)
    assert db.session.get(Ticket, ticket.id).status is Status.IN_PROGRESS
