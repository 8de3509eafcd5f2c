"""Calls for applications through HTTP: the public pages, a commune's application (draft, link,
documents, submission), and the coordinator's side (create, review, score, decide, publish)."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select

from revital.calls import rules
from revital.calls.models import Application, ApplicationDocument, Call
from revital.calls.services import today
from revital.communes.models import Commune
from revital.localgroups.models import LocalGroup
from revital.process.models import Process
from tests.conftest import PERSONAS, csrf_token, get, make_client, post, sign_in_as, text_of
from tests.dom import parse

TERRITORY = "pays-des-sources-demo"
PUBLIC = f"/territoires/{TERRITORY}/appels"
MANAGE = f"/territoires/{TERRITORY}/gestion/appels"
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def open_call_without_applications(db):
    """The demo's open call has one application (tests/test_call_demo.py): these tests start
    without it, so that the applications they make are the call's only ones."""
    from revital.accounts.models import User
    from revital.calls.demo import AGENT

    with db.transaction() as session:
        for application in session.scalars(select(Application).where(Application.agent_email == AGENT)):
            session.delete(application)
        session.execute(delete(User).where(User.email == AGENT))


def call_id(db, opened: bool = True) -> int:
    with db.session() as session:
        published = Call.results_published_at.is_(None) if opened else Call.results_published_at.is_not(None)
        return session.scalar(select(Call.id).where(published))


def new_commune(db, insee="48999", name="Les Laubies-Hautes") -> str:
    """A commune of the territory that has not applied (the demo's three were selected)."""
    with db.transaction() as session:
        territory_id = session.scalar(select(Commune.territory_id).where(Commune.insee == "48147"))
        session.add(Commune(territory_id=territory_id, insee=insee, name=name, slug=f"commune-{insee}"))
    return insee


def application_form(insee, **changes):
    data = {"insee": insee, "motivation": "Le dernier café a fermé.", "stakes": "Commerces vacants.",
            "referent_name": "Anne Vidal", "referent_role": "Maire", "referent_email": "maire@laubies.fr",
            "agent_name": "Paul Roux", "agent_role": "Secrétaire de mairie", "agent_email": "mairie@laubies.fr",
            "perimeter_choice": "later", "action": "submit"}
    data.update(changes)
    return data


def apply(client, db, insee, **changes):
    return post(client, f"{PUBLIC}/{call_id(db)}/candidater", application_form(insee, **changes))


def set_dates(db, cid, opens, closes):
    with db.transaction() as session:
        call = session.get(Call, cid)
        call.opens_on, call.closes_on = opens, closes


def close(db, cid):
    set_dates(db, cid, today() - timedelta(days=60), today() - timedelta(days=1))


# --- public pages ---------------------------------------------------------------------------

def test_the_calls_are_listed_for_everyone(client, db):
    page = parse(get(client, PUBLIC).text)
    titles = [a.text() for a in page.find_all("a") if a.get("href", "").startswith(PUBLIC + "/")]
    assert "Revitaliser nos centres-bourgs : deuxième vague" in titles
    assert "Revitaliser nos centres-bourgs : première vague" in titles


def test_an_open_call_says_what_is_asked_and_until_when(client, db):
    response = get(client, f"{PUBLIC}/{call_id(db)}")
    assert response.status_code == 200
    page = parse(response.text)
    assert page.find("h1").text() == "Revitaliser nos centres-bourgs : deuxième vague"
    text = text_of(response.text)
    assert "encore 75 jours" in text
    assert "Portage politique de la démarche" in text and "Délibération du conseil municipal" in text
    assert f"{PUBLIC}/{call_id(db)}/candidater" in page.hrefs()


def test_published_results_name_the_selected_communes_not_the_declined(client, db):
    text = text_of(get(client, f"{PUBLIC}/{call_id(db, opened=False)}").text)
    assert "3 communes retenues" in text
    assert "Saint-Étienne-du-Valdonnez" in text and "Grandrieu" in text
    assert "mairie-48147@exemple.invalid" not in text  # applicants' e-mails are never public


def test_an_unknown_call_is_404(client, db):
    assert get(client, f"{PUBLIC}/99999").status_code == 404
    assert get(client, "/territoires/atlantis/appels/1").status_code == 404


# --- applying -------------------------------------------------------------------------------

def test_a_draft_is_saved_and_taken_up_with_its_link(client, db):
    insee = new_commune(db)
    response = apply(client, db, insee, action="draft", motivation="", stakes="")
    assert response.status_code == 303
    link = response.headers["location"].split("?")[0]
    page = get(client, response.headers["location"])
    assert page.status_code == 200
    assert "Brouillon enregistré" in text_of(page.text)
    assert parse(page.text).find("code").text() == "https://testserver.local" + link
    assert parse(page.text).find("textarea", name="motivation").text() == ""
    response = post(client, link, application_form(insee))
    assert response.status_code == 303
    with db.session() as session:
        application = session.scalar(select(Application).join(Commune).where(Commune.insee == insee))
        assert application.status == rules.SUBMITTED and application.motivation == "Le dernier café a fermé."
        assert len(application.resume_hash) == 64 and link.rsplit("/", 1)[1] not in application.resume_hash


def test_submitting_with_missing_fields_keeps_what_was_typed(client, db):
    insee = new_commune(db)
    response = apply(client, db, insee, stakes="", referent_name="")
    assert response.status_code == 422
    page = parse(response.text)
    assert page.find("textarea", name="motivation").text() == "Le dernier café a fermé."
    summary = page.find(id="form-errors").text()
    assert "Décrivez les enjeux du centre-bourg" in summary and "Indiquez le nom de l’élu référent." in summary
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Application).join(Commune).where(Commune.insee == insee)) == 0


def test_a_second_application_of_the_same_commune_is_refused(client, db):
    insee = new_commune(db)
    assert apply(client, db, insee).status_code == 303
    response = apply(client, db, insee, motivation="Une autre")
    assert response.status_code == 422
    assert "Les Laubies-Hautes a déjà une candidature à cet appel" in text_of(response.text)


def test_ten_identical_applications_at_once_make_one(settings, db):
    insee = new_commune(db)
    cid = call_id(db)
    clients = [make_client(settings).__enter__() for _ in range(10)]
    for client in clients:
        csrf_token(client)
    statuses, errors = [], []

    def send(client):
        try:
            statuses.append(post(client, f"{PUBLIC}/{cid}/candidater", application_form(insee)).status_code)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(repr(error))

    threads = [threading.Thread(target=send, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for client in clients:
        client.__exit__(None, None, None)
    assert errors == []
    assert sorted(statuses) == [303] + [422] * 9
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Application).where(Application.call_id == cid)) == 1


def test_an_application_outside_the_dates_is_refused_and_nothing_written(client, db):
    insee = new_commune(db)
    cid = call_id(db)
    close(db, cid)
    assert get(client, f"{PUBLIC}/{cid}/candidater").status_code == 409
    response = apply(client, db, insee)
    assert response.status_code == 409
    assert "L’appel n’est pas ouvert" in text_of(response.text)
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Application).where(Application.call_id == cid)) == 0


def test_a_forged_link_is_404(client, db):
    assert get(client, f"{PUBLIC}/{call_id(db)}/candidature/not-a-token").status_code == 404


def link_of(client, db, insee):
    return apply(client, db, insee, action="draft").headers["location"].split("?")[0]


def attach(client, link, content, name="deliberation.pdf"):
    return client.post(f"{link}/pieces", data={"_csrf_token": csrf_token(client)},
                       files={"document": (name, content, "application/pdf")}, follow_redirects=False)


def test_a_pdf_is_attached_and_downloaded_with_the_link(client, db):
    link = link_of(client, db, new_commune(db))
    assert attach(client, link, PDF, "Délibération 2027.pdf").status_code == 303
    page = parse(get(client, link).text)
    href = next(h for h in page.hrefs() if "/pieces/" in h)
    response = get(client, href)
    assert response.status_code == 200
    assert response.content == PDF
    assert response.headers["content-type"] == "application/pdf"
    assert "filename*=UTF-8''D%C3%A9lib%C3%A9ration%202027.pdf" in response.headers["content-disposition"]


@pytest.mark.parametrize(("content", "name", "message"), [
    (b"GIF89a fake", "deliberation.pdf", "« deliberation.pdf » n’est pas un PDF"),
    (b"", "vide.pdf", "Le fichier est vide."),
    (b"%PDF-" + b"0" * (20 * 1024 * 1024), "gros.pdf", "« gros.pdf » dépasse 20 Mo"),
])
def test_what_is_not_a_pdf_is_refused(client, db, content, name, message):
    link = link_of(client, db, new_commune(db))
    response = attach(client, link, content, name)
    assert response.status_code == 422
    assert message in text_of(response.text)
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(ApplicationDocument)) == 0


def test_a_document_is_removed(client, db):
    link = link_of(client, db, new_commune(db))
    attach(client, link, PDF)
    with db.session() as session:
        document_id = session.scalar(select(ApplicationDocument.id))
    assert post(client, f"{link}/pieces/{document_id}/retirer").status_code == 303
    assert post(client, f"{link}/pieces/{document_id}/retirer").status_code == 404


# --- the coordinator's side -----------------------------------------------------------------

@pytest.mark.parametrize(("persona", "status"), [
    ("anonymous", 303), ("resident", 403), ("facilitator", 403), ("partner", 403), ("student", 403),
    ("admin", 403), ("other_admin", 403), ("coordinator", 200),
])
def test_only_the_coordinator_manages_calls(as_persona, db, persona, status):
    client = as_persona(persona)
    assert get(client, MANAGE).status_code == status
    assert get(client, f"{MANAGE}/{call_id(db)}/candidatures").status_code == status


def test_the_coordinator_creates_a_call(client, db):
    sign_in_as(client, PERSONAS["coordinator"])
    data = {"title": "Appel 2028", "text": "Texte <script>alert(1)</script>", "criteria": "Portage\nEnjeux",
            "documents": "", "opens_on": "2028-01-15", "closes_on": "2028-01-14"}
    response = post(client, f"{MANAGE}/nouveau", data)
    assert response.status_code == 422
    assert "La date de clôture doit suivre la date d’ouverture." in text_of(response.text)
    response = post(client, f"{MANAGE}/nouveau", {**data, "closes_on": "31/03/2028"})
    assert response.status_code == 303
    public = get(client, PUBLIC + "/" + response.headers["location"].split("/")[-1].split("?")[0])
    assert "<script>alert(1)</script>" not in public.text and "&lt;script&gt;" in public.text
    assert "L’appel ouvrira le 15 janvier 2028" in text_of(public.text)


def test_anonymous_visitors_see_a_new_call_at_once(client, db):
    before = get(client, PUBLIC).text  # kept rendered for anonymous visitors
    assert "Appel de printemps" not in before
    sign_in_as(client, PERSONAS["coordinator"])
    data = {"title": "Appel de printemps", "text": "Texte.", "criteria": "Portage", "documents": "",
            "opens_on": "2028-01-15", "closes_on": "2028-03-31"}
    assert post(client, f"{MANAGE}/nouveau", data).status_code == 303
    client.cookies.delete("revital_session", domain="testserver.local")
    assert "Appel de printemps" in get(client, PUBLIC).text


def test_the_coordinator_scores_decides_and_publishes(client, db):
    insee = new_commune(db)
    apply(client, db, insee)
    cid = call_id(db)
    sign_in_as(client, PERSONAS["coordinator"])
    with db.session() as session:
        application_id = session.scalar(select(Application.id).where(Application.call_id == cid))
    base = f"{MANAGE}/{cid}/candidatures/{application_id}"
    response = post(client, f"{base}/notes", {"score-0": "3", "comment-0": "Maire très engagé", "score-1": "5"})
    assert response.status_code == 422
    assert post(client, f"{base}/notes", {"score-0": "3", "comment-0": "Maire très engagé", "score-1": "2"}).status_code == 303
    page = text_of(get(client, f"{MANAGE}/{cid}/candidatures").text)
    assert "5 / 12" in page and "notation incomplète" in page and "mairie@laubies.fr" in page
    assert post(client, f"{base}/decision", {"action": "select", "reason": "Très bon dossier"}).status_code == 422  # still open
    close(db, cid)
    assert post(client, f"{base}/decision", {"action": "select", "reason": "ok"}).status_code == 422  # no reason
    assert post(client, f"{base}/decision", {"action": "select", "reason": "Très bon dossier"}).status_code == 303
    with db.session() as session:
        commune_id = session.scalar(select(Commune.id).where(Commune.insee == insee))
        assert session.scalar(select(Process).where(Process.commune_id == commune_id)) is None  # not before publishing
    assert post(client, f"{MANAGE}/{cid}/resultats").status_code == 303
    with db.session() as session:
        process = session.scalar(select(Process).where(Process.commune_id == commune_id))
        assert process.phase == "diagnostic"
        assert session.scalar(select(LocalGroup).where(LocalGroup.commune_id == commune_id)) is not None
    public = text_of(get(client, f"{PUBLIC}/{cid}").text)
    assert "1 commune retenue sur 1 candidature" in public and "Les Laubies-Hautes" in public
    assert post(client, f"{MANAGE}/{cid}/resultats").status_code == 409
    assert post(client, f"{base}/decision", {"action": "decline", "reason": "Changement d’avis"}).status_code == 422


def test_results_wait_for_every_decision(client, db):
    insee = new_commune(db)
    apply(client, db, insee)
    cid = call_id(db)
    close(db, cid)
    sign_in_as(client, PERSONAS["coordinator"])
    response = post(client, f"{MANAGE}/{cid}/resultats")
    assert response.status_code == 409
    assert "Une candidature n’a pas encore de décision" in text_of(response.text)


def test_the_coordinator_downloads_a_document_others_cannot(client, db):
    link = link_of(client, db, new_commune(db))
    attach(client, link, PDF)
    cid = call_id(db)
    with db.session() as session:
        application_id, document_id = session.execute(select(Application.id, ApplicationDocument.id).join(ApplicationDocument)).one()
    url = f"{MANAGE}/{cid}/candidatures/{application_id}/pieces/{document_id}"
    sign_in_as(client, PERSONAS["admin"])
    assert get(client, url).status_code == 403
    sign_in_as(client, PERSONAS["coordinator"])
    assert get(client, url).content == PDF


def test_a_contacts_data_is_shown_and_erased_the_application_stays(client, db):
    from revital import privacy

    insee = new_commune(db)
    apply(client, db, insee, referent_email="Mairie@Laubies.fr")  # the same person as agent and referent
    with db.transaction() as session:
        found = privacy.find(session, "mairie@laubies.fr")
        assert [(commune, role) for _, commune, _, role in found.applications] == [
            ("Les Laubies-Hautes", "élu référent et agent à contacter")]
        assert privacy.erase(session, "mairie@laubies.fr").applications == 1
    with db.session() as session:
        application = session.scalar(select(Application).join(Commune).where(Commune.insee == insee))
        assert (application.agent_email, application.agent_name, application.referent_email) == ("", "", "")
        assert application.motivation == "Le dernier café a fermé."


def test_a_perimeter_sketch_must_lie_within_the_commune(client, db):
    far = '{"type": "Polygon", "coordinates": [[[2.0, 45.0], [2.01, 45.0], [2.01, 45.01], [2.0, 45.0]]]}'
    response = apply(client, db, "48147", perimeter=far)
    assert response.status_code == 422
    assert "Le périmètre" in parse(response.text).find(id="perimeter-error").text()
    with db.session() as session:
        inside = session.scalar(select(Commune.perimeter).where(Commune.insee == "48147"))
    response = apply(client, db, "48147", perimeter=inside, action="draft")
    assert response.status_code == 303
    page = parse(get(client, response.headers["location"]).text)
    assert page.find("div", class_="map-live") is not None  # the draft's page draws on the commune's map
    assert "perimeterEditor" in get(client, response.headers["location"]).text
    with db.session() as session:
        assert session.scalar(select(Application.perimeter).join(Commune)
                              .where(Commune.insee == "48147", Application.call_id == call_id(db))) is not None


def test_the_home_page_announces_the_open_call_and_forgets_it_once_closed(client, db):
    cid = call_id(db)
    link = f"{PUBLIC}/{cid}"
    assert link in parse(get(client, "/").text).hrefs()
    close(db, cid)  # written behind the application's back: the cache learns it from the version
    with db.transaction() as session:
        session.get(Call, cid).title = "Deuxième vague (close)"
    client.app.state.pages.recent.clear()
    assert link not in parse(get(client, "/").text).hrefs()


def outbox_to(db, address):
    from revital.mail.models import Outbox

    with db.session() as session:
        return [(m.subject, m.text) for m in session.scalars(select(Outbox).where(Outbox.to_address == address)
                                                               .order_by(Outbox.id))]


def test_the_agent_gets_the_link_of_the_draft_then_a_receipt_once(client, db):
    insee = new_commune(db)
    response = apply(client, db, insee, action="draft")
    link = response.headers["location"].split("?")[0]
    (subject, text), = outbox_to(db, "mairie@laubies.fr")
    assert subject == "[Les Laubies-Hautes] Votre candidature : Revitaliser nos centres-bourgs : deuxième vague"
    assert "https://testserver.local" + link in text and "comme brouillon" in text
    post(client, link, application_form(insee))
    post(client, link, application_form(insee, motivation="Précisée"))  # an edit after submitting: no new receipt
    messages = outbox_to(db, "mairie@laubies.fr")
    assert [s for s, _ in messages][1:] == [
        "[Les Laubies-Hautes] Candidature déposée : Revitaliser nos centres-bourgs : deuxième vague",
        "[Les Laubies-Hautes] Votre compte pour la candidature : Revitaliser nos centres-bourgs : deuxième vague"]


def test_publishing_tells_each_applicant_invites_the_selected_and_writes_the_journal(client, db):
    from revital.accounts.models import AccountToken
    from revital.journal.models import JournalPost

    selected, declined = new_commune(db), new_commune(db, "48998", "Le Mas-Bas")
    apply(client, db, selected)
    apply(client, db, declined, agent_email="mairie@mas-bas.fr")
    cid = call_id(db)
    close(db, cid)
    sign_in_as(client, PERSONAS["coordinator"])
    with db.session() as session:
        ids = dict(session.execute(select(Commune.insee, Application.id).join(Application.commune)
                                   .where(Application.call_id == cid)).all())
    base = f"{MANAGE}/{cid}/candidatures"
    post(client, f"{base}/{ids[selected]}/decision", {"action": "select", "reason": "Très bon dossier"})
    post(client, f"{base}/{ids[declined]}/decision", {"action": "decline", "reason": "Projet trop limité"})
    assert post(client, f"{MANAGE}/{cid}/resultats").status_code == 303
    (subject, text), = outbox_to(db, "mairie@laubies.fr")[2:]  # after the receipt and the account's invitation
    assert subject.endswith("Candidature retenue : Revitaliser nos centres-bourgs : deuxième vague")
    assert "Motif : Très bon dossier" in text and "https://testserver.local/invitation/" in text
    (subject, text), = outbox_to(db, "mairie@mas-bas.fr")[2:]
    assert "n’est pas retenue" in text and "Motif : Projet trop limité" in text and "/invitation/" not in text
    with db.session() as session:
        invitation = session.scalar(select(AccountToken).where(AccountToken.email == "mairie@laubies.fr"))
        assert invitation.role == "commune_admin" and not invitation.pending  # the pending one was replaced
        assert session.scalar(select(AccountToken).where(AccountToken.email == "mairie@mas-bas.fr")) is None
        titles = session.scalars(select(JournalPost.title).join(Commune, Commune.id == JournalPost.commune_id)
                                 .where(Commune.insee == selected)).all()
    assert "Les Laubies-Hautes est retenue par Pays des Sources (démonstration)" in titles
    assert get(client, f"/communes/commune-{selected}/journal").status_code == 200


def test_the_territory_page_lists_its_calls(client, db):
    page = parse(get(client, f"/territoires/{TERRITORY}").text)
    section = page.find("section", aria_labelledby="appels")
    assert [a.get("href") for a in section.find_all("a")] == [f"{PUBLIC}/{call_id(db)}", f"{PUBLIC}/{call_id(db, opened=False)}"]


def test_the_dashboard_asks_for_the_decisions_of_a_closed_call(client, db):
    insee = new_commune(db)
    apply(client, db, insee)
    cid = call_id(db)
    close(db, cid)
    sign_in_as(client, PERSONAS["coordinator"])
    items = [li.text() for li in parse(get(client, f"/territoires/{TERRITORY}/gestion").text).find("ul", class_="attention-list").find_all("li")]
    assert "Revitaliser nos centres-bourgs : deuxième vague : 1 candidature attend une décision. Voir Revitaliser nos centres-bourgs : deuxième vague" in items


def test_the_review_compares_the_scores_in_one_table_and_freezes_them_once_published(client, db):
    cid = call_id(db, opened=False)
    sign_in_as(client, PERSONAS["coordinator"])
    page = parse(get(client, f"{MANAGE}/{cid}/candidatures").text)
    table = page.find("table", class_="members-table score-table")
    heads = [th.text() for th in table.find("thead").find_all("th")]
    assert heads[0] == "Critère" and "Saint-Étienne-du-Valdonnez" in heads
    total = [tr for tr in table.find("tbody").find_all("tr") if tr.find("th").text() == "Total"][0]
    assert "10 / 12" in [td.text() for td in total.find_all("td")]
    assert page.find("select", name="score-0") is None  # published: read only
    with db.session() as session:
        application_id = session.scalar(select(Application.id).where(Application.call_id == cid))
    assert post(client, f"{MANAGE}/{cid}/candidatures/{application_id}/notes", {"score-0": "0"}).status_code == 409


# --- the applicant's account, pending until the results ---------------------------------------

def invitation_link(db, address) -> str:
    (_, text), = [m for m in outbox_to(db, address) if "Votre compte" in m[0]]
    return next(line for line in text.splitlines() if "/invitation/" in line).replace("https://testserver.local", "")


def accept(client, link, name="Paul Roux"):
    return post(client, link, {"display_name": name, "new_password": "un long mot de passe du causse",
                               "confirm_password": "un long mot de passe du causse"})


def decide_and_publish(client, db, insee, action):
    cid = call_id(db)
    close(db, cid)
    sign_in_as(client, PERSONAS["coordinator"])
    with db.session() as session:
        application_id = session.scalar(select(Application.id).join(Commune).where(Commune.insee == insee,
                                                                                  Application.call_id == cid))
    post(client, f"{MANAGE}/{cid}/candidatures/{application_id}/decision", {"action": action, "reason": "Vu en comité"})
    assert post(client, f"{MANAGE}/{cid}/resultats").status_code == 303


def agent_grants(db, address):
    from revital.accounts.models import RoleGrant, User

    with db.session() as session:
        return [(g.role, g.pending) for g in session.scalars(select(RoleGrant).join(User).where(User.email == address))]


def test_the_agent_makes_an_account_at_submission_whose_role_waits_for_the_results(client, db, settings):
    insee = new_commune(db)
    apply(client, db, insee)
    link = invitation_link(db, "mairie@laubies.fr")
    page = text_of(get(client, link).text)
    assert "s’activera si la candidature de la commune est retenue" in page
    assert accept(client, link).status_code == 303
    assert agent_grants(db, "mairie@laubies.fr") == [("commune_admin", True)]
    agent = make_client(settings).__enter__()
    sign_in_as(agent, "mairie@laubies.fr")
    assert "en attente : il s’activera si la candidature de la commune est retenue" in text_of(get(agent, "/compte").text)
    assert get(agent, f"/communes/commune-{insee}/gestion").status_code == 403
    decide_and_publish(client, db, insee, "select")
    assert agent_grants(db, "mairie@laubies.fr") == [("commune_admin", False)]
    (subject, text), = [m for m in outbox_to(db, "mairie@laubies.fr") if "retenue" in m[0]]
    assert "Votre rôle d’administrateur de la commune est maintenant actif" in text and "/invitation/" not in text
    sign_in_as(agent, "mairie@laubies.fr")
    assert get(agent, f"/communes/commune-{insee}/gestion").status_code == 200


def test_a_declined_commune_loses_the_pending_role_and_the_unused_invitation(client, db):
    from revital.accounts.models import AccountToken

    insee, other = new_commune(db), new_commune(db, "48998", "Le Mas-Bas")
    apply(client, db, insee)
    accept(client, invitation_link(db, "mairie@laubies.fr"))
    apply(client, db, other, agent_email="mairie@mas-bas.fr")  # invited, never accepted
    cid = call_id(db)
    close(db, cid)
    sign_in_as(client, PERSONAS["coordinator"])
    with db.session() as session:
        ids = dict(session.execute(select(Commune.insee, Application.id).join(Application.commune)
                                   .where(Application.call_id == cid)).all())
    for code in (insee, other):
        post(client, f"{MANAGE}/{cid}/candidatures/{ids[code]}/decision", {"action": "decline", "reason": "Trop tôt"})
    assert post(client, f"{MANAGE}/{cid}/resultats").status_code == 303
    assert agent_grants(db, "mairie@laubies.fr") == []
    with db.session() as session:
        assert session.scalar(select(AccountToken).where(AccountToken.email == "mairie@mas-bas.fr")) is None
