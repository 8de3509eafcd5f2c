"""Atom 1.0 (RFC 4287) documents of the journal. Pure: the standard library's XML writer only, so
that every text is escaped by the writer and the document is always well formed."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit
from xml.etree import ElementTree

NS = "http://www.w3.org/2005/Atom"
MEDIA_TYPE = "application/atom+xml; charset=utf-8"
SITE_LINK = re.compile(r'(\s(?:src|href)=")/(?!/)')


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    url: str
    published: datetime
    updated: datetime
    author: str
    html: str


def tag_uri(base_url: str, day: datetime, specific: str) -> str:
    """A tag: URI (RFC 4151) minted by this site's host on the day the thing was created."""
    return f"tag:{urlsplit(base_url).hostname or 'localhost'},{day:%Y-%m-%d}:{specific}"


def stamp(value: datetime) -> str:
    value = value if value.tzinfo else value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def absolute(html: str, base_url: str) -> str:
    """Links and images of this site made absolute, for feed readers that ignore xml:base."""
    return SITE_LINK.sub(lambda m: m.group(1) + base_url.rstrip("/") + "/", html)


def document(feed_id: str, title: str, self_url: str, page_url: str, author: str, updated: datetime,
             entries: list[Entry], subtitle: str = "") -> bytes:
    ElementTree.register_namespace("", NS)

    def sub(parent, tag: str, text: str | None = None, **attributes):
        element = ElementTree.SubElement(parent, f"{{{NS}}}{tag}", attributes)
        if text is not None:
            element.text = text
        return element

    feed = ElementTree.Element(f"{{{NS}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": "fr"})
    sub(feed, "id", feed_id)
    sub(feed, "title", title)
    if subtitle:
        sub(feed, "subtitle", subtitle)
    sub(feed, "updated", stamp(max([e.updated for e in entries], default=updated)))
    sub(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    sub(feed, "link", rel="alternate", type="text/html", href=page_url)
    sub(sub(feed, "author"), "name", author)
    sub(feed, "generator", "Revital")
    for entry in entries:
        item = sub(feed, "entry")
        sub(item, "id", entry.id)
        sub(item, "title", entry.title, type="text")
        sub(item, "link", rel="alternate", type="text/html", href=entry.url)
        sub(item, "published", stamp(entry.published))
        sub(item, "updated", stamp(entry.updated))
        sub(sub(item, "author"), "name", entry.author)
        sub(item, "content", entry.html, type="html")
    return ElementTree.tostring(feed, encoding="utf-8", xml_declaration=True)
