"""Demo workshops: in Grandrieu, a diagnostic walk held three weeks ago (minutes, attendance, two
photos, twelve paper contributions entered for it); in Saint-Étienne-du-Valdonnez, a themed workshop in ten days
with its registrations and its waiting list, and a technical meeting with the partners (internal)."""

import io
import math
import secrets
from datetime import datetime, time, timedelta

from sqlalchemy import select

from revital.communes.models import Commune
from revital.contributions.models import Contribution
from revital.contributions.services import published_changed
from revital.db import utcnow
from revital.formatting import PARIS, paris
from revital.geography.models import Place
from revital.photos import store as photo_store
from revital.photos.processing import process_photo
from revital.workshops import rules
from revital.workshops.models import Registration, Workshop, WorkshopPhoto

METRES = 111_320.0

WALK_MINUTES = """Dix-huit habitants, le maire et deux élus ont marché du foirail à l’église par la Grand-Rue, puis jusqu’au pont. Une heure trente, six arrêts, des fiches papier remplies à chaque arrêt.

## Ce qui ressort
- **Le foirail** reste le cœur du bourg, les jours de foire ; le reste du temps, c’est un parking.
- **La Grand-Rue** : des granges vides et des façades fermées, mais de belles maisons de granit.
- **L’école** : la traversée de la départementale inquiète les parents.
- **Le pont** : un lieu agréable, à relier au centre par un chemin.

Douze contributions ont été recueillies sur papier ; elles sont publiées sur la carte. Prochaine étape : un atelier thématique sur le logement des jeunes ménages.
"""

# (kind, category, title, body, place name, offset in metres east/north)
WALK_CONTRIBUTIONS = [
    ("asset", "vie-sociale", "Les foires du foirail", "Les foires rassemblent tout le plateau : il faut les garder.", "Foirail", (0, 10)),
    ("weakness", "espaces-publics", "Le foirail n’est qu’un parking", "Hors des foires, la place est couverte de voitures.", "Foirail", (-15, -5)),
    ("idea", "espaces-publics", "Des arbres sur le foirail", "Planter quelques frênes pour l’ombre, sans gêner les foires.", "Foirail", (12, 8)),
    ("weakness", "logement", "Des granges vides dans la Grand-Rue", "Trois granges fermées entre la mairie et l’église.", "Grand-Rue", (-20, 0)),
    ("idea", "logement", "Des logements pour les jeunes dans une grange", "La commune pourrait acheter une grange et y faire deux logements.", "Grand-Rue", (10, 4)),
    ("asset", "patrimoine", "Les maisons de granit", "Les encadrements de portes sculptés de la Grand-Rue.", "Grand-Rue", (25, -6)),
    ("weakness", "mobilite", "Traverser devant l’école", "Les camions descendent vite ; il faudrait un plateau ou un passage protégé.", "École", (0, -8)),
    ("idea", "mobilite", "Un chemin piéton de l’école au foirail", "Pour que les enfants n’aient pas à longer la départementale.", "École", (15, 12)),
    ("asset", "nature", "Le pont sur le Grandrieu", "Un endroit calme au bord de l’eau, à deux pas du centre.", "Pont sur le Grandrieu", (5, 5)),
    ("idea", "nature", "Un sentier le long de la rivière", "Relier le pont à l’église par la berge.", "Pont sur le Grandrieu", (-12, 15)),
    ("weakness", "commerce", "Plus de boucherie", "Depuis la fermeture, il faut aller à Langogne.", "Église Saint-Martin", (18, -12)),
    ("idea", "services", "Un point poste et pain à la mairie", "En attendant un commerce, un dépôt à la mairie aux heures d’ouverture.", "Mairie", (6, -4)),
]

REGISTRATIONS = [
    ("Odette Pantel", "odette.pantel@exemple.fr", 1), ("Famille Roux", "roux.famille@exemple.fr", 3),
    ("Jean-Louis Vidal", None, 1), ("Martine Bonnet", "martine.bonnet@exemple.fr", 2),
    ("Collectif du Valdonnez", "collectif@exemple.fr", 4), ("Élodie Fabre", "elodie.fabre@exemple.fr", 1),
    ("Paul Chabert", None, 2), ("Sophie Pagès", "sophie.pages@exemple.fr", 1),
    ("Henri Boulet", "henri.boulet@exemple.fr", 2), ("Claire Astruc", "claire.astruc@exemple.fr", 1),
]

THEMED_AGENDA = """Un atelier de deux heures, ouvert à tous, pour parler des commerces et des services du bourg.

- **18 h 30** : accueil, café
- **18 h 45** : ce que la carte participative dit déjà (la boulangerie, le café associatif, le médecin)
- **19 h 15** : en petits groupes, autour des plans du bourg : où, quoi, avec qui ?
- **20 h 15** : mise en commun

Venez avec vos idées ; les enfants sont les bienvenus (coin dessin).
"""


def sketch(seed: int) -> bytes:
    """A drawn picture standing for a photo of the walk (the demo has no real photos): sky,
    hills, a row of granite houses. PNG bytes, for revital.photos to process like any upload."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (960, 640), (168, 200, 226))
    draw = ImageDraw.Draw(image)
    draw.polygon([(0, 400), (240, 300 + 20 * seed), (520, 380), (760, 290), (960, 360), (960, 640), (0, 640)],
                 fill=(112, 146, 92))
    for i in range(5):
        x = 90 + i * 170 + 15 * seed
        draw.rectangle([x, 380, x + 120, 520], fill=(128, 126, 122))
        draw.polygon([(x - 10, 380), (x + 60, 330), (x + 130, 380)], fill=(70, 72, 80))
        draw.rectangle([x + 45, 450, x + 75, 520], fill=(92, 62, 40))
    draw.rectangle([0, 560, 960, 640], fill=(150, 140, 120))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


PHOTOS = [(0, "Le groupe devant la bascule du foirail, au départ de la marche (dessin de démonstration)"),
          (1, "Arrêt dans la Grand-Rue, devant les granges fermées (dessin de démonstration)")]


def at(day_offset: int, clock: time) -> datetime:
    day = paris(utcnow()).date() + timedelta(days=day_offset)
    return datetime.combine(day, clock, tzinfo=PARIS)


def load(db) -> int:
    """Add the demo workshops; returns how many."""
    communes = {c.insee: c for c in db.scalars(select(Commune).where(Commune.insee.in_(["48070", "48147"])))}
    count = 0
    grandrieu, main = communes.get("48070"), communes.get("48147")
    now = utcnow()
    if grandrieu is not None:
        places = {p.name: p for p in db.scalars(select(Place).where(Place.commune_id == grandrieu.id))}
        walk = Workshop(
            commune_id=grandrieu.id, phase="diagnostic", kind=rules.WALK,
            title="Diagnostic en marchant : du foirail au pont", starts_at=at(-21, time(14, 0)), ends_at=at(-21, time(16, 30)),
            place_id=places["Foirail"].id if "Foirail" in places else None, address="Rendez-vous devant la bascule",
            facilitators="Le groupe local de Grandrieu", capacity=None, public=True, registration_open=False,
            agenda="Une marche d’une heure trente, six arrêts : venez avec de bonnes chaussures.",
            status=rules.CLOSED, minutes=WALK_MINUTES, attendance=18, closed_at=now - timedelta(days=19),
            created_at=now - timedelta(days=40), updated_at=now - timedelta(days=19),
        )
        db.add(walk)
        db.flush()
        for seed, alt in PHOTOS:
            walk.photos.append(WorkshopPhoto(photo=photo_store.store(db, process_photo(sketch(seed))), alt=alt))
        for i, (kind, category, title, body, place_name, (east, north)) in enumerate(WALK_CONTRIBUTIONS):
            place = places.get(place_name)
            lon = lat = None
            if place is not None:
                lon = round(place.lon + east / (METRES * math.cos(math.radians(place.lat))), 6)
                lat = round(place.lat + north / METRES, 6)
            entered = now - timedelta(days=20, minutes=10 * (12 - i))
            db.add(Contribution(
                commune_id=grandrieu.id, kind=kind, category=category, title=title, body=body, lon=lon, lat=lat,
                place_name=place.name if place else "", phase="diagnostic", source="workshop", status="published",
                workshop_id=walk.id, author_name="", submission_token=secrets.token_urlsafe(18),
                created_at=entered, published_at=entered,
            ))
        published_changed(db, grandrieu.id, len(WALK_CONTRIBUTIONS))
        count += 1
    if main is not None:
        places = {p.name: p for p in db.scalars(select(Place).where(Place.commune_id == main.id))}
        themed = Workshop(
            commune_id=main.id, phase="emergence", kind=rules.THEMATIC,
            title="Atelier thématique : commerces et services du bourg", starts_at=at(10, time(18, 30)),
            ends_at=at(10, time(20, 30)), place_id=places["Salle polyvalente"].id if "Salle polyvalente" in places else None,
            address="Grande salle, entrée côté parking", facilitators="Lucie Bonnet (groupe local), le CAUE de la Lozère",
            agenda=THEMED_AGENDA, capacity=16, public=True, registration_open=True,
            created_at=now - timedelta(days=12), updated_at=now - timedelta(days=12),
        )
        db.add(themed)
        db.flush()
        taken = 0
        for i, (name, email, people) in enumerate(REGISTRATIONS):
            status = rules.CONFIRMED if taken + people <= themed.capacity else rules.WAITING
            taken += people if status == rules.CONFIRMED else 0
            stamp = now - timedelta(days=11 - i, hours=i)
            db.add(Registration(workshop_id=themed.id, name=name, email=email, people=people, status=status,
                                created_at=stamp, updated_at=stamp))
        db.add(Workshop(
            commune_id=main.id, phase="emergence", kind=rules.TECHNICAL,
            title="Réunion technique : la traversée du bourg", starts_at=at(17, time(10, 0)), ends_at=at(17, time(12, 0)),
            place_id=places["Mairie"].id if "Mairie" in places else None, address="Salle du conseil",
            facilitators="La commune, le CAUE, la DDT, le Département (routes)", public=False, registration_open=False,
            agenda="Les contraintes de la route départementale, les premières esquisses des étudiants, le calendrier.",
            created_at=now - timedelta(days=5), updated_at=now - timedelta(days=5),
        ))
        count += 2
    return count
