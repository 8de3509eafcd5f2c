"""Student weeks, their members, the team's field observations and design proposals (with their
images, which are revital.photos, and their PDF boards).

Observations have a table of their own rather than being contributions with source "student": they
are written by accounts of a week's team, need no moderation, carry the team they belong to (the map
labels its layer with it), and their life follows the week, not the residents' workflow of supports,
moderation and official answers."""

from datetime import date, datetime

from sqlalchemy import Date, Float, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint, inspect
from sqlalchemy.orm import Mapped, mapped_column, relationship

from revital.db import Base, UTCDateTime, utcnow
from revital.photos.models import Photo
from revital.students.rules import DRAFT, PUBLISHED


class StudentWeek(Base):
    """An immersion or territorial-design week of a school's students in a commune."""

    __tablename__ = "student_weeks"
    __table_args__ = (Index("ix_student_weeks_commune_starts", "commune_id", "starts_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(160))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    school: Mapped[str] = mapped_column(String(160), default="")
    programme: Mapped[str] = mapped_column(String(200), default="")  # "Master Innovation & Territoire"
    team_name: Mapped[str] = mapped_column(String(120), default="")  # labels the team's layer on the map
    brief: Mapped[str] = mapped_column(Text, default="")  # Markdown: the commune's request to the team
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    commune = relationship("Commune")
    members: Mapped[list["WeekMember"]] = relationship(back_populates="week", cascade="all, delete-orphan",
                                                       order_by="WeekMember.id")


class WeekMember(Base):
    """A person of a week's team: a student or a supervisor. Shown on no public page."""

    __tablename__ = "student_week_members"
    __table_args__ = (UniqueConstraint("week_id", "user_id", name="uq_student_week_member"),)
    versioned_commune_id = None

    id: Mapped[int] = mapped_column(primary_key=True)
    week_id: Mapped[int] = mapped_column(ForeignKey("student_weeks.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    week: Mapped[StudentWeek] = relationship(back_populates="members")
    user = relationship("User")


class Observation(Base):
    """A field observation pinned by a member of the team: public on the commune's map at once, in
    the students' layer, signed by the team (never by the person)."""

    __tablename__ = "student_observations"
    __table_args__ = (Index("ix_student_observations_week", "week_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    week_id: Mapped[int] = mapped_column(ForeignKey("student_weeks.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(160))
    text: Mapped[str] = mapped_column(Text, default="")
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    photo_id: Mapped[int | None] = mapped_column(ForeignKey("photos.id", ondelete="SET NULL"))
    # One per rendered form: a form sent again on a weak connection makes one observation.
    token: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    week: Mapped[StudentWeek] = relationship()
    photo: Mapped[Photo | None] = relationship()

    @property
    def versioned_commune_id(self) -> int | None:
        return self.week.commune_id if self.week is not None else None


class Proposal(Base):
    """A team's design proposal: private to the team until the commune publishes it."""

    __tablename__ = "student_proposals"
    __table_args__ = (Index("ix_student_proposals_week_status", "week_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    week_id: Mapped[int] = mapped_column(ForeignKey("student_weeks.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(160))
    text: Mapped[str] = mapped_column(Text, default="")  # Markdown
    status: Mapped[str] = mapped_column(String(20), default=DRAFT)
    review_comment: Mapped[str] = mapped_column(Text, default="")
    # Where: a GeoJSON Point or Polygon within the commune, or None; lon/lat its representative point.
    location: Mapped[str | None] = mapped_column(Text)
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Bumped by every edit: a form posted against an older version is stale.
    version: Mapped[int] = mapped_column(Integer, default=1)

    week: Mapped[StudentWeek] = relationship()
    images: Mapped[list["ProposalImage"]] = relationship(back_populates="proposal", cascade="all, delete-orphan",
                                                         order_by="ProposalImage.id")
    boards: Mapped[list["ProposalBoard"]] = relationship(back_populates="proposal", cascade="all, delete-orphan",
                                                         order_by="ProposalBoard.id")

    @property
    def public_now_or_before(self) -> bool:
        history = inspect(self).attrs.status.history
        return PUBLISHED in {self.status, *history.deleted}

    @property
    def versioned_commune_id(self) -> int | None:
        """The commune's public pages change only when a published proposal does."""
        return self.week.commune_id if self.week is not None and self.public_now_or_before else None


class ProposalImage(Base):
    """An image of a proposal (revital.photos), with its text for who cannot see it."""

    __tablename__ = "student_proposal_images"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("student_proposals.id", ondelete="CASCADE"), index=True)
    photo_id: Mapped[int] = mapped_column(ForeignKey("photos.id", ondelete="CASCADE"), unique=True)
    alt: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    proposal: Mapped[Proposal] = relationship(back_populates="images")
    photo: Mapped[Photo] = relationship()

    @property
    def versioned_commune_id(self) -> int | None:
        return self.proposal.versioned_commune_id if self.proposal is not None else None


class ProposalBoard(Base):
    """A PDF board of a proposal, kept in the database (deferred) like an application's documents."""

    __tablename__ = "student_proposal_boards"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("student_proposals.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(210))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    proposal: Mapped[Proposal] = relationship(back_populates="boards")

    @property
    def versioned_commune_id(self) -> int | None:
        return self.proposal.versioned_commune_id if self.proposal is not None else None
