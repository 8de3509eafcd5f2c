"""Sessions and throttles in Redis, shared by every worker."""

import uuid
from datetime import timedelta

import pytest

from revital.accounts.sessions import RedisSessions, RedisThrottle, Timeouts
from tests.conftest import PERSONAS, get, make_client, post

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def redis_client():
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis server on 127.0.0.1:6379")
    yield client
    client.close()


@pytest.fixture
def prefix(redis_client):
    value = f"revital-test-{uuid.uuid4().hex[:8]}:"
    yield value
    for key in redis_client.scan_iter(f"{value}*"):
        redis_client.delete(key)


def test_sessions_round_trip_and_expire(redis_client, prefix):
    store = RedisSessions(redis_client, Timeouts(idle=timedelta(minutes=5), absolute=timedelta(hours=1)), prefix)
    token = store.create(42)
    info = store.get(token)
    assert info.user_id == 42
    assert redis_client.ttl(f"{prefix}session:" + __import__("hashlib").sha256(token.encode()).hexdigest()) > 0
    other = store.create(42)
    store.delete_user(42, keep=token)
    assert store.get(token) is not None and store.get(other) is None
    store.delete(token)
    assert store.get(token) is None


def test_absolute_timeout_in_redis(redis_client, prefix):
    store = RedisSessions(redis_client, Timeouts(idle=timedelta(minutes=5), absolute=timedelta(seconds=0)), prefix)
    token = store.create(1)
    assert store.get(token) is None


def test_throttle_counts_atomically(redis_client, prefix):
    throttle = RedisThrottle(redis_client, prefix)
    window = timedelta(minutes=1)
    assert [throttle.hit("k", window) for _ in range(3)] == [1, 2, 3]
    assert throttle.count("k", window)[0] == 3
    throttle.clear("k")
    assert throttle.count("k", window) == (0, None)


def test_two_workers_share_sessions_through_redis(settings, db, redis_client):
    redis_client.flushdb()
    settings_redis = {"redis_url": REDIS_URL}
    with make_client(settings, **settings_redis) as first, make_client(settings, **settings_redis) as second:
        response = post(first, "/connexion", {"email": PERSONAS["admin"], "password": "demo-revital"})
        assert response.status_code == 303
        second.cookies.set("revital_session", first.cookies["revital_session"], domain="testserver.local")
        assert get(second, "/compte").status_code == 200
        post(second, "/deconnexion")
        assert get(first, "/compte").status_code == 303
    redis_client.flushdb()
