"""Pages anonymous visitors read most, kept rendered for a few seconds in each process.

A cached page must not depend on who asks, except for the CSRF token that its forms carry:
the page is rendered with a placeholder token, replaced by the visitor's own on the way out.
Entries live TTL seconds; a change made in this process drops them at once, and other
processes serve the old page for TTL seconds at most.
"""

import threading
import time
from collections import OrderedDict

from litestar import Request
from litestar.utils.scope.state import ScopeState

PLACEHOLDER = "csrf0placeholder0token0f3a9c1"
TTL = 10.0


class PageCache:
    def __init__(self, ttl: float = TTL, size: int = 4096):
        self.ttl = ttl
        self.size = size
        self.entries: OrderedDict[tuple, tuple[float, bytes]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple) -> bytes | None:
        with self.lock:
            entry = self.entries.get(key)
            if entry is None or entry[0] < time.monotonic():
                return None
            return entry[1]

    def put(self, key: tuple, body: bytes) -> None:
        with self.lock:
            self.entries[key] = (time.monotonic() + self.ttl, body)
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)

    def drop(self, key: tuple) -> None:
        with self.lock:
            self.entries.pop(key, None)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


def anonymous(request: Request, *private_cookies: str) -> bool:
    """A visitor whose page is everybody's page: not signed in, none of the given cookies, not htmx."""
    if request.scope.get("user") is not None or request.headers.get("hx-request"):
        return False
    return not any(request.cookies.get(name) for name in private_cookies)


def render(request: Request, template: str, context: dict) -> bytes:
    """Render a page as the Template response would, with the placeholder as its CSRF token."""
    state = ScopeState.from_scope(request.scope)
    real = state.csrf_token
    state.csrf_token = PLACEHOLDER
    try:
        html = request.app.template_engine.get_template(template).render(
            **context, request=request,
            csrf_input=f'<input type="hidden" name="_csrf_token" value="{PLACEHOLDER}" />',
        )
    finally:
        state.csrf_token = real
    return html.encode()


def personalise(body: bytes, request: Request) -> bytes:
    token = ScopeState.from_scope(request.scope).csrf_token
    return body.replace(PLACEHOLDER.encode(), (token if isinstance(token, str) else "").encode())
