"""Demo contributions: realistic ones for the demo communes, and synthetic ones for benchmarks."""

import random
import secrets
from datetime import timedelta

import numpy as np
from sqlalchemy import insert, select

from revital import geo
from revital.communes.models import Commune
from revital.contributions.models import Contribution, ModerationDecision
from revital.contributions.services import published_changed
from revital.db import utcnow
from revital.geography.models import Place
from revital.process.models import Process

# (kind, category, title, body, place name or None, offset in metres east/north or None, status, supports, author)
REALISTIC = {
    "48147": [
        ("weakness", "commerce", "La boulangerie a fermé", "Depuis la fermeture, il faut descendre à Mende pour le pain. Un dépôt de pain au café suffirait déjà.", "Place de l’église", (15, -10), "published", 14, "Martine"),
        ("asset", "patrimoine", "Les façades en pierre de la rue principale", "Elles font le charme du bourg, mais plusieurs se dégradent faute d’entretien.", None, (-40, 25), "published", 9, "Jean-Louis"),
        ("weakness", "mobilite", "La traversée du bourg est dangereuse", "Les voitures roulent vite devant l’école, il n’y a pas de trottoir continu.", "École", (0, 12), "published", 21, "Parents d’élèves"),
        ("idea", "espaces-publics", "Des bancs et de l’ombre sur la place", "Planter deux tilleuls et poser des bancs pour que les anciens puissent s’asseoir.", "Place de l’église", (-8, 6), "published", 17, "Odette"),
        ("weakness", "logement", "Trois maisons vides au centre", "Elles sont à vendre depuis des années ; des familles cherchent pourtant à louer.", None, (30, 40), "published", 6, ""),
        ("idea", "vie-sociale", "Un café associatif", "Un lieu pour se retrouver, avec dépôt de pain et point relais colis.", "Salle polyvalente", (5, -5), "published", 24, "Collectif du Valdonnez"),
        ("asset", "nature", "Les berges du Bramont", "Un beau chemin le long de l’eau, à relier au centre par un sentier balisé.", "Pont sur le Bramont", (20, 10), "published", 11, "Randonneur"),
        ("idea", "mobilite", "Un parking à l’entrée du bourg", "Libérer la place des voitures en créant un parking près du pont.", "Pont sur le Bramont", (-25, -15), "published", 4, ""),
        ("weakness", "services", "Plus de médecin depuis 2013", None, None, None, "published", 19, "Une habitante"),
        ("idea", "commerce", "Un marché de producteurs le samedi", "Les producteurs du Valdonnez vendent à Mende ; ils pourraient venir ici.", "Place de l’église", (10, 15), "pending", 0, "Élodie"),
        ("asset", "vie-sociale", "La fête du village en août", "Elle rassemble tout le monde : un atout à garder.", None, None, "pending", 0, ""),
        ("weakness", "autre", "Message publicitaire", "Achetez nos fenêtres !", None, None, "rejected", 0, "Pub"),
    ],
    "48027": [
        ("asset", "services", "Les thermes attirent des curistes toute la saison", "Mais ils repartent sans avoir vu le village.", "Thermes", (10, 5), "published", 8, "Curiste"),
        ("weakness", "commerce", "Vitrines vides dans la Grand-Rue", None, "Grand-Rue", (-20, 0), "published", 12, ""),
        ("idea", "patrimoine", "Un parcours de l’eau entre les thermes et le Lot", "Des panneaux sur l’histoire thermale, du pont jusqu’aux sources.", "Pont sur le Lot", (15, 20), "published", 10, "Association du patrimoine"),
        ("idea", "espaces-publics", "Fleurir la Grand-Rue", None, "Grand-Rue", (30, 5), "pending", 0, ""),
    ],
    "48070": [
        ("weakness", "logement", "Des granges abandonnées au cœur du bourg", "Certaines menacent de s’effondrer.", None, (-30, 20), "published", 3, ""),
        ("asset", "vie-sociale", "Le foirail et ses foires", "Le foirail reste le centre de la vie du bourg.", "Foirail", (0, 0), "published", 7, "Éleveur"),
        ("idea", "foncier", "Transformer une grange en logements pour jeunes", None, None, (25, -20), "pending", 0, "Thomas"),
    ],
}

METRES = 111_320.0


def load_realistic(db) -> int:
    """Add the realistic demo contributions; returns how many."""
    count = 0
    now = utcnow()
    for insee, rows in REALISTIC.items():
        commune = db.scalar(select(Commune).where(Commune.insee == insee))
        if commune is None:
            continue
        phase = db.scalar(select(Process.phase).where(Process.commune_id == commune.id)) or "diagnostic"
        places = {p.name: p for p in db.scalars(select(Place).where(Place.commune_id == commune.id))}
        anchor = next(iter(places.values()), None)
        for i, (kind, category, title, body, place_name, offset, status, supports, author) in enumerate(rows):
            place = places.get(place_name) if place_name else None
            base = place or anchor
            lon = lat = None
            if offset is not None and base is not None:
                lon = round(base.lon + offset[0] / (METRES * np.cos(np.radians(base.lat))), 6)
                lat = round(base.lat + offset[1] / METRES, 6)
            created = now - timedelta(days=60 - 4 * i, hours=i)
            contribution = Contribution(
                commune_id=commune.id, kind=kind, category=category, title=title, body=body or "",
                lon=lon, lat=lat, place_id=place.id if place and offset == (0, 0) else None,
                place_name=place.name if place else "", phase=phase if status == "pending" else "diagnostic",
                source="workshop" if i % 4 == 3 else "online", status=status, author_name=author,
                submission_token=secrets.token_urlsafe(18), supports_count=supports, created_at=created,
                published_at=created + timedelta(days=1) if status == "published" else None,
            )
            if status == "rejected":
                contribution.decisions.append(ModerationDecision(
                    action="reject", reason="Publicité sans rapport avec la démarche.",
                    user_name="Lucie (animatrice)", created_at=created + timedelta(hours=3)))
            elif status == "published" and contribution.source == "online":
                contribution.decisions.append(ModerationDecision(
                    action="publish", user_name="Lucie (animatrice)", created_at=created + timedelta(days=1)))
            db.add(contribution)
            count += 1
        published_changed(db, commune.id, sum(1 for row in rows if row[6] == "published"))
    return count


def add_synthetic(db, commune: Commune, n: int, seed: int = 1) -> int:
    """n published contributions spread over the commune, inserted in bulk (for benchmarks)."""
    rng = random.Random(seed)
    zone = geo.from_geojson(commune.boundary)
    min_lon, min_lat, max_lon, max_lat = geo.bounds(zone)
    points = []
    while len(points) < n:
        lons = np.array([rng.uniform(min_lon, max_lon) for _ in range(n)])
        lats = np.array([rng.uniform(min_lat, max_lat) for _ in range(n)])
        inside = geo.covers_points(zone, lons, lats)
        points += [(round(x, 6), round(y, 6)) for x, y in zip(lons[inside], lats[inside], strict=True)]
    kinds = ("asset", "weakness", "idea")
    categories = ("logement", "commerce", "espaces-publics", "mobilite", "patrimoine", "services", "nature",
                  "vie-sociale", "foncier", "autre")
    now = utcnow()
    rows = [
        {"commune_id": commune.id, "kind": kinds[i % 3], "category": categories[i % 10],
         "title": f"Contribution de test n° {i + 1}", "body": "Texte synthétique pour les mesures.",
         "lon": lon, "lat": lat, "place_name": "", "phase": "diagnostic", "source": "online", "status": "published",
         "author_name": "", "author_email": "", "submission_token": secrets.token_urlsafe(18),
         "supports_count": 0, "created_at": now, "published_at": now}
        for i, (lon, lat) in enumerate(points[:n])
    ]
    for start in range(0, len(rows), 1000):
        db.execute(insert(Contribution), rows[start:start + 1000])
    published_changed(db, commune.id, n)
    return n
