"""Demo implementation in Châteauneuf-de-Randon: one of the demo's neighbours becomes an engaged
commune that went through every phase (diagnostic → emergence → feasibility → programming →
implementation), with its local group and partners, a study perimeter around the bourg, four
stakes, two axes, five retained ideas, six validated action sheets (content, costs, funding,
dates, locations, opinions of the CAUE, the DDT and the Banque des Territoires), and two published
versions of its roadmap: the second adds the sixth action and raises the cost of the second. A
few actions are under way (their progress). Fictional content, realistic figures."""

import json
from datetime import date, timedelta

from sqlalchemy import select, update

from revital.communes.models import Commune, CommunePartner, Organisation
from revital.db import utcnow
from revital.diagnostic.models import Stake
from revital.geography.models import Place
from revital.ideas.models import RETAINED, Axis, Idea
from revital.journal.models import PUBLISHED, WRITTEN, JournalPost
from revital.lineage import services as lineage
from revital.localgroups.models import LocalGroup, Member
from revital.process.models import PhaseTransition, Process
from revital.roadmaps import services
from revital.roadmaps.models import DONE, ONGOING, UPCOMING, Progress, Roadmap
from revital.sheets import snapshot as sheet_snapshot
from revital.sheets.models import (
    ACTION,
    ANIMATION,
    FAVOURABLE,
    GRANTED,
    REFUSED,
    REQUESTED,
    RESERVED,
    REVIEW,
    STUDY,
    VALIDATED,
    WORKS,
    ActionSheet,
    Cost,
    FundingLine,
    Indicator,
    Milestone,
    Opinion,
    Operation,
    SheetPartner,
    Version,
)

INSEE = "48043"
SLUG = "chateauneuf-de-randon"
CENTRE = (3.6735, 44.6398)  # the bourg, below the tower of the old castle
DESCRIPTION = (
    "Bourg perché de la Margeride, au carrefour des routes de Mende et du Puy, Châteauneuf-de-Randon "
    "garde le souvenir de Du Guesclin et de son château. Engagée dans la démarche en 2022, la commune "
    "met en œuvre sa feuille de route : place du Mausolée, logements communaux, commerces de la "
    "Grand-Rue, chemin du château. (Texte de démonstration.)"
)
HISTORY = [
    ("diagnostic", "start", "Ouverture de la démarche après l’entrée de la commune dans le programme du Pays."),
    ("emergence", "advance", "Diagnostic partagé restitué en réunion publique à la salle des fêtes."),
    ("feasibility", "advance", "Deux axes et cinq pistes retenus par le conseil municipal."),
    ("programming", "advance", "Six fiches actions instruites avec le CAUE, la DDT et la Banque des Territoires."),
    ("implementation", "advance", "Feuille de route votée en conseil municipal, publiée en version 1."),
]
MEMBERS = [
    ("Bernard Chazal", "elected", "Maire"),
    ("Josiane Pradal", "elected", "Adjointe aux travaux"),
    ("Gilles Bonnal", "resident", "Boulanger de la Grand-Rue"),
    ("Agnès Malige", "resident", "Association du patrimoine"),
    ("Nadia Fabre", "facilitator", "Animatrice"),
]
PLACES = [
    ("Place du Mausolée", "Devant le monument à Du Guesclin.", 3.6741, 44.6401),
    ("Tour des Anglais", "Les vestiges du château, au sommet du bourg.", 3.6726, 44.6409),
    ("Ancienne gendarmerie", "Bâtiment communal vide depuis 2019.", 3.6752, 44.6389),
]
STAKES = [
    ("commerce", "weakness", "Une Grand-Rue aux vitrines vides", 1),
    ("habitat", "weakness", "Des logements vacants au cœur du bourg", 1),
    ("patrimoine", "asset", "Un site historique qui attire les visiteurs", 2),
    ("mobilite", "threat", "Une traversée dangereuse pour les piétons", 2),
]
AXES = [
    ("Un bourg vivant autour de sa place", "La place du Mausolée, la Grand-Rue et leurs commerces."),
    ("Habiter et découvrir le bourg", "Les logements vacants, le chemin du château et l’accueil des visiteurs."),
]
# (title, axis index, stakes (indexes))
IDEAS = [
    ("Rendre la place du Mausolée aux piétons", 0, [0, 3]),
    ("Aider les commerces de la Grand-Rue", 0, [0]),
    ("Des logements dans l’ancienne gendarmerie", 1, [1]),
    ("Un chemin de découverte jusqu’au château", 1, [2]),
    ("Une halle pour le marché du samedi", 0, [0, 2]),
]


def square(lon: float, lat: float, half: float) -> dict:
    k = 1.4  # roughly 1/cos(latitude): a square on the ground
    return {"type": "Polygon", "coordinates": [[
        [lon - half * k, lat - half], [lon + half * k, lat - half], [lon + half * k, lat + half],
        [lon - half * k, lat + half], [lon - half * k, lat - half]]]}


PERIMETER = {"type": "Polygon", "coordinates": [[
    [3.6698, 44.6372], [3.6781, 44.6370], [3.6792, 44.6403], [3.6760, 44.6428], [3.6712, 44.6426],
    [3.6692, 44.6400], [3.6698, 44.6372]]]}

# One sheet: number, title, axis, priority, ideas, geometry, place, pilot, roles, dates, costs
# {year: (investment €, operating €)}, funding [(funder org slug or name, scheme, €, year, status)],
# milestones, indicators, operations, partners, opinions [(org slug, verdict, comments)], in v1.
SHEETS = [
    dict(number=1, title="Réaménager la place du Mausolée", axis=0, priority=1, ideas=[0],
         geometry=square(3.6741, 44.6401, 0.00025), place="Place du Mausolée",
         pilot="Commune de Châteauneuf-de-Randon", elected="Maire", technical="Secrétaire de mairie",
         start=(2027, 1), end=(2028, 2),
         costs={2027: (60_000, 0), 2028: (260_000, 0)},
         funding=[("ddt-48", "DETR", 96_000, 2027, GRANTED), ("departement-48", "Contrat territorial", 64_000, 2027, REQUESTED),
                  ("Région Occitanie", "Bourgs-centres Occitanie", 48_000, 2028, REQUESTED)],
         milestones=[("Choix du maître d’œuvre", date(2027, 3, 15), True), ("Début des travaux", date(2027, 10, 4), False)],
         indicators=[("Places de stationnement déplacées hors de la place", "places", "0", "18", "Commune")],
         operations=[(STUDY, "Maîtrise d’œuvre et concertation"), (WORKS, "Revêtements, plantations, mobilier")],
         partners=["caue-48", "ddt-48"],
         opinions=[("caue-48", FAVOURABLE, "Une place à hauteur d’habitant : garder la perspective sur le mausolée."),
                   ("ddt-48", RESERVED, "Vérifier l’accessibilité des cheminements (pentes supérieures à 4 %).")],
         in_v1=True),
    dict(number=2, title="Une aide aux vitrines de la Grand-Rue", axis=0, priority=2, ideas=[1],
         geometry={"type": "LineString", "coordinates": [[3.6722, 44.6392], [3.6738, 44.6397], [3.6756, 44.6402]]},
         place="Grand-Rue", pilot="Commune de Châteauneuf-de-Randon", elected="Adjointe au commerce",
         technical="Manager de commerce du Pays", start=(2027, 2), end=(2029, 4),
         costs={2027: (20_000, 5_000), 2028: (20_000, 5_000), 2029: (20_000, 5_000)},
         funding=[("banque-des-territoires", "Petites villes de demain — ingénierie", 15_000, 2027, GRANTED),
                  ("CCI de la Lozère", "Aide au commerce de proximité", 12_000, 2028, REQUESTED)],
         milestones=[("Règlement de l’aide voté", date(2027, 5, 20), True)],
         indicators=[("Vitrines rénovées", "vitrines", "0", "10", "Commune")],
         operations=[(ANIMATION, "Accompagnement des commerçants"), (WORKS, "Aide aux travaux de façade")],
         partners=["banque-des-territoires"],
         opinions=[("banque-des-territoires", FAVOURABLE, "Cofinancement de l’ingénierie possible en 2027.")],
         in_v1=True),
    dict(number=3, title="Quatre logements dans l’ancienne gendarmerie", axis=1, priority=1, ideas=[2],
         geometry={"type": "Point", "coordinates": [3.6752, 44.6389]}, place="Ancienne gendarmerie",
         pilot="Lozère Habitations (bailleur social)", elected="Maire", technical="Chargée d’opérations du bailleur",
         start=(2027, 3), end=(2029, 2),
         costs={2027: (45_000, 0), 2028: (380_000, 0), 2029: (155_000, 0)},
         funding=[("banque-des-territoires", "Prêt PLUS", 290_000, 2028, GRANTED),
                  ("departement-48", "Aide au logement social", 60_000, 2028, REQUESTED),
                  ("ddt-48", "Fonds vert — rénovation", 40_000, 2028, REFUSED)],
         milestones=[("Bail emphytéotique signé", date(2027, 6, 30), True), ("Livraison", date(2029, 6, 1), False)],
         indicators=[("Logements vacants remis sur le marché", "logements", "0", "4", "Bailleur")],
         operations=[(STUDY, "Diagnostic du bâti"), (WORKS, "Réhabilitation")],
         partners=["banque-des-territoires", "departement-48"],
         opinions=[("banque-des-territoires", FAVOURABLE, "Équilibre d’opération confirmé avec le bailleur."),
                   ("caue-48", FAVOURABLE, "Conserver les menuiseries en bois de la façade sur rue.")],
         in_v1=True),
    dict(number=4, title="Le chemin du château", axis=1, priority=2, ideas=[3],
         geometry={"type": "LineString", "coordinates": [[3.6741, 44.6401], [3.6733, 44.6405], [3.6726, 44.6409]]},
         place="Tour des Anglais", pilot="Communauté de communes Randon-Margeride", elected="Adjoint au tourisme",
         technical="Chargé de mission tourisme", start=(2028, 1), end=(2028, 4),
         costs={2028: (85_000, 3_000)},
         funding=[("departement-48", "Plan départemental des itinéraires", 25_000, 2028, REQUESTED)],
         milestones=[("Panneaux posés", date(2028, 9, 1), False)],
         indicators=[("Visiteurs comptés au sommet", "visiteurs par an", "", "6000", "Éco-compteur")],
         operations=[(WORKS, "Escaliers, rambarde et signalétique")],
         partners=["caue-48"],
         opinions=[("caue-48", FAVOURABLE, "Une signalétique sobre, en acier corten, comme sur les sites voisins.")],
         in_v1=True),
    dict(number=5, title="Sécuriser la traversée du bourg", axis=0, priority=1, ideas=[0],
         geometry={"type": "LineString", "coordinates": [[3.6705, 44.6383], [3.6730, 44.6393], [3.6770, 44.6406]]},
         place="Route départementale 988", pilot="Département de la Lozère", elected="Maire",
         technical="Agence technique départementale", start=(2027, 2), end=(2027, 4),
         costs={2027: (140_000, 0)},
         funding=[("departement-48", "Amendes de police", 42_000, 2027, GRANTED)],
         milestones=[("Plateaux et écluses posés", date(2027, 11, 15), False)],
         indicators=[("Vitesse moyenne mesurée dans la traversée", "km/h", "52", "30", "Département")],
         operations=[(WORKS, "Deux plateaux, une écluse, passages piétons")],
         partners=["departement-48", "ddt-48"],
         opinions=[("ddt-48", FAVOURABLE, "Cohérent avec le plan de mise en accessibilité de la voirie.")],
         in_v1=True),
    dict(number=6, title="Une halle pour le marché du samedi", axis=0, priority=3, ideas=[4],
         geometry=square(3.6747, 44.6397, 0.00012), place="Place du Mausolée",
         pilot="Commune de Châteauneuf-de-Randon", elected="Adjointe au commerce", technical="Secrétaire de mairie",
         start=(2028, 3), end=(2029, 3),
         costs={2028: (30_000, 0), 2029: (150_000, 2_000)},
         funding=[("Région Occitanie", "Bourgs-centres Occitanie", 54_000, 2029, REQUESTED)],
         milestones=[("Étude de programmation", date(2028, 12, 1), False)],
         indicators=[("Exposants au marché du samedi", "exposants", "4", "12", "Commune")],
         operations=[(STUDY, "Programmation et esquisse"), (WORKS, "Halle ouverte en bois")],
         partners=["caue-48"],
         opinions=[("caue-48", FAVOURABLE, "Une halle ouverte, à l’échelle de la place.")],
         in_v1=False),
]
CHANGED_COST = (2, 2028, 30_000)  # in v2, sheet 2's investment of 2028 goes from 20,000 € to 30,000 €
NOTES = (
    "Version votée par le conseil municipal : cinq actions, pour un premier programme de trois ans.",
    "Ajout de la halle du marché (action 6), demandée par les exposants du samedi. L’aide aux vitrines de la "
    "Grand-Rue est portée à 30 000 € en 2028 : dix commerçants ont déjà déposé un dossier.",
)
POST = ("La traversée du bourg est sécurisée",
        "Les deux plateaux et l’écluse de la route départementale sont posés : la vitesse mesurée est passée de "
        "52 à 31 km/h. Merci aux riverains pour leur patience pendant les six semaines de chantier.")
PROGRESS = [(1, ONGOING, 35, 5_800_000), (2, ONGOING, 50, 1_900_000), (3, UPCOMING, 10, 450_000), (5, DONE, 100, 13_650_000)]


def euros(n: int) -> int:
    return n * 100


def engage(db, commune: Commune, organisations: dict[str, Organisation], now) -> None:
    """The process through every phase, the local group's members, the partners, the perimeter."""
    commune.description = DESCRIPTION
    commune.perimeter = json.dumps(PERIMETER)
    started = now - timedelta(days=150 * len(HISTORY))
    process = Process(commune_id=commune.id, phase=HISTORY[-1][0], version=len(HISTORY), started_at=started)
    previous = None
    for i, (phase, kind, reason) in enumerate(HISTORY):
        at = started + timedelta(days=150 * i)
        process.transitions.append(PhaseTransition(from_phase=previous, to_phase=phase, kind=kind, reason=reason,
                                                   user_name="Coordination du Pays (démo)", created_at=at))
        previous, process.updated_at = phase, at
    db.add(process)
    group = db.scalar(select(LocalGroup).where(LocalGroup.commune_id == commune.id))
    group.description = "Élus, habitants et partenaires qui suivent la mise en œuvre (membres fictifs)."
    for name, kind, function in MEMBERS:
        group.members.append(Member(name=name, kind=kind, function=function))
    for slug in ("caue-48", "ddt-48", "departement-48", "banque-des-territoires"):
        commune.partners.append(CommunePartner(organisation=organisations[slug]))
    for name, description, lon, lat in PLACES:
        db.add(Place(commune_id=commune.id, name=name, description=description, lon=lon, lat=lat))


def add_sheet(db, commune: Commune, spec: dict, axes: list[Axis], ideas: list[Idea], organisations, at) -> ActionSheet:
    validated = spec["in_v1"]
    sheet = ActionSheet(
        commune_id=commune.id, number=spec["number"], title=spec["title"], axis_id=axes[spec["axis"]].id,
        priority=spec["priority"],
        context=f"{spec['place']} : ce que le diagnostic partagé a relevé, et ce que les habitants ont demandé en atelier.",
        objectives=f"- {spec['title']}\n- Redonner au centre-bourg des raisons de s’y arrêter",
        effects="Un bourg plus agréable à vivre et à traverser ; des habitants et des visiteurs qui restent.",
        targets="Les habitants du bourg et des hameaux, les visiteurs du site historique.",
        description=f"{spec['title']}, selon le programme arrêté avec les partenaires (texte de démonstration).",
        prerequisites="Délibération du conseil municipal ; accord des financeurs.",
        geometry=json.dumps(spec["geometry"]), place_name=spec["place"], pilot=spec["pilot"],
        elected_referent="Élu référent (démo)", elected_referent_role=spec["elected"],
        technical_referent="Référent technique (démo)", technical_referent_role=spec["technical"],
        start_year=spec["start"][0], start_quarter=spec["start"][1], end_year=spec["end"][0], end_quarter=spec["end"][1],
        maturity=ACTION, status=VALIDATED if validated else REVIEW, validated_at=at if validated else None,
        version=1, created_at=at - timedelta(days=90), updated_at=at)
    db.add(sheet)
    db.flush()
    for position, (kind, label) in enumerate(spec["operations"]):
        db.add(Operation(commune_id=commune.id, sheet_id=sheet.id, kind=kind, label=label, position=position))
    for year, (investment, operating) in spec["costs"].items():
        db.add(Cost(commune_id=commune.id, sheet_id=sheet.id, year=year, investment_cents=euros(investment),
                    operating_cents=euros(operating)))
    for position, (funder, scheme, amount, year, status) in enumerate(spec["funding"]):
        organisation = organisations.get(funder)
        db.add(FundingLine(commune_id=commune.id, sheet_id=sheet.id, organisation_id=organisation.id if organisation else None,
                           funder=organisation.name if organisation else funder, scheme=scheme,
                           amount_cents=euros(amount), year=year, status=status, position=position))
    for label, on, done in spec["milestones"]:
        db.add(Milestone(commune_id=commune.id, sheet_id=sheet.id, label=label, on=on, done=done))
    for position, (name, unit, baseline, target, source) in enumerate(spec["indicators"]):
        db.add(Indicator(commune_id=commune.id, sheet_id=sheet.id, name=name, unit=unit, baseline=baseline,
                         target=target, source=source, position=position))
    for slug in spec["partners"]:
        db.add(SheetPartner(commune_id=commune.id, sheet_id=sheet.id, organisation_id=organisations[slug].id))
    for index in spec["ideas"]:
        lineage.add(db, commune.id, "sheet", sheet.id, "idea", ideas[index].id)
    for slug, verdict, comments in spec["opinions"]:
        db.add(Opinion(commune_id=commune.id, sheet_id=sheet.id, organisation_id=organisations[slug].id, version=1,
                       verdict=verdict, comments=comments, created_at=at - timedelta(days=10)))
    return sheet


def publish_at(db, commune: Commune, note: str, at) -> Roadmap:
    """Publish a version now, then date it (the roadmap, its snapshot, its journal entry) `at`."""
    roadmap = services.publish(db, commune, None, note)
    db.flush()
    snapshot = json.loads(roadmap.snapshot)
    snapshot["published_at"] = at.isoformat(timespec="seconds")
    roadmap.snapshot = json.dumps(snapshot, ensure_ascii=False, sort_keys=True)
    roadmap.published_at, roadmap.author_name = at, "Mairie de Châteauneuf-de-Randon (démo)"
    db.flush()
    db.execute(update(JournalPost).where(JournalPost.commune_id == commune.id, JournalPost.kind == services.JOURNAL_KIND,
                                         JournalPost.title == services.journal_title(roadmap.number, commune))
               .values(created_at=at, published_at=at))
    return roadmap


def load(db) -> bool:
    commune = db.scalar(select(Commune).where(Commune.insee == INSEE))
    if commune is None or db.scalar(select(Process.id).where(Process.commune_id == commune.id)) is not None:
        return False
    organisations = {o.slug: o for o in db.scalars(select(Organisation).where(Organisation.territory_id == commune.territory_id))}
    now = utcnow()
    engage(db, commune, organisations, now)
    db.flush()
    stakes = []
    for theme, afom, title, priority in STAKES:
        stake = Stake(commune_id=commune.id, theme=theme, afom=afom, title=title, priority=priority,
                      text="Relevé par le diagnostic partagé (démonstration).", created_at=now - timedelta(days=560))
        db.add(stake)
        stakes.append(stake)
    axes = [Axis(commune_id=commune.id, title=title, description=description, position=i)
            for i, (title, description) in enumerate(AXES)]
    db.add_all(axes)
    db.flush()
    ideas = []
    for title, axis, stake_indexes in IDEAS:
        idea = Idea(commune_id=commune.id, axis_id=axes[axis].id, title=title, status=RETAINED,
                    text="Piste retenue par le conseil municipal (démonstration).", decided_at=now - timedelta(days=400),
                    created_at=now - timedelta(days=420))
        db.add(idea)
        ideas.append(idea)
    db.flush()
    for idea, (_, _, stake_indexes) in zip(ideas, IDEAS):
        for index in stake_indexes:
            lineage.add(db, commune.id, "idea", idea.id, "stake", stakes[index].id)
    first, second = now - timedelta(days=140), now - timedelta(days=20)
    sheets = {spec["number"]: add_sheet(db, commune, spec, axes, ideas, organisations, first - timedelta(days=5))
              for spec in SHEETS}
    db.flush()
    for sheet_id, frozen in sheet_snapshot.load_many(db, list(sheets.values())).items():  # their version 1
        db.add(Version(commune_id=commune.id, sheet_id=sheet_id, number=1, section="",
                       snapshot=sheet_snapshot.dumps(frozen), created_at=first - timedelta(days=5)))
    publish_at(db, commune, NOTES[0], first)
    # Between the versions: the halle is validated, the aid to the shop windows raised.
    sheets[6].status, sheets[6].validated_at = VALIDATED, second - timedelta(days=3)
    number, year, investment = CHANGED_COST
    db.execute(update(Cost).where(Cost.sheet_id == sheets[number].id, Cost.year == year)
               .values(investment_cents=euros(investment)))
    db.flush()
    publish_at(db, commune, NOTES[1], second)
    db.add(JournalPost(commune_id=commune.id, kind=WRITTEN, status=PUBLISHED, title=POST[0], body=POST[1],
                       created_at=now - timedelta(days=9), published_at=now - timedelta(days=9)))
    for number, status, percent, spent in PROGRESS:
        db.add(Progress(commune_id=commune.id, sheet_id=sheets[number].id, status=status, percent=percent,
                        spent_cents=spent, updated_at=now - timedelta(days=7)))
    db.flush()
    return True
