"""The roadmap's PDF: A4 pages (cover, contents, axes, calendar, funding, map, one page per action),
its text read back with pypdf, rendered once per version and kept, and a French 503 when
WeasyPrint cannot be loaded."""

import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from revital.communes.models import Commune
from revital.roadmaps import builder, pdf
from revital.roadmaps import demo as roadmap_demo
from revital.roadmaps.models import Roadmap
from tests.conftest import get

PUBLIC = f"/communes/{roadmap_demo.SLUG}/feuille-de-route"
A4 = (595.28, 841.89)


def pages_text(data: bytes) -> list[str]:
    return [re.sub(r"\s+", " ", page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages]


def stored(db, number: int):
    with db.session() as session:
        commune_id = session.scalar(select(Commune.id).where(Commune.slug == roadmap_demo.SLUG))
        return session.execute(select(Roadmap.pdf, Roadmap.pdf_pages)
                               .where(Roadmap.commune_id == commune_id, Roadmap.number == number)).first()


def test_the_pdf_has_a_cover_contents_chapters_and_one_page_per_action(client, db):
    response = get(client, f"{PUBLIC}.pdf")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert "feuille-de-route-chateauneuf-de-randon-v2.pdf" in response.headers["content-disposition"]
    reader = PdfReader(io.BytesIO(response.content))
    for page in reader.pages:
        assert (round(float(page.mediabox.width), 2), round(float(page.mediabox.height), 2)) == A4
    texts = pages_text(response.content)
    assert "Feuille de route" in texts[0] and "Châteauneuf-de-Randon · version 2" in texts[0]
    assert "Sommaire" in texts[1]
    whole = " ".join(texts)
    for title in [t["title"] for t in roadmap_demo.SHEETS]:
        assert title in whole
    assert any("Calendrier" in t and "T1" in t and "2027" in t for t in texts)  # the Gantt chart's text
    assert any("Carte des actions" in t for t in texts)
    assert any("Financement" in t and "Par financeur" in t and "Reste à financer" in t for t in texts)
    assert len([t for t in texts if re.search(r"Action [1-6]\. .*Axe .*Pilote", t)]) == 6
    # kept with the version: its page count too
    row = stored(db, 2)
    assert row.pdf == response.content and row.pdf_pages == len(reader.pages)


def test_the_calendar_and_the_map_are_drawn_in_the_pdf(client):
    data = get(client, f"{PUBLIC}/1.pdf").content
    reader = PdfReader(io.BytesIO(data))
    texts = pages_text(data)
    calendar = next(i for i, t in enumerate(texts) if "Calendrier" in t and "Sommaire" not in t and "T2" in t)
    map_page = next(i for i, t in enumerate(texts) if t.strip().startswith("Carte des actions"))
    for index in (calendar, map_page):  # vector drawings: the page's content stream has paths
        content = reader.pages[index].get_contents().get_data()
        assert content.count(b" re") + content.count(b" l\n") + content.count(b" c\n") > 10
    assert "Une halle pour le marché du samedi" not in " ".join(texts)  # version 1 as published


def test_a_version_is_rendered_once(client, db, monkeypatch):
    calls = []
    real = pdf.render

    def counting(templates, ctx):
        calls.append(ctx["roadmap"]["version"])
        return real(templates, ctx)

    monkeypatch.setattr(pdf, "render", counting)
    first = get(client, f"{PUBLIC}/2.pdf").content
    second = get(client, f"{PUBLIC}.pdf").content
    assert first == second and calls == [2]


def test_without_weasyprint_the_pdf_answers_a_french_503(client, monkeypatch):
    monkeypatch.setattr(pdf, "WEASYPRINT", "revital_no_such_weasyprint")
    response = get(client, f"{PUBLIC}/1.pdf")
    assert response.status_code == 503
    assert "WeasyPrint" in response.text and "La feuille de route reste lisible en ligne" in response.text


def test_fifty_actions_render_with_the_long_calendar_cut_in_pages():
    from revital.app import template_environment
    from tests.test_roadmap_builder import AXES, COMMUNE, sheet

    sheets = [sheet(i, f"Action numéro {i}", axis=AXES[i % 2], start=(2027, 1 + i % 4), end=(2029, 1 + i % 4),
                    geometry={"type": "Point", "coordinates": [3.674 + i * 1e-4, 44.640]}) for i in range(1, 51)]
    roadmap = builder.build(COMMUNE, sheets, {}, AXES)
    roadmap.update(version=1, published_at="2027-01-01T00:00:00+00:00", note="")
    data, count = pdf.render(template_environment(auto_reload=False), pdf.context(roadmap))
    texts = pages_text(data)
    assert count == len(texts) >= 50 + 5
    assert "Action numéro 50" in " ".join(texts)


@pytest.fixture(autouse=True)
def fresh_locks():
    pdf._locks.clear()
