"""The public journal: the list by keyset, a post's page, drafts, escaping, the commune page's panel."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from revital.db import utcnow
from revital.journal.models import JournalPost
from tests.conftest import MAIN, OTHER, PERSONAS, get, post, sign_in_as, text_of
from tests.dom import parse
from tests.test_journal_manage import add_post, commune_id

JOURNAL = f"/communes/{MAIN}/journal"


def titles(html: str) -> list[str]:
    return [h.text() for h in parse(html).find_all("h2") if h.get("id", "").startswith("article-")]


def test_it_lists_published_posts_newest_first_with_the_automatic_entries(client, db):
    add_post(db, title="Un brouillon", status="draft")
    add_post(db, title="La balade urbaine du 12 mai")
    page = parse(get(client, JOURNAL).text)
    assert page.find("h1").text() == "Journal de bord de Saint-Étienne-du-Valdonnez"
    listed = titles(get(client, JOURNAL).text)
    assert listed[0] == "La balade urbaine du 12 mai" and "Un brouillon" not in listed
    assert "La commune entre en phase « Émergence et définition du projet »" in listed
    feed = page.find("link", rel="alternate")
    assert (feed.get("type"), feed.get("href")) == ("application/atom+xml", f"{JOURNAL}.atom")


def test_pages_go_by_keyset_and_meet_no_post_twice(client, db):
    ident = commune_id(db)
    start = utcnow() - timedelta(days=1)
    with db.transaction() as session:
        same = start  # posts published at the same second are ordered by id
        session.add_all([JournalPost(commune_id=ident, title=f"Article {n:02d}", body="", status="published",
                                     published_at=same if n % 2 else start + timedelta(minutes=n)) for n in range(25)])
    seen, url = [], JOURNAL
    while url:
        html = get(client, url).text
        seen += titles(html)
        older = parse(html).find("a", rel="next")
        url = older.get("href") if older else None
    assert len(seen) == len(set(seen))
    with db.session() as session:
        total = len(session.scalars(select(JournalPost.id).where(JournalPost.commune_id == ident,
                                                                 JournalPost.status == "published")).all())
    assert len(seen) == total
    assert get(client, f"{JOURNAL}?avant=abc").status_code == 200
    assert get(client, f"{JOURNAL}?avant=99999999999").status_code == 200


def test_a_post_has_its_page(client, db):
    post_id = add_post(db, title="Les étudiants arrivent", body="## Une semaine\n\nBienvenue **à tous**.")
    page = parse(get(client, f"{JOURNAL}/{post_id}").text)
    assert page.find("h1").text() == "Les étudiants arrivent"
    assert page.find("article").find("h3").text() == "Une semaine"  # "##" under the page's h1
    assert page.find("article").find("strong").text() == "à tous"
    assert page.find("p", class_="muted post-dates").text().startswith("Publié le")
    assert get(client, f"/communes/{OTHER}/journal/{post_id}").status_code == 404
    assert get(client, f"{JOURNAL}/123456").status_code == 404


@pytest.mark.parametrize("persona, status", [
    ("anonymous", 404), ("resident", 404), ("student", 404), ("partner", 404), ("other_admin", 404),
    ("coordinator", 404), ("facilitator", 200), ("admin", 200),
])
def test_drafts_are_seen_only_by_their_writers(as_persona, db, persona, status):
    post_id = add_post(db, title="Pas encore public", status="draft")
    client = as_persona(persona)
    response = get(client, f"{JOURNAL}/{post_id}")
    assert response.status_code == status
    if status == 200:
        assert "Brouillon : seuls la commune" in text_of(response.text)
    assert "Pas encore public" not in text_of(get(client, JOURNAL).text)


def test_titles_and_texts_are_escaped_and_sanitised(client, db):
    post_id = add_post(db, title="<script>alert('titre')</script> & « guillemets »",
                       body="<img src=x onerror=alert(1)> [lien](javascript:alert(2)) ![p](https://evil.example/p.png)")
    for url in (JOURNAL, f"{JOURNAL}/{post_id}", f"/communes/{MAIN}"):
        html = get(client, url).text
        assert "<script>alert(" not in html and "onerror" not in html.replace("onerror=alert(1)&gt;", "")
        assert "javascript:" not in [a.get("href", "") for a in parse(html).find_all("a")]
        assert "https://evil.example/p.png" not in [i.get("src") for i in parse(html).find_all("img")]
    assert parse(get(client, f"{JOURNAL}/{post_id}").text).find("h1").text() == "<script>alert('titre')</script> & « guillemets »"


def test_the_commune_page_shows_the_last_three_posts(client, db):
    ident = commune_id(db)
    with db.transaction() as session:
        session.add_all([JournalPost(commune_id=ident, title=f"Nouvelle {n}", body="", status="published",
                                     published_at=utcnow() + timedelta(minutes=n)) for n in range(4)])
    section = parse(get(client, f"/communes/{MAIN}").text).find("section", aria_labelledby="journal-recent")
    links = section.find_all("a")
    assert [a.text() for a in links] == ["Nouvelle 3", "Nouvelle 2", "Nouvelle 1", "Tout le journal de bord"]
    assert links[-1].get("href") == JOURNAL


def test_a_published_post_shows_at_once_to_anonymous_visitors(client, db):
    assert "Tout neuf" not in text_of(get(client, JOURNAL).text)
    assert "Tout neuf" not in text_of(get(client, f"/communes/{MAIN}").text)
    writer = PERSONAS["admin"]
    sign_in_as(client, writer)
    assert post(client, f"/communes/{MAIN}/gestion/journal/nouveau",
                {"title": "Tout neuf", "status": "published", "version": "0"}).status_code == 303
    client.cookies.delete("revital_session", domain="testserver.local")
    assert "Tout neuf" in text_of(get(client, JOURNAL).text)
    assert "Tout neuf" in text_of(get(client, f"/communes/{MAIN}").text)


def test_no_personal_data_in_public_pages(client, db):
    from revital.accounts.models import User

    sign_in_as(client, PERSONAS["facilitator"])
    post(client, f"/communes/{MAIN}/gestion/journal/nouveau", {"title": "Signé par la commune", "status": "published",
                                                               "version": "0"})
    client.cookies.delete("revital_session", domain="testserver.local")
    with db.session() as session:
        user = session.scalar(select(User).where(User.email == PERSONAS["facilitator"]))
        email, name = user.email, user.display_name
    for url in (JOURNAL, f"/communes/{MAIN}", f"{JOURNAL}.atom", "/territoires/pays-des-sources-demo/journal.atom"):
        body = get(client, url).text
        assert email not in body and name not in body
