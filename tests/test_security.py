"""Sessions, cookies, CSRF, headers, throttling: the traps QUALITY.md lists."""

from datetime import timedelta

from sqlalchemy import select, update

from revital.accounts.models import UserSession
from revital.accounts.sessions import token_hash
from revital.db import utcnow
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


def sign_in(client, email=PERSONAS["admin"], password="demo-revital", **extra):
    return post(client, "/connexion", {"email": email, "password": password, **extra})


def set_cookie_headers(response, name):
    return [h for h in response.headers.get_list("set-cookie") if h.startswith(name + "=")]


def test_security_headers_on_every_response(client):
    for path in ("/", f"/communes/{MAIN}", "/connexion", "/communes/atlantis", "/static/css/revital.css", "/health"):
        response = get(client, path)
        csp = response.headers["content-security-policy"]
        assert "default-src 'self'" in csp
        assert "object-src 'none'" in csp
        assert "base-uri 'none'" in csp
        assert "frame-ancestors 'none'" in csp
        assert "script-src 'self' 'nonce-" in csp
        assert "unsafe-inline" not in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"
        assert response.headers["strict-transport-security"].startswith("max-age=")


def test_inline_scripts_carry_the_request_nonce(client):
    response = get(client, f"/communes/{MAIN}")
    csp = response.headers["content-security-policy"]
    nonce = csp.split("'nonce-")[1].split("'")[0]
    assert response.text.count("<script") == response.text.count(f'nonce="{nonce}"') + 2  # + htmx and revital.js, from 'self'
    assert f'nonce="{nonce}"' in response.text
    assert get(client, f"/communes/{MAIN}").headers["content-security-policy"] != csp


def test_sign_in_sets_a_secure_httponly_lax_cookie(client):
    response = sign_in(client)
    assert response.status_code == 303
    assert response.headers["location"] == "/compte"
    [cookie] = set_cookie_headers(response, "revital_session")
    lowered = cookie.lower()
    assert "httponly" in lowered and "secure" in lowered and "samesite=lax" in lowered
    assert get(client, "/compte").status_code == 200


def test_csrf_cookie_is_secure_and_httponly(client):
    response = get(client, "/connexion")
    [cookie] = set_cookie_headers(response, "revital_csrf")
    assert "httponly" in cookie.lower() and "secure" in cookie.lower()


def test_development_cookies_work_over_plain_http(settings, db):
    with make_client(settings, environment="development", base_url="http://127.0.0.1:8000") as client:
        client.base_url = "http://127.0.0.1:8000"
        response = sign_in(client)
        [cookie] = set_cookie_headers(response, "revital_session")
        assert "secure" not in cookie.lower()
        assert "strict-transport-security" not in response.headers


def test_sign_in_issues_a_new_session_id_and_ends_the_old_one(client, db):
    sign_in_as(client, PERSONAS["resident"])
    before = client.cookies["revital_session"]
    sign_in(client)
    after = client.cookies["revital_session"]
    assert after != before
    with db.session() as session:
        assert session.get(UserSession, token_hash(before)) is None
        assert session.get(UserSession, token_hash(after)) is not None


def test_session_token_is_stored_hashed(client, db):
    sign_in(client)
    token = client.cookies["revital_session"]
    with db.session() as session:
        stored = session.scalars(select(UserSession.token_hash)).all()
    assert token not in stored
    assert token_hash(token) in stored


def test_sign_out_ends_the_session_on_the_server(client, db):
    sign_in(client)
    token = client.cookies["revital_session"]
    post(client, "/deconnexion")
    with db.session() as session:
        assert session.get(UserSession, token_hash(token)) is None
    client.cookies.set("revital_session", token, domain="testserver.local")
    response = get(client, "/compte")
    assert response.status_code == 303
    assert response.headers["location"] == "/connexion?suivant=/compte&expiree=1"


def test_idle_timeout(client, db):
    sign_in(client)
    token = client.cookies["revital_session"]
    with db.transaction() as session:
        session.execute(update(UserSession).values(last_seen_at=utcnow() - timedelta(minutes=121)))
    response = get(client, "/compte")
    assert response.status_code == 303
    assert "expiree=1" in response.headers["location"]
    signin_page = client.get(response.headers["location"])
    assert "Votre session a expiré" in text_of(signin_page.text)
    with db.session() as session:
        assert session.get(UserSession, token_hash(token)) is None


def test_activity_keeps_the_session_alive(client, db):
    sign_in(client)
    with db.transaction() as session:
        session.execute(update(UserSession).values(last_seen_at=utcnow() - timedelta(minutes=100)))
    assert get(client, "/compte").status_code == 200
    with db.session() as session:
        seen = session.scalar(select(UserSession.last_seen_at))
    assert utcnow() - seen < timedelta(minutes=1)


def test_absolute_timeout(client, db):
    sign_in(client)
    with db.transaction() as session:
        session.execute(update(UserSession).values(created_at=utcnow() - timedelta(days=8), last_seen_at=utcnow()))
    assert get(client, "/compte").status_code == 303


def test_missing_csrf_token_is_refused_in_french_and_changes_nothing(client, db):
    sign_in_as(client, PERSONAS["admin"])
    csrf_token(client)
    response = client.post(f"/communes/{MAIN}/gestion/description", data={"description": "Piraté"}, follow_redirects=False)
    assert response.status_code == 403
    assert "Le formulaire a expiré" in text_of(response.text)
    assert "Piraté" not in get(client, f"/communes/{MAIN}").text


def test_wrong_csrf_token_is_refused(client):
    sign_in_as(client, PERSONAS["admin"])
    csrf_token(client)
    response = client.post(f"/communes/{MAIN}/gestion/description",
                           data={"description": "x", "_csrf_token": "forged"}, follow_redirects=False)
    assert response.status_code == 403


def test_csrf_header_works_for_htmx_requests(client):
    sign_in_as(client, PERSONAS["admin"])
    response = client.post(
        f"/communes/{MAIN}/gestion/description",
        data={"description": "Par htmx"},
        headers={"x-csrftoken": csrf_token(client)},
        follow_redirects=False,
    )
    assert response.status_code == 303


def test_unknown_email_and_wrong_password_answer_the_same(client):
    unknown = sign_in(client, email="personne@revital.test", password="un mot de passe quelconque")
    wrong = sign_in(client, email=PERSONAS["other_admin"], password="un mot de passe quelconque")
    assert unknown.status_code == wrong.status_code == 422
    assert "Adresse e-mail ou mot de passe incorrect." in text_of(unknown.text)
    assert text_of(unknown.text).replace("personne@revital.test", "X") == text_of(wrong.text).replace(PERSONAS["other_admin"], "X")
    assert "revital_session" not in client.cookies


def test_sign_in_is_throttled_per_account(client):
    for _ in range(5):
        assert sign_in(client, password="mauvais mot de passe").status_code == 422
    response = sign_in(client)  # even the right password, now
    assert response.status_code == 429
    assert "Trop de tentatives de connexion" in text_of(response.text)
    assert int(response.headers["retry-after"]) > 0
    assert "revital_session" not in client.cookies
    # Another account from the same address still gets through.
    assert sign_in(client, email=PERSONAS["facilitator"]).status_code == 303


def test_a_busy_address_slows_failures_but_never_refuses_a_right_password(client, monkeypatch):
    """A mairie's Wi-Fi: 20 failures from one address (many people, many accounts) must not lock
    everyone out. Further failures from that address are answered more and more slowly."""
    delays = []

    async def record(seconds):
        delays.append(seconds)

    monkeypatch.setattr("revital.accounts.controllers.anyio.sleep", record)
    for i in range(20):
        assert sign_in(client, email=f"inconnu{i}@revital.test", password="mauvais mot de passe").status_code == 422
    assert delays == []
    assert sign_in(client, email=PERSONAS["facilitator"]).status_code == 303
    assert delays == []
    for i in range(3):
        assert sign_in(client, email=f"autre{i}@revital.test", password="mauvais mot de passe").status_code == 422
    assert delays == [0.5, 1.0, 1.5]
    assert sign_in(client, email=PERSONAS["admin"]).status_code == 303
    assert delays == [0.5, 1.0, 1.5]


def test_failure_delay_grows_past_the_address_limit_and_is_capped():
    from revital.accounts.services import MAX_DELAY, failure_delay

    assert failure_delay(20, 5) == 0.0
    assert failure_delay(21, 5) == 0.5
    assert failure_delay(24, 5) == 2.0
    assert failure_delay(10_000, 5) == MAX_DELAY


def test_successful_sign_in_clears_the_account_counter(client):
    for _ in range(4):
        sign_in(client, password="mauvais mot de passe")
    assert sign_in(client).status_code == 303
    post(client, "/deconnexion")
    for _ in range(4):
        assert sign_in(client, password="mauvais mot de passe").status_code == 422
    assert sign_in(client).status_code == 303


def test_next_goes_back_to_the_page_asked_for(client):
    response = get(client, f"/communes/{MAIN}/gestion")
    assert response.headers["location"] == f"/connexion?suivant=/communes/{MAIN}/gestion"
    page = client.get(response.headers["location"])
    assert f'name="next" value="/communes/{MAIN}/gestion"' in page.text
    assert sign_in(client, next=f"/communes/{MAIN}/gestion").headers["location"] == f"/communes/{MAIN}/gestion"


def test_next_never_leaves_the_site(client):
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"):
        response = sign_in(client, next=target)
        assert response.headers["location"] == "/compte", target
        post(client, "/deconnexion")


def test_unknown_host_is_refused(client):
    response = client.get("/", headers={"host": "evil.example"})
    assert response.status_code == 400


def test_html_in_user_text_is_escaped(client):
    sign_in_as(client, PERSONAS["admin"])
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    assert post(client, f"/communes/{MAIN}/gestion/description", {"description": payload}).status_code == 303
    for path in (f"/communes/{MAIN}", f"/communes/{MAIN}/gestion"):
        html = get(client, path).text
        assert payload not in html
        assert "&lt;script&gt;alert(" in html
    post(client, f"/communes/{MAIN}/gestion/groupe-local/membres", {"name": payload, "kind": "resident"})
    html = get(client, f"/communes/{MAIN}/gestion/groupe-local").text
    assert payload not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_static_files_are_cacheable(client):
    response = get(client, "/static/css/revital.css")
    assert response.status_code == 200
    assert "max-age=3600" in response.headers["cache-control"]
    assert response.headers["content-type"].startswith("text/css")


def test_expired_sessions_and_old_throttles_are_not_kept(client, db):
    from revital.accounts.models import Throttle
    from revital.accounts.sessions import THROTTLE_RETENTION

    sign_in(client)
    with db.transaction() as session:
        session.execute(update(UserSession).values(last_seen_at=utcnow() - timedelta(days=3)))
        session.add(Throttle(key="signin:address:192.0.2.1", window_start=utcnow() - THROTTLE_RETENTION * 2, hits=3))
    post(client, "/deconnexion")
    sign_in(client, email=PERSONAS["facilitator"])  # any sign-in purges expired sessions
    with db.session() as session:
        assert len(session.scalars(select(UserSession)).all()) == 1
    throttle = client.app.state.throttle
    for i in range(throttle.PURGE_EVERY):  # every hundredth hit purges old rows
        throttle.hit(f"test:{i}", timedelta(minutes=1))
    with db.session() as session:
        assert session.get(Throttle, "signin:address:192.0.2.1") is None
