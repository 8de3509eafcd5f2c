"""The lineage's links in the database (revital.lineage.services): idempotent under the unique
constraint, removed one by one or all at once, read both ways in one query each."""

from sqlalchemy import event, func, select

from revital.communes.models import Commune
from revital.lineage import services as lineage
from revital.lineage.models import Link
from tests.conftest import MAIN


def count(session) -> int:
    return session.scalar(select(func.count()).select_from(Link))


def test_linking_twice_makes_one_link_and_both_ways_read_in_one_query(db):
    with db.transaction() as session:
        commune = session.scalar(select(Commune.id).where(Commune.slug == MAIN))
        before = count(session)
        assert lineage.link(session, commune, "stake", 900001, "contribution", 11) is True
        assert lineage.link(session, commune, "stake", 900001, "contribution", 11) is False
        assert lineage.link(session, commune, "stake", 900001, "workshop", 3) is True
        assert lineage.link(session, commune, "stake", 900002, "contribution", 11) is True
        assert lineage.link(session, commune, "idea", 900003, "stake", 900001) is True
        assert count(session) == before + 4
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(session.get_bind(), "before_cursor_execute", listener)
        try:
            found = lineage.sources_of(session, "stake", [900001, 900002, 900009])
            became = lineage.targets_of(session, "contribution", [11, 12])
        finally:
            event.remove(session.get_bind(), "before_cursor_execute", listener)
        assert len(statements) == 2
        assert found == {900001: {"contribution": [11], "workshop": [3]}, 900002: {"contribution": [11]}}
        assert became == {11: {"stake": [900001, 900002]}}
        assert lineage.targets_of(session, "stake", [900001]) == {900001: {"idea": [900003]}}
        assert lineage.sources_of(session, "stake", []) == {}


def test_unlinking_and_forgetting(db):
    with db.transaction() as session:
        commune = session.scalar(select(Commune.id).where(Commune.slug == MAIN))
        lineage.link(session, commune, "stake", 900001, "contribution", 11)
        lineage.link(session, commune, "stake", 900001, "contribution", 12)
        lineage.link(session, commune, "idea", 900003, "stake", 900001)
        assert lineage.unlink(session, "stake", 900001, "contribution", 11) is True
        assert lineage.unlink(session, "stake", 900001, "contribution", 11) is False
        assert lineage.sources_of(session, "stake", [900001]) == {900001: {"contribution": [12]}}
        lineage.forget(session, "stake", 900001)  # its sources, and what it became
        assert lineage.sources_of(session, "stake", [900001]) == {}
        assert lineage.sources_of(session, "idea", [900003]) == {}


def test_an_unknown_kind_is_a_programming_error(db):
    import pytest

    with db.transaction() as session:
        with pytest.raises(ValueError):
            lineage.link(session, 1, "stake", 1, "nonsense", 1)
