"""Action sheets (fiches actions), what they hold, their versions and their review by partners.

Every table carries its commune's id, so that any change bumps the commune's version (the pages
and exports kept for visitors are named after it). Amounts are integers of cents, never floats.
The ideas, stakes, contributions and technical meetings a sheet answers are lineage links
(revital.lineage, target kind "sheet")."""

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from revital.db import Base, UTCDateTime, utcnow

# Maturity (the programmes' words) and status.
IDEA, PROJECT, ACTION = "idee", "fiche_projet", "fiche_action"
DRAFT, REVIEW, VALIDATED, ABANDONED = "draft", "review", "validated", "abandoned"
# A funding line's status, an operation's kind, an opinion's verdict.
REQUESTED, GRANTED, REFUSED = "requested", "granted", "refused"
STUDY, ACQUISITION, WORKS, ANIMATION = "etude", "acquisition", "travaux", "animation"
FAVOURABLE, RESERVED, UNFAVOURABLE = "favourable", "reserves", "defavorable"


class ActionSheet(Base):
    __tablename__ = "action_sheets"
    __table_args__ = (
        UniqueConstraint("commune_id", "number", name="uq_action_sheet_number"),
        Index("ix_action_sheets_commune_status", "commune_id", "status", "number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, 3… in its commune
    title: Mapped[str] = mapped_column(String(160))
    axis_id: Mapped[int | None] = mapped_column(ForeignKey("strategic_axes.id", ondelete="SET NULL"), index=True)
    priority: Mapped[int | None] = mapped_column(Integer)  # 1 (high) to 3, or None
    # Content (Markdown).
    context: Mapped[str] = mapped_column(Text, default="")
    objectives: Mapped[str] = mapped_column(Text, default="")
    effects: Mapped[str] = mapped_column(Text, default="")  # expected effects
    targets: Mapped[str] = mapped_column(Text, default="")  # who it is for
    description: Mapped[str] = mapped_column(Text, default="")
    prerequisites: Mapped[str] = mapped_column(Text, default="")
    # Location: a GeoJSON geometry (point, line or area) within the commune, or a named place.
    geometry: Mapped[str] = mapped_column(Text, default="")
    place_id: Mapped[int | None] = mapped_column(ForeignKey("places.id", ondelete="SET NULL"))
    place_name: Mapped[str] = mapped_column(String(120), default="")
    # People. The pilot is an organisation (the maître d’ouvrage); the referents are people: their
    # names are for the commune and its partners, only their roles are public.
    pilot: Mapped[str] = mapped_column(String(200), default="")
    elected_referent: Mapped[str] = mapped_column(String(160), default="")
    elected_referent_role: Mapped[str] = mapped_column(String(160), default="")
    technical_referent: Mapped[str] = mapped_column(String(160), default="")
    technical_referent_role: Mapped[str] = mapped_column(String(160), default="")
    # Time, by quarter.
    start_year: Mapped[int | None] = mapped_column(Integer)
    start_quarter: Mapped[int | None] = mapped_column(Integer)  # 1 to 4
    end_year: Mapped[int | None] = mapped_column(Integer)
    end_quarter: Mapped[int | None] = mapped_column(Integer)
    # Maturity and status.
    maturity: Mapped[str] = mapped_column(String(20), default=IDEA)
    status: Mapped[str] = mapped_column(String(20), default=DRAFT)
    status_reason: Mapped[str] = mapped_column(Text, default="")  # why abandoned, or validated without every opinion
    validated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    abandoned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The number of its current version (action_sheet_versions), 0 before a review is asked.
    version: Mapped[int] = mapped_column(Integer, default=0)
    # Bumped at every save: names what was built from it (its PDF).
    revision: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Operation(Base):
    """One of the operations a sheet is made of: a study, an acquisition, works, animation."""

    __tablename__ = "action_sheet_operations"

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"))
    sheet_id: Mapped[int] = mapped_column(ForeignKey("action_sheets.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    label: Mapped[str] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(Integer, default=0)


class SheetPartner(Base):
    """A partner organisation taking part in the action (not necessarily asked for an opinion)."""

    __tablename__ = "action_sheet_partners"
    __table_args__ = (UniqueConstraint("sheet_id", "organisation_id", name="uq_action_sheet_partner"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"))
    sheet_id: Mapped[int] = mapped_column(ForeignKey("action_sheets.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)


class Relation(Base):
    """A related sheet of the same commune (shown both ways)."""

    __tablename__ = "action_sheet_relations"
    __table_args__ = (UniqueConstraint("sheet_id", "related_id", name="uq_action_sheet_relation"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"))
    sheet_id: Mapped[int] = mapped_column(ForeignKey("action_sheets.id", ondelete="CASCADE"))
    related_id: Mapped[int] = mapped_column(ForeignKey("action_sheets.id", ondelete="CASCADE"), index=True)


class Cost(Base):
    """The estimated cost excluding VAT of one year, split investment / operating (cents)."""

    __tablename__ = "action_sheet_costs"
    __table_args__ = (UniqueConstraint("sheet_id", "year", name="uq_action_sheet_cost_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"))
    sheet_id: Mapped[int] = mapped_column(ForeignKey("action_sheets.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    investment_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    operating_cents: Mapped[int] = mapped_column(BigInteger, default=0)


class FundingLine(Base):
    """A line of the funding plan: a funder (an organisation of the territory, or a name), a
    scheme, an amount in cents, a year and a status. A partner's proposal stays out of the plan
    (`accepted` false) until the commune takes it."""

    __tablename__ = "action_sheet_funding"

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"))
    sheet_id: Mapped[int] = mapped_column(ForeignKey("action_sheets.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    funder: Mapped[str] = mapped_column(String(200))  # the funder's name, as shown
    scheme: Mapped[str] = mapped_column(String(200), default="")  # DETR, DSIL, Fonds vert…
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    year: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default=REQUESTED)
    accepted: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    proposed_by_opinion_id: Mapped[int | None] = mapped_column(
        ForeignKey("action_sheet_opinions.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(Integer, default=0)


class Milestone(Base):
    __tablename__ = "action_sheet_milestones"

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"))
    sheet_id: Mapped[int] = mapped_column(ForeignKey("action_sheets.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(200))
    on: Mapped[date] = mapped_column(Date)
    done: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Indicator(Base):
    __tablename__ = "action_sheet_indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"))
    sheet_id: Mapped[int] = mapped_column(ForeignKey("action_sheets.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(60), default="")
    baseline: Mapped[str] = mapped_column(String(60), default="")
    target: Mapped[str] = mapped_column(String(60), default="")
    source: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)


class Version(Base):
    """A version of a sheet: from the first review request on, every save makes the next one. Its
    `snapshot` (JSON, revital.sheets.snapshot) holds the whole sheet as it was, for the opinions
    given on it and for comparing any two."""

    __tablename__ = "action_sheet_versions"
    __table_args__ = (UniqueConstraint("sheet_id", "number", name="uq_action_sheet_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"))
    sheet_id: Mapped[int] = mapped_column(ForeignKey("action_sheets.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    snapshot: Mapped[str] = mapped_column(Text)
    section: Mapped[str] = mapped_column(String(40), default="")  # the section whose save made it
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReviewRequest(Base):
    """The commune asks an organisation for its opinion on the current version, by a date. Asked
    again after a change, the same request moves to the new version and date."""

    __tablename__ = "action_sheet_review_requests"
    __table_args__ = (UniqueConstraint("sheet_id", "organisation_id", name="uq_action_sheet_review_request"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"))
    sheet_id: Mapped[int] = mapped_column(ForeignKey("action_sheets.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[date] = mapped_column(Date)
    message: Mapped[str] = mapped_column(Text, default="")
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the reminder three days before
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Opinion(Base):
    """A partner's opinion on one version of a sheet. Its author is kept for the commune and the
    partner; only the organisation and the comments are public."""

    __tablename__ = "action_sheet_opinions"
    __table_args__ = (Index("ix_action_sheet_opinions_sheet", "sheet_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"))
    sheet_id: Mapped[int] = mapped_column(ForeignKey("action_sheets.id", ondelete="CASCADE"))
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("action_sheet_review_requests.id", ondelete="SET NULL"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    verdict: Mapped[str] = mapped_column(String(20))
    comments: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Reservation(Base):
    """A reservation of an opinion: the commune answers it and marks it addressed."""

    __tablename__ = "action_sheet_reservations"

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"))
    sheet_id: Mapped[int] = mapped_column(ForeignKey("action_sheets.id", ondelete="CASCADE"), index=True)
    opinion_id: Mapped[int] = mapped_column(ForeignKey("action_sheet_opinions.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text, default="")
    addressed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
