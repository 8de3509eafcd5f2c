"""What a workshop tells the people registered to it, through the outbox, in the transaction of what
causes it: the confirmation (or the place on the waiting list) with the event as atelier.ics and the
link to withdraw, the place freed for someone waiting, and a cancellation.

A registration's link carries an HMAC of the application's secret (revital.signing) over its id,
address and registration time: nothing to store, and a registration deleted or made again has
other links."""

from datetime import UTC, datetime
from urllib.parse import urlsplit

from revital import signing
from revital.db import utcnow
from revital.formatting import paris
from revital.mail import outbox
from revital.workshops import calendar, rules

SIGNATURE = "\n— Le groupe local de {commune}, par Revital\n"

CONFIRMED = """Bonjour {name},

Votre inscription à « {title} » est confirmée{people}.

Quand : {when}
Où : {where}

Le programme et les informations pratiques : {url}
L’événement est joint à ce message (atelier.ics) pour votre agenda.

Si vous ne pouvez plus venir, libérez votre place d’un clic : {withdraw}
"""

WAITING = """Bonjour {name},

« {title} » est complet : vous êtes sur la liste d’attente{people}. Si une place se libère, vous recevrez un e-mail, dans l’ordre des inscriptions.

Quand : {when}
Où : {where}

Le programme : {url}
Pour quitter la liste d’attente : {withdraw}
"""

PROMOTED = """Bonjour {name},

Une place s’est libérée : votre inscription à « {title} » est confirmée{people}.

Quand : {when}
Où : {where}

Le programme : {url}
L’événement est joint à ce message (atelier.ics) pour votre agenda.

Si vous ne pouvez plus venir, libérez votre place d’un clic : {withdraw}
"""

CANCELLED = """Bonjour {name},

« {title} », prévu le {when}, est annulé.

{reason}

Les prochaines rencontres de la démarche : {list_url}
"""


def stamp(value: datetime) -> str:
    return (value.astimezone(UTC) if value.tzinfo else value).strftime("%Y%m%dT%H%M%S.%f")


def token(secret: str, registration) -> str:
    return signing.sign(secret, "workshop-registration", registration.id, registration.email or "",
                        stamp(registration.created_at))


def withdraw_path(commune_slug: str, registration, secret: str) -> str:
    return (f"/communes/{commune_slug}/ateliers/{registration.workshop_id}/desinscription/"
            f"{registration.id}-{token(secret, registration)}")


def when(workshop) -> str:
    start, end = paris(workshop.starts_at), paris(workshop.ends_at)
    day = start.strftime("%d/%m/%Y")
    if start.date() == end.date():
        return f"le {day} de {start:%H:%M} à {end:%H:%M}"
    return f"du {day} {start:%H:%M} au {end:%d/%m/%Y %H:%M}"


def people(registration) -> str:
    return f" pour {registration.people} personnes" if registration.people > 1 else ""


def workshop_url(base_url: str, commune, workshop) -> str:
    return base_url.rstrip("/") + f"/communes/{commune.slug}/ateliers/{workshop.id}"


def event_of(base_url: str, commune, workshop) -> bytes:
    url = workshop_url(base_url, commune, workshop)
    domain = urlsplit(base_url).hostname or "revital.invalid"
    return calendar.calendar(f"{workshop.title} ({commune.name})",
                             [calendar.event(workshop, commune.name, url, domain, utcnow())], method="PUBLISH")


def tell_registered(db, base_url: str, secret: str, commune, workshop, registration, promoted: bool = False) -> None:
    """The confirmation, the waiting-list notice or the freed place: to the registration's address."""
    if not registration.email:
        return
    base = base_url.rstrip("/")
    values = {"name": registration.name, "title": workshop.title, "people": people(registration),
              "when": when(workshop), "where": calendar.location_of(workshop) or "(voir le programme)",
              "url": workshop_url(base_url, commune, workshop),
              "withdraw": base + withdraw_path(commune.slug, registration, secret)}
    confirmed = registration.status == rules.CONFIRMED
    template = PROMOTED if promoted else CONFIRMED if confirmed else WAITING
    subject = ("Une place pour vous : " if promoted else "Inscription confirmée : " if confirmed
               else "Liste d’attente : ") + workshop.title
    outbox.queue(db, registration.email, subject, template.format(**values) + SIGNATURE.format(commune=commune.name),
                 commune_name=commune.name, kind="workshop-registration",
                 calendar=event_of(base_url, commune, workshop) if confirmed else None)


def tell_cancelled(db, base_url: str, commune, workshop, registrations) -> None:
    for registration in registrations:
        if not registration.email or registration.status not in (rules.CONFIRMED, rules.WAITING):
            continue
        text = CANCELLED.format(name=registration.name, title=workshop.title, when=when(workshop).removeprefix("le "),
                                reason=f"Motif : {workshop.cancel_reason}",
                                list_url=base_url.rstrip("/") + f"/communes/{commune.slug}/ateliers")
        outbox.queue(db, registration.email, f"Annulé : {workshop.title}", text + SIGNATURE.format(commune=commune.name),
                     commune_name=commune.name, kind="workshop-cancelled",
                     calendar=event_of(base_url, commune, workshop))
