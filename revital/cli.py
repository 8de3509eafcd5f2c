"""The `revital` command: serve, migrate, load the demo, manage users, import communes."""

import argparse
import getpass
import secrets
import sys
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import select

from revital.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="revital", description="Revital : démarches de revitalisation des centres-bourgs.")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the application")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--reload", action="store_true", help="restart on code changes (development)")

    db = commands.add_parser("db", help="database")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="apply the migrations")

    demo_parser = commands.add_parser("demo", help="load the demo territory (once; existing data is kept)")
    demo_parser.add_argument("--contributions", type=int, default=0,
                             help="also add N synthetic published contributions (for benchmarks)")
    demo_parser.add_argument("--commune", default="saint-etienne-du-valdonnez",
                             help="the commune (slug) that gets the synthetic contributions")

    territory = commands.add_parser("territory", help="territories")
    territory_commands = territory.add_subparsers(dest="territory_command", required=True)
    create_territory = territory_commands.add_parser("create", help="create a territory")
    create_territory.add_argument("--slug", required=True)
    create_territory.add_argument("--name", required=True)

    commune = commands.add_parser("commune", help="communes")
    commune_commands = commune.add_subparsers(dest="commune_command", required=True)
    import_communes = commune_commands.add_parser(
        "import", help="import commune boundaries from a GeoJSON file or from geo.api.gouv.fr (--api)")
    import_communes.add_argument("path", nargs="?", metavar="PATH", help="GeoJSON FeatureCollection of communes")
    import_communes.add_argument("--territory", required=True, metavar="SLUG", help="created if it does not exist")
    import_communes.add_argument("--territory-name", metavar="NAME", help="name of a territory to create")
    import_communes.add_argument("--insee", nargs="+", metavar="CODE", help="only these communes")
    import_communes.add_argument("--api", action="store_true", help="fetch the boundaries from geo.api.gouv.fr")
    import_communes.add_argument("--departement", metavar="DEP", help="with --api: every commune of a département")

    user = commands.add_parser("user", help="accounts")
    user_commands = user.add_subparsers(dest="user_command", required=True)
    create_user = user_commands.add_parser("create", help="create an account with a role")
    create_user.add_argument("--email", required=True)
    create_user.add_argument("--role", required=True,
                             help="coordinator, commune_admin, facilitator, student, partner or resident")
    create_user.add_argument("--name", default="", help="display name")
    create_user.add_argument("--commune", help="INSEE code, for commune roles")
    create_user.add_argument("--territory", help="territory slug, for coordinator")
    create_user.add_argument("--organisation", help="organisation slug, for partner")
    create_user.add_argument("--password-stdin", action="store_true", help="read the password from standard input")

    personal = commands.add_parser("personal-data", help="a person's data, by e-mail (RGPD access and erasure)")
    personal_commands = personal.add_subparsers(dest="personal_command", required=True)
    show = personal_commands.add_parser("show", help="list what is kept about an e-mail address")
    show.add_argument("--email", required=True)
    erase = personal_commands.add_parser(
        "erase", help="delete everything that names that person: contributions, memberships, supports, sessions")
    erase.add_argument("--email", required=True)
    erase.add_argument("--account", action="store_true", help="delete the account itself too")
    erase.add_argument("--yes", action="store_true", help="do it (without it, only say what would go)")

    mail = commands.add_parser("mail", help="the outbox of e-mails")
    mail_commands = mail.add_subparsers(dest="mail_command", required=True)
    mail_commands.add_parser("status", help="messages by status, the oldest waiting, the last errors")
    mail_commands.add_parser("send", help="send what is due now, once (the background sender does it too)")

    journal = commands.add_parser("journal", help="the journals of the communes")
    journal_commands = journal.add_subparsers(dest="journal_command", required=True)
    digest = journal_commands.add_parser(
        "digest", help="queue the weekly digests due now (the background sender does it on Mondays)")
    digest.add_argument("--force", action="store_true",
                        help="whatever the weekly schedule (an entry is still never sent twice)")

    contributions = commands.add_parser("contributions", help="the contributions and their authors")
    contributions_commands = contributions.add_subparsers(dest="contributions_command", required=True)
    author_notices = contributions_commands.add_parser(
        "notices", help="queue the authors' daily digests due now (the background sender does it too)")
    author_notices.add_argument("--force", action="store_true",
                                help="whatever the 24 hours since the last digest (a notice is still never sent twice)")

    sheets = commands.add_parser("sheets", help="the action sheets and their review")
    sheets_commands = sheets.add_subparsers(dest="sheets_command", required=True)
    sheets_commands.add_parser(
        "remind", help="queue the reminders due now, three days before an opinion is due (the background sender does it too)")

    args = parser.parse_args(argv)
    import revital.models  # noqa: F401 - every model, and the version listener, once at start-up

    settings = Settings.from_env()
    handler = {
        "serve": cmd_serve,
        "db": cmd_db,
        "demo": cmd_demo,
        "territory": cmd_territory,
        "commune": cmd_commune,
        "user": cmd_user,
        "personal-data": cmd_personal_data,
        "mail": cmd_mail,
        "journal": cmd_journal,
        "contributions": cmd_contributions,
        "sheets": cmd_sheets,
    }[args.command]
    return handler(args, settings) or 0


def cmd_serve(args, settings: Settings) -> int:
    import os

    import uvicorn

    # Without a configured public address, the one served here is the site's address (and
    # its allowed host).
    os.environ.setdefault("REVITAL_BASE_URL", f"http://{args.host}:{args.port}")
    uvicorn.run(
        "revital.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        reload=args.reload,
        proxy_headers=True,
        server_header=False,
    )
    return 0


def cmd_db(args, settings: Settings) -> int:
    from revital.migrate import upgrade

    upgrade(settings.database_url)
    print("Base de données à jour.")
    return 0


@contextmanager
def write_transaction(settings: Settings):
    """One write transaction on the configured database; the engine is closed afterwards."""
    from revital.db import Database

    database = Database(settings.database_url)
    try:
        with database.transaction() as session:
            yield session
    finally:
        database.dispose()


def cmd_demo(args, settings: Settings) -> int:
    from revital import demo

    with write_transaction(settings) as session:
        loaded = demo.load(session)
        added = 0
        if args.contributions > 0:
            from revital.communes.models import Commune
            from revital.contributions.demo import add_synthetic

            commune = session.scalar(select(Commune).where(Commune.slug == args.commune))
            if commune is None or not commune.boundary:
                print(f"Aucune commune « {args.commune} » avec un contour.", file=sys.stderr)
                return 1
            added = add_synthetic(session, commune, args.contributions)
    if loaded:
        print("Territoire de démonstration chargé : « Pays des Sources (démonstration) ».")
        print(f"Comptes de démonstration (mot de passe : {demo.DEMO_PASSWORD}) :")
        for email, name, _role in demo.ACCOUNTS:
            print(f"  {email:28} {name}")
    else:
        print("Le territoire de démonstration est déjà chargé : rien n’a été modifié.")
    if added:
        print(f"{added} contributions synthétiques ajoutées à « {args.commune} ».")
    return 0


def cmd_territory(args, settings: Settings) -> int:
    from revital.communes.models import Territory

    with write_transaction(settings) as session:
        if session.scalar(select(Territory).where(Territory.slug == args.slug)):
            print(f"Le territoire « {args.slug} » existe déjà.", file=sys.stderr)
            return 1
        session.add(Territory(slug=args.slug, name=args.name))
    print(f"Territoire créé : {args.name} ({args.slug}).")
    return 0


def cmd_commune(args, settings: Settings) -> int:
    from revital.geo import GeometryError, load_json
    from revital.territories import geoapi
    from revital.territories.importer import import_communes

    if not args.path and not args.api:
        return fail("Indiquez le fichier GeoJSON à importer, ou --api pour interroger geo.api.gouv.fr.")
    if args.path and args.api:
        return fail("Indiquez soit un fichier GeoJSON, soit --api, pas les deux.")
    if args.departement and not args.api:
        return fail("--departement ne s’utilise qu’avec --api.")
    try:
        codes = [geoapi.check_insee(code) for code in args.insee] if args.insee else None
        if args.api:
            collection = geoapi.fetch_communes(settings.geo_api_url, settings.geo_api_timeout,
                                               codes=codes, departement=args.departement)
            source = "geo.api.gouv.fr"
            codes = None  # the API returned exactly what was asked for
        else:
            collection = load_json(read_file(args.path))
            source = Path(args.path).name
        with write_transaction(settings) as session:
            report = import_communes(session, collection, args.territory, args.territory_name, codes, source)
    except (GeometryError, geoapi.GeoApiError, ImportFileError) as error:
        return fail(f"{error}\nRien n’a été importé.")
    for line in report.lines:
        print(line)
    print(report.summary())
    return 0


class ImportFileError(Exception):
    pass


def read_file(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise ImportFileError(f"Le fichier « {path} » n’existe pas.") from None
    except IsADirectoryError:
        raise ImportFileError(f"« {path} » est un dossier, pas un fichier GeoJSON.") from None
    except PermissionError:
        raise ImportFileError(f"Le fichier « {path} » ne peut pas être lu (permission refusée).") from None
    except OSError as error:
        raise ImportFileError(f"Le fichier « {path} » ne peut pas être lu ({error.strerror or error}).") from None


def cmd_user(args, settings: Settings) -> int:
    from revital.accounts import passwords, services
    from revital.communes.models import Commune, Organisation, Territory
    from revital.permissions import Grant

    with write_transaction(settings) as session:
        territory_id = commune_id = organisation_id = None
        if args.territory:
            territory = session.scalar(select(Territory).where(Territory.slug == args.territory))
            if territory is None:
                return fail(f"Aucun territoire « {args.territory} ». Créez-le avec : revital territory create")
            territory_id = territory.id
        if args.commune:
            commune = session.scalar(select(Commune).where(Commune.insee == args.commune))
            if commune is None:
                return fail(f"Aucune commune de code INSEE {args.commune}.")
            commune_id = commune.id
        if args.organisation:
            organisation = session.scalar(select(Organisation).where(Organisation.slug == args.organisation))
            if organisation is None:
                return fail(f"Aucune organisation « {args.organisation} ».")
            organisation_id = organisation.id
        grant = Grant(args.role, territory_id, commune_id, organisation_id)
        password, generated = read_password(args)
        problem = passwords.password_problem(password, args.email)
        if problem:
            return fail(problem)
        try:
            services.create_user(session, args.email, args.name, passwords.hash_password(password), [grant])
        except ValueError as error:
            return fail(str(error))
    print(f"Compte créé : {args.email} ({args.role}).")
    if generated:
        print(f"Mot de passe provisoire (à changer dès la première connexion) : {password}")
    return 0


def listed(label: str, rows, line) -> None:
    """A count, then one indented line a row (line(*row))."""
    print(f"  {label} : {len(rows)}")
    for row in rows:
        print(f"    {line(*row)}")


def cmd_personal_data(args, settings: Settings) -> int:
    from revital import privacy

    with write_transaction(settings) as session:
        found = privacy.find(session, args.email)
        print(f"Données conservées pour {found.email} :")
        print(f"  compte : {found.account or 'aucun'}" + (f" ({', '.join(found.roles)})" if found.roles else ""))
        print(f"  sessions de connexion ouvertes : {found.sessions}")
        print(f"  tentatives de connexion comptées : {found.attempts}")
        print(f"  e-mails dans la file d’envoi (en attente ou envoyés) : {found.emails}")
        print(f"  liens de réinitialisation du mot de passe : {found.links}")
        listed("contributions", found.contributions, lambda number, commune, title, status:
               f"n° {number} — {commune} — « {title} » ({status})")
        listed("soutiens donnés", found.supports, lambda number, commune, title: f"n° {number} — {commune} — « {title} »")
        listed("membre de groupes locaux", found.memberships, lambda _number, commune, name: f"{commune} — {name}")
        listed("articles du journal écrits (signés par la commune)", found.journal_posts,
               lambda number, commune, title: f"n° {number} — {commune} — « {title} »")
        listed("journaux de bord suivis par e-mail", found.followed,
               lambda commune, confirmed: commune + ("" if confirmed else " (pas encore confirmé)"))
        listed("inscriptions à des ateliers", found.registrations, lambda number, commune, title, status:
               f"n° {number} — {commune} — « {title} » ({status})")
        listed("semaines d’étudiants (membre de l’équipe)", found.student_weeks, lambda number, commune, title, role:
               f"n° {number} — {commune} — « {title} » ({role})")
        listed("observations des semaines d’étudiants", found.observations,
               lambda number, commune, title: f"n° {number} — {commune} — « {title} »")
        listed("propositions d’étudiants rédigées (œuvre de l’équipe)", found.proposals,
               lambda number, commune, title: f"n° {number} — {commune} — « {title} »")
        listed("candidatures à un appel (comme contact)", found.applications, lambda number, commune, call, role:
               f"n° {number} — {commune} — « {call} » ({role})")
        print(f"  nouvelles de leurs contributions (à envoyer ou envoyées) : {found.author_notices}")
        print(f"  bulletins de vote sur les pistes d’action : {found.ballots}")
        listed("avis de partenaire donnés (au nom de leur organisation)", found.opinions,
               lambda number, commune, title: f"n° {number} — {commune} — fiche « {title} »")
        listed("versions de feuille de route publiées", found.roadmaps,
               lambda _number, commune, version: f"{commune} — version {version}")
        if args.personal_command == "erase":
            if not args.yes:
                print("Rien n’a été effacé : ajoutez --yes pour effacer tout cela"
                      + (" et le compte." if args.account else " (et --account pour le compte lui-même)."))
                return 0
            user = privacy.account_of(session, privacy.normalise(args.email))
            erased = privacy.erase(session, args.email, account=args.account, base_url=settings.base_url,
                                   secret=settings.secret_key)
            if settings.redis_url:
                forget_in_redis(settings, user.id if user else None, privacy.throttle_keys(found.email))
            print(f"Effacé : {erased.contributions} contribution(s), {erased.supports} soutien(s), "
                  f"{erased.memberships} inscription(s) à un groupe local, {erased.sessions} session(s), "
                  f"{erased.attempts} compteur(s) de tentatives, {erased.emails} e-mail(s) de la file d’envoi, "
                  f"{erased.links} lien(s) de réinitialisation, le contact de {erased.applications} candidature(s), "
                  f"le suivi de {erased.followed} journal(aux) de bord, {erased.registrations} inscription(s) à des ateliers, "
                  f"{erased.student_weeks} participation(s) à une semaine d’étudiants, "
                  f"{erased.observations} observation(s) d’étudiants.")
            if erased.author_notices or erased.ballots:
                print(f"Effacé aussi : {erased.author_notices} nouvelle(s) de leurs contributions, "
                      f"{erased.ballots} bulletin(s) de vote.")
            if erased.proposals:
                print(f"{erased.proposals} proposition(s) d’étudiants gardée(s), œuvre de l’équipe, "
                      "sans plus de lien avec le compte.")
            if erased.journal_posts:
                print(f"{erased.journal_posts} article(s) du journal gardé(s), signé(s) par la commune, "
                      "sans plus de lien avec le compte.")
            if erased.opinions:
                print(f"{erased.opinions} avis de partenaire gardé(s), au nom de leur organisation, "
                      "sans plus de lien avec le compte.")
            if erased.roadmaps:
                print(f"{erased.roadmaps} version(s) de feuille de route gardée(s), celles de la commune, "
                      "sans plus le nom de qui les a publiées.")
            if erased.account:
                print("Le compte est supprimé.")
            elif user is not None:
                print("Le compte reste : ajoutez --account pour le supprimer aussi.")
    return 0


MAIL_STATUS_LABELS = {"waiting": "en attente", "sending": "en cours d’envoi", "sent": "envoyés",
                      "failed": "abandonnés"}


def cmd_mail(args, settings: Settings) -> int:
    from revital.db import Database
    from revital.formatting import datetime_fr
    from revital.mail import outbox
    from revital.mail.sender import sender_for

    database = Database(settings.database_url)
    try:
        if args.mail_command == "send":
            sender = sender_for(settings, database)
            if sender.transport is None:
                return fail("REVITAL_SMTP_URL n’est pas défini : rien ne peut être envoyé. "
                            "Les messages restent dans la file d’envoi.")
            report = sender.send_due()
            print(f"{report.sent} message(s) envoyé(s), {report.failed} échec(s) (réessayés plus tard).")
            return 0
        with database.session() as session:
            found = outbox.status(session)
            print("File d’envoi : " + ", ".join(
                f"{count} {MAIL_STATUS_LABELS[name]}" for name, count in found.counts.items()))
            if found.oldest_waiting:
                print(f"Plus ancien message en attente : {datetime_fr(found.oldest_waiting)}")
            if found.errors:
                print("Dernières erreurs :")
                for row in found.errors:
                    print(f"  n° {row.id} {row.kind or '-'} ({MAIL_STATUS_LABELS[row.status]}, "
                          f"{row.attempts} tentative(s)) : {row.last_error}")
        return 0
    finally:
        database.dispose()


def cmd_journal(args, settings: Settings) -> int:
    from revital.db import Database
    from revital.journal.followers import send_digests

    database = Database(settings.database_url)
    try:
        queued = send_digests(database, settings, force=args.force)
    finally:
        database.dispose()
    print(f"{queued} e-mail(s) de nouvelles du journal mis dans la file d’envoi.")
    return 0


def cmd_contributions(args, settings: Settings) -> int:
    from revital.contributions.notices import send_author_digests
    from revital.db import Database

    database = Database(settings.database_url)
    try:
        queued = send_author_digests(database, settings, force=args.force)
    finally:
        database.dispose()
    print(f"{queued} e-mail(s) aux auteurs de contributions mis dans la file d’envoi.")
    return 0


def cmd_sheets(args, settings: Settings) -> int:
    from revital.db import Database
    from revital.sheets.notices import send_reminders

    database = Database(settings.database_url)
    try:
        queued = send_reminders(database, settings)
    finally:
        database.dispose()
    print(f"{queued} rappel(s) de demande d’avis mis dans la file d’envoi.")
    return 0


def forget_in_redis(settings: Settings, user_id: int | None, throttle_keys: list[str]) -> None:
    """Sessions and throttles kept in Redis rather than in the database."""
    from datetime import timedelta

    import redis

    from revital.accounts.sessions import RedisSessions, RedisThrottle, Timeouts

    client = redis.Redis.from_url(settings.redis_url)
    if user_id is not None:
        RedisSessions(client, Timeouts(timedelta(0), timedelta(0))).delete_user(user_id)
    for key in throttle_keys:
        RedisThrottle(client).clear(key)
    client.close()


def read_password(args) -> tuple[str, bool]:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n"), False
    if sys.stdin.isatty():
        first = getpass.getpass("Mot de passe : ")
        second = getpass.getpass("Le même, une seconde fois : ")
        if first != second:
            raise SystemExit("Les deux saisies diffèrent.")
        return first, False
    return secrets.token_urlsafe(15), True


def fail(message: str) -> int:
    print(message, file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
