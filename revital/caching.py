"""What is built once per version of its data and kept per process: feeds, exports, parsed
geometries and the pages anonymous visitors read.

- `Cache` is a bounded, thread-safe LRU; its keys name the version of what was built, so an
  entry never needs invalidating: a new version is a new key. Entries may also expire after a
  few seconds, for what has no version of its own (support counts on a page).
- `Body` is a built response body with its ETag and, when it is worth it, its gzip form,
  compressed once when built (a map feed of 100,000 contributions weighs 12.9 MB raw and about
  9 % of that gzipped); `respond` answers it with 304, gzip and `Vary: Accept-Encoding`.
- Anonymous pages are rendered once with a placeholder for the CSRF token their forms carry, and
  personalised with each visitor's own token on the way out (`render_page`, `personalise`).
- What changes with time alone, without any version moving (the next workshops become past ones
  as the hours pass), adds the slice of time it was built in to its name (`time_bucket`,
  `bucketed`; `shared_page(..., every=HOUR)` in revital.routes): a new hour is a new key.
"""

import gzip
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from litestar import MediaType, Request, Response
from litestar.utils.scope.state import ScopeState

MISSING = object()


class Cache:
    def __init__(self, size: int = 256, ttl: float | None = None):
        self.size = size
        self.ttl = ttl
        self.entries: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key, default=None):
        with self.lock:
            entry = self.entries.get(key, MISSING)
            if entry is MISSING:
                return default
            expires, value = entry
            if expires is not None and expires < time.monotonic():
                del self.entries[key]
                return default
            self.entries.move_to_end(key)
            return value

    def put(self, key, value):
        expires = time.monotonic() + self.ttl if self.ttl is not None else None
        with self.lock:
            self.entries[key] = (expires, value)
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)
        return value

    def get_or_build(self, key, build: Callable):
        """The value for key, built (outside the lock) if absent. Two threads missing the same
        key at once may both build it; the values are equal, so either is kept."""
        value = self.get(key, MISSING)
        if value is MISSING:
            value = self.put(key, build())
        return value

    def drop(self, key) -> None:
        with self.lock:
            self.entries.pop(key, None)

    def drop_where(self, test: Callable) -> None:
        with self.lock:
            for key in [k for k in self.entries if test(k)]:
                del self.entries[key]

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


def version_key(*parts) -> str:
    """An ETag-safe name for a version: its parts joined by dashes."""
    return "-".join(str(part) for part in parts)


HOUR = 3600  # seconds: the slice of time of the pages that show what is next


def time_bucket(every: float, now: datetime | None = None) -> str:
    """The name of the slice of time `now` (default: this instant) falls in, slices of `every`
    seconds counted from the epoch, so that HOUR slices start on the hour (UTC): a part of a
    cache name for what changes with time alone."""
    now = now or datetime.now(UTC)
    return str(int(now.timestamp() // every))


def bucketed(name, every: float | None, now: datetime | None = None):
    """The cache name of `name` in the current slice of `every` seconds: one more part to a tuple
    (a pair otherwise). None stays None (nothing is kept), and so does name without `every`."""
    if name is None or not every:
        return name
    bucket = time_bucket(every, now)
    return (*name, bucket) if isinstance(name, tuple) else (name, bucket)


GZIP_MIN = 1024


@dataclass(frozen=True)
class Body:
    raw: bytes
    gzipped: bytes | None
    etag: str
    media_type: str

    @classmethod
    def build(cls, raw: bytes, version: str, media_type: str) -> "Body":
        gzipped = gzip.compress(raw, compresslevel=6, mtime=0) if len(raw) >= GZIP_MIN else None
        return cls(raw, gzipped, f'"{version}"', media_type)


def not_modified(request: Request, etag: str) -> bool:
    header = request.headers.get("if-none-match", "")
    return any(tag.strip().removeprefix("W/") == etag for tag in header.split(",")) if header else False


def accepts_gzip(request: Request) -> bool:
    return "gzip" in request.headers.get("accept-encoding", "")


def respond(request: Request, body: Body, max_age: int = 60, headers: dict | None = None) -> Response:
    """The body, or 304 if the browser has this version, gzipped when the browser takes it."""
    headers = {"ETag": body.etag, "Cache-Control": f"public, max-age={max_age}", "Vary": "Accept-Encoding",
               **(headers or {})}
    if not_modified(request, body.etag):
        return Response(b"", status_code=304, headers=headers)
    if body.gzipped is not None and accepts_gzip(request):
        return Response(body.gzipped, media_type=body.media_type, headers={**headers, "Content-Encoding": "gzip"})
    return Response(body.raw, media_type=body.media_type, headers=headers)


def conditional(request: Request, etag_version: str, cache: Cache, key, build: Callable[[], bytes],
                media_type: str, max_age: int = 60, headers: dict | None = None) -> Response:
    """A 304 straight from the version, else the body built once for that key."""
    etag = f'"{etag_version}"'
    if not_modified(request, etag):
        return Response(b"", status_code=304, headers={"ETag": etag, "Cache-Control": f"public, max-age={max_age}",
                                                       "Vary": "Accept-Encoding", **(headers or {})})
    body = cache.get_or_build(key, lambda: Body.build(build(), etag_version, media_type))
    return respond(request, body, max_age, headers)


# Anonymous pages.


class PageCache:
    """Rendered pages for anonymous visitors: by name for a second (no database at all), and by
    name and version of their data for as long as that version lasts."""

    def __init__(self, recent_ttl: float = 1.0, size: int = 2048):
        self.recent = Cache(size=size, ttl=recent_ttl)
        self.versioned = Cache(size=size)

    def drop(self, name) -> None:
        self.recent.drop(name)

    def clear(self) -> None:
        self.recent.clear()
        self.versioned.clear()


PLACEHOLDER = "csrf0placeholder0token0f3a9c1"
NONCE_PLACEHOLDER = "nonce0placeholder0b7e2d4"


def anonymous(request: Request, *private_cookies: str) -> bool:
    """A visitor whose page is everybody's page: not signed in, none of the given cookies, not htmx."""
    if request.scope.get("user") is not None or request.headers.get("hx-request"):
        return False
    return not any(request.cookies.get(name) for name in private_cookies)


def render_page(request: Request, template: str, context: dict) -> bytes:
    """Render a page as the Template response would, with placeholders for what is each visitor's
    own: the CSRF token of its forms and the CSP nonce of its scripts."""
    state = ScopeState.from_scope(request.scope)
    real_token, real_nonce = state.csrf_token, request.scope["state"].get("csp_nonce")
    state.csrf_token = PLACEHOLDER
    request.scope["state"]["csp_nonce"] = NONCE_PLACEHOLDER
    try:
        html = request.app.template_engine.get_template(template).render(
            **context, request=request,
            csrf_input=f'<input type="hidden" name="_csrf_token" value="{PLACEHOLDER}" />',
        )
    finally:
        state.csrf_token = real_token
        request.scope["state"]["csp_nonce"] = real_nonce
    return html.encode()


def personalise(body: bytes, request: Request, status_code: int = 200, headers: dict | None = None,
                more: dict[str, str] | None = None) -> Response:
    """The kept page with this visitor's own CSRF token and CSP nonce, and `more` placeholders
    replaced by their values (a form's own token, say)."""
    token = ScopeState.from_scope(request.scope).csrf_token
    nonce = request.scope["state"].get("csp_nonce", "")
    html = (body.replace(PLACEHOLDER.encode(), (token if isinstance(token, str) else "").encode())
            .replace(NONCE_PLACEHOLDER.encode(), nonce.encode()))
    for placeholder, value in (more or {}).items():
        html = html.replace(placeholder.encode(), value.encode())
    return Response(html, status_code=status_code, media_type=MediaType.HTML, headers=headers)
