"""Calls for applications, the communes' applications, their attached documents and scores."""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from revital.calls.rules import DRAFT
from revital.db import Base, UTCDateTime, utcnow


class Call(Base):
    """A territory's call for applications to its communes."""

    __tablename__ = "calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(160))
    text: Mapped[str] = mapped_column(Text, default="")  # Markdown
    criteria: Mapped[str] = mapped_column(Text, default="")  # one a line
    documents: Mapped[str] = mapped_column(Text, default="")  # the documents asked, one a line
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    results_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    territory = relationship("Territory")
    applications: Mapped[list["Application"]] = relationship(back_populates="call", cascade="all, delete-orphan",
                                                             order_by="Application.id")

    @property
    def versioned_territory_id(self) -> int:
        return self.territory_id  # the home page and the territory's page list the calls

    @property
    def criteria_list(self) -> list[str]:
        return [line for line in self.criteria.split("\n") if line]

    @property
    def documents_list(self) -> list[str]:
        return [line for line in self.documents.split("\n") if line]


class CallPart:
    """Applications, their documents and scores are shown on no cached page: they bump no version."""

    versioned_commune_id = None


class Application(CallPart, Base):
    """A commune's application to a call: one a commune and call, a draft until submitted."""

    __tablename__ = "applications"
    __table_args__ = (UniqueConstraint("call_id", "commune_id", name="uq_application_commune"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=DRAFT)
    motivation: Mapped[str] = mapped_column(Text, default="")
    stakes: Mapped[str] = mapped_column(Text, default="")
    referent_name: Mapped[str] = mapped_column(String(120), default="")
    referent_role: Mapped[str] = mapped_column(String(120), default="")
    referent_email: Mapped[str] = mapped_column(String(254), default="")
    agent_name: Mapped[str] = mapped_column(String(120), default="")
    agent_role: Mapped[str] = mapped_column(String(120), default="")
    agent_email: Mapped[str] = mapped_column(String(254), default="")
    perimeter: Mapped[str | None] = mapped_column(Text)  # GeoJSON, or None: "à définir"
    # The link to go on with the application (a draft, or a submitted one until the closing
    # date) carries a random token; only its SHA-256 is kept.
    resume_hash: Mapped[str] = mapped_column(String(64), unique=True)
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    call: Mapped[Call] = relationship(back_populates="applications")
    commune = relationship("Commune")
    documents: Mapped[list["ApplicationDocument"]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="ApplicationDocument.id")
    scores: Mapped[list["ApplicationScore"]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="ApplicationScore.criterion")


class ApplicationDocument(CallPart, Base):
    """A PDF attached to an application, kept in the database so that every worker serves it."""

    __tablename__ = "application_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    application: Mapped[Application] = relationship(back_populates="documents")


class ApplicationScore(CallPart, Base):
    """The coordinator's score of one criterion (by its position in the call's list)."""

    __tablename__ = "application_scores"
    __table_args__ = (UniqueConstraint("application_id", "criterion", name="uq_score_criterion"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    criterion: Mapped[int] = mapped_column(Integer)
    score: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    application: Mapped[Application] = relationship(back_populates="scores")
