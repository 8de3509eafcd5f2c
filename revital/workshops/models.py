"""Workshops of a commune and the registrations to them."""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from revital.db import Base, UTCDateTime, utcnow
from revital.workshops.rules import CONFIRMED, PLANNED


class Workshop(Base):
    """A meeting of a commune's process: a walk, a themed or mapping workshop, a public meeting, a
    technical meeting with the partners, a steering committee… Public ones are on the commune's
    pages; internal ones (rules.INTERNAL) are seen by the local group and the partners only."""

    __tablename__ = "workshops"
    __table_args__ = (Index("ix_workshops_commune_starts", "commune_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"))
    phase: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(160))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    place_id: Mapped[int | None] = mapped_column(ForeignKey("places.id", ondelete="SET NULL"))
    address: Mapped[str] = mapped_column(String(200), default="")  # where, when it is not a named place
    facilitators: Mapped[str] = mapped_column(String(300), default="")  # names, as the local group writes them
    agenda: Mapped[str] = mapped_column(Text, default="")  # Markdown
    capacity: Mapped[int | None] = mapped_column(Integer)  # places (people); None: no limit
    public: Mapped[bool] = mapped_column(Boolean, default=True)
    registration_open: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(10), default=PLANNED)
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    minutes: Mapped[str] = mapped_column(Text, default="")  # Markdown, written after the workshop
    attendance: Mapped[int | None] = mapped_column(Integer)  # how many came (a count)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Bumped by every edit: a form posted against an older version is stale.
    version: Mapped[int] = mapped_column(Integer, default=1)

    commune = relationship("Commune")
    place = relationship("Place")
    registrations: Mapped[list["Registration"]] = relationship(
        back_populates="workshop", cascade="all, delete-orphan", order_by="Registration.id")
    photos: Mapped[list["WorkshopPhoto"]] = relationship(
        back_populates="workshop", cascade="all, delete-orphan", order_by="WorkshopPhoto.id")
    documents: Mapped[list["WorkshopDocument"]] = relationship(
        back_populates="workshop", cascade="all, delete-orphan", order_by="WorkshopDocument.id")


class Registration(Base):
    """Someone registered to a workshop, for `people` persons: confirmed while places remain, else
    waiting (in the order of registration) until a cancellation frees enough places. One e-mail
    address is one registration per workshop."""

    __tablename__ = "workshop_registrations"
    __table_args__ = (UniqueConstraint("workshop_id", "email", name="uq_registration_email"),
                      Index("ix_registrations_workshop_status", "workshop_id", "status", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(80))
    email: Mapped[str | None] = mapped_column(String(254))  # lower case; None: registered without one
    people: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(10), default=CONFIRMED)
    attended: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    workshop: Mapped[Workshop] = relationship(back_populates="registrations")

    @property
    def versioned_commune_id(self) -> int | None:
        return self.workshop.commune_id if self.workshop is not None else None  # the places left are public


class WorkshopPhoto(Base):
    """A photo of a workshop (revital.photos), with the text that describes it to who cannot see it."""

    __tablename__ = "workshop_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), index=True)
    photo_id: Mapped[int] = mapped_column(ForeignKey("photos.id", ondelete="CASCADE"), unique=True)
    alt: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    workshop: Mapped[Workshop] = relationship(back_populates="photos")
    photo = relationship("Photo")

    @property
    def versioned_commune_id(self) -> int | None:
        return self.workshop.commune_id if self.workshop is not None else None


class WorkshopDocument(Base):
    """A PDF of a workshop (the presentation shown, the summary boards), kept in the database."""

    __tablename__ = "workshop_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(210))
    title: Mapped[str] = mapped_column(String(160), default="")
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    workshop: Mapped[Workshop] = relationship(back_populates="documents")

    @property
    def versioned_commune_id(self) -> int | None:
        return self.workshop.commune_id if self.workshop is not None else None
