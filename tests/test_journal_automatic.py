"""Entries the workflow writes by itself: a phase change, and `record` for later parts; and the
journal under the right of access and erasure."""

from sqlalchemy import select

from revital import privacy
from revital.accounts.models import User
from revital.journal import services
from revital.journal.models import JournalPost
from tests.conftest import MAIN, PERSONAS, get, post, sign_in_as
from tests.test_commune_pages import current, without_emergence
from tests.test_journal_manage import commune_id


def automatic(db, slug=MAIN) -> list[JournalPost]:
    with db.session() as session:
        return session.scalars(select(JournalPost).where(JournalPost.commune_id == commune_id(db, slug),
                                                         JournalPost.kind == "phase").order_by(JournalPost.id)).all()


def test_a_phase_change_writes_its_entry_in_the_same_transaction(client, db):
    without_emergence(db)
    sign_in_as(client, PERSONAS["admin"])
    before = automatic(db)
    assert [p.title for p in before] == ["La démarche commence : phase « Diagnostic partagé »",
                                         "La commune entre en phase « Émergence et définition du projet »"]
    reason = "Les axes ont été arrêtés en conseil municipal, la saisie suivra."
    response = post(client, f"/communes/{MAIN}/gestion/phase",
                    {"direction": "next", "override": "1", "reason": reason, "version": current(db).version})
    assert response.status_code == 303
    [entry] = automatic(db)[len(before):]
    assert entry.title == "La commune entre en phase « Faisabilité »" and entry.status == "published"
    assert reason in entry.body and entry.author_id is None
    assert post(client, f"/communes/{MAIN}/gestion/phase",
                {"direction": "back", "reason": "Les partenaires demandent un axe de plus.",
                 "version": current(db).version}).status_code == 303
    assert automatic(db)[-1].title == "La démarche revient à la phase « Émergence et définition du projet »"
    listed = get(client, f"/communes/{MAIN}/journal").text
    assert "La démarche revient à la phase « Émergence et définition du projet »" in listed


def test_a_refused_change_writes_nothing(client, db):
    without_emergence(db)
    sign_in_as(client, PERSONAS["admin"])
    before = len(automatic(db))
    response = post(client, f"/communes/{MAIN}/gestion/phase", {"direction": "next", "reason": "", "version": current(db).version})
    assert response.status_code == 422
    assert len(automatic(db)) == before


def test_record_writes_a_published_entry_for_later_parts_of_the_workflow(db):
    with db.transaction() as session:
        entry = services.record(session, commune_id(db), "roadmap", "La feuille de route est publiée",
                                "Elle compte **douze** actions.")
        session.flush()
        entry_id = entry.id
    with db.session() as session:
        entry = session.get(JournalPost, entry_id)
        assert (entry.kind, entry.status) == ("roadmap", "published") and entry.published_at is not None
        assert services.latest(session, commune_id(db), 1)[0].id == entry_id


def test_the_author_of_a_post_is_shown_and_then_unlinked_by_erasure(client, db):
    sign_in_as(client, PERSONAS["facilitator"])
    assert post(client, f"/communes/{MAIN}/gestion/journal/nouveau",
                {"title": "Balade urbaine", "status": "published", "version": "0"}).status_code == 303
    with db.transaction() as session:
        found = privacy.find(session, PERSONAS["facilitator"])
        assert [title for _, _, title in found.journal_posts] == ["Balade urbaine"]
        erased = privacy.erase(session, PERSONAS["facilitator"], account=True)
        assert erased.journal_posts == 1 and erased.account
    with db.session() as session:
        kept = session.scalar(select(JournalPost).where(JournalPost.title == "Balade urbaine"))
        assert kept is not None and kept.author_id is None
        assert session.scalar(select(User).where(User.email == PERSONAS["facilitator"])) is None


def test_the_demo_tells_each_commune_s_story(client, db):
    from revital.communes.models import Commune
    from revital.process.models import Process

    with db.session() as session:
        for commune in session.scalars(select(Commune).join(Process, Process.commune_id == Commune.id)):  # engaged
            posts = session.scalars(select(JournalPost).where(JournalPost.commune_id == commune.id,
                                                              JournalPost.status == "published")).all()
            assert {p.kind for p in posts} - {"roadmap"} == {"post", "phase"}, commune.name  # roadmap: 48043
    listed = get(client, f"/communes/{MAIN}/journal").text
    assert "Balade urbaine : le bourg vu par ceux qui y vivent" in listed
    assert "Café associatif" not in listed  # the demo's draft
