"""The territory home page, a commune page and the commune's back office."""

import re

from sqlalchemy import select

from revital.communes.models import Commune
from revital.process.models import PhaseTransition, Process
from tests.conftest import MAIN, OTHER, PERSONAS, get, post, sign_in_as, text_of


def without_emergence(db, slug=MAIN) -> None:
    """The commune's emergence has produced nothing yet: no axis, no idea (the demo has some), so
    that its gate to feasibility is unmet."""
    from revital.ideas.models import Axis, Idea

    with db.transaction() as session:
        commune_id = session.scalar(select(Commune.id).where(Commune.slug == slug))
        for model in (Idea, Axis):
            for row in session.scalars(select(model).where(model.commune_id == commune_id)):
                session.delete(row)


def test_home_shows_every_commune_with_its_phase(client):
    response = get(client, "/")
    text = text_of(response.text)
    assert "Pays des Sources (démonstration)" in text
    assert "Saint-Étienne-du-Valdonnez Phase 2 sur 5 : Émergence et définition du projet" in text
    assert "Mont Lozère et Goulet Phase 3 sur 5 : Faisabilité" in text
    assert "Grandrieu Phase 1 sur 5 : Diagnostic partagé" in text
    assert f'href="/communes/{MAIN}"' in response.text


def test_home_without_any_territory(settings, empty_db):
    from tests.conftest import make_client

    with make_client(settings) as client:
        text = text_of(get(client, "/").text)
    assert "Aucun territoire n’est encore configuré" in text
    assert "Démonstration" not in text


def test_demo_pages_say_the_content_is_fictional(client):
    sign_in_as(client, PERSONAS["admin"])
    for path in ("/", f"/communes/{MAIN}", f"/communes/{MAIN}/gestion", f"/communes/{MAIN}/gestion/groupe-local"):
        assert "tout le contenu de ce territoire (démarches, personnes, avis) est fictif" in text_of(get(client, path).text), path


def test_commune_page(client):
    response = get(client, f"/communes/{MAIN}")
    text = text_of(response.text)
    assert "<h1>Saint-Étienne-du-Valdonnez</h1>" in response.text
    assert "code INSEE 48147" in text
    assert "Phase en cours : Émergence et définition du projet" in text
    assert re.search(r'timeline-current" aria-current="step">\s*<span class="timeline-label">Émergence', response.text)
    assert "Ouverture en phase « Diagnostic partagé »" in text
    assert "Huit enjeux dégagés" in text
    assert "CAUE de la Lozère" in text
    assert 'class="folium-map"' in response.text
    assert "Gérer la démarche" not in text


def test_commune_page_shows_management_link_to_managers(client):
    sign_in_as(client, PERSONAS["admin"])
    assert "Gérer la démarche" in text_of(get(client, f"/communes/{MAIN}").text)
    assert "Gérer la démarche" not in text_of(get(client, f"/communes/{OTHER}").text)


def test_admin_page_shows_gate_conditions(client, db):
    without_emergence(db)
    sign_in_as(client, PERSONAS["admin"])
    text = text_of(get(client, f"/communes/{MAIN}/gestion").text)
    assert "Passer à « Faisabilité »" in text
    assert "Aucun axe stratégique n’est défini." in text
    assert "Passer outre ces conditions" in text
    assert "Revenir à « Diagnostic partagé »" in text


def test_facilitator_sees_the_back_office_but_cannot_move_phases(client):
    sign_in_as(client, PERSONAS["facilitator"])
    response = get(client, f"/communes/{MAIN}/gestion")
    text = text_of(response.text)
    assert "Seuls la commune et la coordination du territoire font changer la démarche de phase." in text
    assert 'action="/communes/saint-etienne-du-valdonnez/gestion/phase"' not in response.text


def current(db, slug=MAIN):
    with db.session() as session:
        return session.scalar(select(Process).join(Commune).where(Commune.slug == slug))


def test_advance_refused_when_gate_unmet(client, db):
    without_emergence(db)
    sign_in_as(client, PERSONAS["admin"])
    version = current(db).version
    response = post(client, f"/communes/{MAIN}/gestion/phase", {"direction": "next", "reason": "", "version": version})
    assert response.status_code == 422
    text = text_of(response.text)
    assert "Le passage à la phase « Faisabilité » n’est pas encore possible" in text
    assert current(db).phase == "emergence"


def test_override_needs_a_reason_and_keeps_what_was_typed(client, db):
    without_emergence(db)
    sign_in_as(client, PERSONAS["admin"])
    version = current(db).version
    response = post(client, f"/communes/{MAIN}/gestion/phase",
                    {"direction": "next", "override": "1", "reason": "court", "version": version})
    assert response.status_code == 422
    assert "Pour passer outre, expliquez" in text_of(response.text)
    assert ">court</textarea>" in response.text
    assert current(db).phase == "emergence"


def test_override_with_reason_moves_and_records_who_when_why(client, db):
    without_emergence(db)
    sign_in_as(client, PERSONAS["coordinator"])
    version = current(db).version
    reason = "Les axes ont été arrêtés en conseil municipal, la saisie suivra."
    response = post(client, f"/communes/{MAIN}/gestion/phase",
                    {"direction": "next", "override": "1", "reason": reason, "version": version})
    assert response.status_code == 303
    assert response.headers["location"] == f"/communes/{MAIN}/gestion?ok=phase"
    process = current(db)
    assert process.phase == "feasibility" and process.version == version + 1
    with db.session() as session:
        last = session.scalars(select(PhaseTransition).where(PhaseTransition.process_id == process.id)
                               .order_by(PhaseTransition.id.desc())).first()
    assert (last.from_phase, last.to_phase, last.kind, last.reason) == ("emergence", "feasibility", "override", reason)
    assert last.user_name == "Camille (coordination du Pays)"
    public = text_of(get(client, f"/communes/{MAIN}").text)
    assert "malgré des conditions non remplies" in public and reason in public


def test_back_needs_a_reason(client, db):
    sign_in_as(client, PERSONAS["admin"])
    response = post(client, f"/communes/{MAIN}/gestion/phase", {"direction": "back", "reason": "", "version": current(db).version})
    assert response.status_code == 422
    assert "pourquoi la démarche revient à la phase précédente" in text_of(response.text)


def test_first_phase_offers_no_way_back(client):
    sign_in_as(client, PERSONAS["coordinator"])
    text = text_of(get(client, f"/communes/{OTHER}/gestion").text)
    assert "Revenir à" not in text and "Passer à « Émergence et définition du projet »" in text


def test_description_too_long_is_refused_and_kept(client, db):
    sign_in_as(client, PERSONAS["admin"])
    long_text = "a" * 5001
    response = post(client, f"/communes/{MAIN}/gestion/description", {"description": long_text})
    assert response.status_code == 422
    assert "La présentation ne peut pas dépasser 5000 caractères (5001 actuellement)." in text_of(response.text)
    assert long_text in response.text
    with db.session() as session:
        assert session.scalar(select(Commune.description).where(Commune.slug == MAIN)) != long_text


def test_description_paragraphs(client):
    sign_in_as(client, PERSONAS["admin"])
    post(client, f"/communes/{MAIN}/gestion/description", {"description": "Premier.\r\n\r\nSecond."})
    html = get(client, f"/communes/{MAIN}").text
    assert "<p>Premier.</p><p>Second.</p>" in html


def test_error_pages_are_french_without_stack_traces(client):
    response = get(client, "/nulle-part")
    assert response.status_code == 404
    assert "Cette page n’existe pas ou n’existe plus." in text_of(response.text)
    response = client.put("/")
    assert response.status_code == 405
    assert "Cette adresse ne s’utilise pas ainsi." in text_of(response.text)
    assert "Traceback" not in response.text


def test_malformed_form_body_is_a_french_400(client):
    sign_in_as(client, PERSONAS["admin"])
    from tests.conftest import csrf_token

    response = client.post(f"/communes/{MAIN}/gestion/description", content=b"description=a&description=b",
                           headers={"content-type": "application/x-www-form-urlencoded", "x-csrftoken": csrf_token(client)},
                           follow_redirects=False)
    assert response.status_code in (303, 400)  # a repeated field is either taken or refused
    assert "Traceback" not in response.text


def test_an_unexpected_error_is_a_french_500_without_details(client, monkeypatch, caplog):
    from revital.process import services

    def broken(db, **options):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(services, "territories_with_communes", broken)
    response = get(client, "/")
    assert response.status_code == 500
    text = text_of(response.text)
    assert "Une erreur inattendue s’est produite." in text
    assert "secret internal detail" not in response.text and "Traceback" not in response.text
    assert "secret internal detail" in caplog.text  # but it is logged for the operators


def test_a_cached_page_carries_each_visitors_own_nonce_and_token(settings, db):
    """Anonymous pages come from a cache: the map's scripts must carry the nonce of the visitor's
    own Content-Security-Policy, and its forms the visitor's own CSRF token, not the first visitor's."""
    import re

    from tests.conftest import make_client

    seen = set()
    for _ in range(3):
        with make_client(settings) as client:
            response = get(client, f"/communes/{MAIN}")
            nonce = re.search(r"'nonce-([^']+)'", response.headers["content-security-policy"]).group(1)
            scripts = re.findall(r'<script[^>]* nonce="([^"]+)"', response.text)
            assert scripts and set(scripts) == {nonce}
            seen.add(nonce)
    assert len(seen) == 3
