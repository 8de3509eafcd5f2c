"""Versions and caches: what names a kept page or feed, when it changes, and what a hit costs."""

import gzip
import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import event, select, text

from revital import caching
from revital.communes.models import Commune, Territory
from revital.localgroups.models import LocalGroup, Member
from tests.conftest import MAIN, PERSONAS, get, post, sign_in_as, text_of


def versions(db, slug=MAIN) -> tuple[int, int]:
    with db.session() as session:
        commune = session.scalar(select(Commune).where(Commune.slug == slug))
        return commune.version, session.get(Territory, commune.territory_id).version


class TestCache:
    def test_it_keeps_the_most_recent(self):
        cache = caching.Cache(size=2)
        cache.put("a", 1)
        cache.put("b", 2)
        assert cache.get("a") == 1  # a is now the most recent
        cache.put("c", 3)
        assert (cache.get("a"), cache.get("b"), cache.get("c")) == (1, None, 3)

    def test_entries_expire(self, monkeypatch):
        now = [100.0]
        monkeypatch.setattr(caching.time, "monotonic", lambda: now[0])
        cache = caching.Cache(ttl=1.0)
        cache.put("a", 1)
        assert cache.get("a") == 1
        now[0] += 1.01
        assert cache.get("a") is None

    def test_it_builds_once(self):
        built = []
        cache = caching.Cache()
        for _ in range(3):
            assert cache.get_or_build("k", lambda: built.append(1) or "v") == "v"
        assert built == [1]


def test_a_body_is_gzipped_once_when_worth_it():
    small = caching.Body.build(b"{}", "v1", "application/json")
    large = caching.Body.build(b'{"a":1}' * 1000, "v2", "application/json")
    assert small.gzipped is None and small.etag == '"v1"'
    assert gzip.decompress(large.gzipped) == large.raw and len(large.gzipped) < len(large.raw) / 10


def test_changes_that_pages_show_bump_the_commune_and_its_territory(client, db):
    before = versions(db)
    sign_in_as(client, PERSONAS["facilitator"])
    assert post(client, f"/communes/{MAIN}/gestion/groupe-local/membres",
                {"name": "Nouvelle Personne", "kind": "resident"}).status_code == 303
    after = versions(db)
    assert after[0] == before[0] + 1 and after[1] > before[1]


def test_a_contribution_waiting_for_moderation_and_a_support_bump_nothing(client, db):
    from tests.test_contributions import form, send

    before = versions(db)
    assert send(client, form(db, title="En attente")).status_code == 303
    assert versions(db) == before
    with db.session() as session:
        cid = session.scalar(text("SELECT id FROM contributions WHERE status = 'published' LIMIT 1"))
    assert post(client, f"/communes/{MAIN}/contributions/{cid}/soutenir").status_code == 303
    assert versions(db) == before


def test_publishing_bumps_the_version_and_keeps_the_count(client, db):
    from tests.test_contribution_views import one

    with db.session() as session:
        published = session.scalar(select(Commune.published_contributions).where(Commune.slug == MAIN))
    before = versions(db)
    sign_in_as(client, PERSONAS["facilitator"])
    pending = one(db, "Un marché de producteurs le samedi")
    assert post(client, f"/communes/{MAIN}/gestion/moderation/{pending.id}/publish", {"statut": "pending"}).status_code == 303
    assert versions(db)[0] == before[0] + 1
    with db.session() as session:
        assert session.scalar(select(Commune.published_contributions).where(Commune.slug == MAIN)) == published + 1


class QueryCounter:
    def __init__(self, engine):
        self.count = 0
        self.engine = engine

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self.counted)
        return self

    def counted(self, *args):
        self.count += 1

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self.counted)


@pytest.mark.parametrize("url", ["/", f"/communes/{MAIN}", f"/communes/{MAIN}/contributions",
                                 f"/communes/{MAIN}/contributions?kind=idea"])
def test_an_anonymous_page_seen_a_moment_ago_costs_no_query(client, url):
    first = get(client, url)
    assert first.status_code == 200
    with QueryCounter(client.app.state.db.engine) as queries:
        again = get(client, url)
    assert again.status_code == 200 and queries.count == 0
    assert text_of(again.text) == text_of(first.text)


def test_a_change_made_here_shows_at_once(client, db):
    assert "Nouvelle présentation" not in get(client, f"/communes/{MAIN}").text
    admin = client
    sign_in_as(admin, PERSONAS["admin"])
    assert post(admin, f"/communes/{MAIN}/gestion/description", {"description": "Nouvelle présentation"}).status_code == 303
    admin.cookies.delete("revital_session")
    assert "Nouvelle présentation" in get(client, f"/communes/{MAIN}").text


def test_a_change_made_by_another_process_shows_within_a_second(client, db, monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(caching.time, "monotonic", lambda: now[0])
    assert "Écrit ailleurs" not in get(client, f"/communes/{MAIN}").text
    with db.write_engine.begin() as connection:  # another process: no listener of this one sees it
        connection.execute(text("UPDATE communes SET description = 'Écrit ailleurs', version = version + 1 "
                                "WHERE slug = :slug"), {"slug": MAIN})
    assert "Écrit ailleurs" not in get(client, f"/communes/{MAIN}").text
    now[0] += 2.1  # the page kept by name, then the version read, are both a second old at most
    assert "Écrit ailleurs" in get(client, f"/communes/{MAIN}").text


def test_signed_in_people_get_fresh_pages(client, db):
    get(client, f"/communes/{MAIN}")
    sign_in_as(client, PERSONAS["admin"])
    page = get(client, f"/communes/{MAIN}").text
    assert "Gérer la démarche" in page  # never the anonymous page


def test_feeds_are_gzipped_varied_and_answer_304_without_a_query(client):
    url = f"/api/communes/{MAIN}/contributions.geojson?details=1"
    response = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200 and response.headers["vary"] == "Accept-Encoding"
    assert response.headers.get("content-encoding") == "gzip"
    assert json.loads(response.content)["type"] == "FeatureCollection"  # httpx decoded it
    with QueryCounter(client.app.state.db.engine) as queries:
        again = client.get(url, headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304 and queries.count == 0
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.content == response.content


def test_a_member_change_does_not_rebuild_the_map_feed(client, db):
    url = f"/api/communes/{MAIN}/contributions.geojson"
    etag = get(client, url).headers["etag"]
    with db.transaction() as session:
        group = session.scalar(select(LocalGroup).join(Commune).where(Commune.slug == MAIN))
        group.members.append(Member(name="Encore quelqu’un", kind="resident"))
    assert get(client, url, headers={"If-None-Match": etag}).status_code == 304


def test_the_kept_contribution_form_gives_each_visitor_a_token_of_their_own(settings, db):
    import re

    from revital.contributions import rules
    from tests.conftest import make_client

    tokens = []
    for _ in range(3):
        with make_client(settings) as visitor:
            page = get(visitor, f"/communes/{MAIN}/contribuer").text
            tokens.append(re.search(r'name="token" value="([^"]+)"', page).group(1))
    assert len(set(tokens)) == 3
    assert all(rules.check_form_token(token, settings.secret_key) == "ok" for token in tokens)



def test_a_time_bucket_names_the_hour_and_changes_on_the_hour():
    at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    assert caching.time_bucket(caching.HOUR, at) == caching.time_bucket(caching.HOUR, at.replace(minute=59, second=59))
    assert caching.time_bucket(caching.HOUR, at) != caching.time_bucket(caching.HOUR, at.replace(hour=10))
    assert caching.time_bucket(caching.HOUR, at) != caching.time_bucket(caching.HOUR, at.replace(hour=8, minute=59))
    assert int(caching.time_bucket(60, at)) == 60 * int(caching.time_bucket(caching.HOUR, at))  # slices from the epoch
    assert caching.time_bucket(caching.HOUR).isdigit()  # now, by default


def test_a_bucketed_name_gets_the_slice_as_one_more_part():
    at = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    hour = caching.time_bucket(caching.HOUR, at)
    assert caching.bucketed(("ateliers", "mende"), caching.HOUR, at) == ("ateliers", "mende", hour)
    assert caching.bucketed("carte", caching.HOUR, at) == ("carte", hour)
    assert caching.bucketed(None, caching.HOUR, at) is None  # no name: nothing is kept, whatever the hour
    assert caching.bucketed(("ateliers", "mende"), None, at) == ("ateliers", "mende")
