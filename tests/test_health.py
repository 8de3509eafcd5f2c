from tests.conftest import get, make_client


def test_health_answers_200_with_the_database(client):
    response = get(client, "/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_health_answers_503_without_the_database(settings, tmp_path):
    with make_client(settings, database_url=f"sqlite:///{tmp_path}/absent/dir/revital.sqlite3") as client:
        response = get(client, "/health")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


def test_health_answers_503_when_postgresql_is_down(settings):
    with make_client(settings, database_url="postgresql+psycopg://postgres@127.0.0.1:1/absent?connect_timeout=1") as client:
        response = get(client, "/health")
    assert response.status_code == 503
