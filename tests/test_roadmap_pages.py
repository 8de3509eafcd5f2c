"""The roadmap through HTTP: the public pages per persona (latest with its progress, version n, the
comparison, the empty state, 404s in French), the back-office tab (who may open it, the preview
and its comparison, publishing: numbers, the note, the refusal without a validated sheet, the
journal entry, a double submit), and immutability (a sheet edited after publication changes
neither version N's page nor its snapshot)."""

import json
import threading

import pytest
from sqlalchemy import func, select, update

from revital.communes.models import Commune
from revital.journal.models import JournalPost
from revital.roadmaps import demo as roadmap_demo
from revital.roadmaps import services
from revital.roadmaps.models import Roadmap
from revital.sheets.models import VALIDATED, ActionSheet, Cost, FundingLine
from tests.conftest import MAIN, PERSONAS, get, make_client, post, sign_in_as, text_of
from tests.dom import parse

DEMO = roadmap_demo.SLUG
PUBLIC = f"/communes/{DEMO}/feuille-de-route"
EVERYONE = ["anonymous", *PERSONAS]
MAIN_ADMIN = f"/communes/{MAIN}/gestion/feuille-de-route"


def commune_id(db, slug=MAIN) -> int:
    with db.session() as session:
        return session.scalar(select(Commune.id).where(Commune.slug == slug))


def add_sheet(db, slug, number, title, investment_cents, status=VALIDATED, granted_cents=0) -> int:
    cid = commune_id(db, slug)
    with db.transaction() as session:
        sheet = ActionSheet(commune_id=cid, number=number, title=title, status=status, pilot="Commune",
                            start_year=2027, start_quarter=2, end_year=2028, end_quarter=1)
        session.add(sheet)
        session.flush()
        session.add(Cost(commune_id=cid, sheet_id=sheet.id, year=2027, investment_cents=investment_cents))
        if granted_cents:
            session.add(FundingLine(commune_id=cid, sheet_id=sheet.id, funder="État", scheme="DETR",
                                    amount_cents=granted_cents, year=2027, status="granted"))
        return sheet.id


def roadmaps_of(db, slug=MAIN) -> list[Roadmap]:
    with db.session() as session:
        return list(session.scalars(select(Roadmap).where(Roadmap.commune_id == commune_id(db, slug))
                                    .order_by(Roadmap.number)))


def publish(client, note="", seen=None, slug=MAIN):
    if seen is None:
        seen = len(roadmaps_of(client.app.state.db, slug))
    return post(client, f"/communes/{slug}/gestion/feuille-de-route/publier", {"note": note, "seen": str(seen)})


# --- Public pages ---------------------------------------------------------------------------------

@pytest.mark.parametrize("persona", EVERYONE)
def test_the_latest_roadmap_is_public_for_everyone(as_persona, persona):
    client = as_persona(persona)
    response = get(client, PUBLIC)
    assert response.status_code == 200
    text = text_of(response.text)
    assert "Feuille de route · Châteauneuf-de-Randon" in text
    assert "Version 2, publiée le" in text
    assert "Une halle pour le marché du samedi" in text and "Réaménager la place du Mausolée" in text
    # the axes, the calendar and its table, the funding tables, the map
    dom = parse(response.text)
    hrefs = dom.hrefs()
    assert dom.find("table", id="calendrier-tableau") is not None
    assert dom.find("table", id="financeurs") is not None and dom.find("table", id="financement-actions") is not None
    assert 'class="gantt"' in response.text and 'class="action-map"' in response.text
    assert "Banque des Territoires" in text
    # lineage and the living progress
    assert "Née de 2 enjeux et d’une piste d’action" in text
    first = dom.find("li", id="action-1").text()
    assert "Avancement En cours" in first and "Réalisé à 35 %" in first
    assert "Terminé" in text and "Réalisé à 100 %" in text
    assert f"{PUBLIC}/actions/1" in hrefs and f"{PUBLIC}/actions/6" in hrefs  # every action's progress page
    # the referents' names are not public
    assert "Élu référent (démo)" not in text and "Référent technique (démo)" not in text
    assert f"{PUBLIC}.pdf" in hrefs and f"{PUBLIC}/1" in hrefs and f"{PUBLIC}/1.pdf" in hrefs


@pytest.mark.parametrize("persona", ["anonymous", "resident", "coordinator"])
def test_version_one_is_shown_exactly_as_published(as_persona, persona):
    client = as_persona(persona)
    response = get(client, f"{PUBLIC}/1")
    assert response.status_code == 200
    text = text_of(response.text)
    assert "Version 1, publiée le" in text and "Telle qu’elle a été publiée" in text
    assert "Une halle pour le marché du samedi" not in text
    assert "Réaménager la place du Mausolée" in text
    assert "Avancement" not in text  # the plan as published, no living progress
    assert roadmap_demo.NOTES[0] in text


@pytest.mark.parametrize("persona", ["anonymous", "partner", "admin"])
def test_the_comparison_shows_what_changed(as_persona, persona):
    client = as_persona(persona)
    response = get(client, f"{PUBLIC}/comparer?de=1&a=2")
    assert response.status_code == 200
    dom = parse(response.text)
    text = text_of(response.text)
    assert "Actions ajoutées (1)" in text and "Une halle pour le marché du samedi" in text
    assert "Actions modifiées (1)" in text and "Une aide aux vitrines de la Grand-Rue" in text
    assert "Coût : 75 000 € → 85 000 €" in text  # spaces folded by text_of
    assert "Actions retirées (0)" in text
    assert dom.find("table", class_="stack-table comparison-totals") is not None


@pytest.mark.parametrize("url", [f"{PUBLIC}/9", f"{PUBLIC}/9.pdf", f"{PUBLIC}/abc", f"{PUBLIC}/1x.pdf", f"{PUBLIC}/0",
                                 f"{PUBLIC}/99999999999999999999", f"{PUBLIC}/comparer?de=1&a=9",
                                 f"{PUBLIC}/comparer?de=x&a=2", f"{PUBLIC}/comparer"])
def test_a_version_that_does_not_exist_is_a_french_404(client, url):
    response = get(client, url)
    assert response.status_code == 404
    assert "feuille de route" in text_of(response.text)


def test_a_commune_that_has_published_nothing_says_so(client):
    response = get(client, f"/communes/{MAIN}/feuille-de-route")
    assert response.status_code == 200
    assert "La commune n’a pas encore publié de feuille de route." in text_of(response.text)
    assert get(client, f"/communes/{MAIN}/feuille-de-route.pdf").status_code == 404
    assert get(client, "/communes/nulle-part/feuille-de-route").status_code == 404


# --- The back office --------------------------------------------------------------------------------

@pytest.mark.parametrize("persona,status", [("admin", 200), ("coordinator", 200), ("facilitator", 403),
                                            ("resident", 403), ("partner", 403), ("student", 403),
                                            ("supervisor", 403), ("other_admin", 403)])
def test_who_opens_the_roadmap_tab(as_persona, persona, status):
    client = as_persona(persona)
    assert get(client, MAIN_ADMIN).status_code == status
    response = publish(client, "x")
    assert response.status_code == (403 if status == 403 else 422)  # 422: nothing validated yet


def test_anonymous_is_sent_to_sign_in(client):
    response = get(client, MAIN_ADMIN)
    assert response.status_code in (302, 303) and "/connexion" in response.headers["location"]


def test_the_tab_previews_compares_and_lists_the_versions(client):
    sign_in_as(client, PERSONAS["coordinator"])
    response = get(client, f"/communes/{DEMO}/gestion/feuille-de-route")
    assert response.status_code == 200
    text = text_of(response.text)
    assert "Ce que publier ferait maintenant : version 3" in text
    assert "Par rapport à la version 2" in text and "Rien n’a changé depuis la version 2." in text
    assert "Versions publiées (2)" in text
    hrefs = parse(response.text).hrefs()
    assert f"/communes/{DEMO}/gestion/feuille-de-route/suivi" in hrefs
    assert f"{PUBLIC}/1" in hrefs and f"{PUBLIC}/2.pdf" in hrefs


def test_publishing_is_refused_without_a_validated_sheet(client, db):
    sign_in_as(client, PERSONAS["admin"])
    add_sheet(db, MAIN, 1, "Une fiche en relecture", 10_000, status="review")
    response = publish(client, "")
    assert response.status_code == 422
    assert "Aucune fiche action n’est validée" in text_of(response.text)
    assert roadmaps_of(db) == []


def test_publishing_numbers_versions_writes_the_journal_and_requires_a_note_from_version_two(client, db):
    sign_in_as(client, PERSONAS["admin"])
    add_sheet(db, MAIN, 1, "Des bancs sur la place", 1_500_000, granted_cents=500_000)
    journal_before = journal_count(db)
    response = publish(client, "")
    assert response.status_code == 303
    assert [r.number for r in roadmaps_of(db)] == [1]
    assert journal_count(db) == journal_before + 1
    with db.session() as session:
        entry = session.scalars(select(JournalPost).where(JournalPost.kind == "roadmap",
                                                          JournalPost.commune_id == commune_id(db))).one()
        assert entry.status == "published" and "feuille de route" in entry.title.lower()
        assert f"/communes/{MAIN}/feuille-de-route/1" in entry.body
    assert "La nouvelle version de la feuille de route est publiée" in text_of(get(client, f"{MAIN_ADMIN}?ok=publiee").text)
    # version 2 needs a note; what was typed stays in the form
    add_sheet(db, MAIN, 2, "Un chemin jusqu’au pont", 200_000)
    response = publish(client, "")
    assert response.status_code == 422 and "Dites en quelques mots ce qui a changé" in text_of(response.text)
    too_long = "é" * (services.NOTE_MAX + 1)
    response = publish(client, too_long)
    assert response.status_code == 422 and "La note dépasse" in text_of(response.text)
    assert parse(response.text).find("textarea", name="note").text() == too_long
    assert [r.number for r in roadmaps_of(db)] == [1]
    assert publish(client, "Ajout du chemin jusqu’au pont.").status_code == 303
    versions = roadmaps_of(db)
    assert [r.number for r in versions] == [1, 2] and versions[1].note == "Ajout du chemin jusqu’au pont."
    public = text_of(get(client, f"/communes/{MAIN}/feuille-de-route").text)
    assert "Un chemin jusqu’au pont" in public and "Ajout du chemin jusqu’au pont." in public


def journal_count(db) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(JournalPost))


def test_a_double_submit_publishes_once(client, db):
    sign_in_as(client, PERSONAS["admin"])
    add_sheet(db, MAIN, 1, "Des bancs sur la place", 100_000)
    assert publish(client, "", seen=0).status_code == 303
    again = publish(client, "", seen=0)
    assert again.status_code == 409 and "vient d’être publiée" in text_of(again.text)
    assert [r.number for r in roadmaps_of(db)] == [1]


def test_two_publications_at_once_give_distinct_numbers(settings, db):
    add_sheet(db, MAIN, 1, "Des bancs sur la place", 100_000)
    results, barrier = [], threading.Barrier(2)

    def publish_one():
        with make_client(settings) as client:
            sign_in_as(client, PERSONAS["admin"])
            post(client, "/connexion")  # a CSRF cookie before the race
            barrier.wait()
            results.append(post(client, f"{MAIN_ADMIN}/publier", {"note": "Publication simultanée."}).status_code)

    threads = [threading.Thread(target=publish_one) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    numbers = [r.number for r in roadmaps_of(db)]
    assert numbers == sorted(set(numbers)) and numbers in ([1], [1, 2])
    assert sorted(results) == ([303, 303] if numbers == [1, 2] else [303, 409])


def test_editing_a_sheet_after_publication_changes_neither_the_version_page_nor_its_snapshot(client, db):
    sign_in_as(client, PERSONAS["admin"])
    sheet_id = add_sheet(db, MAIN, 1, "Des bancs sur la place", 1_000_000)
    assert publish(client, "").status_code == 303
    before_page = text_of(get(client, f"/communes/{MAIN}/feuille-de-route/1").text)
    before_snapshot = roadmaps_of(db)[0].snapshot
    with db.transaction() as session:
        session.execute(update(ActionSheet).where(ActionSheet.id == sheet_id).values(title="Un tout autre titre"))
        session.execute(update(Cost).where(Cost.sheet_id == sheet_id).values(investment_cents=9_900_000))
    after_page = text_of(get(client, f"/communes/{MAIN}/feuille-de-route/1").text)
    assert roadmaps_of(db)[0].snapshot == before_snapshot
    assert json.loads(before_snapshot)["actions"][0]["title"] == "Des bancs sur la place"
    assert "Un tout autre titre" not in after_page and "Des bancs sur la place" in after_page
    assert after_page == before_page
    # the preview shows the change, to be published as version 2
    preview = text_of(get(client, MAIN_ADMIN).text)
    assert "Un tout autre titre" in preview and "Intitulé : Des bancs sur la place → Un tout autre titre" in preview


def test_unreadable_form_and_escaping(client, db):
    sign_in_as(client, PERSONAS["admin"])
    add_sheet(db, MAIN, 1, "<script>alert(1)</script>", 100_000)
    assert publish(client, "<b>note</b>").status_code == 303
    page = get(client, f"/communes/{MAIN}/feuille-de-route").text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "<b>note</b>" not in page


def test_a_version_keeps_the_map_it_was_published_with(client, db):
    from shapely.geometry import shape

    from revital.roadmaps import controllers, pdf

    sign_in_as(client, PERSONAS["admin"])
    add_sheet(db, MAIN, 1, "Des bancs sur la place", 1_000_000)
    assert publish(client, "").status_code == 303
    with db.transaction() as session:
        commune = session.get(Commune, commune_id(db))
        published = shape(json.loads(commune.perimeter))
        # The study perimeter is redrawn after the vote: a small square elsewhere in the commune.
        x, y = published.centroid.x + 0.01, published.centroid.y
        commune.perimeter = json.dumps({"type": "Polygon", "coordinates": [[
            [x, y], [x + 0.002, y], [x + 0.002, y + 0.002], [x, y + 0.002], [x, y]]]})
    with db.session() as session:
        commune = session.get(Commune, commune_id(db))
        snapshot = json.loads(roadmaps_of(db)[0].snapshot)
        boundary, perimeter = pdf.map_geometries(snapshot, commune)
        assert perimeter.symmetric_difference(published).area < published.area * 0.01  # the one voted
        assert boundary.contains(published.centroid)
        # A version published before the geography was kept shows the commune's current one.
        del snapshot["geography"]
        _, current = pdf.map_geometries(snapshot, commune)
        assert current.bounds[0] == pytest.approx(x)
    # The page of version 1 draws the map as published, not with the new square.
    page = get(client, f"/communes/{MAIN}/feuille-de-route/1").text
    with db.session() as session:
        commune = session.get(Commune, commune_id(db))
        as_published = str(controllers.shown(json.loads(roadmaps_of(db)[0].snapshot), commune)["map"])
        as_now = str(controllers.shown(snapshot, commune)["map"])  # the snapshot without its geography
    assert as_published != as_now
    assert as_published in page and as_now not in page
