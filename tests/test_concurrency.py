"""Concurrent writers lose nothing: BEGIN IMMEDIATE on SQLite, row locks on PostgreSQL."""

import threading

from sqlalchemy import select

from revital.communes.models import Commune
from revital.db import Database
from revital.localgroups.models import Member
from revital.permissions import ANONYMOUS
from revital.process import services
from revital.process.models import PhaseTransition, Process
from revital.process.phases import Facts
from revital.web import CurrentUser
from tests.conftest import MAIN, PERSONAS, get, make_client, post, sign_in_as, text_of

WRITERS = 16
ROUNDS = 10


def run_threads(target, count):
    errors = []

    def wrapped(i):
        try:
            target(i)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=wrapped, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def main_process_id(database) -> int:
    with database.session() as session:
        return session.scalar(select(Process.id).join(Commune).where(Commune.slug == MAIN))


def test_read_modify_write_loses_no_update(db):
    """16 writers each read a counter and write it back plus one, ten times: every increment counts."""
    process_id = main_process_id(db)
    with db.session() as session:
        start = session.get(Process, process_id).version
    database = Database(db.url)

    def writer(_):
        for _ in range(ROUNDS):
            with database.session(write=True) as session:
                process = session.scalar(select(Process).where(Process.id == process_id).with_for_update())
                value = process.version
                process.version = value + 1
                session.commit()

    errors = run_threads(writer, WRITERS)
    database.dispose()
    assert errors == []
    with db.session() as session:
        assert session.get(Process, process_id).version == start + WRITERS * ROUNDS


def test_concurrent_phase_moves_make_one_transition(db):
    """Eight people press "phase suivante" on the same page at once: the process moves once."""
    process_id = main_process_id(db)
    with db.session() as session:
        process = session.get(Process, process_id)
        seen, commune_id, phase = process.version, process.commune_id, process.phase
        before = len(process.transitions)
    user = CurrentUser(1, "x@revital.test", "Testeur", ANONYMOUS)
    database = Database(db.url)
    outcomes = []

    def mover(_):
        with database.session(write=True) as session:
            try:
                services.move(session, commune_id, "next", "Nous avançons malgré tout.", True, seen, user, Facts())
                session.commit()
                outcomes.append("moved")
            except services.StaleProcess:
                session.rollback()
                outcomes.append("stale")

    errors = run_threads(mover, 8)
    database.dispose()
    assert errors == []
    assert sorted(outcomes) == ["moved"] + ["stale"] * 7
    with db.session() as session:
        process = session.get(Process, process_id)
        assert process.phase == "feasibility" and phase == "emergence"
        assert process.version == seen + 1
        count = len(session.scalars(select(PhaseTransition).where(PhaseTransition.process_id == process_id)).all())
        assert count == before + 1


def test_concurrent_member_additions_over_http(settings, db):
    """16 facilitators add a member at the same moment through the application: 16 members, no error."""
    clients = []
    for _ in range(WRITERS):
        client = make_client(settings).__enter__()
        sign_in_as(client, PERSONAS["facilitator"])
        get(client, "/connexion")
        clients.append(client)
    statuses = []

    def add(i):
        response = post(clients[i], f"/communes/{MAIN}/gestion/groupe-local/membres",
                        {"name": f"Personne {i:02d}", "kind": "resident"})
        statuses.append(response.status_code)

    errors = run_threads(add, WRITERS)
    for client in clients:
        client.__exit__(None, None, None)
    assert errors == []
    assert statuses == [303] * WRITERS
    with db.session() as session:
        names = session.scalars(select(Member.name).where(Member.name.like("Personne %"))).all()
    assert sorted(names) == [f"Personne {i:02d}" for i in range(WRITERS)]


def test_concurrent_additions_of_one_place_name_make_one_place(settings, db):
    """Eight facilitators add « Lavoir » at the same moment: one place, seven refusals in French."""
    from revital.geography.models import Place

    clients = []
    for _ in range(8):
        client = make_client(settings).__enter__()
        sign_in_as(client, PERSONAS["facilitator"])
        get(client, "/connexion")
        clients.append(client)
    responses = []

    def add(i):
        responses.append(post(clients[i], f"/communes/{MAIN}/gestion/lieux",
                              {"name": "Lavoir" if i % 2 else "LAVOIR", "lon": "3.5641", "lat": "44.4566"}))

    errors = run_threads(add, 8)
    for client in clients:
        client.__exit__(None, None, None)
    assert errors == []
    assert sorted(r.status_code for r in responses) == [303] + [422] * 7
    assert all("Un lieu s’appelle déjà" in text_of(r.text) for r in responses if r.status_code == 422)
    with db.session() as session:
        names = session.scalars(select(Place.name).join(Commune).where(Commune.slug == MAIN,
                                                                        Place.name.in_(["Lavoir", "LAVOIR"]))).all()
    assert len(names) == 1


def test_concurrent_theme_settings_lose_no_theme(settings, db):
    """Six people add a theme each from the settings form, at the same moment: six new themes."""
    import json

    from tests.dom import form_values, parse

    clients, forms = [], []
    for _ in range(6):
        client = make_client(settings).__enter__()
        sign_in_as(client, PERSONAS["admin"])
        page = parse(get(client, f"/communes/{MAIN}/gestion").text)
        forms.append(form_values(page.find("form", action=f"/communes/{MAIN}/gestion/participation")))
        clients.append(client)
    statuses = []

    def save(i):
        response = post(clients[i], f"/communes/{MAIN}/gestion/participation", {**forms[i], "new_themes": [f"Thème {i}"]})
        statuses.append(response.status_code)

    errors = run_threads(save, 6)
    for client in clients:
        client.__exit__(None, None, None)
    assert errors == [] and statuses == [303] * 6
    with db.session() as session:
        themes = json.loads(session.scalar(select(Commune.categories).where(Commune.slug == MAIN)))
    assert sorted(code for code in themes if code.startswith("theme-")) == [f"theme-{i}" for i in range(6)]


def test_stale_phase_form_is_refused_in_french(client, db):
    sign_in_as(client, PERSONAS["admin"])
    version = None
    with db.session() as session:
        version = session.get(Process, main_process_id(db)).version
    first = post(client, f"/communes/{MAIN}/gestion/phase",
                 {"direction": "back", "reason": "Reprendre le diagnostic.", "version": version})
    assert first.status_code == 303
    second = post(client, f"/communes/{MAIN}/gestion/phase",
                  {"direction": "back", "reason": "Reprendre le diagnostic.", "version": version})
    assert second.status_code == 409
    assert "La démarche a changé depuis l’affichage de cette page" in text_of(second.text)
    with db.session() as session:
        assert session.get(Process, main_process_id(db)).phase == "diagnostic"
