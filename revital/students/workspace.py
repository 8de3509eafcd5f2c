"""The team's workspace during a week, phone first: /communes/{slug}/etudiants/semaines/{id}/atelier.
Members pin field observations on the map (with a photo), students draft proposals (title, text,
a point or an area on the map, images, PDF boards) and submit them; the supervisor asks for
changes with a comment, or approves. Every handler starts with the week looked up for one of its
members (revital.students.access: 404 for everyone else signed in).

Photos are processed outside any transaction (they take a while). A form that fails comes back with
everything typed; a photo is never kept across a failed form: the page says to choose it again."""

import json
import secrets

from litestar import Controller, Request
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from revital import geo, maps, submissions
from revital.contributions.services import inside_commune
from revital.documents import MAX_DOCUMENT, DocumentRefused, check_pdf
from revital.forms import Form
from revital.geography.services import boundary_of
from revital.photos import upload as photo_upload
from revital.photos.upload import PhotoError
from revital.routes import DB, get, post
from revital.students import rules, services
from revital.students.access import Team, team_proposal, team_week
from revital.text import clean_text
from revital.web import Forbidden, NotFound, confirmation, page, see_other

MESSAGES = {
    "observation": "L’observation est sur la carte, dans la couche des étudiants.",
    "observation-retiree": "L’observation est retirée de la carte.",
    "enregistree": "La proposition est enregistrée ; elle reste privée à l’équipe.",
    "soumise": "La proposition est soumise à l’encadrant·e, qui peut l’approuver ou demander des modifications.",
    "approuvee": "La proposition est approuvée : la commune peut la publier.",
    "modifications": "Les modifications sont demandées à l’équipe, avec votre commentaire.",
    "image": "L’image est ajoutée à la proposition.",
    "image-retiree": "L’image est retirée.",
    "planche": "La planche est jointe à la proposition.",
    "planche-retiree": "La planche est retirée.",
}
PHOTO_AGAIN = "Choisissez de nouveau la photo : elle n’a pas été gardée. Le reste de ce que vous avez saisi est ci-dessous."
STALE = ("La proposition a été modifiée par quelqu’un d’autre de l’équipe depuis l’affichage de cette page : "
         "rechargez-la avant de recommencer. Rien n’a été enregistré.")
NOT_EDITABLE = "La proposition est soumise ou approuvée : elle ne se modifie plus, sauf si l’encadrant·e demande des modifications."
MAX_PHOTO_UPLOAD = photo_upload.MAX_REQUEST
MAX_BOARD_UPLOAD = MAX_DOCUMENT + 256 * 1024
OBSERVATION_BLANK = {"kind": "", "title": "", "text": "", "lon": "", "lat": ""}
PROPOSAL_BLANK = {"title": "", "text": "", "where": "none", "lon": "", "lat": "", "area": "", "version": "0"}


def workspace_page(request: Request, db, team: Team, values=None, errors=None, status_code=200, ok=None) -> Template:
    settings = request.app.state.settings
    return page("students/workspace.html", status_code=status_code, **team.context(),
                values={**OBSERVATION_BLANK, **(values or {})}, errors=errors or {}, ok=ok,
                token=(values or {}).get("token") or secrets.token_urlsafe(24),
                observations=services.observations_of(db, team.week)[:100],
                proposals=services.proposals_of(db, team.week), observation_kinds=rules.OBSERVATION_KINDS,
                members=services.member_rows(db, team.week),
                map=maps.commune_map(settings, team.commune, maps.POINT_PICKER, lon="obs-lon", lat="obs-lat",
                                     markerLabel="Emplacement de l’observation"))


def values_of(proposal) -> dict:
    values = {**PROPOSAL_BLANK, "title": proposal.title, "text": proposal.text, "version": str(proposal.version)}
    if proposal.location:
        shape = json.loads(proposal.location)
        if shape.get("type") == "Point":
            values.update(where="point", lon=f"{proposal.lon:.6f}", lat=f"{proposal.lat:.6f}")
        else:
            values.update(where="area", area=proposal.location)
    return values


def proposal_page(request: Request, db, team: Team, proposal=None, values=None, errors=None, status_code=200,
                  ok=None) -> Template:
    settings = request.app.state.settings
    editable = proposal is None or rules.may_edit(proposal.status, team.role)
    if values is None:
        values = values_of(proposal) if proposal is not None else dict(PROPOSAL_BLANK)
    context = {}
    if editable and team.role == rules.STUDENT:
        context = {"point_map": maps.commune_map(settings, team.commune, maps.POINT_PICKER, lon="prop-lon",
                                                 lat="prop-lat", check="where-point",
                                                 markerLabel="Emplacement de la proposition"),
                   "area_map": maps.commune_map(settings, team.commune, maps.PERIMETER_EDITOR, field="prop-area",
                                                blank=True)}
    return page("students/proposal.html", status_code=status_code, **team.context(), proposal=proposal,
                values={**PROPOSAL_BLANK, **values}, errors=errors or {}, ok=ok, editable=editable, **context,
                may_submit=proposal is not None and rules.next_status(proposal.status, rules.SUBMIT, team.actor) is not None,
                may_review=proposal is not None and team.actor == rules.SUPERVISOR and proposal.status == rules.SUBMITTED,
                may_reopen=proposal is not None and team.actor == rules.SUPERVISOR and proposal.status == rules.APPROVED)


def locate(commune, values: dict) -> tuple[str | None, tuple[float, float] | None, dict]:
    """The proposal's location as GeoJSON text and its anchor point, or errors by field."""
    if values["where"] == "point":
        point, problem = rules.parse_position(values["lon"], values["lat"], inside_commune(commune))
        if problem:
            return None, None, {"lon": problem}
        return json.dumps({"type": "Point", "coordinates": list(point)}), point, {}
    if values["where"] == "area":
        try:
            area = geo.parse_geometry(values["area"], kinds=("Polygon",), max_vertices=2_000, what="la zone")
            boundary = boundary_of(commune)
            if boundary is not None:
                geo.require_within(area, boundary, what="La zone", where="la commune")
        except geo.GeometryError as error:
            return None, None, {"area": str(error)}
        anchor = area.representative_point()
        return geo.to_geojson(area), (round(anchor.x, 6), round(anchor.y, 6)), {}
    return None, None, {}


class WorkspaceController(Controller):
    path = "/communes/{slug:str}/etudiants/semaines/{week_id:int}/atelier"

    @get("/")
    def workspace(self, request: Request, db: DB, slug: FromPath[str], week_id: FromPath[int],
                  ok: FromQuery[str] = "") -> Template:
        team = team_week(request, db, slug, week_id)
        return workspace_page(request, db, team, ok=confirmation(MESSAGES, ok))

    @post("/observations", request_max_body_size=MAX_PHOTO_UPLOAD)
    def observe(self, request: Request, db: DB, slug: FromPath[str], week_id: FromPath[int],
                form: Form) -> Template | Redirect:
        db.read()
        team = team_week(request, db, slug, week_id)
        values, errors = rules.clean_observation(form, inside_commune(team.commune))
        errors.update(form.unreadable_errors())
        token = clean_text(form.get("token"))[:64]
        values["token"] = token
        if token and services.observation_by_token(db, token) is not None:  # the same form, sent again
            return see_other(f"{team.base}?ok=observation#observations")
        upload = form.upload("photo")
        if errors:
            if upload is not None:
                errors["photo"] = PHOTO_AGAIN
            return workspace_page(request, db, team, values, errors, 422)
        try:
            processed = photo_upload.process_outside(db, upload)
        except PhotoError as error:
            errors["photo"] = f"{error} Le reste de ce que vous avez saisi est gardé : choisissez une autre photo, ou envoyez sans photo."
            return workspace_page(request, db, team, values, errors, 422)
        services.add_observation(db, team.week, team.user.id, values, token, processed)
        db.commit()
        return see_other(f"{team.base}?ok=observation#observations")

    @post("/observations/{observation_id:int}/retirer")
    def unobserve(self, request: Request, db: DB, slug: FromPath[str], week_id: FromPath[int],
                  observation_id: FromPath[int]) -> Redirect:
        team = team_week(request, db, slug, week_id)
        if not services.remove_observation(db, team.week, observation_id):
            raise NotFound("Cette observation n’existe pas dans cette semaine.")
        db.commit()
        return see_other(f"{team.base}?ok=observation-retiree#observations")

    @get("/propositions/nouvelle")
    def new(self, request: Request, db: DB, slug: FromPath[str], week_id: FromPath[int]) -> Template:
        team = self.students_only(request, db, slug, week_id)
        return proposal_page(request, db, team)

    @post("/propositions/nouvelle")
    def create(self, request: Request, db: DB, slug: FromPath[str], week_id: FromPath[int],
               form: Form) -> Template | Redirect:
        return self.write(request, db, self.students_only(request, db, slug, week_id), form, None)

    @get("/propositions/{proposal_id:int}")
    def proposal(self, request: Request, db: DB, slug: FromPath[str], week_id: FromPath[int],
                 proposal_id: FromPath[int], ok: FromQuery[str] = "") -> Template:
        team = team_week(request, db, slug, week_id)
        return proposal_page(request, db, team, team_proposal(db, team, proposal_id), ok=confirmation(MESSAGES, ok))

    @post("/propositions/{proposal_id:int}")
    def update(self, request: Request, db: DB, slug: FromPath[str], week_id: FromPath[int],
               proposal_id: FromPath[int], form: Form) -> Template | Redirect:
        team = team_week(request, db, slug, week_id)
        return self.write(request, db, team, form, team_proposal(db, team, proposal_id))

    def write(self, request: Request, db, team: Team, form, proposal) -> Template | Redirect:
        values, errors = rules.clean_proposal(form)
        values["version"] = clean_text(form.get("version"))[:12]
        errors.update(form.unreadable_errors())
        if proposal is not None and not rules.may_edit(proposal.status, team.role):
            return proposal_page(request, db, team, proposal, values, {"form": NOT_EDITABLE}, 409)
        location, point, problems = locate(team.commune, values)
        errors.update(problems)
        if errors:
            return proposal_page(request, db, team, proposal, values, errors, 422)
        if proposal is not None:
            seen = int(values["version"]) if values["version"].isdigit() else -1
            if services.lock(db, proposal) != seen:
                db.rollback()
                return proposal_page(request, db, team, proposal, values, {"form": STALE}, 409)
        once = submissions.key_of(form) if proposal is None else None
        if (gone := submissions.taken(db, once)) is not None:  # sent twice: the first made it
            db.rollback()
            return see_other(gone or team.base)
        proposal = services.save_proposal(db, team.week, team.user.id, values, location, point, proposal)
        submissions.finish(db, once, target := f"{team.base}/propositions/{proposal.id}?ok=enregistree")
        db.commit()
        return see_other(target)

    @post("/propositions/{proposal_id:int}/soumettre")
    def submit(self, request: Request, db: DB, slug: FromPath[str], week_id: FromPath[int],
               proposal_id: FromPath[int]) -> Template | Redirect:
        team = team_week(request, db, slug, week_id)
        proposal = team_proposal(db, team, proposal_id)
        refused = rules.refusal(proposal.status, rules.SUBMIT, team.actor)
        if refused:
            return proposal_page(request, db, team, proposal, errors={"form": refused}, status_code=409)
        services.lock(db, proposal)
        services.move(proposal, rules.SUBMITTED)
        db.commit()
        return see_other(f"{team.base}/propositions/{proposal.id}?ok=soumise")

    @post("/propositions/{proposal_id:int}/avis")
    def review(self, request: Request, db: DB, slug: FromPath[str], week_id: FromPath[int],
               proposal_id: FromPath[int], form: Form) -> Template | Redirect:
        team = team_week(request, db, slug, week_id)
        proposal = team_proposal(db, team, proposal_id)
        action = {"approuver": rules.APPROVE, "modifier": rules.REQUEST_CHANGES}.get(form.get("decision", ""))
        if action is None:
            return proposal_page(request, db, team, proposal, errors={"decision": "Choisissez : approuver, ou demander des modifications."},
                                 status_code=422)
        refused = rules.refusal(proposal.status, action, team.actor)
        if refused:
            return proposal_page(request, db, team, proposal, errors={"form": refused}, status_code=409)
        comment, problem = rules.clean_comment(form.get("comment"), action)
        if problem:
            return proposal_page(request, db, team, proposal, errors={"comment": problem}, status_code=422)
        services.lock(db, proposal)
        services.move(proposal, rules.next_status(proposal.status, action, team.actor), comment)
        db.commit()
        return see_other(f"{team.base}/propositions/{proposal.id}?ok={'approuvee' if action == rules.APPROVE else 'modifications'}")

    @post("/propositions/{proposal_id:int}/images", request_max_body_size=MAX_PHOTO_UPLOAD)
    def add_image(self, request: Request, db: DB, slug: FromPath[str], week_id: FromPath[int],
                  proposal_id: FromPath[int], form: Form) -> Template | Redirect:
        db.read()
        team, proposal = self.editable(request, db, slug, week_id, proposal_id)
        if not isinstance(team, Team):
            return team
        upload, alt = form.upload("image"), clean_text(form.get("alt"))[:200]
        errors = {}
        if upload is None:
            errors["image"] = "Choisissez une image (JPEG, PNG ou WebP)."
        elif len(proposal.images) >= rules.MAX_IMAGES:
            errors["image"] = f"{rules.MAX_IMAGES} images au plus par proposition."
        if not alt:
            errors["alt"] = "Décrivez l’image en quelques mots pour les personnes qui ne la voient pas."
            if upload is not None:
                errors["image"] = PHOTO_AGAIN
        if errors:
            return proposal_page(request, db, team, proposal, errors=errors, status_code=422)
        try:
            processed = photo_upload.process_outside(db, upload)
        except PhotoError as error:
            return proposal_page(request, db, team, proposal, errors={"image": str(error)}, status_code=422)
        services.add_image(db, team_proposal(db, team, proposal_id), processed, alt)
        db.commit()
        return see_other(f"{team.base}/propositions/{proposal_id}?ok=image#images")

    @post("/propositions/{proposal_id:int}/images/{image_id:int}/retirer")
    def remove_image(self, request: Request, db: DB, slug: FromPath[str], week_id: FromPath[int],
                     proposal_id: FromPath[int], image_id: FromPath[int]) -> Template | Redirect:
        team, proposal = self.editable(request, db, slug, week_id, proposal_id)
        if not isinstance(team, Team):
            return team
        if not services.remove_image(db, proposal, image_id):
            return proposal_page(request, db, team, proposal, errors={"form": "Cette image n’existe pas."}, status_code=404)
        db.commit()
        return see_other(f"{team.base}/propositions/{proposal_id}?ok=image-retiree#images")

    @post("/propositions/{proposal_id:int}/planches", request_max_body_size=MAX_BOARD_UPLOAD)
    def add_board(self, request: Request, db: DB, slug: FromPath[str], week_id: FromPath[int],
                  proposal_id: FromPath[int], form: Form) -> Template | Redirect:
        team, proposal = self.editable(request, db, slug, week_id, proposal_id)
        if not isinstance(team, Team):
            return team
        upload = form.upload("board")
        try:
            if upload is None:
                raise DocumentRefused("Choisissez une planche au format PDF (20 Mo au plus).")
            if len(proposal.boards) >= rules.MAX_BOARDS:
                raise DocumentRefused(f"{rules.MAX_BOARDS} planches au plus par proposition.")
            name = check_pdf(upload.filename, upload.file.read(MAX_DOCUMENT + 1), "exportez la planche en PDF")
        except DocumentRefused as refusal:
            return proposal_page(request, db, team, proposal, errors={"board": str(refusal)}, status_code=422)
        upload.file.seek(0)
        services.add_board(db, proposal, name, upload.file.read())
        db.commit()
        return see_other(f"{team.base}/propositions/{proposal_id}?ok=planche#planches")

    @post("/propositions/{proposal_id:int}/planches/{board_id:int}/retirer")
    def remove_board(self, request: Request, db: DB, slug: FromPath[str], week_id: FromPath[int],
                     proposal_id: FromPath[int], board_id: FromPath[int]) -> Template | Redirect:
        team, proposal = self.editable(request, db, slug, week_id, proposal_id)
        if not isinstance(team, Team):
            return team
        if not services.remove_board(db, proposal, board_id):
            return proposal_page(request, db, team, proposal, errors={"form": "Cette planche n’existe pas."}, status_code=404)
        db.commit()
        return see_other(f"{team.base}/propositions/{proposal_id}?ok=planche-retiree#planches")

    @staticmethod
    def students_only(request: Request, db, slug: str, week_id: int) -> Team:
        team = team_week(request, db, slug, week_id)
        if team.role != rules.STUDENT:
            raise Forbidden("Les propositions sont écrites par les étudiants de la semaine ; l’encadrant·e les relit.")
        return team

    @staticmethod
    def editable(request: Request, db, slug: str, week_id: int, proposal_id: int):
        """(team, proposal) when a student may still change the proposal; else (the page saying why, None)."""
        team = WorkspaceController.students_only(request, db, slug, week_id)
        proposal = team_proposal(db, team, proposal_id)
        if not rules.may_edit(proposal.status, team.role):
            return proposal_page(request, db, team, proposal, errors={"form": NOT_EDITABLE}, status_code=409), None
        return team, proposal
