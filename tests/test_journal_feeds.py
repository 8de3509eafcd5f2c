"""The Atom feeds of the journal, per commune and per territory, read as XML."""

from datetime import UTC, datetime
from xml.etree import ElementTree

from sqlalchemy import select

from revital.communes.models import Commune, Territory
from revital.demo import DEMO_SLUG
from revital.journal import atom
from revital.journal.models import JournalPost
from tests.conftest import BASE_URL, MAIN, OTHER, get
from tests.test_journal_manage import add_post

A = "{http://www.w3.org/2005/Atom}"
COMMUNE_FEED = f"/communes/{MAIN}/journal.atom"
TERRITORY_FEED = f"/territoires/{DEMO_SLUG}/journal.atom"


def read(response) -> ElementTree.Element:
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    return ElementTree.fromstring(response.content)


def check_atom(feed: ElementTree.Element) -> None:
    """The elements RFC 4287 requires of a feed and of each entry (an author on the feed covers its
    entries, but each entry here names its commune)."""
    assert feed.tag == f"{A}feed"
    for name in ("id", "title", "updated"):
        assert len(feed.findall(f"{A}{name}")) == 1, name
    assert feed.find(f"{A}author/{A}name").text
    assert feed.find(f"{A}id").text.startswith("tag:testserver.local,")
    assert feed.find(f"{A}link[@rel='self']").get("href").startswith(BASE_URL)
    for entry in feed.findall(f"{A}entry"):
        for name in ("id", "title", "updated", "published", "content"):
            assert len(entry.findall(f"{A}{name}")) == 1, name
        assert entry.find(f"{A}id").text.startswith("tag:testserver.local,")
        assert entry.find(f"{A}link[@rel='alternate']").get("href").startswith(f"{BASE_URL}/communes/")
        assert entry.find(f"{A}content").get("type") == "html"
        assert entry.find(f"{A}author/{A}name").text
        datetime.strptime(entry.find(f"{A}updated").text, "%Y-%m-%dT%H:%M:%SZ")


def entries(feed) -> dict[str, ElementTree.Element]:
    return {e.find(f"{A}title").text: e for e in feed.findall(f"{A}entry")}


def test_it_works(client, db):
    add_post(db, title="Le marché revient", body="Tous les **jeudis**, ![étal](/communes/x/journal/images/a.jpg)")
    add_post(db, title="Brouillon caché", status="draft")
    feed = read(get(client, COMMUNE_FEED))
    check_atom(feed)
    assert feed.find(f"{A}title").text == "Journal de bord de Saint-Étienne-du-Valdonnez"
    found = entries(feed)
    assert "Brouillon caché" not in found
    entry = found["Le marché revient"]
    assert entry.find(f"{A}author/{A}name").text == "Saint-Étienne-du-Valdonnez"
    html = entry.find(f"{A}content").text
    assert "<strong>jeudis</strong>" in html
    assert f'src="{BASE_URL}/communes/x/journal/images/a.jpg"' in html
    assert "La commune entre en phase « Émergence et définition du projet »" in found


def test_content_is_sanitised_and_titles_are_text(client, db):
    add_post(db, title="<b>Gras</b> & <script>x</script>", body="<script>alert(1)</script>\n\n[x](javascript:alert(1)) <img src=x onerror=alert(1)>")
    feed = read(get(client, COMMUNE_FEED))
    entry = entries(feed)["<b>Gras</b> & <script>x</script>"]
    assert entry.find(f"{A}title").get("type") == "text"
    html = entry.find(f"{A}content").text
    content = ElementTree.fromstring(f"<div>{html}</div>")
    assert {e.tag for e in content.iter()} == {"div", "p"}
    assert all(not e.attrib for e in content.iter())


def test_it_answers_from_its_version(client, db):
    first = get(client, COMMUNE_FEED)
    etag = first.headers["etag"]
    assert get(client, COMMUNE_FEED, headers={"If-None-Match": etag}).status_code == 304
    zipped = client.get(COMMUNE_FEED, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"  # the client decompresses it
    assert ElementTree.fromstring(zipped.content).tag == f"{A}feed"
    add_post(db, title="Du nouveau")
    changed = get(client, COMMUNE_FEED, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert "Du nouveau" in entries(read(changed))


def test_the_territory_feed_gathers_its_engaged_communes(client, db):
    add_post(db, title="À Saint-Étienne")
    add_post(db, title="À Grandrieu", slug=OTHER)
    with db.transaction() as session:
        territory = session.scalar(select(Territory).where(Territory.slug == DEMO_SLUG))
        lone = Commune(territory_id=territory.id, insee="48999", name="Commune non engagée", slug="non-engagee")
        session.add(lone)
        session.flush()
        session.add(JournalPost(commune_id=lone.id, title="Pas dans le fil", status="published",
                                published_at=datetime(2026, 1, 1, tzinfo=UTC)))
    feed = read(get(client, TERRITORY_FEED))
    check_atom(feed)
    found = entries(feed)
    assert found["À Grandrieu"].find(f"{A}author/{A}name").text == "Grandrieu"
    assert found["À Saint-Étienne"].find(f"{A}author/{A}name").text == "Saint-Étienne-du-Valdonnez"
    assert "Pas dans le fil" not in found
    assert get(client, "/territoires/nulle-part/journal.atom").status_code == 404
    assert get(client, "/communes/nulle-part/journal.atom").status_code == 404


def test_the_atom_writer_escapes_and_stamps_in_utc():
    entry = atom.Entry(id="tag:x,2026-01-01:journal/1", title="a < b & c", url="https://x/1",
                       published=datetime(2026, 5, 1, 10, 0), updated=datetime(2026, 5, 2, 10, 0),
                       author="Commune", html="<p>x</p>")
    body = atom.document("tag:x,2026-01-01:feed", "Titre", "https://x/feed", "https://x/", "Commune",
                         datetime(2026, 1, 1), [entry])
    feed = ElementTree.fromstring(body)
    assert feed.find(f"{A}entry/{A}title").text == "a < b & c"
    assert feed.find(f"{A}updated").text == "2026-05-02T10:00:00Z"
    assert atom.absolute('<a href="/x">a</a><a href="//evil/x">b</a><img src="/i.jpg">', "https://site.fr/") == \
        '<a href="https://site.fr/x">a</a><a href="//evil/x">b</a><img src="https://site.fr/i.jpg">'
