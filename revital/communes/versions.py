"""The versions of communes and territories: what names the pages kept for anonymous visitors.

Every object flushed that belongs to a commune (the commune itself, anything with a `commune_id`,
or a model that says otherwise with a `versioned_commune_id` property, None meaning "no page shows
this") bumps that commune's version and its territory's (a model shown on the territory's pages
only says so with `versioned_territory_id`), in the same transaction, whatever code
changed it: nothing has to remember to. Versions are read once per second at most in each process
(`Versions`), and forgotten at once in this process when one of its own transactions bumps them,
so another process shows a change a second late at most.
"""

import weakref
from dataclasses import dataclass
from itertools import chain

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from revital.caching import Cache, version_key
from revital.communes.models import Commune, Territory

MISSING = object()


def commune_of(obj) -> int | None:
    if isinstance(obj, Commune):
        return obj.id
    explicit = getattr(obj, "versioned_commune_id", MISSING)
    if explicit is not MISSING:
        return explicit
    return getattr(obj, "commune_id", None)


@event.listens_for(Session, "after_flush")
def bump_versions(session: Session, flush_context) -> None:
    communes, territories = set(), set()
    for obj in chain(session.new, session.dirty, session.deleted):
        if obj in session.dirty and not session.is_modified(obj):
            continue
        if isinstance(obj, Territory):
            territories.add(obj.id)
            continue
        territory_id = getattr(obj, "versioned_territory_id", None)  # shown on the territory's pages only
        if territory_id is not None:
            territories.add(territory_id)
            continue
        commune_id = commune_of(obj)
        if commune_id is not None:
            communes.add(commune_id)
    done = session.info.setdefault("versions_bumped", set())  # once per transaction is enough
    communes = {i for i in communes if ("commune", i) not in done}
    territories = {i for i in territories if ("territory", i) not in done}
    if not communes and not territories:
        return
    connection = session.connection()
    if communes:
        connection.execute(update(Commune).where(Commune.id.in_(communes)).values(version=Commune.version + 1))
        territories |= set(connection.scalars(select(Commune.territory_id).where(Commune.id.in_(communes))))
    territories = {i for i in territories if ("territory", i) not in done}
    if territories:
        connection.execute(update(Territory).where(Territory.id.in_(territories))
                           .values(version=Territory.version + 1))
    done |= {("commune", i) for i in communes} | {("territory", i) for i in territories}
    for obj in session.identity_map.values():
        if isinstance(obj, (Commune, Territory)) and obj.id in (communes if isinstance(obj, Commune) else territories):
            session.expire(obj, ["version"])


@event.listens_for(Session, "after_commit")
def forget_versions(session: Session) -> None:
    if session.info.pop("versions_bumped", None):
        for versions in list(ALL):
            versions.clear()


@event.listens_for(Session, "after_rollback")
def nothing_bumped(session: Session) -> None:
    session.info.pop("versions_bumped", None)


@dataclass(frozen=True)
class CommuneVersion:
    id: int
    slug: str
    territory_id: int
    version: int
    geo: int
    contributions: int
    stamp: int  # the commune's creation, in ms: tells apart a commune re-created with the same id

    @property
    def key(self) -> str:
        return version_key(self.id, self.stamp, self.version)

    @property
    def feed_key(self) -> str:
        return version_key(self.id, self.stamp, self.contributions)

    @property
    def geo_key(self) -> str:
        return version_key(self.id, self.stamp, self.geo)


COLUMNS = (Commune.id, Commune.slug, Commune.territory_id, Commune.version, Commune.geo_version,
           Commune.contributions_version, Commune.created_at)

# What to forget when a transaction of this process bumps a version: every Versions memo, and what
# the application registers (the pages kept for a second).
ALL: weakref.WeakSet = weakref.WeakSet()


def forget_on_change(cache) -> None:
    """cache.clear() is called after each commit of this process that bumped a version."""
    ALL.add(cache)


def commune_version(row) -> CommuneVersion:
    return CommuneVersion(row[0], row[1], row[2], row[3], row[4], row[5], int(row[6].timestamp() * 1000))


class Versions:
    """The versions this process read in the last `ttl` seconds."""

    def __init__(self, ttl: float = 1.0):
        self.memo = Cache(size=8192, ttl=ttl)
        ALL.add(self)

    def known_commune(self, slug: str) -> CommuneVersion | None:
        """Without touching the database: None if not read lately."""
        return self.memo.get(("commune", slug))

    def commune(self, db: Session, slug: str) -> CommuneVersion | None:
        found = self.memo.get(("commune", slug), MISSING)
        if found is MISSING:
            row = db.execute(select(*COLUMNS).where(Commune.slug == slug)).first()
            found = self.memo.put(("commune", slug), commune_version(row) if row else None)
        return found

    def commune_key(self, db: Session, slug: str) -> str | None:
        """The name of everything a commune's pages show, as revital.routes.shared_page keeps them;
        None for an unknown commune."""
        found = self.commune(db, slug)
        return None if found is None else found.key

    def commune_keys(self, slug: str, *parts, missing):
        """A commune's open-data file named after its version, as revital.caching.conditional
        wants it: (known, read) — `known()` the name from the version read lately, or None when
        none was (no database touched), `read(db)` the name from the version now. Each name is
        version_key(*parts, the commune's version); `missing()` is raised for an unknown commune."""

        def of(found):
            if found is None:
                raise missing()
            return version_key(*parts, found.key)

        def known():
            found = self.known_commune(slug)
            return of(found) if found is not None else None

        return known, lambda db: of(self.commune(db, slug))

    def known_territory(self, slug: str) -> str | None:
        """Without touching the database: None if not read lately."""
        return self.memo.get(("territory", slug))

    def territory(self, db: Session, slug: str) -> str | None:
        """The version of everything a territory's pages show (its own and its communes'), or None
        for an unknown territory."""
        found = self.memo.get(("territory", slug), MISSING)
        if found is MISSING:
            row = db.execute(select(Territory.id, Territory.version, Territory.created_at)
                             .where(Territory.slug == slug)).first()
            found = self.memo.put(("territory", slug),
                                  version_key(row[0], int(row[2].timestamp() * 1000), row[1]) if row else None)
        return found

    def known_site(self) -> str | None:
        return self.memo.get("site")

    def site(self, db: Session) -> str:
        """The version of everything the home page shows: every territory's."""
        found = self.memo.get("site")
        if found is None:
            rows = db.execute(select(Territory.id, Territory.version, Territory.created_at).order_by(Territory.id)).all()
            found = self.memo.put("site", version_key(*(f"{i}.{v}.{int(c.timestamp())}" for i, v, c in rows)) or "0")
        return found

    def clear(self) -> None:
        self.memo.clear()
