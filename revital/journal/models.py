"""Journal posts and the images that go with them."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from revital.db import Base, UTCDateTime, utcnow
from revital.photos.models import Photo

DRAFT = "draft"
PUBLISHED = "published"

# Who wrote an entry: a person in the back office ("post"), or the workflow itself when something
# happens ("phase" now; later "selection", "workshop", "roadmap"...).
WRITTEN = "post"
PHASE = "phase"


class JournalPost(Base):
    """A post of a commune's journal. Public once published, signed by the commune: the person who
    wrote it is known to the back office only (author_id), never shown on public pages."""

    __tablename__ = "journal_posts"
    __table_args__ = (Index("ix_journal_posts_commune_public", "commune_id", "status", "published_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20), default=WRITTEN)
    title: Mapped[str] = mapped_column(String(160))
    body: Mapped[str] = mapped_column(Text, default="")  # Markdown (revital.markdown)
    status: Mapped[str] = mapped_column(String(10), default=DRAFT)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when first published, then kept: editing a published post sets edited_at instead.
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Bumped by every edit: a form posted against an older version is stale.
    version: Mapped[int] = mapped_column(Integer, default=1)

    images: Mapped[list["JournalImage"]] = relationship(
        back_populates="post", order_by="JournalImage.id", cascade="all, delete-orphan")

    @property
    def published(self) -> bool:
        return self.status == PUBLISHED

    @property
    def updated_at(self) -> datetime | None:
        return self.edited_at or self.published_at


class JournalImage(Base):
    """A photo of a post (revital.photos), with the text that describes it to who cannot see it."""

    __tablename__ = "journal_images"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("journal_posts.id", ondelete="CASCADE"), index=True)
    photo_id: Mapped[int] = mapped_column(ForeignKey("photos.id", ondelete="CASCADE"), unique=True)
    alt: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    post: Mapped[JournalPost] = relationship(back_populates="images")
    photo: Mapped[Photo] = relationship()

    @property
    def versioned_commune_id(self) -> int | None:
        return self.post.commune_id if self.post is not None else None


class Follower(Base):
    """Someone who follows a commune's journal by e-mail: a weekly digest of the new entries, once
    the address is confirmed (double opt-in). Shown on no public page: it bumps no version."""

    __tablename__ = "journal_followers"
    __table_args__ = (UniqueConstraint("commune_id", "email", name="uq_journal_follower"),)
    versioned_commune_id = None

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_digest_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Delivery(Base):
    """An entry sent to a follower: written with the digest that carries it, so that no entry is
    ever sent twice to the same person (the primary key says so)."""

    __tablename__ = "journal_deliveries"
    versioned_commune_id = None

    follower_id: Mapped[int] = mapped_column(ForeignKey("journal_followers.id", ondelete="CASCADE"), primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("journal_posts.id", ondelete="CASCADE"), primary_key=True, index=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
