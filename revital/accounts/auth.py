"""Who is asking: the signed-in user, loaded from the session cookie before the handler runs."""

from litestar.concurrency import sync_to_thread

from revital.accounts.models import User
from revital.permissions import Grant, Principal
from revital.web import SESSION_COOKIE, CurrentUser, cookie_value


def load_user(db, sessions, token: str) -> CurrentUser | None:
    info = sessions.get(token)
    if info is None:
        return None
    with db.session() as session:
        user = session.get(User, info.user_id)
        if user is None or not user.is_active:
            return None
        grants = frozenset(
            Grant(g.role, g.territory_id, g.commune_id, g.organisation_id) for g in user.grants if not g.pending
        )
        return CurrentUser(user.id, user.email, user.display_name, Principal(user.id, grants))


class AuthMiddleware:
    """Puts the signed-in user (or None) in scope["user"]. Anonymous requests touch no database."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            scope["user"] = None
            token = cookie_value(scope, SESSION_COOKIE)
            if token:
                state = scope["litestar_app"].state
                user = await sync_to_thread(load_user, state.db, state.sessions, token)
                scope["user"] = user
                if user is None:
                    scope.setdefault("state", {})["session_expired"] = True
        await self.app(scope, receive, send)


