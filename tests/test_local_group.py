"""Managing the local group, with and without htmx."""

from sqlalchemy import select

from revital.localgroups.models import Member
from tests.conftest import MAIN, PERSONAS, get, post, sign_in_as, text_of

URL = f"/communes/{MAIN}/gestion/groupe-local"
HTMX = {"HX-Request": "true", "HX-Target": "membres"}


def test_page_lists_members_with_private_details(client):
    sign_in_as(client, PERSONAS["facilitator"])
    text = text_of(get(client, URL).text)
    assert "Membres (6)" in text
    assert "Claire Martin" in text and "Adjointe à l’urbanisme" in text


def test_public_page_shows_counts_not_names(client):
    text = text_of(get(client, f"/communes/{MAIN}").text)
    assert "Groupe local de Saint-Étienne-du-Valdonnez" in text
    assert "3 × habitant·e" in text
    assert "Claire Martin" not in text


def test_add_member_without_javascript(client, db):
    sign_in_as(client, PERSONAS["facilitator"])
    response = post(client, f"{URL}/membres", {"name": "  Agathe Roux ", "kind": "elected",
                                               "function": "Conseillère", "email": "Agathe@Exemple.fr"})
    assert response.status_code == 303
    assert response.headers["location"] == f"{URL}?ok=membre-ajoute"
    assert "Le membre a été ajouté au groupe local." in text_of(get(client, response.headers["location"]).text)
    with db.session() as session:
        member = session.scalar(select(Member).where(Member.name == "Agathe Roux"))
        assert (member.kind, member.function, member.email) == ("elected", "Conseillère", "agathe@exemple.fr")


def test_add_member_with_htmx_returns_the_fragment(client):
    sign_in_as(client, PERSONAS["facilitator"])
    response = post(client, f"{URL}/membres", {"name": "Agathe Roux", "kind": "resident"}, headers=HTMX)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="membres"')
    assert "<html" not in response.text
    assert "Agathe Roux" in response.text and "Membres (7)" in text_of(response.text)
    assert "Le membre a été ajouté au groupe local." in text_of(response.text)


def test_invalid_member_keeps_values_and_names_each_error(client, db):
    sign_in_as(client, PERSONAS["facilitator"])
    response = post(client, f"{URL}/membres", {"name": "", "kind": "roi", "function": "Trésorier du comité", "email": "pas-une-adresse"})
    assert response.status_code == 422
    text = text_of(response.text)
    assert "Indiquez le nom du membre." in text
    assert "Choisissez la qualité du membre dans la liste." in text
    assert "Cette adresse e-mail n’est pas valide" in text
    assert 'value="Trésorier du comité"' in response.text and 'value="pas-une-adresse"' in response.text
    with db.session() as session:
        assert session.scalar(select(Member).where(Member.function == "Trésorier du comité")) is None


def test_invalid_member_with_htmx_swaps_the_fragment_with_422(client):
    sign_in_as(client, PERSONAS["facilitator"])
    response = post(client, f"{URL}/membres", {"name": "", "kind": "resident"}, headers=HTMX)
    assert response.status_code == 422
    assert response.text.lstrip().startswith('<div id="membres"')
    assert "Indiquez le nom du membre." in text_of(response.text)


def test_remove_member_with_htmx(client, db):
    sign_in_as(client, PERSONAS["admin"])
    with db.session() as session:
        member_id = session.scalar(select(Member.id).where(Member.name == "Marc Vidal"))
    response = post(client, f"{URL}/membres/{member_id}/retirer", headers=HTMX)
    assert response.status_code == 200
    assert "Marc Vidal" not in response.text and "Le membre a été retiré du groupe local." in text_of(response.text)


def test_cannot_remove_a_member_of_another_commune(client, db):
    sign_in_as(client, PERSONAS["admin"])
    with db.session() as session:
        member_id = session.scalar(select(Member.id).where(Member.name == "Robert Teissier"))  # Grandrieu
    response = post(client, f"{URL}/membres/{member_id}/retirer")
    assert response.status_code == 404
    assert "Ce membre ne fait pas partie du groupe local." in text_of(response.text)
    with db.session() as session:
        assert session.get(Member, member_id) is not None


def test_unknown_member_is_404(client):
    sign_in_as(client, PERSONAS["admin"])
    assert post(client, f"{URL}/membres/999999/retirer").status_code == 404
