"""French as a French commune would publish it: plurals, wording, one apostrophe, index order."""

import io
import re
import tokenize
from pathlib import Path

from sqlalchemy import select, update

from revital.communes.models import Commune, Territory
from revital.contributions.models import Contribution
from revital.text import french_order
from tests.conftest import MAIN, PERSONAS, get, sign_in_as
from tests.dom import parse
from tests.test_contribution_views import add

ROOT = Path(__file__).resolve().parent.parent
LIST = f"/communes/{MAIN}/contributions"
# A French elision written with a straight apostrophe: l'église, n'est, qu'un, aujourd'hui…
ELISION = re.compile(r"\b(?:[lLdDnNsScCjJmMtT]|[Qq]u|[Jj]usqu|[Ll]orsqu|[Pp]uisqu|[Aa]ujourd|[Pp]resqu|[Qq]uelqu)'"
                     r"(?=[aeiouyhàâäéèêëîïôöûüùœAEIOUYHÀÂÉÈÊËÎÏÔÛÙŒ{])")


def python_strings(path: Path):
    for token in tokenize.generate_tokens(io.StringIO(path.read_text()).readline):
        if token.type == tokenize.STRING:
            yield token.start[0], token.string


def test_one_apostrophe_everywhere_in_what_people_read():
    """Templates, messages, demo content and scripts use ’, never the typewriter apostrophe."""
    found = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        text = re.sub(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", "", path.read_text(), flags=re.S)
        found += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in ELISION.finditer(text)]
    for path in sorted((ROOT / "revital").rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for line, string in python_strings(path):
            if not string.startswith(('"""', "'''", 'r"""')):  # docstrings are English
                found += [f"{path.relative_to(ROOT)}:{line}: {m.group(0)}" for m in ELISION.finditer(string)]
    for path in sorted((ROOT / "geodata").glob("*.geojson")):
        found += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in ELISION.finditer(path.read_text())]
    for path in sorted((ROOT / "static" / "js").glob("*.js")):
        for number, text in enumerate(path.read_text().splitlines(), 1):
            if not text.lstrip().startswith(("*", "/*", "//")):
                found += [f"{path.relative_to(ROOT)}:{number}: {m.group(0)}" for m in ELISION.finditer(text)]
    assert found == []


def test_moderation_tabs_say_their_plural(client):
    sign_in_as(client, PERSONAS["facilitator"])
    tabs = [a.text() for a in parse(get(client, f"/communes/{MAIN}/gestion/moderation").text).find("nav", class_="subnav tabs").find_all("a")]
    assert [re.sub(r" \(\d+\)", "", t) for t in tabs] == ["En attente", "Publiées", "Masquées", "Refusées"]
    assert "Publiées (9)" in tabs


def test_nobody_supports_yet(client, db):
    cid = add(db, title="Sans soutien")
    support = parse(get(client, f"{LIST}/{cid}").text).find("div", id="soutien").text()
    assert "Personne ne soutient encore cette contribution." in support
    assert "0 personne" not in support


def test_an_empty_list_says_one_thing(client, db):
    page = parse(get(client, f"{LIST}?kind=asset&phase=feasibility").text).find("div", id="contribution-rows").text()
    assert page == "Aucune contribution publiée ne correspond à ces filtres."
    with db.transaction() as session:
        commune_id = session.scalar(select(Commune.id).where(Commune.slug == MAIN))
        session.execute(update(Contribution).where(Contribution.commune_id == commune_id).values(status="hidden"))
    page = parse(get(client, LIST).text).find("div", id="contribution-rows").text()
    assert page == "Aucune contribution publiée pour l’instant."


def test_the_thanks_of_a_rejected_contribution_does_not_promise_publication(client, db):
    with db.transaction() as session:
        c = session.scalar(select(Contribution).join(Commune).where(Commune.slug == MAIN, Contribution.status == "rejected"))
        if c is None:
            c = session.scalar(select(Contribution).join(Commune).where(Commune.slug == MAIN))
            c.status = "rejected"
        token = c.submission_token
    text = parse(get(client, f"/communes/{MAIN}/contribuer/merci/{token}").text).find("main").text()
    assert "sera publiée" not in text and "n’est pas publiée" in text


def test_commune_names_in_french_index_order(client, db):
    names = ["Albaret-Sainte-Marie", "Albaret-le-Comtal", "Écully", "Estables", "Eaux-Bonnes"]
    assert sorted(names, key=french_order) == ["Albaret-le-Comtal", "Albaret-Sainte-Marie", "Eaux-Bonnes", "Écully", "Estables"]
    with db.transaction() as session:
        territory = session.scalar(select(Territory).where(Territory.is_demo))
        for i, name in enumerate(names):
            session.add(Commune(territory_id=territory.id, insee=f"99{i:03d}", name=name, slug=f"test-{i}"))
        slug = territory.slug
    sign_in_as(client, PERSONAS["coordinator"])
    shown = parse(get(client, f"/territoires/{slug}/gestion/communes").text).text()
    positions = [shown.index(name) for name in ["Albaret-le-Comtal", "Albaret-Sainte-Marie", "Eaux-Bonnes", "Écully", "Estables"]]
    assert positions == sorted(positions)
