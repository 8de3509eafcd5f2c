"""Prioritisation through HTTP: the public list and a vote's page per persona, the back office
(create, open, close, publish, a workshop's scores) and who may open it, ballots (refused over the
budget with what was typed kept, an address's ballot counted once confirmed, a forged link a 404,
voting again replaces), concurrent ballots, results hidden until published, and the gate."""

import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from revital import demo
from revital.accounts.models import User
from revital.communes.models import Commune
from revital.db import utcnow
from revital.ideas.models import Idea
from revital.journal.models import JournalPost
from revital.mail.models import Outbox
from revital.pages import gates
from revital.prioritisation import demo as prioritisation_demo
from revital.prioritisation import services
from revital.prioritisation.models import Ballot, BallotChoice, Prioritisation
from revital.workshops.models import Workshop
from tests.conftest import MAIN, OTHER, PERSONAS, csrf_token, get, make_client, post, sign_in_as, text_of
from tests.dom import parse

PUBLIC = f"/communes/{MAIN}/priorites"
ADMIN = f"/communes/{MAIN}/gestion/priorites"
CONFIRM = re.compile(r"https://testserver\.local(/communes/[^/]+/priorites/\d+/confirmer/[0-9]+-[A-Za-z0-9_-]+)")
MANAGERS = ["facilitator", "admin", "coordinator"]
OTHERS = ["resident", "partner", "student", "supervisor", "other_admin"]
EVERYONE = ["anonymous", *PERSONAS]


def commune_id(db, slug=MAIN) -> int:
    with db.session() as session:
        return session.scalar(select(Commune.id).where(Commune.slug == slug))


@pytest.fixture(autouse=True)
def without_the_demo_s_ideas_and_vote(db):
    """These tests make their own ideas and votes: the demo's (revital.ideas.demo, and the vote
    revital.prioritisation.demo holds over them) are taken out first."""
    from sqlalchemy import delete

    cid = commune_id(db)
    with db.transaction() as session:
        session.execute(delete(Prioritisation).where(Prioritisation.commune_id == cid))
        session.execute(delete(Idea).where(Idea.commune_id == cid))


@pytest.fixture
def ideas(db) -> list[int]:
    cid = commune_id(db)
    with db.transaction() as session:
        rows = [Idea(commune_id=cid, title=title, status="open") for title in
                ("Des arbres sur le foirail", "Une halle pour le marché", "Un chemin jusqu’au pont")]
        session.add_all(rows)
        session.add(Idea(commune_id=cid, title="Une piste écartée", status="not_retained"))
        session.flush()
        return [i.id for i in rows]


def make_vote(db, mode="points", budget=10, status="open", days_left=7, **changes) -> int:
    now = utcnow()
    cid = commune_id(db)
    fields = {"opens_at": now - timedelta(days=1), "closes_at": now + timedelta(days=days_left), **changes}
    with db.transaction() as session:
        p = Prioritisation(commune_id=cid, method="vote", title="Quelles pistes d’abord ?", mode=mode,
                           budget=budget, status=status, **fields)
        session.add(p)
        session.flush()
        return p.id


def ballot(ideas, *points) -> dict:
    return {f"idea-{i}": str(v) for i, v in zip(ideas, points)}


def counted(db, pid) -> dict[str, dict[int, int]]:
    """{voter: choices} of the ballots that count."""
    with db.session() as session:
        rows = session.execute(select(Ballot.voter, BallotChoice.idea_id, BallotChoice.value)
                               .join(BallotChoice, BallotChoice.ballot_id == Ballot.id)
                               .where(Ballot.prioritisation_id == pid, Ballot.confirmed_at.is_not(None))).all()
    found: dict[str, dict[int, int]] = {}
    for voter, idea, value in rows:
        found.setdefault(voter, {})[idea] = value
    return found


def ballots_count(db, pid) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(Ballot).where(Ballot.prioritisation_id == pid))


def voter_of(db, persona) -> str:
    with db.session() as session:
        return f"user:{session.scalar(select(User.id).where(User.email == PERSONAS[persona]))}"


# --- the public pages -------------------------------------------------------------------------------

@pytest.mark.parametrize("persona", EVERYONE)
def test_the_list_and_a_vote_page_for_everyone(as_persona, db, ideas, persona):
    pid = make_vote(db)
    draft = make_vote(db, status="draft")
    client = as_persona(persona)
    response = get(client, PUBLIC)
    assert response.status_code == 200
    dom = parse(response.text)
    assert dom.find("h1").text() == "Hiérarchisation des pistes · Saint-Étienne-du-Valdonnez"
    assert dom.find(id="priorites").hrefs() == [f"{PUBLIC}/{pid}"]  # the draft is not listed
    page = get(client, f"{PUBLIC}/{pid}")
    assert page.status_code == 200
    dom = parse(page.text)
    assert dom.find("h1").text() == "Quelles pistes d’abord ?"
    form = dom.find("form", id="ballot-form")
    assert form.get("action") == f"{PUBLIC}/{pid}/bulletin"
    names = [i.get("name") for i in form.find_all("input") if i.get("type") == "number"]
    assert names == [f"idea-{i}" for i in ideas]  # the idea not retained is not in the vote
    assert (form.find("input", name="email") is None) == (persona != "anonymous")
    assert "Vous disposez de 10 points au total" in text_of(page.text)
    assert get(client, f"{PUBLIC}/{draft}").status_code == 404
    assert get(client, f"/communes/{OTHER}/priorites/{pid}").status_code == 404


def test_anonymous_pages_are_kept_and_follow_the_hour_a_vote_opens(client, db, ideas):
    pid = make_vote(db, opens_at=utcnow() + timedelta(hours=2))
    assert "Ouvre bientôt" in text_of(get(client, PUBLIC).text)
    assert parse(get(client, f"{PUBLIC}/{pid}").text).find("form", id="ballot-form") is None
    kept = len(client.app.state.pages.versioned.entries)
    assert kept >= 2  # the list and the vote's page, rendered once for every anonymous visitor
    # The hour comes (no version moves: nothing was written by the application): the next view
    # after the second's cache shows the vote open, with its ballot form.
    with db.transaction() as session:
        session.execute(update(Prioritisation).where(Prioritisation.id == pid)
                        .values(opens_at=utcnow() - timedelta(minutes=1)))
    client.app.state.pages.recent.clear()
    client.app.state.versions.clear()
    assert parse(get(client, f"{PUBLIC}/{pid}").text).find("form", id="ballot-form") is not None
    listed = text_of(get(client, PUBLIC).text)
    assert "Vote ouvert" in listed and "Ouvre bientôt" not in listed


def test_ranks_are_chosen_in_selects(client, db, ideas):
    pid = make_vote(db, mode="ranks", budget=2)
    dom = parse(get(client, f"{PUBLIC}/{pid}").text)
    select_ = dom.find("select", name=f"idea-{ideas[0]}")
    assert [(o.get("value"), o.text()) for o in select_.find_all("option")] == [("", "non classée"), ("1", "1"), ("2", "2")]
    sign_in_as(client, PERSONAS["resident"])
    assert post(client, f"{PUBLIC}/{pid}/bulletin", ballot(ideas, 2, 1)).status_code == 303
    response = post(client, f"{PUBLIC}/{pid}/bulletin", ballot(ideas, 1, 1))
    assert response.status_code == 422 and "Chaque rang ne peut être donné qu’à une seule piste." in text_of(response.text)
    assert counted(db, pid) == {voter_of(db, "resident"): {ideas[0]: 2, ideas[1]: 1}}


# --- ballots ----------------------------------------------------------------------------------------

def test_a_ballot_over_the_budget_is_refused_with_what_was_typed(client, db, ideas):
    pid = make_vote(db)
    sign_in_as(client, PERSONAS["resident"])
    response = post(client, f"{PUBLIC}/{pid}/bulletin", ballot(ideas, 7, 4, 0))
    assert response.status_code == 422
    assert "Vous avez réparti 11 points : vous en avez 10 au plus." in text_of(response.text)
    assert "Ce bulletin en répartit 11 : 1 de trop." in parse(response.text).find(id="budget-left").text()
    form = parse(response.text).find("form", id="ballot-form")
    assert [i.get("value") for i in form.find_all("input") if i.get("type") == "number"] == ["7", "4", "0"]
    assert ballots_count(db, pid) == 0
    response = post(client, f"{PUBLIC}/{pid}/bulletin", ballot(ideas, "deux", 1, 0))
    assert response.status_code == 422 and "nombres entiers positifs ou nuls" in text_of(response.text)
    assert ballots_count(db, pid) == 0


def test_an_account_ballot_counts_at_once_and_voting_again_replaces_it(client, db, ideas):
    pid = make_vote(db)
    sign_in_as(client, PERSONAS["resident"])
    response = post(client, f"{PUBLIC}/{pid}/bulletin", ballot(ideas, 6, 4, 0))
    assert response.status_code == 303 and response.headers["location"] == f"{PUBLIC}/{pid}?ok=compte#bulletin"
    assert counted(db, pid) == {voter_of(db, "resident"): {ideas[0]: 6, ideas[1]: 4}}
    page = parse(get(client, f"{PUBLIC}/{pid}").text).find("form", id="ballot-form")
    assert [i.get("value") for i in page.find_all("input") if i.get("type") == "number"] == ["6", "4", ""]
    assert "Ce bulletin en répartit 10 : il vous en reste 0." in page.find(id="budget-left").text()
    response = post(client, f"{PUBLIC}/{pid}/bulletin", ballot(ideas, 0, 0, 3))
    assert response.headers["location"] == f"{PUBLIC}/{pid}?ok=remplace#bulletin"
    assert counted(db, pid) == {voter_of(db, "resident"): {ideas[2]: 3}}
    assert ballots_count(db, pid) == 1
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Outbox)) == 0  # an account gets no e-mail


def test_an_address_ballot_counts_once_confirmed(client, db, ideas):
    pid = make_vote(db)
    response = post(client, f"{PUBLIC}/{pid}/bulletin", {**ballot(ideas, 5, 5, 0), "email": "Odette@Exemple.fr"})
    assert response.status_code == 303 and response.headers["location"].endswith("?ok=a-confirmer#bulletin")
    assert counted(db, pid) == {} and ballots_count(db, pid) == 1
    with db.session() as session:
        message = session.scalar(select(Outbox))
    assert message.to_address == "odette@exemple.fr" and message.unsubscribe_url is None
    link = CONFIRM.search(message.text).group(1)
    forged = link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")
    assert get(client, forged).status_code == 404
    assert post(client, forged).status_code == 404
    assert get(client, link.replace(f"/priorites/{pid}/", f"/priorites/{pid + 1}/")).status_code == 404
    page = get(client, link)
    assert page.status_code == 200
    form = parse(page.text).find("main").find("form")
    assert form.get("action") == link and form.find("button").text() == "Confirmer mon bulletin"
    assert counted(db, pid) == {}  # opening the link changes nothing
    response = post(client, link)
    assert response.status_code == 303 and response.headers["location"] == f"{PUBLIC}/{pid}?ok=confirme"
    assert counted(db, pid) == {"email:odette@exemple.fr": {ideas[0]: 5, ideas[1]: 5}}
    assert post(client, link).status_code == 303  # twice is once
    # voting again with the address replaces the choices, to be confirmed again; the old link is dead
    post(client, f"{PUBLIC}/{pid}/bulletin", {**ballot(ideas, 0, 0, 9), "email": "odette@exemple.fr"})
    assert counted(db, pid) == {} and ballots_count(db, pid) == 1
    assert get(client, link).status_code == 404
    with db.session() as session:
        last = session.scalars(select(Outbox).order_by(Outbox.id.desc())).first()
    post(client, CONFIRM.search(last.text).group(1))
    assert counted(db, pid) == {"email:odette@exemple.fr": {ideas[2]: 9}}


def test_an_anonymous_ballot_needs_a_valid_address(client, db, ideas):
    pid = make_vote(db)
    response = post(client, f"{PUBLIC}/{pid}/bulletin", {**ballot(ideas, 2, 0, 0), "email": "pas-une-adresse"})
    assert response.status_code == 422 and "Cette adresse e-mail n’est pas valide." in text_of(response.text)
    assert parse(response.text).find("input", name="email").get("value") == "pas-une-adresse"
    assert ballots_count(db, pid) == 0


def test_no_ballot_outside_the_vote_dates(client, db, ideas):
    sign_in_as(client, PERSONAS["resident"])
    for pid in (make_vote(db, opens_at=utcnow() + timedelta(days=1)), make_vote(db, status="closed"),
                make_vote(db, days_left=-1)):
        response = post(client, f"{PUBLIC}/{pid}/bulletin", ballot(ideas, 1, 0, 0))
        assert response.status_code == 409 and "Ce vote n’est pas ouvert" in text_of(response.text)
        assert ballots_count(db, pid) == 0


def test_a_confirmation_after_the_close_does_not_count(client, db, ideas):
    pid = make_vote(db)
    post(client, f"{PUBLIC}/{pid}/bulletin", {**ballot(ideas, 1, 0, 0), "email": "tard@exemple.fr"})
    with db.session() as session:
        link = CONFIRM.search(session.scalar(select(Outbox.text))).group(1)
    with db.transaction() as session:
        session.get(Prioritisation, pid).status = "closed"
    assert "ne compte pas" in text_of(get(client, link).text)
    assert post(client, link).status_code == 409
    assert counted(db, pid) == {}


# --- many at once -----------------------------------------------------------------------------------

def accounts(db, n: int) -> list[str]:
    emails = [f"votant{i}@revital.test" for i in range(n)]
    with db.transaction() as session:
        session.add_all([User(email=e, display_name=f"Votant {i}", password_hash=demo.demo_password_hash())
                         for i, e in enumerate(emails)])
    return emails


def at_once(clients, pid, forms) -> list[int]:
    results = []

    def one(client, data):
        results.append(post(client, f"{PUBLIC}/{pid}/bulletin", data).status_code)

    threads = [threading.Thread(target=one, args=(c, f)) for c, f in zip(clients, forms)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_thirty_two_ballots_at_once_all_count(settings, db, ideas):
    pid = make_vote(db)
    emails = accounts(db, 32)
    clients = [make_client(settings).__enter__() for _ in emails]
    for client, email in zip(clients, emails):
        sign_in_as(client, email)
        csrf_token(client)
    results = at_once(clients, pid, [ballot(ideas, 1 + i % 3, 2, 0) for i in range(32)])
    assert results == [303] * 32
    found = counted(db, pid)
    assert len(found) == 32 and ballots_count(db, pid) == 32
    with db.session() as session:
        totals = {r.idea.id: r.total for r in services.results(session, session.get(Prioritisation, pid))}
    assert totals == {ideas[0]: sum(1 + i % 3 for i in range(32)), ideas[1]: 64, ideas[2]: 0}


def test_ten_ballots_at_once_of_one_account_leave_one(settings, db, ideas):
    pid = make_vote(db)
    clients = [make_client(settings).__enter__() for _ in range(10)]
    for client in clients:
        sign_in_as(client, PERSONAS["resident"])
        csrf_token(client)
    forms = [ballot(ideas, i, 0, 10 - i) for i in range(10)]
    assert at_once(clients, pid, forms) == [303] * 10
    assert ballots_count(db, pid) == 1
    (choices,) = counted(db, pid).values()
    assert sum(choices.values()) == 10 and choices in [{k: v for k, v in ((ideas[0], i), (ideas[2], 10 - i)) if v}
                                                       for i in range(10)]


# --- the back office --------------------------------------------------------------------------------

@pytest.mark.parametrize("persona", MANAGERS)
def test_the_tab_opens_for_the_local_group_and_the_commune(as_persona, db, ideas, persona):
    pid = make_vote(db)
    client = as_persona(persona)
    response = get(client, ADMIN)
    assert response.status_code == 200
    dom = parse(response.text)
    assert dom.find("h1").text() == "Priorisation des pistes · Saint-Étienne-du-Valdonnez"
    assert f"{ADMIN}/{pid}/clore" in [f.get("action") for f in dom.find_all("form")]
    assert get(client, f"{ADMIN}/nouveau").status_code == 200
    assert get(client, f"{ADMIN}/{pid}").status_code == 200


@pytest.mark.parametrize("persona", OTHERS)
def test_the_tab_is_refused_to_others(as_persona, db, persona):
    pid = make_vote(db)
    client = as_persona(persona)
    for url in (ADMIN, f"{ADMIN}/nouveau", f"{ADMIN}/{pid}"):
        assert get(client, url).status_code == 403
    assert post(client, f"{ADMIN}/{pid}/clore").status_code == 403
    with db.session() as session:
        assert session.get(Prioritisation, pid).status == "open"


def test_anonymous_is_sent_to_sign_in(client, db):
    response = get(client, ADMIN)
    assert response.status_code == 303 and response.headers["location"].startswith("/connexion")


def test_a_vote_from_creation_to_published_results(client, db, ideas):
    sign_in_as(client, PERSONAS["facilitator"])
    form = {"method": "vote", "title": "Quelles pistes d’abord ?", "text": "Répartissez **10 points**.",
            "mode": "points", "budget": "10", "opens_date": utcnow().date().isoformat(), "opens_time": "00:00",
            "closes_date": (utcnow() + timedelta(days=14)).date().isoformat(), "closes_time": "20:00"}
    bad = post(client, f"{ADMIN}/nouveau", {**form, "closes_date": "2020-01-01", "title": ""})
    assert bad.status_code == 422
    assert parse(bad.text).find("textarea", name="text").text() == "Répartissez **10 points**."
    response = post(client, f"{ADMIN}/nouveau", form)
    assert response.status_code == 303 and response.headers["location"] == f"{ADMIN}?ok=cree"
    with db.session() as session:
        pid = session.scalar(select(Prioritisation.id).order_by(Prioritisation.id.desc()))
    assert get(client, f"{PUBLIC}/{pid}").status_code == 404  # in preparation
    assert post(client, f"{ADMIN}/{pid}/ouvrir").status_code == 303
    assert post(client, f"{ADMIN}/{pid}/publier").status_code == 409  # not closed yet
    sign_in_as(client, PERSONAS["resident"])
    assert post(client, f"{PUBLIC}/{pid}/bulletin", ballot(ideas, 2, 8, 0)).status_code == 303
    sign_in_as(client, PERSONAS["admin"])
    assert post(client, f"{PUBLIC}/{pid}/bulletin", ballot(ideas, 0, 3, 7)).status_code == 303
    assert post(client, f"{ADMIN}/{pid}", {**form, "budget": "5"}).status_code == 422  # open: the budget stays
    sign_in_as(client, PERSONAS["facilitator"])
    assert post(client, f"{ADMIN}/{pid}/clore").status_code == 303
    page = get(client, f"{PUBLIC}/{pid}")
    assert parse(page.text).find(id="resultats-table") is None  # hidden until published
    assert "Les résultats seront publiés par la commune." in text_of(page.text)
    with db.session() as session:
        assert gates.facts_for(session, session.get(Commune, commune_id(db))).prioritisations_done == 0
    assert post(client, f"{ADMIN}/{pid}/publier").status_code == 303
    table = parse(get(client, f"{PUBLIC}/{pid}").text).find(id="resultats-table")
    rows = [[td.text() for td in tr.find_all("td")] + [tr.find("th").text()] for tr in table.find("tbody").find_all("tr")]
    assert rows == [["1", "11", "Une halle pour le marché"], ["2", "7", "Un chemin jusqu’au pont"],
                    ["3", "2", "Des arbres sur le foirail"]]
    assert "2 bulletins comptés" in text_of(get(client, f"{PUBLIC}/{pid}").text)
    with db.session() as session:
        assert gates.facts_for(session, session.get(Commune, commune_id(db))).prioritisations_done == 1
    assert post(client, f"{ADMIN}/{pid}/publier").status_code == 409
    with db.session() as session:  # the journal announces it, once
        assert session.scalars(select(JournalPost.body).where(JournalPost.kind == "prioritisation")).all() == [
            f"2 bulletins ont été comptés.\n\n[Les résultats]({PUBLIC}/{pid})"]


def test_a_workshop_s_scores(client, db, ideas):
    with db.session() as session:
        wid = session.scalar(select(Workshop.id).where(Workshop.commune_id == commune_id(db)))
    sign_in_as(client, PERSONAS["facilitator"])
    response = post(client, f"{ADMIN}/nouveau", {"method": "workshop", "title": "Atelier de priorisation",
                                                 "mode": "points", "workshop": str(wid)})
    assert response.status_code == 303
    pid = int(re.search(r"/priorites/(\d+)/scores", response.headers["location"]).group(1))
    form = parse(get(client, f"{ADMIN}/{pid}/scores").text).find("main").find("form")
    assert [i.get("name") for i in form.find_all("input") if i.get("type") == "number"] == [f"idea-{i}" for i in ideas]
    bad = post(client, f"{ADMIN}/{pid}/scores", ballot(ideas, "12", "-3", ""))
    assert bad.status_code == 422 and "positifs ou nuls" in text_of(bad.text)
    assert parse(bad.text).find("input", name=f"idea-{ideas[1]}").get("value") == "-3"
    assert post(client, f"{ADMIN}/{pid}/scores", ballot(ideas, "12", "30", "")).status_code == 303
    with db.session() as session:
        assert services.done_count(session, commune_id(db)) == 1
        assert session.get(Prioritisation, pid).workshop_id == wid
    client.cookies.delete("revital_session", domain="testserver.local")
    table = parse(get(client, f"{PUBLIC}/{pid}").text).find(id="resultats-table")
    assert [tr.find("th").text() for tr in table.find("tbody").find_all("tr")] == [
        "Une halle pour le marché", "Des arbres sur le foirail", "Un chemin jusqu’au pont"]


def test_a_workshop_of_another_commune_is_refused(client, db, ideas):
    cid = commune_id(db, OTHER)
    with db.session() as session:
        other = session.scalar(select(Workshop.id).where(Workshop.commune_id == cid))
    sign_in_as(client, PERSONAS["facilitator"])
    response = post(client, f"{ADMIN}/nouveau", {"method": "workshop", "title": "Atelier", "mode": "points",
                                                 "workshop": str(other)})
    assert response.status_code == 422 and "Choisissez l’atelier" in text_of(response.text)


def test_the_demo_vote_is_held_over_the_commune_s_ideas(db, ideas):
    with db.transaction() as session:
        assert prioritisation_demo.load(session) == 12
    with db.session() as session:
        vote = session.scalar(select(Prioritisation).where(Prioritisation.commune_id == commune_id(db)))
        assert services.state_of(vote) == "published" and services.voters_count(session, vote) == 12
        assert sum(r.total for r in services.results(session, vote)) <= 120
        assert services.done_count(session, commune_id(db)) == 1


def test_erasure_deletes_the_ballots_of_an_address(client, db, ideas):
    from revital import privacy

    pid = make_vote(db)
    post(client, f"{PUBLIC}/{pid}/bulletin", {**ballot(ideas, 3, 0, 0), "email": "odette@exemple.fr"})
    post(client, f"{PUBLIC}/{pid}/bulletin", {**ballot(ideas, 0, 3, 0), "email": "jean@exemple.fr"})
    with db.session() as session:
        assert privacy.find(session, "odette@exemple.fr").ballots == 1
    with db.transaction() as session:
        assert privacy.erase(session, "odette@exemple.fr").ballots == 1
    with db.session() as session:
        assert session.scalars(select(Ballot.voter).where(Ballot.prioritisation_id == pid)).all() == ["email:jean@exemple.fr"]
