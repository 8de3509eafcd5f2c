"""The coordinator imports communes from the back office: a file, or INSEE codes through the API."""

import json
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from revital.communes.models import Commune
from revital.settings import PROJECT_DIR
from revital.territories import geoapi
from tests.conftest import PERSONAS, csrf_token, get, sign_in_as, text_of

URL = "/territoires/pays-des-sources-demo/gestion/communes"
SHARED = Path(PROJECT_DIR).parent / "shared" / "geodata"


def square(lon, lat, size=0.01):
    return {"type": "Polygon", "coordinates": [[[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]]}


def collection(*features):
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": code, "nom": name}, "geometry": geometry} for code, name, geometry in features
    ]}


def upload(client, content: bytes, codes=""):
    return client.post(f"{URL}/fichier", data={"_csrf_token": csrf_token(client), "codes": codes},
                       files={"fichier": ("communes.geojson", content, "application/geo+json")}, follow_redirects=False)


def count(db):
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(Commune))


@pytest.mark.parametrize("persona, status", [
    ("anonymous", 303), ("resident", 403), ("facilitator", 403), ("partner", 403), ("admin", 403),
    ("other_admin", 403), ("student", 403), ("coordinator", 200),
])
def test_access(as_persona, persona, status):
    assert get(as_persona(persona), URL).status_code == status


def test_unknown_territory(client):
    sign_in_as(client, PERSONAS["coordinator"])
    assert get(client, "/territoires/atlantis/gestion/communes").status_code == 404


def test_home_links_coordinators_to_the_import(client):
    assert URL not in get(client, "/").text
    sign_in_as(client, PERSONAS["coordinator"])
    assert URL in get(client, "/").text


def test_upload_a_file(client, db):
    sign_in_as(client, PERSONAS["coordinator"])
    content = json.dumps(collection(("48080", "Langogne", square(3.83, 44.72)), ("48105", "Naussac-Fontanes", square(3.80, 44.74)))).encode()
    response = upload(client, content)
    assert response.status_code == 200
    text = text_of(response.text)
    assert "2 communes importées dans « Pays des Sources (démonstration) » : 2 créées, 0 mise à jour." in text
    assert count(db) == 12  # the ten demo communes and these two
    assert "Langogne" not in text_of(get(client, "/").text)  # imported, not engaged: not on the home page


def test_upload_only_some_codes(client, db):
    sign_in_as(client, PERSONAS["coordinator"])
    content = json.dumps(collection(("48080", "Langogne", square(3.83, 44.72)), ("48105", "Naussac-Fontanes", square(3.80, 44.74)))).encode()
    assert upload(client, content, codes="48105").status_code == 200
    with db.session() as session:
        assert session.scalar(select(Commune.name).where(Commune.insee == "48105")) == "Naussac-Fontanes"
        assert session.scalar(select(Commune).where(Commune.insee == "48080")) is None


@pytest.mark.parametrize("content, message", [
    (b"not json at all", "JSON"),
    (json.dumps({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, "geometry": square(3.8, 44.7)}]}).encode(),
     "n’a pas de code INSEE"),
    (json.dumps(collection(("48080", "Langogne", square(3.83, 44.72)),
                           ("48105", "Naussac-Fontanes", {"type": "Polygon", "coordinates": [[[3.8, 44.7], [3.81, 44.71], [3.81, 44.7], [3.8, 44.71], [3.8, 44.7]]]}))).encode(),
     "se recoupe"),
])
def test_bad_files_import_nothing(client, db, content, message):
    sign_in_as(client, PERSONAS["coordinator"])
    response = upload(client, content)
    assert response.status_code == 422
    text = text_of(response.text)
    assert "Rien n’a été importé." in text and message in text
    assert count(db) == 10


def test_code_absent_from_the_file(client, db):
    sign_in_as(client, PERSONAS["coordinator"])
    content = json.dumps(collection(("48080", "Langogne", square(3.83, 44.72)))).encode()
    response = upload(client, content, codes="48999")
    assert response.status_code == 422
    assert "Le code INSEE 48999 n’est pas dans le fichier." in text_of(response.text)
    assert 'value="48999"' in response.text
    assert count(db) == 10


@pytest.mark.skipif(not SHARED.exists(), reason="../shared/geodata is absent (a user's own clone)")
def test_upload_a_real_departement(client, db):
    sign_in_as(client, PERSONAS["coordinator"])
    response = upload(client, (SHARED / "communes-48.geojson").read_bytes())
    assert response.status_code == 200
    assert "158 communes importées" in text_of(response.text)
    assert count(db) == 158  # the three demo communes were updated, not duplicated


def api_post(client, **form):
    return client.post(f"{URL}/api", data={"_csrf_token": csrf_token(client), **form}, files={"x": ("", b"")},
                       follow_redirects=False)


def test_api_import(client, db, monkeypatch):
    def answer(request: httpx.Request) -> httpx.Response:
        code = request.url.path.rsplit("/", 1)[-1]
        feature = {"type": "Feature", "properties": {"code": code, "nom": f"Commune {code}", "population": 120},
                   "geometry": square(3.83, 44.72)}
        return httpx.Response(200, json=feature)

    monkeypatch.setattr(geoapi, "TRANSPORT", httpx.MockTransport(answer))
    sign_in_as(client, PERSONAS["coordinator"])
    response = api_post(client, insee="48080")
    assert response.status_code == 200
    assert "1 commune importée" in text_of(response.text)
    with db.session() as session:
        commune = session.scalar(select(Commune).where(Commune.insee == "48080"))
        assert (commune.population, commune.boundary_source) == (120, "geo.api.gouv.fr")


def test_api_timeout_suggests_the_file_import(client, db, monkeypatch):
    def timeout(request):
        raise httpx.ConnectTimeout("timed out", request=request)

    monkeypatch.setattr(geoapi, "TRANSPORT", httpx.MockTransport(timeout))
    sign_in_as(client, PERSONAS["coordinator"])
    response = api_post(client, insee="48080")
    assert response.status_code == 422
    text = text_of(response.text)
    assert "ne répond pas" in text and "importez plutôt un fichier GeoJSON" in text
    assert count(db) == 10


def test_api_error_500(client, db, monkeypatch):
    monkeypatch.setattr(geoapi, "TRANSPORT", httpx.MockTransport(lambda request: httpx.Response(500)))
    sign_in_as(client, PERSONAS["coordinator"])
    response = api_post(client, departement="48")
    assert response.status_code == 422
    assert "a répondu par une erreur (500)" in text_of(response.text)


def test_api_needs_codes(client):
    sign_in_as(client, PERSONAS["coordinator"])
    response = api_post(client)
    assert response.status_code == 422
    assert "Indiquez des codes INSEE ou un département." in text_of(response.text)
