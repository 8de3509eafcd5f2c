"""A contribution comes in: from a resident's form or from a facilitator's paper entry, one way.

receive() takes, in order: the form token (signed and dated; its random part names what the form
creates, so that a double click or a form sent again makes one contribution), the honeypot, the
fields, the photo (processed outside any transaction: it takes a while), and one short write
transaction that counts the attempt against the per-address limit (answering 429 past it, the
text kept) and inserts the contribution. It returns
what happened; the two entry points turn that into their own pages.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select

from revital.contributions import rules, services
from revital.contributions.models import Contribution
from revital.photos.processing import PhotoError, process_photo
from revital.process import phases
from revital.process.models import Process

MAX_PHOTO = 10 * 1024 * 1024

INVALID = "Ce formulaire n’a pas pu être vérifié : relisez votre contribution et envoyez-la à nouveau."
EXPIRED = ("Le formulaire était ouvert depuis trop longtemps : vérifiez votre contribution et envoyez-la à "
           "nouveau, rien n’a été perdu.")
TOO_MANY = ("Vous avez envoyé beaucoup de contributions en peu de temps : réessayez dans une heure, "
            "votre texte est gardé ci-dessous.")


@dataclass(frozen=True)
class Entry:
    """How contributions come in through one entry point."""

    source: str  # rules.ONLINE for the residents' form, rules.WORKSHOP for the paper entry
    token_max_age: int
    consent_given: bool  # the paper form carries the author's consent
    guard: bool  # honeypot and per-address limit (the residents' form)
    photos: bool


RESIDENTS = Entry(rules.ONLINE, rules.TOKEN_MAX_AGE, consent_given=False, guard=True, photos=True)
PAPER = Entry(rules.WORKSHOP, 7 * 24 * 3600, consent_given=True, guard=False, photos=False)
WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class Gathering:
    """The workshop the paper sheets of an entry were collected in (the workshops part looks it up
    and hands it here, so that this part never needs to know what a workshop is): each sheet gets
    its id and its phase, and says where it is by a cell of the kit's grid (`centre_of(label)` ->
    (lon, lat) or None), by a place of the list, or neither."""

    workshop_id: int
    phase: str
    centre_of: Callable[[str], tuple[float, float] | None] | None = None


@dataclass
class Outcome:
    contribution: Contribution | None = None  # created now, or by the same form before
    spam: bool = False  # the honeypot was filled in: thank, keep nothing
    status_code: int = 200
    values: dict = field(default_factory=dict)  # as typed, to give the form back
    errors: dict = field(default_factory=dict)  # by field; "form" for the whole form
    notice: str | None = None
    token: str | None = None  # the form's token, kept when the form comes back
    retry_after: int | None = None


NOT_ENGAGED = ("{name} n’est pas (encore) engagée dans le programme de revitalisation : elle ne reçoit pas "
               "de contributions pour l’instant. Rien n’a été enregistré.")


def current_phase(db, commune) -> str | None:
    """The phase of the commune's process; None when the commune is not engaged (no process)."""
    return db.scalar(select(Process.phase).where(Process.commune_id == commune.id))


def refusal_if_not_engaged(db, commune) -> str | None:
    """The French reason why the commune takes no contribution, or None when it is engaged."""
    return NOT_ENGAGED.format(name=commune.name) if current_phase(db, commune) is None else None


def receive(db, commune, form, entry: Entry, secret: str, throttle, address: str, limit: int,
            user_id: int | None = None, gathering: Gathering | None = None) -> Outcome:
    """The request's session starts reading; its one write transaction comes at the end. With a
    gathering (the paper entry of a workshop), the contribution is the workshop's, in its phase."""
    db.read()
    token = form.get("token", "")
    check = rules.check_form_token(token, secret, max_age=entry.token_max_age)
    if check == "invalid":
        return Outcome(status_code=400, values=dict(form), notice=INVALID)
    nonce = rules.token_nonce(token)
    if services.token_used(db, nonce):  # a double click, or the form sent again
        return Outcome(contribution=services.by_token(db, nonce))
    if entry.guard and form.get("site_web"):  # only robots fill in the honeypot
        return Outcome(spam=True)
    if check == "expired":
        return Outcome(status_code=422, values=dict(form), notice=EXPIRED)
    fields = dict(form)
    if entry.consent_given:
        fields["consent"] = "1"
    if gathering is not None:
        fields["where"] = rules.where_on_paper(fields)
    values, errors = rules.clean_submission(fields, services.active_categories_of(commune),
                                            lambda: services.place_choices(db, commune.id),
                                            services.inside_commune(commune),
                                            gathering.centre_of if gathering is not None else None)
    errors.update(form.unreadable_errors())
    phase = current_phase(db, commune)
    if phase is None:  # the entry points refuse before: nothing is written for a commune not engaged
        db.commit()
        return Outcome(status_code=403, values=values, notice=NOT_ENGAGED.format(name=commune.name))
    db.commit()  # the end of the reads (nothing to write): the photo takes a while, hold nothing meanwhile
    photo = None
    upload = form.upload("photo") if entry.photos else None
    if upload is not None:
        try:
            photo = process_photo(upload.file.read(MAX_PHOTO + 1))
        except PhotoError as error:
            errors["photo"] = str(error)
    if errors:
        if photo is not None:  # a good photo, and something else to correct: keep it for this form
            db.write()
            services.keep_pending_photo(db, nonce, photo)
            db.commit()
        return Outcome(status_code=422, values=values, errors=errors, token=token)
    db.write()
    if entry.guard and throttle.hit(f"contribute:{address}", WINDOW, db) > limit:
        db.rollback()
        return Outcome(status_code=429, values=values, token=token, errors={"form": TOO_MANY},
                       retry_after=int(WINDOW.total_seconds()))
    if form.get("drop_photo") == "1":
        services.drop_pending_photo(db, nonce)
    if gathering is not None:
        phase = gathering.phase
    contribution, _ = services.submit(db, commune, phase, values, nonce, source=entry.source, user_id=user_id,
                                      photo=photo, workshop_id=gathering.workshop_id if gathering else None)
    return Outcome(contribution=contribution)
