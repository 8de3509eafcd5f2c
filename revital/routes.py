"""How handlers run: in a worker thread with their database session, rendered and closed there.

Every handler is declared with this module's `get` and `post`: it runs in a worker thread with
its database session, its template is rendered in that same thread, and the session is closed
there before the response leaves, whatever the handler did. Nothing of a request's database work
is left for later, so no request can hold the write lock or a pooled connection while it waits
for a thread (eight concurrent supports once hung the whole server that way: Litestar ran the
cleanup of a generator dependency in the same small thread pool as the handlers).
"""

import functools
import inspect

import litestar
from litestar import MediaType, Request, Response
from litestar.concurrency import sync_to_thread
from litestar.di import NamedDependency
from litestar.response import Template
from litestar.utils.scope.state import ScopeState
from sqlalchemy.orm import Session

from revital import caching


def provide_db(request: Request) -> Session:
    """The request's session; it connects on first use, and writes first for anything but a read."""
    return request.app.state.db.request_session(write=request.method not in ("GET", "HEAD", "OPTIONS"))


# The handler parameter of the request's database session.
DB = NamedDependency[Session]


def render(request: Request, response: Template) -> Response:
    """A Template rendered now, in this thread, as Litestar would render it later."""
    token = ScopeState.from_scope(request.scope).csrf_token
    token = token if isinstance(token, str) else ""
    context = {**response.context, "request": request,
               "csrf_input": f'<input type="hidden" name="_csrf_token" value="{token}" />'}
    body = request.app.template_engine.get_template(response.template_name).render(**context)
    rendered = Response(body.encode(), status_code=response.status_code, media_type=MediaType.HTML,
                        headers=dict(response.headers), cookies=list(response.cookies))
    return rendered


def finish(request: Request, result):
    return render(request, result) if isinstance(result, Template) else result


def closing_session(fn):
    """Run fn, render its template, and close the request's session, all in the calling thread."""
    names = inspect.signature(fn).parameters
    if "request" not in names:
        raise TypeError(f"{fn.__qualname__}: a handler takes the request")

    @functools.wraps(fn)
    def handle(*args, **kwargs):
        db = kwargs.get("db")
        try:
            return finish(kwargs["request"], fn(*args, **kwargs))
        finally:
            if db is not None:
                db.close()

    handle.closes_session = True
    return handle


def route(decorator, path: str, options: dict):
    def register(fn):
        if inspect.iscoroutinefunction(fn):
            # An async handler answers from the event loop (a cache hit, say) and does its
            # database work through in_thread(); it never takes the request's session.
            if "db" in inspect.signature(fn).parameters:
                raise TypeError(f"{fn.__qualname__}: an async handler uses in_thread(), not the db parameter")
            return decorator(path, **options)(fn)
        return decorator(path, sync_to_thread=True, **options)(closing_session(fn))

    return register


def get(path: str, **options):
    """litestar.get for a handler that runs in a worker thread (see the module's docstring)."""
    return route(litestar.get, path, options)


def post(path: str, **options):
    """litestar.post, answering 200 (not 201) unless told, in a worker thread like `get`."""
    options.setdefault("status_code", 200)
    return route(litestar.post, path, options)


async def in_thread(request: Request, fn, *args, write: bool = False):
    """For an async handler: run fn(db, *args) in a worker thread with a session of its own,
    render its template there, and close the session there."""

    def work():
        db = request.app.state.db.request_session(write=write)
        try:
            return finish(request, fn(db, *args))
        finally:
            db.close()

    return await sync_to_thread(work)




async def shared_page(request: Request, name, read_version, build, private_cookies=(), personal=None,
                      every: float | None = None) -> Response:
    """A page that is everybody's page for anonymous visitors: kept rendered (revital.caching) by
    name for a second, and by name and version of its data (read_version(db)) until that changes.
    Everyone else, and a page with no name, gets it fresh. build(db) returns the Template (or a
    redirect, or raises: those are never kept). personal(): the placeholders of the kept page that
    each visitor gets filled with their own values, beyond the CSRF token and the CSP nonce.
    every: seconds (caching.HOUR): the page is also built anew in each slice of that length, for
    what changes with time alone (caching.bucketed)."""
    name = caching.bucketed(name, every)
    if name is None or not caching.anonymous(request, *private_cookies):
        return await in_thread(request, build)
    pages = request.app.state.pages
    more = personal() if personal else None
    body = pages.recent.get(name)
    if body is not None:
        return caching.personalise(body, request, more=more)

    def work(db):
        version = read_version(db)
        body = pages.versioned.get((name, version)) if version is not None else None
        if body is None:
            result = build(db)
            if version is None or not isinstance(result, Template) or result.status_code != 200:
                return result
            body = pages.versioned.put((name, version), caching.render_page(request, result.template_name, result.context))
        pages.recent.put(name, body)
        return body

    result = await in_thread(request, work)
    return caching.personalise(result, request, more=more) if isinstance(result, bytes) else result


async def versioned_body(request: Request, cache, known, read, build, media_type: str, max_age: int = 60,
                         headers: dict | None = None) -> Response:
    """A feed or an export answered from its version (revital.caching): a 304 straight from a
    version read lately (known(), no database, no thread), else the body built once per version
    (read(db) gives it; build(db) makes the bytes) and gzipped once."""
    version = known()
    if version is not None and caching.not_modified(request, f'"{version}"'):
        return caching.respond(request, caching.Body(b"", None, f'"{version}"', media_type), max_age, headers)

    def work(db):
        found = read(db)
        return cache.get_or_build(found, lambda: caching.Body.build(build(db), found, media_type))

    return caching.respond(request, await in_thread(request, work), max_age, headers)
