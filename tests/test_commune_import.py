"""Importing commune boundaries: from GeoJSON files (the real ones of ../shared/geodata) and
from geo.api.gouv.fr (through httpx.MockTransport: never the network)."""

import json
import re
from pathlib import Path

import httpx
import pytest
import shapely
from sqlalchemy import func, select

from revital import cli, geo
from revital.communes.models import Commune, Territory
from revital.demo import GEODATA as DEMO_FILE
from revital.localgroups.models import LocalGroup
from revital.process.models import PhaseTransition, Process
from revital.settings import Settings
from revital.territories import geoapi
from revital.territories.features import features_by_code
from revital.territories.geoapi import GeoApiError, fetch_communes
from revital.territories.importer import ImportReport, import_communes

GEODATA = Path(__file__).resolve().parents[2] / "shared" / "geodata"
needs_geodata = pytest.mark.skipif(not GEODATA.is_dir(), reason="../shared/geodata is absent (a user's own clone)")
DEMO_TERRITORY = "Pays des Sources (démonstration)"
API = "https://geo.example.test"
QUERY = "format=geojson&geometry=contour&fields=nom,code,population,contour"
CLOSED_NETWORK = (
    "Le service geo.api.gouv.fr ne répond pas ({}). Sur un réseau fermé, importez plutôt un fichier "
    "GeoJSON : revital commune import FICHIER --territory …"
)
BOW_TIE = {
    "type": "Feature",
    "properties": {"code": "48999", "nom": "Papillon"},
    "geometry": {"type": "Polygon", "coordinates": [[[3.5, 44.5], [3.6, 44.6], [3.6, 44.5], [3.5, 44.6], [3.5, 44.5]]]},
}


@pytest.fixture
def env(monkeypatch, database_url, tmp_path):
    monkeypatch.setenv("REVITAL_DATABASE_URL", database_url)
    monkeypatch.setenv("REVITAL_SECRET_KEY", "cli-test-secret")
    monkeypatch.setenv("REVITAL_INSTANCE_DIR", str(tmp_path / "instance"))
    monkeypatch.setenv("REVITAL_GEO_API_URL", API)


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Any request that a test did not plan for fails loudly instead of leaving the machine."""
    def refuse(request):
        raise AssertionError(f"unexpected request: {request.url}")

    monkeypatch.setattr(geoapi, "TRANSPORT", httpx.MockTransport(refuse))


def departement_file(code: str) -> Path:
    return GEODATA / f"communes-{code}.geojson"


def load(code: str) -> dict:
    return json.loads(departement_file(code).read_text())


def count(database, model, *where) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def commune(database, insee: str) -> Commune:
    with database.session() as session:
        return session.scalar(select(Commune).where(Commune.insee == insee))


def boundary(database, insee: str):
    with database.session() as session:
        return geo.from_geojson(session.scalar(select(Commune.boundary).where(Commune.insee == insee)))


def run(database, *args, **kwargs) -> ImportReport:
    with database.transaction() as session:
        return import_communes(session, *args, **kwargs)


def nothing_written(database, communes: int = 0, territories: int = 0) -> bool:
    return (count(database, Commune), count(database, Territory), count(database, LocalGroup)) == (
        communes, territories, communes)


# --- Whole départements -------------------------------------------------------------------

@needs_geodata
def test_lozere_through_the_cli(env, empty_db, capsys):
    path = departement_file("48")
    assert cli.main(["commune", "import", str(path), "--territory", "lozere", "--territory-name", "Lozère"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 159
    assert out[-1] == "158 communes importées dans « Lozère » : 158 créées, 0 mise à jour."
    assert "48080 Langogne : créée" in out and "48027 Mont Lozère et Goulet : créée" in out
    with empty_db.session() as session:
        territory = session.scalar(select(Territory).where(Territory.slug == "lozere"))
        assert territory.name == "Lozère"
        assert session.scalar(select(func.count()).where(Commune.territory_id == territory.id)) == 158
        langogne = session.scalar(select(Commune).where(Commune.insee == "48080"))
        assert (langogne.name, langogne.slug, langogne.boundary_source, langogne.geo_version, langogne.population) == (
            "Langogne", "langogne", "communes-48.geojson", 1, None)
        stored = langogne.boundary
        box = (langogne.min_lon, langogne.min_lat, langogne.max_lon, langogne.max_lat)
    # Every new commune has its local group, and is not engaged: no process until the territory engages it.
    assert count(empty_db, LocalGroup) == 158
    assert count(empty_db, Process) == count(empty_db, PhaseTransition) == 0
    # Langogne keeps its hole, exactly filled by an exclave of Naussac-Fontanes.
    langogne = geo.from_geojson(stored)
    assert langogne.geom_type == "Polygon" and len(langogne.interiors) == 1
    assert langogne.exterior.is_ccw  # the file's clockwise rings are stored the RFC 7946 way
    assert box == pytest.approx(langogne.bounds)
    in_the_hole = shapely.Polygon(langogne.interiors[0]).representative_point()
    naussac = boundary(empty_db, "48105")
    assert naussac.geom_type == "MultiPolygon"
    assert naussac.covers(in_the_hole) and not langogne.covers(in_the_hole)


@needs_geodata
def test_importing_twice_updates_instead_of_duplicating(empty_db):
    first = run(empty_db, load("48"), "lozere")
    assert (first.created, first.updated) == (158, 0)
    with empty_db.transaction() as session:  # a commune renamed by hand keeps its name and slug
        renamed = session.scalar(select(Commune).where(Commune.insee == "48034"))
        assert renamed.name == "Canourgue"
        renamed.name, renamed.slug, renamed.boundary = "La Canourgue", "la-canourgue", None
    second = run(empty_db, load("48"), "lozere", source="communes-48.geojson")
    assert (second.created, second.updated) == (0, 158)
    assert second.summary() == "158 communes importées dans « lozere » : 0 créée, 158 mises à jour."
    assert "48080 Langogne : contour mis à jour" in second.lines
    assert "48034 La Canourgue : contour mis à jour" in second.lines
    assert count(empty_db, Commune) == count(empty_db, LocalGroup) == 158 and count(empty_db, Process) == 0
    assert count(empty_db, Territory) == 1
    with empty_db.session() as session:
        canourgue = session.scalar(select(Commune).where(Commune.insee == "48034"))
        assert (canourgue.name, canourgue.slug, canourgue.geo_version, canourgue.boundary_source) == (
            "La Canourgue", "la-canourgue", 2, "communes-48.geojson")
        assert canourgue.boundary is not None
        assert set(session.scalars(select(Commune.geo_version))) == {2}


@needs_geodata
def test_saint_flour_of_the_cantal_and_of_the_puy_de_dome(empty_db):
    cantal = run(empty_db, load("15"), "cantal", "Cantal", source="communes-15.geojson")
    assert cantal.summary() == "247 communes importées dans « Cantal » : 247 créées, 0 mise à jour."
    puy = run(empty_db, load("63"), "puy-de-dome", "Puy-de-Dôme", source="communes-63.geojson")
    assert puy.summary() == "467 communes importées dans « Puy-de-Dôme » : 467 créées, 0 mise à jour."
    assert count(empty_db, Commune) == 714 and count(empty_db, Process) == 0
    with empty_db.session() as session:
        rows = session.execute(select(Commune.insee, Commune.name, Commune.slug, Territory.slug)
                               .join(Territory).where(Commune.name == "Saint-Flour").order_by(Commune.insee)).all()
        assert [tuple(row) for row in rows] == [
            ("15187", "Saint-Flour", "saint-flour", "cantal"),
            ("63343", "Saint-Flour", "saint-flour-63343", "puy-de-dome"),
        ]
        # Every name the two files share: the second commune's slug carries its INSEE code.
        suffixed = {slug for slug in session.scalars(select(Commune.slug)) if re.search(r"-\d{5}$", slug)}
        assert suffixed == {"beaulieu-63031", "espinasse-63152", "lastic-63191", "saint-flour-63343",
                            "saint-saturnin-63396", "vitrac-63464"}
        assert session.scalar(select(func.count(func.distinct(Commune.slug)))) == 714


@needs_geodata
def test_a_commune_of_another_territory_is_refused_and_nothing_written(db):
    before = count(db, Commune), count(db, Territory), count(db, Process)
    with pytest.raises(geo.GeometryError) as error:
        run(db, load("48"), "lozere", "Lozère")
    demo_communes = [("48003", "Allenc"), ("48016", "Balsièges"), ("48027", "Mont Lozère et Goulet"),
                     ("48030", "Brenoux"), ("48043", "Châteauneuf-de-Randon"), ("48070", "Grandrieu"),
                     ("48081", "Lanuéjols"), ("48095", "Mende"), ("48137", "Saint-Bauzile"),
                     ("48147", "Saint-Étienne-du-Valdonnez")]
    assert str(error.value) == "\n".join(
        ["10 communes appartiennent déjà à un autre territoire :"]
        + [f"- La commune {code} {name} appartient déjà au territoire « {DEMO_TERRITORY} »." for code, name in demo_communes]
    )
    with pytest.raises(geo.GeometryError) as error:
        run(db, load("48"), "lozere", codes=["48080", "48070"])
    assert str(error.value) == f"La commune 48070 Grandrieu appartient déjà au territoire « {DEMO_TERRITORY} »."
    assert (count(db, Commune), count(db, Territory), count(db, Process)) == before


@needs_geodata
def test_real_boundaries_replace_the_demo_ones(db):
    before = commune(db, "48147")
    report = run(db, load("48"), "pays-des-sources-demo", codes=["48147", "48070"], source="communes-48.geojson")
    assert report.lines == ["48070 Grandrieu : contour mis à jour", "48147 Saint-Étienne-du-Valdonnez : contour mis à jour"]
    assert report.summary() == f"2 communes importées dans « {DEMO_TERRITORY} » : 0 créée, 2 mises à jour."
    after = commune(db, "48147")
    assert (after.name, after.slug, after.population, after.geo_version, after.boundary_source) == (
        before.name, before.slug, before.population, before.geo_version + 1, "communes-48.geojson")
    assert count(db, Process) == 4  # the demo processes, untouched


# --- Choosing communes -------------------------------------------------------------------

@needs_geodata
def test_insee_option_imports_just_those(env, empty_db, capsys):
    path = str(departement_file("48"))
    assert cli.main(["commune", "import", path, "--territory", "lozere", "--insee", "48080", "48105"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "48080 Langogne : créée",
        "48105 Naussac-Fontanes : créée",
        "2 communes importées dans « lozere » : 2 créées, 0 mise à jour.",
    ]
    with empty_db.session() as session:
        assert set(session.scalars(select(Commune.insee))) == {"48080", "48105"}


@needs_geodata
def test_insee_codes_absent_from_the_file(env, empty_db, capsys):
    path = str(departement_file("48"))
    assert cli.main(["commune", "import", path, "--territory", "lozere", "--insee", "48080", "48999"]) == 1
    assert capsys.readouterr().err == "Le code INSEE 48999 n’est pas dans le fichier.\nRien n’a été importé.\n"
    assert nothing_written(empty_db)
    with pytest.raises(geo.GeometryError) as error:
        run(empty_db, load("48"), "lozere", codes=["48998", "48080", "48999"])
    assert str(error.value) == "Les codes INSEE 48998, 48999 ne sont pas dans le fichier."
    assert nothing_written(empty_db)


def test_insee_option_checks_the_codes(env, empty_db, capsys):
    assert cli.main(["commune", "import", str(DEMO_FILE), "--territory", "t", "--insee", "4808"]) == 1
    assert capsys.readouterr().err == (
        "« 4808 » n’est pas un code INSEE (5 caractères, par exemple 48080).\nRien n’a été importé.\n")
    assert nothing_written(empty_db)


def test_population_and_names_from_the_features(empty_db):
    collection = json.loads(DEMO_FILE.read_text())  # property "insee", not "code"
    report = run(empty_db, collection, "sources", "Les Sources", source="demo-communes.geojson")
    assert report.lines == ["48027 Mont Lozère et Goulet : créée", "48070 Grandrieu : créée",
                            "48147 Saint-Étienne-du-Valdonnez : créée"]
    assert report.summary() == "3 communes importées dans « Les Sources » : 3 créées, 0 mise à jour."
    grandrieu = commune(empty_db, "48070")
    assert (grandrieu.slug, grandrieu.population, grandrieu.boundary_source) == ("grandrieu", 742, "demo-communes.geojson")
    with empty_db.session() as session:
        assert session.scalar(select(LocalGroup.name).where(LocalGroup.commune_id == grandrieu.id)) == (
            "Groupe local de Grandrieu")


def test_a_new_territory_needs_a_proper_slug(env, empty_db, capsys):
    assert cli.main(["commune", "import", str(DEMO_FILE), "--territory", "Pays du Gévaudan"]) == 1
    assert capsys.readouterr().err == (
        "« Pays du Gévaudan » ne peut pas servir d’identifiant de territoire (minuscules sans accents, chiffres "
        "et tirets) : essayez « pays-du-gevaudan ».\nRien n’a été importé.\n")
    assert nothing_written(empty_db)


def test_a_single_commune_summary_is_singular(empty_db):
    report = run(empty_db, json.loads(DEMO_FILE.read_text()), "sources", codes=["48070"])
    assert report.summary() == "1 commune importée dans « sources » : 1 créée, 0 mise à jour."


# --- Bad input: a French message, nothing half-written ------------------------------------

def demo_collection() -> dict:
    return json.loads(DEMO_FILE.read_text())


def without_codes() -> dict:
    collection = demo_collection()
    for feature in collection["features"]:
        feature["properties"] = {"nom": feature["properties"]["nom"]}
    return collection


def with_a_bow_tie() -> dict:
    collection = demo_collection()
    collection["features"].append(BOW_TIE)
    return collection


def geo_message(data) -> str:
    """What revital.geo says of this input: the import must pass it on word for word."""
    with pytest.raises(geo.GeometryError) as error:
        features_by_code(geo.load_json(data))
    return str(error.value)


@pytest.mark.parametrize("content, words", [
    ("{pas du json", ["n’est pas du JSON valide", "ligne 1, colonne 2"]),
    (json.dumps(without_codes()), ["3 problèmes", "L’entité n° 3 n’a pas de code INSEE"]),
    (json.dumps(with_a_bow_tie()), ["48999 Papillon : le contour se recoupe près de 3.55, 44.55."]),
    (json.dumps(BOW_TIE["geometry"]), ["doit être une FeatureCollection"]),
    (json.dumps(demo_collection(), ensure_ascii=False).encode("cp1252"), ["UTF-8"]),
], ids=["not-json", "no-codes", "bow-tie", "not-a-collection", "windows-1252"])
def test_bad_files_are_refused_in_french(env, empty_db, capsys, tmp_path, content, words):
    path = tmp_path / "communes.geojson"
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    message = geo_message(content)
    assert all(word in message for word in words), message
    assert cli.main(["commune", "import", str(path), "--territory", "lozere"]) == 1
    captured = capsys.readouterr()
    assert captured.err == f"{message}\nRien n’a été importé.\n"
    assert captured.out == ""
    assert nothing_written(empty_db)


def test_a_bow_tie_among_valid_communes_writes_none_of_them(db):
    before = count(db, Commune), count(db, Territory), count(db, Process)
    collection = demo_collection()
    collection["features"].append(BOW_TIE)
    with pytest.raises(geo.GeometryError, match="^48999 Papillon : le contour se recoupe"):
        run(db, collection, "pays-des-sources-demo")
    assert (count(db, Commune), count(db, Territory), count(db, Process)) == before
    assert commune(db, "48070").geo_version == 1


def test_files_that_cannot_be_read(env, empty_db, capsys, tmp_path):
    missing = tmp_path / "absent.geojson"
    assert cli.main(["commune", "import", str(missing), "--territory", "lozere"]) == 1
    assert capsys.readouterr().err == f"Le fichier « {missing} » n’existe pas.\nRien n’a été importé.\n"
    assert cli.main(["commune", "import", str(tmp_path), "--territory", "lozere"]) == 1
    assert capsys.readouterr().err == f"« {tmp_path} » est un dossier, pas un fichier GeoJSON.\nRien n’a été importé.\n"
    assert nothing_written(empty_db)


@pytest.mark.parametrize("args, message", [
    ([], "Indiquez le fichier GeoJSON à importer, ou --api pour interroger geo.api.gouv.fr."),
    (["x.geojson", "--api"], "Indiquez soit un fichier GeoJSON, soit --api, pas les deux."),
    (["x.geojson", "--departement", "48"], "--departement ne s’utilise qu’avec --api."),
    (["--api"], "Indiquez les codes INSEE des communes (--insee) ou un département (--departement).\n"
                "Rien n’a été importé."),
    (["--api", "--departement", "4"],
     "« 4 » n’est pas un code de département (2 ou 3 caractères, par exemple 48, 2A ou 974).\n"
     "Rien n’a été importé."),
])
def test_command_line_mistakes(env, empty_db, capsys, args, message):
    assert cli.main(["commune", "import", *args, "--territory", "lozere"]) == 1
    assert capsys.readouterr().err == message + "\n"
    assert nothing_written(empty_db)


# --- geo.api.gouv.fr -------------------------------------------------------------------------

def api_feature(feature: dict) -> dict:
    """A demo feature the way geo.api.gouv.fr writes it."""
    properties = feature["properties"]
    return {"type": "Feature", "geometry": feature["geometry"],
            "properties": {"nom": properties["nom"], "code": properties["insee"], "population": properties["population"]}}


API_FEATURES = {f["properties"]["insee"]: api_feature(f) for f in json.loads(DEMO_FILE.read_text())["features"]}


class FakeApi:
    """The two routes of geo.api.gouv.fr used by the import, answered from the demo file."""

    def __init__(self, status: int = 200, body: bytes | None = None, error: Exception | None = None):
        self.status, self.body, self.error = status, body, error
        self.urls: list[str] = []
        self.transport = httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.urls.append(str(request.url))
        if self.error:
            raise self.error
        if self.status != 200 or self.body is not None:
            return httpx.Response(self.status, content=self.body or b"")
        parts = request.url.path.strip("/").split("/")
        if parts[0] == "communes" and parts[1] in API_FEATURES:
            return httpx.Response(200, json=API_FEATURES[parts[1]])
        if parts[0] == "departements" and parts[1] == "48":
            return httpx.Response(200, json={"type": "FeatureCollection", "features": list(API_FEATURES.values())})
        return httpx.Response(404, json={"code": 404, "message": "Not found"})


def test_fetch_communes_by_code():
    api = FakeApi()
    collection = fetch_communes(API, 10, codes=["48070", "48147"], transport=api.transport)
    assert api.urls == [f"{API}/communes/48070?{QUERY}", f"{API}/communes/48147?{QUERY}"]
    assert collection == {"type": "FeatureCollection", "features": [API_FEATURES["48070"], API_FEATURES["48147"]]}


def test_fetch_a_departement_and_more_codes_without_duplicates():
    api = FakeApi()
    collection = fetch_communes(API + "/", 10, codes=["48070"], departement="48", transport=api.transport)
    assert api.urls == [f"{API}/departements/48/communes?{QUERY}"]
    assert [f["properties"]["code"] for f in collection["features"]] == ["48147", "48027", "48070"]


@pytest.mark.parametrize("error, detail", [
    (httpx.ReadTimeout("timed out"), "pas de réponse en 10 s"),
    (httpx.ConnectTimeout("timed out"), "pas de réponse en 10 s"),
    (httpx.ConnectError("Name or service not known"), "connexion impossible"),
])
def test_a_closed_network_suggests_the_file_import(error, detail):
    api = FakeApi(error=error)
    with pytest.raises(GeoApiError) as raised:
        fetch_communes(API, 10, codes=["48070"], transport=api.transport)
    assert str(raised.value) == CLOSED_NETWORK.format(detail)


@pytest.mark.parametrize("api, kwargs, message", [
    (FakeApi(), {"codes": ["48070", "48999"]}, "Le code INSEE 48999 est inconnu de geo.api.gouv.fr."),
    (FakeApi(), {"departement": "2A"}, "Le département 2A est inconnu de geo.api.gouv.fr."),
    (FakeApi(status=500), {"codes": ["48070"]},
     "geo.api.gouv.fr a répondu par une erreur (500). Réessayez plus tard ou importez un fichier GeoJSON."),
    (FakeApi(status=503), {"departement": "48"},
     "geo.api.gouv.fr a répondu par une erreur (503). Réessayez plus tard ou importez un fichier GeoJSON."),
    (FakeApi(body=b"<html>Maintenance</html>"), {"codes": ["48070"]},
     "geo.api.gouv.fr a renvoyé une réponse illisible (ce n’est pas du JSON). "
     "Réessayez plus tard ou importez un fichier GeoJSON."),
    (FakeApi(body=b'{"type": "FeatureCollection", "features": []}'), {"departement": "48"},
     "geo.api.gouv.fr ne connaît aucune commune dans le département 48."),
], ids=["unknown-commune", "unknown-departement", "500", "503", "not-json", "empty-departement"])
def test_api_errors_in_french(api, kwargs, message):
    with pytest.raises(GeoApiError) as raised:
        fetch_communes(API, 10, transport=api.transport, **kwargs)
    assert str(raised.value) == message


def test_codes_are_checked_before_any_request():
    api = FakeApi()
    with pytest.raises(GeoApiError) as raised:
        fetch_communes(API, 10, codes=["48070", "4808"], transport=api.transport)
    assert str(raised.value) == "« 4808 » n’est pas un code INSEE (5 caractères, par exemple 48080)."
    assert api.urls == []
    assert geoapi.check_insee(" 2a004 ") == "2A004"


def test_cli_api_import_by_code(env, empty_db, capsys, monkeypatch):
    api = FakeApi()
    monkeypatch.setattr(geoapi, "TRANSPORT", api.transport)
    assert cli.main(["commune", "import", "--api", "--insee", "48070", "48147", "--territory", "margeride",
                     "--territory-name", "Margeride"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "48070 Grandrieu : créée",
        "48147 Saint-Étienne-du-Valdonnez : créée",
        "2 communes importées dans « Margeride » : 2 créées, 0 mise à jour.",
    ]
    assert api.urls == [f"{API}/communes/48070?{QUERY}", f"{API}/communes/48147?{QUERY}"]
    grandrieu = commune(empty_db, "48070")
    assert (grandrieu.population, grandrieu.boundary_source, grandrieu.slug) == (742, "geo.api.gouv.fr", "grandrieu")
    assert count(empty_db, LocalGroup) == 2 and count(empty_db, Process) == 0


def test_cli_api_import_of_a_departement_then_again(env, empty_db, capsys, monkeypatch):
    monkeypatch.setattr(geoapi, "TRANSPORT", FakeApi().transport)
    assert cli.main(["commune", "import", "--api", "--departement", "48", "--territory", "lozere"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "3 communes importées dans « lozere » : 3 créées, 0 mise à jour."
    assert cli.main(["commune", "import", "--api", "--departement", "48", "--territory", "lozere"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "3 communes importées dans « lozere » : 0 créée, 3 mises à jour."
    assert count(empty_db, Commune) == count(empty_db, LocalGroup) == 3 and count(empty_db, Process) == 0


@pytest.mark.parametrize("api, message", [
    (FakeApi(error=httpx.ReadTimeout("timed out")), CLOSED_NETWORK.format("pas de réponse en 10 s")),
    (FakeApi(status=500), "geo.api.gouv.fr a répondu par une erreur (500). Réessayez plus tard ou importez un fichier GeoJSON."),
], ids=["timeout", "500"])
def test_cli_api_failure_writes_nothing(env, empty_db, capsys, monkeypatch, api, message):
    monkeypatch.setattr(geoapi, "TRANSPORT", api.transport)
    assert cli.main(["commune", "import", "--api", "--insee", "48070", "--territory", "lozere"]) == 1
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", f"{message}\nRien n’a été importé.\n")
    assert nothing_written(empty_db)


def test_cli_api_unknown_code_after_a_known_one_writes_nothing(env, empty_db, capsys, monkeypatch):
    monkeypatch.setattr(geoapi, "TRANSPORT", FakeApi().transport)
    assert cli.main(["commune", "import", "--api", "--insee", "48070", "48999", "--territory", "lozere"]) == 1
    assert capsys.readouterr().err == "Le code INSEE 48999 est inconnu de geo.api.gouv.fr.\nRien n’a été importé.\n"
    assert nothing_written(empty_db)


def test_geo_api_settings(monkeypatch, tmp_path):
    monkeypatch.setenv("REVITAL_INSTANCE_DIR", str(tmp_path))
    monkeypatch.setenv("REVITAL_SECRET_KEY", "s3cret")
    monkeypatch.delenv("REVITAL_GEO_API_URL", raising=False)
    monkeypatch.delenv("REVITAL_GEO_API_TIMEOUT", raising=False)
    settings = Settings.from_env()
    assert (settings.geo_api_url, settings.geo_api_timeout) == ("https://geo.api.gouv.fr", 10)
    monkeypatch.setenv("REVITAL_GEO_API_URL", "https://geo.interne.example.fr")
    monkeypatch.setenv("REVITAL_GEO_API_TIMEOUT", "3")
    settings = Settings.from_env()
    assert (settings.geo_api_url, settings.geo_api_timeout) == ("https://geo.interne.example.fr", 3)
