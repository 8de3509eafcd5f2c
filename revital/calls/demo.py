"""Demo calls: the closed call that selected the three demo communes (a fourth declined, when the
territory has one more commune), and a second call open now, to which that fourth commune applied
again: its agent's account (candidature@revital.test) waits for the results, its role pending."""

import secrets
from datetime import timedelta

from sqlalchemy import select

from revital.accounts.models import RoleGrant, User
from revital.calls import rules
from revital.calls.models import Application, ApplicationScore, Call
from revital.calls.services import hash_token, today
from revital.communes.models import Commune
from revital.db import utcnow
from revital.permissions import COMMUNE_ADMIN

FIRST_TEXT = (
    "Le Pays des Sources accompagne trois communes dans la revitalisation de leur centre-bourg, "
    "avec leurs habitants : diagnostic partagé, ateliers, deux semaines d’étudiants en master "
    "d’urbanisme, fiches actions examinées par les partenaires techniques, feuille de route.\n\n"
    "La commune s’engage à réunir un groupe local, à désigner un élu référent et un agent, et à "
    "accueillir les ateliers. (Texte de démonstration.)"
)
CRITERIA = (
    "Portage politique de la démarche\n"
    "Enjeux de centralité (commerces, logements vacants, espaces publics)\n"
    "Capacité à mobiliser les habitants\n"
    "Moyens humains de la commune"
)
MOTIVATIONS = {
    "48147": ("La boulangerie et le café ont fermé, des maisons du bourg sont vides : le conseil veut un projet "
              "porté avec les habitants plutôt qu’une étude de plus.",
              "Traversée dangereuse devant l’école, commerces fermés, façades dégradées, liens avec le Bramont."),
    "48027": ("La commune nouvelle veut que le bourg thermal de Bagnols retrouve une vie à l’année, au-delà de "
              "la saison des cures.",
              "Accueil des curistes, façades de la Grand-Rue, liens entre les thermes et le Lot."),
    "48070": ("Grandrieu veut garder ses services et accueillir les jeunes qui s’installent sur la Margeride.",
              "Maintien des services, logements pour les jeunes ménages, place du foirail."),
}
SCORES = {"48147": (3, 3, 2, 2), "48027": (3, 2, 2, 3), "48070": (2, 3, 3, 1)}


AGENT = "candidature@revital.test"


def load(db, territory, communes: dict, password_hash: str = "") -> None:
    """communes: {INSEE code: Commune} of the demo, already flushed; password_hash: the demo
    accounts' (the pending agent's account gets it too)."""
    now, day = utcnow(), today()
    first = Call(
        territory=territory, title="Revitaliser nos centres-bourgs : première vague", text=FIRST_TEXT,
        criteria=CRITERIA, documents="Délibération du conseil municipal\nLettre d’engagement du maire",
        opens_on=day - timedelta(days=520), closes_on=day - timedelta(days=460),
        results_published_at=now - timedelta(days=450),
    )
    db.add(first)
    for insee, (motivation, stakes) in MOTIVATIONS.items():
        application = Application(
            call=first, commune_id=communes[insee].id, status=rules.SELECTED, motivation=motivation, stakes=stakes,
            referent_name="Élu référent (démo)", referent_role="Maire", agent_name="Secrétariat de mairie (démo)",
            agent_role="Secrétaire de mairie", agent_email=f"mairie-{insee}@exemple.invalid",
            resume_hash=hash_token(secrets.token_urlsafe(24)),
            decision_reason="Portage politique fort et enjeux de centralité marqués.",
            submitted_at=now - timedelta(days=470), decided_at=now - timedelta(days=452),
        )
        for index, score in enumerate(SCORES[insee]):
            application.scores.append(ApplicationScore(criterion=index, score=score))
        db.add(application)
    other = db.scalar(select(Commune).where(Commune.territory_id == territory.id,
                                            Commune.insee.not_in(list(MOTIVATIONS))).order_by(Commune.name))
    if other is not None:
        db.add(Application(
            call=first, commune_id=other.id, status=rules.DECLINED,
            motivation="Le conseil souhaite étudier l’avenir de l’ancienne école au centre du village.",
            stakes="Une école fermée, peu de commerces.", referent_name="Élu (démo)", referent_role="Adjoint",
            agent_name="Mairie (démo)", agent_role="Secrétaire de mairie", agent_email="mairie@exemple.invalid",
            resume_hash=hash_token(secrets.token_urlsafe(24)),
            decision_reason="Projet encore trop limité à un bâtiment : la commune est invitée à candidater à la deuxième vague.",
            submitted_at=now - timedelta(days=470), decided_at=now - timedelta(days=452),
        ))
    second = Call(
        territory=territory, title="Revitaliser nos centres-bourgs : deuxième vague",
        text=("Après les trois premières communes, le Pays ouvre la démarche à deux nouvelles communes. "
              "(Texte de démonstration.)"),
        criteria=CRITERIA, documents="Délibération du conseil municipal",
        opens_on=day - timedelta(days=15), closes_on=day + timedelta(days=75),
    )
    db.add(second)
    if other is not None:
        db.add(Application(
            call=second, commune_id=other.id, status=rules.SUBMITTED,
            motivation=("Depuis la première vague, le conseil a acheté l’ancienne école et réuni les habitants : il veut "
                        "maintenant penser tout le centre du village, l’école, la place et le chemin vers la gare."),
            stakes="L’ancienne école vide, la place sans ombre, la traversée de la route départementale.",
            referent_name="Élu (démo)", referent_role="Maire", agent_name="Mairie (démo)",
            agent_role="Secrétaire de mairie", agent_email=AGENT,
            resume_hash=hash_token(secrets.token_urlsafe(24)), submitted_at=now - timedelta(days=6),
        ))
        agent = User(email=AGENT, display_name=f"Mairie de {other.name} (candidature)", password_hash=password_hash)
        agent.grants.append(RoleGrant(role=COMMUNE_ADMIN, commune_id=other.id, pending=True))
        db.add(agent)
