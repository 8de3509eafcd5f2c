"""Bulk loading for the scale runs: territories, communes with boundaries, their démarches and
published contributions, written straight into the tables (COPY on PostgreSQL, executemany on
SQLite) in a database the `revital` CLI has already migrated and loaded with the demo.

Generic on purpose: the columns come from the application's SQLAlchemy models. A row gives the
columns that matter here; every other column gets its model default (scalar or callable), or
NULL if nullable, or is left to the database (primary keys, server defaults). A new column
without any default stops the load with its name rather than loading wrong rows.
"""

import json
import random
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine, func, insert, select, text, update

KINDS = ("asset", "weakness", "idea")
CATEGORIES = ("logement", "commerce", "espaces-publics", "mobilite", "patrimoine", "services", "nature",
              "vie-sociale", "foncier", "autre")
TERRITORY_SIZE = 100  # communes per bench territory


def tables() -> dict:
    import revital.models  # noqa: F401  (every model registered on the metadata)
    from revital.db import Base

    return Base.metadata.tables


def defaults_for(table, given: set[str]) -> dict:
    """The value of every column a row does not give, from the model; omitted ones are left out."""
    values = {}
    for column in table.columns:
        if column.name in given:
            continue
        if column.primary_key and column.autoincrement in (True, "auto"):
            continue
        if column.server_default is not None:
            continue
        default = column.default
        if default is not None and default.is_scalar:
            values[column.name] = default.arg
        elif default is not None and default.is_callable:
            values[column.name] = default.arg(None)  # SQLAlchemy wraps zero-argument callables
        elif column.nullable:
            values[column.name] = None
        else:
            raise RuntimeError(f"{table.name}.{column.name} has no default: tell bench/bulk.py what to put there")
    return values


def bulk_insert(engine, table, rows, progress=print, label="") -> int:
    """Insert an iterable of dicts (all with the same keys), with model defaults for the rest."""
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return 0
    rest = defaults_for(table, set(first))
    names = list(first) + list(rest)
    count, start = 0, time.perf_counter()

    def report():
        if label and count % 200_000 == 0:
            progress(f"    … {label}: {count:,} rows ({count / (time.perf_counter() - start):,.0f} rows/s)")

    if engine.dialect.name == "postgresql":
        processors = [table.c[n].type.bind_processor(engine.dialect) for n in names]
        raw = engine.raw_connection()
        try:
            columns = ", ".join(f'"{n}"' for n in names)
            with raw.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
                for row in _chain(first, rows):
                    values = [row[n] if n in row else rest[n] for n in names]
                    copy.write_row([p(v) if p else v for p, v in zip(processors, values, strict=True)])
                    count += 1
                    report()
            raw.commit()
        finally:
            raw.close()
    else:
        with engine.begin() as connection:
            chunk = []
            for row in _chain(first, rows):
                chunk.append({**rest, **row})
                count += 1
                report()
                if len(chunk) == 5000:
                    connection.execute(insert(table), chunk)
                    chunk = []
            if chunk:
                connection.execute(insert(table), chunk)
    return count


def _chain(first, rest):
    yield first
    yield from rest


def contribution_rows(commune_id: int, n: int, points, now, label: str):
    """n published contributions, ids in creation order, one a minute until now."""
    for k, (lon, lat) in enumerate(points):
        created = now - timedelta(minutes=n - k)
        yield {"commune_id": commune_id, "kind": KINDS[k % 3], "category": CATEGORIES[k % len(CATEGORIES)],
               "title": f"Contribution d’essai n° {k + 1}", "body": "Texte synthétique pour les mesures de charge.",
               "lon": round(lon, 6), "lat": round(lat, 6), "phase": "diagnostic", "status": "published",
               "submission_token": f"bench-{label}-{commune_id}-{k}", "created_at": created, "published_at": created}


def points_in_square(rng, box, n):
    min_lon, min_lat, max_lon, max_lat = box
    return [(rng.uniform(min_lon, max_lon), rng.uniform(min_lat, max_lat)) for _ in range(n)]


def points_in_boundary(rng, boundary: str, n):
    import numpy as np
    import shapely

    zone = shapely.from_geojson(boundary)
    shapely.prepare(zone)
    min_lon, min_lat, max_lon, max_lat = zone.bounds
    points = []
    while len(points) < n:
        xs = np.array([rng.uniform(min_lon, max_lon) for _ in range(n)])
        ys = np.array([rng.uniform(min_lat, max_lat) for _ in range(n)])
        inside = shapely.contains_xy(zone, xs, ys)
        points += list(zip(xs[inside].tolist(), ys[inside].tolist(), strict=True))
    return points[:n]


def square(lon: float, lat: float, side: float = 0.02) -> dict:
    ring = [[lon, lat], [lon + side, lat], [lon + side, lat + side], [lon, lat + side], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def add_communes(engine, count: int, progress=print) -> list[int]:
    """count communes (small squares on a grid over France) in territories of TERRITORY_SIZE,
    each with its démarche; returns their ids."""
    t = tables()
    territories, communes, processes = t["territories"], t["communes"], t["processes"]
    now = datetime.now(UTC)
    with engine.connect() as connection:
        taken = set(connection.scalars(select(communes.c.insee)))
    codes = [c for c in (f"{90000 + i}" for i in range(count + len(taken))) if c not in taken][:count]
    groups = -(-count // TERRITORY_SIZE)
    bulk_insert(engine, territories, ({"slug": f"territoire-essai-{g + 1:02}", "name": f"Territoire d’essai {g + 1:02}",
                                       "description": "Territoire généré pour les mesures de charge."} for g in range(groups)))
    with engine.connect() as connection:
        territory_ids = dict(connection.execute(select(territories.c.slug, territories.c.id)
                                                .where(territories.c.slug.like("territoire-essai-%"))).all())

    def rows():
        for i, code in enumerate(codes):
            lon, lat = -0.5 + (i % 40) * 0.2, 43.5 + (i // 40) * 0.1
            yield {"territory_id": territory_ids[f"territoire-essai-{i // TERRITORY_SIZE + 1:02}"], "insee": code,
                   "name": f"Commune d’essai {i + 1:04}", "slug": f"commune-essai-{i + 1:04}",
                   "boundary": json.dumps(square(lon, lat)), "boundary_source": "banc d’essai",
                   "min_lon": lon, "min_lat": lat, "max_lon": lon + 0.02, "max_lat": lat + 0.02,
                   "created_at": now, "updated_at": now}

    bulk_insert(engine, communes, rows())
    with engine.connect() as connection:
        ids = list(connection.scalars(select(communes.c.id).where(communes.c.insee.in_(codes)).order_by(communes.c.id)))
    bulk_insert(engine, processes, ({"commune_id": i} for i in ids))
    progress(f"    {len(ids):,} communes in {groups} territories")
    return ids


def fill_communes(engine, commune_ids: list[int], per_commune: int, seed: int = 1, progress=print) -> int:
    """per_commune published contributions in each commune (points inside its bounding box)."""
    t = tables()
    communes = t["communes"]
    now = datetime.now(UTC)
    with engine.connect() as connection:
        boxes = {row.id: (row.min_lon, row.min_lat, row.max_lon, row.max_lat) for row in connection.execute(
            select(communes.c.id, communes.c.min_lon, communes.c.min_lat, communes.c.max_lon, communes.c.max_lat)
            .where(communes.c.id.in_(commune_ids)))}
    rng = random.Random(seed)

    def rows():
        for commune_id in commune_ids:
            yield from contribution_rows(commune_id, per_commune, points_in_square(rng, boxes[commune_id], per_commune), now, "s")

    added = bulk_insert(engine, t["contributions"], rows(), progress, "contributions")
    bump(engine, commune_ids)
    return added


def fill_commune(engine, slug: str, n: int, seed: int = 2) -> int:
    """n published contributions inside a commune's real boundary."""
    t = tables()
    communes = t["communes"]
    now = datetime.now(UTC)
    with engine.connect() as connection:
        commune_id, boundary = connection.execute(select(communes.c.id, communes.c.boundary)
                                                  .where(communes.c.slug == slug)).one()
    points = points_in_boundary(random.Random(seed), boundary, n)
    added = bulk_insert(engine, t["contributions"], contribution_rows(commune_id, n, points, now, slug[:20]))
    bump(engine, [commune_id])
    return added


def bump(engine, commune_ids: list[int]) -> None:
    """A new version of the communes' contributions: the caches built before do not apply."""
    communes = tables()["communes"]
    with engine.begin() as connection:
        connection.execute(update(communes).where(communes.c.id.in_(commune_ids))
                           .values(contributions_version=communes.c.contributions_version + 1))


def analyze(engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))


def count_contributions(engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(tables()["contributions"]))


def engine_for(url: str):
    return create_engine(url)
