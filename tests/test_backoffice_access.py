"""No dead ends: per persona, the back-office links a page shows (the commune's menu, the account
page) are exactly those that open, and a refused page says whom to ask."""

import pytest
from sqlalchemy import select

from revital import backoffice
from revital.contributions.models import Contribution
from revital.demo import DEMO_SLUG
from tests.conftest import MAIN, OTHER, PERSONAS, get, post, sign_in_as
from tests.dom import parse

SIGNED_IN = ["resident", "student", "facilitator", "partner", "admin", "other_admin", "coordinator"]
THIRD = "mont-lozere-et-goulet"
COMMUNES = [MAIN, OTHER, THIRD, "chateauneuf-de-randon"]
TAB_SUFFIXES = ["", "/groupe-local", "/perimetre", "/lieux", "/ateliers", "/etudiants", "/moderation", "/diagnostic",
                "/pistes", "/priorites", "/saisie", "/equipe", "/journal", "/fiches", "/feuille-de-route"]
TERRITORY = f"/territoires/{DEMO_SLUG}/gestion/communes"
DASHBOARD = f"/territoires/{DEMO_SLUG}/gestion"
PARTNERS = f"/territoires/{DEMO_SLUG}/gestion/partenaires"
ALL = {f"/communes/{MAIN}/gestion{suffix}" for suffix in TAB_SUFFIXES}
# The student weeks are the commune's and the coordinator's to organise.
FACILITATOR = ALL - {f"/communes/{MAIN}/gestion/perimetre", f"/communes/{MAIN}/gestion/equipe",
                     f"/communes/{MAIN}/gestion/etudiants", f"/communes/{MAIN}/gestion/feuille-de-route"}
# The journal is the commune's own voice: written by the commune and its facilitators only.
COORDINATOR = ALL - {f"/communes/{MAIN}/gestion/journal"}

# The back-office pages of the main commune each persona may open.
OPENS = {"resident": set(), "student": set(), "partner": set(), "other_admin": set(),
         "facilitator": FACILITATOR, "admin": ALL, "coordinator": COORDINATOR}


def tab_urls(slug: str) -> list[str]:
    return [f"/communes/{slug}/gestion{suffix}" for suffix in TAB_SUFFIXES]


def menu(html: str) -> set[str]:
    """The back-office links of a page's commune menu (the public page's link aside)."""
    nav = parse(html).find("nav", aria_label="Gestion de la commune")
    return {href for href in nav.hrefs() if "/gestion" in href}


def back_office_links(html: str) -> set[str]:
    main = parse(html).find("main")
    return {href for href in main.hrefs() if "/gestion" in href}


@pytest.mark.parametrize("persona", SIGNED_IN)
def test_the_menu_shows_exactly_the_pages_that_open(as_persona, persona):
    client = as_persona(persona)
    statuses = {url: get(client, url).status_code for url in tab_urls(MAIN)}
    assert {url for url, status in statuses.items() if status == 200} == OPENS[persona]
    assert {status for url, status in statuses.items() if url not in OPENS[persona]} <= {403}
    for url in OPENS[persona]:
        assert menu(get(client, url).text) == OPENS[persona], url


@pytest.mark.parametrize("persona", SIGNED_IN)
def test_the_account_page_shows_exactly_the_ways_in_that_open(as_persona, persona):
    client = as_persona(persona)
    response = get(client, "/compte")
    assert response.status_code == 200
    shown = back_office_links(response.text)
    for url in shown:
        assert get(client, url).status_code == 200, url
    # every commune's back office and moderation queue the person may open is offered, and only those
    for slug in COMMUNES:
        for url in (f"/communes/{slug}/gestion", f"/communes/{slug}/gestion/moderation"):
            assert (url in shown) == (get(client, url).status_code == 200), url
    assert (TERRITORY in shown) == (get(client, TERRITORY).status_code == 200)
    assert (DASHBOARD in shown) == (get(client, DASHBOARD).status_code == 200)
    assert (PARTNERS in shown) == (get(client, PARTNERS).status_code == 200)
    territory_tabs = {tab.url(backoffice.territory_base(DEMO_SLUG)) for tab in backoffice.TERRITORY_TABS}
    assert shown <= territory_tabs | {f"/territoires/{DEMO_SLUG}"} | {url for slug in COMMUNES for url in tab_urls(slug)}


def test_the_coordinator_lands_on_the_territory_and_every_commune(client):
    sign_in_as(client, PERSONAS["coordinator"])
    page = parse(get(client, "/compte").text)
    section = page.find("section", aria_labelledby="acces")
    assert [h.text() for h in section.find_all("h3")] == ["Mes territoires", "Mes communes"]
    territory, communes = section.find_all("ul")
    assert [(a.text(), a.get("href")) for a in territory.find_all("a")] == [
        ("Pays des Sources (démonstration)", f"/territoires/{DEMO_SLUG}"), ("tableau de bord", DASHBOARD),
        ("communes du territoire", TERRITORY), ("appels à candidatures", f"/territoires/{DEMO_SLUG}/gestion/appels"),
        ("partenaires", PARTNERS)]
    items = [li.text() for li in communes.find_all("li")]
    assert items == [
        "Châteauneuf-de-Randon : gestion de la commune , modération (aucune contribution en attente)",
        "Grandrieu : gestion de la commune , modération (1 contribution en attente)",
        "Mont Lozère et Goulet : gestion de la commune , modération (1 contribution en attente)",
        "Saint-Étienne-du-Valdonnez : gestion de la commune , modération (2 contributions en attente)",
    ]


def test_the_pending_count_follows_the_queue(client, db):
    sign_in_as(client, PERSONAS["facilitator"])
    link = f"/communes/{MAIN}/gestion/moderation"

    def moderation_text():
        return parse(get(client, "/compte").text).find("a", href=link).text()

    assert moderation_text() == "modération (2 contributions en attente)"
    with db.session() as session:
        pending = session.scalars(select(Contribution.id).where(Contribution.status == "pending",
                                                                Contribution.title.in_(["Un marché de producteurs le samedi",
                                                                                        "La fête du village en août"]))).all()
    assert post(client, f"{link}/{pending[0]}/publish", {"statut": "pending"}).status_code == 303
    assert moderation_text() == "modération (1 contribution en attente)"
    assert post(client, f"{link}/{pending[1]}/publish", {"statut": "pending"}).status_code == 303
    assert moderation_text() == "modération (aucune contribution en attente)"


@pytest.mark.parametrize("persona", ["resident", "student"])
def test_residents_and_students_get_their_commune_and_whom_to_ask(as_persona, persona):
    page = parse(get(as_persona(persona), "/compte").text)
    section = page.find("section", aria_labelledby="acces")
    assert section.hrefs() == [f"/communes/{MAIN}"]
    assert "demandez-le à la commune ou à la coordination du territoire" in section.text()


@pytest.mark.parametrize("persona, url, message", [
    ("facilitator", f"/communes/{MAIN}/gestion/perimetre",
     "Votre compte n’a pas accès à cette page : elle est réservée à la commune et à la coordination du territoire. "
     "Demandez l’accès à la commune ou à la coordination du territoire."),
    ("resident", f"/communes/{MAIN}/gestion/moderation",
     "Votre compte n’a pas accès à cette page : elle est réservée à la commune, à l’animation du groupe local et à la "
     "coordination du territoire. Demandez l’accès à la commune ou à la coordination du territoire."),
    ("admin", TERRITORY,
     "Votre compte n’a pas accès à cette page : elle est réservée à la coordination du territoire. Ce rôle est "
     "attribué par l’équipe qui administre Revital : demandez-lui l’accès."),
])
def test_a_refused_page_says_whom_to_ask(as_persona, persona, url, message):
    response = get(as_persona(persona), url)
    assert response.status_code == 403
    page = parse(response.text)
    assert page.find("p", class_="lead").text() == message
    assert page.find("main").find("a", href="/compte").text() == "Voir ce que votre compte permet d’ouvrir"
