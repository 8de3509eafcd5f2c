"""Fixtures shared by the whole suite.

The suite runs on SQLite by default and on PostgreSQL when REVITAL_DATABASE_URL names one:
it then creates a database of its own, migrates it, and drops it at the end, so that runs
never see each other's data. Each test starts from a clean database with the demo territory.
"""

import html as _html
import os
import re
import sys
import time
import uuid
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pytest
from litestar.testing import TestClient
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from revital import demo
from revital.accounts.models import RoleGrant, User
from revital.app import create_app, shape_of, state_for
from revital.caching import Cache
from revital.communes.models import Commune
from revital.db import Database, is_sqlite
from revital.formatting import paris
from revital.migrate import upgrade
from revital.models import Base
from revital.permissions import COMMUNE_ADMIN
from revital.settings import Settings

BASE_URL = "https://testserver.local"
MAIN = "saint-etienne-du-valdonnez"
OTHER = "grandrieu"

PERSONAS = {
    "resident": "habitant@revital.test",
    "facilitator": "animation@revital.test",
    "partner": "partenaire@revital.test",
    "student": "etudiant@revital.test",
    "supervisor": "encadrant@revital.test",
    "admin": "commune@revital.test",
    "other_admin": "autre-commune@revital.test",
    "coordinator": "coordination@revital.test",
}


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    configured = os.environ.get("REVITAL_DATABASE_URL", "")
    if not configured or is_sqlite(configured):
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'revital.sqlite3'}"
        upgrade(url)
        yield url
        return
    name = f"revital_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(configured, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(configured).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def shared_db(database_url):
    database = Database(database_url)
    yield database
    database.dispose()


TABLES = Base.metadata.sorted_tables


def sequences(database: Database) -> list[tuple[str, str, str]]:
    """(table, column, sequence) of every PostgreSQL sequence behind a key; none on SQLite."""
    if database.sqlite:
        return []
    found = []
    with database.session() as session:
        for table in TABLES:
            for column in table.primary_key.columns:
                sequence = session.scalar(text("SELECT pg_get_serial_sequence(:t, :c)"),
                                          {"t": f'"{table.name}"', "c": column.name})
                if sequence:
                    found.append((table.name, column.name, sequence))
    return found


def wipe(database: Database, rows: dict | None = None) -> None:
    """Empty every table (DELETE: on a database this small it is far quicker than TRUNCATE on
    PostgreSQL), then put back `rows` ({table: [row, ...]}) with their keys, and set each sequence
    where a fresh load would have left it."""
    rows = rows or {}
    with database.transaction() as session:
        if database.sqlite:
            for table in reversed(TABLES):
                session.execute(table.delete())
        else:  # one round trip for all of them
            session.connection().exec_driver_sql("; ".join(f'DELETE FROM "{t.name}"' for t in reversed(TABLES)))
        for table in TABLES:
            if rows.get(table.name):
                session.execute(table.insert(), rows[table.name])
        settings = []
        for name, column, sequence in database.test_sequences:
            highest = max((row[column] for row in rows.get(name, ())), default=None)
            settings.append(f"setval('{sequence}', {int(highest or 1)}, {'true' if highest else 'false'})")
        if settings:
            session.connection().exec_driver_sql("SELECT " + ", ".join(settings))


@pytest.fixture(scope="session")
def shared_db(database_url):
    database = Database(database_url)
    database.test_sequences = sequences(database)
    yield database
    database.dispose()


@pytest.fixture
def empty_db(shared_db):
    """A clean database with no data at all."""
    wipe(shared_db)
    return shared_db


def load_demo(database: Database) -> None:
    with database.transaction() as session:
        demo.load(session)
        other = session.scalar(select(Commune).where(Commune.slug == OTHER))
        user = User(email=PERSONAS["other_admin"], display_name="Mairie de Grandrieu",
                    password_hash=demo.demo_password_hash())
        user.grants.append(RoleGrant(role=COMMUNE_ADMIN, commune_id=other.id))
        session.add(user)


DEMO_KEPT_FOR = 300  # seconds: the demo's times are "now" give or take this


@pytest.fixture(scope="session")
def demo_rows():
    """The demo as rows, loaded once and kept for a few minutes: putting rows back takes a few
    hundredths of a second, loading the demo more than half a second, and every test needs it.
    Reloaded when older than DEMO_KEPT_FOR or when the day changes in France, so that its dates
    stay those of a fresh load."""
    kept = {}

    def rows_of(database: Database) -> dict:
        day = paris(datetime.now(timezone.utc)).date()  # a new day in France: dates relative to today move
        if kept and time.monotonic() - kept["at"] < DEMO_KEPT_FOR and kept["day"] == day:
            return kept["rows"]
        wipe(database)
        load_demo(database)
        with database.session() as session:
            kept["rows"] = {table.name: [dict(row._mapping) for row in session.execute(table.select())]
                            for table in TABLES}
        kept["at"], kept["day"] = time.monotonic(), day
        return kept["rows"]

    return rows_of


@pytest.fixture
def db(shared_db, demo_rows):
    """A clean database with the demo territory and one more account: the admin of another commune."""
    wipe(shared_db, demo_rows(shared_db))
    return shared_db


@pytest.fixture
def settings(database_url, tmp_path):
    return Settings(
        database_url=database_url,
        secret_key="test-secret-key-that-is-long-enough-for-csrf",
        environment="test",
        base_url=BASE_URL,
        instance_dir=tmp_path / "instance",
        mail_interval=0,  # no background sender: tests send the outbox themselves (tests/test_mail.py)
    )


def forget_module_caches() -> None:
    """Empty the caches modules keep between requests (feeds, exports, PDFs), which outlive a test:
    their keys name versions, and a test that changes rows behind the versions' back must not
    leave what it built to the next test, whose restored demo has the same versions."""
    for name, module in list(sys.modules.items()):
        if name.startswith("revital"):
            for value in list(vars(module).values()):
                if isinstance(value, Cache):
                    value.clear()


@pytest.fixture(scope="session")
def applications():
    """One application per shape of settings (revital.app.shape_of) for the whole run: building
    one registers some 1,300 handlers and takes half a second. Each test gives it a fresh state."""
    return {}


@pytest.fixture
def app(settings, db, applications):
    forget_module_caches()
    shape = shape_of(settings)
    if shape not in applications:
        applications[shape] = create_app(settings)
    else:
        applications[shape].state = state_for(settings.resolved())
    return applications[shape]


@pytest.fixture
def client(app):
    with TestClient(app, base_url=BASE_URL) as test_client:
        yield test_client


def make_client(settings, **changes):
    return TestClient(create_app(replace(settings, **changes)), base_url=BASE_URL)


def user_id(database: Database, email: str) -> int:
    with database.session() as session:
        return session.scalar(select(User.id).where(User.email == email))


def sign_in_as(client: TestClient, email: str) -> None:
    """Open a session for the account directly in the store (sign-in itself is tested on its own)."""
    state = client.app.state
    token = state.sessions.create(user_id(state.db, email))
    client.cookies.set("revital_session", token, domain="testserver.local")


def csrf_token(client: TestClient) -> str:
    if "revital_csrf" not in client.cookies:
        client.get("/connexion")
    return client.cookies["revital_csrf"]


def post(client: TestClient, url: str, data: dict | None = None, **kwargs):
    """POST a form the way a browser does: with the CSRF token the page put in the form."""
    form = dict(data or {})
    form["_csrf_token"] = csrf_token(client)
    return client.post(url, data=form, follow_redirects=False, **kwargs)


def get(client: TestClient, url: str, **kwargs):
    return client.get(url, follow_redirects=False, **kwargs)


@pytest.fixture
def as_persona(client):
    def sign_in(persona: str) -> TestClient:
        if persona != "anonymous":
            sign_in_as(client, PERSONAS[persona])
        return client

    return sign_in


TAG = re.compile(r"<[^>]+>")


def text_of(html: str) -> str:
    """The visible text of a page, whitespace folded."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", _html.unescape(TAG.sub(" ", html))).strip()


CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium through Playwright. Without it, browser tests skip with the reason; where
    REVITAL_REQUIRE_BROWSER is set (.ci/run), a missing browser fails them instead."""
    if not CHROMIUM.exists():
        reason = "Chromium is not installed at /usr/bin/chromium (apt-get install chromium)"
        if os.environ.get("REVITAL_REQUIRE_BROWSER"):
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        yield launched
        launched.close()
