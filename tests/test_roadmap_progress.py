"""Following the roadmap: the back office /communes/{slug}/gestion/feuille-de-route/suivi per persona,
the progress form (stale form, bad input, journal entry on a status change, the snapshot untouched),
the dated notes with photos, progress_of, the public fragment and the action's public page."""

import io
from datetime import date, timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from revital.journal.models import JournalPost
from revital.roadmaps import progress, progress_rules
from revital.roadmaps.models import Progress, ProgressNote, ProgressPhoto, Roadmap
from revital.sheets import rules as sheet_rules
from tests.conftest import MAIN, PERSONAS, csrf_token, get, post, sign_in_as, text_of
from tests.dom import parse
from tests.test_roadmap_opendata import clean, publish  # noqa: F401  (the fixture and the factory)

BASE = f"/communes/{MAIN}/gestion/feuille-de-route/suivi"
MAY = ["admin", "coordinator"]
MAY_NOT = ["resident", "facilitator", "student", "supervisor", "partner", "other_admin"]


@pytest.fixture
def published(clean):
    return publish(clean)


def form_url(info, index=0) -> str:
    return f"{BASE}/{info['numbers'][index]}"


def progress_rows(db):
    with db.session() as s:
        return [(p.sheet_id, p.status, p.percent, p.spent_cents, p.version) for p in s.scalars(select(Progress))]


def journal_count(db) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(JournalPost))


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 200), (40, 120, 60)).save(out, "PNG")
    return out.getvalue()


# Who may.


@pytest.mark.parametrize("persona", MAY)
def test_it_works(client, published, persona):
    sign_in_as(client, PERSONAS[persona])
    listing = get(client, f"{BASE}/")
    assert listing.status_code == 200
    dom = parse(listing.text)
    assert dom.find("h1").text() == "Suivi de la feuille de route · Saint-Étienne-du-Valdonnez"
    assert [f"{BASE}/{n}" for n in published["numbers"]] == [h for h in dom.find("tbody").hrefs()]
    page = get(client, form_url(published))
    assert page.status_code == 200
    forms = {f.get("action") for f in parse(page.text).find_all("form")}
    assert {form_url(published), form_url(published) + "/notes"} <= forms


@pytest.mark.parametrize("persona", MAY_NOT)
def test_it_checks_the_permission(client, published, persona):
    sign_in_as(client, PERSONAS[persona])
    assert get(client, f"{BASE}/").status_code == 403
    assert get(client, form_url(published)).status_code == 403
    assert post(client, form_url(published), {"status": "en_cours", "percent": "10", "version": "0"}).status_code == 403
    assert post(client, form_url(published) + "/notes", {"text": "Non."}).status_code == 403
    assert progress_rows(published_db(client)) == []


def published_db(client):
    return client.app.state.db


def test_anonymous_visitors_are_sent_to_sign_in(client, published):
    for response in (get(client, f"{BASE}/"), post(client, form_url(published), {"status": "en_cours"})):
        assert response.status_code == 303
        assert response.headers["location"].startswith("/connexion?suivant=")


def test_without_a_published_roadmap(client, clean):
    sign_in_as(client, PERSONAS["admin"])
    listing = get(client, f"{BASE}/")
    assert listing.status_code == 200
    assert "La commune n’a pas encore publié de feuille de route" in text_of(listing.text)
    missing = get(client, f"{BASE}/1")
    assert missing.status_code == 404
    assert get(client, f"/communes/{MAIN}/feuille-de-route/actions/1").status_code == 404


def test_an_action_not_in_the_latest_roadmap_is_a_404(client, published):
    sign_in_as(client, PERSONAS["admin"])
    assert get(client, f"{BASE}/{published['numbers'][-1] + 50}").status_code == 404
    assert post(client, f"{BASE}/{published['numbers'][-1] + 50}", {"status": "en_cours", "version": "0"}).status_code == 404


# The progress form.


def test_saving_progress_writes_the_journal_and_keeps_the_snapshot(client, published, clean):
    sign_in_as(client, PERSONAS["admin"])
    with clean.session() as s:
        snapshot_before = s.get(Roadmap, published["roadmap"]).snapshot
    entries = journal_count(clean)
    response = post(client, form_url(published), {"status": "en_cours", "percent": "30", "spent": "12 500,50",
                                                  "version": "0"})
    assert response.status_code == 303 and response.headers["location"] == form_url(published) + "?ok=suivi"
    assert progress_rows(clean) == [(published["sheets"][0], "en_cours", 30, 1_250_050, 1)]
    assert journal_count(clean) == entries + 1
    with clean.session() as s:
        entry = s.scalars(select(JournalPost).order_by(JournalPost.id.desc())).first()
        assert entry.kind == progress.JOURNAL_KIND
        assert entry.title == f"Action n° {published['numbers'][0]} « Réaménager la place de l’église » : en cours"
        assert f"/communes/{MAIN}/feuille-de-route/actions/{published['numbers'][0]}" in entry.body
        assert s.get(Roadmap, published["roadmap"]).snapshot == snapshot_before
    page = parse(get(client, form_url(published) + "?ok=suivi").text)
    assert page.find("input", name="spent").get("value") == "12500,50"
    assert page.find("input", name="version").get("value") == "1"
    # Same status, other figures: no new journal entry.
    assert post(client, form_url(published), {"status": "en_cours", "percent": "45", "spent": "13000",
                                              "version": "1"}).status_code == 303
    assert journal_count(clean) == entries + 1
    # Done: the percentage follows.
    assert post(client, form_url(published), {"status": "termine", "percent": "90", "version": "2"}).status_code == 303
    assert progress_rows(clean) == [(published["sheets"][0], "termine", 100, 0, 3)]
    assert journal_count(clean) == entries + 2


def test_an_anonymous_visitor_sees_new_progress_at_once(client, published, clean):
    public = f"/communes/{MAIN}/feuille-de-route/actions/{published['numbers'][0]}"
    assert "30 %" not in text_of(get(client, public).text)  # kept rendered for anonymous visitors
    sign_in_as(client, PERSONAS["admin"])
    assert post(client, form_url(published), {"status": "en_cours", "percent": "30", "spent": "",
                                              "version": "0"}).status_code == 303
    client.cookies.delete("revital_session", domain="testserver.local")
    assert "30 %" in text_of(get(client, public).text)


def test_a_stale_form_loses_nothing(client, published, clean):
    sign_in_as(client, PERSONAS["admin"])
    assert post(client, form_url(published), {"status": "en_cours", "percent": "30", "version": "0"}).status_code == 303
    stale = post(client, form_url(published), {"status": "bloque", "percent": "35", "spent": "800", "version": "0"})
    assert stale.status_code == 409
    dom = parse(stale.text)
    assert "modifié par quelqu’un d’autre" in dom.find(id="form-errors").text()
    assert dom.find("input", name="percent").get("value") == "35"  # what was typed is still there
    assert progress_rows(clean) == [(published["sheets"][0], "en_cours", 30, 0, 1)]


@pytest.mark.parametrize("data, field, message", [
    ({"status": "en_cours", "percent": "120"}, "percent", "un nombre entier de 0 à 100"),
    ({"status": "en_cours", "percent": "-5"}, "percent", "un nombre entier de 0 à 100"),
    ({"status": "en_cours", "percent": "trente"}, "percent", "un nombre entier de 0 à 100"),
    ({"status": "en_cours", "spent": "abc"}, "spent", "en euros"),
    ({"status": "en_cours", "spent": "1e9"}, "spent", "en euros"),
    ({"status": "fini"}, "status", "Choisissez l’état"),
    ({"status": ""}, "status", "Choisissez l’état"),
])
def test_bad_progress_input(client, published, clean, data, field, message):
    sign_in_as(client, PERSONAS["coordinator"])
    entries = journal_count(clean)
    response = post(client, form_url(published), {**data, "version": "0"})
    assert response.status_code == 422
    dom = parse(response.text)
    assert message in dom.find(id=f"{field}-error").text()
    assert dom.find(id=field).get("aria-invalid") == "true"
    assert progress_rows(clean) == [] and journal_count(clean) == entries


def test_bad_version_is_stale(client, published, clean):
    sign_in_as(client, PERSONAS["admin"])
    assert post(client, form_url(published), {"status": "en_cours", "version": "x"}).status_code == 409
    assert progress_rows(clean) == []


# Notes.


def note_rows(db):
    with db.session() as s:
        return [(n.sheet_id, n.on, n.text) for n in s.scalars(select(ProgressNote))]


def test_a_note_with_a_photo_is_public(client, published, clean):
    sign_in_as(client, PERSONAS["admin"])
    url = form_url(published) + "/notes"
    on = date.today() - timedelta(days=3)
    response = client.post(url, data={"_csrf_token": csrf_token(client), "on": on.strftime("%d/%m/%Y"),
                                      "text": "Les **études** sont lancées. <script>alert(1)</script>",
                                      "alt": "La place vue du clocher"},
                           files={"photo": ("place.png", png(), "image/png")}, follow_redirects=False)
    assert response.status_code == 303
    assert note_rows(clean) == [(published["sheets"][0], on,
                                 "Les **études** sont lancées. <script>alert(1)</script>")]
    client.cookies.clear()
    public = get(client, f"/communes/{MAIN}/feuille-de-route/actions/{published['numbers'][0]}")
    assert public.status_code == 200
    dom = parse(public.text)
    assert dom.find("h1").text() == f"Action n° {published['numbers'][0]} · Réaménager la place de l’église"
    assert "<script>alert(1)</script>" not in public.text
    assert "Les études sont lancées." in dom.find(id=f"avancement-{published['numbers'][0]}").parent.text()
    image = dom.find("img")
    assert image.get("alt") == "La place vue du clocher"
    photo = get(client, image.get("src"))
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/jpeg"
    assert get(client, f"/communes/{MAIN}/feuille-de-route/photos/inconnu.jpg").status_code == 404


@pytest.mark.parametrize("data, field, message", [
    ({"on": "31/02/2027", "text": "Réunion."}, "note-on", "Cette date n’existe pas"),
    ({"on": "01/01/2999", "text": "Réunion."}, "note-on", "dans le futur"),
    ({"on": "", "text": "x" * 100_000}, "note-text", "dépasse"),
    ({"on": "", "text": "   "}, "note-text", "Écrivez la note"),
    ({"text": "Réunion.", "alt": "y" * 300}, "note-alt", "dépasse 200 caractères"),
])
def test_bad_note_input(client, published, clean, data, field, message):
    sign_in_as(client, PERSONAS["admin"])
    response = post(client, form_url(published) + "/notes", data)
    assert response.status_code == 422
    assert message in parse(response.text).find(id=f"{field}-error").text()
    assert note_rows(clean) == []


def test_a_photo_needs_its_description_and_a_real_image(client, published, clean):
    sign_in_as(client, PERSONAS["admin"])
    url = form_url(published) + "/notes"
    no_alt = client.post(url, data={"_csrf_token": csrf_token(client), "text": "Chantier."},
                         files={"photo": ("place.png", png(), "image/png")}, follow_redirects=False)
    assert no_alt.status_code == 422
    assert "Décrivez la photo" in parse(no_alt.text).find(id="note-alt-error").text()
    not_image = client.post(url, data={"_csrf_token": csrf_token(client), "text": "Chantier.", "alt": "Chantier"},
                            files={"photo": ("place.png", b"not an image at all", "image/png")}, follow_redirects=False)
    assert not_image.status_code == 422
    assert parse(not_image.text).find(id="note-photo-error") is not None
    assert note_rows(clean) == []
    with clean.session() as s:
        assert s.scalar(select(func.count()).select_from(ProgressPhoto)) == 0


def test_removing_a_note(client, published, clean):
    sign_in_as(client, PERSONAS["admin"])
    assert post(client, form_url(published) + "/notes", {"text": "Réunion de chantier."}).status_code == 303
    with clean.session() as s:
        note_id = s.scalar(select(ProgressNote.id))
    assert post(client, f"{form_url(published, 1)}/notes/{note_id}/supprimer").status_code == 404  # another action
    assert post(client, f"{form_url(published)}/notes/{note_id}/supprimer").status_code == 303
    assert note_rows(clean) == []


# progress_of and the fragment.


def test_progress_of(client, published, clean):
    sign_in_as(client, PERSONAS["admin"])
    post(client, form_url(published), {"status": "en_retard", "percent": "20", "spent": "1 000", "version": "0"})
    post(client, form_url(published) + "/notes", {"on": "2025-01-10", "text": "Première note."})
    post(client, form_url(published) + "/notes", {"on": "2025-01-20", "text": "Dernière note."})
    post(client, form_url(published, 1) + "/notes", {"text": "Note seule."})
    with clean.session() as s:
        views = progress.progress_of(s, published["commune"])
    first, second = (views[i] for i in published["sheets"][:2])
    assert (first.status, first.status_label, first.percent, first.spent_cents) == ("en_retard", "En retard", 20, 100_000)
    assert first.last_note.text == "Dernière note." and first.notes_count == 2
    assert (second.status, second.status_label, second.version, second.last_note.text) == ("a_venir", "À venir", 0,
                                                                                            "Note seule.")
    assert published["sheets"][2] not in views
    assert progress.view_or_default(views, published["sheets"][2]).status_label == "À venir"


def test_the_fragment_renders_alone(client, published, clean):
    sign_in_as(client, PERSONAS["admin"])
    post(client, form_url(published), {"status": "en_cours", "percent": "60", "spent": "12 500,50", "version": "0"})
    with clean.session() as s:
        view = progress.progress_of(s, published["commune"])[published["sheets"][0]]
    action = {"number": published["numbers"][0], "title": "Place", "cost_cents": 25_000_050}
    template = client.app.template_engine.get_template("roadmaps/_progress.html")
    html = template.render(commune={"slug": MAIN}, action=action, progress=view, euros=sheet_rules.euros)
    dom = parse(html)
    assert dom.find("progress").get("value") == "60"
    assert "En cours" in dom.text()
    spaced = dom.text().replace("\u202f", " ").replace("\xa0", " ")
    assert "Dépenses réalisées : 12 500,50 € sur 250 000,50 € prévus." in spaced


def test_spending_typed_the_french_way():
    def spent(typed):
        values, errors = progress_rules.clean_progress({"status": "en_cours", "spent": typed})
        return errors.get("spent") or values["spent_cents"]

    assert spent("12 500,50") == 1_250_050
    assert spent("12\u202f500,5 €") == 1_250_050
    assert spent("12500.50") == 1_250_050
    assert spent("1.250") == 125_000
    assert spent("") == 0 and spent("  ") == 0  # nothing typed, nothing spent
    for bad in ("abc", "12,505", "1e9", "12 50"):
        assert "n’est pas un montant en euros" in spent(bad)
    assert spent("-5") == "Un montant ne peut pas être négatif."
