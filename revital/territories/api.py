"""The open data of a territory: /api/territoires/{slug}/communes.geojson, its engaged communes (a
simplified boundary each, with name, address and phase) for the map of the territory page.
Answered from the territory's version: built once per version, 304 and gzip (revital.routes)."""

import json

from litestar import Controller, Request, Response
from litestar.params import FromPath
from sqlalchemy import select
from sqlalchemy.orm import undefer

from revital import geo
from revital.caching import Cache, version_key
from revital.communes.access import NO_TERRITORY, load_territory
from revital.communes.models import Commune
from revital.process import phases
from revital.process.models import Process
from revital.routes import get, versioned_body
from revital.web import NotFound

GEOJSON = "application/geo+json"
BODIES = Cache(size=64)
# About 30 m at these latitudes: a territory's map shows communes whole, not their streets.
TOLERANCE = 0.0003


def engaged_feed(db, territory) -> bytes:
    """The engaged communes of the territory as a FeatureCollection, 5 decimals."""
    rows = db.execute(select(Commune, Process.phase).join(Process, Process.commune_id == Commune.id)
                      .where(Commune.territory_id == territory.id, Commune.boundary.is_not(None))
                      .options(undefer(Commune.boundary)).order_by(Commune.insee)).all()
    features = []
    for commune, phase in rows:
        shape = geo.from_geojson(commune.boundary).simplify(TOLERANCE, preserve_topology=True)
        features.append({
            "type": "Feature", "id": commune.insee,
            "properties": {"name": commune.name, "url": f"/communes/{commune.slug}", "phase": phase,
                           "label": phases.LABELS[phase]},
            "geometry": json.loads(geo.to_geojson(shape, precision=5)),
        })
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False,
                      separators=(",", ":")).encode()


class TerritoryApiController(Controller):
    path = "/api/territoires/{slug:str}"

    @get("/communes.geojson")
    async def communes(self, request: Request, slug: FromPath[str]) -> Response:
        versions = request.app.state.versions

        def of(found):
            if found is None:
                raise NotFound(NO_TERRITORY)
            return version_key("territory-communes", found)

        def known():
            found = versions.known_territory(slug)
            return of(found) if found is not None else None

        return await versioned_body(request, BODIES, known, lambda db: of(versions.territory(db, slug)),
                                    lambda db: engaged_feed(db, load_territory(db, slug)), GEOJSON)
