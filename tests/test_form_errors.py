"""Every form answers an error the same way (templates/partials/_forms.html): a summary with
id form-errors that the focus can be moved to, whose links lead to elements of the page, and
each invalid field marked aria-invalid and described by an element that holds its message."""

from tests.conftest import MAIN, PERSONAS, csrf_token, get, post, sign_in_as
from tests.dom import form_values, parse

ADMIN = f"/communes/{MAIN}/gestion"
HTMX = {"HX-Request": "true"}


def check_errors(html: str, invalid: dict[str, str]):
    """The page's error summary, after checking it and the fields: `invalid` maps the id of each
    field that must be marked invalid to (a part of) the message that must describe it."""
    page = parse(html)
    summary = page.find(id="form-errors")
    assert summary is not None, "no error summary"
    assert (summary.get("role"), summary.get("tabindex")) == ("alert", "-1")
    ids = [e.get("id") for e in page.iter() if e.get("id")]
    assert sorted({i for i in ids if ids.count(i) > 1}) == []
    for link in summary.find_all("a"):
        assert page.find(id=link.get("href").removeprefix("#")) is not None, link.get("href")
    for element in page.find_all(aria_describedby=True):
        for described in element.get("aria-describedby").split():
            assert page.find(id=described) is not None, (element.get("id"), described)
    assert {e.get("id") for e in page.find_all(aria_invalid="true")} == set(invalid)
    for field_id, message in invalid.items():
        field = page.find(id=field_id)
        described = [page.find(id=i) for i in field.get("aria-describedby", "").split()]
        messages = [e.text() for e in described if e.get("class") != "hint"]
        assert any(message in text for text in messages), (field_id, messages)
        assert message in summary.text()
    return summary


def form_on(html: str, action: str):
    return parse(html).find("form", action=action)


def test_sign_in(client, db):
    response = post(client, "/connexion", {"email": PERSONAS["admin"], "password": "pas le bon mot de passe"})
    assert response.status_code == 422
    summary = check_errors(response.text, {"email": "incorrect", "password": "incorrect"})
    assert summary.find_all("a") == []  # a message for the whole form, linked to no field


def test_password_change(client, db):
    sign_in_as(client, PERSONAS["admin"])
    response = post(client, "/compte/mot-de-passe",
                    {"current_password": "pas le bon", "new_password": "court", "confirm_password": ""})
    assert response.status_code == 422
    summary = check_errors(response.text, {"current_password": "Le mot de passe actuel est incorrect.",
                                           "new_password": "au moins 12 caractères"})
    assert summary.find("a", href="#new_password").text().startswith("Le mot de passe doit compter")
    described = parse(response.text).find(id="new_password").get("aria-describedby")
    assert described == "new_password-hint new_password-error"


def test_local_group_member(client, db):
    sign_in_as(client, PERSONAS["admin"])
    url = f"{ADMIN}/groupe-local/membres"
    data = {"name": "", "kind": "roi", "function": "", "email": "pas-une-adresse"}
    expected = {"member-name": "Indiquez le nom du membre.", "member-kind": "Choisissez la qualité",
                "member-email": "Cette adresse e-mail n’est pas valide"}
    for headers in ({}, HTMX):  # the page, and the fragment htmx swaps in
        response = post(client, url, data, headers=headers)
        assert response.status_code == 422
        summary = check_errors(response.text, expected)
        assert summary.find("strong").text() == "Le membre n’a pas été ajouté : 3 points à revoir."
        assert summary.hrefs() == ["#member-name", "#member-kind", "#member-email"]


def test_new_place_and_edited_place(client, db):
    sign_in_as(client, PERSONAS["admin"])
    url = f"{ADMIN}/lieux"
    response = post(client, url, {"name": "", "description": "", "lon": "", "lat": ""})
    assert response.status_code == 422
    position = "Indiquez la position du lieu"
    check_errors(response.text, {"place-name": "Indiquez le nom du lieu", "place-lon": position, "place-lat": position})
    assert parse(response.text).find("fieldset", id="place-position").get("aria-describedby") == "place-position-error"
    place = next(href for href in parse(get(client, url).text).hrefs() if href.removeprefix(f"{url}/").isdigit())
    response = post(client, place, {"name": "x" * 121, "description": "", "lon": "3.5635", "lat": "44.4563"})
    assert response.status_code == 422
    summary = check_errors(response.text, {"place-name": "120 caractères"})
    assert summary.find("strong").text() == "Le lieu n’a pas été modifié : 1 point à revoir."


def test_perimeter(client, db):
    sign_in_as(client, PERSONAS["admin"])
    response = post(client, f"{ADMIN}/perimetre", {"perimeter": "ceci n’est pas du GeoJSON"},
                    files={"fichier": ("", b"", "application/octet-stream")})
    assert response.status_code == 422
    check_errors(response.text, {"perimeter": "JSON"})
    assert parse(response.text).find(id="perimeter").get("aria-describedby") == "perimeter-hint perimeter-error"


def test_commune_description(client, db):
    sign_in_as(client, PERSONAS["admin"])
    for headers in ({}, HTMX):
        response = post(client, f"{ADMIN}/description", {"description": "x" * 5001}, headers=headers)
        assert response.status_code == 422
        check_errors(response.text, {"description": "ne peut pas dépasser 5000 caractères (5001 actuellement)"})


def test_participation_settings(client, db):
    sign_in_as(client, PERSONAS["admin"])
    action = f"{ADMIN}/participation"
    values = form_values(form_on(get(client, ADMIN).text, action))
    response = post(client, action, {**values, "label-commerce": [""], "new_themes": ["Atelier\natelier"]})
    assert response.status_code == 422
    check_errors(response.text, {"label-commerce": "Donnez un nom à ce thème", "new_themes": "apparaît deux fois"})
    themes = parse(response.text).find("fieldset", id="themes")
    assert themes.get("aria-describedby") == "themes-hint"  # the hint, as long as the group itself is fine


def test_phase(client, db):
    from tests.test_commune_pages import without_emergence

    without_emergence(db)  # the demo's axes and retained ideas would open the gate
    sign_in_as(client, PERSONAS["admin"])
    action = f"{ADMIN}/phase"
    forms = parse(get(client, ADMIN).text).find_all("form", action=action)
    values = next(form_values(f) for f in forms if form_values(f)["direction"] == ["next"])
    response = post(client, action, {**values, "reason": ""})
    assert response.status_code == 422
    summary = check_errors(response.text, {})
    assert "n’est pas encore possible" in summary.text() and summary.find_all("a") == []
    refused = [f for f in parse(response.text).find_all("form", action=action) if f.get("aria-describedby")]
    assert [form_values(f)["direction"] for f in refused] == [["next"]]


def test_moderation(client, db):
    sign_in_as(client, PERSONAS["admin"])
    queue = f"{ADMIN}/moderation"
    forms = parse(get(client, queue).text).find_all("form")
    reject = next(f.get("action") for f in forms if f.get("action", "").endswith("/reject"))
    number = reject.split("/")[-2]
    response = post(client, reject, {"reason": "", "statut": "pending"})
    assert response.status_code == 422
    summary = check_errors(response.text, {})
    assert summary.hrefs() == [f"#contribution-{number}"]
    assert summary.find("a").text() == (f"Contribution n° {number} : Indiquez le motif : il est conservé "
                                        "et peut être communiqué à l’auteur.")


def test_commune_import(client, db):
    sign_in_as(client, PERSONAS["coordinator"])
    url = "/territoires/pays-des-sources-demo/gestion/communes"
    response = client.post(f"{url}/fichier", data={"_csrf_token": csrf_token(client), "codes": "48080"},
                           files={"fichier": ("", b"")}, follow_redirects=False)
    assert response.status_code == 422
    summary = check_errors(response.text, {})
    assert summary.text() == "Rien n’a été importé. Choisissez un fichier GeoJSON de communes."
    assert form_on(response.text, f"{url}/fichier").get("aria-describedby") == "form-errors"
    assert form_on(response.text, f"{url}/api").get("aria-describedby") is None


def contribution_form(client, url: str) -> dict:
    return form_values(parse(get(client, url).text).find("form", method="post", action=url))


def kind_radios(html: str, message: str) -> dict[str, str]:
    return {radio.get("id"): message for radio in parse(html).find_all("input", type="radio", name="kind")}


def test_contribution(client, db):
    url = f"/communes/{MAIN}/contribuer"
    values = contribution_form(client, url)
    values.update({"category": ["commerce"], "title": "ab", "where": ["none"], "author_name": "x" * 81,
                   "author_email": "pas-une-adresse"})
    values.pop("consent", None)
    for headers in ({}, HTMX):
        response = client.post(url, data={**values, "_csrf_token": csrf_token(client)}, headers=headers,
                               files={"photo": ("", b"", "application/octet-stream")}, follow_redirects=False)
        assert response.status_code == 422
        expected = {**kind_radios(response.text, "Choisissez s’il s’agit d’un atout"), "title": "Donnez un titre",
                    "author_name": "80 caractères", "author_email": "n’est pas valide", "consent": "Cochez la case"}
        summary = check_errors(response.text, expected)
        assert summary.find("strong").text() == "Votre contribution n’est pas encore envoyée : 5 points à revoir."
        assert summary.hrefs()[0] == "#kind-asset"


def test_contribution_with_no_place(client, db):
    url = f"/communes/{MAIN}/contribuer"
    values = {**contribution_form(client, url), "kind": ["idea"], "category": ["commerce"], "title": "Un titre",
              "consent": ["1"], "where": ["map"], "lon": "", "lat": ""}
    response = client.post(url, data={**values, "_csrf_token": csrf_token(client)},
                           files={"photo": ("", b"", "application/octet-stream")}, follow_redirects=False)
    assert response.status_code == 422
    where = {radio.get("id"): "Placez un repère" for radio in parse(response.text).find_all("input", name="where")}
    summary = check_errors(response.text, where)
    assert summary.hrefs() == ["#where-map"]
    assert parse(response.text).find("fieldset", id="where").get("aria-describedby") == "where-error"


def test_paper_entry(client, db):
    sign_in_as(client, PERSONAS["facilitator"])
    url = f"{ADMIN}/saisie"
    response = post(client, url, {**contribution_form(client, url), "title": ""})
    assert response.status_code == 422
    expected = {**kind_radios(response.text, "Choisissez s’il s’agit d’un atout"), "category": "Choisissez un thème",
                "title": "Donnez un titre"}
    summary = check_errors(response.text, expected)
    assert summary.find("strong").text() == "La contribution n’est pas enregistrée : 3 points à revoir."


def test_hints_describe_their_fields(client, db):
    """Before any error: each hint is named by the field or group it explains, and no field is invalid."""
    sign_in_as(client, PERSONAS["admin"])
    for url in (f"/communes/{MAIN}/contribuer", "/compte", ADMIN, f"{ADMIN}/perimetre", f"{ADMIN}/lieux",
                f"{ADMIN}/groupe-local", f"{ADMIN}/saisie"):
        page = parse(get(client, url).text)
        assert page.find(id="form-errors") is None and page.find_all(aria_invalid=True) == []
        described = {i for e in page.find_all(aria_describedby=True) for i in e.get("aria-describedby").split()}
        for hint in page.find_all("p", class_="hint"):
            if hint.parent.tag == "fieldset" or "field" in hint.parent.get("class", "").split():
                assert hint.get("id") in described, (url, hint.text())


def test_the_photo_hint_describes_the_photo_field(client, db):
    page = parse(get(client, f"/communes/{MAIN}/contribuer").text)
    photo = page.find("input", id="photo")
    hint = page.find(id=photo.get("aria-describedby"))
    assert hint.text() == "Sa position GPS et ses autres métadonnées sont effacées à l’enregistrement."

