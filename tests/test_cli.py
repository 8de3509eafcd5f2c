"""The `revital` command."""

import io
import os
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from revital import cli
from revital.accounts.models import RoleGrant, User
from revital.accounts.passwords import verify_password
from revital.communes.models import Commune, Territory
from revital.localgroups.models import Member
from revital.process.models import Process


@pytest.fixture
def env(monkeypatch, database_url, tmp_path):
    monkeypatch.setenv("REVITAL_DATABASE_URL", database_url)
    monkeypatch.setenv("REVITAL_SECRET_KEY", "cli-test-secret")
    monkeypatch.setenv("REVITAL_INSTANCE_DIR", str(tmp_path / "instance"))


def count(database, model):
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_demo_loads_once_and_keeps_existing_data(env, empty_db, capsys):
    assert cli.main(["demo"]) == 0
    assert "Territoire de démonstration chargé" in capsys.readouterr().out
    assert count(empty_db, Commune) == 10
    with empty_db.transaction() as session:
        session.scalar(select(Commune).where(Commune.insee == "48070")).description = "Modifié par la commune"
        session.add(Member(group_id=1, name="Ajout local", kind="resident"))
    members = count(empty_db, Member)
    assert cli.main(["demo"]) == 0
    assert "déjà chargé" in capsys.readouterr().out
    assert count(empty_db, Commune) == 10 and count(empty_db, Member) == members
    with empty_db.session() as session:
        assert session.scalar(select(Commune.description).where(Commune.insee == "48070")) == "Modifié par la commune"


def test_demo_communes_are_at_different_phases(env, empty_db):
    cli.main(["demo"])
    with empty_db.session() as session:
        phases = dict(session.execute(select(Commune.insee, Process.phase).join(Process, Process.commune_id == Commune.id)).all())
    assert phases == {"48147": "emergence", "48027": "feasibility", "48070": "diagnostic", "48043": "implementation"}


def test_first_coordinator_of_a_real_instance(env, empty_db, capsys, monkeypatch):
    assert cli.main(["territory", "create", "--slug", "pays-gevaudan", "--name", "Pays du Gévaudan"]) == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO("une phrase de passe solide\n"))
    assert cli.main(["user", "create", "--email", "Chargee@Pays.fr", "--role", "coordinator",
                     "--territory", "pays-gevaudan", "--name", "Chargée de mission", "--password-stdin"]) == 0
    assert "Compte créé : Chargee@Pays.fr (coordinator)." in capsys.readouterr().out
    with empty_db.session() as session:
        user = session.scalar(select(User).where(User.email == "chargee@pays.fr"))
        assert verify_password(user.password_hash, "une phrase de passe solide")
        [grant] = session.scalars(select(RoleGrant).where(RoleGrant.user_id == user.id)).all()
        territory = session.scalar(select(Territory).where(Territory.slug == "pays-gevaudan"))
        assert (grant.role, grant.territory_id, grant.commune_id) == ("coordinator", territory.id, None)


def test_user_create_generates_a_password_when_none_is_given(env, db, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert cli.main(["user", "create", "--email", "elu@grandrieu.fr", "--role", "commune_admin", "--commune", "48070"]) == 0
    out = capsys.readouterr().out
    assert "Mot de passe provisoire" in out
    password = out.strip().rsplit(" ", 1)[-1]
    with db.session() as session:
        assert verify_password(session.scalar(select(User.password_hash).where(User.email == "elu@grandrieu.fr")), password)


@pytest.mark.parametrize("args, message", [
    (["--role", "commune_admin", "--commune", "99999"], "Aucune commune de code INSEE 99999."),
    (["--role", "coordinator", "--territory", "nulle-part"], "Aucun territoire « nulle-part »"),
    (["--role", "commune_admin"], "demande une commune"),
    (["--role", "roi", "--commune", "48147"], "Rôle inconnu : roi"),
    (["--role", "partner", "--commune", "48147"], "demande une organisation"),
    (["--role", "resident", "--email", "habitant@revital.test"], "Un compte existe déjà pour habitant@revital.test."),
])
def test_user_create_refuses_bad_input_in_french(env, db, capsys, monkeypatch, args, message):
    monkeypatch.setattr(sys, "stdin", io.StringIO("une phrase de passe solide\n"))
    if "--email" not in args:
        args = ["--email", "nouveau@revital.test", *args]
    users = count(db, User)
    assert cli.main(["user", "create", *args, "--password-stdin"]) == 1
    assert message in capsys.readouterr().err
    assert count(db, User) == users


def test_user_create_refuses_a_weak_password(env, db, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("court\n"))
    assert cli.main(["user", "create", "--email", "x@revital.test", "--role", "resident", "--password-stdin"]) == 1
    assert "au moins 12 caractères" in capsys.readouterr().err


def test_db_upgrade_on_a_fresh_sqlite_file(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    environment = {**os.environ, "REVITAL_DATABASE_URL": url, "REVITAL_SECRET_KEY": "x"}
    result = subprocess.run([sys.executable, "-m", "revital.cli", "db", "upgrade"], env=environment,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Base de données à jour." in result.stdout
    assert (tmp_path / "fresh.sqlite3").exists()


def test_production_without_a_secret_key_refuses_to_start(tmp_path):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("REVITAL_")}
    environment.update(REVITAL_INSTANCE_DIR=str(tmp_path / "instance"), REVITAL_DATABASE_URL=f"sqlite:///{tmp_path}/x.sqlite3")
    result = subprocess.run([sys.executable, "-m", "revital.cli", "db", "upgrade"], env=environment,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "REVITAL_SECRET_KEY is required in production" in result.stderr


def test_commands_work_in_a_fresh_process(tmp_path):
    """Each command imports only what it needs: the models must still resolve each other."""
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    environment = {**os.environ, "REVITAL_DATABASE_URL": url, "REVITAL_SECRET_KEY": "x"}

    def run(*args, stdin=""):
        return subprocess.run([sys.executable, "-m", "revital.cli", *args], env=environment, input=stdin,
                              capture_output=True, text=True, timeout=120)

    assert run("db", "upgrade").returncode == 0
    result = run("territory", "create", "--slug", "pays-test", "--name", "Pays test")
    assert result.returncode == 0, result.stderr
    result = run("user", "create", "--email", "c@pays-test.fr", "--role", "coordinator", "--territory", "pays-test",
                 "--password-stdin", stdin="une phrase de passe solide\n")
    assert result.returncode == 0, result.stderr


def test_serve_on_another_port_accepts_its_own_address(tmp_path):
    """`make run PORT=8090` serves pages at http://127.0.0.1:8090 (the allowed host follows the port)."""
    import socket
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"sqlite:///{tmp_path / 'serve.sqlite3'}"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("REVITAL_")}
    environment.update(REVITAL_DATABASE_URL=url, REVITAL_ENV="development", REVITAL_INSTANCE_DIR=str(tmp_path))
    subprocess.run([sys.executable, "-m", "revital.cli", "db", "upgrade"], env=environment, check=True,
                   capture_output=True, timeout=120)
    server = subprocess.Popen([sys.executable, "-m", "revital.cli", "serve", "--port", str(port)], env=environment,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as response:
                    assert response.status == 200
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError("the server did not answer")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
            assert response.status == 200
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_demo_adds_synthetic_contributions_inside_the_commune(env, empty_db, capsys):
    from shapely.geometry import Point

    from revital import geo
    from revital.contributions.models import Contribution

    assert cli.main(["demo", "--contributions", "300"]) == 0
    assert "300 contributions synthétiques ajoutées à « saint-etienne-du-valdonnez »." in capsys.readouterr().out
    with empty_db.session() as session:
        commune = session.scalar(select(Commune).where(Commune.slug == "saint-etienne-du-valdonnez"))
        zone = geo.from_geojson(commune.boundary)
        rows = session.scalars(select(Contribution).where(Contribution.title.like("Contribution de test%"))).all()
    assert len(rows) == 300 and all(r.status == "published" for r in rows)
    assert all(zone.covers(Point(r.lon, r.lat)) for r in rows)
    assert cli.main(["demo", "--contributions", "5", "--commune", "atlantis"]) == 1


def test_personal_data_show_and_erase(env, db, capsys):
    from revital.contributions.models import Contribution, Support
    from revital.localgroups.models import LocalGroup, Member

    with db.transaction() as session:
        commune = session.scalar(select(Commune).where(Commune.insee == "48147"))
        c = Contribution(commune_id=commune.id, kind="idea", category="commerce", title="Mon idée privée",
                         body="", phase="emergence", status="published", author_email="Lea@Exemple.fr",
                         submission_token="rgpd-1")
        session.add(c)
        session.flush()
        session.add(Support(contribution_id=c.id, voter="browser:x"))
        group = session.scalar(select(LocalGroup).where(LocalGroup.commune_id == commune.id))
        session.add(Member(group_id=group.id, name="Léa", kind="resident", email="lea@exemple.fr"))
        version = commune.contributions_version
    assert cli.main(["personal-data", "show", "--email", "LEA@exemple.fr"]) == 0
    out = capsys.readouterr().out
    assert "contributions : 1" in out and "« Mon idée privée »" in out and "Saint-Étienne-du-Valdonnez — Léa" in out
    assert cli.main(["personal-data", "erase", "--email", "lea@exemple.fr"]) == 0
    assert "Rien n’a été effacé" in capsys.readouterr().out
    assert cli.main(["personal-data", "erase", "--email", "lea@exemple.fr", "--yes"]) == 0
    assert "Effacé : 1 contribution(s), 0 soutien(s), 1 inscription(s)" in capsys.readouterr().out
    with db.session() as session:
        assert session.scalar(select(Contribution).where(Contribution.title == "Mon idée privée")) is None
        assert session.scalar(select(Member).where(Member.email == "lea@exemple.fr")) is None
        assert session.scalars(select(Support).where(Support.voter == "browser:x")).all() == []
        assert session.scalar(select(Commune.contributions_version).where(Commune.insee == "48147")) == version + 1


def test_erasure_covers_every_table_that_names_the_person(env, db, settings, capsys):
    """The resident's account supported others' contributions, signed in twice and failed once:
    show lists it all, erase removes it all (the supports counted off), --account the account."""
    from revital.accounts.models import Throttle, User, UserSession
    from revital.contributions.models import Contribution, Support
    from tests.conftest import PERSONAS, make_client, post, sign_in_as

    email = PERSONAS["resident"]
    with db.session() as session:
        targets = session.scalars(select(Contribution).where(Contribution.status == "published")
                                  .order_by(Contribution.id).limit(2)).all()
        counts = {c.id: c.supports_count for c in targets}
    with make_client(settings) as client:
        assert post(client, "/connexion", {"email": email, "password": "pas le bon mot de passe"}).status_code == 422
        sign_in_as(client, email)
        sign_in_as(client, email)
        commune_slug = {c.commune_id for c in targets}
        for c in targets:
            with db.session() as session:
                slug = session.get(Commune, c.commune_id).slug
            assert post(client, f"/communes/{slug}/contributions/{c.id}/soutenir").status_code == 303
    assert commune_slug
    assert cli.main(["personal-data", "show", "--email", email]) == 0
    out = capsys.readouterr().out
    assert "soutiens donnés : 2" in out and "sessions de connexion ouvertes : 2" in out
    assert "tentatives de connexion comptées : 1" in out and "Habitant" in out
    assert cli.main(["personal-data", "erase", "--email", email, "--yes"]) == 0
    out = capsys.readouterr().out
    assert "2 soutien(s)" in out and "2 session(s)" in out and "1 compteur(s) de tentatives" in out
    assert "Le compte reste : ajoutez --account" in out
    with db.session() as session:
        user = session.scalar(select(User).where(User.email == email))
        assert session.scalars(select(Support).where(Support.voter == f"user:{user.id}")).all() == []
        assert session.scalars(select(UserSession).where(UserSession.user_id == user.id)).all() == []
        assert session.scalars(select(Throttle).where(Throttle.key.contains(email))).all() == []
        for cid, before in counts.items():
            assert session.get(Contribution, cid).supports_count == before
    assert cli.main(["personal-data", "erase", "--email", email, "--account", "--yes"]) == 0
    assert "Le compte est supprimé." in capsys.readouterr().out
    with db.session() as session:
        assert session.scalar(select(User).where(User.email == email)) is None


def test_erasure_unlinks_a_partners_opinions_and_a_publishers_name(env, db, capsys):
    """A partner's opinion stays (its organisation's, on the sheet's record) without its link to the
    account; a roadmap version stays (what the council voted) without the publisher's name."""
    from revital.roadmaps.models import Roadmap
    from revital.sheets.models import Opinion
    from tests.conftest import PERSONAS

    with db.transaction() as session:
        partner = session.scalar(select(User).where(User.email == PERSONAS["partner"]))
        admin = session.scalar(select(User).where(User.email == PERSONAS["coordinator"]))
        opinion = session.scalars(select(Opinion).order_by(Opinion.id)).first()
        opinion.author_id = partner.id
        roadmap = session.scalars(select(Roadmap).order_by(Roadmap.id)).first()
        roadmap.author_id, roadmap.author_name = admin.id, "Camille Publieuse"
        opinion_id, roadmap_id = opinion.id, roadmap.id
        session.flush()
        mine = session.scalar(select(func.count()).select_from(Opinion).where(Opinion.author_id == partner.id))
    assert cli.main(["personal-data", "show", "--email", PERSONAS["partner"]]) == 0
    assert f"avis de partenaire donnés (au nom de leur organisation) : {mine}" in capsys.readouterr().out
    assert cli.main(["personal-data", "show", "--email", PERSONAS["coordinator"]]) == 0
    assert "versions de feuille de route publiées : 1" in capsys.readouterr().out
    for persona in ("partner", "coordinator"):
        assert cli.main(["personal-data", "erase", "--email", PERSONAS[persona], "--yes"]) == 0
    out = capsys.readouterr().out
    assert f"{mine} avis de partenaire gardé(s)" in out and "1 version(s) de feuille de route gardée(s)" in out
    with db.session() as session:
        assert session.get(Opinion, opinion_id).author_id is None
        kept = session.get(Roadmap, roadmap_id)
        assert (kept.author_id, kept.author_name) == (None, "")
