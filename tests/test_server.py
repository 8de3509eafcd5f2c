"""Concurrency and lifecycle through a real `revital serve` process, on the suite's database.

The in-process test client is not a server: it passed 32 concurrent supports while eight
against `revital serve` hung every thread. These tests start the command itself, on SQLite or
PostgreSQL (whichever the suite runs on), and post from many browsers at once.
"""

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import psycopg
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from revital import demo
from revital.communes.models import Commune
from revital.contributions.models import Contribution
from revital.db import Database
from tests.conftest import MAIN, wipe

ROOT = Path(__file__).resolve().parent.parent
REVITAL = Path(sys.executable).with_name("revital")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, url: str, process: subprocess.Popen, log: Path):
        self.url = url
        self.process = process
        self.log = log

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30, follow_redirects=False)


def start_server(database_url: str, tmp_path: Path, **env) -> Server:
    port = free_port()
    log = tmp_path / f"server-{port}.log"
    environment = {
        **os.environ,
        "REVITAL_DATABASE_URL": database_url,
        "REVITAL_ENV": "development",
        "REVITAL_INSTANCE_DIR": str(tmp_path / "instance"),
        "REVITAL_CONTRIBUTIONS_PER_HOUR": "1000",
        **env,
    }
    environment.pop("REVITAL_REDIS_URL", None)
    with log.open("w") as output:
        process = subprocess.Popen([str(REVITAL), "serve", "--port", str(port)], env=environment, cwd=ROOT,
                                   stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    with httpx.Client(timeout=2) as probe:
        while time.monotonic() < deadline:
            try:
                if probe.get(url + "/health").status_code == 200:
                    return Server(url, process, log)
            except httpx.HTTPError:
                time.sleep(0.1)
    process.kill()
    raise RuntimeError("revital serve did not start:\n" + log.read_text())


def stop_server(server: Server) -> None:
    os.killpg(server.process.pid, signal.SIGTERM)
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait()


@pytest.fixture(scope="module")
def served(shared_db, tmp_path_factory):
    wipe(shared_db)
    with shared_db.transaction() as session:
        demo.load(session)
    server = start_server(shared_db.url, tmp_path_factory.mktemp("serve"))
    yield server
    stop_server(server)


def at_once(count: int, target) -> list:
    """Run target(i) in count threads released together; the results in order."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(i):
        barrier.wait()
        try:
            results[i] = target(i)
        except Exception as error:  # noqa: BLE001 - reported in the results
            results[i] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def published_contribution(database: Database) -> tuple[int, int]:
    with database.session() as session:
        row = session.execute(
            select(Contribution.id, Contribution.supports_count).join(Commune)
            .where(Commune.slug == MAIN, Contribution.status == "published").order_by(Contribution.id)
        ).first()
    return row.id, row.supports_count


def supports_of(database: Database, contribution_id: int) -> int:
    with database.session() as session:
        return session.scalar(select(Contribution.supports_count).where(Contribution.id == contribution_id))


def browser(server: Server, page: str) -> httpx.Client:
    """A browser that has opened a page: it holds its CSRF cookie."""
    client = server.client()
    assert client.get(page).status_code == 200
    return client


def support(client: httpx.Client, page: str) -> int:
    return client.post(page + "/soutenir", data={"_csrf_token": client.cookies["revital_csrf"]}).status_code


def test_32_browsers_support_at_once_then_one_browser_16_times(served, shared_db):
    contribution_id, before = published_contribution(shared_db)
    page = f"/communes/{MAIN}/contributions/{contribution_id}"
    browsers = [browser(served, page) for _ in range(32)]
    assert at_once(32, lambda i: support(browsers[i], page)) == [303] * 32
    assert supports_of(shared_db, contribution_id) == before + 32
    repeat = browsers[0]
    assert at_once(16, lambda i: support(repeat, page)) == [303] * 16
    assert supports_of(shared_db, contribution_id) == before + 32
    with served.client() as client:
        assert client.get("/health").status_code == 200
    for client in browsers:
        client.close()


def contribution_form(client: httpx.Client) -> str:
    page = client.get(f"/communes/{MAIN}/contribuer")
    assert page.status_code == 200
    return re.search(r'name="token" value="([^"]+)"', page.text).group(1)


def submit(client: httpx.Client, token: str, title: str) -> int:
    fields = {"_csrf_token": client.cookies["revital_csrf"], "token": token, "kind": "idea", "category": "commerce",
              "title": title, "body": "Envoyée en même temps que d’autres.", "where": "none", "consent": "1"}
    # A browser sends the form as multipart, with an empty file part when no photo is chosen.
    response = client.post(f"/communes/{MAIN}/contribuer", data=fields,
                           files={"photo": ("", b"", "application/octet-stream")})
    return response.status_code


def count_titled(database: Database, prefix: str) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(Contribution).where(Contribution.title.like(prefix + "%")))


def test_32_submissions_at_once_make_32_contributions(served, shared_db):
    browsers = [served.client() for _ in range(32)]
    tokens = [contribution_form(client) for client in browsers]
    results = at_once(32, lambda i: submit(browsers[i], tokens[i], f"Simultanée {i:02d}"))
    assert results == [303] * 32
    assert count_titled(shared_db, "Simultanée ") == 32
    for client in browsers:
        client.close()


def test_one_form_posted_10_times_at_once_makes_one_contribution(served, shared_db):
    with served.client() as client:
        token = contribution_form(client)
        results = at_once(10, lambda i: submit(client, token, "Dix fois la même"))
        assert results == [303] * 10
        assert count_titled(shared_db, "Dix fois la même") == 1
        assert client.get("/health").status_code == 200


@pytest.fixture
def impatient(shared_db, tmp_path):
    """A server that waits one second at most for the database."""
    wipe(shared_db)
    with shared_db.transaction() as session:
        demo.load(session)
    server = start_server(shared_db.url, tmp_path, REVITAL_DB_WAIT_SECONDS="1")
    yield server
    stop_server(server)


def test_a_request_that_cannot_get_the_lock_gets_a_french_503(impatient, shared_db):
    contribution_id, before = published_contribution(shared_db)
    page = f"/communes/{MAIN}/contributions/{contribution_id}"
    client = browser(impatient, page)
    # Someone else holds the write lock (SQLite) or the contribution's row (PostgreSQL).
    if shared_db.sqlite:
        holder = sqlite3.connect(make_url(shared_db.url).database, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
    else:
        holder = psycopg.connect(make_url(shared_db.url).set(drivername="postgresql").render_as_string(False))
        holder.execute("SELECT id FROM contributions WHERE id = %s FOR UPDATE", (contribution_id,))
    try:
        response = client.post(page + "/soutenir", data={"_csrf_token": client.cookies["revital_csrf"]})
    finally:
        holder.rollback()
        holder.close()
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert "réessayez dans quelques secondes" in response.text
    assert "Traceback" not in response.text
    # Nothing was half-written, and the server is not stuck.
    assert supports_of(shared_db, contribution_id) == before
    assert client.get("/health").status_code == 200
    assert support(client, page) == 303
    assert supports_of(shared_db, contribution_id) == before + 1
    client.close()


def open_call(database: Database) -> tuple[int, str]:
    from revital.calls.models import Call

    with database.session() as session:
        call = session.scalar(select(Call).where(Call.results_published_at.is_(None)))
        return call.id, f"/territoires/{demo.DEMO_SLUG}/appels/{call.id}/candidater"


def applicants(database: Database, count: int) -> list[str]:
    """INSEE codes of count communes of the demo territory that have not applied to the open call:
    the demo's (but the one that applied), then new ones."""
    from revital.calls.models import Application, Call

    with database.transaction() as session:
        territory_id = session.scalar(select(Commune.territory_id).where(Commune.slug == MAIN))
        applied = select(Application.commune_id).join(Call).where(Call.results_published_at.is_(None))
        codes = list(session.scalars(select(Commune.insee).where(Commune.territory_id == territory_id,
                                                                 Commune.id.not_in(applied))))
        for n in range(count - len(codes)):
            session.add(Commune(territory_id=territory_id, insee=f"48{900 + n}", name=f"Commune d’essai {n}",
                                slug=f"commune-essai-{n}"))
            codes.append(f"48{900 + n}")
    return codes[:count]


def apply(client: httpx.Client, form: str, insee: str) -> int:
    client.get(form)
    fields = {"_csrf_token": client.cookies["revital_csrf"], "insee": insee, "motivation": "Ensemble.",
              "stakes": "Le centre-bourg.", "referent_name": "Élu", "referent_role": "Maire", "agent_name": "Agent",
              "agent_role": "Secrétaire", "agent_email": f"mairie-{insee}@exemple.fr", "action": "submit"}
    return client.post(form, data=fields).status_code


def test_20_communes_apply_at_once_and_one_commune_10_times(served, shared_db):
    from revital.calls.demo import AGENT
    from revital.calls.models import Application
    from revital.mail.models import Outbox

    call_id, form = open_call(shared_db)
    codes = applicants(shared_db, 21)
    browsers = [served.client() for _ in range(20)]
    assert at_once(20, lambda i: apply(browsers[i], form, codes[i])) == [303] * 20
    results = at_once(10, lambda i: apply(browsers[i], form, codes[20]))
    assert sorted(results) == [303] + [422] * 9
    with shared_db.session() as session:
        assert session.scalar(select(func.count()).select_from(Application).where(
            Application.call_id == call_id, Application.agent_email != AGENT)) == 21  # besides the demo's
        # each one's e-mail was written with it: none lost, none twice
        assert session.scalar(select(func.count(func.distinct(Outbox.to_address)))
                              .where(Outbox.kind == "application")) == 21
        assert session.scalar(select(func.count()).select_from(Outbox).where(Outbox.kind == "application")) == 21
    for client in browsers:
        client.close()


def test_50_registrations_at_once_for_20_places(served, shared_db):
    from datetime import timedelta

    from revital.db import utcnow
    from revital.mail.models import Outbox
    from revital.workshops.models import Registration, Workshop

    with shared_db.transaction() as session:
        commune = session.scalar(select(Commune).where(Commune.slug == MAIN))
        workshop = Workshop(commune_id=commune.id, phase="emergence", kind="thematic", title="Atelier très demandé",
                            starts_at=utcnow() + timedelta(days=3), ends_at=utcnow() + timedelta(days=3, hours=2),
                            address="Salle des fêtes", capacity=20, public=True, registration_open=True)
        session.add(workshop)
        session.flush()
        workshop_id = workshop.id
    page = f"/communes/{MAIN}/ateliers/{workshop_id}"
    browsers = []
    try:
        browsers = [browser(served, page) for _ in range(50)]

        def register(i):
            client = browsers[i]
            return client.post(page + "/inscription", data={"_csrf_token": client.cookies["revital_csrf"],
                                                            "name": f"Personne {i}", "email": f"p{i}@exemple.fr",
                                                            "people": "1"}).status_code

        assert at_once(50, register) == [303] * 50
        with shared_db.session() as session:
            counts = dict(session.execute(select(Registration.status, func.count()).where(
                Registration.workshop_id == workshop_id).group_by(Registration.status)).all())
            assert counts == {"confirmed": 20, "waiting": 30}
            # one e-mail each, written with the registration
            assert session.scalar(select(func.count()).select_from(Outbox).where(
                Outbox.kind == "workshop-registration", Outbox.to_address.like("p%@exemple.fr"))) == 50
        assert browsers[0].get("/health").status_code == 200
    finally:
        for client in browsers:
            client.close()


def test_32_ballots_at_once_then_one_address_10_times(served, shared_db):
    from datetime import timedelta

    from revital.db import utcnow
    from revital.ideas.models import Idea
    from revital.mail.models import Outbox
    from revital.prioritisation.models import Ballot, BallotChoice, Prioritisation

    with shared_db.transaction() as session:
        commune = session.scalar(select(Commune).where(Commune.slug == MAIN))
        ideas = [Idea(commune_id=commune.id, title=f"Piste {n}", status="open") for n in range(3)]
        vote = Prioritisation(commune_id=commune.id, method="vote", title="Vote très suivi", mode="points", budget=10,
                              status="open", opens_at=utcnow() - timedelta(days=1), closes_at=utcnow() + timedelta(days=3))
        session.add_all([*ideas, vote])
        session.flush()
        vote_id, idea_ids = vote.id, [i.id for i in ideas]
    page = f"/communes/{MAIN}/priorites/{vote_id}"
    browsers = []
    try:
        browsers = [browser(served, page) for _ in range(32)]

        def vote_as(client, email, points):
            return client.post(page + "/bulletin", data={"_csrf_token": client.cookies["revital_csrf"], "email": email,
                                                         f"idea-{idea_ids[0]}": str(points)}).status_code

        assert at_once(32, lambda i: vote_as(browsers[i], f"votant{i}@exemple.fr", 1 + i % 10)) == [303] * 32
        assert at_once(10, lambda i: vote_as(browsers[i], "meme@exemple.fr", 1 + i)) == [303] * 10
        with shared_db.session() as session:
            voters = session.scalars(select(Ballot.voter).where(Ballot.prioritisation_id == vote_id)).all()
            assert len(voters) == 33 and voters.count("email:meme@exemple.fr") == 1
            same = session.scalar(select(Ballot.id).where(Ballot.voter == "email:meme@exemple.fr"))
            assert session.scalar(select(func.count()).select_from(BallotChoice)
                                  .where(BallotChoice.ballot_id == same)) == 1
            assert session.scalar(select(func.count()).select_from(Outbox).where(
                Outbox.kind == "ballot-confirmation")) == 42  # each ballot asks for its confirmation
        assert browsers[0].get("/health").status_code == 200
    finally:
        for client in browsers:
            client.close()
