"""Stakes (enjeux) of a commune's diagnostic, and the versions of its synthesis."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from revital.db import Base, UTCDateTime, utcnow

DRAFT, PUBLISHED = "draft", "published"


class Stake(Base):
    """A stake drawn from what was said: a theme (a category of the commune), its AFOM class
    (atout, faiblesse, opportunité, menace), a title, a text (Markdown), a priority. Its sources
    are lineage links (revital.lineage)."""

    __tablename__ = "stakes"
    __table_args__ = (Index("ix_stakes_commune_theme", "commune_id", "theme"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"))
    theme: Mapped[str] = mapped_column(String(40))
    afom: Mapped[str] = mapped_column(String(12))  # asset, weakness, opportunity, threat
    title: Mapped[str] = mapped_column(String(160))
    text: Mapped[str] = mapped_column(Text, default="")
    priority: Mapped[int | None] = mapped_column(Integer)  # 1 (high) to 3, or None
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)


class Synthesis(Base):
    """One version of a commune's diagnostic synthesis: a draft, then published with a date; a
    later edit makes the next version and the published ones stay readable as they were (their
    stakes frozen in `snapshot`, JSON)."""

    __tablename__ = "diagnostic_syntheses"
    __table_args__ = (UniqueConstraint("commune_id", "number", name="uq_synthesis_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, 3…
    status: Mapped[str] = mapped_column(String(10), default=DRAFT)
    introduction: Mapped[str] = mapped_column(Text, default="")  # Markdown
    snapshot: Mapped[str | None] = mapped_column(Text)  # JSON of the stakes and figures, once published
    note: Mapped[str] = mapped_column(Text, default="")  # what changed since the previous version
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)  # bumped by every edit (stale forms)
