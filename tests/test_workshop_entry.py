"""The paper entry of a workshop (/communes/{slug}/gestion/ateliers/{id}/saisie), the chooser at the
old address, and the workshop filter of the contributions' list, map feed and workshop page."""

from datetime import timedelta

import pytest
from sqlalchemy import select, text

from revital.communes.models import Commune
from revital.contributions import rules as contribution_rules
from revital.contributions import services as contribution_services
from revital.contributions.models import Contribution
from revital.contributions.services import published_changed
from revital.db import utcnow
from revital.geo import from_geojson
from revital.workshops import grid, rules
from revital.workshops.models import Workshop
from tests.conftest import MAIN, OTHER, PERSONAS, get, post, sign_in_as, text_of
from tests.dom import parse


def make_workshop(db, slug=MAIN, starts_in=timedelta(hours=-3), status=rules.PLANNED, public=True,
                  kind=rules.MAPPING, title="Atelier cartographique du bourg", phase="diagnostic") -> int:
    with db.transaction() as session:
        commune = session.scalar(select(Commune).where(Commune.slug == slug))
        start = utcnow() + starts_in
        workshop = Workshop(commune_id=commune.id, phase=phase, kind=kind, title=title, starts_at=start,
                            ends_at=start + timedelta(hours=2), address="Salle des fêtes", public=public,
                            status=status, minutes="Un compte rendu assez long pour clore." if status == rules.CLOSED else "")
        session.add(workshop)
        session.flush()
        return workshop.id


def add_output(db, workshop_id, title, lon=3.5641, lat=44.4566, slug=MAIN) -> int:
    with db.transaction() as session:
        commune = session.scalar(select(Commune).where(Commune.slug == slug))
        c = Contribution(commune_id=commune.id, kind="idea", category="mobilite", title=title, body="", lon=lon,
                         lat=lat, phase="diagnostic", source="workshop", workshop_id=workshop_id,
                         status="published", submission_token=f"w-{title}"[:60], published_at=utcnow())
        session.add(c)
        published_changed(session, commune.id, +1)
        session.flush()
        return c.id


def entry(workshop_id, slug=MAIN) -> str:
    return f"/communes/{slug}/gestion/ateliers/{workshop_id}/saisie"


def token_of(html: str) -> str:
    return parse(html).find("input", name="token").get("value")


def entry_form(dom):
    """The page's entry form: the one with a sheet's token (the header has a sign-out form)."""
    (found,) = [f for f in dom.find_all("form") if f.find("input", name="token") is not None]
    return found


def expected_centre(db, label):
    with db.session() as session:
        commune = session.scalar(select(Commune).where(Commune.slug == MAIN))
        zone = from_geojson(commune.perimeter or commune.boundary)
    return grid.centre_of(grid.grid_for(zone), label)


def sheet(token, **changes):
    data = {"token": token, "kind": "weakness", "category": "mobilite", "title": "Trottoirs trop étroits",
            "body": "Rue du Pont, on marche sur la route.", "cell": " c4 ", "place": "", "author_name": ""}
    data.update(changes)
    return data


def saved(db, title):
    with db.session() as session:
        return session.scalars(select(Contribution).where(Contribution.title == title)).all()


@pytest.fixture
def held(db):
    return make_workshop(db)


@pytest.mark.parametrize("persona, status", [
    ("anonymous", 303), ("resident", 403), ("student", 403), ("partner", 403), ("other_admin", 403),
    ("facilitator", 200), ("admin", 200), ("coordinator", 200),
])
def test_it_checks_access(as_persona, held, persona, status):
    client = as_persona(persona)
    response = get(client, entry(held))
    assert response.status_code == status
    if status == 303:
        assert response.headers["location"].startswith("/connexion")
    if persona == "resident":
        assert post(client, entry(held), sheet("x")).status_code == 403


def test_it_saves_a_sheet_for_the_workshop_and_comes_back_blank(client, db, held):
    sign_in_as(client, PERSONAS["facilitator"])
    form_page = get(client, entry(held))
    dom = parse(form_page.text)
    assert entry_form(dom).get("action") == entry(held)
    assert dom.find("input", id="kind-asset").get("autofocus") is not None  # the first field
    response = post(client, entry(held), sheet(token_of(form_page.text)))
    assert response.status_code == 303
    (c,) = saved(db, "Trottoirs trop étroits")
    assert (c.workshop_id, c.phase, c.source, c.status) == (held, "diagnostic", contribution_rules.WORKSHOP, "published")
    assert c.published_at is not None
    lon, lat = expected_centre(db, "C4")
    assert c.lon == pytest.approx(lon, abs=1e-6) and c.lat == pytest.approx(lat, abs=1e-6)
    assert response.headers["location"] == f"{entry(held)}?numero={c.id}"
    following = get(client, response.headers["location"])
    assert following.status_code == 200
    assert f"Fiche n° {c.id} enregistrée et publiée : « Trottoirs trop étroits »." in text_of(following.text)
    again = parse(following.text)
    assert again.find("input", id="title").get("value") == ""
    assert again.find("input", id="cell").get("value") == ""
    assert again.find("textarea", id="body").text() == ""
    assert not again.find_all("input", type="radio", checked=True)
    assert again.find("input", id="kind-asset").get("autofocus") is not None
    assert token_of(following.text) != token_of(form_page.text)  # a new sheet, a new token


def test_the_same_sheet_sent_twice_stays_one(client, db, held):
    sign_in_as(client, PERSONAS["admin"])
    data = sheet(token_of(get(client, entry(held)).text))
    assert post(client, entry(held), data).status_code == 303
    assert post(client, entry(held), data).status_code == 303
    assert len(saved(db, "Trottoirs trop étroits")) == 1


def test_a_bad_cell_is_refused_keeping_what_was_typed(client, db, held):
    sign_in_as(client, PERSONAS["facilitator"])
    data = sheet(token_of(get(client, entry(held)).text), cell="Z9")
    response = post(client, entry(held), data)
    assert response.status_code == 422
    assert ("La case « Z9 » n’existe pas sur la grille de la carte : une lettre de A à H puis un chiffre de 1 à 6, "
            "par exemple C4.") in text_of(response.text)
    dom = parse(response.text)
    assert dom.find("input", id="title").get("value") == "Trottoirs trop étroits"
    assert dom.find("textarea", id="body").text() == "Rue du Pont, on marche sur la route."
    assert dom.find("input", id="cell").get("value") == "Z9"
    assert dom.find("input", id="cell").get("aria-invalid") == "true"
    assert dom.find("input", id="kind-weakness").get("checked") is not None
    assert dom.find("input", id="category-mobilite").get("checked") is not None
    assert saved(db, "Trottoirs trop étroits") == []


def test_a_place_of_the_list_or_nowhere(client, db, held):
    sign_in_as(client, PERSONAS["facilitator"])
    with db.session() as session:
        commune = session.scalar(select(Commune).where(Commune.slug == MAIN))
        place_id, (name, lon, lat) = next(iter(contribution_services.place_choices(session, commune.id).items()))
    data = sheet(token_of(get(client, entry(held)).text), cell="", place=str(place_id), title="Au lieu dit")
    assert post(client, entry(held), data).status_code == 303
    (c,) = saved(db, "Au lieu dit")
    assert (c.place_id, c.place_name, c.lon, c.lat) == (place_id, name, lon, lat)
    data = sheet(token_of(get(client, entry(held)).text), cell="", title="Toute la commune")
    assert post(client, entry(held), data).status_code == 303
    (c,) = saved(db, "Toute la commune")
    assert (c.lon, c.place_id, c.workshop_id) == (None, None, held)
    both = sheet(token_of(get(client, entry(held)).text), cell="B2", place=str(place_id), title="Les deux")
    response = post(client, entry(held), both)
    assert response.status_code == 422
    assert contribution_rules.CELL_AND_PLACE in text_of(response.text)


def test_it_checks_the_workshop_is_the_communes(client, db):
    elsewhere = make_workshop(db, slug=OTHER)
    sign_in_as(client, PERSONAS["facilitator"])
    assert get(client, entry(elsewhere)).status_code == 404
    assert post(client, entry(elsewhere), sheet("x")).status_code == 404
    assert get(client, entry(999_999)).status_code == 404
    response = get(client, entry(elsewhere))
    assert "Cette rencontre n’existe pas dans cette commune." in text_of(response.text)


def test_a_cancelled_or_future_workshop_takes_no_sheet(client, db):
    cancelled = make_workshop(db, status=rules.CANCELLED)
    future = make_workshop(db, starts_in=timedelta(days=3))
    sign_in_as(client, PERSONAS["facilitator"])
    for workshop_id, message in ((cancelled, "Cette rencontre est annulée"), (future, "n’a pas encore commencé")):
        response = get(client, entry(workshop_id))
        assert response.status_code == 409
        assert message in text_of(response.text)
        assert post(client, entry(workshop_id), sheet("x", title=f"Refusée {workshop_id}")).status_code == 409
        assert saved(db, f"Refusée {workshop_id}") == []


def test_the_old_address_lists_the_workshops_held_and_keeps_the_free_entry(client, db, held):
    cancelled = make_workshop(db, status=rules.CANCELLED, title="Rencontre annulée")
    future = make_workshop(db, starts_in=timedelta(days=3), title="Rencontre à venir")
    sign_in_as(client, PERSONAS["facilitator"])
    response = get(client, f"/communes/{MAIN}/gestion/saisie")
    assert response.status_code == 200
    links = parse(response.text).hrefs()
    assert entry(held) in links
    assert entry(cancelled) not in links and entry(future) not in links
    assert entry_form(parse(response.text)).get("action") == f"/communes/{MAIN}/gestion/saisie"


def test_the_closing_page_and_the_list_link_to_the_entry(client, db, held):
    future = make_workshop(db, starts_in=timedelta(days=3), title="Rencontre à venir")
    sign_in_as(client, PERSONAS["facilitator"])
    base = f"/communes/{MAIN}/gestion/ateliers"
    assert entry(held) in parse(get(client, f"{base}/{held}/cloture").text).hrefs()
    assert entry(future) not in parse(get(client, f"{base}/{future}/cloture").text).hrefs()
    links = parse(get(client, base).text).hrefs()
    assert entry(held) in links and entry(future) not in links


# --- The workshop filter -------------------------------------------------------------------

LIST = f"/communes/{MAIN}/contributions"
FEED = f"/api/communes/{MAIN}/contributions.geojson"


def listed(html: str) -> list[str]:
    return [a.text() for a in parse(html).find_all("a") if (a.get("href") or "").startswith(f"{LIST}/")]


def test_the_list_filters_by_workshop_and_pages_with_the_filter(client, db):
    walk = make_workshop(db, status=rules.CLOSED, title="Diagnostic en marchant")
    other = make_workshop(db, status=rules.CLOSED, title="Autre rencontre")
    internal = make_workshop(db, status=rules.CLOSED, kind=rules.TECHNICAL, public=False, title="Réunion interne")
    mine = [add_output(db, walk, f"Sortie {i:02d}") for i in range(22)]
    add_output(db, other, "D’une autre rencontre")
    add_output(db, internal, "D’une réunion interne")
    response = get(client, f"{LIST}?atelier={walk}")
    assert response.status_code == 200
    titles = listed(response.text)
    assert len(titles) == contribution_services.PAGE_SIZE and "D’une autre rencontre" not in titles
    assert titles[0] == "Sortie 21"
    dom = parse(response.text)
    select_ = dom.find("select", name="atelier")
    options = {o.get("value"): o.text() for o in select_.find_all("option")}
    assert options == {"": "Toutes, en ligne comprises", str(walk): "Diagnostic en marchant",
                       str(other): "Autre rencontre"}  # closed and public only
    assert select_.find("option", value=str(walk)).get("selected") is not None
    older = dom.find("a", rel="next").get("href")
    assert f"atelier={walk}" in older
    second = listed(get(client, f"{LIST}{older}").text)
    assert second == ["Sortie 01", "Sortie 00"]
    assert len(mine) == 22
    for ignored in ("abc", "-1", str(internal), "999999", "1e3"):
        response = get(client, f"{LIST}?atelier={ignored}")
        assert response.status_code == 200, ignored
        assert "D’une autre rencontre" in listed(response.text), ignored


def test_the_map_feed_filters_by_workshop(client, db):
    walk = make_workshop(db, status=rules.CLOSED)
    other = make_workshop(db, status=rules.CLOSED, title="Autre rencontre")
    internal = make_workshop(db, status=rules.CLOSED, kind=rules.TECHNICAL, public=False, title="Réunion interne")
    mine = add_output(db, walk, "De l’atelier")
    theirs = add_output(db, other, "D’une autre rencontre")
    hidden = add_output(db, internal, "D’une réunion interne")
    response = get(client, f"{FEED}?atelier={walk}")
    assert response.status_code == 200
    assert [f["id"] for f in response.json()["features"]] == [mine]
    for ignored in ("abc", str(internal), ""):
        ids = {f["id"] for f in get(client, f"{FEED}?atelier={ignored}").json()["features"]}
        assert {mine, theirs, hidden} <= ids, ignored
    with db.transaction() as session:  # the workshop stops being public: its feed follows
        session.get(Workshop, walk).public = False
    client.app.state.versions.clear()
    ids = {f["id"] for f in get(client, f"{FEED}?atelier={walk}").json()["features"]}
    assert theirs in ids


def test_the_filtered_queries_use_the_workshop_index(db):
    if not db.sqlite:
        pytest.skip("SQLite's query plan")
    from revital.contributions import feeds

    queries = [contribution_services.public_query(1, workshop=7).order_by(Contribution.id.desc()).limit(21),
               feeds.published_with_position(1, "", 7)]
    with db.session() as session:
        for query in queries:
            compiled = query.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
            plan = " ".join(row[3] for row in session.execute(text(f"EXPLAIN QUERY PLAN {compiled}")))
            assert "USING INDEX ix_contributions_workshop_id" in plan, plan
            assert "TEMP B-TREE" not in plan, plan


def test_a_closed_workshops_page_maps_its_outputs_and_links_to_them(client, db):
    walk = make_workshop(db, status=rules.CLOSED)
    add_output(db, walk, "De l’atelier")
    response = get(client, f"/communes/{MAIN}/ateliers/{walk}")
    assert response.status_code == 200
    dom = parse(response.text)
    assert f"{LIST}?atelier={walk}" in dom.hrefs()
    link = dom.find("a", href=f"{LIST}?atelier={walk}")
    assert link.text() == "Toutes les contributions de cette rencontre"
    assert dom.find("div", id="carte-commune") is not None
    scripts = " ".join(s.text() for s in dom.find_all("script")) + response.text
    assert f"contributions.geojson?atelier={walk}" in scripts
    planned = make_workshop(db, title="Pas encore close")
    assert parse(get(client, f"/communes/{MAIN}/ateliers/{planned}").text).find("div", id="carte-commune") is None
