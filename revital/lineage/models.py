"""One table for the whole chain: a link says that a target (a stake, an idea, later an action
sheet) comes from a source (a contribution, a workshop, a student observation or proposal, a
stake, an idea). Both ways are indexed: a stake's sources, and what a contribution became."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from revital.db import Base, UTCDateTime, utcnow

# What may be linked (revital.lineage.rules names them in French).
CONTRIBUTION, WORKSHOP, OBSERVATION, PROPOSAL, STAKE, IDEA, SHEET = (
    "contribution", "workshop", "observation", "proposal", "stake", "idea", "sheet")


class Link(Base):
    __tablename__ = "lineage_links"
    __table_args__ = (
        UniqueConstraint("target_kind", "target_id", "source_kind", "source_id", name="uq_lineage_link"),
        Index("ix_lineage_source", "source_kind", "source_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"), index=True)
    target_kind: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[int] = mapped_column(Integer)
    source_kind: Mapped[str] = mapped_column(String(20))
    source_id: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
