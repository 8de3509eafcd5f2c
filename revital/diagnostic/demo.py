"""Demo stakes and syntheses: in Saint-Étienne-du-Valdonnez (emergence), twelve stakes across the
themes and the four AFOM classes, each drawn from its published demo contributions (two cite a
students' proposal, one an observation), a synthesis published as version 1 and a draft of
version 2; in Grandrieu (diagnostic), four stakes in progress drawn from the paper contributions of
its walk, each citing the walk itself, and no synthesis yet."""

from datetime import timedelta

from sqlalchemy import select

from revital.communes.models import Commune
from revital.contributions.models import Contribution
from revital.db import utcnow
from revital.diagnostic import rules, services
from revital.diagnostic.models import Stake, Synthesis
from revital.lineage import services as lineage
from revital.lineage.models import CONTRIBUTION, OBSERVATION, PROPOSAL, STAKE, WORKSHOP
from revital.students.models import Observation, Proposal, StudentWeek
from revital.workshops.models import Workshop

A, W, O, T = rules.ASSET, rules.WEAKNESS, rules.OPPORTUNITY, rules.THREAT

# (theme, afom, title, text, priority, titles of its contributions, other sources: (kind, title))
MAIN = [
    ("commerce", W, "Le bourg a perdu ses commerces du quotidien",
     "Sans boulangerie, il faut descendre à Mende pour le pain : les habitants sans voiture en souffrent.", 1,
     ["La boulangerie a fermé", "Un café associatif"], []),
    ("commerce", O, "Un café associatif pour retrouver le pain et le lien",
     "Un lieu tenu par les habitants, avec dépôt de pain et point relais : l’idée revient souvent.", 1,
     ["Un café associatif", "La boulangerie a fermé"], []),
    ("patrimoine", A, "Un bâti de pierre qui fait l’identité du bourg",
     "Les façades de la rue principale font le charme du village.", 2,
     ["Les façades en pierre de la rue principale"], [(OBSERVATION, "Le tilleul de la place")]),
    ("patrimoine", T, "Des façades qui se dégradent faute d’entretien",
     "Plusieurs maisons se dégradent ; certaines sont vides depuis des années.", 2,
     ["Les façades en pierre de la rue principale", "Trois maisons vides au centre"], []),
    ("mobilite", W, "Une traversée du bourg dangereuse pour les piétons",
     "Les voitures roulent vite devant l’école et le trottoir s’interrompt.", 1,
     ["La traversée du bourg est dangereuse", "Un parking à l’entrée du bourg"],
     [(PROPOSAL, "De l’école au Bramont, à pied")]),
    ("mobilite", O, "Libérer la place des voitures",
     "Un parking à l’entrée du bourg rendrait la place aux piétons.", 2,
     ["Un parking à l’entrée du bourg", "Des bancs et de l’ombre sur la place"], []),
    ("espaces-publics", O, "Une place de l’église à rendre aux habitants",
     "De l’ombre, des bancs, moins de voitures : la place pourrait redevenir un lieu de rencontre.", 1,
     ["Des bancs et de l’ombre sur la place", "La boulangerie a fermé", "Un parking à l’entrée du bourg"],
     [(PROPOSAL, "Rendre la place de l’église aux piétons")]),
    ("logement", W, "Des maisons vides au cœur du bourg",
     "Trois maisons sont à vendre depuis des années au centre.", 1, ["Trois maisons vides au centre"], []),
    ("logement", O, "Des familles qui cherchent à louer",
     "La demande existe : des familles cherchent un logement au village.", 2,
     ["Trois maisons vides au centre", "Les façades en pierre de la rue principale"], []),
    ("nature", A, "Les berges du Bramont, un atout à deux pas",
     "Un beau chemin le long de l’eau, à relier au centre par un sentier balisé.", 2,
     ["Les berges du Bramont", "Un parking à l’entrée du bourg"], []),
    ("services", T, "Le départ des services de santé",
     "Plus de médecin depuis 2013 : les familles et les anciens s’inquiètent.", 1,
     ["Plus de médecin depuis 2013", "La boulangerie a fermé"], []),
    ("vie-sociale", A, "Une vie associative qui rassemble",
     "Le collectif du Valdonnez et les associations portent déjà des projets.", 3,
     ["Un café associatif", "Les berges du Bramont", "Des bancs et de l’ombre sur la place",
      "La boulangerie a fermé", "La traversée du bourg est dangereuse"], []),
]

GRANDRIEU = [
    ("espaces-publics", W, "Le foirail, un parking hors des jours de foire",
     "Le cœur du bourg les jours de foire, couvert de voitures le reste du temps.", 1,
     ["Le foirail n’est qu’un parking", "Des arbres sur le foirail", "Les foires du foirail"]),
    ("logement", W, "Des granges vides dans la Grand-Rue",
     "Trois granges fermées entre la mairie et l’église ; des jeunes ménages cherchent à se loger.", 1,
     ["Des granges vides dans la Grand-Rue", "Des logements pour les jeunes dans une grange"]),
    ("mobilite", T, "La départementale devant l’école",
     "Les camions descendent vite à la sortie des classes.", 1,
     ["Traverser devant l’école", "Un chemin piéton de l’école au foirail"]),
    ("nature", A, "Le pont et la rivière, à relier au centre",
     "Un lieu calme au bord de l’eau, à deux pas du centre.", 2,
     ["Le pont sur le Grandrieu", "Un sentier le long de la rivière"]),
]

INTRODUCTION_1 = """Pendant un an, les habitants de Saint-Étienne-du-Valdonnez ont dit ce qu’ils aiment dans leur bourg et ce qui leur manque : sur la carte participative, lors des rencontres du groupe local et pendant la semaine d’immersion des étudiants.

## Ce qui ressort
- **Le commerce et les services** : la fermeture de la boulangerie et le départ du médecin pèsent sur la vie du bourg.
- **La traversée du bourg** : la route départementale coupe le village et inquiète les parents.
- **Un patrimoine et une nature à valoriser** : les façades de pierre, la place de l’église, les berges du Bramont.

Les douze enjeux ci-dessous, classés selon la grille atouts, faiblesses, opportunités et menaces, serviront de base aux pistes d’action. (Texte de démonstration.)
"""

INTRODUCTION_2 = INTRODUCTION_1.replace(
    "(Texte de démonstration.)",
    "La restitution publique a confirmé ces enjeux ; elle a insisté sur le logement des jeunes ménages. "
    "(Texte de démonstration.)")


def by_title(db, model, commune_id: int, titles, *where) -> dict[str, int]:
    query = select(model.title, model.id)
    if model is Contribution:
        query = query.where(Contribution.commune_id == commune_id, Contribution.status == "published")
    else:
        query = query.join(StudentWeek, StudentWeek.id == model.week_id).where(StudentWeek.commune_id == commune_id)
    return {title: i for title, i in db.execute(query.where(model.title.in_(list(titles)), *where))}


def add_stakes(db, commune: Commune, rows, created, extra=None) -> list[Stake]:
    titles = {t for row in rows for t in row[5]}
    contributions = by_title(db, Contribution, commune.id, titles)
    stakes = []
    for i, row in enumerate(rows):
        theme, afom, title, text, priority, sources = row[:6]
        stake = Stake(commune_id=commune.id, theme=theme, afom=afom, title=title, text=text, priority=priority,
                      created_at=created + timedelta(hours=i), updated_at=created + timedelta(hours=i), version=1)
        db.add(stake)
        db.flush()
        for source in sources:
            if source in contributions:
                lineage.add(db, commune.id, STAKE, stake.id, CONTRIBUTION, contributions[source])
        for kind, source_id in (extra(row) if extra else []):
            lineage.add(db, commune.id, STAKE, stake.id, kind, source_id)
        stakes.append(stake)
    return stakes


def load(db) -> int:
    """Add the demo stakes and syntheses; returns how many stakes."""
    communes = {c.insee: c for c in db.scalars(select(Commune).where(Commune.insee.in_(["48147", "48070"])))}
    now = utcnow()
    count = 0
    main = communes.get("48147")
    if main is not None:
        others = {t for row in MAIN for _, t in row[6]}
        observations = by_title(db, Observation, main.id, others)
        proposals = by_title(db, Proposal, main.id, others, Proposal.status == "published")
        found = {OBSERVATION: observations, PROPOSAL: proposals}

        def extra(row):
            return [(kind, found[kind][title]) for kind, title in row[6] if title in found[kind]]

        count += len(add_stakes(db, main, MAIN, now - timedelta(days=150), extra))
        first = Synthesis(commune_id=main.id, number=1, status=rules.DRAFT, introduction=INTRODUCTION_1,
                          created_at=now - timedelta(days=130), version=1)
        db.add(first)
        db.flush()
        services.publish(db, main, first, "Première version, présentée en réunion publique.", None)
        first.published_at = first.updated_at = now - timedelta(days=120)
        db.add(Synthesis(commune_id=main.id, number=2, status=rules.DRAFT, introduction=INTRODUCTION_2,
                         created_at=now - timedelta(days=20), updated_at=now - timedelta(days=20), version=1))
    grandrieu = communes.get("48070")
    if grandrieu is not None:
        walk = db.scalar(select(Workshop.id).where(Workshop.commune_id == grandrieu.id, Workshop.kind == "walk"))
        count += len(add_stakes(db, grandrieu, GRANDRIEU, now - timedelta(days=10),
                                lambda row: [(WORKSHOP, walk)] if walk else []))
    db.flush()
    return count
