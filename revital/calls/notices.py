"""What a call tells applicants by e-mail, through the outbox, in the transaction of what causes it:
the link to take an application up again, the receipt of a submission, and the result (with, for a
selected commune, the invitation of its agent as the commune's administrator)."""

from revital.accounts import tokens
from revital.calls import rules
from revital.calls.models import Application, Call
from revital.journal import services as journal
from revital.mail import outbox
from revital.permissions import COMMUNE_ADMIN

SIGNATURE = "\n— {territory}, par Revital\n"

LINK = """Bonjour,

La candidature de {commune} à l’appel « {call} » est enregistrée{how}. Pour la reprendre, la compléter ou y joindre des documents jusqu’au {closes} inclus, ouvrez ce lien :
{url}

Gardez ce message : ce lien est la seule clé de la candidature. Ne le transmettez qu’aux personnes qui la préparent avec vous.
"""

RESULT_SELECTED = """Bonjour,

Le territoire a examiné les candidatures à l’appel « {call} » : {commune} est retenue.

Motif : {reason}

La démarche de la commune s’ouvre en phase de diagnostic partagé, avec son groupe local. Pour la piloter sur Revital avec le rôle d’administrateur de la commune, acceptez cette invitation dans les 7 jours :
{invitation}
"""

RESULT_DECLINED = """Bonjour,

Le territoire a examiné les candidatures à l’appel « {call} » : la candidature de {commune} n’est pas retenue.

Motif : {reason}

Pour en parler, répondez à la coordination du territoire.
"""


def absolute(base_url: str, path: str) -> str:
    return base_url.rstrip("/") + path


def dates(call: Call) -> str:
    return call.closes_on.strftime("%d/%m/%Y")


def send_link(db, base_url: str, call: Call, application: Application, path: str) -> None:
    """The private link of an application, to its agent: after it is started, and when submitted."""
    how = " comme brouillon" if application.status == rules.DRAFT else " et déposée"
    text = LINK.format(commune=application.commune.name, call=call.title, how=how, closes=dates(call),
                       url=absolute(base_url, path)) + SIGNATURE.format(territory=call.territory.name)
    subject = ("Candidature déposée : " if application.status != rules.DRAFT else "Votre candidature : ") + call.title
    outbox.queue(db, application.agent_email, subject, text, commune_name=application.commune.name, kind="application")


def announce_results(db, base_url: str, call: Call, applications: list[Application]) -> None:
    """Each applicant told the result; each selected commune's journal says so, and its agent is
    invited as the commune's administrator."""
    for application in applications:
        commune = application.commune
        if application.status == rules.SELECTED:
            journal.record(db, commune.id, "selection", f"{commune.name} est retenue par {call.territory.name}",
                           f"À l’issue de l’appel à candidatures « {call.title} », la commune entre dans la démarche "
                           "de revitalisation de son centre-bourg.")
        if not application.agent_email:  # erased at the contact's request
            continue
        if application.status == rules.SELECTED:
            token = tokens.issue(db, tokens.INVITATION, application.agent_email.lower(), tokens.INVITATION_LIFETIME,
                                 role=COMMUNE_ADMIN, commune_id=commune.id)
            text = RESULT_SELECTED.format(call=call.title, commune=commune.name, reason=application.decision_reason,
                                          invitation=absolute(base_url, f"/invitation/{token}"))
            subject = f"Candidature retenue : {call.title}"
        else:
            text = RESULT_DECLINED.format(call=call.title, commune=commune.name, reason=application.decision_reason)
            subject = f"Résultat de l’appel : {call.title}"
        outbox.queue(db, application.agent_email, subject, text + SIGNATURE.format(territory=call.territory.name),
                     commune_name=commune.name, kind="application-result")
