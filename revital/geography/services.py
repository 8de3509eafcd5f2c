"""Perimeters, places and the commune's open-data GeoJSON."""

import json

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from revital import geo
from revital.communes import services as communes
from revital.communes.models import Commune
from revital.geography.models import Place
from revital.text import fold, french_order

LICENCE = "Licence Ouverte 2.0 (Etalab) — https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
PERIMETER_MAX_VERTICES = 5_000


def places_of(db: Session, commune_id: int) -> list[Place]:
    """The commune's places in the order of a French index ("École" among the E, not after "Salle":
    SQLite orders by bytes, PostgreSQL by its collation)."""
    return sorted(db.scalars(select(Place).where(Place.commune_id == commune_id)),
                  key=lambda place: (french_order(place.name), place.id))


def place_in(db: Session, commune_id: int, place_id: int) -> Place | None:
    return db.scalar(select(Place).where(Place.id == place_id, Place.commune_id == commune_id))


def bump_geo_version(db: Session, commune_id: int) -> None:
    """A new version of the commune's geography: maps and the GeoJSON endpoint reload."""
    db.execute(update(Commune).where(Commune.id == commune_id).values(geo_version=Commune.geo_version + 1))


def boundary_of(commune: Commune):
    return geo.from_geojson(commune.boundary) if commune.boundary else None


def check_perimeter(commune: Commune, text: str):
    """A perimeter (GeoJSON text) as a polygon within the commune; raises geo.GeometryError in French."""
    perimeter = geo.parse_geometry(text, kinds=("Polygon",), max_vertices=PERIMETER_MAX_VERTICES, what="le périmètre")
    boundary = boundary_of(commune)
    if boundary is not None:
        geo.require_within(perimeter, boundary, what="Le périmètre", where="la commune")
    return perimeter


def set_perimeter(db: Session, commune: Commune, text: str):
    """Validate and store a perimeter (GeoJSON text); raises geo.GeometryError in French."""
    perimeter = check_perimeter(commune, text)
    commune.perimeter = geo.to_geojson(perimeter)
    bump_geo_version(db, commune.id)
    return perimeter


def clear_perimeter(db: Session, commune: Commune) -> None:
    commune.perimeter = None
    bump_geo_version(db, commune.id)


def lock_places(db: Session, commune: Commune) -> None:
    """Queue the writers of this commune's places one behind the other, so that a name checked free
    stays free until the transaction ends."""
    communes.lock(db, commune)


def other_place_names(db: Session, commune_id: int, place: Place | None = None) -> list[str]:
    """The names of the commune's places, but this one's."""
    query = select(Place.name).where(Place.commune_id == commune_id)
    if place is not None:
        query = query.where(Place.id != place.id)
    return list(db.scalars(query))


def clean_place(data: dict, commune: Commune, other_names=()) -> tuple[dict, dict]:
    """Cleaned place fields and French errors per field. other_names: the commune's other places,
    whose names this one may not take again, whatever the case, accents or punctuation."""
    name = (data.get("name") or "").strip()
    description = (data.get("description") or "").strip()
    values = {"name": name, "description": description, "lon": (data.get("lon") or "").strip(),
              "lat": (data.get("lat") or "").strip()}
    errors = {}
    if not name:
        errors["name"] = "Indiquez le nom du lieu (par exemple : Place de l’église)."
    elif len(name) > 120:
        errors["name"] = "Le nom du lieu ne peut pas dépasser 120 caractères."
    else:
        same = next((other for other in other_names if fold(other) == fold(name)), None)
        if same is not None:
            errors["name"] = (f"Un lieu s’appelle déjà « {same} » dans cette commune : donnez un autre nom, "
                              "ou modifiez ce lieu-là.")
    if len(description) > 1000:
        errors["description"] = "La description ne peut pas dépasser 1 000 caractères."
    if not values["lon"] or not values["lat"]:
        errors["position"] = "Indiquez la position du lieu : cliquez sur la carte, ou saisissez sa longitude et sa latitude."
    else:
        try:
            point = geo.parse_point(values["lon"], values["lat"])
            boundary = boundary_of(commune)
            if boundary is not None and not geo.covers_point(boundary, point.x, point.y):
                errors["position"] = f"Ce point est en dehors de {commune.name} : placez le lieu dans la commune."
            else:
                values["point"] = point
        except geo.GeometryError as error:
            errors["position"] = str(error)
    return values, errors


def save_place(db: Session, commune: Commune, values: dict, place: Place | None = None) -> Place:
    if place is None:
        place = Place(commune_id=commune.id)
        db.add(place)
    place.name = values["name"]
    place.description = values["description"]
    place.lon = round(values["point"].x, 6)
    place.lat = round(values["point"].y, 6)
    bump_geo_version(db, commune.id)
    return place


def delete_place(db: Session, place: Place) -> None:
    commune_id = place.commune_id
    db.delete(place)
    bump_geo_version(db, commune_id)


def perimeter_summary(commune: Commune, places: list[Place]) -> str | None:
    """The perimeter in words, beside the map: its area and the places it takes in."""
    if not commune.perimeter:
        return None
    perimeter = geo.from_geojson(commune.perimeter)
    inside = [p.name for p in places if geo.covers_point(perimeter, p.lon, p.lat)]
    text = f"Le périmètre d’étude du centre-bourg couvre {geo.describe_area(perimeter)}"
    if inside:
        text += " et comprend : " + ", ".join(inside)
    return text + "."


def commune_geojson(db: Session, commune: Commune) -> bytes:
    """Boundary, perimeter and named places of a commune, for the maps and for reusers."""
    return build_commune_geojson(commune, places_of(db, commune.id))


def build_commune_geojson(commune: Commune, places: list[Place]) -> bytes:
    features = []
    if commune.boundary:
        features.append({"type": "Feature", "geometry": json.loads(commune.boundary),
                         "properties": {"kind": "boundary", "insee": commune.insee, "name": commune.name,
                                        "source": commune.boundary_source}})
    if commune.perimeter:
        features.append({"type": "Feature", "geometry": json.loads(commune.perimeter),
                         "properties": {"kind": "perimeter", "name": "Périmètre d’étude du centre-bourg"}})
    for place in places:
        features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [place.lon, place.lat]},
                         "properties": {"kind": "place", "id": place.id, "name": place.name,
                                        "description": place.description}})
    collection = {
        "type": "FeatureCollection",
        "name": f"{commune.name} ({commune.insee})",
        "licence": LICENCE,
        "attribution": f"Revital — commune de {commune.name}",
        "features": features,
    }
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":")).encode()
