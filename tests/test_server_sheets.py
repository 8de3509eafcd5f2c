"""Action sheets and the roadmap under concurrent writes, through a real `revital serve` process on
the suite's database (SQLite or PostgreSQL): sheets numbered apart, one section saved by ten
tabs at once, an opinion sent five times at once, a roadmap published from ten tabs at once."""

import re
from datetime import date, timedelta

import httpx
from sqlalchemy import func, select

from revital import demo, submissions
from revital.communes.models import Commune, Organisation
from revital.journal.models import JournalPost
from revital.mail.models import Outbox
from revital.roadmaps.models import Roadmap
from revital.sheets import notices, review_rules
from revital.sheets.models import ActionSheet, Opinion, ReviewRequest, Version
from tests.conftest import MAIN, PERSONAS
from tests.test_server import at_once, served  # noqa: F401 - the fixture: a revital serve process

FEASIBILITY = "mont-lozere-et-goulet"
IMPLEMENTATION = "chateauneuf-de-randon"


def signed_in(server, persona: str) -> httpx.Client:
    client = server.client()
    assert client.get("/connexion").status_code == 200
    response = client.post("/connexion", data={"_csrf_token": client.cookies["revital_csrf"],
                                                "email": PERSONAS[persona], "password": demo.DEMO_PASSWORD})
    assert response.status_code == 303, response.text
    return client


def hidden(html: str, form_action: str, name: str) -> str:
    """The value of a hidden field of the form that posts to form_action."""
    form = re.search(r'<form[^>]*action="' + re.escape(form_action) + r'"(.*?)</form>', html, re.S)
    assert form, form_action
    found = re.search(r'name="' + re.escape(name) + r'" value="([^"]*)"', form.group(1))
    assert found, name
    return found.group(1)


def commune_id(db, slug: str) -> int:
    with db.session() as session:
        return session.scalar(select(Commune.id).where(Commune.slug == slug))


def test_ten_sheets_made_at_once_get_ten_numbers(served, shared_db):
    tabs = [signed_in(served, "coordinator") for _ in range(10)]
    page = f"/communes/{FEASIBILITY}/gestion/fiches/"
    commune = commune_id(shared_db, FEASIBILITY)
    with shared_db.session() as session:
        before = session.scalar(select(func.max(ActionSheet.number)).where(ActionSheet.commune_id == commune))
    try:
        codes = at_once(10, lambda i: tabs[i].post(page, data={"_csrf_token": tabs[i].cookies["revital_csrf"],
                                                                "title": f"Fiche simultanée {i}"}).status_code)
        assert codes == [303] * 10
        with shared_db.session() as session:
            numbers = session.scalars(select(ActionSheet.number).where(
                ActionSheet.commune_id == commune, ActionSheet.title.like("Fiche simultanée %"))).all()
        assert sorted(numbers) == list(range(before + 1, before + 11))
    finally:
        for tab in tabs:
            tab.close()


def test_one_create_form_sent_five_times_at_once_makes_one_sheet(served, shared_db):
    tab = signed_in(served, "coordinator")
    page = f"/communes/{FEASIBILITY}/gestion/fiches/"
    key = hidden(tab.get(page).text, page.rstrip("/"), submissions.FIELD)
    commune = commune_id(shared_db, FEASIBILITY)
    try:
        results = at_once(5, lambda i: tab.post(page, data={"_csrf_token": tab.cookies["revital_csrf"],
                                                             "title": "Fiche envoyée cinq fois", submissions.FIELD: key}))
        assert [r.status_code for r in results] == [303] * 5
        assert len({r.headers["location"] for r in results}) == 1  # all sent to the one sheet
        with shared_db.session() as session:
            assert session.scalar(select(func.count()).select_from(ActionSheet).where(
                ActionSheet.commune_id == commune, ActionSheet.title == "Fiche envoyée cinq fois")) == 1
    finally:
        tab.close()


def test_one_section_saved_from_ten_tabs_at_once_keeps_one_and_shows_nine_conflicts(served, shared_db):
    commune = commune_id(shared_db, FEASIBILITY)
    with shared_db.session() as session:
        sheet = session.scalar(select(ActionSheet).where(ActionSheet.commune_id == commune,
                                                         ActionSheet.status == "review").order_by(ActionSheet.number))
        number, version = sheet.number, sheet.version
        versions = session.scalar(select(func.count()).select_from(Version).where(Version.sheet_id == sheet.id))
    editor = f"/communes/{FEASIBILITY}/gestion/fiches/{number}"
    action = f"{editor}/sections/contenu"
    tabs = [signed_in(served, "coordinator") for _ in range(10)]
    try:
        forms = []
        for tab in tabs:
            html = tab.get(editor).text
            forms.append({"_csrf_token": tab.cookies["revital_csrf"], "fingerprint": hidden(html, action, "fingerprint"),
                          "description": ""})
        texts = [f"Description écrite dans l’onglet {i}." for i in range(10)]

        def save(i):
            response = tabs[i].post(action, data={**forms[i], "description": texts[i]})
            return response.status_code, response.text

        results = at_once(10, save)
        codes = sorted(code for code, _ in results)
        assert codes == [303] + [409] * 9
        kept = next(i for i, (code, _) in enumerate(results) if code == 303)
        # Each refused tab gets the conflict view with what it typed, nothing lost.
        for i, (code, html) in enumerate(results):
            if code == 409:
                assert texts[i] in html and 'class="conflict-theirs"' in html
        with shared_db.session() as session:
            saved = session.scalar(select(ActionSheet).where(ActionSheet.commune_id == commune,
                                                             ActionSheet.number == number))
            assert saved.description == texts[kept]
            assert saved.version == version + 1  # in review: the save made one new version, not ten
            assert session.scalar(select(func.count()).select_from(Version).where(
                Version.sheet_id == saved.id)) == versions + 1
    finally:
        for tab in tabs:
            tab.close()


def test_an_opinion_sent_five_times_at_once_counts_once(served, shared_db):
    # A sheet of the main commune (whose account gets the opinion's e-mail), in review by the CAUE.
    commune = commune_id(shared_db, MAIN)
    with shared_db.transaction() as session:
        caue = session.scalar(select(Organisation.id).where(Organisation.slug == "caue-48"))
        number = (session.scalar(select(func.max(ActionSheet.number)).where(ActionSheet.commune_id == commune)) or 0) + 1
        sheet = ActionSheet(commune_id=commune, number=number, title="Fiche examinée", status="review", version=1)
        session.add(sheet)
        session.flush()
        session.add(ReviewRequest(commune_id=commune, sheet_id=sheet.id, organisation_id=caue, version=1,
                                  due_on=date.today() + timedelta(days=10), message=""))
        sheet_id = sheet.id
    page = f"/communes/{MAIN}/fiches/{number}/avis"
    tabs = [signed_in(served, "partner") for _ in range(5)]
    try:
        def give(i):
            return tabs[i].post(page + "/", data={"_csrf_token": tabs[i].cookies["revital_csrf"], "version": "1",
                                                   "organisation": str(caue), "verdict": "reserves",
                                                   "comments": "Un avis.", "reservations": "Une réserve"}).status_code

        assert sorted(at_once(5, give)) == [303] + [409] * 4
        with shared_db.session() as session:
            assert session.scalar(select(func.count()).select_from(Opinion).where(Opinion.sheet_id == sheet_id)) == 1
            assert session.scalar(select(func.count()).select_from(Outbox).where(
                Outbox.kind == notices.OPINION, Outbox.text.like("%Une réserve%"))) == 1
        assert review_rules.GIVEN.format(version=1) in tabs[0].get(page + "/").text.replace("&#39;", "'")
    finally:
        for tab in tabs:
            tab.close()


def test_the_roadmap_published_from_ten_tabs_at_once_makes_one_version(served, shared_db):
    commune = commune_id(shared_db, IMPLEMENTATION)
    with shared_db.session() as session:
        latest = session.scalar(select(func.max(Roadmap.number)).where(Roadmap.commune_id == commune))
        posts = session.scalar(select(func.count()).select_from(JournalPost).where(JournalPost.commune_id == commune))
    manage = f"/communes/{IMPLEMENTATION}/gestion/feuille-de-route/"
    tabs = [signed_in(served, "coordinator") for _ in range(10)]
    try:
        seen = [hidden(tab.get(manage).text, manage.rstrip("/") + "/publier", "seen") for tab in tabs]
        assert seen == [str(latest)] * 10

        def publish(i):
            return tabs[i].post(manage + "publier", data={"_csrf_token": tabs[i].cookies["revital_csrf"],
                                                          "seen": seen[i], "note": f"Mise à jour de l’onglet {i}"}
                                ).status_code

        assert sorted(at_once(10, publish)) == [303] + [409] * 9
        with shared_db.session() as session:
            numbers = session.scalars(select(Roadmap.number).where(Roadmap.commune_id == commune)).all()
            assert sorted(numbers) == list(range(1, latest + 2))
            assert session.scalar(select(func.count()).select_from(JournalPost).where(JournalPost.commune_id == commune)) == posts + 1
        public = tabs[0].get(f"/communes/{IMPLEMENTATION}/feuille-de-route")
        assert public.status_code == 200 and f"version {latest + 1}" in public.text.lower()
    finally:
        for tab in tabs:
            tab.close()
