"""A commune's process and the history of its phase transitions."""

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from revital.db import Base, UTCDateTime, utcnow


class Process(Base):
    """A commune's démarche: its current phase and the history of its transitions."""

    __tablename__ = "processes"

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"), unique=True)
    phase: Mapped[str] = mapped_column(String(20), default="diagnostic")
    # Bumped by every transition: a form posted against an older version is stale.
    version: Mapped[int] = mapped_column(Integer, default=1)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    transitions: Mapped[list["PhaseTransition"]] = relationship(
        back_populates="process", order_by="PhaseTransition.id", cascade="all, delete-orphan"
    )


class PhaseTransition(Base):
    __tablename__ = "phase_transitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("processes.id", ondelete="CASCADE"), index=True)
    from_phase: Mapped[str | None] = mapped_column(String(20))
    to_phase: Mapped[str] = mapped_column(String(20))
    # "start", "advance", "override" (advance despite a failed gate) or "back".
    kind: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Kept so the history still says who after the account is gone.
    user_name: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    process: Mapped[Process] = relationship(back_populates="transitions")
