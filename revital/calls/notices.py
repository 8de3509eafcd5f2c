"""What a call tells applicants by e-mail, through the outbox, in the transaction of what causes it:
the link to take an application up again, the receipt of a submission (with the invitation of its
agent to an account whose role of commune administrator waits for the results: "pending"), and the
result: for a selected commune the agent's role becomes active (or the agent is invited, if no
account was made), for a declined one the pending role goes."""

from sqlalchemy import delete

from revital.accounts import services as accounts
from revital.accounts import tokens
from revital.accounts.models import AccountToken, RoleGrant
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

ACCOUNT = """
Votre compte sur Revital : créez-le dès maintenant avec ce lien, valable 7 jours et utilisable une fois :
{invitation}

Il vous servira à piloter la démarche de la commune si la candidature est retenue : votre rôle d’administrateur de la commune, en attente jusque-là, s’activera avec les résultats.
"""

RESULT_ACTIVE = """Bonjour,

Le territoire a examiné les candidatures à l’appel « {call} » : {commune} est retenue.

Motif : {reason}

La démarche de la commune s’ouvre en phase de diagnostic partagé, avec son groupe local. Votre rôle d’administrateur de la commune est maintenant actif : connectez-vous pour la piloter.
{signin}
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


def invite_agent(db, base_url: str, call: Call, application: Application) -> None:
    """At the first submission: the agent's invitation to an account, as the commune's
    administrator pending the results (revital.accounts.invitations takes it pending)."""
    email = accounts.normalise_email(application.agent_email)
    if not email:
        return
    user = accounts.user_by_email(db, email)
    if user is not None:  # an account already: the pending role is added to it at once
        if not any(g.role == COMMUNE_ADMIN and g.commune_id == application.commune_id for g in user.grants):
            user.grants.append(RoleGrant(role=COMMUNE_ADMIN, commune_id=application.commune_id, pending=True))
        return
    token = tokens.issue(db, tokens.INVITATION, email, tokens.INVITATION_LIFETIME, role=COMMUNE_ADMIN,
                         commune_id=application.commune_id, pending=True)
    text = ACCOUNT.format(invitation=absolute(base_url, f"/invitation/{token}")) + SIGNATURE.format(territory=call.territory.name)
    outbox.queue(db, email, f"Votre compte pour la candidature : {call.title}", "Bonjour,\n" + text,
                 commune_name=application.commune.name, kind="invitation")


def pending_grants(db, application: Application) -> list[RoleGrant]:
    """The pending commune-admin roles of the commune held by the application's agent."""
    email = accounts.normalise_email(application.agent_email)
    user = accounts.user_by_email(db, email) if email else None
    if user is None:
        return []
    return [g for g in user.grants if g.role == COMMUNE_ADMIN and g.commune_id == application.commune_id and g.pending]


def forget_pending_invitations(db, application: Application) -> None:
    db.execute(delete(AccountToken).where(AccountToken.purpose == tokens.INVITATION, AccountToken.pending.is_(True),
                                          AccountToken.commune_id == application.commune_id))


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
        waiting = pending_grants(db, application)
        forget_pending_invitations(db, application)
        if application.status == rules.SELECTED and waiting:
            for grant in waiting:
                grant.pending = False
            text = RESULT_ACTIVE.format(call=call.title, commune=commune.name, reason=application.decision_reason,
                                        signin=absolute(base_url, "/connexion"))
            subject = f"Candidature retenue : {call.title}"
        elif application.status == rules.SELECTED:
            token = tokens.issue(db, tokens.INVITATION, application.agent_email.lower(), tokens.INVITATION_LIFETIME,
                                 role=COMMUNE_ADMIN, commune_id=commune.id)
            text = RESULT_SELECTED.format(call=call.title, commune=commune.name, reason=application.decision_reason,
                                          invitation=absolute(base_url, f"/invitation/{token}"))
            subject = f"Candidature retenue : {call.title}"
        else:
            for grant in waiting:
                db.delete(grant)
            text = RESULT_DECLINED.format(call=call.title, commune=commune.name, reason=application.decision_reason)
            subject = f"Résultat de l’appel : {call.title}"
        outbox.queue(db, application.agent_email, subject, text + SIGNATURE.format(territory=call.territory.name),
                     commune_name=commune.name, kind="application-result")
