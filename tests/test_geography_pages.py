"""Perimeter, named places and the commune's open-data GeoJSON, through HTTP."""

import json

import pytest
from sqlalchemy import select

from revital.communes.models import Commune
from revital.geography.models import Place
from tests.conftest import MAIN, OTHER, PERSONAS, get, post, sign_in_as, text_of

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
    (None, "ceci n'est pas du GeoJSON", "JSON"),
    ({"type": "LineString", "coordinates": [[3.562, 44.455], [3.566, 44.458]]}, None, "alors qu'un polygone est attendu"),
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
    assert post(client, f"{url}/supprimer").status_code == 303
    assert "Nouveau nom" not in places(db)
    assert get(client, url).status_code == 404


def test_cannot_touch_a_place_of_another_commune(client, db):
    sign_in_as(client, PERSONAS["admin"])
    other = next(iter(places(db, OTHER).values()))
    assert get(client, f"{PLACES_URL}/{other.id}").status_code == 404
    assert post(client, f"{PLACES_URL}/{other.id}/supprimer").status_code == 404
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
    assert "Les lieux nommés" in text and "Place de l'église" in text


def test_map_page_weight_does_not_carry_geometry(client, db):
    html = get(client, f"/communes/{MAIN}").text
    with db.session() as session:
        boundary = session.scalar(select(Commune.boundary).where(Commune.slug == MAIN))
    first_coordinates = json.dumps(json.loads(boundary)["coordinates"][0][1])
    assert first_coordinates not in html
    assert f"/api/communes/{MAIN}/commune.geojson" in html
