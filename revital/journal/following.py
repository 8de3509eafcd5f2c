"""Following a commune's journal by e-mail, the rules: the signed links of a follower, the weekly
schedule of the digest, and the French e-mails. Pure: no database, no framework.

- A follower's links (confirm, stop) carry an HMAC-SHA256 of the application's secret over the
  purpose, the follower's id, address and the time its row was made (`created_at`, renewed by a
  new request while unconfirmed, fixed once confirmed): nothing is stored, erasing the row kills
  its links (a row made again, even with the same id, has other links), and a new confirmation
  e-mail replaces the link of the previous one.
- The digest leaves once a week, on Monday at 08:00 in France (`digest_mark`); a follower is due
  when confirmed and not sent a digest since the last mark.
- The HTML of an e-mail escapes everything the commune wrote.
"""

import html
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from revital import signing
from revital.formatting import date_fr
from revital.markdown import plain

CONFIRM = "confirmer"
STOP = "arreter"
CONFIRM_LIFETIME = timedelta(days=7)
PARIS = ZoneInfo("Europe/Paris")
DIGEST_HOUR = time(8)
EXCERPT = 300
TOKEN_LENGTH = signing.TOKEN_LENGTH


def token(secret: str, purpose: str, follower_id: int, email: str, created_at: datetime) -> str:
    stamp = utc(created_at).strftime("%Y%m%dT%H%M%S.%f")
    return signing.sign(secret, "journal-follower", purpose, follower_id, email.strip().lower(), stamp)


def link(secret: str, purpose: str, follower_id: int, email: str, created_at: datetime) -> str:
    """The last segment of a follower's address: "{id}-{token}"."""
    return f"{follower_id}-{token(secret, purpose, follower_id, email, created_at)}"


def parse_link(value: str) -> tuple[int, str] | None:
    """(follower id, token) from "{id}-{token}", or None for anything else."""
    return signing.parse_link(value)


def genuine(secret: str, purpose: str, follower_id: int, email: str, created_at: datetime, candidate: str) -> bool:
    return signing.genuine(token(secret, purpose, follower_id, email, created_at), candidate)


def confirmable(created_at: datetime, now: datetime) -> bool:
    """A confirmation link works for CONFIRM_LIFETIME after the request that sent it."""
    return utc(now) - utc(created_at) <= CONFIRM_LIFETIME


def utc(value: datetime) -> datetime:
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)


def digest_mark(now: datetime) -> datetime:
    """The latest Monday 08:00 in France at or before now, in UTC."""
    now = utc(now)
    local = now.astimezone(PARIS)
    monday = local.date() - timedelta(days=local.weekday())
    mark = datetime.combine(monday, DIGEST_HOUR, tzinfo=PARIS).astimezone(UTC)
    if mark > now:
        mark = datetime.combine(monday - timedelta(days=7), DIGEST_HOUR, tzinfo=PARIS).astimezone(UTC)
    return mark


def is_due(confirmed_at: datetime | None, last_digest_at: datetime | None, mark: datetime) -> bool:
    return confirmed_at is not None and (last_digest_at is None or utc(last_digest_at) < utc(mark))


@dataclass(frozen=True)
class Entry:
    """A journal entry as the digest tells it."""

    title: str
    published_at: datetime
    excerpt: str
    url: str


def entry(title: str, published_at: datetime, body: str, url: str) -> Entry:
    return Entry(title=title, published_at=published_at, excerpt=plain(body, EXCERPT), url=url)


DIGEST_SUBJECT = "Les nouvelles de la démarche"
CONFIRM_SUBJECT = "Confirmez que vous suivez le journal de bord"
ALREADY_SUBJECT = "Vous suivez déjà le journal de bord"


def digest_text(commune_name: str, entries: list[Entry], journal_url: str, stop_url: str) -> str:
    parts = [f"Bonjour,\n\nDu nouveau dans le journal de bord de {commune_name} :"]
    for item in entries:
        block = f"{item.title}\nPublié le {date_fr(item.published_at)}"
        if item.excerpt:
            block += f"\n{item.excerpt}"
        parts.append(f"{block}\nLire l’article : {item.url}")
    parts.append(f"Tout le journal de bord : {journal_url}")
    parts.append(f"Vous recevez cet e-mail parce que vous suivez le journal de bord de {commune_name} : un e-mail "
                 f"par semaine au plus, seulement s’il y a du nouveau. Pour ne plus le recevoir, un clic suffit :\n"
                 f"{stop_url}")
    parts.append("— Revital")
    return "\n\n".join(parts) + "\n"


def digest_html(commune_name: str, entries: list[Entry], journal_url: str, stop_url: str) -> str:
    e = html.escape
    name = e(commune_name)
    items = "\n".join(
        f'<h2><a href="{e(item.url)}">{e(item.title)}</a></h2>\n'
        f"<p><small>Publié le {e(date_fr(item.published_at))}</small></p>\n"
        + (f"<p>{e(item.excerpt)}</p>\n" if item.excerpt else "")
        + f'<p><a href="{e(item.url)}">Lire l’article</a></p>'
        for item in entries)
    return (f'<!DOCTYPE html>\n<html lang="fr"><head><meta charset="utf-8"></head><body>\n'
            f"<p>Bonjour,</p>\n<p>Du nouveau dans le journal de bord de {name} :</p>\n{items}\n"
            f'<p><a href="{e(journal_url)}">Tout le journal de bord</a></p>\n'
            f"<p><small>Vous recevez cet e-mail parce que vous suivez le journal de bord de {name} : un e-mail "
            f"par semaine au plus, seulement s’il y a du nouveau. "
            f'<a href="{e(stop_url)}">Ne plus le recevoir</a> (un clic suffit).</small></p>\n'
            f"<p>— Revital</p>\n</body></html>\n")


def confirm_text(commune_name: str, confirm_url: str) -> str:
    return (f"Bonjour,\n\nQuelqu’un, vous sans doute, a demandé à suivre par e-mail le journal de bord de "
            f"{commune_name}.\n\nPour le confirmer, ouvrez ce lien dans les 7 jours et cliquez sur « Confirmer » :\n"
            f"{confirm_url}\n\nVous recevrez alors un e-mail par semaine au plus, seulement s’il y a du nouveau ; "
            f"chaque e-mail contient un lien pour arrêter en un clic.\n\n"
            f"Si vous n’avez rien demandé, ignorez ce message : sans confirmation, vous ne recevrez rien.\n\n— Revital\n")


def already_text(commune_name: str, journal_url: str, stop_url: str) -> str:
    return (f"Bonjour,\n\nVous avez demandé à suivre le journal de bord de {commune_name} : vous le suivez déjà, "
            f"rien ne change. Vous recevez un e-mail par semaine au plus, seulement s’il y a du nouveau.\n\n"
            f"Le journal de bord : {journal_url}\n\n"
            f"Pour ne plus le suivre, un clic suffit :\n{stop_url}\n\n— Revital\n")
