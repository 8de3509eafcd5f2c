"""The partners' review of an action sheet through HTTP, persona by persona: the commune asks, a
partner of the organisation asked sees it on its page and gives its opinion (reservations, a
proposed funding line), the commune answers, takes the line and validates; the refusals (not
asked, not invited, a stale version, validating without every answer, abandoning without a reason),
the e-mails, the public opinions and bad input."""

from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select

from revital import cli
from revital.accounts.models import RoleGrant, User
from revital.communes.models import Commune, Organisation
from revital.db import utcnow
from revital.demo import demo_password_hash
from revital.lineage.models import Link
from revital.mail.models import Outbox
from revital.permissions import PARTNER
from revital.sheets import notices, review, review_rules, services
from revital.sheets.models import ActionSheet, Cost, FundingLine, Opinion, Reservation, ReviewRequest
from revital.workshops.models import Workshop
from tests.test_cli import env  # noqa: F401 - the fixture
from tests.conftest import MAIN, PERSONAS, get, post, sign_in_as, text_of
from tests.dom import parse

MANAGE = f"/communes/{MAIN}/gestion/fiches/1/avis"
REVIEW = f"/communes/{MAIN}/fiches/1/avis"
DDT = "ingenieur@ddt-48.exemple.fr"
CCI = "conseil@cci-48.exemple.fr"


def org_id(db, slug: str) -> int:
    with db.session() as s:
        return s.scalar(select(Organisation.id).where(Organisation.slug == slug))


@pytest.fixture
def sheet(db):
    """Sheet 1 of the main commune, a draft with a text and a cost; a DDT partner account and a CCI
    one (the CCI is not invited in the demo communes). The demo's sheets are left aside, so that
    every request, opinion and mail counted here is this test's."""
    with db.transaction() as s:
        s.execute(delete(ActionSheet))
        commune = s.scalar(select(Commune).where(Commune.slug == MAIN))
        made = services.create(s, commune, "Réaménager la place de l’église", None)
        made.description = "Une place pour les piétons, les marchés et les fêtes."
        s.add(Cost(commune_id=commune.id, sheet_id=made.id, year=2027, investment_cents=40_000_000,
                   operating_cents=0))
        for email, slug in ((DDT, "ddt-48"), (CCI, "cci-48")):
            user = User(email=email, display_name=f"Ingénieur {slug}", password_hash=demo_password_hash())
            user.grants.append(RoleGrant(role=PARTNER, organisation_id=s.scalar(
                select(Organisation.id).where(Organisation.slug == slug))))
            s.add(user)
    return db


def as_(client, persona_or_email):
    sign_in_as(client, PERSONAS.get(persona_or_email, persona_or_email))
    return client


def due_in(days: int) -> str:
    return (review_rules.today_in_paris(utcnow()) + timedelta(days=days)).isoformat()


def ask(client, *slugs, days=10, db=None):
    return post(as_(client, "admin"), f"{MANAGE}/demander",
                {"organisations": [str(org_id(db, s)) for s in slugs], "due_on": due_in(days), "message": "Merci !"})


def mails(db, kind: str) -> list[tuple[str, str]]:
    with db.session() as s:
        return [(m.to_address, m.text) for m in s.scalars(select(Outbox).where(Outbox.kind == kind).order_by(Outbox.id))]


def count(db, model) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def the_sheet(db) -> ActionSheet:
    with db.session() as s:
        return s.scalar(select(ActionSheet).join(Commune).where(Commune.slug == MAIN, ActionSheet.number == 1))


OPINION = {"verdict": "reserves", "comments": "Un bon projet.", "reservations": "Revoir le stationnement\nUn abri vélos",
           "funder": "Banque des Territoires", "scheme": "Ingénierie", "amount": "12 500", "year": "2027"}


def test_the_whole_review_lifecycle(client, sheet):
    db = sheet
    # The commune asks the CAUE and the DDT: version 1 is frozen, the sheet goes into review.
    response = ask(client, "caue-48", "ddt-48", db=db)
    assert response.status_code == 303
    assert the_sheet(db).version == 1 and the_sheet(db).status == "review"
    asked = mails(db, notices.ASKED)
    assert sorted(a for a, _ in asked) == sorted([PERSONAS["partner"], DDT])
    assert all(f"/communes/{MAIN}/fiches/1/avis" in text for _, text in asked)

    # The CAUE's partner sees it on its organisation's page, and opens it.
    page = parse(get(as_(client, "partner"), "/partenaires/caue-48").text)
    waiting = page.find("section", aria_labelledby="fiches-en-attente")
    assert REVIEW in waiting.hrefs()
    form = parse(get(client, REVIEW).text).find("form", id="avis")
    assert form.find("input", name="version").get("value") == "1"

    # Its opinion, with two reservations and a proposed line.
    response = post(client, REVIEW, {**OPINION, "version": "1"})
    assert response.status_code == 303
    with db.session() as s:
        opinion = s.scalar(select(Opinion))
        assert (opinion.version, opinion.verdict) == (1, "reserves")
        assert [r.text for r in s.scalars(select(Reservation).order_by(Reservation.id))] == [
            "Revoir le stationnement", "Un abri vélos"]
        line = s.scalar(select(FundingLine))
        assert (line.amount_cents, line.accepted, line.proposed_by_opinion_id) == (1_250_000, False, opinion.id)
        assert s.scalar(select(ReviewRequest.answered_at).where(ReviewRequest.organisation_id == opinion.organisation_id))
    arrived = mails(db, notices.OPINION)
    assert [a for a, _ in arrived] == [PERSONAS["admin"]] and "Revoir le stationnement" in arrived[0][1]
    page = parse(get(client, "/partenaires/caue-48").text)
    assert REVIEW not in page.find("section", aria_labelledby="fiches-en-attente").hrefs()
    assert REVIEW in page.find("section", aria_labelledby="avis-donnes").hrefs()

    # The commune answers the reservations and takes the line (a new version).
    as_(client, "admin")
    with db.session() as s:
        reservation_ids = list(s.scalars(select(Reservation.id).order_by(Reservation.id)))
        line_id = s.scalar(select(FundingLine.id))
    for rid in reservation_ids:
        assert post(client, f"{MANAGE}/reserves/{rid}", {"answer": "C’est prévu.", "addressed": "1"}).status_code == 303
    assert post(client, f"{MANAGE}/lignes/{line_id}/accepter").status_code == 303
    assert the_sheet(db).version == 2
    with db.session() as s:
        assert all(r.addressed_at and r.answer == "C’est prévu." for r in s.scalars(select(Reservation)))
        assert s.get(FundingLine, line_id).accepted

    # The DDT has not answered: validating needs a reason.
    response = post(client, f"{MANAGE}/valider", {"reason": ""})
    assert response.status_code == 422
    assert "DDT de la Lozère" in text_of(response.text) and the_sheet(db).status == "review"
    response = post(client, f"{MANAGE}/valider", {"reason": "La DDT a donné son accord en réunion technique."})
    assert response.status_code == 303
    assert the_sheet(db).status == "validated"

    # The public opinions: the organisation and the comments, never a person's name.
    with db.session() as s:
        public = review.public_opinions(s, s.get(ActionSheet, the_sheet(db).id))
    assert [(o["organisation"], o["verdict_label"], o["version"]) for o in public] == [
        ("CAUE de la Lozère", "Favorable avec réserves", 1)]
    assert public[0]["reservations"][0] == {"text": "Revoir le stationnement", "answer": "C’est prévu.", "addressed": True}
    flat = repr(public)
    assert "Architecte du CAUE" not in flat and PERSONAS["partner"] not in flat

    # Closed: no more opinions; reopened, it is in review again.
    response = post(as_(client, DDT), REVIEW, {"verdict": "favourable", "version": "2"})
    assert response.status_code == 409 and the_sheet(db).status == "validated"
    assert post(as_(client, "admin"), f"{MANAGE}/rouvrir").status_code == 303
    assert the_sheet(db).status == "review"


def test_the_same_opinion_sent_twice_counts_once(client, sheet):
    db = sheet
    assert ask(client, "caue-48", db=db).status_code == 303
    as_(client, "partner")
    assert post(client, REVIEW, {**OPINION, "version": "1"}).status_code == 303
    again = post(client, REVIEW, {**OPINION, "version": "1"})
    assert again.status_code == 409
    assert review_rules.ALREADY_GIVEN.format(version=1) in text_of(again.text)
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Opinion)) == 1
        assert s.scalar(select(func.count()).select_from(Reservation)) == 2
    assert len(mails(db, notices.OPINION)) == 1
    # The page says it is given, and offers no second form for that version.
    dom = parse(get(client, REVIEW).text)
    assert dom.find("form", id="avis") is None
    assert review_rules.GIVEN.format(version=1) in text_of(get(client, REVIEW).text)


def test_the_commune_page_works_for_those_who_manage_sheets(client, sheet):
    for persona, status in (("admin", 200), ("coordinator", 200), ("facilitator", 200), ("partner", 403),
                            ("resident", 403), ("other_admin", 403)):
        assert get(as_(client, persona), MANAGE).status_code == status, persona
    client.cookies.clear()
    assert get(client, MANAGE).status_code == 303
    page = parse(get(as_(client, "facilitator"), MANAGE).text)
    assert page.find("form", id="demander") is not None and page.find("form", id="valider") is None
    assert post(client, f"{MANAGE}/abandonner", {"reason": "Trop cher"}).status_code == 403
    assert get(as_(client, "admin"), f"/communes/{MAIN}/gestion/fiches/9/avis").status_code == 404


def test_a_partner_of_an_organisation_not_asked_sees_nothing(client, sheet):
    ask(client, "caue-48", db=sheet)
    response = get(as_(client, DDT), REVIEW)
    assert response.status_code == 403 and review_rules.NOT_ASKED in text_of(response.text)
    response = post(client, REVIEW, {"verdict": "favourable", "version": "1"})
    assert response.status_code == 403 and count(sheet, Opinion) == 0
    page = parse(get(client, "/partenaires/ddt-48").text)
    assert REVIEW not in page.hrefs()
    assert "Aucune fiche n’attend votre avis." in page.find("section", aria_labelledby="fiches-en-attente").text()


def test_a_partner_of_an_organisation_not_invited_is_refused(client, sheet):
    ask(client, "caue-48", db=sheet)
    assert get(as_(client, CCI), REVIEW).status_code == 403
    assert post(client, REVIEW, {"verdict": "favourable", "version": "1"}).status_code == 403
    # Asking it is refused as well: it is not a partner of the commune.
    response = post(as_(client, "admin"), f"{MANAGE}/demander",
                    {"organisations": [str(org_id(sheet, "cci-48"))], "due_on": due_in(5)})
    assert response.status_code == 422 and count(sheet, ReviewRequest) == 1
    assert review_rules.NOT_PARTNERS in text_of(response.text)


def test_the_public_partner_page_shows_no_sheet_to_others(client, sheet):
    ask(client, "caue-48", db=sheet)
    for who in ("anonymous", "admin", DDT):
        client.cookies.clear()
        if who != "anonymous":
            as_(client, who)
        page = parse(get(client, "/partenaires/caue-48").text)
        assert page.find("section", aria_labelledby="fiches-en-attente") is None, who
        assert REVIEW not in page.hrefs()


def test_a_stale_version_is_refused_with_the_changes(client, sheet):
    db = sheet
    ask(client, "caue-48", db=db)
    with db.transaction() as s:  # the commune edits the sheet after the request: version 2
        edited = s.get(ActionSheet, the_sheet(db).id)
        edited.description = "Une place pour les piétons et les terrasses."
        services.touched(edited)
        services.record_version(s, edited, "contenu", None)
    response = post(as_(client, "partner"), REVIEW, {**OPINION, "version": "1"})
    assert response.status_code == 409
    page = parse(response.text)
    assert review_rules.STALE.format(read=1, current=2) in text_of(response.text)
    changes = page.find("section", aria_labelledby="changements")
    assert [dt.text() for dt in changes.find_all("dt")] == ["Description"]
    assert "terrasses" in " ".join(ins.text() for ins in changes.find_all("ins"))
    assert page.find("textarea", name="comments").text() == "Un bon projet."
    assert page.find("input", name="version").get("value") == "2"
    assert count(db, Opinion) == 0 and count(db, Reservation) == 0 and count(db, FundingLine) == 0
    # Opened again, the page shows what changed since the version it was asked on.
    shown = parse(get(client, REVIEW).text).find("section", aria_labelledby="changements")
    assert "depuis la version 1" in shown.find("h2").text()
    assert post(client, REVIEW, {**OPINION, "version": "2"}).status_code == 303


def test_abandoning_needs_a_reason(client, sheet):
    response = post(as_(client, "admin"), f"{MANAGE}/abandonner", {"reason": "  "})
    assert response.status_code == 422 and review_rules.NO_REASON in text_of(response.text)
    assert the_sheet(sheet).status == "draft"
    assert post(client, f"{MANAGE}/abandonner", {"reason": "Le bâtiment est vendu."}).status_code == 303
    assert (the_sheet(sheet).status, the_sheet(sheet).status_reason) == ("abandoned", "Le bâtiment est vendu.")


def test_validating_with_every_answer_needs_no_reason(client, sheet):
    ask(client, "caue-48", db=sheet)
    post(as_(client, "partner"), REVIEW, {"verdict": "favourable", "version": "1"})
    assert post(as_(client, "admin"), f"{MANAGE}/valider", {"reason": ""}).status_code == 303
    assert the_sheet(sheet).status == "validated"


def test_the_reminder_goes_once_three_days_before(client, sheet, settings):
    ask(client, "caue-48", days=10, db=sheet)
    now = utcnow()
    assert notices.send_reminders(sheet, settings, now + timedelta(days=6)) == 0
    assert notices.send_reminders(sheet, settings, now + timedelta(days=7, hours=1)) == 1
    assert notices.send_reminders(sheet, settings, now + timedelta(days=7, hours=2)) == 0
    assert notices.send_reminders(sheet, settings, now + timedelta(days=9)) == 0
    assert [a for a, _ in mails(sheet, notices.REMINDER)] == [PERSONAS["partner"]]
    job = notices.ReminderJob(sheet, settings)
    assert job(now + timedelta(days=8)) == 0


def test_the_cli_queues_the_reminders(env, client, sheet, capsys):
    ask(client, "caue-48", days=3, db=sheet)  # the request was the reminder
    assert cli.main(["sheets", "remind"]) == 0
    assert capsys.readouterr().out.startswith("0 rappel(s)")
    with sheet.transaction() as s:  # asked earlier: due in three days, never reminded
        s.execute(ReviewRequest.__table__.update().values(reminded_at=None))
    assert cli.main(["sheets", "remind"]) == 0
    assert capsys.readouterr().out.startswith("1 rappel(s)")
    assert cli.main(["sheets", "remind"]) == 0
    assert capsys.readouterr().out.startswith("0 rappel(s)")


def test_no_reminder_once_answered_or_asked_late(client, sheet, settings):
    ask(client, "caue-48", "ddt-48", days=2, db=sheet)  # asked within three days: the request is the reminder
    assert notices.send_reminders(sheet, settings, utcnow() + timedelta(days=1)) == 0
    ask(client, "caue-48", days=10, db=sheet)
    post(as_(client, "partner"), REVIEW, {"verdict": "favourable", "version": "1"})
    assert notices.send_reminders(sheet, settings, utcnow() + timedelta(days=7, hours=1)) == 0
    assert mails(sheet, notices.REMINDER) == []


def test_asking_again_moves_the_request_to_the_current_version(client, sheet):
    db = sheet
    ask(client, "caue-48", db=db)
    post(as_(client, "partner"), REVIEW, {"verdict": "favourable", "version": "1"})
    with db.transaction() as s:
        edited = s.get(ActionSheet, the_sheet(db).id)
        services.record_version(s, edited, "contenu", None)
    ask(client, "caue-48", days=20, db=db)
    with db.session() as s:
        request = s.scalar(select(ReviewRequest))
        assert (request.version, request.answered_at, count(db, ReviewRequest)) == (2, None, 1)
    page = parse(get(as_(client, "partner"), REVIEW).text)
    assert page.find("input", name="version").get("value") == "2"


@pytest.mark.parametrize("data, field, message", [
    ({"verdict": "x"}, "verdict", review_rules.NO_VERDICT),
    ({"verdict": "favourable", "funder": "DSIL", "amount": "abc"}, "amount", "n’est pas un montant en euros"),
    ({"verdict": "favourable", "comments": "x" * 100_000}, "comments", "trop long"),
])
def test_a_bad_opinion_writes_nothing(client, sheet, data, field, message):
    ask(client, "caue-48", db=sheet)
    response = post(as_(client, "partner"), REVIEW, {"version": "1", **data})
    assert response.status_code == 422
    assert message in parse(response.text).find("form", id="avis").text()
    assert count(sheet, Opinion) == 0 and count(sheet, FundingLine) == 0


@pytest.mark.parametrize("due, message", [
    ("31/02/2027", review_rules.BAD_DUE.format(value="31/02/2027")),
    ("01/01/2020", review_rules.PAST_DUE),
    ("", review_rules.NO_DUE),
])
def test_a_bad_request_writes_nothing(client, sheet, due, message):
    response = post(as_(client, "admin"), f"{MANAGE}/demander",
                    {"organisations": [str(org_id(sheet, "caue-48"))], "due_on": due, "message": "x" * 10})
    assert response.status_code == 422
    assert message in parse(response.text).find("form", id="demander").text()
    assert count(sheet, ReviewRequest) == 0 and the_sheet(sheet).version == 0
    assert mails(sheet, notices.ASKED) == []


def test_a_long_message_and_a_long_answer_are_refused(client, sheet):
    response = post(as_(client, "admin"), f"{MANAGE}/demander",
                    {"organisations": [str(org_id(sheet, "caue-48"))], "due_on": due_in(5), "message": "x" * 100_000})
    assert response.status_code == 422 and count(sheet, ReviewRequest) == 0
    ask(client, "caue-48", db=sheet)
    post(as_(client, "partner"), REVIEW, {**OPINION, "version": "1"})
    with sheet.session() as s:
        rid = s.scalar(select(Reservation.id).order_by(Reservation.id))
    response = post(as_(client, "admin"), f"{MANAGE}/reserves/{rid}", {"answer": "x" * 100_000})
    assert response.status_code == 422
    with sheet.session() as s:
        assert s.get(Reservation, rid).answer == ""
    assert post(client, f"{MANAGE}/reserves/999999").status_code == 404


def test_technical_meetings_are_linked_and_unlinked(client, sheet):
    db = sheet
    with db.transaction() as s:
        commune = s.scalar(select(Commune).where(Commune.slug == MAIN))
        start = utcnow() - timedelta(days=3)
        meeting = Workshop(commune_id=commune.id, phase="feasibility", kind="technical", title="Réunion DDT-CAUE",
                           starts_at=start, ends_at=start + timedelta(hours=2), public=False)
        walk = Workshop(commune_id=commune.id, phase="diagnostic", kind="walk", title="Balade",
                        starts_at=start, ends_at=start + timedelta(hours=2))
        s.add_all([meeting, walk])
        s.flush()
        meeting_id, walk_id = meeting.id, walk.id
    page = parse(get(as_(client, "admin"), MANAGE).text)
    options = [o.get("value") for o in page.find("form", id="lier-reunion").find_all("option")]
    assert str(meeting_id) in options and str(walk_id) not in options
    assert post(client, f"{MANAGE}/reunions", {"workshop": str(walk_id)}).status_code == 422
    assert post(client, f"{MANAGE}/reunions", {"workshop": "abc"}).status_code == 422
    assert post(client, f"{MANAGE}/reunions", {"workshop": str(meeting_id)}).status_code == 303
    with db.session() as s:
        assert s.scalar(select(Link).where(Link.target_kind == "sheet", Link.source_kind == "workshop")).source_id == meeting_id
    assert "Réunion DDT-CAUE" in parse(get(client, MANAGE).text).find("section", aria_labelledby="reunions").text()
    assert post(client, f"{MANAGE}/reunions/{meeting_id}/retirer").status_code == 303
    with db.session() as s:
        assert review.linked_meetings(s, s.get(ActionSheet, the_sheet(db).id)) == []


JUNK = [{}, {"version": "99999999999999999999", "verdict": "\x00", "amount": "1e308", "year": "-1"},
        {"version": "-1", "organisation": "x", "reservations": "\n" * 50 + "a" * 3000},
        {"organisations": ["99999999999999999999", "-1", "abc"], "due_on": "9999-99-99", "message": "=SUM(A1)"},
        {"workshop": "99999999999999999999", "reason": "x" * 6000, "answer": "\ufffd", "addressed": "nan"}]


@pytest.mark.parametrize("persona", ["admin", "partner"])
def test_no_review_form_answers_5xx_whatever_is_posted(client, sheet, persona):
    ask(client, "caue-48", "ddt-48", db=sheet)  # the DDT will not answer: no validation without a reason
    post(as_(client, "partner"), REVIEW, {**OPINION, "version": "1"})
    with sheet.session() as s:
        rid, line_id = s.scalar(select(Reservation.id)), s.scalar(select(FundingLine.id))
    urls = [REVIEW, f"{MANAGE}/demander", f"{MANAGE}/reserves/{rid}", f"{MANAGE}/lignes/{line_id}/ecarter",
            f"{MANAGE}/lignes/{line_id}/autre", f"{MANAGE}/valider", f"{MANAGE}/abandonner", f"{MANAGE}/reunions",
            f"{MANAGE}/reunions/99999/retirer"]
    as_(client, persona)
    before = (count(sheet, Opinion), count(sheet, ReviewRequest))
    for url in urls:
        for data in JUNK:
            response = post(client, url, data)
            assert response.status_code < 500, (url, data, response.text[-500:])
    assert (count(sheet, Opinion), count(sheet, ReviewRequest)) == before
    assert the_sheet(sheet).status == "review"
