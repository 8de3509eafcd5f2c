"""The diagnostic through HTTP: the back office's selection of contributions (checkboxes), stakes
and their sources, the synthesis with its versions, the public pages, the open data, the commune
page's panel and the gate facts, per persona."""

import json
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from revital.communes.models import Commune
from revital.contributions.models import Contribution
from revital.diagnostic.models import Stake, Synthesis
from revital.lineage.models import Link
from revital.lineage import services as lineage
from revital.students.models import Observation, Proposal
from revital.workshops.models import Workshop
from tests.conftest import MAIN, OTHER, PERSONAS, csrf_token, get, post, sign_in_as, text_of
from tests.dom import parse

ADMIN = f"/communes/{MAIN}/gestion/diagnostic"
PUBLIC = f"/communes/{MAIN}/diagnostic"


def commune_id(db, slug=MAIN) -> int:
    with db.session() as session:
        return session.scalar(select(Commune.id).where(Commune.slug == slug))


def published_ids(db, slug=MAIN) -> list[int]:
    with db.session() as session:
        return list(session.scalars(select(Contribution.id).join(Commune, Commune.id == Contribution.commune_id)
                                    .where(Commune.slug == slug, Contribution.status == "published")
                                    .order_by(Contribution.id)))


def pending_id(db) -> int:
    with db.session() as session:
        return session.scalar(select(Contribution.id).join(Commune, Commune.id == Contribution.commune_id)
                              .where(Commune.slug == MAIN, Contribution.status == "pending"))


def stake_count(db) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(Stake))


def last_stake(db) -> Stake:
    with db.session() as session:
        stake = session.scalars(select(Stake).order_by(Stake.id.desc())).first()
        session.expunge(stake)
        return stake


def sources(db, stake_id: int) -> dict:
    with db.session() as session:
        return lineage.sources_of(session, "stake", [stake_id]).get(stake_id, {})


def stake_form(**changes):
    data = {"theme": "commerce", "afom": "weakness", "title": "Le pain manque", "text": "Plus de **boulangerie**.",
            "priority": "1", "version": "0"}
    data.update(changes)
    return data


def create(client, ids, **changes):
    data = [("contribution", str(i)) for i in ids] + list(stake_form(**changes).items())
    return post_pairs(client, f"{ADMIN}/enjeux/nouveau", data)


def post_pairs(client, url, pairs):
    """POST a form whose fields repeat (checkboxes), with the CSRF token."""
    body = urlencode(list(pairs) + [("_csrf_token", csrf_token(client))]).encode()
    return client.post(url, content=body, headers={"content-type": "application/x-www-form-urlencoded"},
                       follow_redirects=False)


# --- who may do what ----------------------------------------------------------------------------

@pytest.mark.parametrize("persona, status", [
    ("anonymous", 303), ("resident", 403), ("student", 403), ("supervisor", 403), ("partner", 403),
    ("other_admin", 403), ("facilitator", 200), ("admin", 200), ("coordinator", 200),
])
def test_the_back_office_is_the_local_groups_and_the_communes(as_persona, db, persona, status):
    client = as_persona(persona)
    with db.session() as session:
        stake_id = session.scalar(select(Stake.id).join(Commune, Commune.id == Stake.commune_id)
                                  .where(Commune.slug == MAIN))
    for url in (ADMIN, f"{ADMIN}/enjeux/nouveau", f"{ADMIN}/enjeux/{stake_id}", f"{ADMIN}/synthese"):
        assert get(client, url).status_code == status, url
    before = stake_count(db)
    assert create(client, published_ids(db)[:1]).status_code == (303 if status == 200 else status)
    assert stake_count(db) == before + (1 if status == 200 else 0)
    for url in (f"{ADMIN}/selection", f"{ADMIN}/enjeux/{stake_id}", f"{ADMIN}/enjeux/{stake_id}/sources",
                f"{ADMIN}/enjeux/{stake_id}/sources/retirer", f"{ADMIN}/enjeux/{stake_id}/supprimer",
                f"{ADMIN}/synthese", f"{ADMIN}/synthese/publier"):
        if status != 200:
            assert post(client, url, {}).status_code == status, url
    assert stake_count(db) == before + (1 if status == 200 else 0)


@pytest.mark.parametrize("persona", ["anonymous", "resident", "partner", "student", "facilitator", "admin"])
def test_the_public_pages_answer_everyone(as_persona, persona):
    client = as_persona(persona)
    for url in (PUBLIC, f"{PUBLIC}/versions/1", f"/communes/{OTHER}/diagnostic", f"/api/communes/{MAIN}/stakes.json"):
        assert get(client, url).status_code == 200, url


def test_a_stake_of_another_commune_is_not_found(as_persona, db):
    client = as_persona("admin")
    with db.session() as session:
        other = session.scalar(select(Stake.id).join(Commune, Commune.id == Stake.commune_id).where(Commune.slug == OTHER))
    assert get(client, f"{ADMIN}/enjeux/{other}").status_code == 404
    assert post(client, f"{ADMIN}/enjeux/{other}/supprimer").status_code == 404
    assert get(client, f"{ADMIN}/enjeux/999999").status_code == 404


# --- the selection and the stakes ---------------------------------------------------------------

def test_ticking_checkboxes_makes_a_stake_with_exactly_those_sources(as_persona, db):
    client = as_persona("facilitator")
    before = stake_count(db)
    page = parse(get(client, ADMIN).text)
    form = page.find("form", id="selection-form")
    assert form.get("method") == "post" and form.get("action") == f"{ADMIN}/selection"
    boxes = form.find_all("input", type="checkbox", name="contribution")
    assert len(boxes) == len(published_ids(db))
    for box in boxes:  # each with its visible label
        assert page.find("label", **{"for": box.get("id")}).text()
    chosen = [int(boxes[0].get("value")), int(boxes[2].get("value"))]
    response = post_pairs(client, f"{ADMIN}/selection", [("contribution", str(i)) for i in chosen] + [("action", "new")])
    assert response.status_code == 200
    stake_form_page = parse(response.text)
    carried = stake_form_page.find("form", action=f"{ADMIN}/enjeux/nouveau").find_all("input", name="contribution")
    assert sorted(int(i.get("value")) for i in carried) == sorted(chosen)
    assert stake_count(db) == before  # nothing written yet
    response = create(client, chosen, title="Le pain et le café")
    assert response.status_code == 303
    stake = last_stake(db)
    assert response.headers["location"] == f"{ADMIN}/enjeux/{stake.id}?ok=cree"
    assert stake.title == "Le pain et le café" and stake.afom == "weakness" and stake.priority == 1
    assert sources(db, stake.id) == {"contribution": chosen}
    edit = get(client, response.headers["location"])
    assert "L’enjeu est enregistré avec ses sources." in text_of(edit.text)
    assert "Né de 2 contributions." in text_of(edit.text)


def test_a_selection_from_elsewhere_or_unpublished_is_refused_in_french(as_persona, db):
    client = as_persona("admin")
    before = stake_count(db)
    mine = published_ids(db)[0]
    foreign = published_ids(db, OTHER)[0]
    for bad in (foreign, pending_id(db), 999999):
        for url, extra in ((f"{ADMIN}/selection", [("action", "new")]), (f"{ADMIN}/enjeux/nouveau", list(stake_form().items()))):
            response = post_pairs(client, url, [("contribution", str(mine)), ("contribution", str(bad))] + extra)
            assert response.status_code == 422, (url, bad)
            summary = parse(response.text).find(id="form-errors").text()
            assert "n’existe pas dans cette commune ou qui n’est pas publiée : rien n’a été enregistré." in summary
    assert stake_count(db) == before
    response = post_pairs(client, f"{ADMIN}/selection", [("contribution", "abc"), ("action", "new")])
    assert response.status_code == 422
    response = post_pairs(client, f"{ADMIN}/selection", [("action", "new")])
    assert response.status_code == 422
    assert "Cochez au moins une contribution dans la liste." in parse(response.text).find(id="form-errors").text()


def test_a_bad_stake_form_keeps_what_was_typed(as_persona, db):
    client = as_persona("facilitator")
    before = stake_count(db)
    chosen = published_ids(db)[:2]
    response = create(client, chosen, title="", theme="nulle-part", text="Mon texte")
    assert response.status_code == 422
    page = parse(response.text)
    assert "Donnez un titre à l’enjeu." in page.find(id="form-errors").text()
    assert page.find("textarea", name="text").text() == "Mon texte"
    assert sorted(int(i.get("value")) for i in page.find_all("input", name="contribution")) == chosen
    assert stake_count(db) == before


def test_a_contribution_feeds_two_stakes_and_adding_again_changes_nothing(as_persona, db):
    client = as_persona("facilitator")
    first, second = published_ids(db)[:2]
    assert create(client, [first], title="Premier").status_code == 303
    one = last_stake(db).id
    assert create(client, [first, second], title="Second").status_code == 303
    two = last_stake(db).id
    with db.session() as session:
        became = lineage.targets_of(session, "contribution", [first])[first]["stake"]
    assert one in became and two in became
    response = post_pairs(client, f"{ADMIN}/selection", [("contribution", str(second)), ("action", "add"), ("stake", str(one))])
    assert response.status_code == 303 and response.headers["location"] == f"{ADMIN}/enjeux/{one}?ok=ajoutees"
    assert sources(db, one) == {"contribution": [first, second]}
    response = post_pairs(client, f"{ADMIN}/selection", [("contribution", str(second)), ("action", "add"), ("stake", str(one))])
    assert response.headers["location"] == f"{ADMIN}/enjeux/{one}?ok=deja"
    assert sources(db, one) == {"contribution": [first, second]}
    response = post_pairs(client, f"{ADMIN}/selection", [("contribution", str(second)), ("action", "add"), ("stake", "")])
    assert response.status_code == 422
    assert "Choisissez l’enjeu" in parse(response.text).find(id="form-errors").text()
    # "déjà dans 2 enjeux" in the list, after the demo's own stakes too
    assert "déjà dans" in parse(get(client, ADMIN).text).find("label", **{"for": f"contribution-{first}"}).text()


def test_editing_a_stake_and_its_stale_form(as_persona, db):
    client = as_persona("admin")
    assert create(client, published_ids(db)[:1]).status_code == 303
    stake = last_stake(db)
    url = f"{ADMIN}/enjeux/{stake.id}"
    page = parse(get(client, url).text)
    version = page.find("input", name="version").get("value")
    response = post(client, url, stake_form(title="Nouveau titre", afom="asset", version=version, priority=""))
    assert response.status_code == 303
    changed = last_stake(db)
    assert (changed.title, changed.afom, changed.priority) == ("Nouveau titre", "asset", None)
    response = post(client, url, stake_form(title="Encore", version=version))
    assert response.status_code == 409
    assert "modifié par quelqu’un d’autre" in parse(response.text).find(id="form-errors").text()
    assert last_stake(db).title == "Nouveau titre"


def test_sources_from_a_workshop_an_observation_and_a_proposal_of_the_commune(as_persona, db):
    client = as_persona("facilitator")
    assert create(client, published_ids(db)[:1]).status_code == 303
    stake = last_stake(db).id
    with db.session() as session:
        observation = session.scalar(select(Observation.id))
        proposal = session.scalar(select(Proposal.id).where(Proposal.status == "published"))
        draft_proposal = session.scalar(select(Proposal.id).where(Proposal.status == "draft"))
        themed = session.scalar(select(Workshop.id).where(Workshop.kind == "thematic"))
        internal = session.scalar(select(Workshop.id).where(Workshop.public.is_(False)))
        walk = session.scalar(select(Workshop.id).where(Workshop.kind == "walk"))  # Grandrieu's
    url = f"{ADMIN}/enjeux/{stake}/sources"
    page = parse(get(client, f"{ADMIN}/enjeux/{stake}").text)
    assert [f.find("input", name="kind").get("value") for f in page.find_all("form", action=url + "#sources")] == [
        "workshop", "observation", "proposal"]
    for kind, source in (("workshop", themed), ("observation", observation), ("proposal", proposal)):
        assert post(client, url, {"kind": kind, "source": str(source)}).status_code == 303
    for kind, source, message in (("workshop", walk, "Cet atelier n’existe pas dans cette commune"),
                                  ("workshop", internal, "il n’est pas public"),
                                  ("proposal", draft_proposal, "n’est pas publiée"),
                                  ("contribution", published_ids(db)[1], "Choisissez le genre de source"),
                                  ("workshop", "", "Choisissez la source dans la liste.")):
        response = post(client, url, {"kind": kind, "source": str(source)})
        assert response.status_code == 422 and message in text_of(response.text), (kind, source)
    found = sources(db, stake)
    assert found["workshop"] == [themed] and found["observation"] == [observation] and found["proposal"] == [proposal]
    text = text_of(get(client, f"{ADMIN}/enjeux/{stake}").text)
    assert "Né d’une contribution, de l’atelier du" in text and "d’une observation des étudiants et d’une proposition des étudiants" in text
    response = post(client, f"{url}/retirer", {"kind": "observation", "source": str(observation)})
    assert response.status_code == 303
    assert "observation" not in sources(db, stake)
    assert post(client, f"{url}/retirer", {"kind": "observation", "source": str(observation)}).status_code == 422


def test_deleting_a_stake_removes_its_links_only(as_persona, db):
    client = as_persona("facilitator")
    chosen = published_ids(db)[:2]
    assert create(client, chosen).status_code == 303
    stake = last_stake(db).id
    response = post(client, f"{ADMIN}/enjeux/{stake}/supprimer")
    assert response.status_code == 303 and response.headers["location"] == f"{ADMIN}?ok=supprime"
    with db.session() as session:
        assert session.get(Stake, stake) is None
        assert session.scalar(select(func.count()).select_from(Link).where(Link.target_kind == "stake",
                                                                         Link.target_id == stake)) == 0
        assert session.scalar(select(func.count()).select_from(Contribution).where(Contribution.id.in_(chosen),
                                                                                  Contribution.status == "published")) == 2


def test_the_selection_is_filtered_and_paged(as_persona, db):
    client = as_persona("facilitator")
    page = parse(get(client, f"{ADMIN}?kind=idea").text)
    labels = [box.get("value") for box in page.find_all("input", type="checkbox", name="contribution")]
    with db.session() as session:
        ideas = session.scalar(select(func.count()).select_from(Contribution).where(
            Contribution.commune_id == commune_id(db), Contribution.status == "published", Contribution.kind == "idea"))
    assert len(labels) == ideas
    page = parse(get(client, f"{ADMIN}?theme=commerce&kind=nimporte").text)
    assert len(page.find_all("input", type="checkbox", name="contribution")) == 1
    assert get(client, f"{ADMIN}?avant=abc").status_code == 200


# --- the synthesis and its versions ---------------------------------------------------------------

GR_ADMIN = f"/communes/{OTHER}/gestion/diagnostic"
GR_PUBLIC = f"/communes/{OTHER}/diagnostic"


def editor_version(client) -> str:
    return parse(get(client, f"{GR_ADMIN}/synthese").text).find("input", name="version").get("value")


def test_publishing_freezes_version_1_and_an_edit_makes_version_2(as_persona, db):
    client = as_persona("other_admin")
    assert "pas encore publiée" in text_of(get(client, GR_PUBLIC).text)
    preview = post(client, f"{GR_ADMIN}/synthese", {"introduction": "## Bilan\nLe **foirail**", "action": "preview",
                                                    "version": "0"})
    assert preview.status_code == 200
    assert parse(preview.text).find(id="apercu").parent.find("strong").text() == "foirail"
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Synthesis).where(Synthesis.commune_id == commune_id(db, OTHER))) == 0
    response = post(client, f"{GR_ADMIN}/synthese", {"introduction": "Premier texte du diagnostic.", "action": "save",
                                                     "version": "0"})
    assert response.status_code == 303
    assert get(client, "/communes/grandrieu/diagnostic/versions/1").status_code == 200  # the draft, for the back office
    client.cookies.delete("revital_session", domain="testserver.local")
    assert get(client, f"{GR_PUBLIC}/versions/1").status_code == 404  # a draft is not public
    assert "Premier texte" not in text_of(get(client, GR_PUBLIC).text)
    sign_in_as(client, PERSONAS["other_admin"])
    response = post(client, f"{GR_ADMIN}/synthese/publier", {"note": "", "version": editor_version(client)})
    assert response.status_code == 303 and response.headers["location"] == f"{GR_ADMIN}/synthese?ok=publiee"
    public = text_of(get(client, GR_PUBLIC).text)
    assert "Version 1, publiée le" in public and "Premier texte du diagnostic." in public
    # Later changes: a new stake, a new introduction; version 1 stays as it was.
    stake = post_pairs(client, f"{GR_ADMIN}/enjeux/nouveau", [("contribution", str(published_ids(db, OTHER)[0]))]
                       + list(stake_form(title="Un enjeu ajouté après").items()))
    assert stake.status_code == 303
    response = post(client, f"{GR_ADMIN}/synthese", {"introduction": "Second texte.", "action": "save", "version": "0"})
    assert response.status_code == 303
    with db.session() as session:
        numbers = session.execute(select(Synthesis.number, Synthesis.status).where(
            Synthesis.commune_id == commune_id(db, OTHER)).order_by(Synthesis.number)).all()
    assert numbers == [(1, "published"), (2, "draft")]
    response = post(client, f"{GR_ADMIN}/synthese/publier", {"note": "", "version": editor_version(client)})
    assert response.status_code == 422
    assert "ce qui a changé" in parse(response.text).find(id="form-errors").text()
    response = post(client, f"{GR_ADMIN}/synthese/publier", {"note": "Un enjeu de plus.", "version": editor_version(client)})
    assert response.status_code == 303
    client.cookies.delete("revital_session", domain="testserver.local")
    latest = text_of(get(client, GR_PUBLIC).text)
    assert "Version 2, publiée le" in latest and "Second texte." in latest and "Un enjeu ajouté après" in latest
    old = text_of(get(client, f"{GR_PUBLIC}/versions/1").text)
    assert "Premier texte du diagnostic." in old and "Second texte." not in old
    assert "Un enjeu ajouté après" not in old and "Le foirail, un parking hors des jours de foire" in old
    assert get(client, f"{GR_PUBLIC}/versions/3").status_code == 404


def test_publishing_needs_a_draft_an_introduction_and_a_fresh_form(as_persona, db):
    client = as_persona("other_admin")
    response = post(client, f"{GR_ADMIN}/synthese/publier", {"note": "", "version": "0"})
    assert response.status_code == 422 and "Enregistrez d’abord le brouillon" in text_of(response.text)
    assert post(client, f"{GR_ADMIN}/synthese", {"introduction": "", "action": "save", "version": "0"}).status_code == 303
    response = post(client, f"{GR_ADMIN}/synthese/publier", {"note": "", "version": editor_version(client)})
    assert response.status_code == 422
    assert "Écrivez l’introduction" in parse(response.text).find(id="form-errors").text()
    response = post(client, f"{GR_ADMIN}/synthese", {"introduction": "Texte", "action": "save", "version": "0"})
    assert response.status_code == 409  # the draft exists since: the form saw none
    response = post(client, f"{GR_ADMIN}/synthese", {"introduction": "x" * 30_001, "action": "save", "version": "0"})
    assert response.status_code == 422
    assert not any(s.status == "published" for s in versions_of(db, OTHER))


def versions_of(db, slug):
    with db.session() as session:
        return list(session.scalars(select(Synthesis).where(Synthesis.commune_id == commune_id(db, slug))))


def test_the_demo_has_a_published_synthesis_and_a_draft(as_persona, db):
    versions = sorted(versions_of(db, MAIN), key=lambda v: v.number)
    assert [(v.number, v.status) for v in versions] == [(1, "published"), (2, "draft")]
    snapshot = json.loads(versions[0].snapshot)
    assert len(snapshot["stakes"]) == 12
    assert {s["afom"] for s in snapshot["stakes"]} == {"asset", "weakness", "opportunity", "threat"}
    assert all(1 <= s["counts"]["contribution"] <= 5 for s in snapshot["stakes"])
    assert sum(1 for s in snapshot["stakes"] if "proposal" in s["counts"] or "observation" in s["counts"]) >= 2
    assert versions_of(db, OTHER) == []
    with db.session() as session:
        walk = session.scalar(select(Workshop.id).where(Workshop.kind == "walk"))
        grandrieu = list(session.scalars(select(Stake.id).where(Stake.commune_id == commune_id(db, OTHER))))
        linked = lineage.sources_of(session, "stake", grandrieu)
    assert 3 <= len(grandrieu) <= 4 and all(linked[i]["workshop"] == [walk] for i in grandrieu)
    client = as_persona("anonymous")
    page = parse(get(client, PUBLIC).text)
    assert page.find("h1").text() == "Le diagnostic partagé · Saint-Étienne-du-Valdonnez"
    assert len(page.find_all("article", **{"class": "stake"})) == 12
    assert "Brouillon" not in page.text()  # the draft of version 2 stays in the back office
    assert len(page.find(id="contributions-enjeux").find_all("li")) == 9


# --- what others see: open data, the commune page, the gates, escaping ---------------------------------

def test_stakes_json_has_the_source_ids_and_no_personal_data(as_persona, db):
    client = as_persona("anonymous")
    response = get(client, f"/api/communes/{MAIN}/stakes.json")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
    data = response.json()
    assert len(data["stakes"]) == 12 and data["syntheses"][0]["number"] == 1 and len(data["syntheses"]) == 1
    published = set(published_ids(db))
    for stake in data["stakes"]:
        assert set(stake["sources"]["contribution"]) <= published
        assert stake["counts"]["contribution"] == len(stake["sources"]["contribution"])
    with db.session() as session:
        emails = [e for e in session.scalars(select(Contribution.author_email)) if e]
        names = [n for n in session.scalars(select(Contribution.author_name)) if n]
    body = response.text
    assert "@" not in body and not any(e in body for e in emails) and not any(f'"{n}"' in body for n in names)
    assert "author" not in body and "created_by" not in body and "user" not in body
    etag = response.headers["etag"]
    assert get(client, f"/api/communes/{MAIN}/stakes.json", headers={"if-none-match": etag}).status_code == 304
    # A new stake is a new version of the commune: a new body.
    sign_in_as(client, PERSONAS["facilitator"])
    assert create(client, published_ids(db)[:1], title="Un nouvel enjeu").status_code == 303
    client.cookies.delete("revital_session", domain="testserver.local")
    fresh = get(client, f"/api/communes/{MAIN}/stakes.json", headers={"if-none-match": etag})
    assert fresh.status_code == 200 and fresh.headers["etag"] != etag
    assert "Un nouvel enjeu" in [s["title"] for s in fresh.json()["stakes"]]
    assert get(client, "/api/communes/nulle-part/stakes.json").status_code == 404


def test_the_commune_page_has_a_diagnostic_panel(as_persona, db):
    client = as_persona("anonymous")
    panel = parse(get(client, f"/communes/{MAIN}").text).find(id="diagnostic-panel").parent
    assert "12 enjeux" in panel.text() and "version 1" in panel.text()
    assert panel.hrefs() == [PUBLIC]
    other = parse(get(client, f"/communes/{OTHER}").text).find(id="diagnostic-panel").parent
    assert "Le diagnostic est en cours : 4 enjeux" in other.text()


def test_the_gate_facts_count_stakes_and_the_published_synthesis(as_persona, db, app):
    from revital.pages.gates import facts_for

    with db.session() as session:
        main = session.scalar(select(Commune).where(Commune.slug == MAIN))
        other = session.scalar(select(Commune).where(Commune.slug == OTHER))
        assert (facts_for(session, main).stakes, facts_for(session, main).has_diagnostic_synthesis) == (12, True)
        assert (facts_for(session, other).stakes, facts_for(session, other).has_diagnostic_synthesis) == (4, False)
    client = as_persona("other_admin")
    conditions = parse(get(client, f"/communes/{OTHER}").text).find(id="conditions")
    items = [li.text() for li in conditions.find_all("li")]
    assert any("Remplie : Au moins un enjeu dégagé du diagnostic" in t for t in items)
    assert any("Pas encore remplie : La synthèse du diagnostic rédigée" in t for t in items)
    assert f"/communes/{OTHER}/diagnostic" in conditions.hrefs()


def test_a_hostile_title_is_escaped_everywhere(as_persona, db):
    client = as_persona("facilitator")
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    assert create(client, published_ids(db)[:1], title=hostile, text=hostile).status_code == 303
    stake = last_stake(db).id
    for url in (f"{ADMIN}/enjeux/{stake}", ADMIN, f"{PUBLIC}/versions/2"):  # the draft shows today's stakes
        html = get(client, url).text
        assert hostile not in html and "<img src=x" not in html, url
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html, url
    assert hostile in [s["title"] for s in get(client, f"/api/communes/{MAIN}/stakes.json").json()["stakes"]]


def test_a_published_version_no_longer_names_a_contribution_hidden_since(as_persona, db):
    client = as_persona("anonymous")
    version = f"{PUBLIC}/versions/1"
    with db.session() as session:
        contribution = session.scalar(select(Contribution).where(Contribution.title == "Plus de médecin depuis 2013"))
        target = contribution.id
    assert "Plus de médecin depuis 2013" in parse(get(client, version).text).find(id="contributions-enjeux").text()
    with db.transaction() as session:
        session.get(Contribution, target).status = "hidden"
    page = parse(get(client, version).text)
    assert "Plus de médecin depuis 2013" not in page.find(id="contributions-enjeux").text()
    assert f"/communes/{MAIN}/contributions/{target}" not in page.hrefs()
    # What was published stays: the stake, its counts and its sentence.
    health = next(a for a in page.find_all("article", **{"class": "stake"})
                  if a.find("h4").text() == "Le départ des services de santé")
    assert "Né de 2 contributions" in health.text()
    assert [a.text() for a in health.find("details").find_all("a")] == ["La boulangerie a fermé"]


def test_a_contribution_s_page_says_what_it_became(client, db):
    """The chain back on the contribution's page: the stake it fed, named once the synthesis is
    published (the demo's Saint-Étienne-du-Valdonnez has one)."""
    with db.session() as session:
        main = session.scalar(select(Commune.id).where(Commune.slug == MAIN))
        link = session.scalars(select(Link).join(Stake, Stake.id == Link.target_id).where(
            Link.target_kind == "stake", Link.source_kind == "contribution", Stake.commune_id == main)).first()
        stake = session.get(Stake, link.target_id)
        contribution_id, title = link.source_id, stake.title
    page = parse(get(client, f"/communes/{MAIN}/contributions/{contribution_id}").text)
    section = page.find(id="devenir").parent
    assert f"A nourri l’enjeu « {title} » du diagnostic." in section.text()
    assert f"/communes/{MAIN}/diagnostic#enjeu-{stake.id}" in section.hrefs()


def test_an_author_who_left_an_address_is_told_the_stake_once(as_persona, db):
    from revital.contributions.models import AuthorNotice

    client = as_persona("facilitator")
    chosen = published_ids(db)[:2]
    with db.transaction() as session:
        session.get(Contribution, chosen[0]).author_email = "odette@exemple.fr"
        session.get(Contribution, chosen[1]).author_email = ""
    assert create(client, chosen, title="Le pain manque au bourg").status_code == 303
    stake = last_stake(db)
    response = post_pairs(client, f"{ADMIN}/selection", [("contribution", str(chosen[0])), ("action", "add"),
                                                         ("stake", str(stake.id))])
    assert response.headers["location"].endswith("?ok=deja")  # linked already: nothing new to tell
    with db.session() as session:
        notices = session.scalars(select(AuthorNotice).where(AuthorNotice.kind == "stake")).all()
    assert [(n.email, n.contribution_id) for n in notices] == [("odette@exemple.fr", chosen[0])]
    assert "nourrit un enjeu du diagnostic : « Le pain manque au bourg »" in notices[0].text
    assert f"https://testserver.local/communes/{MAIN}/contributions/{chosen[0]}" in notices[0].text


def test_the_demo_s_links_are_dated_like_what_they_link(db):
    with db.session() as session:
        rows = session.execute(select(Link.created_at, Stake.created_at).join(Stake, Stake.id == Link.target_id)
                               .where(Link.target_kind == "stake")).all()
    assert rows and all(link_at == stake_at for link_at, stake_at in rows)
