"""The published contributions as open data: the map feed, the detailed GeoJSON and the CSV.

Published contributions only, never an e-mail address. Each body is built once per version of
the commune's public contributions (revital.communes.versions), gzipped once, and answered with
an ETag (revital.caching). Support counts change too often to version the data by them: the two
exports that carry them are rebuilt every SUPPORTS_LAG seconds at most, and say so in their
version and Cache-Control, so that they lag a minute at most.
"""

import json
import time

from sqlalchemy import select
from sqlalchemy.orm import Session

from revital import exports
from revital.caching import Cache, version_key
from revital.communes.models import Commune
from revital.contributions import rules
from revital.contributions.models import Contribution
from revital.contributions.rules import PUBLISHED
from revital.contributions.services import categories_of, of_workshop

BODIES = Cache(size=64)
SUPPORTS_LAG = 30
LICENCE = "Licence Ouverte 2.0 (Etalab)"


def support_period(now: float | None = None) -> int:
    return int((now if now is not None else time.time()) // SUPPORTS_LAG)


def open_data_version(feed_key: str, now: float | None = None) -> str:
    """The version of an export that carries support counts: its contributions', and the period."""
    return version_key(feed_key, support_period(now))


FEED_COLUMNS = (Contribution.id, Contribution.kind, Contribution.category, Contribution.lon, Contribution.lat)
# The map feed is as small as GeoJSON allows (under 130 bytes a contribution): the feature's
# id, "k" the kind's letter and "c" the category code; ?details=1 gives every public field.
KIND_LETTERS = {"asset": "a", "weakness": "w", "idea": "i"}
FEED_HEAD = (
    '{"type":"FeatureCollection","licence":"' + LICENCE + '",'
    '"fields":{"id":"identifiant de la contribution","k":"a = atout, w = point faible, i = idée",'
    '"c":"thème (code)"},"features":['
)


def published_with_position(commune_id: int, phase: str = "", workshop: int | None = None):
    commune = of_workshop(commune_id, workshop) if workshop is not None else (Contribution.commune_id == commune_id,)
    query = select(*FEED_COLUMNS).where(*commune, Contribution.status == PUBLISHED, Contribution.lon.is_not(None))
    if phase:
        query = query.where(Contribution.phase == phase)
    return query.order_by(Contribution.id)


def map_feed(db: Session, commune: Commune, phase: str = "", workshop: int | None = None) -> bytes:
    """Published contributions that have a position, with 5-decimal coordinates (about a metre);
    `workshop`: those collected in it only (a public workshop of the commune: the caller checks)."""
    rows = db.execute(published_with_position(commune.id, phase, workshop)).all()
    parts = [
        '{"type":"Feature","id":%d,"geometry":{"type":"Point","coordinates":[%.5f,%.5f]},'
        '"properties":{"k":"%s","c":%s}}' % (id_, lon, lat, KIND_LETTERS[kind], json.dumps(category))
        for id_, kind, category, lon, lat in rows
    ]
    return (FEED_HEAD + ",".join(parts) + "]}").encode()


def public_rows(db: Session, commune: Commune):
    return db.scalars(select(Contribution).where(Contribution.commune_id == commune.id, Contribution.status == PUBLISHED)
                      .order_by(Contribution.id)).all()


def public_record(c: Contribution, commune: Commune, categories: dict, base_url: str) -> dict:
    """The public fields of a contribution: the same in the detailed GeoJSON and in the CSV."""
    return {
        "id": c.id,
        "url": f"{base_url}/communes/{commune.slug}/contributions/{c.id}",
        "kind": c.kind,
        "kind_label": rules.KINDS[c.kind],
        "category": c.category,
        "category_label": categories.get(c.category, c.category),
        "title": c.title,
        "text": c.body,
        "longitude": "" if c.lon is None else f"{c.lon:.6f}",
        "latitude": "" if c.lat is None else f"{c.lat:.6f}",
        "place": c.place_name,
        "phase": c.phase,
        "source": c.source,
        "author": c.author_name,
        "supports": c.supports_count,
        "created_at": c.created_at.isoformat(timespec="seconds"),
        "published_at": c.published_at.isoformat(timespec="seconds") if c.published_at else "",
        "photo_url": f"{base_url}/photos/{c.photo.token}.jpg" if c.photo_id else "",
    }


def detailed_feed(db: Session, commune: Commune, base_url: str) -> bytes:
    """Every public field, for reusers: /api/communes/{slug}/contributions.geojson?details=1."""
    categories = categories_of(commune)
    features = [
        {"type": "Feature", "id": c.id,
         "geometry": {"type": "Point", "coordinates": [round(c.lon, 6), round(c.lat, 6)]} if c.lon is not None else None,
         "properties": public_record(c, commune, categories, base_url)}
        for c in public_rows(db, commune)
    ]
    collection = {"type": "FeatureCollection", "licence": LICENCE, "features": features}
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":")).encode()


CSV_FIELDS = ["id", "url", "kind", "kind_label", "category", "category_label", "title", "text", "longitude",
              "latitude", "place", "phase", "source", "author", "supports", "created_at", "published_at", "photo_url"]
CSV_NUMERIC = frozenset({"id", "longitude", "latitude", "supports"})


def csv_export(db: Session, commune: Commune, base_url: str) -> bytes:
    """The published contributions for a spreadsheet (revital.exports, formulas neutralised). No
    personal data beyond the pseudonym the author chose to publish."""
    categories = categories_of(commune)
    records = (public_record(c, commune, categories, base_url) for c in public_rows(db, commune))
    return exports.csv_bytes(CSV_FIELDS, records, CSV_NUMERIC)
