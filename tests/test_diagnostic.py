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
