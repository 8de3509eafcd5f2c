"""The open data of a published roadmap: /api/communes/{slug}/roadmap.json (the snapshot in its
envelope, no personal data, 404 in French when nothing is published, ETag and 304) and
roadmap-projets.csv, validated against the national Table Schema with frictionless.

The roadmaps are written directly as rows with a snapshot that follows the format of
revital.roadmaps.builder (the factory below): these tests read the format, not the builder."""

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select

from revital.communes.models import Commune
from revital.roadmaps import opendata, progress_rules
from revital.roadmaps import models as roadmap_models
from revital.roadmaps.models import Progress, ProgressNote, Roadmap
from revital.sheets import models as sheet_models
from revital.sheets.models import ActionSheet
from tests.conftest import MAIN, OTHER, get

SCHEMA = Path(__file__).resolve().parent.parent / "revital" / "roadmaps" / "schema" / "projets-territoire.schema.json"


# The factory: validated sheets and a published roadmap whose snapshot follows the format.


def action_dict(sheet: ActionSheet, axis: str | None, cost: int, funding: list[dict], **extra) -> dict:
    requested = sum(f["amount_cents"] for f in funding if f["status"] == "requested")
    granted = sum(f["amount_cents"] for f in funding if f["status"] == "granted")
    action = {
        "sheet_id": sheet.id, "number": sheet.number, "title": sheet.title, "axis": axis, "priority": 1,
        "maturity": sheet.maturity, "status": "validated", "description": "Refaire la place.",
        "objectives": "Un centre où l’on s’arrête.", "pilot": "Commune", "elected_referent_role": "Adjointe à l’urbanisme",
        "technical_referent_role": "Secrétaire de mairie", "partners": ["CAUE de la Lozère"],
        "cost_cents": cost, "investment_cents": cost, "operating_cents": 0, "funding": funding,
        "requested_cents": requested, "granted_cents": granted, "remaining_cents": cost - granted - requested,
        "start": {"year": 2027, "quarter": 2}, "end": {"year": 2028, "quarter": 1},
        "milestones": [{"label": "Études", "on": "2027-06-30", "done": False}], "indicators": [],
        "geometry": {"type": "Point", "coordinates": [3.5634, 44.4564]}, "place": "Place de l’église",
        "lineage": {"idea": 2, "stake": 1, "contribution": 5, "workshop": 1, "proposal": 0, "observation": 3},
    }
    action.update(extra)
    return action


SPECS = [
    # title, axis, maturity, cost in cents, funding lines
    ("Réaménager la place de l’église", "Un centre-bourg où l’on s’arrête", "fiche_action", 25_000_050,
     [{"funder": "Région Occitanie", "scheme": "Bourgs-centres", "amount_cents": 8_000_000, "year": 2027,
       "status": "granted"},
      {"funder": "État (DETR)", "scheme": "DETR", "amount_cents": 5_000_000, "year": 2027, "status": "requested"}]),
    ("=HYPERLINK(\"http://evil\") -20 % de vacance", "Un centre-bourg où l’on s’arrête", "fiche_projet", 1_200_000,
     [{"funder": "Banque des Territoires", "scheme": "Petites villes de demain", "amount_cents": 600_000,
       "year": 2028, "status": "refused"}]),
    ("Un marché de producteurs, le jeudi", None, "idee", 0, []),
]


def publish(db, slug: str = MAIN, specs=SPECS, number: int | None = None, sheets: list[int] | None = None,
            at: datetime | None = None) -> dict:
    """Validated sheets (new ones unless `sheets` gives their ids) and a published roadmap of them.
    Returns {"roadmap": id, "number": version, "sheets": [ids], "numbers": [sheet numbers]}."""
    with db.transaction() as s:
        commune = s.scalar(select(Commune).where(Commune.slug == slug))
        if sheets is None:
            first = (s.scalar(select(func.max(ActionSheet.number)).where(ActionSheet.commune_id == commune.id)) or 0) + 1
            rows = [ActionSheet(commune_id=commune.id, number=first + i, title=title, maturity=maturity,
                                status="validated", elected_referent="Jeanne Secret", technical_referent="Paul Caché",
                                elected_referent_role="Adjointe à l’urbanisme")
                    for i, (title, _, maturity, _, _) in enumerate(specs)]
            s.add_all(rows)
            s.flush()
        else:
            rows = [s.get(ActionSheet, i) for i in sheets]
        actions = [action_dict(row, axis, cost, funding)
                   for row, (_, axis, _, cost, funding) in zip(rows, specs, strict=True)]
        number = number or (s.scalar(select(func.max(Roadmap.number)).where(Roadmap.commune_id == commune.id)) or 0) + 1
        at = at or datetime(2027, 1, 15, 9, 30, tzinfo=UTC)
        axes = {}
        for action in actions:
            axes.setdefault(action["axis"], []).append(action["number"])
        funders = {}
        for action in actions:
            for line in action["funding"]:
                entry = funders.setdefault(line["funder"], {"funder": line["funder"], "requested_cents": 0,
                                                            "granted_cents": 0, "refused_cents": 0, "actions": []})
                entry[f"{line['status']}_cents"] += line["amount_cents"]
                entry["actions"].append(action["number"])
        snapshot = {
            "format": "revital-feuille-de-route/1",
            "commune": {"name": commune.name, "slug": commune.slug, "insee": commune.insee},
            "version": number, "published_at": at.isoformat(), "note": "Première version votée en conseil.",
            "axes": [{"id": i + 1 if title else None, "title": title or "Sans axe", "position": i, "actions": numbers}
                     for i, (title, numbers) in enumerate(axes.items())],
            "actions": actions,
            "calendar": {"first": {"year": 2027, "quarter": 2}, "last": {"year": 2028, "quarter": 1},
                         "quarters": [{"year": 2027, "quarter": q, "label": f"T{q} 2027"} for q in (2, 3, 4)]},
            "funders": list(funders.values()),
            "totals": {"actions": len(actions), "cost_cents": sum(a["cost_cents"] for a in actions),
                       "investment_cents": sum(a["investment_cents"] for a in actions), "operating_cents": 0,
                       "requested_cents": sum(a["requested_cents"] for a in actions),
                       "granted_cents": sum(a["granted_cents"] for a in actions),
                       "remaining_cents": sum(a["remaining_cents"] for a in actions)},
        }
        roadmap = Roadmap(commune_id=commune.id, number=number, title="Feuille de route", note=snapshot["note"],
                          snapshot=json.dumps(snapshot), author_name="Marie Auteure", published_at=at)
        s.add(roadmap)
        s.flush()
        return {"roadmap": roadmap.id, "number": number, "sheets": [r.id for r in rows],
                "numbers": [r.number for r in rows], "commune": commune.id}


@pytest.fixture
def clean(db):
    """No roadmap nor progress but the test's own (whatever the demo publishes)."""
    with db.transaction() as s:
        for model in (ProgressNote, Progress, Roadmap):
            s.execute(delete(model))
    return db


# The pure module and the models say the same.


def test_the_pure_modules_spell_the_models_values():
    assert set(progress_rules.STATUSES) == {roadmap_models.UPCOMING, roadmap_models.ONGOING, roadmap_models.LATE,
                                            roadmap_models.PAUSED, roadmap_models.BLOCKED, roadmap_models.DROPPED,
                                            roadmap_models.DONE}
    assert (opendata.IDEA, opendata.PROJECT, opendata.ACTION) == (sheet_models.IDEA, sheet_models.PROJECT,
                                                                  sheet_models.ACTION)
    assert (opendata.REQUESTED, opendata.GRANTED, opendata.REFUSED) == (sheet_models.REQUESTED, sheet_models.GRANTED,
                                                                        sheet_models.REFUSED)


def test_the_schema_copy_is_the_shared_one():
    shared = Path("/work/shared/schemas/projets-territoire.schema.json")
    if shared.exists():
        assert json.loads(SCHEMA.read_text()) == json.loads(shared.read_text())
    assert [f["name"] for f in json.loads(SCHEMA.read_text())["fields"]] == opendata.PROJETS_FIELDS


# roadmap.json


def test_the_json_is_the_latest_snapshot_in_its_envelope(client, clean):
    first = publish(clean)
    second = publish(clean, sheets=first["sheets"], at=datetime(2027, 3, 1, 8, 0, tzinfo=UTC))
    response = get(client, f"/api/communes/{MAIN}/roadmap.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    document = response.json()
    assert set(document) == {"format", "licence", "commune", "version", "latest", "published_at", "note", "page", "pdf",
                             "projets_csv", "versions", "roadmap"}
    assert document["commune"]["slug"] == MAIN and len(document["commune"]["insee"]) == 5
    assert document["version"] == second["number"] and document["latest"] is True
    assert document["published_at"] == "2027-03-01T08:00:00Z"
    assert [v["version"] for v in document["versions"]] == [first["number"], second["number"]]
    assert document["versions"][0]["url"].endswith(f"/api/communes/{MAIN}/roadmap.json?version={first['number']}")
    assert [a["number"] for a in document["roadmap"]["actions"]] == second["numbers"]
    assert document["roadmap"]["totals"]["cost_cents"] == 25_000_050 + 1_200_000
    older = get(client, f"/api/communes/{MAIN}/roadmap.json?version={first['number']}").json()
    assert older["version"] == first["number"] and older["latest"] is False


def test_the_json_names_no_person(client, clean):
    publish(clean)
    body = get(client, f"/api/communes/{MAIN}/roadmap.json").text
    for personal in ("Marie Auteure", "Jeanne Secret", "Paul Caché", "author", "@revital.test"):
        assert personal not in body


@pytest.mark.parametrize("query", ["", "?version=7", "?version=abc", "?version=-1"])
def test_404_in_french_when_nothing_is_published(client, clean, query):
    response = get(client, f"/api/communes/{MAIN}/roadmap.json{query}")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["erreur"] in ("Cette commune n’a pas encore publié sa feuille de route.",
                                         "Cette version de la feuille de route n’existe pas.")


def test_404_for_an_unknown_commune_and_version(client, clean):
    publish(clean)
    assert get(client, "/api/communes/nulle-part/roadmap.json").json() == {
        "erreur": "Aucune commune ne correspond à cette adresse."}
    missing = get(client, f"/api/communes/{MAIN}/roadmap.json?version=99")
    assert missing.status_code == 404
    assert missing.json() == {"erreur": "Cette version de la feuille de route n’existe pas."}
    csv_missing = get(client, f"/api/communes/{OTHER}/roadmap-projets.csv")
    assert csv_missing.status_code == 404
    assert csv_missing.json() == {"erreur": "Cette commune n’a pas encore publié sa feuille de route."}


def test_etag_and_304(client, clean):
    publish(clean)
    for url in (f"/api/communes/{MAIN}/roadmap.json", f"/api/communes/{MAIN}/roadmap-projets.csv"):
        first = get(client, url)
        assert first.status_code == 200
        etag = first.headers["etag"]
        again = get(client, url, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b""
    # A new version is a new ETag.
    etag = get(client, f"/api/communes/{MAIN}/roadmap.json").headers["etag"]
    publish(clean)
    client.app.state.versions.clear()
    fresh = get(client, f"/api/communes/{MAIN}/roadmap.json", headers={"If-None-Match": etag})
    assert fresh.status_code == 200 and fresh.headers["etag"] != etag


# roadmap-projets.csv


def rows_of(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))


def validate(content: bytes):
    from frictionless import Resource, Schema

    schema = Schema.from_descriptor(json.loads(SCHEMA.read_text()))
    return Resource(data=content, format="csv", schema=schema).validate()


def test_the_csv_conforms_to_the_national_schema(client, clean):
    info = publish(clean)
    with clean.transaction() as s:
        s.add(Progress(commune_id=info["commune"], sheet_id=info["sheets"][0], status="en_retard", percent=40,
                       spent_cents=100))
    client.app.state.versions.clear()
    response = get(client, f"/api/communes/{MAIN}/roadmap-projets.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    report = validate(response.content)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    rows = rows_of(response)
    assert list(rows[0]) == opendata.PROJETS_FIELDS
    assert [r["phase"] for r in rows] == ["Opération", "Étude", "Idée"]
    assert [r["phaseStatut"] for r in rows] == ["En retard", "", ""]
    assert [r["budgetPrevisionnel"] for r in rows] == ["250001", "12000", ""]  # whole euros, rounded
    assert rows[0]["dateDebutPrevisionnelle"] == "2027-04-01"
    assert rows[0]["createdAt"] == "2027-01-15T09:30:00Z"
    with clean.session() as s:
        insee = s.scalar(select(Commune.insee).where(Commune.slug == MAIN))
    assert json.loads(rows[0]["collectiviteIds"]) == [insee]
    # The formula is neutralised, and the file is still valid (checked above).
    assert rows[1]["nom"].startswith("'=HYPERLINK")
    # No person: the referents' names stay out, their contact fields empty.
    assert all(r["porteurReferentNom"] == r["porteurReferentPrenom"] == r["porteurReferentEmail"] == "" for r in rows)
    assert "Jeanne Secret" not in response.text and "Marie Auteure" not in response.text
    # The same action keeps its identifier in the next version.
    publish(clean, sheets=info["sheets"])
    client.app.state.versions.clear()
    assert [r["id"] for r in rows_of(get(client, f"/api/communes/{MAIN}/roadmap-projets.csv"))] == [r["id"] for r in rows]


def test_the_validator_catches_what_the_schema_refuses():
    rows = opendata.projets_rows({"commune": {"insee": "48155"}, "published_at": "2027-01-15T09:30:00+00:00",
                                  "actions": [action_dict(type("S", (), {"id": 1, "number": 1, "title": "Place",
                                                                         "maturity": "fiche_action"})(), None, 100, [])]},
                                 {}, {}, None)
    assert validate(opendata.projets_csv(rows)).valid
    broken = dict(rows[0], phase="Travaux", budgetPrevisionnel="12,5")
    report = validate(opendata.projets_csv([broken]))
    assert not report.valid
    assert {e[0] for e in report.flatten(["fieldName"])} == {"phase", "budgetPrevisionnel"}
