"""Prioritisations of a commune's ideas: the scores recorded from a prioritisation workshop, or an
online vote with one ballot per voter (an account, or an e-mail address confirmed by a link)."""

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from revital.db import Base, UTCDateTime, utcnow

WORKSHOP, VOTE = "workshop", "vote"
POINTS, RANKS = "points", "ranks"
DRAFT, OPEN, CLOSED = "draft", "open", "closed"


class Prioritisation(Base):
    __tablename__ = "prioritisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"), index=True)
    method: Mapped[str] = mapped_column(String(10))  # workshop, vote
    workshop_id: Mapped[int | None] = mapped_column(ForeignKey("workshops.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(160))
    text: Mapped[str] = mapped_column(Text, default="")
    mode: Mapped[str] = mapped_column(String(10), default=POINTS)  # points to distribute, or ranks
    budget: Mapped[int] = mapped_column(Integer, default=10)  # points per voter, or ideas ranked at most
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(10), default=DRAFT)
    results_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Score(Base):
    """An idea's points (or rank) in a prioritisation recorded from a workshop."""

    __tablename__ = "priority_scores"
    __table_args__ = (UniqueConstraint("prioritisation_id", "idea_id", name="uq_priority_score"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    prioritisation_id: Mapped[int] = mapped_column(ForeignKey("prioritisations.id", ondelete="CASCADE"))
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    value: Mapped[int] = mapped_column(Integer)


class Ballot(Base):
    """One voter's ballot, changeable until the vote closes. voter: "user:{id}" or "email:{address}";
    an e-mail ballot counts once its address is confirmed."""

    __tablename__ = "ballots"
    __table_args__ = (UniqueConstraint("prioritisation_id", "voter", name="uq_ballot_voter"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    prioritisation_id: Mapped[int] = mapped_column(ForeignKey("prioritisations.id", ondelete="CASCADE"), index=True)
    voter: Mapped[str] = mapped_column(String(270))
    email: Mapped[str | None] = mapped_column(String(254))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BallotChoice(Base):
    __tablename__ = "ballot_choices"

    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballots.id", ondelete="CASCADE"), primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True, index=True)
    value: Mapped[int] = mapped_column(Integer)  # points given, or the rank (1 = first)
