"""The workshop kit to print: /communes/{slug}/ateliers/{id}/kit.pdf.

The PDF is read back with pypdf (pages, sizes, text) and its QR codes are decoded from the pages
themselves: pypdfium2 rasterises the page WeasyPrint produced and zxing-cpp reads the code."""

import io
import re
from datetime import UTC, datetime, timedelta

import pypdfium2
import pytest
import zxingcpp
from pypdf import PdfReader
from shapely.geometry import Point, box
from sqlalchemy import select, update

from revital.app import template_environment
from revital.communes.models import Commune
from revital.geography import services as geography
from revital.geography.models import Place
from revital.workshops import grid, kit, kitmap
from revital.workshops.models import Workshop
from tests.conftest import BASE_URL, MAIN, OTHER, PERSONAS, get, sign_in_as, text_of
from tests.dom import parse

TITLE = "Diagnostic en marchant du centre-bourg"
FORM_URL = f"{BASE_URL}/communes/{MAIN}/contribuer"
A3_LANDSCAPE = (1190.55, 841.89)
A4_PORTRAIT = (595.28, 841.89)


def add_workshop(database, slug=MAIN, title=TITLE) -> int:
    with database.transaction() as session:
        commune = session.scalar(select(Commune).where(Commune.slug == slug))
        place = session.scalar(select(Place).where(Place.commune_id == commune.id).order_by(Place.name))
        start = datetime(2027, 3, 13, 9, 0, tzinfo=UTC)
        workshop = Workshop(commune_id=commune.id, phase="diagnostic", kind="walk", title=title, starts_at=start,
                            ends_at=start + timedelta(hours=3), place_id=place.id if place else None,
                            address="Devant la mairie")
        session.add(workshop)
        session.flush()
        return workshop.id


@pytest.fixture
def workshop_id(db):
    return add_workshop(db)


def url(workshop_id, slug=MAIN):
    return f"/communes/{slug}/ateliers/{workshop_id}/kit.pdf"


def fetch_kit(client, workshop_id, persona="facilitator"):
    sign_in_as(client, PERSONAS[persona])
    response = get(client, url(workshop_id))
    assert response.status_code == 200, response.text[:500]
    return response


def pages_text(pdf: bytes) -> list[str]:
    return [re.sub(r"\s+", " ", page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages]


def squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text).replace(" .", ".").strip()


def qr_codes(pdf: bytes, page_index: int) -> list[str]:
    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[page_index].render(scale=200 / 72).to_pil()  # 200 dpi
    finally:
        document.close()
    return [found.text for found in zxingcpp.read_barcodes(image) if found.format == zxingcpp.BarcodeFormat.QRCode]


# --- Who may print it ----------------------------------------------------------------------

@pytest.mark.parametrize("persona", ["facilitator", "admin", "coordinator"])
def test_it_works_for_those_who_run_the_local_group(client, workshop_id, persona):
    response = fetch_kit(client, workshop_id, persona)
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == f'inline; filename="kit-atelier-{MAIN}-{workshop_id}.pdf"'
    assert response.headers["cache-control"] == "private, no-store"
    assert response.content.startswith(b"%PDF-")


def test_anonymous_visitors_are_sent_to_sign_in(client, workshop_id):
    response = get(client, url(workshop_id))
    assert response.status_code == 303
    assert response.headers["location"] == f"/connexion?suivant=/communes/{MAIN}/ateliers/{workshop_id}/kit.pdf"


@pytest.mark.parametrize("persona", ["resident", "student", "partner", "other_admin"])
def test_it_checks_the_permission(client, workshop_id, persona):
    sign_in_as(client, PERSONAS[persona])
    response = get(client, url(workshop_id))
    assert response.status_code == 403
    assert "application/pdf" not in response.headers["content-type"]
    assert "groupe local" in text_of(response.text)


def test_a_workshop_of_another_commune_is_not_found_here(client, db):
    other = add_workshop(db, slug=OTHER, title="Atelier de Grandrieu")
    sign_in_as(client, PERSONAS["coordinator"])  # who may print both communes' kits
    response = get(client, url(other))
    assert response.status_code == 404
    assert "Cet atelier n’existe pas dans cette commune." in text_of(response.text)
    assert get(client, url(other, OTHER)).status_code == 200


def test_unknown_workshop_and_commune_are_not_found(client, workshop_id):
    sign_in_as(client, PERSONAS["facilitator"])
    assert "Cet atelier n’existe pas dans cette commune." in text_of(get(client, url(workshop_id + 1000)).text)
    assert get(client, url(workshop_id + 1000)).status_code == 404
    assert get(client, url(workshop_id, "nulle-part")).status_code == 404


# --- What it holds -------------------------------------------------------------------------

def test_three_pages_the_map_in_a3_landscape_then_a4(client, workshop_id):
    pdf = fetch_kit(client, workshop_id).content
    sizes = [(float(p.mediabox.width), float(p.mediabox.height)) for p in PdfReader(io.BytesIO(pdf)).pages]
    assert len(sizes) == 3
    assert sizes[0] == pytest.approx(A3_LANDSCAPE, abs=1)
    assert sizes[1] == pytest.approx(A4_PORTRAIT, abs=1)
    assert sizes[2] == pytest.approx(A4_PORTRAIT, abs=1)


def test_the_map_page_names_the_commune_the_workshop_and_the_grid(client, db, workshop_id):
    map_page, form, sheet = pages_text(fetch_kit(client, workshop_id).content)
    assert "Saint-Étienne-du-Valdonnez" in map_page and TITLE in map_page
    assert "samedi 13 mars 2027, de 10 h 00 à 13 h 00" in map_page  # Paris time
    tokens = set(map_page.split())
    assert set("ABCDEFGH") <= tokens and set("123456") <= tokens  # the grid's letters and numbers
    with db.session() as session:
        commune = session.scalar(select(Commune).where(Commune.slug == MAIN))
        places = geography.places_of(session, commune.id)  # French order: the demo's École among the E
        g = grid.grid_for(kit.geometry(commune.perimeter))
    assert places
    for number, place in enumerate(places, start=1):  # the legend gives each place its cell
        assert f"{number}. {place.name} {grid.cell_of(g, place.lon, place.lat)}" in map_page
    assert "Feuille d’émargement" in sheet and "émargement" in sheet.lower()
    assert TITLE in sheet and "Saint-Étienne-du-Valdonnez" in sheet
    assert "Nom et prénom" in sheet and "Signature" in sheet and "E-mail (facultatif)" in sheet
    assert "la conserve le temps de la démarche" in sheet and "effacement" in sheet
    assert "testserver.local/confidentialite" in sheet
    assert re.search(r"\b18\b", sheet) and not re.search(r"\b19\b", sheet)  # 18 numbered rows


@pytest.mark.parametrize("page_index", [0, 1])
def test_the_qr_code_decodes_to_the_online_form(client, workshop_id, page_index):
    pdf = fetch_kit(client, workshop_id).content
    assert qr_codes(pdf, page_index) == [FORM_URL]
    assert "testserver.local/communes/saint-etienne-du-valdonnez/contribuer" in pages_text(pdf)[page_index].replace(" ", "")


def test_the_paper_form_has_the_fields_of_the_online_form(client, workshop_id):
    online = parse(get(client, f"/communes/{MAIN}/contribuer").text)
    form = online.find("form", id="contribution-form")
    labels = {label.get("for"): squeeze(label.text()) for label in form.find_all("label")}
    kinds = [text for key, text in labels.items() if (key or "").startswith("kind-")]
    themes = [option.text() for option in form.find("select", name="category").find_all("option") if option.get("value")]
    legends = [squeeze(legend.text()) for legend in form.find_all("legend")]
    assert kinds == ["Atout", "Point faible", "Idée"] and len(themes) >= 5
    assert legends == ["De quoi s’agit-il ?", "Où ?", "Qui êtes-vous ? (facultatif)"]
    fields = [labels[key] for key in ("category", "title", "body", "author_name", "author_email", "wants_news")]
    assert fields[1] == "Titre (obligatoire, 120 caractères au plus)"
    paper = pages_text(fetch_kit(client, workshop_id).content)[1]
    for label in [*kinds, *themes, *legends, *fields, labels["where-none"]]:
        assert label in paper, label
    consent = labels["consent"].removesuffix(".")
    assert consent.endswith("comme l’explique la notice sur les données personnelles")
    assert consent in paper
    assert "Case de la grille de la carte :" in paper
    assert "ou en ligne : testserver.local/communes/" in paper


def test_printing_twice_renders_once_and_an_edit_renders_again(client, db, workshop_id, monkeypatch):
    builds = []
    original = kit.build_kit
    monkeypatch.setattr(kit, "build_kit", lambda *args: builds.append(1) or original(*args))
    first = fetch_kit(client, workshop_id).content
    assert fetch_kit(client, workshop_id, "admin").content == first
    assert len(builds) == 1
    with db.transaction() as session:
        session.execute(update(Workshop).where(Workshop.id == workshop_id)
                        .values(title="Atelier cartographique", version=Workshop.version + 1))
    again = fetch_kit(client, workshop_id).content
    assert len(builds) == 2
    assert "Atelier cartographique" in pages_text(again)[0]


# --- What the commune wrote is text, never markup ------------------------------------------

HOSTILE = "<script>alert(1)</script> & Cie"


def test_the_html_given_to_weasyprint_escapes_what_the_commune_wrote():
    data = kit.KitData(
        commune_name="Saint-<b>Test</b>", commune_slug="saint-test", boundary_source="<i>source</i>",
        boundary=box(3.55, 44.44, 3.60, 44.48), perimeter=box(3.57, 44.45, 3.58, 44.46),
        places=[('<img src="x" onerror="alert(2)">', 3.575, 44.455)], categories={"a": "Thème <u>souligné</u>"},
        title=HOSTILE, kind="walk", when="samedi 13 mars 2027", where="Salle <em>des fêtes</em>",
    )
    html = kit.kit_html(template_environment(), kit.kit_context(data, BASE_URL))
    for raw in ("<script>", "<b>Test</b>", "<img", "<i>source", "<u>", "<em>des"):
        assert raw not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Cie" in html
    assert "&lt;img src=&#34;x&#34; onerror=&#34;alert(2)&#34;&gt;" in html
    assert html.count("<svg") == 3  # the map and two QR codes: markup of ours only


def test_a_hostile_title_prints_as_text(client, db):
    workshop_id = add_workshop(db, title=HOSTILE)
    map_page, _, sheet = pages_text(fetch_kit(client, workshop_id).content)
    assert HOSTILE in map_page and HOSTILE in sheet


# --- When the kit cannot be made -----------------------------------------------------------

def test_without_weasyprint_the_server_says_so_in_french(client, workshop_id, monkeypatch):
    monkeypatch.setattr(kit, "WEASYPRINT", "weasyprint_absent_from_this_server")
    sign_in_as(client, PERSONAS["facilitator"])
    response = get(client, url(workshop_id))
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("text/html")
    text = text_of(response.text)
    assert "Le kit d’atelier ne peut pas être produit sur ce serveur" in text
    assert "ModuleNotFoundError" in text and "libpango-1.0-0" in text


def test_without_pango_the_server_says_so_in_french(client, workshop_id, monkeypatch, tmp_path):
    # What importing WeasyPrint raises when Pango is missing: OSError from its library loader.
    (tmp_path / "weasyprint_without_pango.py").write_text(
        "raise OSError(\"cannot load library 'libpango-1.0-0': libpango-1.0-0: cannot open shared object file\")\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(kit, "WEASYPRINT", "weasyprint_without_pango")
    sign_in_as(client, PERSONAS["facilitator"])
    response = get(client, url(workshop_id))
    assert response.status_code == 503
    text = text_of(response.text)
    assert "ne peut pas être produit sur ce serveur" in text and "cannot load library 'libpango-1.0-0'" in text


def test_a_commune_without_geometry_gets_a_french_answer(client, db, workshop_id):
    with db.transaction() as session:
        session.execute(update(Commune).where(Commune.slug == MAIN).values(boundary=None, perimeter=None))
    sign_in_as(client, PERSONAS["facilitator"])
    response = get(client, url(workshop_id))
    assert response.status_code == 409
    assert "la commune n’a ni limites communales ni périmètre d’étude" in text_of(response.text)


# --- The map's drawing (pure) --------------------------------------------------------------

def test_the_map_draws_the_boundary_and_marks_places_off_the_map():
    boundary = Point(3.575, 44.455).buffer(0.004)  # the boundary crosses the grid's box
    perimeter = box(3.572, 44.452, 3.578, 44.458)
    drawing = kitmap.draw(boundary, perimeter, [("Dedans", 3.575, 44.455), ("Loin", 3.70, 44.60)])
    assert [(p.number, p.name, p.cell) for p in drawing.places] == [
        (1, "Dedans", grid.cell_of(drawing.grid, 3.575, 44.455)), (2, "Loin", None)]
    assert drawing.places[0].cell is not None
    assert drawing.outside and drawing.boundary and drawing.perimeter.count("Z") == 1
    assert drawing.frame_height == pytest.approx(drawing.frame_width * 6 / 8)
    assert [letter for letter, _ in drawing.columns] == list("ABCDEFGH")
    assert 0 < drawing.scale_length <= kitmap.SCALE_MAX
    assert kitmap.distance_fr(2500) == "2,5 km" and kitmap.distance_fr(1000) == "1 km"
    assert kitmap.distance_fr(89.4) == "89 m"


def test_the_sign_in_sheet_names_the_registered_then_leaves_blank_rows(client, db, workshop_id):
    from revital.workshops.models import Registration

    with db.transaction() as session:
        session.add_all([
            Registration(workshop_id=workshop_id, name="Zoé Martin", email="zoe@exemple.fr", people=1),
            Registration(workshop_id=workshop_id, name="Élodie Fabre", email="e@exemple.fr", people=1),
            Registration(workshop_id=workshop_id, name="Odette <b>Rouvière</b>", email="o@exemple.fr", people=3),
            Registration(workshop_id=workshop_id, name="Jean Attente", email="j@exemple.fr", status="waiting"),
            Registration(workshop_id=workshop_id, name="Paul Parti", email="p@exemple.fr", status="cancelled"),
        ])
    sheet = squeeze(pages_text(fetch_kit(client, workshop_id).content)[2])
    # By name as a French list orders them (É among the E), then the blank rows.
    assert "1 Élodie Fabre 2 Odette <b>Rouvière</b> (et 2 personnes) 3 Zoé Martin 4" in sheet
    assert "Jean Attente" not in sheet and "Paul Parti" not in sheet  # only those who have a place
    assert "nommées d’avance" in sheet
    assert re.search(r"\b18\b", sheet) and not re.search(r"\b19\b", sheet)  # still 18 rows in all
    # A new registration prints the next time: the kit is not served from its cache.
    with db.transaction() as session:
        session.add(Registration(workshop_id=workshop_id, name="Arthur Nouveau", email="a@exemple.fr"))
    assert "1 Arthur Nouveau 2 Élodie Fabre 3 Odette <b>Rouvière</b>" in squeeze(pages_text(fetch_kit(client, workshop_id).content)[2])


def test_many_registered_still_leave_blank_rows(db, workshop_id):
    names = tuple((f"Personne {n:02d}", 1) for n in range(1, 21))
    data = kit.KitData(
        commune_name="Saint-Test", commune_slug="saint-test", boundary_source="", boundary=box(3.55, 44.44, 3.60, 44.48),
        perimeter=box(3.57, 44.45, 3.58, 44.46), places=[], categories={}, title="Atelier", kind="walk",
        when="samedi 13 mars 2027", where="Salle", registered=names,
    )
    context = kit.kit_context(data, BASE_URL)
    assert list(context["rows"]) == list(range(21, 21 + kit.BLANK_ROWS))
    html = kit.kit_html(template_environment(), context)
    assert html.count("<tr><td class=\"n\">") == 20 + kit.BLANK_ROWS
