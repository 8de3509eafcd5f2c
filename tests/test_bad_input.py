"""Bad input gets a clear French message and loses nothing: never a 5xx, never a stack trace.

Invalid UTF-8, forged or expired form tokens with choices missing, duplicate and missing
fields, control characters; and a property-based test that posts arbitrary forms to every
form of the application.
"""

import os
from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from litestar.testing import TestClient
from sqlalchemy import select

from revital.app import create_app
from revital.communes.models import Commune
from revital.contributions.models import Contribution
from revital.diagnostic.models import Stake
from revital.geography.models import Place
from revital.ideas.models import Axis, Idea
from revital.localgroups.models import LocalGroup, Member
from revital.students.models import Proposal, StudentWeek
from tests.conftest import BASE_URL, MAIN, PERSONAS, csrf_token, sign_in_as, text_of
from tests.test_contributions import FORM, contributions, form, token

BOUNDARY = "----revitalboundary"


def multipart(fields: list[tuple[str, bytes]], boundary: str = BOUNDARY) -> bytes:
    parts = []
    for name, value in fields:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode() + value + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode()


def post_multipart(client, url: str, fields: dict[str, bytes | str]):
    pairs = [("_csrf_token", csrf_token(client).encode())]
    pairs += [(k, v if isinstance(v, bytes) else v.encode()) for k, v in fields.items()]
    return client.post(url, content=multipart(pairs), follow_redirects=False,
                       headers={"content-type": f"multipart/form-data; boundary={BOUNDARY}"})


def post_urlencoded(client, url: str, body: bytes):
    body = b"_csrf_token=" + csrf_token(client).encode() + b"&" + body
    return client.post(url, content=body, follow_redirects=False,
                       headers={"content-type": "application/x-www-form-urlencoded"})


def test_invalid_utf8_in_a_multipart_field_gives_the_form_back_with_a_french_message(client, db):
    fields = form(db, title=None)
    fields["title"] = "Un lavoir à restaurer ".encode() + b"\xff\xfe"
    response = post_multipart(client, FORM, fields)
    assert response.status_code == 422
    page = text_of(response.text)
    assert "n’ont pas pu être lus" in page
    assert "Un lavoir à restaurer" in response.text  # what was typed is kept
    assert contributions(db, title="Un lavoir à restaurer \ufffd\ufffd") == []


def test_invalid_utf8_in_an_urlencoded_field_gives_the_form_back(client, db):
    sign_in_as(client, PERSONAS["facilitator"])
    response = post_urlencoded(client, f"/communes/{MAIN}/gestion/groupe-local/membres",
                               b"name=Jos%E9+Martinou&kind=resident")
    assert response.status_code == 422
    assert "n’ont pas pu être lus" in text_of(response.text)
    with db.session() as session:
        assert session.scalars(select(Member.name).where(Member.name.like("Jos%Martinou"))).all() == []


def test_nul_and_control_characters_never_reach_the_database(client, db):
    sign_in_as(client, PERSONAS["facilitator"])
    response = post_urlencoded(client, f"/communes/{MAIN}/gestion/groupe-local/membres",
                               b"name=Ren%00%07e+Dupont&kind=resident")
    assert response.status_code == 303
    with db.session() as session:
        assert "Rene Dupont" in session.scalars(select(Member.name)).all()


@pytest.mark.parametrize("forged", ["", "pas-un-jeton", "1.2.3", token(now=1)])
def test_forged_or_expired_token_with_choices_missing_gives_the_form(client, db, forged):
    """No kind, no where, no category: the form comes back, in French, with nothing lost."""
    response = post_multipart(client, FORM, {"token": forged, "title": "Sans les choix"})
    assert response.status_code == {"": 400, "pas-un-jeton": 400, "1.2.3": 400}.get(forged, 422)
    assert "Sans les choix" in response.text
    assert "<h1>Contribuer" in response.text


@pytest.mark.parametrize("forged, status", [("", 400), ("pas-un-jeton", 400), (token(now=1), 422)])
def test_paper_entry_with_a_bad_token_and_choices_missing_gives_the_form(client, db, forged, status):
    sign_in_as(client, PERSONAS["facilitator"])
    response = post_urlencoded(client, f"/communes/{MAIN}/gestion/saisie",
                               b"token=" + forged.encode() + b"&title=Sans+les+choix")
    assert response.status_code == status
    assert "Sans les choix" in response.text
    assert "Saisie des contributions papier" in text_of(response.text)


def test_duplicate_fields_take_the_first_value(client, db):
    fields = [("_csrf_token", csrf_token(client).encode())]
    fields += [(k, v.encode()) for k, v in form(db, title="Le premier titre").items()]
    fields.append(("title", b"Le second titre"))
    response = client.post(FORM, content=multipart(fields), follow_redirects=False,
                           headers={"content-type": f"multipart/form-data; boundary={BOUNDARY}"})
    assert response.status_code == 303
    assert len(contributions(db, title="Le premier titre")) == 1


def test_a_truncated_multipart_body_is_a_french_400(client):
    body = multipart([("_csrf_token", csrf_token(client).encode()), ("title", b"x")])[:-20]
    response = client.post(FORM, content=body, follow_redirects=False,
                           headers={"content-type": f"multipart/form-data; boundary={BOUNDARY}"})
    assert response.status_code == 400
    assert "Requête invalide" in text_of(response.text)


# The property: whatever is posted to any form, the answer is never a 5xx.

def path_values(db) -> dict:
    from tests.test_workshop_entry import make_workshop

    held = make_workshop(db)  # started: its paper entry takes sheets
    with db.transaction() as session:  # two ideas and an open vote on them (revital.prioritisation)
        from revital.db import utcnow
        from revital.ideas.models import Idea
        from revital.prioritisation.models import Prioritisation

        commune = session.scalar(select(Commune).where(Commune.slug == MAIN))
        session.add_all([Idea(commune_id=commune.id, title=f"Piste {n}", status="open") for n in (1, 2)])
        vote = Prioritisation(commune_id=commune.id, method="vote", title="Vote", mode="points", budget=5, status="open",
                              opens_at=utcnow(), closes_at=utcnow() + timedelta(days=3))
        session.add(vote)
        session.flush()
        vote_id = vote.id
        from revital.sheets import services as sheets  # an action sheet numbered 1 (revital.sheets.manage)
        if sheets.sheet_in(session, commune.id, 1) is None:
            sheets.create(session, commune, "Fiche 1", None)
    with db.session() as session:
        commune = session.scalar(select(Commune).where(Commune.slug == MAIN))
        return {
            "prioritisation_id": vote_id,
            "workshop_id": held,
            "slug": MAIN,
            "territory": commune.territory.slug,
            "contribution_id": session.scalar(select(Contribution.id).where(Contribution.commune_id == commune.id)),
            "place_id": session.scalar(select(Place.id).where(Place.commune_id == commune.id)),
            "member_id": session.scalar(select(Member.id).join(LocalGroup).where(LocalGroup.commune_id == commune.id)),
            "week_id": session.scalar(select(StudentWeek.id).where(StudentWeek.commune_id == commune.id)),
            "proposal_id": session.scalar(select(Proposal.id).where(Proposal.status == "draft")),
            "stake_id": session.scalar(select(Stake.id).where(Stake.commune_id == commune.id)),
            "idea_id": session.scalar(select(Idea.id).where(Idea.commune_id == commune.id)),
            "axis_id": session.scalar(select(Axis.id).where(Axis.commune_id == commune.id)),
        }


def form_urls(app, values: dict) -> list[str]:
    urls = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if "POST" not in handler.http_methods:
                continue
            path = route.path.replace("{slug:str}", values["territory"] if route.path.startswith("/territoires") else values["slug"])
            path = (path.replace("{contribution_id:int}", str(values["contribution_id"]))
                    .replace("{place_id:int}", str(values["place_id"]))
                    .replace("{member_id:int}", str(values["member_id"]))
                    .replace("{workshop_id:int}", str(values["workshop_id"]))
                    .replace("{week_id:int}", str(values["week_id"]))
                    .replace("{proposal_id:int}", str(values["proposal_id"]))
                    .replace("{stake_id:int}", str(values["stake_id"]))
                    .replace("{prioritisation_id:int}", str(values["prioritisation_id"]))
                    .replace("{idea_id:int}", str(values["idea_id"]))
                    .replace("{axis_id:int}", str(values["axis_id"]))
                    .replace("{move:str}", "monter")
                    .replace("{action:str}", "publish")
                    .replace("{number:int}", "1").replace("{section:str}", "contenu").replace("{line_id:int}", "1"))
            urls.append(path)
    return sorted(set(urls))


FIELD_NAMES = ["title", "body", "kind", "category", "where", "lon", "lat", "place", "author_name", "author_email",
               "consent", "token", "reason", "direction", "override", "version", "description", "moderation",
               "categories", "need_account", "name", "function", "email", "password", "next", "current_password",
               "new_password", "confirm_password", "perimeter", "codes", "insee", "departement", "statut", "cell", "x",
               "starts_on", "ends_on", "school", "programme", "team_name", "brief", "role", "area", "decision", "comment",
               "action", "text", "theme", "afom", "priority", "contribution", "stake", "source", "introduction", "note",
               "method", "mode", "budget", "workshop", "opens_date", "opens_time", "closes_date", "closes_time",
               "idea-1", "idea-2", "axis", "stakes", "status",
               "fingerprint", "maturity", "idea", "ideas", "contributions", "geometry", "place_name", "pilot", "partners",
               "related", "start", "end", "op_kind", "op_label", "cost_year", "cost_investment", "fund_funder",
               "fund_amount", "fund_status", "ms_label", "ms_on", "ms_done", "ind_name"]
VALUES = st.one_of(
    st.binary(max_size=40),
    st.text(max_size=40).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.sampled_from([b"", b"1", b"-1", b"0", b"next", b"back", b"map", b"place", b"none", b"idea", b"a_priori",
                     b"nan", b"inf", b"1e308", b"C4", b" h6 ", b"I9", b"99999999999999999999", b"\x00", b"\xff\xfe", b"%", b"=SUM(A1)",
                     b'{"type":"Polygon","coordinates":[[[0,0],[1,1],[0,0]]]}', b"[[[", b"null"]),
)
FIELDS = st.lists(st.tuples(st.sampled_from(FIELD_NAMES), VALUES), max_size=8)


@pytest.fixture
def coordinator_client(settings, db, monkeypatch):
    monkeypatch.setattr("revital.accounts.services.failure_delay", lambda failures, attempts: 0.0)
    app = create_app(replace(settings, geo_api_url="http://127.0.0.1:9", geo_api_timeout=1))
    with TestClient(app, base_url=BASE_URL) as client:
        sign_in_as(client, PERSONAS["coordinator"])
        yield client


def test_no_form_answers_5xx_whatever_is_posted(coordinator_client, db):
    client = coordinator_client
    urls = form_urls(client.app, path_values(db))
    assert len(urls) >= 18

    @hypothesis_settings(max_examples=len(urls) * int(os.environ.get("REVITAL_FUZZ_EXAMPLES", "12")), deadline=None, database=None,
                         suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(url=st.sampled_from(urls), fields=FIELDS, as_multipart=st.booleans())
    def check(url, fields, as_multipart):
        pairs = [("_csrf_token", csrf_token(client).encode()), *fields]
        if as_multipart:
            response = client.post(url, content=multipart(pairs), follow_redirects=False,
                                   headers={"content-type": f"multipart/form-data; boundary={BOUNDARY}"})
        else:
            from urllib.parse import quote_from_bytes

            body = "&".join(f"{quote_from_bytes(k.encode())}={quote_from_bytes(v)}" for k, v in pairs).encode()
            response = client.post(url, content=body, follow_redirects=False,
                                   headers={"content-type": "application/x-www-form-urlencoded"})
        assert response.status_code < 500, (url, fields, response.text[:2000])
        assert "Traceback" not in response.text
        if "revital_session" not in client.cookies:  # a sign-out or a password change: sign in again
            sign_in_as(client, PERSONAS["coordinator"])

    check()


ODD_URLS = [
    (f"/communes/{MAIN}/contributions?page=99999999999999999999", 200),  # the last page there is
    (f"/communes/{MAIN}/contributions?page=-3", 200),
    (f"/communes/{MAIN}/contributions?kind=%FF", 200),  # an unknown filter is no filter
    ("/communes/%00", 404),
    ("/communes/a%00b/contribuer", 404),
    (f"/communes/{MAIN}/contributions/99999999999999999999", 404),
    ("/photos/%00.jpg", 404),
    (f"/communes/{MAIN}/contribuer/merci/%00", 404),
    ("/territoires/%00/gestion/communes", 404),
    (f"/api/communes/{MAIN}/contributions.geojson?phase=%00", 400),
    ("/connexion?suivant=%00", 400),
]


@pytest.mark.parametrize("url,status", ODD_URLS)
def test_odd_addresses_get_a_french_answer(client, url, status):
    response = client.get(url, follow_redirects=False)
    assert response.status_code == status
    assert "Traceback" not in response.text


SEGMENTS = st.one_of(st.text(min_size=1, max_size=20), st.integers().map(str), st.sampled_from(["%00", "%FF", "..", MAIN]))


def test_no_page_answers_5xx_whatever_the_address(coordinator_client, db):
    client = coordinator_client
    values = path_values(db)
    paths = sorted({route.path for route in client.app.routes
                    for handler in getattr(route, "route_handlers", []) if "GET" in handler.http_methods
                    and not route.path.startswith("/static")})
    assert len(paths) >= 15

    @hypothesis_settings(max_examples=len(paths) * int(os.environ.get("REVITAL_FUZZ_EXAMPLES", "6")), deadline=None,
                         database=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(path=st.sampled_from(paths), segment=SEGMENTS, keep=st.booleans(),
           query=st.lists(st.tuples(st.sampled_from(["page", "kind", "category", "phase", "details", "ok", "statut",
                                                    "suivant", "numero", "atelier", "v", "x"]), SEGMENTS), max_size=4))
    def check(path, segment, keep, query):
        from urllib.parse import quote

        def fill(match):
            name = match.group(1)
            known = {"slug": values["territory"] if path.startswith("/territoires") else values["slug"],
                     "contribution_id": values["contribution_id"], "place_id": values["place_id"],
                     "workshop_id": values["workshop_id"], "prioritisation_id": values["prioritisation_id"]}
            return str(known[name]) if keep and name in known else quote(segment, safe="%")

        import re

        url = re.sub(r"\{(\w+):\w+\}", fill, path)
        if query:
            url += "?" + "&".join(f"{k}={quote(v, safe='%')}" for k, v in query)
        response = client.get(url, follow_redirects=False)
        assert response.status_code < 500, (url, response.text[:2000])

    check()
