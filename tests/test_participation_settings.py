"""The participation settings of a commune: its themes renamed, retired or added, through the form
as a browser without JavaScript sends it, and what every display of a contribution shows afterwards."""

import csv
import io
import json

from sqlalchemy import select

from revital.communes.models import Commune
from revital.contributions.models import Contribution
from tests.conftest import MAIN, PERSONAS, csrf_token, get, post, sign_in_as, text_of
from tests.dom import form_values, parse

ADMIN = f"/communes/{MAIN}/gestion"
SETTINGS = f"{ADMIN}/participation"
LIST = f"/communes/{MAIN}/contributions"
CSV = f"/api/communes/{MAIN}/contributions.csv"


def stored(db):
    with db.session() as session:
        commune = session.scalar(select(Commune).where(Commune.slug == MAIN))
        return commune.categories, commune.moderation


def settings_form(html: str):
    return parse(html).find("form", action=SETTINGS)


def fields(client, html: str | None = None) -> dict[str, list[str]]:
    """The settings form as the page shows it: what the browser would send untouched."""
    return form_values(settings_form(html if html is not None else get(client, ADMIN).text))


def confirm(values: dict, html: str) -> dict:
    """Tick the confirmation box the page shows."""
    box = settings_form(html).find("input", name="confirm")
    return {**values, "confirm": [box.get("value")]}


def contribution_id(db, title):
    with db.session() as session:
        return session.scalar(select(Contribution.id).where(Contribution.title == title))


def csv_labels(client) -> dict[str, str]:
    rows = list(csv.DictReader(io.StringIO(get(client, CSV).content.decode("utf-8-sig")), delimiter=";"))
    return {row["title"]: (row["category"], row["category_label"]) for row in rows}


def filter_options(html: str) -> dict[str, str]:
    select_ = parse(html).find("select", id="filter-category")
    return {o.get("value"): o.text() for o in select_.find_all("option") if o.get("value")}


def test_the_form_shows_one_row_per_theme(client, db):
    sign_in_as(client, PERSONAS["admin"])
    values = fields(client)
    assert values["themes"][:3] == ["logement", "commerce", "espaces-publics"] and len(values["themes"]) == 10
    assert values["label-commerce"] == ["Commerce et activités"]
    assert "retire" not in values and values["new_themes"] == [""]
    form = settings_form(get(client, ADMIN).text)
    row = form.find("input", id="label-mobilite").parent.parent
    assert row.find_all("td")[1].text() == "2"  # its published contributions


def test_renaming_a_theme_keeps_its_contributions(client, db):
    sign_in_as(client, PERSONAS["admin"])
    before = csv_labels(client)["La boulangerie a fermé"]
    assert before == ("commerce", "Commerce et activités")
    asked = post(client, SETTINGS, {**fields(client), "label-commerce": ["Commerces et services"]})
    assert asked.status_code == 200
    assert "Ce changement touche 1 contribution publiée." in text_of(asked.text)
    saved = post(client, SETTINGS, confirm(fields(client, asked.text), asked.text))
    assert saved.status_code == 303
    assert saved.headers["location"] == f"{ADMIN}?ok=reglages"
    assert json.loads(stored(db)[0])["commerce"] == "Commerces et services"

    listed = get(client, f"{LIST}?category=commerce")
    rows = parse(listed.text).find("ul", class_="contribution-list")
    assert [a.text() for a in rows.find_all("a")] == ["La boulangerie a fermé"]
    assert "Commerces et services" in rows.text()
    assert filter_options(listed.text)["commerce"] == "Commerces et services"
    detail = parse(get(client, f"{LIST}/{contribution_id(db, 'La boulangerie a fermé')}").text)
    assert "Commerces et services" in detail.find("main").text()
    assert csv_labels(client)["La boulangerie a fermé"] == ("commerce", "Commerces et services")
    form = parse(get(client, f"/communes/{MAIN}/contribuer").text)
    assert form.find("option", value="commerce").text() == "Commerces et services"


def test_a_retired_theme_is_no_longer_offered_but_its_contributions_keep_it(client, db):
    sign_in_as(client, PERSONAS["admin"])
    asked = post(client, SETTINGS, {**fields(client), "retire": ["mobilite"]})
    assert asked.status_code == 200
    assert "« Mobilité et stationnement » n’est plus proposé : 2 contributions publiées le gardent" in text_of(asked.text)
    assert post(client, SETTINGS, confirm(fields(client, asked.text), asked.text)).status_code == 303
    assert json.loads(stored(db)[0])["mobilite"] == {"label": "Mobilité et stationnement", "retired": True}

    for form_url in (f"/communes/{MAIN}/contribuer", f"{ADMIN}/saisie"):
        offered = parse(get(client, form_url).text).find("select", id="category")
        assert "mobilite" not in [o.get("value") for o in offered.find_all("option")], form_url
    refused = post(client, f"{ADMIN}/saisie", {"token": fields_token(client), "kind": "weakness", "category": "mobilite",
                                               "title": "Trottoirs trop étroits", "where": "none"})
    assert refused.status_code == 422 and "Choisissez un thème dans la liste." in text_of(refused.text)

    listed = parse(get(client, f"{LIST}?category=mobilite").text)
    rows = listed.find("ul", class_="contribution-list")
    assert [a.text() for a in rows.find_all("a")] == ["Un parking à l’entrée du bourg", "La traversée du bourg est dangereuse"]
    assert "Mobilité et stationnement" in rows.text()
    group = listed.find("optgroup")
    assert group.get("label") == "Thèmes qui ne sont plus proposés"
    assert [o.get("value") for o in group.find_all("option")] == ["mobilite"]
    detail = get(client, f"{LIST}/{contribution_id(db, 'La traversée du bourg est dangereuse')}")
    assert "Mobilité et stationnement" in parse(detail.text).find("main").text()
    assert csv_labels(client)["La traversée du bourg est dangereuse"] == ("mobilite", "Mobilité et stationnement")

    # proposed again: nothing published is touched, so no confirmation is asked
    values = fields(client)
    assert values["retire"] == ["mobilite"]
    assert post(client, SETTINGS, {**values, "retire": []}).status_code == 303
    assert stored(db)[0] is None  # the default list again, as stored before


def fields_token(client) -> str:
    return parse(get(client, f"{ADMIN}/saisie").text).find("input", name="token").get("value")


def test_nothing_is_saved_until_confirmed(client, db):
    sign_in_as(client, PERSONAS["admin"])
    before = stored(db)
    values = {**fields(client), "label-commerce": ["Commerces"], "retire": ["mobilite"], "moderation": ["a_posteriori"]}
    asked = post(client, SETTINGS, values)
    assert asked.status_code == 200
    page = parse(asked.text)
    warning = page.find(id="themes-confirmation")
    assert warning.get("role") == "alert"
    assert "Ces changements touchent 3 contributions publiées." in warning.text()
    assert [li.text() for li in warning.find_all("li")] == [
        "« Commerce et activités » devient « Commerces » : 1 contribution publiée affichera le nouveau nom.",
        "« Mobilité et stationnement » n’est plus proposé : 2 contributions publiées le gardent, "
        "les nouvelles ne pourront plus le choisir.",
    ]
    again = fields(client, asked.text)  # what was typed is kept, the box is not ticked
    assert again["label-commerce"] == ["Commerces"] and again["retire"] == ["mobilite"]
    assert again["moderation"] == ["a_posteriori"] and "confirm" not in again
    assert stored(db) == before
    assert post(client, SETTINGS, again).status_code == 200  # sent again without the box: asked again
    assert stored(db) == before


def test_a_confirmation_given_for_other_changes_asks_again(client, db):
    sign_in_as(client, PERSONAS["admin"])
    before = stored(db)
    asked = post(client, SETTINGS, {**fields(client), "label-commerce": ["Commerces"]})
    confirmed = confirm(fields(client, asked.text), asked.text)
    changed_meanwhile = {**confirmed, "label-commerce": ["Commerce local"]}
    response = post(client, SETTINGS, changed_meanwhile)
    assert response.status_code == 200
    assert "« Commerce et activités » devient « Commerce local »" in text_of(response.text)
    assert stored(db) == before


def test_changes_no_published_contribution_shows_are_saved_at_once(client, db):
    sign_in_as(client, PERSONAS["admin"])
    values = {**fields(client), "label-foncier": ["Friches et foncier"], "new_themes": ["Fêtes et marchés\nLogement des jeunes"]}
    response = post(client, SETTINGS, values)
    assert response.status_code == 303
    themes = json.loads(stored(db)[0])
    assert themes["foncier"] == "Friches et foncier"
    assert list(themes)[-2:] == ["fetes-et-marches", "logement-des-jeunes"]
    offered = parse(get(client, f"/communes/{MAIN}/contribuer").text).find("select", id="category")
    assert offered.find("option", value="fetes-et-marches").text() == "Fêtes et marchés"


def test_errors_are_french_and_keep_what_was_typed(client, db):
    sign_in_as(client, PERSONAS["admin"])
    before = stored(db)
    response = post(client, SETTINGS, {**fields(client), "label-commerce": [""], "label-nature": ["Logement"],
                                       "new_themes": ["Atelier\natelier"]})
    assert response.status_code == 422
    page = parse(response.text)
    assert page.find(id="label-commerce-error").text() == "Donnez un nom à ce thème ; pour ne plus le proposer, cochez « retirer »."
    assert page.find(id="label-nature-error").text() == "« Logement » : un autre thème porte déjà ce nom."
    assert page.find(id="new_themes-error").text() == "Le thème « atelier » apparaît deux fois."
    assert page.find("input", id="label-nature").get("aria-invalid") == "true"
    assert page.find("input", id="label-nature").get("value") == "Logement"
    assert page.find("textarea", id="new_themes").text() == "Atelier atelier"
    assert stored(db) == before


def test_a_label_with_unreadable_bytes_is_refused(client, db):
    sign_in_as(client, PERSONAS["admin"])
    before = stored(db)
    body = (f"_csrf_token={csrf_token(client)}&moderation=a_priori&themes=commerce&label-commerce=Caf%E9".encode())
    response = client.post(SETTINGS, content=body, headers={"content-type": "application/x-www-form-urlencoded"},
                           follow_redirects=False)
    assert response.status_code == 422
    assert "n’ont pas pu être lus" in parse(response.text).find(id="label-commerce-error").text()
    assert stored(db) == before


def test_the_first_stored_format_keeps_working_and_lost_codes_come_back(client, db):
    """A commune saved before codes were kept: {code: label}, and contributions whose code the
    list has lost (their theme was renamed then)."""
    with db.transaction() as session:
        commune = session.scalar(select(Commune).where(Commune.slug == MAIN))
        commune.categories = json.dumps({"commerce": "Commerce", "fetes-et-marches": "Fêtes et marchés"})
    sign_in_as(client, PERSONAS["admin"])
    detail = get(client, f"{LIST}/{contribution_id(db, 'La boulangerie a fermé')}")
    assert "Commerce" in parse(detail.text).find("main").text()
    values = fields(client)
    assert values["themes"][:2] == ["commerce", "fetes-et-marches"]
    assert "mobilite" in values["themes"] and "mobilite" in values["retire"]  # lost, shown as retired
    assert values["label-mobilite"] == ["Mobilité et stationnement"]
    response = post(client, SETTINGS, values)
    assert response.status_code == 303
    themes = json.loads(stored(db)[0])
    assert themes["commerce"] == "Commerce" and themes["mobilite"] == {"label": "Mobilité et stationnement", "retired": True}
    assert filter_options(get(client, LIST).text)["mobilite"] == "Mobilité et stationnement"


def test_facilitator_does_not_see_the_settings(client, db):
    sign_in_as(client, PERSONAS["facilitator"])
    assert settings_form(get(client, ADMIN).text) is None
    assert post(client, SETTINGS, {"moderation": "a_posteriori"}).status_code == 403
