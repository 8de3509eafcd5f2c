"""Published roadmaps (immutable snapshots) and the progress of each action in implementation.

A roadmap version is written once: its `snapshot` (JSON, built by revital.roadmaps.builder from
the validated sheets) never changes afterwards, nor does its PDF once rendered. Progress belongs
to the living sheet (action_progress), next to the published plan and not inside it."""

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from revital.db import Base, UTCDateTime, utcnow

# An action's progress status.
UPCOMING, ONGOING, LATE, PAUSED, BLOCKED, DROPPED, DONE = (
    "a_venir", "en_cours", "en_retard", "en_pause", "bloque", "abandonne", "termine")


class Roadmap(Base):
    __tablename__ = "roadmaps"
    __table_args__ = (UniqueConstraint("commune_id", "number", name="uq_roadmap_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # version 1, 2…
    title: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")  # what changed (public)
    snapshot: Mapped[str] = mapped_column(Text)  # JSON
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    author_name: Mapped[str] = mapped_column(String(160), default="")  # for the commune's team only
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)  # rendered once
    pdf_pages: Mapped[int | None] = mapped_column(Integer)


class Progress(Base):
    """Where an action of the roadmap stands: one row per sheet, updated in place."""

    __tablename__ = "action_progress"

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"), index=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("action_sheets.id", ondelete="CASCADE"), unique=True)
    status: Mapped[str] = mapped_column(String(20), default=UPCOMING)
    percent: Mapped[int] = mapped_column(Integer, default=0)
    spent_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)


class ProgressNote(Base):
    """A dated note on an action's progress (public), with its photos."""

    __tablename__ = "action_progress_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"))
    sheet_id: Mapped[int] = mapped_column(ForeignKey("action_sheets.id", ondelete="CASCADE"), index=True)
    on: Mapped[date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)  # Markdown
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ProgressPhoto(Base):
    __tablename__ = "action_progress_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"))
    note_id: Mapped[int] = mapped_column(ForeignKey("action_progress_notes.id", ondelete="CASCADE"), index=True)
    photo_id: Mapped[int] = mapped_column(ForeignKey("photos.id", ondelete="CASCADE"), unique=True)
    alt: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
