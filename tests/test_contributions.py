"""Residents contribute: the form, its rules, moderation, the public views, supports and open data."""

import io
import threading
import time

import pytest
from PIL import Image
from sqlalchemy import func, select, update

from revital.communes.models import Commune
from revital.contributions import rules
from revital.contributions.models import Contribution
from revital.photos.models import Photo
from revital.geography.models import Place
from tests.conftest import (
    MAIN,
    PERSONAS,
    csrf_token,
    get,
    make_client,
    sign_in_as,
    text_of,
)

FORM = f"/communes/{MAIN}/contribuer"
SECRET = "test-secret-key-that-is-long-enough-for-csrf"


def token(now=None):
    return rules.new_form_token(SECRET, now)


def place_id(db, name="Place de l’église"):
    with db.session() as session:
        return session.scalar(select(Place.id).join(Commune).where(Commune.slug == MAIN, Place.name == name))


def form(db, **changes):
    data = {"token": token(), "kind": "idea", "category": "commerce", "title": "Une épicerie au bourg",
            "body": "Avec un dépôt de pain.", "where": "place", "place": str(place_id(db)), "author_name": "Léa",
            "author_email": "", "consent": "1"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def send(client, data, files=None, headers=None):
    payload = dict(data)
    payload["_csrf_token"] = csrf_token(client)
    return client.post(FORM, data=payload, files=files or {"photo": ("", b"", "application/octet-stream")},
                       headers=headers, follow_redirects=False)


def contributions(db, **where):
    with db.session() as session:
        query = select(Contribution).join(Commune).where(Commune.slug == MAIN)
        for key, value in where.items():
            query = query.where(getattr(Contribution, key) == value)
        return session.scalars(query).all()


def count(db):
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(Contribution))


def test_form_works_for_everyone_without_an_account(client):
    response = get(client, FORM)
    assert response.status_code == 200
    text = text_of(response.text)
    for words in ("Atout", "Point faible", "Idée", "Mobilité et stationnement", "À un lieu de la liste",
                  "Pas de lieu précis", "Place de l’église", "notice sur les données personnelles"):
        assert words in text
    assert 'name="site_web"' in response.text and 'name="token"' in response.text


def test_submission_at_a_place_waits_for_moderation(client, db):
    before = count(db)
    response = send(client, form(db))
    assert response.status_code == 303
    [c] = contributions(db, title="Une épicerie au bourg")
    assert response.headers["location"] == f"{FORM}/merci/{c.submission_token}"
    assert (c.status, c.kind, c.category, c.place_name, c.source, c.phase) == (
        "pending", "idea", "commerce", "Place de l’église", "online", "emergence")
    assert c.lon is not None and count(db) == before + 1
    thanks = text_of(get(client, response.headers["location"]).text)
    assert "Merci pour votre contribution" in thanks and "après relecture par l’animateur" in thanks
    assert "Une épicerie au bourg" not in text_of(get(client, f"/communes/{MAIN}/contributions").text)


def test_submission_on_the_map_inside_the_commune(client, db):
    response = send(client, form(db, where="map", lon="3,5641", lat="44.4566", place=None))
    assert response.status_code == 303
    [c] = contributions(db, title="Une épicerie au bourg")
    assert (c.lon, c.lat, c.place_name) == (3.5641, 44.4566, "")


def test_submission_without_a_place(client, db):
    assert send(client, form(db, where="none", place=None)).status_code == 303
    [c] = contributions(db, title="Une épicerie au bourg")
    assert c.lon is None and c.place_name == ""


def test_point_outside_the_commune_is_refused_and_everything_kept(client, db):
    before = count(db)
    response = send(client, form(db, where="map", lon="3.9", lat="44.9", title="Mon idée <b>forte</b>"))
    assert response.status_code == 422
    text = text_of(response.text)
    assert "Le point placé est en dehors de la commune" in text
    assert 'value="Mon idée &lt;b&gt;forte&lt;/b&gt;"' in response.text
    assert 'value="3.9"' in response.text and "Avec un dépôt de pain." in response.text
    assert count(db) == before


@pytest.mark.parametrize("changes, field, message", [
    ({"kind": "roi"}, "kind", "Choisissez s’il s’agit d’un atout"),
    ({"category": "inconnue"}, "category", "Choisissez un thème dans la liste."),
    ({"title": "ab"}, "title", "Donnez un titre"),
    ({"title": "x" * 121}, "title", "Le titre ne peut pas dépasser 120 caractères (121 actuellement)."),
    ({"body": "x" * 4001}, "body", "Le texte ne peut pas dépasser 4000 caractères"),
    ({"author_email": "pas-une-adresse"}, "author_email", "Cette adresse e-mail n’est pas valide"),
    ({"wants_news": "1"}, "author_email", "Indiquez votre adresse e-mail pour être tenu·e au courant"),
    ({"consent": None}, "consent", "Cochez la case pour accepter la publication"),
    ({"where": None, "place": None}, "where", "Indiquez où se situe votre contribution"),
    ({"place": "999999"}, "where", "Choisissez un lieu dans la liste."),
    ({"where": "map", "lon": "", "lat": ""}, "where", "Placez un repère sur la carte"),
])
def test_each_error_is_named_next_to_its_field(client, db, changes, field, message):
    before = count(db)
    response = send(client, form(db, **changes))
    assert response.status_code == 422
    assert message in text_of(response.text)
    assert f'id="{field}-error"' in response.text
    assert count(db) == before


def test_a_double_click_makes_one_contribution(client, db):
    data = form(db)
    first = send(client, data)
    second = send(client, data)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert len(contributions(db, title="Une épicerie au bourg")) == 1


def test_concurrent_identical_posts_make_one_contribution(settings, db):
    data = form(db)
    clients = [make_client(settings).__enter__() for _ in range(6)]
    statuses = []

    def run(client):
        statuses.append(send(client, data).status_code)

    threads = [threading.Thread(target=run, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for c in clients:
        c.__exit__(None, None, None)
    assert statuses == [303] * 6
    assert len(contributions(db, title="Une épicerie au bourg")) == 1


def test_stale_form_is_handled_and_nothing_lost(client, db):
    before = count(db)
    response = send(client, form(db, token=token(now=time.time() - 2 * 24 * 3600)))
    assert response.status_code == 422
    assert "Le formulaire était ouvert depuis trop longtemps" in text_of(response.text)
    assert "Une épicerie au bourg" in response.text
    assert count(db) == before


def test_forged_token_is_refused(client, db):
    before = count(db)
    response = send(client, form(db, token="123.abc.def"))
    assert response.status_code == 400
    assert "n’a pas pu être vérifié" in text_of(response.text)
    assert count(db) == before


def test_honeypot_keeps_nothing(client, db):
    before = count(db)
    response = send(client, form(db, site_web="http://spam.example"))
    assert response.status_code == 303
    assert response.headers["location"] == f"{FORM}/merci/recue"
    assert get(client, response.headers["location"]).status_code == 200
    assert count(db) == before


def test_rate_limit_per_address(client, db):
    for i in range(10):
        assert send(client, form(db, title=f"Idée numéro {i}")).status_code == 303
    response = send(client, form(db, title="Encore une", body="Un texte long à ne pas perdre."))
    assert response.status_code == 429
    assert int(response.headers["retry-after"]) == 3600
    page = text_of(response.text)
    assert "réessayez dans une heure" in page
    assert "Un texte long à ne pas perdre." in response.text  # the typed text is kept
    assert page.count("Revital revitaliser les centres-bourgs") == 1  # one page, not a page in the form
    assert not contributions(db, title="Encore une")


def test_rate_limit_answers_htmx_with_the_form_fragment(client, db):
    for i in range(10):
        assert send(client, form(db, title=f"Idée numéro {i}")).status_code == 303
    response = send(client, form(db, title="Encore une", body="Gardé."), headers={"HX-Request": "true"})
    assert response.status_code == 429
    assert response.text.lstrip().startswith('<form id="contribution-form"')
    assert "<header" not in response.text and "<footer" not in response.text
    assert 'id="form-errors"' in response.text and "réessayez dans une heure" in response.text
    assert "Gardé." in response.text


def test_commune_may_require_an_account(client, db):
    with db.transaction() as session:
        session.execute(update(Commune).where(Commune.slug == MAIN).values(contributions_need_account=True))
    response = get(client, FORM)
    assert response.status_code == 303 and response.headers["location"].startswith("/connexion")
    sign_in_as(client, PERSONAS["resident"])
    assert get(client, FORM).status_code == 200
    assert send(client, form(db)).status_code == 303
    [c] = contributions(db, title="Une épicerie au bourg")
    assert c.user_id is not None


def test_a_posteriori_publishes_at_once(client, db):
    with db.transaction() as session:
        session.execute(update(Commune).where(Commune.slug == MAIN).values(moderation="a_posteriori"))
    response = send(client, form(db))
    [c] = contributions(db, title="Une épicerie au bourg")
    assert c.status == "published" and c.published_at is not None
    assert "Elle est déjà publiée" in text_of(get(client, response.headers["location"]).text)
    assert "Une épicerie au bourg" in text_of(get(client, f"/communes/{MAIN}/contributions").text)


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (800, 600), (120, 160, 90))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0110] = "SecretCam 3000"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (44.0, 27.0, 20.0), "E", (3.0, 33.0, 50.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_photo_is_stored_without_metadata_and_private_until_published(client, db):
    content = jpeg_with_gps()
    assert b"SecretCam 3000" in content
    response = send(client, form(db), files={"photo": ("photo.jpg", content, "image/jpeg")})
    assert response.status_code == 303
    [c] = contributions(db, title="Une épicerie au bourg")
    with db.session() as session:
        photo = session.get(Photo, c.photo_id)
        data, thumb, photo_token = photo.data, photo.thumbnail, photo.token
    for stored in (data, thumb):
        assert b"SecretCam" not in stored and b"Exif" not in stored
        assert not Image.open(io.BytesIO(stored)).getexif()
    assert get(client, f"/photos/{photo_token}.jpg").status_code == 404  # pending: not public
    sign_in_as(client, PERSONAS["facilitator"])
    served = get(client, f"/photos/{photo_token}-vignette.jpg")
    assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
    assert served.content == thumb


def test_bad_photo_is_refused_and_the_rest_kept(client, db):
    before = count(db)
    response = send(client, form(db), files={"photo": ("doc.pdf", b"%PDF-1.4 not a photo", "application/pdf")})
    assert response.status_code == 422
    assert "Ce fichier n’est pas une photo JPEG, PNG ou WebP." in text_of(response.text)
    assert "Une épicerie au bourg" in response.text
    assert count(db) == before


def test_a_valid_photo_is_kept_while_another_field_is_corrected(client, db):
    data = form(db, title="")
    first = send(client, data, files={"photo": ("lavoir.jpg", jpeg_with_gps(), "image/jpeg")})
    assert first.status_code == 422
    assert "Votre photo (800 × 600 pixels) est gardée" in text_of(first.text)
    second = send(client, {**data, "title": "Le lavoir du bas"})  # no photo chosen again
    assert second.status_code == 303
    [c] = contributions(db, title="Le lavoir du bas")
    with db.session() as session:
        photo = session.get(Photo, c.photo_id)
        assert (photo.width, photo.height, photo.pending_token) == (800, 600, None)
        assert session.scalar(select(func.count()).select_from(Photo).where(Photo.pending_token.is_not(None))) == 0


def test_a_kept_photo_can_be_dropped(client, db):
    with db.session() as session:
        before = session.scalar(select(func.count()).select_from(Photo))  # the demo's own photos
    data = form(db, title="")
    send(client, data, files={"photo": ("lavoir.jpg", jpeg_with_gps(), "image/jpeg")})
    assert send(client, {**data, "title": "Sans photo finalement", "drop_photo": "1"}).status_code == 303
    [c] = contributions(db, title="Sans photo finalement")
    assert c.photo_id is None
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Photo)) == before


def test_htmx_submission_swaps_the_form_or_redirects(client, db):
    headers = {"HX-Request": "true"}
    bad = send(client, form(db, title=""), headers=headers)
    assert bad.status_code == 422 and bad.text.lstrip().startswith('<form id="contribution-form"')
    good = send(client, form(db), headers=headers)
    assert good.status_code == 200 and good.headers["hx-redirect"].startswith(f"{FORM}/merci/")
