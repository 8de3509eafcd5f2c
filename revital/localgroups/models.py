"""A commune's local group and its members."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from revital.db import Base, UTCDateTime, utcnow


class LocalGroup(Base):
    """The commune's groupe local: residents, elected officials and partners who follow the process."""

    __tablename__ = "local_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")

    members: Mapped[list["Member"]] = relationship(
        back_populates="group", order_by="Member.name", cascade="all, delete-orphan"
    )


class Member(Base):
    """A member of a local group. Need not have an account; the e-mail is never published."""

    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("local_groups.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(120))
    # "resident", "elected", "partner", "facilitator", "other"
    kind: Mapped[str] = mapped_column(String(20), default="resident")
    function: Mapped[str] = mapped_column(String(120), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    group: Mapped[LocalGroup] = relationship(back_populates="members")

    @property
    def versioned_commune_id(self) -> int | None:
        """The commune whose pages show the group's counts (revital.communes.versions); a member taken
        out of the group changes the group itself, which says so."""
        return self.group.commune_id if self.group is not None else None
