"""Strategic axes, ideas (pistes d’action) and the commune's official answers."""

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from revital.db import Base, UTCDateTime, utcnow

OPEN, RETAINED, NOT_RETAINED = "open", "retained", "not_retained"


class Axis(Base):
    __tablename__ = "strategic_axes"

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Idea(Base):
    """An idea of the commune's emergence phase, written by the local group or the commune (a
    resident's idea comes in as a contribution of kind "idée", moderated, and is turned into an
    idea keeping the link). Its sources, and the stakes it answers, are lineage links."""

    __tablename__ = "ideas"
    __table_args__ = (Index("ix_ideas_commune_status", "commune_id", "status", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"))
    axis_id: Mapped[int | None] = mapped_column(ForeignKey("strategic_axes.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(160))
    text: Mapped[str] = mapped_column(Text, default="")  # Markdown
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    place_id: Mapped[int | None] = mapped_column(ForeignKey("places.id", ondelete="SET NULL"))
    place_name: Mapped[str] = mapped_column(String(120), default="")
    status: Mapped[str] = mapped_column(String(20), default=OPEN)
    decision_reason: Mapped[str] = mapped_column(Text, default="")  # public, for retained or not
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    supports_count: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)


class Answer(Base):
    """The commune's official answer on a contribution or an idea (a status and a text), shown on
    its page: one per target, updated in place."""

    __tablename__ = "official_answers"
    __table_args__ = (UniqueConstraint("target_kind", "target_id", name="uq_official_answer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"), index=True)
    target_kind: Mapped[str] = mapped_column(String(20))  # contribution, idea
    target_id: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
