"""Territories, communes (with their geometries and versions) and partner organisations."""

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from revital.communes import organisations
from revital.db import Base, UTCDateTime, utcnow


class Territory(Base):
    """A Pays or an intercommunality: owns communes, partners and calls for applications."""

    __tablename__ = "territories"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    is_demo: Mapped[bool] = mapped_column(default=False)
    # Bumped whenever anything of the territory or of its communes changes (revital.communes.versions):
    # the version of the pages that show them.
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    communes: Mapped[list["Commune"]] = relationship(
        back_populates="territory", order_by="Commune.name"
    )
    organisations: Mapped[list["Organisation"]] = relationship(
        back_populates="territory", order_by="Organisation.name"
    )


class Commune(Base):
    """A commune, matched on its INSEE code. Geometries are GeoJSON text plus a bounding box."""

    __tablename__ = "communes"

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id"), index=True)
    insee: Mapped[str] = mapped_column(String(5), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    population: Mapped[int | None] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text, default="")
    # Loaded only when used: a real boundary is tens of kilobytes of GeoJSON.
    boundary: Mapped[str | None] = mapped_column(Text, deferred=True)
    perimeter: Mapped[str | None] = mapped_column(Text, deferred=True)
    # Where the boundary came from: "geo.api.gouv.fr", a file name, "démonstration".
    boundary_source: Mapped[str] = mapped_column(String(200), default="")
    # Bumped whenever the boundary, the perimeter or a place changes: the version of the
    # commune's open-data GeoJSON (its ETag).
    geo_version: Mapped[int] = mapped_column(Integer, default=1)
    # Contributions: "a_priori" (nothing public before a facilitator publishes it) or "a_posteriori".
    moderation: Mapped[str] = mapped_column(String(12), default="a_priori")
    contributions_need_account: Mapped[bool] = mapped_column(default=False)
    # The commune's own list of themes, as JSON {code: label}; the default list when empty.
    categories: Mapped[str | None] = mapped_column(Text)
    # Bumped whenever a contribution becomes public or stops being: the version of the feeds.
    contributions_version: Mapped[int] = mapped_column(Integer, default=1)
    # Bumped whenever anything of the commune changes (revital.communes.versions): the version of
    # its pages, which anonymous visitors get from a cache.
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Kept, not counted on every view: published contributions (revital.contributions.services).
    published_contributions: Mapped[int] = mapped_column(Integer, default=0)
    min_lon: Mapped[float | None] = mapped_column(Float)
    min_lat: Mapped[float | None] = mapped_column(Float)
    max_lon: Mapped[float | None] = mapped_column(Float)
    max_lat: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    territory: Mapped[Territory] = relationship(back_populates="communes")
    partners: Mapped[list["CommunePartner"]] = relationship(
        back_populates="commune", cascade="all, delete-orphan"
    )


class Organisation(Base):
    """A technical partner: CAUE, DDT, Département, chambres consulaires, Banque des Territoires…"""

    __tablename__ = "organisations"
    __table_args__ = (UniqueConstraint("territory_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id"), index=True)
    slug: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(200))
    # A code of revital.communes.organisations.KINDS (CAUE, DDT, Département…).
    kind: Mapped[str] = mapped_column(String(40), default="")
    description: Mapped[str] = mapped_column(Text, default="")

    territory: Mapped[Territory] = relationship(back_populates="organisations")

    @property
    def kind_label(self) -> str:
        return organisations.kind_label(self.kind)


class CommunePartner(Base):
    """An organisation invited to take part in a commune's process."""

    __tablename__ = "commune_partners"
    __table_args__ = (UniqueConstraint("commune_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    commune: Mapped[Commune] = relationship(back_populates="partners")
    organisation: Mapped[Organisation] = relationship()
