"""The demo's open call: a commune declined at the first wave applied again, and its agent's
account waits for the results (a pending role that opens nothing yet)."""

from sqlalchemy import select

from revital.calls.demo import AGENT
from revital.calls.models import Application, Call
from tests.conftest import PERSONAS, get, sign_in_as, text_of

MANAGE = "/territoires/pays-des-sources-demo/gestion/appels"


def test_the_open_call_has_an_application_to_review(client, db):
    with db.session() as session:
        call_id = session.scalar(select(Call.id).where(Call.results_published_at.is_(None)))
        application = session.scalar(select(Application).where(Application.call_id == call_id))
        name = application.commune.name
    sign_in_as(client, PERSONAS["coordinator"])
    page = text_of(get(client, f"{MANAGE}/{call_id}/candidatures").text)
    assert name in page and "l’ancienne école" in page


def test_the_applicant_signs_in_and_sees_the_role_pending(client, db):
    with db.session() as session:
        application = session.scalar(select(Application).where(Application.agent_email == AGENT))
        slug = application.commune.slug
    sign_in_as(client, AGENT)
    assert "en attente : il s’activera si la candidature de la commune est retenue" in text_of(get(client, "/compte").text)
    assert get(client, f"/communes/{slug}/gestion").status_code == 403
