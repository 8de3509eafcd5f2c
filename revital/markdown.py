"""Markdown as people write it in Revital, turned into HTML that is safe to show anywhere.

One way for every text written in Markdown (journal posts now; calls, workshop agendas and
minutes, the diagnostic synthesis later): markdown-it-py parses CommonMark plus tables, with raw
HTML off (it comes out as text), then nh3 (ammonia) keeps only an explicit allow-list of tags
and attributes. Two independent layers: a trick that gets past the parser still meets the
sanitiser.

- Headings move one level down and stop at h4: the page's own title is the only h1, so a
  writer's "# Titre" is an h2 and "####" an h4.
- Links: http, https and mailto, or a path on this site; every link gets rel="nofollow noopener".
- Images: only from this site (a path such as /communes/…/journal/images/….jpg); any other
  source, data: URLs included, is dropped with the image.

Pure: imports neither Litestar nor SQLAlchemy.
"""

import html
import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

TAGS = {
    "h2", "h3", "h4", "p", "br", "hr", "ul", "ol", "li", "strong", "em", "a", "blockquote",
    "code", "pre", "table", "thead", "tbody", "tr", "th", "td", "img",
}
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
}
SCHEMES = {"http", "https", "mailto"}
REL = "nofollow noopener"
# An image left without a source by the sanitiser (nh3's output is regular: this is safe).
NO_SOURCE = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")

    def heading(renderer, tokens, idx, options, env):
        token = tokens[idx]
        token.tag = f"h{min(max(int(token.tag[1]) + 1, 2), 4)}"
        return renderer.renderToken(tokens, idx, options, env)

    md.add_render_rule("heading_open", heading)
    md.add_render_rule("heading_close", heading)
    return md


PARSER = _parser()


def site_path(value: str) -> bool:
    """A path on this site: "/…", never "//host" (another site) nor a backslash trick."""
    value = value.strip()
    return value.startswith("/") and not value.startswith("//") and "\\" not in value


def _keep(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src":
        return value if site_path(value) else None
    if tag == "a" and attribute == "href":
        scheme = value.split(":", 1)[0].lower() if ":" in value else ""
        if scheme in SCHEMES or site_path(value) or value.startswith("#"):
            return value
        return None
    return value


def sanitise(html: str) -> str:
    """HTML reduced to the allow-list (revital.markdown's docstring)."""
    cleaned = nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, url_schemes=SCHEMES, link_rel=REL,
                        attribute_filter=_keep, strip_comments=True)
    # An image that lost its source is nothing but an empty box: take it out.
    return NO_SOURCE.sub("", cleaned)


@lru_cache(maxsize=1024)
def to_html(text: str) -> str:
    """The safe HTML of a Markdown text (a str, for feeds)."""
    return sanitise(PARSER.render(text or ""))


def render(text: str | None) -> Markup:
    """The Jinja filter `markdown`: the safe HTML of a Markdown text, as Markup."""
    return Markup(to_html(text or ""))


def plain(text: str | None, limit: int = 280) -> str:
    """The text of a Markdown text without any markup, cut at a word near limit characters with
    an ellipsis (for excerpts). Escaped again by Jinja where it is shown."""
    words = " ".join(html.unescape(nh3.clean(to_html(text or ""), tags=set())).split())
    if len(words) <= limit:
        return words
    cut = words[:limit].rsplit(" ", 1)[0].rstrip(" ,;:.")
    return cut + "…"


FILTERS = {"markdown": render, "excerpt": plain}
