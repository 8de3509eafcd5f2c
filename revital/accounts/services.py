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
    """The active user with this e-mail and password, or None; same cost either way."""
    user = user_by_email(db, email)
    if user is None or not user.is_active or not user.password_hash:
        passwords.burn_time(password)
        return None
    if not passwords.verify_password(user.password_hash, password):
        return None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    user.last_signin_at = utcnow()
    return user


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

