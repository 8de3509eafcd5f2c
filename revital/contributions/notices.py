"""Telling the authors of contributions what became of what they said ("vous avez dit… voici ce
qui en est fait"), by a daily digest of the territory's outbox.

For the other parts of the workflow: call `notify(db, contribution, kind, text)` in the
transaction of what happened, with one French line that says it and links to it (an absolute
address: `contribution_url` or the page of the stake, the idea…). Kinds: PUBLISHED, REFUSED
(the moderation, here), STAKE (linked to a stake), IDEA (inspired an idea), RETAINED,
NOT_RETAINED (the idea's decision, with its reason). Nothing is written when the author left no
address; the notice waits for the next digest.

The digest: at most one e-mail per address every 24 hours (DIGEST_EVERY), carrying all its
notices not sent yet. Each address's digest is one write transaction: the address's notices are
locked (PostgreSQL; SQLite serialises its writers), its last digest read, its notices claimed by
one conditional UPDATE of `sent_at` (a worker that lost the race claims nothing), and the outbox
row written — so the e-mail and `sent_at` commit together, and no notice leaves twice.

Each digest carries a signed one-click stop link (and List-Unsubscribe): following it clears the
address from every contribution that carries it, and drops its notices not sent yet; nothing
else is told to that person."""

import html
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from revital import jobs, signing
from revital.communes.models import Commune
from revital.contributions.models import AuthorNotice, Contribution
from revital.db import Database, utcnow
from revital.mail import outbox

PUBLISHED, REFUSED, STAKE, IDEA, RETAINED, NOT_RETAINED = (
    "published", "refused", "stake", "idea", "idea_retained", "idea_not_retained")
KINDS = (PUBLISHED, REFUSED, STAKE, IDEA, RETAINED, NOT_RETAINED)
DIGEST_EVERY = timedelta(hours=24)
DIGEST_MAX = 50  # notices in one digest; more wait for the next one
BATCH = 200
DIGEST = "author-digest"
SUBJECT = "Ce que deviennent vos contributions"
STOP_PURPOSE = "author-notices-stop"


def contribution_url(base_url: str, commune_slug: str, contribution_id: int) -> str:
    return f"{base_url.rstrip('/')}/communes/{commune_slug}/contributions/{contribution_id}"


def notify(db: Session, contribution: Contribution, kind: str, text: str) -> AuthorNotice | None:
    """In the caller's transaction: a notice for the contribution's author, if they left an
    address (None otherwise). text: one French line, with its link."""
    email = (contribution.author_email or "").strip().lower()
    if not email:
        return None
    notice = AuthorNotice(email=email, commune_id=contribution.commune_id, contribution_id=contribution.id,
                          kind=kind[:30], text=" ".join(text.split())[:2000])
    db.add(notice)
    return notice


def moderated(db: Session, base_url: str, commune, contribution: Contribution, action: str, reason: str) -> None:
    """The notice of a moderation decision: published, or refused with its reason (a hidden
    contribution tells nothing)."""
    url = contribution_url(base_url, commune.slug, contribution.id)
    if action == "publish":
        notify(db, contribution, PUBLISHED, f"Votre contribution « {contribution.title} » est publiée : {url}")
    elif action == "reject":
        notify(db, contribution, REFUSED, f"Votre contribution « {contribution.title} » n’a pas été publiée. "
                                          f"Motif : {reason.strip()}")


# --- the stop link ----------------------------------------------------------------------------------

def stop_token(secret: str, notice_id: int, email: str) -> str:
    return signing.sign(secret, STOP_PURPOSE, notice_id, email)


def stop_url(base_url: str, secret: str, notice: AuthorNotice) -> str:
    return f"{base_url.rstrip('/')}/contributions/arreter/{notice.id}-{stop_token(secret, notice.id, notice.email)}"


def address_of_link(db: Session, link: str, secret: str) -> str | None:
    """The address a stop link names, or None if it is forged or its notice is gone."""
    parsed = signing.parse_link(link)
    if parsed is None:
        return None
    notice = db.get(AuthorNotice, parsed[0])
    if notice is None or not signing.genuine(stop_token(secret, notice.id, notice.email), parsed[1]):
        return None
    return notice.email


def stop(db: Session, email: str) -> int:
    """The person is told nothing any more: the address leaves every contribution that carries
    it, and its notices not sent yet go. Returns how many contributions lost it."""
    email = email.strip().lower()
    cleared = db.execute(update(Contribution).where(func.lower(Contribution.author_email) == email)
                         .values(author_email="").execution_options(synchronize_session=False)).rowcount
    db.execute(delete(AuthorNotice).where(AuthorNotice.email == email, AuthorNotice.sent_at.is_(None)))
    return cleared


# --- the digest -------------------------------------------------------------------------------------

def recently_sent(since: datetime):
    """The addresses that had a digest after `since`."""
    return select(AuthorNotice.email).where(AuthorNotice.sent_at.is_not(None), AuthorNotice.sent_at > since)


def due_addresses(db: Session, now: datetime, force: bool, after: str = "", limit: int = BATCH) -> list[str]:
    query = select(AuthorNotice.email).where(AuthorNotice.sent_at.is_(None), AuthorNotice.email > after)
    if not force:
        query = query.where(AuthorNotice.email.not_in(recently_sent(now - DIGEST_EVERY)))
    return list(db.scalars(query.group_by(AuthorNotice.email).order_by(AuthorNotice.email).limit(limit)))


def any_due(db: Session, now: datetime) -> bool:
    return bool(due_addresses(db, now, False, limit=1))


def digest_text(lines: list[tuple[str, str]], stop: str) -> str:
    parts = ["Bonjour,", "Vous avez participé à la démarche de revitalisation de votre commune et demandé à savoir "
             "ce que devient votre contribution. Voici ce qui en est fait :"]
    for commune_name, line in lines:
        parts.append(f"- {commune_name} : {line}")
    parts.append("Vous recevez au plus un e-mail par jour, seulement s’il y a du nouveau. Pour ne plus rien recevoir "
                 f"(votre adresse sera retirée de vos contributions), un clic suffit :\n{stop}")
    parts.append("— Revital")
    return "\n\n".join(parts) + "\n"


def digest_html(lines: list[tuple[str, str]], stop: str) -> str:
    e = html.escape
    items = "\n".join(f"<li><strong>{e(name)}</strong> : {e(line)}</li>" for name, line in lines)
    return ('<!DOCTYPE html>\n<html lang="fr"><head><meta charset="utf-8"></head><body>\n'
            "<p>Bonjour,</p>\n<p>Vous avez participé à la démarche de revitalisation de votre commune et demandé à "
            f"savoir ce que devient votre contribution. Voici ce qui en est fait :</p>\n<ul>\n{items}\n</ul>\n"
            "<p><small>Vous recevez au plus un e-mail par jour, seulement s’il y a du nouveau. "
            f'<a href="{e(stop)}">Ne plus rien recevoir</a> (un clic suffit).</small></p>\n'
            "<p>— Revital</p>\n</body></html>\n")


def send_digest(db: Session, email: str, now: datetime, base_url: str, secret: str, force: bool = False) -> bool:
    """In the caller's write transaction: claim the address's notices not sent yet and queue their
    e-mail. False when there is nothing (another worker had them) or the address had its digest
    within 24 hours (unless force)."""
    db.execute(select(AuthorNotice.id).where(AuthorNotice.email == email).with_for_update()).all()
    if not force:
        last = db.scalar(select(func.max(AuthorNotice.sent_at)).where(AuthorNotice.email == email))
        if last is not None and last > now - DIGEST_EVERY:
            return False
    ids = list(db.scalars(select(AuthorNotice.id).where(AuthorNotice.email == email, AuthorNotice.sent_at.is_(None))
                          .order_by(AuthorNotice.id).limit(DIGEST_MAX)))
    if not ids:
        return False
    claimed = db.execute(update(AuthorNotice).where(AuthorNotice.id.in_(ids), AuthorNotice.sent_at.is_(None))
                         .values(sent_at=now).execution_options(synchronize_session=False)).rowcount
    if claimed != len(ids):  # another worker sent some of them meanwhile: leave it all to the next round
        db.rollback()
        return False
    notices = list(db.scalars(select(AuthorNotice).where(AuthorNotice.id.in_(ids)).order_by(AuthorNotice.id)
                              .execution_options(populate_existing=True)))
    names = dict(db.execute(select(Commune.id, Commune.name)
                            .where(Commune.id.in_({n.commune_id for n in notices}))).all())
    lines = [(names.get(n.commune_id, ""), n.text) for n in notices]
    stop = stop_url(base_url, secret, notices[0])
    communes = {n.commune_id for n in notices}
    outbox.queue(db, email, SUBJECT, digest_text(lines, stop), digest_html(lines, stop), unsubscribe_url=stop,
                 commune_name=names.get(notices[0].commune_id) if len(communes) == 1 else None, kind=DIGEST)
    return True


def send_author_digests(database: Database, settings, now: datetime | None = None, force: bool = False) -> int:
    """Queue the digest of every address that has notices and had none within 24 hours (force:
    whatever the 24 hours; a notice is still never sent twice), each in its own write
    transaction; how many were queued."""
    now = now or utcnow()
    base_url = settings.base_url.rstrip("/")
    return jobs.each_in_own_transaction(
        database, lambda db, after, limit: due_addresses(db, now, force, after, limit),
        lambda db, email: send_digest(db, email, now, base_url, settings.secret_key, force), start="", batch=BATCH)


class AuthorDigestJob(jobs.Throttled):
    """A periodic job of the mail sender (revital.mail.sender, revital.jobs): at most once a
    minute, one read that asks whether an address is due; the digests only when one is."""

    label = "contributions: %s author digest(s) queued"

    def due(self, db: Session, now: datetime) -> bool:
        return any_due(db, now)

    def run(self, now: datetime) -> int:
        return send_author_digests(self.database, self.settings, now)
