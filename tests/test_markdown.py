"""Unit tests for revital.markdown: CommonMark and tables in, only the allow-list out."""

import pytest
from markupsafe import Markup

from revital.app import template_environment
from revital.markdown import plain, render, to_html
from tests.dom import parse

ALLOWED = {"h2", "h3", "h4", "p", "br", "hr", "ul", "ol", "li", "strong", "em", "a", "blockquote",
           "code", "pre", "table", "thead", "tbody", "tr", "th", "td", "img"}


def elements(html: str):
    return [e for e in parse(f"<div>{html}</div>").iter() if e.tag not in ("div", "#document")]


def test_it_renders_commonmark_and_tables():
    html = to_html("## Le marché\n\nUn **vrai** marché, *le jeudi*.\n\n- pain\n- fromage\n\n"
                   "| jour | heure |\n|---|---|\n| jeudi | 8 h |\n\n> Une citation\n\n`code`")
    tags = [e.tag for e in elements(html)]
    for tag in ("h3", "p", "strong", "em", "ul", "li", "table", "th", "td", "blockquote", "code"):
        assert tag in tags


def test_headings_go_down_one_level_and_stop_at_h4():
    tags = [e.tag for e in elements(to_html("# Un\n\n## Deux\n\n### Trois\n\n###### Six"))]
    assert tags == ["h2", "h3", "h4", "h4"]


def test_french_text_is_kept():
    text = "L’église Saint-Étienne : « ouverte » le 1er mai… Œuvre, cœur, garçon ; 12 000 €"
    assert parse(to_html(text)).find("p").text() == text
    assert plain(text) == text


@pytest.mark.parametrize("payload", [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<a href=\"#\" onclick=\"alert(1)\">clic</a>",
    "<div onmouseover=\"alert(1)\">survol</div>",
    "<iframe src=\"https://evil.example\"></iframe>",
    "<style>body{display:none}</style>",
    "<svg onload=alert(1)>",
    "<!-- <script>alert(1)</script> -->",
    "<p style=\"background:url(javascript:alert(1))\">x</p>",
])
def test_raw_html_never_becomes_markup(payload):
    html = to_html(payload)
    assert {e.tag for e in elements(html)} <= {"p"}
    assert all(not e.attrs for e in elements(html))


@pytest.mark.parametrize("link", [
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", "java&#115;cript:alert(1)", "java%73cript:alert(1)",
    "  javascript:alert(1)", "vbscript:msgbox(1)", "data:text/html;base64,PHNjcmlwdD4=",
    "//evil.example/", "\\\\evil.example", "file:///etc/passwd",
])
def test_dangerous_links_lose_their_address(link):
    for html in (to_html(f"[clic]({link})"), to_html(f"[clic][r]\n\n[r]: {link}"), to_html(f"<{link}>")):
        for element in elements(html):
            href = element.get("href")
            assert href is None or href.startswith(("https:", "http:", "mailto:", "/")) and not href.startswith("//")


def test_safe_links_are_kept_with_rel():
    html = to_html("[site](https://www.lozere.fr) [mail](mailto:mairie@exemple.fr) [page](/communes/a/journal)")
    links = parse(f"<div>{html}</div>").find_all("a")
    assert [a.get("href") for a in links] == ["https://www.lozere.fr", "mailto:mairie@exemple.fr", "/communes/a/journal"]
    assert {a.get("rel") for a in links} == {"nofollow noopener"}


@pytest.mark.parametrize("source", [
    "https://evil.example/pixel.png", "http://evil.example/p.png", "//evil.example/p.png",
    "data:image/png;base64,iVBORw0KGgo=", "data:image/svg+xml,<svg onload=alert(1)>",
    "javascript:alert(1)", "x.png",
])
def test_images_only_from_this_site(source):
    html = to_html(f"![photo]({source}) texte")
    assert parse(f"<div>{html}</div>").find("img") is None


def test_an_image_of_this_site_is_kept():
    img = parse(to_html("![La place](/communes/a/journal/images/abc.jpg)")).find("img")
    assert (img.get("src"), img.get("alt")) == ("/communes/a/journal/images/abc.jpg", "La place")


def test_nested_tricks():
    html = to_html('[<img src=x onerror=alert(1)>](javascript:alert(1)) '
                   '![x" onerror="alert(1)](/a.jpg) [a](/ok "t\\" onclick=\\"alert(1)")')
    for element in elements(html):
        assert element.tag in ALLOWED
        assert not [name for name in element.attrs if name.startswith("on")]


def test_the_filter_gives_markup_and_jinja_does_not_escape_it_twice():
    assert isinstance(render("**x**"), Markup)
    env = template_environment()
    out = env.from_string("{{ text | markdown }}").render(text="**a & b** <b>")
    assert out == "<p><strong>a &amp; b</strong> &lt;b&gt;</p>\n"
    assert env.from_string("{{ text | markdown }}").render(text=None) == ""


def test_excerpt_is_plain_text_cut_at_a_word():
    text = "## Titre\n\n" + "Le bourg se réveille " * 30
    short = plain(text, 60)
    assert short.endswith("…") and len(short) <= 61 and "#" not in short
    assert plain("**gras** et <b>balise</b>") == "gras et <b>balise</b>"
