"""Demo journal posts: what each demo commune would have told its residents along its process (the
automatic entries of their phase history are written by revital.journal.automatic). Fictional."""

from datetime import timedelta

from sqlalchemy import select

from revital.communes.models import Commune
from revital.db import utcnow
from revital.journal.models import DRAFT, PUBLISHED, Follower, JournalPost
from revital.process.models import Process

# insee: (days after the process started, title, Markdown text, status)
POSTS = {
    "48147": [
        (3, "Lancement de la démarche : réunion publique à la salle polyvalente",
         "Une soixantaine d’habitants sont venus mardi soir pour le lancement de la démarche de "
         "revitalisation du centre-bourg.\n\n"
         "Au programme :\n\n"
         "- la présentation du calendrier par le Pays des Sources ;\n"
         "- un premier tour de table sur ce qui fait vivre le bourg… et ce qui lui manque ;\n"
         "- l’appel à rejoindre le **groupe local**.\n\n"
         "Chacun peut dès maintenant signaler atouts et points faibles sur "
         "[la carte de la commune](/communes/saint-etienne-du-valdonnez/contribuer). (Texte de démonstration.)",
         PUBLISHED),
        (24, "Balade urbaine : le bourg vu par ceux qui y vivent",
         "Samedi matin, une vingtaine de personnes ont parcouru le bourg de la place de l’église au "
         "pont sur le Bramont.\n\n"
         "## Ce qui est ressorti\n\n"
         "| sujet | remarques |\n|---|---|\n"
         "| traversée | vitesse des voitures devant l’école |\n"
         "| commerces | la boulangerie fermée manque à tous |\n"
         "| patrimoine | de belles façades à sauver |\n\n"
         "> « On passe devant tous les jours, on ne regarde plus. » — une participante\n\n"
         "Les observations ont été saisies sur la carte. (Texte de démonstration.)",
         PUBLISHED),
        (58, "Les étudiants arrivent pour leur semaine d’immersion",
         "Huit étudiants en architecture et en urbanisme logent au gîte communal cette semaine. Ils "
         "iront à la rencontre des commerçants, des agriculteurs et des familles : réservez-leur bon "
         "accueil !\n\nRestitution publique vendredi à 18 h, à la mairie. (Texte de démonstration.)",
         PUBLISHED),
        (140, "Café associatif : où en est l’idée ?",
         "L’idée la plus soutenue sur la carte sera étudiée avec la CCI… (brouillon de démonstration)",
         DRAFT),
    ],
    "48027": [
        (10, "Les thermes accueillent la première réunion publique",
         "Curistes, commerçants et habitants de Bagnols ont échangé sur l’accueil des visiteurs et la "
         "Grand-Rue. Merci aux thermes pour la salle ! (Texte de démonstration.)", PUBLISHED),
        (150, "Restitution du diagnostic",
         "Le diagnostic a été présenté aux habitants : **six enjeux** ressortent, dont le lien entre "
         "les thermes et le Lot. (Texte de démonstration.)", PUBLISHED),
        (260, "Les fiches actions passent chez les partenaires",
         "Le CAUE et la DDT examinent les premières fiches actions ; leurs avis seront publiés ici. "
         "(Texte de démonstration.)", PUBLISHED),
    ],
    "48070": [
        (7, "Grandrieu se lance !",
         "La commune ouvre son diagnostic partagé. Première étape : une **balade urbaine** le mois "
         "prochain ; inscrivez-vous à la mairie. (Texte de démonstration.)", PUBLISHED),
    ],
}


# insee: addresses that follow the commune's journal by e-mail (confirmed). Fictional.
FOLLOWERS = {
    "48147": ["marie.roux@exemple.fr", "jean.pages@exemple.fr", "famille.boyer@exemple.fr"],
    "48027": ["curiste.fidele@exemple.fr", "paul.martin@exemple.fr"],
    "48070": ["agnes.brun@exemple.fr", "lucien.vidal@exemple.fr"],
}


def load(db) -> None:
    for insee, posts in POSTS.items():
        commune = db.scalar(select(Commune).where(Commune.insee == insee))
        started = db.scalar(select(Process.started_at).where(Process.commune_id == commune.id)) if commune else None
        if started is None:
            continue
        for days, title, body, status in posts:
            at = started + timedelta(days=days)
            db.add(JournalPost(commune_id=commune.id, title=title, body=body, status=status, created_at=at,
                               published_at=at if status == PUBLISHED else None))
        # Confirmed now, and sent a digest now: they get what is published from now on, from the
        # next Monday, never a digest of the demo's past entries.
        now = utcnow()
        db.add_all([Follower(commune_id=commune.id, email=email, created_at=now, confirmed_at=now, last_digest_at=now)
                    for email in FOLLOWERS.get(insee, [])])
