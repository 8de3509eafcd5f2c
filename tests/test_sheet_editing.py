"""The back office of action sheets (revital.sheets.manage, revital.sheets.editing): the list, a new
sheet (blank or from a retained idea), each section saved, bad input, conflicts, read-only sheets."""

import json

import pytest
from sqlalchemy import select

from revital.communes.models import Commune, CommunePartner, Organisation
from revital.geography.models import Place
from revital.ideas.models import RETAINED, Axis, Idea
from revital.lineage import services as lineage
from revital.sheets import rules, snapshot
from revital.sheets.models import ActionSheet, Cost, FundingLine
from tests.conftest import MAIN, OTHER, PERSONAS, get, make_client, post, sign_in_as, text_of
from tests.dom import parse

ADMIN = f"/communes/{MAIN}/gestion/fiches"
PERSONA_NAMES = ["anonymous", "resident", "student", "supervisor", "facilitator", "partner", "admin", "other_admin",
                 "coordinator"]
MANAGERS = {"facilitator", "admin", "coordinator"}


def as_(client, persona):
    client.cookies.delete("revital_session", domain="testserver.local")
    if persona != "anonymous":
        sign_in_as(client, PERSONAS[persona])
    return client


def expected(persona: str) -> int:
    return 303 if persona == "anonymous" else 200 if persona in MANAGERS else 403


def commune_id(db, slug=MAIN) -> int:
    with db.session() as s:
        return s.scalar(select(Commune.id).where(Commune.slug == slug))


def new_sheet(client, title="Halle du marché") -> int:
    response = post(client, ADMIN, {"title": title, "idea": ""})
    assert response.status_code == 303, text_of(response.text)
    return int(response.headers["location"].split("/")[-1].split("?")[0])


def load(db, number: int, slug=MAIN) -> dict:
    with db.session() as s:
        sheet = s.scalar(select(ActionSheet).where(ActionSheet.commune_id == commune_id(db, slug),
                                                   ActionSheet.number == number))
        return snapshot.load(s, sheet)


def fingerprint_of(client, number: int, section: str) -> str:
    page = parse(get(client, f"{ADMIN}/{number}").text)
    form = page.find("section", id=f"section-{section}").find("form")
    return form.find("input", name="fingerprint").attrs["value"]


def save(client, number, section, data, fingerprint=None, **kwargs):
    fp = fingerprint_of(client, number, section) if fingerprint is None else fingerprint
    return post(client, f"{ADMIN}/{number}/sections/{section}", {"fingerprint": fp, **data}, **kwargs)


@pytest.fixture
def facilitator(client, db):
    return as_(client, "facilitator")


# Who may open what.

@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_the_list_and_the_editor_are_for_the_sheet_managers(client, db, persona):
    as_(client, "admin")
    number = new_sheet(client)
    as_(client, persona)
    for url in (ADMIN, f"{ADMIN}/{number}", f"{ADMIN}/{number}/versions", f"{ADMIN}/{number}/versions/comparer"):
        status = expected(persona) if persona != "other_admin" else 403
        assert get(client, url).status_code == status, url
    response = post(client, f"{ADMIN}/{number}/sections/contenu", {"fingerprint": "x", "description": "Hop"})
    assert response.status_code == (303 if persona == "anonymous" else 409 if persona in MANAGERS else 403)
    if persona not in MANAGERS:
        assert load(db, number)["description"] == ""


def test_a_sheet_of_another_commune_is_a_404(client, db):
    as_(client, "coordinator")
    number = new_sheet(client)
    assert get(client, f"/communes/{OTHER}/gestion/fiches/{number + 50}").status_code == 404
    assert get(client, f"{ADMIN}/{number + 50}").status_code == 404
    assert post(client, f"/communes/{OTHER}/gestion/fiches/{number + 50}/sections/contenu", {}).status_code == 404
    assert post(client, f"{ADMIN}/{number}/sections/inconnue", {}).status_code == 404


# Creating.

def test_a_blank_sheet_gets_the_next_number_and_shows_in_the_list(facilitator, db):
    first = new_sheet(facilitator, "Première")
    second = new_sheet(facilitator, "Seconde <script>alert(1)</script>")
    assert second == first + 1
    response = get(facilitator, ADMIN)
    assert response.status_code == 200
    rows = parse(response.text).find("table", id="fiches").text()
    assert "Première" in rows and "Seconde" in rows
    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;" in response.text


def test_a_sheet_without_a_title_or_idea_is_refused(facilitator, db):
    response = post(facilitator, ADMIN, {"title": "  ", "idea": ""})
    assert response.status_code == 422
    assert "Donnez un titre" in text_of(response.text)
    response = post(facilitator, ADMIN, {"title": "", "idea": "999999"})
    assert response.status_code == 422
    assert "piste retenue" in text_of(response.text)


def test_a_sheet_from_a_retained_idea_is_prefilled_and_linked(facilitator, db):
    cid = commune_id(db)
    with db.transaction() as s:
        axis = s.scalar(select(Axis).where(Axis.commune_id == cid))
        idea = Idea(commune_id=cid, title="Une maison de santé", text="Au centre.", status=RETAINED, axis_id=axis.id)
        s.add(idea)
        s.flush()
        idea_id, axis_id = idea.id, axis.id
    page = get(facilitator, ADMIN).text
    assert parse(page).find("input", id=f"idea-{idea_id}") is not None
    response = post(facilitator, ADMIN, {"title": "", "idea": str(idea_id)})
    assert response.status_code == 303
    number = int(response.headers["location"].split("/")[-1].split("?")[0])
    snap = load(db, number)
    assert snap["title"] == "Une maison de santé"
    assert snap["axis"]["id"] == axis_id
    assert snap["description"] == "Au centre."
    assert snap["sources"]["idea"] == [idea_id]
    # Covered now: no longer offered.
    assert parse(get(facilitator, ADMIN).text).find("input", id=f"idea-{idea_id}") is None


# Each section.

def test_identity_saves_title_axis_priority_and_links(facilitator, db):
    number = new_sheet(facilitator)
    cid = commune_id(db)
    with db.session() as s:
        axis_id = s.scalar(select(Axis.id).where(Axis.commune_id == cid))
        other_axis = s.scalar(select(Axis.id).where(Axis.commune_id == commune_id(db, OTHER)))
    response = save(facilitator, number, "identite", {"title": "Halle rénovée", "axis": str(axis_id), "priority": "1",
                                                       "contributions": ""})
    assert response.status_code == 303
    assert response.headers["location"].endswith("#section-identite")
    snap = load(db, number)
    assert (snap["title"], snap["axis"]["id"], snap["priority"]) == ("Halle rénovée", axis_id, 1)
    if other_axis is not None:
        response = save(facilitator, number, "identite", {"title": "Autre", "axis": str(other_axis), "priority": "1"})
        assert response.status_code == 422
        assert "axe stratégique de la commune" in text_of(response.text)
        assert load(db, number)["title"] == "Halle rénovée"


def test_identity_refuses_an_unknown_contribution_number(facilitator, db):
    number = new_sheet(facilitator)
    response = save(facilitator, number, "identite", {"title": "X", "contributions": "abc, 99999999"})
    assert response.status_code == 422
    assert "n’est pas le numéro d’une contribution" in text_of(response.text)
    assert load(db, number)["title"] == "Halle du marché"


def test_content_saves_texts_and_replaces_the_operations(facilitator, db):
    number = new_sheet(facilitator)
    data = {"context": "Une halle fermée.", "objectives": "La rouvrir.", "effects": "", "targets": "", "description": "D",
            "prerequisites": "", "op_kind": ["etude", "travaux", ""], "op_label": ["Diagnostic", "Toiture", ""]}
    assert save(facilitator, number, "contenu", data).status_code == 303
    snap = load(db, number)
    assert snap["context"] == "Une halle fermée."
    assert snap["operations"] == [{"kind": "etude", "label": "Diagnostic"}, {"kind": "travaux", "label": "Toiture"}]
    data.update(op_kind=["animation"], op_label=["Marché d’été"])
    assert save(facilitator, number, "contenu", data).status_code == 303
    assert load(db, number)["operations"] == [{"kind": "animation", "label": "Marché d’été"}]


def test_content_refuses_100000_characters_and_keeps_what_was_typed(facilitator, db):
    number = new_sheet(facilitator)
    long = "mot " * 25_000
    response = save(facilitator, number, "contenu", {"context": long, "description": "Gardée"})
    assert response.status_code == 422
    assert "20 000 caractères au plus" in text_of(response.text)
    textarea = parse(response.text).find("textarea", name="description")
    assert textarea.text() == "Gardée"
    assert load(db, number)["description"] == ""


def commune_point(db):
    with db.session() as s:
        place = s.scalar(select(Place).where(Place.commune_id == commune_id(db)))
        return place.id, place.lon, place.lat


def test_location_takes_a_point_a_line_or_a_place_inside_the_commune(facilitator, db):
    number = new_sheet(facilitator)
    place_id, lon, lat = commune_point(db)
    point = json.dumps({"type": "Point", "coordinates": [lon, lat]})
    assert save(facilitator, number, "localisation", {"geometry": point, "place": ""}).status_code == 303
    assert load(db, number)["geometry"]["type"] == "Point"
    line = json.dumps({"type": "LineString", "coordinates": [[lon, lat], [lon + 0.0005, lat + 0.0005]]})
    assert save(facilitator, number, "localisation", {"geometry": line, "place": ""}).status_code == 303
    assert load(db, number)["geometry"]["type"] == "LineString"
    assert save(facilitator, number, "localisation", {"geometry": "", "place": str(place_id)}).status_code == 303
    snap = load(db, number)
    assert snap["geometry"] is None and snap["place"]


@pytest.mark.parametrize("geometry,words", [
    ('{"type": "Point", "coordinates": [2.35, 48.85]}', "sort des limites de la commune"),
    ('{"type": "Point", "coordinates": [', "GeoJSON"),
    ('{"type": "Polygon", "coordinates": [[[2.3, 48.8], [2.4, 48.8], [2.4, 48.9], [2.3, 48.8]]]}', "dépasse"),
])
def test_location_refuses_what_is_outside_or_unreadable(facilitator, db, geometry, words):
    number = new_sheet(facilitator)
    response = save(facilitator, number, "localisation", {"geometry": geometry, "place": ""})
    assert response.status_code == 422
    page = parse(response.text)
    error = page.find("p", id="geometry-error")
    assert error is not None, text_of(response.text)[:2000]
    assert words.lower() in error.text().lower() or words in text_of(response.text)
    assert page.find("textarea", name="geometry").text() == geometry
    assert load(db, number)["geometry"] is None


def test_people_save_pilot_referents_and_partners(facilitator, db):
    number = new_sheet(facilitator)
    cid = commune_id(db)
    with db.session() as s:
        org_id = s.scalar(select(CommunePartner.organisation_id).where(CommunePartner.commune_id == cid))
        stranger = s.scalar(select(Organisation.id).where(Organisation.id.not_in(
            select(CommunePartner.organisation_id).where(CommunePartner.commune_id == cid))))
    data = {"pilot": "Commune", "elected_referent": "Mme Martin", "elected_referent_role": "Adjointe",
            "technical_referent": "", "technical_referent_role": "", "partners": [str(org_id)] if org_id else []}
    assert save(facilitator, number, "personnes", data).status_code == 303
    snap = load(db, number)
    assert snap["pilot"] == "Commune" and snap["elected_referent"] == "Mme Martin"
    if org_id:
        assert [p["id"] for p in snap["partners"]] == [org_id]
    if stranger:
        response = save(facilitator, number, "personnes", {**data, "partners": [str(stranger)]})
        assert response.status_code == 422


def test_funding_saves_costs_and_lines_in_cents_with_share_and_warning(facilitator, db):
    number = new_sheet(facilitator)
    data = {"cost_year": ["2027", "2028"], "cost_investment": ["12 500,50", "1000"], "cost_operating": ["", "500"],
            "fund_funder": ["", ""], "fund_name": ["Région", "État"], "fund_scheme": ["", "DETR"],
            "fund_amount": ["10 000", "5 000"], "fund_year": ["2027", ""], "fund_status": ["granted", "requested"]}
    response = save(facilitator, number, "financement", data)
    assert response.status_code == 303
    snap = load(db, number)
    assert [c["investment_cents"] for c in snap["costs"]] == [1_250_050, 100_000]
    assert rules.cost_cents(snap) == 1_400_050
    assert [f["amount_cents"] for f in snap["funding"]] == [1_000_000, 500_000]
    page = get(facilitator, f"{ADMIN}/{number}").text
    assert parse(page).find("p", id="financement-alerte") is not None  # 15 000 € over 14 000,50 €
    assert "dépasse le coût estimé" in text_of(page)


@pytest.mark.parametrize("field,value,words", [
    ("cost_investment", "abc", "n’est pas un montant"),
    ("cost_investment", "-5", "négatif"),
    ("cost_year", "20x7", "n’est pas une année"),
])
def test_funding_bad_amounts_are_refused_next_to_the_field(facilitator, db, field, value, words):
    number = new_sheet(facilitator)
    data = {"cost_year": ["2027"], "cost_investment": ["100"], "cost_operating": [""], field: [value]}
    response = save(facilitator, number, "financement", data)
    assert response.status_code == 422
    error = parse(response.text).find("p", id=f"{field}-0-error")
    assert error is not None and words in error.text()
    assert parse(response.text).find("input", id=f"{field}-0").attrs["value"] == value
    assert load(db, number)["costs"] == []


def test_partner_proposals_stay_apart_until_integrated_or_set_aside(facilitator, db):
    number = new_sheet(facilitator)
    with db.transaction() as s:
        sheet = s.scalar(select(ActionSheet).where(ActionSheet.commune_id == commune_id(db), ActionSheet.number == number))
        s.add_all([FundingLine(commune_id=sheet.commune_id, sheet_id=sheet.id, funder="Banque des Territoires",
                               amount_cents=300_000, accepted=False),
                   FundingLine(commune_id=sheet.commune_id, sheet_id=sheet.id, funder="CAUE", amount_cents=1_000,
                               accepted=False)])
    with db.session() as s:
        first, second = s.scalars(select(FundingLine.id).order_by(FundingLine.id)).all()[-2:]
    page = parse(get(facilitator, f"{ADMIN}/{number}").text)
    assert "Banque des Territoires" in page.find("div", id="propositions").text()
    # Saving the plan keeps the proposals.
    assert save(facilitator, number, "financement", {"fund_name": ["Région"], "fund_amount": ["1 000"]}).status_code == 303
    assert post(facilitator, f"{ADMIN}/{number}/financement/propositions/{first}/integrer").status_code == 303
    assert post(facilitator, f"{ADMIN}/{number}/financement/propositions/{second}/ecarter").status_code == 303
    funders = [f["funder"] for f in load(db, number)["funding"]]
    assert funders == ["Région", "Banque des Territoires"]
    with db.session() as s:
        assert s.get(FundingLine, second) is None
    assert post(facilitator, f"{ADMIN}/{number}/financement/propositions/{second}/ecarter").status_code == 409


def test_schedule_saves_quarters_and_milestones_and_refuses_an_end_before_the_start(facilitator, db):
    number = new_sheet(facilitator)
    data = {"start": "2027-T2", "end": "2028-T1", "ms_label": ["Consultation", ""], "ms_on": ["15/03/2027", ""],
            "ms_done": ["0"]}
    assert save(facilitator, number, "calendrier", data).status_code == 303
    snap = load(db, number)
    assert snap["start"] == {"year": 2027, "quarter": 2} and snap["end"] == {"year": 2028, "quarter": 1}
    assert snap["milestones"] == [{"label": "Consultation", "on": "2027-03-15", "done": True}]
    response = save(facilitator, number, "calendrier", {"start": "2028-T3", "end": "2027-T1"})
    assert response.status_code == 422
    assert "La fin ne peut pas précéder le début" in parse(response.text).find("p", id="end-error").text()
    assert load(db, number)["start"] == {"year": 2027, "quarter": 2}
    response = save(facilitator, number, "calendrier", {"ms_label": ["Jalon"], "ms_on": ["31/02/2027"]})
    assert response.status_code == 422


def test_indicators_and_related_sheets(facilitator, db):
    number = new_sheet(facilitator)
    other = new_sheet(facilitator, "Une autre")
    data = {"ind_name": ["Commerces ouverts", ""], "ind_unit": ["nombre", ""], "ind_baseline": ["3", ""],
            "ind_target": ["6", ""], "ind_source": ["Mairie", ""]}
    assert save(facilitator, number, "indicateurs", data).status_code == 303
    assert load(db, number)["indicators"][0]["target"] == "6"
    response = save(facilitator, number, "indicateurs", {"ind_name": [""], "ind_unit": ["m²"]})
    assert response.status_code == 422
    assert save(facilitator, number, "liens", {"related": [str(other)]}).status_code == 303
    assert load(db, number)["related"] == [{"number": other, "title": "Une autre"}]
    assert save(facilitator, number, "liens", {"related": [str(number)]}).status_code == 422


# htmx: the section alone.

def test_with_htmx_the_section_comes_back_alone(facilitator, db):
    number = new_sheet(facilitator)
    headers = {"HX-Request": "true"}
    response = save(facilitator, number, "contenu", {"description": "Par htmx"}, headers=headers)
    assert response.status_code == 200
    page = parse(response.text)
    assert page.find("section", id="section-contenu") is not None
    assert page.find("h1") is None
    assert "La section est enregistrée." in text_of(response.text)
    assert load(db, number)["description"] == "Par htmx"
    response = save(facilitator, number, "calendrier", {"start": "2029-T1", "end": "2028-T1"}, headers=headers)
    assert response.status_code == 422
    assert parse(response.text).find("section", id="section-calendrier") is not None


# Conflicts.

def test_the_second_save_of_a_section_gets_the_conflict_view_and_the_first_stays(facilitator, settings, db):
    number = new_sheet(facilitator)
    with make_client(settings) as other:
        sign_in_as(other, PERSONAS["admin"])
        alice = fingerprint_of(facilitator, number, "contenu")  # both load the same form
        bob = fingerprint_of(other, number, "contenu")
        assert alice == bob
        assert save(facilitator, number, "contenu", {"description": "La version d’Alice"}, alice).status_code == 303
        response = save(other, number, "contenu", {"description": "La version de Bob"}, bob)
    drawn = bob
    assert response.status_code == 409
    page = parse(response.text)
    section = page.find("section", id="section-contenu")
    assert "Quelqu’un a enregistré cette section pendant que vous la modifiiez" in section.text()
    assert "La version d’Alice" in section.text()
    assert section.find("textarea", name="description").text() == "La version de Bob"
    assert load(db, number)["description"] == "La version d’Alice"
    # Bob resubmits with the fingerprint of the conflict view: saved.
    fresh = section.find("input", name="fingerprint").attrs["value"]
    assert fresh != drawn
    assert save(facilitator, number, "contenu", {"description": "La version de Bob"}, fresh).status_code == 303
    assert load(db, number)["description"] == "La version de Bob"


def test_another_section_saved_meanwhile_is_no_conflict(facilitator, db):
    number = new_sheet(facilitator)
    drawn = fingerprint_of(facilitator, number, "contenu")
    assert save(facilitator, number, "calendrier", {"start": "2027-T1"}).status_code == 303
    assert save(facilitator, number, "contenu", {"description": "Sans conflit"}, drawn).status_code == 303


@pytest.mark.parametrize("fingerprint", ["", "0" * 16, "x" * 5000])
def test_a_missing_or_odd_fingerprint_is_a_conflict_never_a_500(facilitator, db, fingerprint):
    number = new_sheet(facilitator)
    response = save(facilitator, number, "financement", {"cost_year": ["2027"], "cost_investment": ["5"]}, fingerprint)
    assert response.status_code == 409
    assert load(db, number)["costs"] == []


# Maturity and read-only sheets.

def test_maturity_moves_up_only_when_complete_and_down_always(facilitator, db):
    number = new_sheet(facilitator)
    response = post(facilitator, f"{ADMIN}/{number}/maturite", {"maturity": "fiche_projet"})
    assert response.status_code == 422
    assert "il manque" in text_of(response.text)
    with db.transaction() as s:
        sheet = s.scalar(select(ActionSheet).where(ActionSheet.commune_id == commune_id(db), ActionSheet.number == number))
        sheet.maturity = "fiche_action"
    assert post(facilitator, f"{ADMIN}/{number}/maturite", {"maturity": "idee"}).status_code == 303
    assert load(db, number)["maturity"] == "idee"


def test_a_validated_sheet_is_read_only(facilitator, db):
    number = new_sheet(facilitator)
    with db.transaction() as s:
        sheet = s.scalar(select(ActionSheet).where(ActionSheet.commune_id == commune_id(db), ActionSheet.number == number))
        sheet.status = "validated"
    page = get(facilitator, f"{ADMIN}/{number}")
    assert "Cette fiche est validée" in parse(page.text).find("p", id="lecture-seule").text()
    response = save(facilitator, number, "contenu", {"description": "Changée"})
    assert response.status_code == 422
    assert "Cette fiche est validée" in text_of(response.text)
    assert load(db, number)["description"] == ""


def test_cost_rows_are_written_in_the_commune(facilitator, db):
    number = new_sheet(facilitator)
    assert save(facilitator, number, "financement", {"cost_year": ["2027"], "cost_investment": ["1"]}).status_code == 303
    with db.session() as s:
        assert s.scalar(select(Cost.commune_id).order_by(Cost.id.desc())) == commune_id(db)
    with db.session() as s:  # the lineage of a blank sheet is empty
        sheet_id = s.scalar(select(ActionSheet.id).where(ActionSheet.number == number,
                                                         ActionSheet.commune_id == commune_id(db)))
        assert lineage.sources_of(s, "sheet", [sheet_id]) == {}


JUNK = ["", "abc", "-1", "99999999999999999999", "null", "[[[", "=SUM(A1)", "T9 2027", "2027-T0", "31/02/2027",
        '{"type":"Polygon","coordinates":[[[0,0],[1,1],[0,0]]]}', "<script>x</script>", "\ufffd"]
FIELDS = ["title", "axis", "priority", "ideas", "stakes", "contributions", "description", "op_kind", "op_label",
          "geometry", "place", "place_name", "pilot", "partners", "cost_year", "cost_investment", "cost_operating",
          "fund_funder", "fund_name", "fund_amount", "fund_year", "fund_status", "start", "end", "ms_label", "ms_on",
          "ms_done", "ind_name", "ind_unit", "related"]


@pytest.mark.parametrize("section", rules.SECTION_KEYS)
def test_junk_in_every_field_of_every_section_is_a_french_answer_never_a_500(facilitator, db, section):
    number = new_sheet(facilitator)
    for i, junk in enumerate(JUNK):
        data = {name: [junk, JUNK[(i + k) % len(JUNK)]] for k, name in enumerate(FIELDS)}
        response = save(facilitator, number, section, data)
        assert response.status_code < 500, (junk, response.text[:500])
        assert "Traceback" not in response.text


def test_with_htmx_the_funding_section_brings_its_proposals_inside_it(facilitator, db):
    number = new_sheet(facilitator)
    with db.transaction() as s:
        sheet = s.scalar(select(ActionSheet).where(ActionSheet.commune_id == commune_id(db), ActionSheet.number == number))
        s.add(FundingLine(commune_id=sheet.commune_id, sheet_id=sheet.id, funder="CAUE", amount_cents=1_000,
                          accepted=False))
    response = save(facilitator, number, "financement", {"fund_name": ["Région"], "fund_amount": ["1 000"]},
                    headers={"HX-Request": "true"})
    assert response.status_code == 200
    section = parse(response.text).find("section", id="section-financement")
    assert section.find("div", id="propositions") is not None  # swapped with it, never beside it


def test_user_text_is_escaped_in_the_editor_and_the_conflict_view(facilitator, db):
    number = new_sheet(facilitator, "<script>alert('titre')</script>")
    drawn = fingerprint_of(facilitator, number, "contenu")
    assert save(facilitator, number, "contenu", {"description": "<img src=x onerror=alert(1)>"}, drawn).status_code == 303
    page = get(facilitator, f"{ADMIN}/{number}").text
    assert "<script>alert('titre')</script>" not in page and "<img src=x" not in page
    conflict = save(facilitator, number, "contenu", {"description": "<b>mien</b>"}, drawn)
    assert conflict.status_code == 409
    assert "<img src=x" not in conflict.text and "<b>mien</b>" not in conflict.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in conflict.text


def test_the_editor_has_unique_ids_and_every_error_link_reaches_its_field(facilitator, db):
    import re
    from collections import Counter

    number = new_sheet(facilitator)
    page = get(facilitator, f"{ADMIN}/{number}").text
    ids = Counter(re.findall(r'\sid="([^"]+)"', page))
    assert [i for i, n in ids.items() if n > 1] == []
    response = save(facilitator, number, "identite", {"title": "", "axis": "999999"})
    assert response.status_code == 422
    summary = parse(response.text).find("div", id="form-errors")
    for href in summary.hrefs():
        assert f'id="{href[1:]}"' in response.text, href
