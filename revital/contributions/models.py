"""Contributions, supports and moderation decisions (their photos are revital.photos)."""

from datetime import datetime

from sqlalchemy import (
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    inspect,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from revital.contributions.rules import PENDING, REJECTED
from revital.db import Base, UTCDateTime, utcnow
from revital.photos.models import Photo


class Contribution(Base):
    """An observation (asset or weakness) or an idea, pinned on the map, at a place, or nowhere."""

    __tablename__ = "contributions"
    __table_args__ = (Index("ix_contributions_commune_status", "commune_id", "status", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    category: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text, default="")
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    place_id: Mapped[int | None] = mapped_column(ForeignKey("places.id", ondelete="SET NULL"))
    # The place's name when it was chosen: the contribution keeps it if the place goes.
    place_name: Mapped[str] = mapped_column(String(120), default="")
    phase: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(10), default="online")
    # The workshop it was collected in (paper contributions), or None.
    workshop_id: Mapped[int | None] = mapped_column(ForeignKey("workshops.id", ondelete="SET NULL"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    author_name: Mapped[str] = mapped_column(String(80), default="")
    # Never published, never exported: only to tell the author what became of the contribution.
    author_email: Mapped[str] = mapped_column(String(254), default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    photo_id: Mapped[int | None] = mapped_column(ForeignKey("photos.id", ondelete="SET NULL"))
    # One per rendered form: a double click or a resent form makes one contribution.
    submission_token: Mapped[str] = mapped_column(String(64), unique=True)
    supports_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    photo: Mapped[Photo | None] = relationship()

    @property
    def versioned_commune_id(self) -> int | None:
        """The commune whose pages change with this contribution (revital.communes.versions): not
        while it waits for moderation, was never public and is not becoming so."""
        history = inspect(self).attrs.status.history
        statuses = {self.status, *history.deleted}
        return self.commune_id if statuses - {PENDING, REJECTED} else None
    decisions: Mapped[list["ModerationDecision"]] = relationship(
        back_populates="contribution", order_by="ModerationDecision.id", cascade="all, delete-orphan"
    )


class Support(Base):
    """A "moi aussi": one per person (account) or browser (cookie) and contribution, or idea (one
    mechanism for both: exactly one of contribution_id and idea_id is set)."""

    __tablename__ = "supports"
    __table_args__ = (UniqueConstraint("contribution_id", "voter"),
                      UniqueConstraint("idea_id", "voter", name="uq_supports_idea_voter"))

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int | None] = mapped_column(ForeignKey("contributions.id", ondelete="CASCADE"))
    idea_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    voter: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ModerationDecision(Base):
    __tablename__ = "moderation_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int] = mapped_column(ForeignKey("contributions.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(10))  # publish, reject, hide
    reason: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    user_name: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    contribution: Mapped[Contribution] = relationship(back_populates="decisions")


class AuthorNotice(Base):
    """Something to tell the author of a contribution who left an e-mail address (published or
    refused, linked to a stake, an idea retained…): gathered into one e-mail a day at most per
    address, then marked sent in the same transaction as that e-mail."""

    __tablename__ = "author_notices"
    __table_args__ = (Index("ix_author_notices_unsent", "sent_at", "email"),)
    versioned_commune_id = None

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"))
    contribution_id: Mapped[int | None] = mapped_column(ForeignKey("contributions.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    text: Mapped[str] = mapped_column(Text)  # one French line: what happened, with its link
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
