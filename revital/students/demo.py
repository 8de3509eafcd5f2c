"""Demo student week: in Saint-Étienne-du-Valdonnez, an immersion week held two months ago by a
Grenoble master's team (the demo student and supervisor), with nine field observations around the
demo places, two published proposals (one at a point, one over an area), one approved and waiting
for the commune, and one draft."""

import json
import math
from datetime import timedelta

from sqlalchemy import select

from revital.accounts.models import User
from revital.communes.models import Commune
from revital.db import utcnow
from revital.formatting import paris
from revital.geography.models import Place
from revital.students import rules
from revital.students.models import Observation, Proposal, StudentWeek, WeekMember

METRES = 111_320.0

BRIEF = """La commune attend de l’équipe un regard neuf sur le centre-bourg :

- **la traversée** par la départementale : comment la rendre sûre et agréable à pied ;
- **la place de l’église** : un lieu de vie, pas seulement un parking ;
- **les logements vacants** de la rue principale.

Restitution publique le vendredi à 18 h, salle polyvalente.
"""

# (kind, title, text, place name, offset in metres east/north)
OBSERVATIONS = [
    ("weakness", "Voitures garées sur le parvis", "Huit voitures sur la place à 10 h, aucune à pied.", "Place de l’église", (8, 4)),
    ("asset", "Le tilleul de la place", "Un arbre remarquable, de l’ombre l’été : le seul banc du bourg est dessous.", "Place de l’église", (-10, 6)),
    ("use", "Rendez-vous des anciens", "Trois habitants s’y retrouvent chaque matin après la boulangerie.", "Place de l’église", (4, -9)),
    ("weakness", "Trottoir de 60 cm", "Devant la mairie, impossible de passer avec une poussette.", "Mairie", (-6, -4)),
    ("question", "Que devient l’ancienne poste ?", "Bâtiment fermé, vitrine vide : propriétaire à contacter.", "Mairie", (14, 3)),
    ("weakness", "Traversée devant l’école", "Des camions à 60 km/h à la sortie des classes, aucun passage protégé.", "École", (0, -10)),
    ("use", "Parents en voiture", "Une vingtaine de voitures à 16 h 30 pour une école à 300 m des maisons.", "École", (12, 6)),
    ("asset", "Le pont et la rivière", "Un lieu frais et calme, à cinq minutes de la place.", "Pont sur le Bramont", (5, 5)),
    ("asset", "Un chemin le long du Bramont", "Un sentier existe déjà, mal entretenu, jusqu’à la salle polyvalente.", "Pont sur le Bramont", (25, -8)),
]

PLACE_TEXT = """Aujourd’hui la place de l’église est un parking. Nous proposons de **rendre le parvis aux piétons** : les voitures se garent le long de la salle polyvalente (à 200 m), le parvis reçoit des bancs sous le tilleul, un point d’eau et l’espace du marché du samedi.

- Phase 1 (test, un été) : du mobilier léger, le stationnement interdit le samedi.
- Phase 2 : un revêtement clair, des plantations.

Coût estimé de la phase 1 : 8 000 €.
"""

CROSSING_TEXT = """La traversée du bourg par la départementale sépare l’école des maisons et de la rivière. Nous proposons une **zone de rencontre** (20 km/h) de l’école à la mairie, avec un plateau surélevé devant l’école, et de rouvrir le sentier du Bramont jusqu’à la salle polyvalente.

À discuter avec le Département, gestionnaire de la route.
"""


def offset(place: Place, east: float, north: float) -> tuple[float, float]:
    lon = place.lon + east / (METRES * math.cos(math.radians(place.lat)))
    return round(lon, 6), round(place.lat + north / METRES, 6)


def load(db) -> int:
    """Add the demo week; returns how many weeks (0 when the commune or its accounts are missing)."""
    commune = db.scalar(select(Commune).where(Commune.insee == "48147"))
    users = {u.email: u for u in db.scalars(select(User).where(User.email.in_(["etudiant@revital.test",
                                                                              "encadrant@revital.test"])))}
    if commune is None or len(users) < 2:
        return 0
    places = {p.name: p for p in db.scalars(select(Place).where(Place.commune_id == commune.id))}
    now = utcnow()
    starts = paris(now).date() - timedelta(days=61)
    week = StudentWeek(commune_id=commune.id, kind=rules.IMMERSION, title="Semaine d’immersion au Valdonnez",
                       starts_on=starts, ends_on=starts + timedelta(days=4), school="Université Grenoble Alpes",
                       programme="Master Urbanisme et projet territorial, Grenoble", team_name="Master Urbanisme, Grenoble",
                       brief=BRIEF, created_at=now - timedelta(days=90), updated_at=now - timedelta(days=90))
    db.add(week)
    db.flush()
    student, supervisor = users["etudiant@revital.test"], users["encadrant@revital.test"]
    db.add_all([WeekMember(week_id=week.id, user_id=student.id, role=rules.STUDENT),
                WeekMember(week_id=week.id, user_id=supervisor.id, role=rules.SUPERVISOR)])
    for i, (kind, title, text, place_name, (east, north)) in enumerate(OBSERVATIONS):
        place = places.get(place_name)
        if place is None:
            continue
        lon, lat = offset(place, east, north)
        db.add(Observation(week=week, author_id=student.id, kind=kind, title=title, text=text, lon=lon, lat=lat,
                           created_at=now - timedelta(days=60, hours=-i)))
    reviewed = now - timedelta(days=50)
    church, school, hall = places.get("Place de l’église"), places.get("École"), places.get("Salle polyvalente")
    if church is not None:
        db.add(Proposal(week=week, author_id=student.id, title="Rendre la place de l’église aux piétons", text=PLACE_TEXT,
                        status=rules.PUBLISHED, location=json.dumps({"type": "Point", "coordinates": [church.lon, church.lat]}),
                        lon=church.lon, lat=church.lat, review_comment="Très clair ; chiffrez la phase 1.",
                        created_at=now - timedelta(days=59), updated_at=reviewed, submitted_at=now - timedelta(days=57),
                        reviewed_at=reviewed, published_at=now - timedelta(days=45), version=3))
    if school is not None and hall is not None:
        ring = [offset(school, -30, 30), offset(hall, 30, 30), offset(hall, 30, -30), offset(school, -30, -60)]
        area = {"type": "Polygon", "coordinates": [[list(p) for p in ring + ring[:1]]]}
        db.add(Proposal(week=week, author_id=student.id, title="De l’école au Bramont, à pied", text=CROSSING_TEXT,
                        status=rules.PUBLISHED, location=json.dumps(area), lon=school.lon, lat=school.lat,
                        created_at=now - timedelta(days=59), updated_at=reviewed, submitted_at=now - timedelta(days=57),
                        reviewed_at=reviewed, published_at=now - timedelta(days=45), version=3))
    db.add(Proposal(week=week, author_id=student.id, title="Deux logements dans l’ancienne poste",
                    text="Une étude de capacité : deux T3 à l’étage, un local commercial au rez-de-chaussée.",
                    status=rules.APPROVED, review_comment="Bonne piste, à vérifier avec l’ABF.",
                    created_at=now - timedelta(days=58), updated_at=reviewed, submitted_at=now - timedelta(days=56),
                    reviewed_at=reviewed, version=3))
    db.add(Proposal(week=week, author_id=student.id, title="Un marché couvert (brouillon)",
                    text="Notes de travail : à reprendre après la restitution.", status=rules.DRAFT,
                    created_at=now - timedelta(days=57), updated_at=now - timedelta(days=57)))
    return 1
