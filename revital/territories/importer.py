"""Import commune boundaries from a GeoJSON FeatureCollection into a territory.

Imported communes are not engaged in the programme (no process: they take no contributions)
until the territory engages them (revital.process.services.engage).

Communes are matched on their INSEE code only, never on their name ("Saint-Flour" is a
commune of the Cantal and another of the Puy-de-Dôme). Everything is checked before
anything is added to the session, and nothing is committed here: the caller's transaction
makes the import all or nothing.
"""

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from revital import geo
from revital.communes.models import Commune, Territory
from revital.localgroups.services import ensure_group
from revital.territories.features import features_by_code
from revital.text import slugify


@dataclass
class ImportReport:
    territory: str = ""
    lines: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0

    def summary(self) -> str:
        total = self.created + self.updated
        return (
            f"{total} {plural(total, 'commune importée', 'communes importées')} dans « {self.territory} » : "
            f"{self.created} {plural(self.created, 'créée', 'créées')}, "
            f"{self.updated} {plural(self.updated, 'mise à jour', 'mises à jour')}."
        )


def plural(count: int, one: str, many: str) -> str:
    return many if count >= 2 else one


def import_communes(db: Session, collection: dict, territory_slug: str, territory_name: str | None = None,
                    codes: list[str] | None = None, source: str = "") -> ImportReport:
    """Create or update the communes of `collection` (only `codes` when given) in the territory.

    Raises geo.GeometryError, with nothing added to the session, when a feature is invalid,
    a requested code is not in the collection, or a commune belongs to another territory.
    """
    features = features_by_code(collection)
    populations = populations_by_code(collection, features)
    if codes is not None:
        codes = list(dict.fromkeys(code.strip().upper() for code in codes))
        missing = [code for code in codes if code not in features]
        if missing:
            if len(missing) == 1:
                raise geo.GeometryError(f"Le code INSEE {missing[0]} n’est pas dans le fichier.")
            raise geo.GeometryError(f"Les codes INSEE {', '.join(missing)} ne sont pas dans le fichier.")
        features = {code: features[code] for code in codes}

    territory = db.scalar(select(Territory).where(Territory.slug == territory_slug))
    if territory is None and slugify(territory_slug) != territory_slug:
        raise geo.GeometryError(
            f"« {territory_slug} » ne peut pas servir d’identifiant de territoire (minuscules sans accents, "
            f"chiffres et tirets) : essayez « {slugify(territory_slug)} »."
        )
    existing = {
        commune.insee: commune
        # Locked on PostgreSQL: geo_version is read, then bumped.
        for commune in db.scalars(select(Commune).where(Commune.insee.in_(list(features))).with_for_update())
    }
    elsewhere = [c for c in existing.values() if territory is None or c.territory_id != territory.id]
    if elsewhere:
        names = dict(db.execute(select(Territory.id, Territory.name)
                                .where(Territory.id.in_({c.territory_id for c in elsewhere}))).all())
        problems = [
            f"La commune {c.insee} {c.name} appartient déjà au territoire « {names[c.territory_id]} »."
            for c in sorted(elsewhere, key=lambda c: c.insee)
        ]
        if len(problems) == 1:
            raise geo.GeometryError(problems[0])
        head = f"{len(problems)} communes appartiennent déjà à un autre territoire"
        head += " ; voici les 10 premières :" if len(problems) > 10 else " :"
        raise geo.GeometryError("\n".join([head] + [f"- {problem}" for problem in problems[:10]]))

    if territory is None:
        territory = Territory(slug=territory_slug, name=territory_name or territory_slug)
        db.add(territory)
        db.flush()
    report = ImportReport(territory=territory.name)
    slugs = SlugChooser(db, {code: name for code, (name, _) in features.items() if code not in existing})
    created = []
    for code in sorted(features):
        name, geom = features[code]
        commune = existing.get(code)
        if commune is None:
            name = name or f"Commune {code}"
            commune = Commune(territory_id=territory.id, insee=code, name=name, slug=slugs.choose(code, name),
                              population=populations.get(code), geo_version=1)
            db.add(commune)
            created.append(commune)
            report.created += 1
            report.lines.append(f"{code} {commune.name} : créée")
        else:
            commune.geo_version += 1
            report.updated += 1
            report.lines.append(f"{code} {commune.name} : contour mis à jour")
        commune.boundary = geo.to_geojson(geom)
        commune.min_lon, commune.min_lat, commune.max_lon, commune.max_lat = geo.bounds(geom)
        commune.boundary_source = source[:200]

    db.flush()  # the new communes get their ids, in one batch
    for commune in created:  # not engaged: no process until the territory engages it
        ensure_group(db, commune)
    return report


def populations_by_code(collection: dict, features: dict) -> dict[str, int]:
    """The "population" property of each feature, when it is a whole number.

    features_by_code keeps the collection's order and refuses any bad or repeated feature,
    so its n-th code is the n-th feature of the collection.
    """
    populations = {}
    for code, feature in zip(features, geo.load_json(collection)["features"], strict=True):
        properties = feature.get("properties")
        value = properties.get("population") if isinstance(properties, dict) else None
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            populations[code] = value
    return populations


class SlugChooser:
    """slugify(name), or "name-insee" when that slug is taken (by the database or this import)."""

    def __init__(self, db: Session, names: dict[str, str]):
        candidates = set()
        for code, name in names.items():
            base = slugify(name or f"commune-{code}")
            candidates |= {base, f"{base}-{code.lower()}"}
        self.taken = set(db.scalars(select(Commune.slug).where(Commune.slug.in_(candidates)))) if candidates else set()

    def choose(self, code: str, name: str) -> str:
        slug = slugify(name)
        if slug in self.taken:
            slug = f"{slug}-{code.lower()}"
        self.taken.add(slug)
        return slug
