"""Accounts in the database: finding, authenticating, recording a sign-in, changing a password, creating users with their roles; the sign-in throttle policy."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from revital.accounts import passwords
from revital.accounts.models import RoleGrant, User
from revital.db import utcnow
from revital.permissions import Grant, grant_problem


def normalise_email(email: str) -> str:
    return email.strip().lower()


def user_by_email(db: Session, email: str) -> User | None:
    return db.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def authenticate(db: Session, email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None; same cost either way. Reads only."""
    user = user_by_email(db, email)
    if user is None or not user.is_active or not user.password_hash:
        passwords.burn_time(password)
        return None
    if not passwords.verify_password(user.password_hash, password):
        return None
    return user


def record_signin(db: Session, user: User, password: str) -> None:
    """In a write transaction, after authenticate(): the date, and a stronger hash if due."""
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    user.last_signin_at = utcnow()


# Sign-in throttling. Per account: after `attempts` failures in the window, that account refuses
# every password until the window ends. Per address (a mairie's Wi-Fi, a meeting's tablet, many
# people behind one address): never a refusal; past ADDRESS_FACTOR x attempts, each further
# failure is answered more slowly, up to MAX_DELAY seconds, and a right password is not delayed.
ADDRESS_FACTOR = 4
MAX_DELAY = 10.0


def failure_delay(address_failures: int, attempts: int) -> float:
    """Seconds to wait before answering a failed sign-in from an address with this many failures."""
    excess = address_failures - attempts * ADDRESS_FACTOR
    return 0.0 if excess <= 0 else min(MAX_DELAY, 0.5 * excess)


def password_change_errors(user: User, current: str, new: str, confirm: str) -> dict[str, str]:
    """Why a password change is refused, in French and by field; empty when it may go ahead."""
    errors = {}
    if not passwords.verify_password(user.password_hash, current[: passwords.MAX_LENGTH]):
        errors["current_password"] = "Le mot de passe actuel est incorrect."
    problem = passwords.password_problem(new, user.email)
    if problem:
        errors["new_password"] = problem
    elif new != confirm:
        errors["confirm_password"] = "Les deux saisies du nouveau mot de passe diffèrent."
    return errors


def set_password(user: User, new: str) -> None:
    user.password_hash = passwords.hash_password(new)
    user.password_changed_at = utcnow()


def create_user(db: Session, email: str, display_name: str, password_hash: str, grants: list[Grant]) -> User:
    """Create a user with grants; raises ValueError with a French message on bad input."""
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise ValueError(f"Adresse e-mail invalide : {email!r}.")
    if user_by_email(db, email) is not None:
        raise ValueError(f"Un compte existe déjà pour {email}.")
    for grant in grants:
        problem = grant_problem(grant)
        if problem:
            raise ValueError(problem)
    user = User(email=email, display_name=display_name.strip() or email.split("@")[0], password_hash=password_hash)
    for grant in grants:
        user.grants.append(
            RoleGrant(
                role=grant.role,
                territory_id=grant.territory_id,
                commune_id=grant.commune_id,
                organisation_id=grant.organisation_id,
            )
        )
    db.add(user)
    db.flush()
    return user

