"""Every model, imported in one place at start-up (the application, the command line, Alembic and the
tests): relationships between domains resolve, and the version listener is registered."""

from revital.accounts.models import AccountToken, RoleGrant, Throttle, User, UserSession
from revital.calls.models import Application, ApplicationDocument, ApplicationScore, Call
from revital.communes import versions  # noqa: F401 - registers the version listener
from revital.communes.models import Commune, CommunePartner, Organisation, Territory
from revital.contributions.models import (
    AuthorNotice,
    Contribution,
    ModerationDecision,
    Support,
)
from revital.db import Base
from revital.diagnostic.models import Stake, Synthesis
from revital.geography.models import Place
from revital.ideas.models import Answer, Axis, Idea
from revital.journal import automatic  # noqa: F401 - registers the automatic journal entries
from revital.journal.models import Delivery, Follower, JournalImage, JournalPost
from revital.lineage.models import Link
from revital.localgroups.models import LocalGroup, Member
from revital.mail.models import Outbox
from revital.photos.models import Photo
from revital.prioritisation.models import Ballot, BallotChoice, Prioritisation, Score
from revital.process.models import PhaseTransition, Process
from revital.roadmaps.models import Progress, ProgressNote, ProgressPhoto, Roadmap
from revital.sheets.models import (
    ActionSheet,
    Cost,
    FundingLine,
    Indicator,
    Milestone,
    Operation,
    Opinion,
    Relation,
    Reservation,
    ReviewRequest,
    SheetPartner,
    Version,
)
from revital.submissions import FormSubmission
from revital.students.models import (
    Observation,
    Proposal,
    ProposalBoard,
    ProposalImage,
    StudentWeek,
    WeekMember,
)
from revital.workshops.models import Registration, Workshop, WorkshopDocument, WorkshopPhoto

__all__ = [
    "FormSubmission",
    "ActionSheet",
    "Cost",
    "FundingLine",
    "Indicator",
    "Milestone",
    "Operation",
    "Opinion",
    "Relation",
    "Reservation",
    "ReviewRequest",
    "SheetPartner",
    "Version",
    "Progress",
    "ProgressNote",
    "ProgressPhoto",
    "Roadmap",
    "Answer",
    "AuthorNotice",
    "Axis",
    "Ballot",
    "BallotChoice",
    "Idea",
    "Link",
    "Prioritisation",
    "Score",
    "Stake",
    "Synthesis",
    "AccountToken",
    "Application",
    "ApplicationDocument",
    "ApplicationScore",
    "Base",
    "Call",
    "Commune",
    "Contribution",
    "Delivery",
    "Follower",
    "JournalImage",
    "JournalPost",
    "CommunePartner",
    "LocalGroup",
    "Member",
    "ModerationDecision",
    "Observation",
    "Proposal",
    "ProposalBoard",
    "ProposalImage",
    "StudentWeek",
    "WeekMember",
    "Organisation",
    "Outbox",
    "PhaseTransition",
    "Photo",
    "Place",
    "Process",
    "Registration",
    "RoleGrant",
    "Support",
    "Territory",
    "Throttle",
    "User",
    "UserSession",
    "Workshop",
    "WorkshopDocument",
    "WorkshopPhoto",
]
