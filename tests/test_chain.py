"""The whole chain, through HTTP, from what a resident said to what the commune decided, and back:
a contribution is published, a stake of the diagnostic takes it up, it becomes an idea, the idea is
retained; its page says so as a dated timeline, and its author, who left an address, gets one
digest that tells all of it."""

import secrets
from urllib.parse import urlencode

from sqlalchemy import select

from revital.communes.models import Commune
from revital.contributions import notices
from revital.contributions.models import AuthorNotice, Contribution
from revital.ideas.models import Axis, Idea
from revital.mail.models import Outbox
from tests.conftest import MAIN, PERSONAS, csrf_token, get, post, sign_in_as, text_of
from tests.dom import parse

AUTHOR = "odette@exemple.fr"


def post_pairs(client, url, pairs):
    body = urlencode(list(pairs) + [("_csrf_token", csrf_token(client))]).encode()
    return client.post(url, content=body, headers={"content-type": "application/x-www-form-urlencoded"},
                       follow_redirects=False)


def test_from_a_contribution_to_a_retained_idea_and_back(client, db, settings):
    with db.transaction() as session:
        commune = session.scalar(select(Commune).where(Commune.slug == MAIN))
        contribution = Contribution(
            commune_id=commune.id, kind="idea", category="commerce", title="Un marché le samedi matin",
            body="Les producteurs du Valdonnez vendraient sur la place.", phase="emergence", status="pending",
            author_name="Odette", author_email=AUTHOR, submission_token=secrets.token_urlsafe(18))
        session.add(contribution)
        session.flush()
        cid, commune_id = contribution.id, commune.id
    sign_in_as(client, PERSONAS["facilitator"])
    assert post(client, f"/communes/{MAIN}/gestion/moderation/{cid}/publish").status_code == 303
    response = post_pairs(client, f"/communes/{MAIN}/gestion/diagnostic/enjeux/nouveau", [
        ("contribution", str(cid)), ("theme", "commerce"), ("afom", "opportunity"),
        ("title", "Des producteurs tout proches"), ("text", "Un marché ferait venir du monde."),
        ("priority", "2"), ("version", "0")])
    assert response.status_code == 303
    assert post(client, f"/communes/{MAIN}/gestion/pistes/depuis-contribution/{cid}").status_code == 303
    with db.transaction() as session:
        idea = session.scalar(select(Idea).where(Idea.title == "Un marché le samedi matin"))
        idea.axis_id = session.scalar(select(Axis.id).where(Axis.commune_id == commune_id).order_by(Axis.position))
        idea_id = idea.id
    sign_in_as(client, PERSONAS["admin"])  # the commune decides
    response = post(client, f"/communes/{MAIN}/gestion/pistes/{idea_id}/decision",
                    {"status": "retained", "reason": "Un premier marché au printemps."})
    assert response.status_code == 303

    client.cookies.delete("revital_session", domain="testserver.local")
    page = parse(get(client, f"/communes/{MAIN}/contributions/{cid}").text)
    lines = [li.text() for li in page.find(id="devenir").parent.find_all("li")]
    assert [line.split(" — ", 1)[1] for line in lines] == [
        "Publiée sur la carte de la commune.",
        "A nourri l’enjeu « Des producteurs tout proches » du diagnostic.",
        "A inspiré la piste d’action « Un marché le samedi matin ».",
        "La piste « Un marché le samedi matin » est retenue par la commune : Un premier marché au printemps.",
    ]
    assert f"/communes/{MAIN}/pistes/{idea_id}" in page.find(id="devenir").parent.hrefs()
    idea_page = text_of(get(client, f"/communes/{MAIN}/pistes/{idea_id}").text)
    assert "Un marché le samedi matin" in idea_page and "Un premier marché au printemps." in idea_page

    with db.session() as session:
        kinds = [n.kind for n in session.scalars(select(AuthorNotice).where(AuthorNotice.email == AUTHOR)
                                                 .order_by(AuthorNotice.id))]
    assert kinds == [notices.PUBLISHED, notices.STAKE, notices.IDEA, notices.RETAINED]
    assert notices.send_author_digests(db, settings, force=True) == 1
    with db.session() as session:
        (message,) = session.scalars(select(Outbox).where(Outbox.to_address == AUTHOR)).all()
    assert "Des producteurs tout proches" in message.text and "est retenue par la commune" in message.text
    assert message.unsubscribe_url
    assert notices.send_author_digests(db, settings, force=True) == 0  # nothing twice
