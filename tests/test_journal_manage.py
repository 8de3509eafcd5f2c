"""The Journal tab of the back office: who may write, edit and delete posts, the form, the preview,
images, publication dates."""

import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from revital.communes.models import Commune
from revital.journal.models import JournalImage, JournalPost
from revital.photos.models import Photo
from tests.conftest import MAIN, OTHER, PERSONAS, csrf_token, get, post, sign_in_as, text_of
from tests.dom import parse

BASE = f"/communes/{MAIN}/gestion/journal"
WRITERS = ["facilitator", "admin"]
NOT_WRITERS = ["resident", "student", "partner", "other_admin", "coordinator"]


def commune_id(db, slug=MAIN) -> int:
    with db.session() as session:
        return session.scalar(select(Commune.id).where(Commune.slug == slug))


def add_post(db, title="Lancement de la démarche", body="Le **conseil** a voté.", status="published",
             slug=MAIN) -> int:
    from revital.db import utcnow

    with db.transaction() as session:
        published = utcnow() if status == "published" else None
        item = JournalPost(commune_id=commune_id(db, slug), title=title, body=body, status=status,
                           published_at=published)
        session.add(item)
        session.flush()
        return item.id


def load(db, post_id) -> JournalPost | None:
    with db.session() as session:
        return session.get(JournalPost, post_id)


def written(db) -> list[JournalPost]:
    """The posts written through the back office (the demo's have no author)."""
    with db.session() as session:
        return session.scalars(select(JournalPost).where(JournalPost.author_id.is_not(None))
                               .order_by(JournalPost.id)).all()


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (90, 120, 160)).save(out, "JPEG")
    return out.getvalue()


def send(client, url, data, files=None):
    form = {"_csrf_token": csrf_token(client), **data}
    return client.post(url, data=form, files=files, follow_redirects=False)


@pytest.mark.parametrize("persona, status", [
    ("anonymous", 303), ("resident", 403), ("student", 403), ("partner", 403), ("facilitator", 200),
    ("admin", 200), ("other_admin", 403), ("coordinator", 403),
])
def test_it_checks_who_opens_the_tab(as_persona, persona, status):
    client = as_persona(persona)
    for url in (BASE, f"{BASE}/nouveau"):
        assert get(client, url).status_code == status


@pytest.mark.parametrize("persona", WRITERS)
def test_it_works_for_the_commune_and_its_facilitators(client, db, persona):
    sign_in_as(client, PERSONAS[persona])
    response = post(client, f"{BASE}/nouveau", {"title": "  La balade   urbaine ", "body": "On a marché.",
                                                "status": "published", "version": "0"})
    assert response.status_code == 303 and response.headers["location"] == f"{BASE}?ok=publie"
    [item] = written(db)
    assert (item.title, item.body, item.status) == ("La balade urbaine", "On a marché.", "published")
    assert item.published_at is not None and item.edited_at is None
    page = parse(get(client, response.headers["location"]).text)
    assert "L’article est publié." in page.find("div", class_="notice notice-ok").text()
    rows = [[td.text() for td in tr.find_all("td")][:2] for tr in page.find("table").find("tbody").find_all("tr")]
    # drafts first (the demo has one), then the newest published post
    assert rows[:2] == [["Café associatif : où en est l’idée ?", "Brouillon"], ["La balade urbaine", "Publié"]]


@pytest.mark.parametrize("persona", NOT_WRITERS)
def test_others_may_not_write_edit_or_delete(as_persona, db, persona):
    client = as_persona(persona)
    post_id = add_post(db)
    before = load(db, post_id)
    assert post(client, f"{BASE}/nouveau", {"title": "Intrus", "status": "published"}).status_code == 403
    assert get(client, f"{BASE}/{post_id}").status_code == 403
    assert post(client, f"{BASE}/{post_id}", {"title": "Changé", "status": "published", "version": "1"}).status_code == 403
    assert post(client, f"{BASE}/{post_id}/supprimer", {"confirm": "1"}).status_code == 403
    after = load(db, post_id)
    assert (after.title, after.version) == (before.title, before.version)
    assert written(db) == []


def test_anonymous_is_sent_to_sign_in(client, db):
    post_id = add_post(db)
    response = post(client, f"{BASE}/{post_id}/supprimer", {"confirm": "1"})
    assert response.status_code == 303 and response.headers["location"].startswith("/connexion")
    assert load(db, post_id) is not None


def test_a_post_of_another_commune_is_not_found(client, db):
    sign_in_as(client, PERSONAS["admin"])
    other = add_post(db, title="Grandrieu", slug=OTHER)
    assert get(client, f"{BASE}/{other}").status_code == 404
    assert post(client, f"{BASE}/{other}/supprimer", {"confirm": "1"}).status_code == 404
    assert load(db, other) is not None


def test_the_form_says_what_to_correct(client, db):
    sign_in_as(client, PERSONAS["facilitator"])
    response = post(client, f"{BASE}/nouveau", {"title": "   ", "body": "x" * 50_001, "status": "peut-être"})
    assert response.status_code == 422
    summary = parse(response.text).find("div", id="form-errors")
    assert summary.find_all("a")[0].text() == "Donnez un titre à l’article."
    assert [a.get("href") for a in summary.find_all("a")] == ["#title", "#body", "#status"]
    assert parse(response.text).find("input", id="title").get("aria-invalid") == "true"
    assert written(db) == []


def test_preview_renders_the_sanitised_text_and_saves_nothing(client, db):
    sign_in_as(client, PERSONAS["admin"])
    response = post(client, f"{BASE}/nouveau", {"title": "<b>Titre</b>", "status": "draft", "action": "apercu",
                                                "body": "## Le marché\n\n[clic](javascript:alert(1)) <script>alert(1)</script>"})
    assert response.status_code == 200
    preview = parse(response.text).find("section", class_="panel journal-preview")
    assert preview.find("h3").text() == "<b>Titre</b>" and preview.find("h3").find("b") is None
    assert preview.find("script") is None
    assert [a.get("href") for a in preview.find_all("a") if a.get("href")] == []
    assert preview.find("h2", id="apercu") is not None and "Le marché" in preview.text()
    assert parse(response.text).find("textarea", id="body").text().startswith("## Le marché")
    assert written(db) == []


def test_a_draft_then_published_keeps_its_first_date_and_shows_the_change(client, db):
    sign_in_as(client, PERSONAS["admin"])
    assert post(client, f"{BASE}/nouveau", {"title": "Brouillon", "status": "draft", "version": "0"}).headers["location"] == f"{BASE}?ok=brouillon"
    [item] = written(db)
    assert item.published_at is None
    post(client, f"{BASE}/{item.id}", {"title": "Publié", "status": "published", "version": str(item.version)})
    published = load(db, item.id)
    assert published.published_at is not None and published.edited_at is None
    post(client, f"{BASE}/{item.id}", {"title": "Publié et corrigé", "status": "published",
                                       "version": str(published.version)})
    edited = load(db, item.id)
    assert edited.published_at == published.published_at and edited.edited_at is not None
    dates = parse(get(client, f"/communes/{MAIN}/journal/{item.id}").text).find("p", class_="muted post-dates")
    assert "Publié le" in dates.text() and ", modifié le" in dates.text()


def test_a_stale_form_changes_nothing(client, db):
    sign_in_as(client, PERSONAS["admin"])
    post_id = add_post(db)
    version = load(db, post_id).version
    assert post(client, f"{BASE}/{post_id}", {"title": "Premier", "status": "published", "version": str(version)}).status_code == 303
    response = post(client, f"{BASE}/{post_id}", {"title": "Second", "status": "published", "version": str(version)})
    assert response.status_code == 409
    assert "modifié par quelqu’un d’autre" in text_of(response.text)
    assert load(db, post_id).title == "Premier"


def test_delete_asks_for_confirmation(client, db):
    sign_in_as(client, PERSONAS["facilitator"])
    post_id = add_post(db)
    page = parse(get(client, f"{BASE}/{post_id}/supprimer").text)
    assert page.find("h1").text() == "Supprimer l’article « Lancement de la démarche » ?"
    assert "il disparaîtra du journal public" in page.find("p", id="consequence").text()
    assert post(client, f"{BASE}/{post_id}/supprimer", {}).status_code == 422
    assert load(db, post_id) is not None
    response = post(client, f"{BASE}/{post_id}/supprimer", {"confirm": "1"})
    assert response.status_code == 303 and response.headers["location"] == f"{BASE}?ok=supprime"
    assert load(db, post_id) is None


def test_an_image_is_stored_without_metadata_served_and_deleted_with_its_post(client, db):
    sign_in_as(client, PERSONAS["admin"])
    response = send(client, f"{BASE}/nouveau", {"title": "La place", "status": "published", "version": "0",
                                                "alt": "La place de l’église au printemps"},
                    files={"image": ("place.jpg", jpeg(), "image/jpeg")})
    assert response.status_code == 303 and response.headers["location"].endswith("?ok=publie#images")
    [item] = written(db)
    with db.session() as session:
        image = session.scalar(select(JournalImage).where(JournalImage.post_id == item.id))
        token, alt = session.get(Photo, image.photo_id).token, image.alt
    assert alt == "La place de l’église au printemps"
    url = f"/communes/{MAIN}/journal/images/{token}.jpg"
    served = get(client, url)
    assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
    assert get(client, f"/communes/{OTHER}/journal/images/{token}.jpg").status_code == 404
    edit = parse(get(client, f"{BASE}/{item.id}").text)
    assert edit.find("input", id=f"markdown-{image.id}").get("value") == f"![La place de l’église au printemps]({url})"
    public = parse(get(client, f"/communes/{MAIN}/journal/{item.id}").text)
    assert public.find("img", alt="La place de l’église au printemps") is not None
    post(client, f"{BASE}/{item.id}/supprimer", {"confirm": "1"})
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Photo).where(Photo.token == token)) == 0
    assert get(client, url).status_code == 404


def test_an_image_needs_its_description_and_a_real_photo(client, db):
    sign_in_as(client, PERSONAS["admin"])
    response = send(client, f"{BASE}/nouveau", {"title": "Sans description", "status": "draft", "version": "0"},
                    files={"image": ("place.jpg", jpeg(), "image/jpeg")})
    assert response.status_code == 422
    errors = parse(response.text).find("div", id="form-errors")
    assert "Décrivez l’image" in errors.text()
    response = send(client, f"{BASE}/nouveau", {"title": "Pas une photo", "status": "draft", "version": "0",
                                                "alt": "texte"}, files={"image": ("x.jpg", b"GIF89a....", "image/gif")})
    assert response.status_code == 422
    assert "Ce fichier n’est pas une photo JPEG, PNG ou WebP." in text_of(response.text)
    assert written(db) == []


def test_an_image_can_be_taken_off(client, db):
    sign_in_as(client, PERSONAS["admin"])
    post_id = add_post(db)
    version = load(db, post_id).version
    send(client, f"{BASE}/{post_id}", {"title": "Avec image", "status": "published", "version": str(version),
                                       "alt": "Le pont"}, files={"image": ("pont.jpg", jpeg(), "image/jpeg")})
    with db.session() as session:
        image = session.scalar(select(JournalImage).where(JournalImage.post_id == post_id))
    response = post(client, f"{BASE}/{post_id}/images/{image.id}/supprimer")
    assert response.status_code == 303
    with db.session() as session:
        assert session.get(JournalImage, image.id) is None and session.get(Photo, image.photo_id) is None
