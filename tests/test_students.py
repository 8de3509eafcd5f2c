"""Student weeks over HTTP, persona by persona: the back office, the team's workspace, the review,
publication, the public page, the map feed, boards and photos."""

import io
import json

import pytest
from PIL import Image
from sqlalchemy import func, select

from revital import privacy
from revital.accounts.models import RoleGrant, User
from revital.communes.models import Commune
from revital.demo import demo_password_hash
from revital.students.models import Observation, Proposal, ProposalBoard, StudentWeek, WeekMember
from tests.conftest import MAIN, PERSONAS, csrf_token, get, post, sign_in_as, text_of
from tests.dom import parse

ALL = ["anonymous", "resident", "student", "supervisor", "facilitator", "partner", "admin", "other_admin", "coordinator"]
MANAGE = f"/communes/{MAIN}/gestion/etudiants"
PUBLIC = f"/communes/{MAIN}/etudiants"
FEED = f"/api/communes/{MAIN}/etudiants.geojson"
INSIDE = {"lon": "3.5633", "lat": "44.4567"}  # by the church of Saint-Étienne-du-Valdonnez
OTHER_STUDENT = "autre-etudiante@revital.test"


def week_id(db) -> int:
    with db.session() as session:
        return session.scalar(select(StudentWeek.id).where(StudentWeek.title == "Semaine d’immersion au Valdonnez"))


def proposal(db, title: str) -> Proposal:
    with db.session() as session:
        return session.scalar(select(Proposal).where(Proposal.title == title))


def workspace(db) -> str:
    return f"/communes/{MAIN}/etudiants/semaines/{week_id(db)}/atelier"


DRAFT = "Un marché couvert (brouillon)"
APPROVED = "Deux logements dans l’ancienne poste"
PUBLISHED = "Rendre la place de l’église aux piétons"


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (90, 120, 160)).save(out, "JPEG")
    return out.getvalue()


def send(client, url, data, files=None):
    return client.post(url, data={"_csrf_token": csrf_token(client), **data}, files=files, follow_redirects=False)


@pytest.fixture
def other_team(db):
    """A second week in the same commune, with a student of its own (who holds the student role there)."""
    with db.transaction() as session:
        commune = session.scalar(select(Commune).where(Commune.slug == MAIN))
        user = User(email=OTHER_STUDENT, display_name="Inès (autre équipe)", password_hash=demo_password_hash())
        user.grants.append(RoleGrant(role="student", commune_id=commune.id))
        session.add(user)
        from datetime import date

        week = StudentWeek(commune_id=commune.id, kind="design", title="Semaine de design", starts_on=date(2026, 3, 2),
                           ends_on=date(2026, 3, 6), school="ENSA Lyon", team_name="ENSA Lyon")
        session.add(week)
        session.flush()
        session.add(WeekMember(week_id=week.id, user_id=user.id, role="student"))
        return week.id


# --- who opens what -------------------------------------------------------------------------


@pytest.mark.parametrize("persona, status", [
    ("anonymous", 303), ("resident", 403), ("student", 403), ("supervisor", 403), ("facilitator", 403),
    ("partner", 403), ("admin", 200), ("other_admin", 403), ("coordinator", 200),
])
def test_it_checks_who_opens_the_back_office(as_persona, db, persona, status):
    client = as_persona(persona)
    for url in (MANAGE, f"{MANAGE}/nouvelle", f"{MANAGE}/{week_id(db)}"):
        assert get(client, url).status_code == status
    # anonymous: to sign in; the managers: "already a member"; the others: refused
    expected = {303: 303, 403: 403, 200: 303}[status]
    assert post(client, f"{MANAGE}/{week_id(db)}/membres", {"email": PERSONAS["student"], "role": "student"}).status_code == expected
    if status != 200:
        assert post(client, f"{MANAGE}/nouvelle", {"kind": "immersion", "title": "Intruse"}).status_code == expected
        with db.session() as session:
            assert session.scalar(select(func.count()).select_from(StudentWeek)) == 1


@pytest.mark.parametrize("persona, status", [
    ("anonymous", 303), ("resident", 404), ("student", 200), ("supervisor", 200), ("facilitator", 404),
    ("partner", 404), ("admin", 404), ("other_admin", 404), ("coordinator", 404),
])
def test_the_workspace_is_the_team_s_alone(as_persona, db, persona, status):
    client = as_persona(persona)
    draft = proposal(db, DRAFT)
    assert get(client, workspace(db)).status_code == status
    assert get(client, f"{workspace(db)}/propositions/{draft.id}").status_code == status
    if status == 404:
        assert "vous n’en faites pas partie" in text_of(get(client, workspace(db)).text)


@pytest.mark.parametrize("persona", ALL)
def test_the_public_page_shows_only_published_proposals(as_persona, db, persona):
    response = get(as_persona(persona), PUBLIC)
    assert response.status_code == 200
    page = parse(response.text)
    titles = [article.find("h3").text() for article in page.find_all("article")]
    assert sorted(titles) == sorted([PUBLISHED, "De l’école au Bramont, à pied"])
    assert DRAFT not in response.text and APPROVED not in response.text
    assert page.find("h1").text() == "Travaux des étudiants · Saint-Étienne-du-Valdonnez"


def test_a_student_of_another_team_cannot_see_or_edit_a_draft(client, db, other_team):
    sign_in_as(client, OTHER_STUDENT)
    draft = proposal(db, DRAFT)
    assert get(client, f"/communes/{MAIN}/etudiants/semaines/{other_team}/atelier").status_code == 200
    assert get(client, workspace(db)).status_code == 404
    assert get(client, f"{workspace(db)}/propositions/{draft.id}").status_code == 404
    # nor through her own week's address
    assert get(client, f"/communes/{MAIN}/etudiants/semaines/{other_team}/atelier/propositions/{draft.id}").status_code == 404
    response = post(client, f"{workspace(db)}/propositions/{draft.id}", {"title": "Volé", "where": "none", "version": "1"})
    assert response.status_code == 404
    assert post(client, f"{workspace(db)}/propositions/{draft.id}/soumettre").status_code == 404
    assert proposal(db, DRAFT).status == "draft"


# --- observations ---------------------------------------------------------------------------


def test_a_student_pins_an_observation_once_even_sent_twice(client, db):
    sign_in_as(client, PERSONAS["student"])
    form = parse(get(client, workspace(db)).text).find("form", action=f"{workspace(db)}/observations")
    token = form.find("input", name="token").get("value")
    data = {"kind": "weakness", "title": "Pas de banc", "text": "Aucun banc rue de l’église.", "token": token, **INSIDE}
    for _ in range(2):
        response = post(client, f"{workspace(db)}/observations", data)
        assert response.status_code == 303 and response.headers["location"] == f"{workspace(db)}?ok=observation#observations"
    with db.session() as session:
        rows = session.scalars(select(Observation).where(Observation.title == "Pas de banc")).all()
    assert len(rows) == 1 and (rows[0].lon, rows[0].lat) == (3.5633, 44.4567)
    feature = next(f for f in get(client, FEED).json()["features"] if f["properties"]["title"] == "Pas de banc")
    assert feature["properties"]["team"] == "Master Urbanisme, Grenoble"
    assert feature["geometry"] == {"type": "Point", "coordinates": [3.5633, 44.4567]}


def test_a_photo_that_fails_gives_the_form_back_with_everything_typed(client, db):
    sign_in_as(client, PERSONAS["student"])
    data = {"_csrf_token": csrf_token(client), "kind": "asset", "title": "Le lavoir", "text": "Restauré en 2019.",
            "token": "t-photo-1", **INSIDE}
    response = client.post(f"{workspace(db)}/observations", data=data, files={"photo": ("lavoir.jpg", b"not a photo", "image/jpeg")},
                           follow_redirects=False)
    assert response.status_code == 422
    page = parse(response.text)
    assert page.find("input", id="title").get("value") == "Le lavoir"
    assert page.find("textarea", id="text").text() == "Restauré en 2019."
    assert page.find("input", id="obs-lon").get("value") == "3.5633"
    assert page.find("input", name="token").get("value") == "t-photo-1"  # sent again, it makes one observation
    assert "Ce fichier n’est pas une photo JPEG, PNG ou WebP." in page.find("p", id="photo-error").text()
    assert "choisissez une autre photo" in page.find("p", id="photo-error").text()
    with db.session() as session:
        assert session.scalar(select(Observation).where(Observation.title == "Le lavoir")) is None
    # retried with a good photo, nothing retyped but the photo
    response = client.post(f"{workspace(db)}/observations", data=data, files={"photo": ("lavoir.jpg", jpeg(), "image/jpeg")},
                           follow_redirects=False)
    assert response.status_code == 303
    with db.session() as session:
        observation = session.scalar(select(Observation).where(Observation.title == "Le lavoir"))
        token = observation.photo.token
    assert get(client, f"{PUBLIC}/photos/{token}.jpg").headers["content-type"] == "image/jpeg"


def test_another_error_asks_to_choose_the_photo_again(client, db):
    sign_in_as(client, PERSONAS["student"])
    response = client.post(f"{workspace(db)}/observations", files={"photo": ("a.jpg", jpeg(), "image/jpeg")},
                           data={"_csrf_token": csrf_token(client), "kind": "asset", "title": "", "lon": "1", "lat": "45"},
                           follow_redirects=False)
    assert response.status_code == 422
    page = parse(response.text)
    assert page.find("p", id="photo-error").text().startswith("Choisissez de nouveau la photo")
    assert page.find("p", id="obs-lon-error").text() == "Ce point est hors de la commune : placez le repère dans la commune."


# --- proposals, review, publication ---------------------------------------------------------


def test_a_proposal_goes_from_draft_to_the_public_page(client, db):
    sign_in_as(client, PERSONAS["student"])
    response = post(client, f"{workspace(db)}/propositions/nouvelle",
                    {"title": "Un jardin partagé", "text": "Derrière la **mairie**.", "where": "point", **INSIDE})
    assert response.status_code == 303
    created = proposal(db, "Un jardin partagé")
    assert (created.status, json.loads(created.location)) == ("draft", {"type": "Point", "coordinates": [3.5633, 44.4567]})
    url = f"{workspace(db)}/propositions/{created.id}"
    assert response.headers["location"] == f"{url}?ok=enregistree"
    assert get(client, PUBLIC).text.count("Un jardin partagé") == 0
    assert post(client, f"{url}/soumettre").status_code == 303
    assert proposal(db, "Un jardin partagé").status == "submitted"
    # submitted: the students may no longer change it
    assert post(client, url, {"title": "Changé", "where": "none", "version": str(created.version)}).status_code == 409
    # a student does not review
    assert post(client, f"{url}/avis", {"decision": "approuver"}).status_code == 409

    sign_in_as(client, PERSONAS["supervisor"])
    response = post(client, f"{url}/avis", {"decision": "modifier", "comment": ""})
    assert response.status_code == 422
    assert "le commentaire est obligatoire" in parse(response.text).find("p", id="comment-error").text()
    assert post(client, f"{url}/avis", {"decision": "modifier", "comment": "Précisez l’accès."}).status_code == 303
    assert (proposal(db, "Un jardin partagé").status, proposal(db, "Un jardin partagé").review_comment) == (
        "changes_requested", "Précisez l’accès.")

    sign_in_as(client, PERSONAS["student"])
    page = parse(get(client, url).text)
    assert "Précisez l’accès." in page.find("div", id="commentaire").text()
    version = page.find("input", name="version").get("value")
    assert post(client, url, {"title": "Un jardin partagé", "text": "Accès par la ruelle.", "where": "point",
                              "version": version, **INSIDE}).status_code == 303
    assert post(client, f"{url}/soumettre").status_code == 303

    sign_in_as(client, PERSONAS["supervisor"])
    assert post(client, f"{url}/avis", {"decision": "approuver", "comment": "Bien."}).status_code == 303
    assert proposal(db, "Un jardin partagé").status == "approved"
    assert post(client, f"{MANAGE}/{week_id(db)}/propositions/{created.id}/publier").status_code == 403

    sign_in_as(client, PERSONAS["admin"])
    assert "Un jardin partagé" in text_of(get(client, f"{MANAGE}/{week_id(db)}").text)
    assert post(client, f"{MANAGE}/{week_id(db)}/propositions/{created.id}/publier").status_code == 303
    assert proposal(db, "Un jardin partagé").status == "published"
    client.cookies.clear()
    titles = [article.find("h3").text() for article in parse(get(client, PUBLIC).text).find_all("article")]
    assert "Un jardin partagé" in titles
    assert any(f["properties"]["title"] == "Un jardin partagé" for f in get(client, FEED).json()["features"])


def test_an_area_must_lie_in_the_commune(client, db):
    sign_in_as(client, PERSONAS["student"])
    outside = {"type": "Polygon", "coordinates": [[[3.0, 44.0], [3.1, 44.0], [3.1, 44.1], [3.0, 44.0]]]}
    response = post(client, f"{workspace(db)}/propositions/nouvelle",
                    {"title": "Hors commune", "where": "area", "area": json.dumps(outside)})
    assert response.status_code == 422
    assert parse(response.text).find("p", id="prop-area-error") is not None
    assert proposal(db, "Hors commune") is None


def test_the_commune_cannot_publish_a_draft(client, db):
    sign_in_as(client, PERSONAS["admin"])
    draft = proposal(db, DRAFT)
    assert post(client, f"{MANAGE}/{week_id(db)}/propositions/{draft.id}/publier").status_code == 404
    assert proposal(db, DRAFT).status == "draft"


def test_a_supervisor_writes_no_proposal(client, db):
    sign_in_as(client, PERSONAS["supervisor"])
    assert get(client, f"{workspace(db)}/propositions/nouvelle").status_code == 403


# --- boards ---------------------------------------------------------------------------------


def test_a_board_that_is_not_a_pdf_is_refused_in_french(client, db):
    sign_in_as(client, PERSONAS["student"])
    draft = proposal(db, DRAFT)
    response = send(client, f"{workspace(db)}/propositions/{draft.id}/planches", {},
                    files={"board": ("planche.pdf", b"GIF89a not a pdf", "application/pdf")})
    assert response.status_code == 422
    assert parse(response.text).find("p", id="board-error").text() == (
        "« planche.pdf » n’est pas un PDF : seuls les documents PDF sont acceptés (exportez la planche en PDF).")
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(ProposalBoard)) == 0


def test_a_board_follows_its_proposal_s_visibility(client, db):
    sign_in_as(client, PERSONAS["student"])
    draft = proposal(db, DRAFT)
    response = send(client, f"{workspace(db)}/propositions/{draft.id}/planches", {},
                    files={"board": ("plan", b"%PDF-1.7\n%...", "application/pdf")})
    assert response.status_code == 303
    with db.session() as session:
        board = session.scalar(select(ProposalBoard))
    assert board.filename == "plan.pdf"
    url = f"{PUBLIC}/planches/{board.id}"
    assert get(client, url).headers["content-type"] == "application/pdf"
    for persona in ("admin", "resident"):
        sign_in_as(client, PERSONAS[persona])
        assert get(client, url).status_code == 404
    client.cookies.clear()
    assert get(client, url).status_code == 404


# --- the back office's forms -------------------------------------------------------------------


def test_the_commune_creates_a_week_and_adds_its_team(client, db):
    sign_in_as(client, PERSONAS["admin"])
    response = post(client, f"{MANAGE}/nouvelle", {"kind": "design", "title": "Semaine de design", "starts_on": "2026-06-01",
                                                    "ends_on": "2026-06-05", "school": "ENSA Lyon", "team_name": "ENSA"})
    assert response.status_code == 303
    with db.session() as session:
        week = session.scalar(select(StudentWeek).where(StudentWeek.title == "Semaine de design"))
    base = f"{MANAGE}/{week.id}"
    assert response.headers["location"] == f"{base}?ok=creee"
    refused = post(client, f"{base}/membres", {"email": PERSONAS["resident"], "role": "student"})
    assert refused.status_code == 422
    assert "n’a pas le rôle étudiant·e" in parse(refused.text).find("p", id="email-error").text()
    assert post(client, f"{base}/membres", {"email": "personne@exemple.fr", "role": "student"}).status_code == 422
    assert post(client, f"{base}/membres", {"email": PERSONAS["student"], "role": "supervisor"}).status_code == 422
    assert post(client, f"{base}/membres", {"email": "ETUDIANT@revital.test", "role": "student"}).headers["location"] == (
        f"{base}?ok=membre#equipe")
    sign_in_as(client, PERSONAS["student"])
    links = parse(get(client, "/compte").text).find("section", aria_labelledby="semaines").hrefs()
    assert f"/communes/{MAIN}/etudiants/semaines/{week.id}/atelier" in links and workspace(db) in links


def test_the_week_form_says_what_to_correct(client, db):
    sign_in_as(client, PERSONAS["coordinator"])
    response = post(client, f"{MANAGE}/nouvelle", {"kind": "", "title": "Ma semaine", "starts_on": "hier"})
    assert response.status_code == 422
    page = parse(response.text)
    assert page.find("input", id="title").get("value") == "Ma semaine"
    assert [a.get("href") for a in page.find("div", id="form-errors").find_all("a")] == [
        "#kind", "#starts_on", "#ends_on", "#school"]


# --- the map, the account page, personal data -------------------------------------------------


def test_the_feed_has_observations_and_published_proposals_only(client, db):
    body = get(client, FEED)
    assert body.headers["content-type"].startswith("application/geo+json")
    features = body.json()["features"]
    kinds = [f["properties"]["kind"] for f in features]
    assert kinds.count("observation") == 9 and kinds.count("proposal") == 2
    assert {f["geometry"]["type"] for f in features if f["properties"]["kind"] == "proposal"} == {"Point", "Polygon"}
    assert DRAFT not in body.text and APPROVED not in body.text and "@" not in body.text
    assert {f["properties"]["team"] for f in features} == {"Master Urbanisme, Grenoble"}


def test_the_commune_map_carries_the_students_layer(client):
    page = get(client, f"/communes/{MAIN}").text
    assert "/static/js/revital-students.js" in page and FEED in page
    assert f'href="{PUBLIC}"' in page


@pytest.mark.parametrize("persona, weeks", [("student", 1), ("supervisor", 1), ("resident", 0), ("admin", 0)])
def test_the_account_page_lists_a_member_s_weeks(as_persona, db, persona, weeks):
    page = parse(get(as_persona(persona), "/compte").text)
    section = page.find("section", aria_labelledby="semaines")
    assert (len(section.find_all("li")) if section else 0) == weeks


def test_personal_data_covers_the_student_weeks(db):
    with db.session() as session:
        found = privacy.find(session, PERSONAS["student"])
    assert [row[2] for row in found.student_weeks] == ["Semaine d’immersion au Valdonnez"]
    assert len(found.observations) == 9 and len(found.proposals) == 4
    with db.transaction() as session:
        erased = privacy.erase(session, PERSONAS["student"])
    assert (erased.student_weeks, erased.observations, erased.proposals) == (1, 9, 4)
    with db.session() as session:
        user = session.scalar(select(User).where(User.email == PERSONAS["student"]))
        assert session.scalar(select(func.count()).select_from(WeekMember).where(WeekMember.user_id == user.id)) == 0
        assert session.scalar(select(func.count()).select_from(Observation)) == 0
        assert session.scalar(select(func.count()).select_from(Proposal).where(Proposal.author_id.is_not(None))) == 0
        assert session.scalar(select(func.count()).select_from(Proposal)) == 4


# --- odd input ------------------------------------------------------------------------------

from hypothesis import HealthCheck, given  # noqa: E402
from hypothesis import settings as hypothesis_settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

FIELDS = st.dictionaries(
    st.sampled_from(["kind", "title", "text", "lon", "lat", "token", "where", "area", "version", "decision", "comment", "alt"]),
    st.one_of(st.text(max_size=30), st.sampled_from(["nan", "1e308", "-1", "point", "area", "approuver", "modifier",
                                                     '{"type":"Polygon","coordinates":[[[0,0],[1,1],[0,0]]]}', "null"])),
    max_size=8)


def test_no_workspace_form_answers_5xx_whatever_is_posted(client, db):
    sign_in_as(client, PERSONAS["student"])
    draft = proposal(db, DRAFT).id
    base = workspace(db)
    urls = [f"{base}/observations", f"{base}/propositions/nouvelle", f"{base}/propositions/{draft}",
            f"{base}/propositions/{draft}/soumettre", f"{base}/propositions/{draft}/avis",
            f"{base}/propositions/{draft}/images", f"{base}/propositions/{draft}/planches"]

    @hypothesis_settings(max_examples=60, deadline=None, database=None,
                         suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(url=st.sampled_from(urls), fields=FIELDS)
    def check(url, fields):
        assert post(client, url, fields).status_code < 500

    check()
