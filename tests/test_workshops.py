"""Workshops through HTTP: the local group's back office (plan, edit, cancel, close), the public pages
(upcoming and past, internal meetings hidden), registration with its waiting list and the e-mails,
withdrawing with the e-mail's link, the iCalendar feeds, and what the commune and the gates see."""

import re
import threading
from datetime import timedelta

import icalendar
import pytest
from sqlalchemy import func, select, update

from revital.db import utcnow
from revital.formatting import paris
from revital.journal.models import JournalPost
from revital.mail.models import Outbox
from revital.workshops import rules
from revital.workshops.models import Registration, Workshop
from tests.conftest import BASE_URL, MAIN, PERSONAS, csrf_token, get, make_client, post, sign_in_as, text_of
from tests.dom import parse

ADMIN = f"/communes/{MAIN}/gestion/ateliers"
PUBLIC = f"/communes/{MAIN}/ateliers"
WITHDRAW = re.compile(r"https://testserver\.local(/communes/[^/]+/ateliers/\d+/desinscription/[0-9]+-[A-Za-z0-9_-]+)")


def workshop_id(db, kind: str) -> int:
    with db.session() as session:
        return session.scalar(select(Workshop.id).where(Workshop.kind == kind))


def form(**changes):
    day = (paris(utcnow()) + timedelta(days=20)).date().isoformat()
    data = {"kind": "thematic", "title": "Atelier logement", "date": day, "start": "18:30", "end": "20:00",
            "address": "Salle des fêtes", "agenda": "- accueil\n- **travail en groupes**", "capacity": "3",
            "public": "on", "registration_open": "on", "version": "0"}
    data.update(changes)
    return data


def create(client, db, **changes) -> int:
    sign_in_as(client, PERSONAS["facilitator"])
    response = post(client, f"{ADMIN}/nouveau", form(**changes))
    assert response.status_code == 303, text_of(response.text)
    client.cookies.delete("revital_session", domain="testserver.local")
    with db.session() as session:
        return session.scalar(select(Workshop.id).order_by(Workshop.id.desc()))


def register(client, wid, name="Odette", email="odette@exemple.fr", people="1"):
    return post(client, f"{PUBLIC}/{wid}/inscription", {"name": name, "email": email, "people": people})


def statuses(db, wid) -> list[tuple[str, str]]:
    with db.session() as session:
        return [(r.name, r.status) for r in session.scalars(select(Registration).where(Registration.workshop_id == wid)
                                                              .order_by(Registration.id))]


def count(db) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(Workshop))


def last_mail(db, to):
    with db.session() as session:
        return session.scalars(select(Outbox).where(Outbox.to_address == to).order_by(Outbox.id.desc())).first()


# --- who may do what ----------------------------------------------------------------------------

@pytest.mark.parametrize("persona, status", [
    ("anonymous", 303), ("resident", 403), ("student", 403), ("partner", 403), ("other_admin", 403),
    ("facilitator", 200), ("admin", 200), ("coordinator", 200),
])
def test_the_back_office_is_the_local_groups(as_persona, db, persona, status):
    client = as_persona(persona)
    assert get(client, ADMIN).status_code == status
    assert get(client, f"{ADMIN}/nouveau").status_code == status
    before = count(db)
    response = post(client, f"{ADMIN}/nouveau", form())
    assert response.status_code == (303 if status == 200 else status)
    assert count(db) == before + (status == 200)


@pytest.mark.parametrize("persona, sees", [
    ("anonymous", False), ("resident", False), ("student", False), ("other_admin", False),
    ("partner", True), ("facilitator", True), ("admin", True), ("coordinator", True),
])
def test_an_internal_meeting_is_seen_by_the_local_group_and_the_partners_only(as_persona, db, persona, sees):
    client = as_persona(persona)
    wid = workshop_id(db, "technical")
    assert get(client, f"{PUBLIC}/{wid}").status_code == (200 if sees else 404)
    listed = "Réunion technique : la traversée du bourg" in text_of(get(client, PUBLIC).text)
    assert listed is sees
    assert "la traversée du bourg" not in get(client, f"{PUBLIC}.ics").text  # never in a public feed
    if not sees:
        assert "la traversée du bourg" not in text_of(get(client, f"/communes/{MAIN}").text)


# --- planning -------------------------------------------------------------------------------------

def test_a_planned_workshop_is_public_with_its_agenda(client, db):
    wid = create(client, db, title="Atelier <logement> & jeunes")
    page = get(client, f"{PUBLIC}/{wid}")
    assert page.status_code == 200
    assert "Atelier &lt;logement&gt; &amp; jeunes" in page.text  # escaped
    dom = parse(page.text)
    assert [s.text() for s in dom.find(id="programme").parent.find_all("strong")] == ["travail en groupes"]  # Markdown
    assert "18 h 30 à 20 h" in text_of(page.text) and "3 libres sur 3" in text_of(page.text)
    assert "Atelier <logement> & jeunes" in text_of(get(client, PUBLIC).text)
    assert "Atelier <logement> & jeunes" in text_of(get(client, f"/communes/{MAIN}").text)  # next workshops


def test_bad_input_keeps_what_was_typed_and_writes_nothing(client, db):
    sign_in_as(client, PERSONAS["facilitator"])
    before = count(db)
    response = post(client, f"{ADMIN}/nouveau", form(end="17:00", address="", capacity="beaucoup"))
    assert response.status_code == 422
    summary = parse(response.text).find(id="form-errors").text()
    assert "La fin doit suivre le début." in summary and "Indiquez où a lieu la rencontre" in summary
    assert parse(response.text).find("input", name="title").get("value") == "Atelier logement"
    assert count(db) == before


def test_a_stale_edit_is_refused(client, db):
    wid = create(client, db)
    sign_in_as(client, PERSONAS["facilitator"])
    assert post(client, f"{ADMIN}/{wid}", form(title="Première version", version="1")).status_code == 303
    response = post(client, f"{ADMIN}/{wid}", form(title="Seconde version", version="1"))
    assert response.status_code == 409
    assert "modifiée par quelqu’un d’autre" in text_of(response.text)
    with db.session() as session:
        assert session.get(Workshop, wid).title == "Première version"


def test_a_workshop_of_another_commune_is_404(client, db):
    sign_in_as(client, PERSONAS["facilitator"])
    walk = workshop_id(db, "walk")  # Grandrieu's
    assert get(client, f"{ADMIN}/{walk}").status_code == 404
    assert get(client, f"{PUBLIC}/{walk}").status_code == 404
    assert get(client, f"{PUBLIC}/999999").status_code == 404


# --- registering ----------------------------------------------------------------------------------

def test_registering_confirms_then_waits_then_moves_up(client, db):
    wid = create(client, db)  # 3 places
    assert register(client, wid, "Odette", "odette@exemple.fr", "2").headers["location"].endswith("?ok=inscrit#inscription")
    assert register(client, wid, "Jean", "jean@exemple.fr", "2").headers["location"].endswith("?ok=attente#inscription")
    assert register(client, wid, "Paul", "", "1").headers["location"].endswith("?ok=attente#inscription")  # the line first
    assert statuses(db, wid) == [("Odette", "confirmed"), ("Jean", "waiting"), ("Paul", "waiting")]
    confirmation = last_mail(db, "odette@exemple.fr")
    assert confirmation.subject.endswith("Inscription confirmée : Atelier logement")
    event = icalendar.Calendar.from_ical(confirmation.calendar)
    (item,) = event.walk("VEVENT")
    assert str(item["summary"]).startswith("Atelier logement") and item["dtstart"].dt.hour in (16, 17)  # 18:30 Paris
    assert "liste d’attente" in last_mail(db, "jean@exemple.fr").text and last_mail(db, "jean@exemple.fr").calendar is None
    link = WITHDRAW.search(confirmation.text).group(1)
    assert get(client, link).status_code == 200 and statuses(db, wid)[0] == ("Odette", "confirmed")  # GET changes nothing
    assert post(client, link).status_code == 303
    assert statuses(db, wid) == [("Odette", "cancelled"), ("Jean", "confirmed"), ("Paul", "confirmed")]
    promoted = last_mail(db, "jean@exemple.fr")
    assert promoted.subject.endswith("Une place pour vous : Atelier logement") and promoted.calendar
    assert "déjà retirée" in text_of(get(client, link).text)


def test_the_same_address_twice_is_one_registration(client, db):
    wid = create(client, db)
    register(client, wid, "Odette", "Odette@Exemple.fr")
    response = register(client, wid, "Odette P.", "odette@exemple.fr", "2")
    assert response.headers["location"].endswith("?ok=deja#inscription")
    assert statuses(db, wid) == [("Odette", "confirmed")]
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Outbox).where(Outbox.to_address == "odette@exemple.fr")) == 1


def test_a_registration_with_bad_input_keeps_it(client, db):
    wid = create(client, db)
    response = register(client, wid, "", "odette@", "12")
    assert response.status_code == 422
    page = parse(response.text)
    assert page.find("input", name="email").get("value") == "odette@"
    assert "Indiquez votre nom" in page.find(id="form-errors").text()
    response = register(client, wid, "Famille nombreuse", "", "5")
    assert response.status_code == 422 and "n’a que 3 places" in text_of(response.text)
    assert statuses(db, wid) == []


def test_no_registration_to_a_past_cancelled_or_internal_meeting(client, db):
    walk_commune = "grandrieu"
    walk = workshop_id(db, "walk")
    response = post(client, f"/communes/{walk_commune}/ateliers/{walk}/inscription", {"name": "Tard", "people": "1"})
    assert response.status_code == 409 and "a eu lieu" in text_of(response.text)
    assert post(client, f"{PUBLIC}/{workshop_id(db, 'technical')}/inscription", {"name": "X"}).status_code == 404
    wid = create(client, db)
    sign_in_as(client, PERSONAS["facilitator"])
    assert post(client, f"{ADMIN}/{wid}/annuler", {"reason": "x"}).status_code == 422
    assert post(client, f"{ADMIN}/{wid}/annuler", {"reason": "Salle indisponible"}).status_code == 303
    response = register(client, wid)
    assert response.status_code == 409 and "annulée" in text_of(response.text)


def test_cancelling_tells_the_registered(client, db):
    wid = create(client, db)
    register(client, wid, "Odette", "odette@exemple.fr")
    sign_in_as(client, PERSONAS["admin"])
    assert post(client, f"{ADMIN}/{wid}/annuler", {"reason": "La salle est inondée."}).status_code == 303
    message = last_mail(db, "odette@exemple.fr")
    assert message.subject.endswith("Annulé : Atelier logement") and "Motif : La salle est inondée." in message.text
    assert "CANCELLED" in message.calendar
    assert "Cette rencontre est annulée." in text_of(get(client, f"{PUBLIC}/{wid}").text)


def test_a_forged_withdraw_link_is_404(client, db):
    wid = create(client, db)
    register(client, wid)
    link = WITHDRAW.search(last_mail(db, "odette@exemple.fr").text).group(1)
    number, token = link.rsplit("/", 1)[1].split("-", 1)
    for bad in (f"{number}-{'A' * 43}", f"{int(number) + 1}-{token}", "abc", f"{number}-{token}x"):
        assert get(client, f"{PUBLIC}/{wid}/desinscription/{bad}").status_code == 404
        assert post(client, f"{PUBLIC}/{wid}/desinscription/{bad}").status_code == 404
    assert statuses(db, wid) == [("Odette", "confirmed")]


def test_registrants_addresses_are_never_public(client, db):
    wid = workshop_id(db, "thematic")
    for url in (PUBLIC, f"{PUBLIC}/{wid}", f"{PUBLIC}.ics", f"/communes/{MAIN}", "/territoires/pays-des-sources-demo/ateliers.ics"):
        body = get(client, url).text
        assert "@exemple.fr" not in body and "Famille Roux" not in body


def test_fifty_registrations_at_once_for_twenty_places(settings, db):
    wid = create(make_client(settings).__enter__(), db, capacity="20")
    clients = [make_client(settings).__enter__() for _ in range(50)]
    for client in clients:
        csrf_token(client)
    results = []

    def one(i, client):
        results.append(register(client, wid, f"Personne {i}", f"p{i}@exemple.fr").status_code)

    threads = [threading.Thread(target=one, args=(i, c)) for i, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [303] * 50
    found = statuses(db, wid)
    assert sum(1 for _, s in found if s == "confirmed") == 20 and sum(1 for _, s in found if s == "waiting") == 30


# --- after the workshop ---------------------------------------------------------------------------

def test_closing_publishes_the_minutes_and_tells_the_journal_once(client, db):
    wid = create(client, db)
    register(client, wid, "Odette", "odette@exemple.fr")
    register(client, wid, "Jean", "")
    sign_in_as(client, PERSONAS["facilitator"])
    response = post(client, f"{ADMIN}/{wid}/cloture", {"minutes": "Vingt personnes sont venues parler logement.", "attendance": "20"})
    assert response.status_code == 422 and "pas encore commencé" in text_of(response.text)
    with db.transaction() as session:
        session.execute(update(Workshop).where(Workshop.id == wid).values(
            starts_at=utcnow() - timedelta(hours=3), ends_at=utcnow() - timedelta(hours=1)))
    assert post(client, f"{ADMIN}/{wid}/cloture", {"minutes": "Court", "attendance": ""}).status_code == 422
    with db.session() as session:
        jean = session.scalar(select(Registration).where(Registration.workshop_id == wid, Registration.name == "Jean"))
    response = post(client, f"{ADMIN}/{wid}/cloture", {"minutes": "Vingt personnes sont venues parler **logement**.",
                                                       "attendance": "20", "attended": str(jean.id)})
    assert response.status_code == 303 and response.headers["location"].endswith("?ok=cloture")
    with db.session() as session:
        workshop = session.get(Workshop, wid)
        assert (workshop.status, workshop.attendance) == (rules.CLOSED, 20)
        assert {r.name: r.attended for r in workshop.registrations} == {"Odette": False, "Jean": True}
        entries = session.scalars(select(JournalPost).where(JournalPost.kind == "workshop",
                                                            JournalPost.title.contains("Atelier logement"))).all()
        assert len(entries) == 1 and f"/ateliers/{wid}" in entries[0].body
    post(client, f"{ADMIN}/{wid}/cloture", {"minutes": "Vingt-deux personnes en fait, parler logement.", "attendance": "22"})
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(JournalPost).where(JournalPost.kind == "workshop",
                                                                                  JournalPost.title.contains("Atelier logement"))) == 1
    page = text_of(get(client, f"{PUBLIC}/{wid}").text)
    assert "Vingt-deux personnes en fait" in page and "22 personnes présentes" in page


def test_the_walk_shows_its_minutes_and_its_paper_contributions(client, db):
    page = get(client, f"/communes/grandrieu/ateliers/{workshop_id(db, 'walk')}")
    text = text_of(page.text)
    assert "Dix-huit habitants" in text and "18 personnes présentes" in text
    assert "Ce qui y a été dit (12)" in text and "Les foires du foirail" in text


def test_the_gate_of_the_diagnostic_asks_for_a_closed_workshop(client, db):
    text = text_of(get(client, "/communes/grandrieu").text)
    assert "Au moins un atelier du diagnostic tenu, avec son compte rendu" in text
    conditions = parse(get(client, "/communes/grandrieu").text).find(id="conditions")
    (item,) = [li for li in conditions.find_all("li") if "atelier du diagnostic" in li.text()]
    assert item.get("class") == "met"
    assert "/communes/grandrieu/ateliers" in conditions.hrefs()


# --- calendars ------------------------------------------------------------------------------------

def test_the_commune_and_territory_feeds_are_valid_icalendar(client, db):
    response = get(client, f"{PUBLIC}.ics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/calendar")
    feed = icalendar.Calendar.from_ical(response.content)
    summaries = [str(e["summary"]) for e in feed.walk("VEVENT")]
    assert summaries == ["Atelier thématique : commerces et services du bourg (Saint-Étienne-du-Valdonnez)"]
    territory = icalendar.Calendar.from_ical(get(client, "/territoires/pays-des-sources-demo/ateliers.ics").content)
    titles = {str(e["summary"]) for e in territory.walk("VEVENT")}
    assert titles == {"Atelier thématique : commerces et services du bourg (Saint-Étienne-du-Valdonnez)",
                      "Diagnostic en marchant : du foirail au pont (Grandrieu)"}
    uids = [str(e["uid"]) for e in territory.walk("VEVENT")]
    assert len(set(uids)) == 2 and all(uid.startswith("atelier-") for uid in uids)
    assert get(client, "/communes/atlantis/ateliers.ics").status_code == 404


# --- personal data --------------------------------------------------------------------------------

def test_privacy_shows_and_erases_the_registrations_and_the_line_moves_up(client, db):
    from revital import privacy

    wid = create(client, db, capacity="1")
    register(client, wid, "Odette", "odette@exemple.fr")
    register(client, wid, "Jean", "jean@exemple.fr")
    with db.session() as session:
        found = privacy.find(session, "ODETTE@exemple.fr")
    assert found.registrations == [(found.registrations[0][0], "Saint-Étienne-du-Valdonnez", "Atelier logement", "Inscrit·e")]
    with db.transaction() as session:
        assert privacy.erase(session, "odette@exemple.fr", base_url=BASE_URL, secret="s" * 32).registrations == 1
    assert statuses(db, wid) == [("Jean", "confirmed")]
    with db.session() as session:
        assert privacy.find(session, "odette@exemple.fr").registrations == []
    # Jean is told a place is his, as when someone withdraws; nothing says why.
    told = last_mail(db, "jean@exemple.fr")
    assert "Une place pour vous : Atelier logement" in told.subject and "odette" not in told.text.lower()


def test_erasing_a_registration_to_a_past_workshop_moves_nobody_up(client, db):
    from revital import privacy

    wid = create(client, db, capacity="1")
    register(client, wid, "Odette", "odette@exemple.fr")
    register(client, wid, "Jean", "jean@exemple.fr")
    with db.transaction() as session:
        workshop = session.get(Workshop, wid)
        workshop.starts_at -= timedelta(days=40)
        workshop.ends_at -= timedelta(days=40)
    with db.transaction() as session:
        assert privacy.erase(session, "odette@exemple.fr", base_url=BASE_URL, secret="s" * 32).registrations == 1
    assert statuses(db, wid) == [("Jean", "waiting")]
    assert "Une place pour vous" not in last_mail(db, "jean@exemple.fr").subject


# --- photos and documents -------------------------------------------------------------------------

def png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 120, 40)).save(out, "PNG")
    return out.getvalue()


def test_photos_and_documents_are_added_shown_and_removed(client, db):
    wid = create(client, db)
    sign_in_as(client, PERSONAS["facilitator"])
    response = post(client, f"{ADMIN}/{wid}/photos", {"alt": ""}, files={"photo": ("p.png", png(), "image/png")})
    assert response.status_code == 422 and "Décrivez la photo" in text_of(response.text)
    response = post(client, f"{ADMIN}/{wid}/photos", {"alt": "Les tables de travail"},
                    files={"photo": ("p.png", png(), "image/png")})
    assert response.status_code == 303
    response = post(client, f"{ADMIN}/{wid}/documents", {"title": "La présentation"},
                    files={"document": ("deck.pdf", b"PK\x03\x04 not a pdf", "application/pdf")})
    assert response.status_code == 422 and "n’est pas un PDF" in text_of(response.text)
    pdf = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    assert post(client, f"{ADMIN}/{wid}/documents", {"title": "La présentation"},
                files={"document": ("deck.pdf", pdf, "application/pdf")}).status_code == 303
    client.cookies.delete("revital_session", domain="testserver.local")
    page = parse(get(client, f"{PUBLIC}/{wid}").text)
    image = page.find("img", alt="Les tables de travail")
    assert image is not None
    photo = get(client, image.get("src"))
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/jpeg"
    link = next(href for href in page.hrefs() if "/documents/" in href)
    document = get(client, link)
    assert document.content == pdf and document.headers["content-type"] == "application/pdf"
    sign_in_as(client, PERSONAS["facilitator"])
    with db.session() as session:
        workshop = session.get(Workshop, wid)
        photo_id, document_id = workshop.photos[0].id, workshop.documents[0].id
    assert post(client, f"{ADMIN}/{wid}/photos/{photo_id}/retirer").status_code == 303
    assert post(client, f"{ADMIN}/{wid}/documents/{document_id}/retirer").status_code == 303
    assert get(client, image.get("src")).status_code == 404 and get(client, link).status_code == 404


def test_the_files_of_an_internal_meeting_are_the_local_groups(client, db):
    wid = workshop_id(db, "technical")
    sign_in_as(client, PERSONAS["facilitator"])
    pdf = b"%PDF-1.4\n%%EOF\n"
    post(client, f"{ADMIN}/{wid}/documents", {"title": "Plan de la traversée"},
         files={"document": ("plan.pdf", pdf, "application/pdf")})
    with db.session() as session:
        document_id = session.get(Workshop, wid).documents[0].id
    url = f"{PUBLIC}/{wid}/documents/{document_id}"
    assert get(client, url).headers["cache-control"] == "private, no-store"
    sign_in_as(client, PERSONAS["resident"])
    assert get(client, url).status_code == 404


def test_the_demo_walk_has_its_photos(client, db):
    page = parse(get(client, f"/communes/grandrieu/ateliers/{workshop_id(db, 'walk')}").text)
    alts = [img.get("alt") for img in page.find_all("img")]
    assert any(alt.startswith("Le groupe devant la bascule du foirail") for alt in alts)
