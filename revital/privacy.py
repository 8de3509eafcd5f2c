"""A person's right of access and erasure (RGPD articles 15 and 17), by e-mail address.

Everything that names a person is found from their address: their account and its roles, the
contributions they sent (by the address they left to hear what becomes of them, or by their
account), their local-group memberships, the supports their account gave to others'
contributions, their open sign-in sessions and the sign-in attempts counted under their
address. Erasure deletes all of it but the account, which goes too when asked; the counts of the
contributions they supported go down, and the open-data feeds are told what changed. The e-mails
of the outbox addressed to them, waiting or sent, and the password-reset links sent to them, are
found and erased too. So are the journals they follow by e-mail (with the entries sent to them),
the notices kept to tell them what became of their contributions, and their ballots in the votes
on ideas (by address, or by account).

Journal posts are the commune's publication, signed by the commune: the account that wrote one
is only linked to it (shown to the person here); erasure keeps the post and drops the link. So do
applications to a call: they are the commune's, and keep going without the name and address of a
contact (elected referent or agent) who asks to be erased.

In the student weeks, the person's memberships of a team and the field observations they pinned
(with their photos) are erased; the proposals they drafted are the team's work and stay, no longer
linked to the account.

Supports given from a browser without an account carry only a random cookie: nothing links
them to an address, so they can be neither found nor erased by it.
"""

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from revital.accounts.models import AccountToken, Throttle, User, UserSession
from revital.calls.models import Application, Call
from revital.communes.models import Commune
from revital.contributions.models import AuthorNotice, Contribution, Support
from revital.contributions.rules import PUBLISHED
from revital.contributions.services import published_changed
from revital.ideas.models import Idea
from revital.journal.models import Follower, JournalPost
from revital.localgroups.models import LocalGroup, Member
from revital.mail.models import Outbox
from revital.permissions import ROLE_LABELS
from revital.photos.models import Photo
from revital.prioritisation import services as prioritisation
from revital.roadmaps.models import Roadmap
from revital.sheets.models import ActionSheet, Opinion
from revital.students import services as students
from revital.workshops import services as workshops
from revital.workshops.models import Registration, Workshop
from revital.workshops.rules import REGISTRATION_STATUSES


@dataclass
class PersonalData:
    email: str
    account: str | None = None
    roles: list[str] = field(default_factory=list)
    contributions: list[tuple[int, str, str, str]] = field(default_factory=list)  # id, commune, title, status
    memberships: list[tuple[int, str, str]] = field(default_factory=list)  # id, commune, name
    supports: list[tuple[int, str, str]] = field(default_factory=list)  # contribution id, commune, title
    journal_posts: list[tuple[int, str, str]] = field(default_factory=list)  # id, commune, title
    sessions: int = 0
    attempts: int = 0  # sign-in attempts counted under the address
    emails: int = 0  # messages of the outbox addressed to them, waiting or sent
    links: int = 0  # single-use links (password reset) sent to them
    applications: list[tuple[int, str, str, str]] = field(default_factory=list)  # id, commune, call, as whom
    followed: list[tuple[str, bool]] = field(default_factory=list)  # commune whose journal they follow, confirmed
    registrations: list[tuple[int, str, str, str]] = field(default_factory=list)  # id, commune, workshop, status
    student_weeks: list[tuple[int, str, str, str]] = field(default_factory=list)  # week id, commune, title, role
    observations: list[tuple[int, str, str]] = field(default_factory=list)  # id, commune, title (student weeks)
    proposals: list[tuple[int, str, str]] = field(default_factory=list)  # id, commune, title (students' proposals)
    author_notices: int = 0  # what to tell them of their contributions, sent or waiting
    ballots: int = 0  # their ballots in the votes on ideas
    opinions: list[tuple[int, str, str]] = field(default_factory=list)  # id, commune, sheet (a partner's opinions)
    roadmaps: list[tuple[int, str, int]] = field(default_factory=list)  # id, commune, version published


@dataclass
class Erased:
    contributions: int = 0
    memberships: int = 0
    supports: int = 0
    journal_posts: int = 0  # posts kept, no longer linked to the account
    sessions: int = 0
    attempts: int = 0
    emails: int = 0
    links: int = 0
    applications: int = 0  # applications of a commune where the person was the contact: name and e-mail blanked
    followed: int = 0  # journals followed by e-mail
    registrations: int = 0  # registrations to workshops (their places go to the waiting list)
    student_weeks: int = 0  # memberships of a student week's team
    observations: int = 0  # field observations of a student week (with their photos)
    proposals: int = 0  # students' proposals kept, no longer linked to the account
    author_notices: int = 0
    ballots: int = 0
    opinions: int = 0  # partners' opinions kept (their organisation's), no longer linked to the account
    roadmaps: int = 0  # roadmap versions kept (the commune's), without the publisher's name
    account: bool = False


def normalise(email: str) -> str:
    return email.strip().lower()


def account_of(db: Session, email: str) -> User | None:
    return db.scalar(select(User).where(func.lower(User.email) == email))


def throttle_keys(email: str) -> list[str]:
    return [f"signin:email:{email}", f"reset:email:{email}", f"follow:email:{email}"]


def contributions_query(user: User | None, email: str):
    condition = func.lower(Contribution.author_email) == email
    if user is not None:
        condition = or_(condition, Contribution.user_id == user.id)
    return select(Contribution).where(condition)


def tokens_of(user: User | None, email: str):
    condition = func.lower(AccountToken.email) == email
    return or_(condition, AccountToken.user_id == user.id) if user is not None else condition


def voter(user: User) -> str:
    return f"user:{user.id}"


def find(db: Session, email: str) -> PersonalData:
    email = normalise(email)
    found = PersonalData(email=email)
    user = account_of(db, email)
    if user is not None:
        found.account = user.display_name
        found.roles = [ROLE_LABELS.get(g.role, g.role) for g in user.grants]
        found.sessions = db.scalar(select(func.count()).select_from(UserSession).where(UserSession.user_id == user.id))
        rows = db.execute(select(Contribution.id, Commune.name, Contribution.title)
                          .join(Support, Support.contribution_id == Contribution.id)
                          .join(Commune, Commune.id == Contribution.commune_id)
                          .where(Support.voter == voter(user)).order_by(Contribution.id)).all()
        found.supports = [tuple(row) for row in rows]
        rows = db.execute(select(JournalPost.id, Commune.name, JournalPost.title)
                          .join(Commune, Commune.id == JournalPost.commune_id)
                          .where(JournalPost.author_id == user.id).order_by(JournalPost.id)).all()
        found.journal_posts = [tuple(row) for row in rows]
        rows = db.execute(select(Opinion.id, Commune.name, ActionSheet.title)
                          .join(ActionSheet, ActionSheet.id == Opinion.sheet_id)
                          .join(Commune, Commune.id == Opinion.commune_id)
                          .where(Opinion.author_id == user.id).order_by(Opinion.id)).all()
        found.opinions = [tuple(row) for row in rows]
        rows = db.execute(select(Roadmap.id, Commune.name, Roadmap.number).join(Commune, Commune.id == Roadmap.commune_id)
                          .where(Roadmap.author_id == user.id).order_by(Roadmap.id)).all()
        found.roadmaps = [tuple(row) for row in rows]
        mine = students.personal_rows(db, user.id)
        found.student_weeks, found.observations, found.proposals = (mine["memberships"], mine["observations"],
                                                                   mine["proposals"])
    for c in db.scalars(contributions_query(user, email).order_by(Contribution.id)):
        commune = db.get(Commune, c.commune_id)
        found.contributions.append((c.id, commune.name, c.title, c.status))
    rows = db.execute(select(Member, Commune.name).join(LocalGroup, Member.group_id == LocalGroup.id)
                      .join(Commune, LocalGroup.commune_id == Commune.id)
                      .where(func.lower(Member.email) == email).order_by(Member.id)).all()
    found.memberships = [(member.id, commune_name, member.name) for member, commune_name in rows]
    found.attempts = db.scalar(select(func.count()).select_from(Throttle).where(Throttle.key.in_(throttle_keys(email))))
    found.links = db.scalar(select(func.count()).select_from(AccountToken).where(tokens_of(user, email)))
    found.emails = db.scalar(select(func.count()).select_from(Outbox).where(func.lower(Outbox.to_address) == email))
    for application, commune_name, call_title in application_rows(db, email):
        roles = [label for prefix, label in CONTACTS if getattr(application, f"{prefix}_email").lower() == email]
        found.applications.append((application.id, commune_name, call_title, " et ".join(roles)))
    rows = db.execute(select(Commune.name, Follower.confirmed_at).join(Commune, Commune.id == Follower.commune_id)
                      .where(func.lower(Follower.email) == email).order_by(Commune.name)).all()
    found.followed = [(name, confirmed_at is not None) for name, confirmed_at in rows]
    rows = db.execute(select(Registration.id, Commune.name, Workshop.title, Registration.status)
                      .join(Workshop, Workshop.id == Registration.workshop_id)
                      .join(Commune, Commune.id == Workshop.commune_id)
                      .where(Registration.email == email).order_by(Registration.id)).all()
    found.registrations = [(number, name, title, REGISTRATION_STATUSES.get(status, status))
                           for number, name, title, status in rows]
    found.author_notices = db.scalar(select(func.count()).select_from(AuthorNotice)
                                     .where(func.lower(AuthorNotice.email) == email))
    found.ballots = prioritisation.ballots_count(db, email, user.id if user is not None else None)
    return found


CONTACTS = (("referent", "élu référent"), ("agent", "agent à contacter"))


def application_rows(db: Session, email: str):
    return db.execute(select(Application, Commune.name, Call.title).join(Commune, Commune.id == Application.commune_id)
                      .join(Call, Call.id == Application.call_id)
                      .where(or_(func.lower(Application.referent_email) == email,
                                 func.lower(Application.agent_email) == email))
                      .order_by(Application.id)).all()


def erase(db: Session, email: str, account: bool = False, base_url: str = "", secret: str = "") -> Erased:
    """Delete what names the person, in the caller's write transaction; the account too if asked.
    With base_url (and the secret that signs withdrawal links), whoever gets a workshop place the
    person held is told, as when someone withdraws."""
    email = normalise(email)
    erased = Erased()
    user = account_of(db, email)
    # Before the contributions, whose notices would go with them unseen (ON DELETE CASCADE).
    erased.author_notices = db.execute(delete(AuthorNotice).where(func.lower(AuthorNotice.email) == email)).rowcount
    contributions = db.scalars(contributions_query(user, email)).all()
    photo_ids = [c.photo_id for c in contributions if c.photo_id]
    public = Counter(c.commune_id for c in contributions if c.status == PUBLISHED)
    for contribution in contributions:
        db.delete(contribution)
    db.flush()
    if photo_ids:
        db.execute(delete(Photo).where(Photo.id.in_(photo_ids)))
    for commune_id, count in public.items():
        published_changed(db, commune_id, -count)
    erased.contributions = len(contributions)
    erased.memberships = db.execute(delete(Member).where(func.lower(Member.email) == email)).rowcount
    erased.links = db.execute(delete(AccountToken).where(tokens_of(user, email))).rowcount
    if user is not None:
        given = db.execute(select(Support.contribution_id, Support.idea_id).where(Support.voter == voter(user))).all()
        supported = [c for c, _ in given if c is not None]
        ideas = [i for _, i in given if i is not None]  # supports on ideas: the same mechanism
        if supported:
            db.execute(update(Contribution).where(Contribution.id.in_(supported))
                       .values(supports_count=Contribution.supports_count - 1))
        if ideas:
            db.execute(update(Idea).where(Idea.id.in_(ideas)).values(supports_count=Idea.supports_count - 1))
        if given:
            db.execute(delete(Support).where(Support.voter == voter(user)))
        erased.supports = len(given)
        erased.journal_posts = db.execute(update(JournalPost).where(JournalPost.author_id == user.id)
                                          .values(author_id=None)).rowcount
        erased.opinions = db.execute(update(Opinion).where(Opinion.author_id == user.id)
                                     .values(author_id=None)).rowcount
        erased.roadmaps = db.execute(update(Roadmap).where(Roadmap.author_id == user.id)
                                     .values(author_id=None, author_name="")).rowcount
        erased.student_weeks, erased.observations, erased.proposals = students.erase_user(db, user.id)
        erased.sessions = db.execute(delete(UserSession).where(UserSession.user_id == user.id)).rowcount
        if account:
            db.delete(user)
            erased.account = True
    erased.attempts = db.execute(delete(Throttle).where(Throttle.key.in_(throttle_keys(email)))).rowcount
    erased.emails = db.execute(delete(Outbox).where(func.lower(Outbox.to_address) == email)).rowcount
    # Their deliveries go with them (ON DELETE CASCADE): nothing says which entries they were sent.
    erased.followed = db.execute(delete(Follower).where(func.lower(Follower.email) == email)).rowcount
    erased.registrations = workshops.erase_email(db, email, base_url, secret)
    erased.ballots = prioritisation.erase_email(db, email, user.id if user is not None else None)
    # An application belongs to its commune and stays; the person's name and address leave it.
    for application, _, _ in application_rows(db, email):
        for prefix, _ in CONTACTS:
            if getattr(application, f"{prefix}_email").lower() == email:
                setattr(application, f"{prefix}_email", "")
                setattr(application, f"{prefix}_name", "")
        erased.applications += 1
    return erased
