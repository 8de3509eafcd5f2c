"""The action sheet as an A4 PDF (/communes/{slug}/fiches/{n}.pdf, revital.sheets.pdf): the same
body as its page, read back with pypdf; public for a validated sheet, for SEE_SHEETS holders for
any; rendered once per version; a French 503 without WeasyPrint."""

import io
import re

import pytest
from pypdf import PdfReader
from shapely.geometry import LineString, Point, box
from sqlalchemy import select

from revital.sheets import pdf, sheetmap
from revital.sheets.models import ActionSheet
from tests.conftest import MAIN, get, text_of
from tests.test_sheet_public import ELECTED, TECHNICIAN, make_sheets

A4_PORTRAIT = (595.28, 841.89)


@pytest.fixture
def sheets(db):
    pdf.PDFS.clear()
    return make_sheets(db)


def url(n) -> str:
    return f"/communes/{MAIN}/fiches/{n}.pdf"


def pages_text(data: bytes) -> list[str]:
    return [re.sub(r"\s+", " ", page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages]


def test_the_pdf_is_a4_and_says_what_the_page_says(client, sheets):
    response = get(client, url(sheets["validated"]))
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert response.headers["cache-control"].startswith("public")
    reader = PdfReader(io.BytesIO(response.content))
    assert 1 <= len(reader.pages) <= 4
    assert all((round(float(p.mediabox.width), 2), round(float(p.mediabox.height), 2)) == A4_PORTRAIT
               for p in reader.pages)
    text = " ".join(pages_text(response.content)).replace("\u202f", " ").replace("\u00a0", " ")
    assert "Ombrager la place de l’église" in text
    assert "Commune de Saint-Étienne-du-Valdonnez" in text
    assert "52 500 €" in text and "Reste à charge" in text
    assert "CAUE de la Lozère" in text and "Favorable avec réserves" in text
    assert ELECTED not in text and TECHNICIAN not in text
    assert f"page 1 / {len(reader.pages)}" in text


def test_a_draft_pdf_is_for_those_who_see_every_sheet(as_persona, sheets):
    client = as_persona("admin")
    response = get(client, url(sheets["draft"]))
    assert response.status_code == 200 and response.headers["cache-control"] == "private, no-store"
    assert ELECTED in " ".join(pages_text(response.content))


def test_printing_twice_renders_once_and_an_edit_renders_again(client, db, sheets, monkeypatch):
    renders = []
    original = pdf.render_pdf
    monkeypatch.setattr(pdf, "render_pdf", lambda html: renders.append(1) or original(html))
    first = get(client, url(sheets["validated"])).content
    assert get(client, url(sheets["validated"])).content == first and len(renders) == 1
    with db.transaction() as s:
        sheet = s.scalar(select(ActionSheet).where(ActionSheet.number == sheets["validated"]).order_by(ActionSheet.id.desc()))
        sheet.title = "Des tilleuls sur la place"
        sheet.revision += 1
    again = get(client, url(sheets["validated"])).content
    assert len(renders) == 2 and "Des tilleuls sur la place" in pages_text(again)[0]


def test_a_hostile_title_prints_as_text(client, db):
    pdf.PDFS.clear()
    hostile = "<script>alert(1)</script> & Cie"
    numbers = make_sheets(db, validated_title=hostile)
    assert hostile in pages_text(get(client, url(numbers["validated"])).content)[0]


def test_without_weasyprint_the_server_says_so_in_french(client, sheets, monkeypatch):
    monkeypatch.setattr(pdf, "WEASYPRINT", "weasyprint_absent_from_this_server")
    response = get(client, url(sheets["validated"]))
    assert response.status_code == 503
    text = text_of(response.text)
    assert "La fiche action ne peut pas être produite en PDF sur ce serveur" in text and "libpango-1.0-0" in text


def test_the_map_draws_the_sheet_s_geometry():
    commune, perimeter = box(3.569, 44.4495, 3.581, 44.4605), box(3.57, 44.45, 3.58, 44.46)
    area = sheetmap.draw(commune, perimeter, box(3.572, 44.452, 3.574, 44.454))
    assert area.area.startswith("M") and area.point is None and area.boundary and area.perimeter
    line = sheetmap.draw(commune, perimeter, LineString([(3.571, 44.451), (3.579, 44.459)]))
    assert line.line.startswith("M") and not line.area
    point = sheetmap.draw(commune, perimeter, None, place=(3.575, 44.455))
    assert point.point is not None and 0 < point.point[0] < point.width and 0 < point.point[1] < point.height
    assert sheetmap.draw(None, None, None) is None
    assert sheetmap.draw(commune, None, Point(3.5692, 44.455)).outside  # the land outside the commune, greyed
    assert sheetmap.as_shape({"type": "Point", "coordinates": ["x"]}) is None
