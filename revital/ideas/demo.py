"""Demo emergence in Saint-Étienne-du-Valdonnez: three strategic axes, eight ideas (three turned from
residents' "idée" contributions and linked to them, one from the students' published proposal, one
from the themed workshop, the others written by the local group), supports on most, three retained
in their axis, one not retained with its reason, and the commune's official answers on two
contributions and one idea."""

from datetime import timedelta

from sqlalchemy import select

from revital.accounts.models import RoleGrant
from revital.communes.models import Commune
from revital.contributions.models import Contribution
from revital.db import utcnow
from revital.geography.models import Place
from revital.ideas.models import NOT_RETAINED, OPEN, RETAINED, Answer, Axis, Idea
from revital.lineage import services as lineage
from revital.lineage.models import CONTRIBUTION, IDEA, PROPOSAL, WORKSHOP
from revital.permissions import COMMUNE_ADMIN
from revital.students.models import Proposal, StudentWeek
from revital.workshops.models import Workshop

AXES = [
    ("Un centre-bourg où l’on s’arrête", "La place de l’église, le café, les commerces : des raisons de s’arrêter au bourg plutôt que de le traverser."),
    ("Circuler sans danger", "La traversée du bourg par la départementale, les trajets à pied vers l’école et le Bramont."),
    ("Habiter le bourg", "Les maisons vides du centre, les logements pour les jeunes ménages et les anciens."),
]

# (title, text, axis index or None, place name or None, status, reason, supports, source: (kind, title) or None)
IDEAS = [
    ("Des bancs et de l’ombre sur la place", "Planter deux tilleuls et poser des bancs sur la place de l’église, pour que les anciens puissent s’asseoir et que les familles s’y arrêtent.",
     0, "Place de l’église", RETAINED, "Retenue par le conseil municipal : les arbres seront plantés à l’automne.", 15, (CONTRIBUTION, "Des bancs et de l’ombre sur la place")),
    ("Un café associatif avec dépôt de pain", "Un lieu pour se retrouver, tenu par une association, avec un dépôt de pain et un point relais colis.",
     0, "Salle polyvalente", RETAINED, "", 22, (CONTRIBUTION, "Un café associatif")),
    ("Un parking à l’entrée du bourg", "Créer un parking près du pont pour libérer la place des voitures.",
     1, "Pont sur le Bramont", NOT_RETAINED, "Le parking du pont existe déjà et reste à moitié vide : la commune préfère mieux le signaler plutôt que d’en construire un autre.", 3, (CONTRIBUTION, "Un parking à l’entrée du bourg")),
    ("De l’école au Bramont, à pied", "Un cheminement piéton continu de l’école aux berges du Bramont, à l’écart de la départementale, tel que l’ont dessiné les étudiants.",
     1, "École", RETAINED, "", 9, (PROPOSAL, "De l’école au Bramont, à pied")),
    ("Des commerces ambulants sur la place", "Accueillir chaque semaine un boucher et un primeur ambulants sur la place, en attendant un commerce fixe.",
     0, "Place de l’église", OPEN, "", 6, (WORKSHOP, "Atelier thématique : commerces et services du bourg")),
    ("Un plateau ralentisseur devant l’école", "Surélever la chaussée devant l’école pour faire ralentir les voitures et les camions.",
     1, "École", OPEN, "", 11, None),
    ("Remettre en location les maisons vides du centre", "Aider les propriétaires des maisons vides à les rénover et à les louer, avec les aides de l’Anah.",
     2, None, OPEN, "", 5, None),
    ("Des logements pour les jeunes ménages", "Transformer un bâtiment communal en deux ou trois logements à loyer modéré.",
     2, None, OPEN, "", 0, None),
]

# (target: contribution title or idea title, kind, status, text)
ANSWERS = [
    ("contribution", "La traversée du bourg est dangereuse", "en_etude",
     "La commune a saisi le Département, gestionnaire de la route : une étude de la traversée est en cours avec la DDT, et ses premières conclusions seront présentées en réunion publique."),
    ("contribution", "La boulangerie a fermé", "acceptee",
     "Le café associatif retenu parmi les pistes d’action accueillera un dépôt de pain : la commune met la salle à disposition."),
    ("idea", "Un parking à l’entrée du bourg", "refusee",
     "Un parking existe déjà près du pont ; la commune posera des panneaux à l’entrée du bourg pour l’indiquer."),
]


def load(db) -> int:
    """Add the demo emergence; returns how many ideas (0 when the commune is missing)."""
    commune = db.scalar(select(Commune).where(Commune.insee == "48147"))
    if commune is None:
        return 0
    now = utcnow()
    admin_id = db.scalar(select(RoleGrant.user_id).where(RoleGrant.role == COMMUNE_ADMIN,
                                                         RoleGrant.commune_id == commune.id))
    places = {p.name: p for p in db.scalars(select(Place).where(Place.commune_id == commune.id))}
    axes = []
    for position, (title, description) in enumerate(AXES, start=1):
        axis = Axis(commune_id=commune.id, title=title, description=description, position=position,
                    created_at=now - timedelta(days=20), updated_at=now - timedelta(days=20))
        db.add(axis)
        axes.append(axis)
    db.flush()
    contributions = {c.title: c for c in db.scalars(select(Contribution).where(Contribution.commune_id == commune.id))}
    proposals = {p.title: p for p in db.scalars(select(Proposal).join(StudentWeek)
                                                .where(StudentWeek.commune_id == commune.id))}
    workshops = {w.title: w for w in db.scalars(select(Workshop).where(Workshop.commune_id == commune.id))}
    sources = {CONTRIBUTION: contributions, PROPOSAL: proposals, WORKSHOP: workshops}
    ideas = {}
    for i, (title, text, axis, place_name, status, reason, supports, source) in enumerate(IDEAS):
        place = places.get(place_name) if place_name else None
        stamp = now - timedelta(days=18 - i)
        idea = Idea(commune_id=commune.id, axis_id=axes[axis].id if axis is not None else None, title=title, text=text,
                    place_id=place.id if place else None, place_name=place.name if place else "",
                    lon=place.lon if place else None, lat=place.lat if place else None, status=status,
                    decision_reason=reason, decided_at=now - timedelta(days=4) if status != OPEN else None,
                    supports_count=supports, created_by=admin_id, created_at=stamp, updated_at=stamp)
        db.add(idea)
        db.flush()
        ideas[title] = idea
        if source is not None and source[1] in sources[source[0]]:
            lineage.add(db, commune.id, IDEA, idea.id, source[0], sources[source[0]][source[1]].id, admin_id)
    for kind, title, status, text in ANSWERS:
        target = contributions.get(title) if kind == "contribution" else ideas.get(title)
        if target is not None:
            db.add(Answer(commune_id=commune.id, target_kind=kind, target_id=target.id, status=status, text=text,
                          author_id=admin_id, created_at=now - timedelta(days=3), updated_at=now - timedelta(days=3)))
    db.flush()
    return len(ideas)
