"""Forms as they are posted: read once, tolerantly, before anything else reads them.

A middleware reads a POSTed body (URL-encoded or multipart) and keeps it as a FormData: the first
text value of each field, every value in `lists`, the uploaded files in memory. Invalid UTF-8
becomes U+FFFD in the field it was in, and the form says which fields those were, so that the
page can ask for a correction instead of answering 500; control characters are dropped
(PostgreSQL refuses NUL in text). The same middleware refuses addresses that cannot name
anything: control characters in a path or a query, identifiers beyond a database integer.
"""

import io
from urllib.parse import parse_qsl

from litestar import Request
from litestar.di import NamedDependency
from litestar.utils.scope.state import ScopeState
from multipart import (
    MultipartSegment,
    ParserError,
    ParserLimitReached,
    PushMultipartParser,
)

from revital.web import BadRequest, NotFound

FORM_PART_LIMIT = 200


class Upload:
    """An uploaded file, in memory (the request's body size is capped per handler)."""

    def __init__(self, filename: str, content_type: str, content: bytes):
        self.filename = filename
        self.content_type = content_type
        self.file = io.BytesIO(content)


class FormData(dict):
    """A submitted form: the first text value of each field (duplicates are kept in `lists`),
    the uploaded files, and the fields whose bytes were not valid UTF-8 (read with U+FFFD in
    place of the bad bytes, so that nothing typed is lost and the form can say which field)."""

    def __init__(self, lists: dict[str, list[str]] | None = None, files: dict[str, Upload] | None = None,
                 unreadable: frozenset[str] = frozenset()):
        super().__init__({name: values[0] for name, values in (lists or {}).items() if values})
        self.lists = lists or {}
        self.files = files or {}
        self.unreadable = unreadable

    def getall(self, name: str) -> list[str]:
        return list(self.lists.get(name, []))

    def upload(self, name: str) -> Upload | None:
        upload = self.files.get(name)
        return upload if upload is not None and upload.filename else None

    def unreadable_errors(self) -> dict[str, str]:
        return {name: UNREADABLE for name in sorted(self.unreadable)}

    __hash__ = object.__hash__


UNREADABLE = ("Ce champ contient des caractères qui n’ont pas pu être lus (remplacés par « \ufffd ») : "
              "corrigez-les avant d’envoyer.")
CONTROL = {c: None for c in range(32) if chr(c) not in "\t\n\r"}


def clean_value(raw: bytes) -> tuple[str, bool]:
    """Text of a form field: invalid UTF-8 replaced and reported, control characters dropped
    (PostgreSQL refuses NUL in text)."""
    try:
        text, bad = raw.decode("utf-8"), False
    except UnicodeDecodeError:
        text, bad = raw.decode("utf-8", errors="replace"), True
    return text.translate(CONTROL), bad


def parse_urlencoded(body: bytes) -> FormData:
    lists: dict[str, list[str]] = {}
    unreadable = set()
    pairs = parse_qsl(body.decode("latin-1"), keep_blank_values=True, encoding="latin-1")
    for raw_name, raw_value in pairs:
        name, _ = clean_value(raw_name.encode("latin-1"))
        value, bad = clean_value(raw_value.encode("latin-1"))
        lists.setdefault(name, []).append(value)
        if bad:
            unreadable.add(name)
    return FormData(lists, {}, frozenset(unreadable))


def parse_multipart(body: bytes, boundary: bytes) -> FormData:
    lists: dict[str, list[str]] = {}
    files: dict[str, Upload] = {}
    unreadable = set()
    segment, buffer = None, bytearray()
    try:
        with PushMultipartParser(boundary, max_segment_count=FORM_PART_LIMIT) as parser:
            for chunk in (body, b""):
                for part in parser.parse(chunk):
                    if isinstance(part, MultipartSegment):
                        segment, buffer = part, bytearray()
                    elif part:
                        buffer.extend(part)
                    elif segment is not None:
                        name, _ = clean_value(segment.name.encode("utf-8", "surrogateescape"))
                        if segment.filename:
                            files.setdefault(name, Upload(segment.filename, segment.content_type or "", bytes(buffer)))
                        else:
                            value, bad = clean_value(bytes(buffer))
                            lists.setdefault(name, []).append(value)
                            if bad:
                                unreadable.add(name)
                        segment = None
    except (ParserError, ParserLimitReached) as error:
        raise BadRequest("Ce formulaire n’a pas pu être lu : rechargez la page et envoyez-le à nouveau.") from error
    return FormData(lists, files, frozenset(unreadable))


FORM_STATE = "revital_form"


# Identifiers in addresses are database integers: anything larger names nothing.
MAX_ID = 2**31 - 1
CONTROL_CHARACTERS = frozenset(chr(c) for c in [*range(32), 127])


def odd_address(scope) -> str | None:
    """Why this address cannot name anything (control characters, an identifier out of range)."""
    for value in scope.get("path_params", {}).values():
        if isinstance(value, int) and not -MAX_ID <= value <= MAX_ID:
            return "path"
        if isinstance(value, str) and not CONTROL_CHARACTERS.isdisjoint(value):
            return "path"
    if "%" in scope.get("query_string", b"").decode("latin-1"):
        query = Request(scope).query_params
        if any(not CONTROL_CHARACTERS.isdisjoint(v) for values in query.dict().values() for v in values):
            return "query"
    return None


class InputMiddleware:
    """Refuses addresses that cannot name anything (404) or carry control characters (400), then
    reads a POSTed form once, tolerantly, before anything else does (the CSRF check included):
    invalid UTF-8 becomes U+FFFD in the field it was in, never an exception."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            odd = odd_address(scope)
            if odd == "path":
                raise NotFound("Cette page n’existe pas ou n’existe plus.")
            if odd == "query":
                raise BadRequest("Cette adresse contient des caractères invalides.")
        if scope["type"] == "http" and scope["method"] in ("POST", "PUT", "PATCH", "DELETE"):
            request = Request(scope, receive)
            content_type, options = request.content_type
            form = None
            if content_type == "application/x-www-form-urlencoded":
                form = parse_urlencoded(await request.body())
            elif content_type == "multipart/form-data":
                boundary = options.get("boundary")
                if not boundary:
                    raise BadRequest("Ce formulaire n’a pas pu être lu : rechargez la page et envoyez-le à nouveau.")
                form = parse_multipart(await request.body(), boundary.encode("latin-1"))
            if form is not None:
                scope.setdefault("state", {})[FORM_STATE] = form
                # What Litestar's own request.form() returns from now on (the CSRF check reads it).
                ScopeState.from_scope(scope).form = {name: values if len(values) > 1 else values[0]
                                                     for name, values in form.lists.items() if values}
        await self.app(scope, receive, send)


def provide_form(request: Request) -> FormData:
    return request.scope.get("state", {}).get(FORM_STATE) or FormData()


# The handler parameter of a submitted form.
Form = NamedDependency[FormData]
