"""Perimeter, named places and the commune's open-data GeoJSON, through HTTP."""

import json

import pytest
from sqlalchemy import delete, select

from revital.communes.models import Commune
from revital.geography.models import Place
from tests.conftest import MAIN, OTHER, PERSONAS, get, post, sign_in_as, text_of
from tests.dom import parse

PERIMETER_URL = f"/communes/{MAIN}/gestion/perimetre"
PLACES_URL = f"/communes/{MAIN}/gestion/lieux"

# A small square around Saint-Étienne-du-Valdonnez's church, inside the demo boundary.
SQUARE = {"type": "Polygon", "coordinates": [[[3.562, 44.455], [3.566, 44.455], [3.566, 44.458], [3.562, 44.458], [3.562, 44.455]]]}
BOW_TIE = {"type": "Polygon", "coordinates": [[[3.562, 44.455], [3.566, 44.458], [3.566, 44.455], [3.562, 44.458], [3.562, 44.455]]]}
FAR_AWAY = {"type": "Polygon", "coordinates": [[[3.9, 44.9], [3.91, 44.9], [3.91, 44.91], [3.9, 44.91], [3.9, 44.9]]]}


def commune(db, slug=MAIN):
    with db.session() as session:
        c = session.scalar(select(Commune).where(Commune.slug == slug))
        return c, c.perimeter, c.geo_version


def save_perimeter(client, geometry=None, text=None, **files):
    data = {"perimeter": text if text is not None else json.dumps(geometry)}
    from tests.conftest import csrf_token

    data["_csrf_token"] = csrf_token(client)
    return client.post(PERIMETER_URL, data=data, files=files or None, follow_redirects=False)


@pytest.mark.parametrize("persona, status", [
    ("anonymous", 303), ("resident", 403), ("student", 403), ("partner", 403), ("facilitator", 403),
    ("admin", 200), ("other_admin", 403), ("coordinator", 200),
])
def test_perimeter_page_access(as_persona, persona, status):
    assert get(as_persona(persona), PERIMETER_URL).status_code == status


@pytest.mark.parametrize("persona, status", [
    ("anonymous", 303), ("resident", 403), ("student", 403), ("partner", 403), ("facilitator", 200),
    ("admin", 200), ("other_admin", 403), ("coordinator", 200),
])
def test_places_page_access(as_persona, persona, status):
    assert get(as_persona(persona), PLACES_URL).status_code == status


@pytest.mark.parametrize("persona", ["resident", "facilitator", "other_admin"])
def test_perimeter_form_refused_to_others(as_persona, db, persona):
    client = as_persona(persona)
    _, before, _ = commune(db)
    assert save_perimeter(client, SQUARE).status_code == 403
    assert commune(db)[1] == before


def test_save_a_drawn_perimeter(client, db):
    sign_in_as(client, PERSONAS["admin"])
    _, _, version = commune(db)
    response = save_perimeter(client, SQUARE)
    assert response.status_code == 303
    assert response.headers["location"] == f"{PERIMETER_URL}?ok=perimetre"
    _, perimeter, new_version = commune(db)
    stored = json.loads(perimeter)
    assert stored["type"] == "Polygon" and new_version == version + 1
    assert "Le périmètre d’étude du centre-bourg est enregistré." in text_of(get(client, response.headers["location"]).text)


def test_upload_a_perimeter_file(client, db):
    sign_in_as(client, PERSONAS["admin"])
    feature = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, "geometry": SQUARE}]}
    response = save_perimeter(client, text="", fichier=("perimetre.geojson", json.dumps(feature).encode(), "application/geo+json"))
    assert response.status_code == 303
    assert json.loads(commune(db)[1])["type"] == "Polygon"


@pytest.mark.parametrize("geometry, text, message", [
    (BOW_TIE, None, "se recoupe près de"),
    (FAR_AWAY, None, "dépasse de la commune"),
    (None, "ceci n’est pas du GeoJSON", "JSON"),
    ({"type": "LineString", "coordinates": [[3.562, 44.455], [3.566, 44.458]]}, None, "alors qu’un polygone est attendu"),
    ({"type": "Polygon", "coordinates": [[[44.455, 3.562], [44.455, 3.566], [44.458, 3.566], [44.455, 3.562]]]}, None,
     "latitude et longitude inversées"),
    (None, "", "Tracez le périmètre sur la carte"),
])
def test_bad_perimeter_is_refused_in_french_and_kept(client, db, geometry, text, message):
    sign_in_as(client, PERSONAS["admin"])
    _, before, version = commune(db)
    response = save_perimeter(client, geometry, text)
    assert response.status_code == 422
    page_text = text_of(response.text)
    assert "Le périmètre n’a pas été enregistré" in page_text
    assert message in page_text
    assert "Traceback" not in response.text
    if text:
        assert text.replace("'", "&#39;") in response.text
    _, after, after_version = commune(db)
    assert (after, after_version) == (before, version)


def test_clear_perimeter(client, db):
    sign_in_as(client, PERSONAS["coordinator"])
    assert post(client, f"{PERIMETER_URL}/effacer").status_code == 303
    assert commune(db)[1] is None
    assert "Aucun périmètre n’est encore défini." in text_of(get(client, PERIMETER_URL).text)


def places(db, slug=MAIN):
    with db.session() as session:
        c = session.scalar(select(Commune).where(Commune.slug == slug))
        return {p.name: p for p in session.scalars(select(Place).where(Place.commune_id == c.id))}


def test_add_a_place(client, db):
    sign_in_as(client, PERSONAS["facilitator"])
    version = commune(db)[2]
    response = post(client, PLACES_URL, {"name": "Lavoir", "description": "Le lavoir couvert", "lon": "3,5641", "lat": "44.4566"})
    assert response.status_code == 303
    place = places(db)["Lavoir"]
    assert (place.lon, place.lat, place.description) == (3.5641, 44.4566, "Le lavoir couvert")
    assert commune(db)[2] == version + 1
    assert "Lavoir" in text_of(get(client, f"/communes/{MAIN}").text)


@pytest.mark.parametrize("form, message", [
    ({"name": "", "lon": "3.5641", "lat": "44.4566"}, "Indiquez le nom du lieu"),
    ({"name": "Lavoir", "lon": "", "lat": ""}, "Indiquez la position du lieu"),
    ({"name": "Lavoir", "lon": "abc", "lat": "44.4566"}, ""),
    ({"name": "Lavoir", "lon": "3.7", "lat": "44.8"}, "en dehors de Saint-Étienne-du-Valdonnez"),
    ({"name": "Lavoir", "lon": "44.4566", "lat": "3.5641"}, "inversées"),
])
def test_bad_place_is_refused_and_kept(client, db, form, message):
    sign_in_as(client, PERSONAS["admin"])
    count = len(places(db))
    response = post(client, PLACES_URL, form)
    assert response.status_code == 422
    assert message in text_of(response.text)
    assert 'aria-invalid="true"' in response.text
    if form["lon"]:
        assert f'value="{form["lon"]}"' in response.text
    assert len(places(db)) == count


def test_edit_and_delete_a_place(client, db):
    sign_in_as(client, PERSONAS["admin"])
    place = next(iter(places(db).values()))
    url = f"{PLACES_URL}/{place.id}"
    assert place.name in text_of(get(client, url).text)
    response = post(client, url, {"name": "Nouveau nom", "description": "", "lon": str(place.lon), "lat": str(place.lat)})
    assert response.status_code == 303
    assert "Nouveau nom" in places(db)
    assert post(client, f"{url}/supprimer", {"confirm": "1"}).status_code == 303
    assert "Nouveau nom" not in places(db)
    assert get(client, url).status_code == 404


def test_cannot_touch_a_place_of_another_commune(client, db):
    sign_in_as(client, PERSONAS["admin"])
    other = next(iter(places(db, OTHER).values()))
    assert get(client, f"{PLACES_URL}/{other.id}").status_code == 404
    assert get(client, f"{PLACES_URL}/{other.id}/supprimer").status_code == 404
    assert post(client, f"{PLACES_URL}/{other.id}/supprimer", {"confirm": "1"}).status_code == 404
    assert other.name in places(db, OTHER)


def test_open_data_geojson(client, db):
    response = get(client, f"/api/communes/{MAIN}/commune.geojson")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/geo+json")
    data = response.json()
    assert data["type"] == "FeatureCollection"
    assert "Licence Ouverte" in data["licence"]
    kinds = [f["properties"]["kind"] for f in data["features"]]
    assert kinds.count("boundary") == 1 and kinds.count("perimeter") == 1 and kinds.count("place") == 5
    place = next(f for f in data["features"] if f["properties"]["kind"] == "place")
    assert set(place["properties"]) == {"kind", "id", "name", "description"}
    assert "@" not in response.text  # no e-mail, no personal data


def test_open_data_etag_and_304(client, db):
    first = get(client, f"/api/communes/{MAIN}/commune.geojson")
    etag = first.headers["etag"]
    again = get(client, f"/api/communes/{MAIN}/commune.geojson", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    sign_in_as(client, PERSONAS["admin"])
    post(client, PLACES_URL, {"name": "Lavoir", "lon": "3.5641", "lat": "44.4566"})
    changed = get(client, f"/api/communes/{MAIN}/commune.geojson", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert "Lavoir" in changed.text


def test_open_data_unknown_commune(client):
    assert get(client, "/api/communes/atlantis/commune.geojson").status_code == 404


def test_place_names_are_escaped_everywhere(client, db):
    sign_in_as(client, PERSONAS["admin"])
    name = '<img src=x onerror=alert(1)>'
    assert post(client, PLACES_URL, {"name": name, "lon": "3.5641", "lat": "44.4566"}).status_code == 303
    for path in (f"/communes/{MAIN}", PLACES_URL):
        html = get(client, path).text
        assert name not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    # In the GeoJSON it is data; the map puts it in the page with textContent only.
    assert json.loads(get(client, f"/api/communes/{MAIN}/commune.geojson").text)


def test_commune_page_describes_perimeter_and_lists_places(client):
    text = text_of(get(client, f"/communes/{MAIN}").text)
    assert "Le périmètre d’étude du centre-bourg couvre environ" in text
    assert "Les lieux nommés" in text and "Place de l’église" in text


def test_map_page_weight_does_not_carry_geometry(client, db):
    html = get(client, f"/communes/{MAIN}").text
    with db.session() as session:
        boundary = session.scalar(select(Commune.boundary).where(Commune.slug == MAIN))
    first_coordinates = json.dumps(json.loads(boundary)["coordinates"][0][1])
    assert first_coordinates not in html
    assert f"/api/communes/{MAIN}/commune.geojson" in html


LAVOIR = {"name": "Lavoir", "description": "", "lon": "3.5641", "lat": "44.4566"}


@pytest.mark.parametrize("name", ["Lavoir", "lavoir", "  LAVOIR ", "Lavoír", "Lavoir\u00a0"])
def test_a_place_name_the_commune_has_already_is_refused(client, db, name):
    sign_in_as(client, PERSONAS["facilitator"])
    assert post(client, PLACES_URL, LAVOIR).status_code == 303
    count = len(places(db))
    response = post(client, PLACES_URL, {**LAVOIR, "name": name})
    assert response.status_code == 422
    page = parse(response.text)
    assert page.find(id="place-name-error").text() == (
        "Un lieu s’appelle déjà « Lavoir » dans cette commune : donnez un autre nom, ou modifiez ce lieu-là.")
    assert page.find("input", id="place-name").get("aria-invalid") == "true"
    assert len(places(db)) == count


def test_apostrophes_and_hyphens_do_not_make_another_name(client, db):
    sign_in_as(client, PERSONAS["admin"])
    assert post(client, PLACES_URL, {**LAVOIR, "name": "Place de l'Église-Neuve"}).status_code == 303
    response = post(client, PLACES_URL, {**LAVOIR, "name": "place de l’eglise neuve"})
    assert response.status_code == 422
    assert "Un lieu s’appelle déjà « Place de l'Église-Neuve »" in parse(response.text).find(id="place-name-error").text()


def test_another_commune_may_have_a_place_of_the_same_name(client, db):
    with db.transaction() as session:
        other = session.scalar(select(Commune).where(Commune.slug == OTHER))
        session.add(Place(commune_id=other.id, name="Lavoir", lon=3.63, lat=44.65))
    sign_in_as(client, PERSONAS["admin"])
    assert post(client, PLACES_URL, LAVOIR).status_code == 303
    assert "Lavoir" in places(db) and "Lavoir" in places(db, OTHER)


def test_renaming_a_place_to_another_places_name_is_refused(client, db):
    sign_in_as(client, PERSONAS["admin"])
    assert post(client, PLACES_URL, LAVOIR).status_code == 303
    assert post(client, PLACES_URL, {**LAVOIR, "name": "Fontaine"}).status_code == 303
    fontaine = places(db)["Fontaine"]
    response = post(client, f"{PLACES_URL}/{fontaine.id}", {**LAVOIR, "name": "LAVOIR"})
    assert response.status_code == 422
    assert parse(response.text).find(id="place-name-error").text().startswith("Un lieu s’appelle déjà « Lavoir »")
    assert "Fontaine" in places(db)
    # its own name, in other letters, is no duplicate
    assert post(client, f"{PLACES_URL}/{fontaine.id}", {**LAVOIR, "name": "FONTAINE"}).status_code == 303
    assert "FONTAINE" in places(db)


def add_contribution(db, place, title, status="published"):
    from revital.contributions.models import Contribution

    with db.transaction() as session:
        session.add(Contribution(commune_id=place.commune_id, kind="asset", category="patrimoine", title=title,
                                 lon=place.lon, lat=place.lat, place_id=place.id, place_name=place.name,
                                 phase="diagnostic", status=status, submission_token=f"token-{title}"))


def test_deleting_a_place_asks_first_and_says_how_many_contributions_chose_it(client, db):
    from revital.contributions.models import Contribution

    sign_in_as(client, PERSONAS["facilitator"])
    assert post(client, PLACES_URL, LAVOIR).status_code == 303
    lavoir = places(db)["Lavoir"]
    add_contribution(db, lavoir, "Le lavoir restauré")
    add_contribution(db, lavoir, "Le lavoir fuit", status="pending")
    url = f"{PLACES_URL}/{lavoir.id}/supprimer"

    listing = parse(get(client, PLACES_URL).text)
    link = listing.find("a", href=url)
    assert link.text() == "Supprimer Lavoir"  # a link to the confirmation, no button that deletes at once
    assert listing.find("form", action=url) is None

    asked = get(client, url)
    assert asked.status_code == 200
    page = parse(asked.text)
    assert page.find("h1").text() == "Supprimer le lieu « Lavoir » ?"
    assert page.find(id="consequence").text() == (
        "2 contributions ont choisi ce lieu : elles gardent son nom, « Lavoir », et leur position, mais ne seront "
        "plus rattachées à un lieu de la liste.")
    form = page.find("form", action=url)
    assert form.find("input", name="confirm").get("value") == "1"
    assert form.find("a", href=PLACES_URL).text() == "Annuler et garder le lieu"

    not_confirmed = post(client, url)
    assert not_confirmed.status_code == 200
    assert "Lavoir" in places(db)

    done = post(client, url, {"confirm": "1"})
    assert done.status_code == 303
    assert done.headers["location"] == f"{PLACES_URL}?ok=lieu-supprime"
    assert "Lavoir" not in places(db)
    with db.session() as session:
        kept = session.scalars(select(Contribution).where(Contribution.title.in_(["Le lavoir restauré", "Le lavoir fuit"]))).all()
        assert [(c.place_id, c.place_name, c.lon) for c in kept] == [(None, "Lavoir", lavoir.lon)] * 2


@pytest.mark.parametrize("chosen, sentence", [
    (0, "Aucune contribution n’a choisi ce lieu."),
    (1, "1 contribution a choisi ce lieu : elle garde son nom, « Lavoir », et sa position, mais ne sera plus "
        "rattachée à un lieu de la liste."),
])
def test_the_confirmation_speaks_of_one_or_no_contribution(client, db, chosen, sentence):
    sign_in_as(client, PERSONAS["admin"])
    assert post(client, PLACES_URL, LAVOIR).status_code == 303
    lavoir = places(db)["Lavoir"]
    for i in range(chosen):
        add_contribution(db, lavoir, f"Contribution {i}")
    page = parse(get(client, f"{PLACES_URL}/{lavoir.id}/supprimer").text)
    assert page.find(id="consequence").text() == sentence


@pytest.mark.parametrize("persona, status", [
    ("anonymous", 303), ("resident", 403), ("student", 403), ("partner", 403), ("facilitator", 200),
    ("admin", 200), ("other_admin", 403), ("coordinator", 200),
])
def test_place_deletion_access(as_persona, db, persona, status):
    place = next(iter(places(db).values()))
    client = as_persona(persona)
    assert get(client, f"{PLACES_URL}/{place.id}/supprimer").status_code == status
    assert post(client, f"{PLACES_URL}/{place.id}/supprimer", {"confirm": "1"}).status_code == (303 if status == 200 else status)
    assert (place.name in places(db)) == (status != 200)


def test_places_are_listed_in_french_order(db):
    from revital.geography import services as geography

    with db.transaction() as session:
        commune = session.scalar(select(Commune).where(Commune.slug == OTHER))
        session.execute(delete(Place).where(Place.commune_id == commune.id))
        for name in ("Salle des fêtes", "École", "atelier municipal", "Église", "Zone artisanale"):
            session.add(Place(commune_id=commune.id, name=name, lon=3.6, lat=44.6))
    with db.session() as session:
        commune = session.scalar(select(Commune).where(Commune.slug == OTHER))
        names = [p.name for p in geography.places_of(session, commune.id)]
    # SQLite's ORDER BY put the accented names after Z.
    assert names == ["atelier municipal", "École", "Église", "Salle des fêtes", "Zone artisanale"]
