"""The workshop kit to print: /communes/{slug}/ateliers/{id}/kit.pdf, rendered by WeasyPrint from
templates/workshops/kit.html.

Three pages: the A3 landscape map of the study perimeter with its lettered grid (kitmap), the A4
paper contribution form with the fields of the online one, and the A4 sign-in sheet. The QR code
(segno, inline SVG) leads to the commune's online contribution form. Nothing is fetched: the map
is drawn from our geometries, the stylesheet is in the template, the fonts are the system's.

A kit is rendered once per version of what it shows (the workshop's version, the commune's
geography and themes) and kept per process (`app.state.kits`): printing twice renders once.
Without WeasyPrint or its system libraries (Pango), the route answers a French 503 that says so.
"""

import hashlib
import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

import segno
from litestar import Controller, Request, Response
from litestar.params import FromPath
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from revital import printing
from revital.caching import Cache
from revital.communes.access import managed_commune
from revital.communes.models import Commune
from revital.contributions import rules as contribution_rules
from revital.contributions import themes
from revital.formatting import MONTHS, paris
from revital.geo import GeometryError, from_geojson
from revital.geography import services as geography
from revital.permissions import MANAGE_WORKSHOPS
from revital.routes import DB, get
from revital.text import french_order
from revital.web import PublicError, get_or_404
from revital.workshops import kitmap
from revital.workshops.models import Registration, Workshop
from revital.workshops.rules import CONFIRMED, KINDS

log = logging.getLogger(__name__)

TEMPLATE = "workshops/kit.html"
WEASYPRINT = "weasyprint"  # the module loaded (a test points it at one that fails to load)
SIGN_IN_ROWS = 18
BLANK_ROWS = 6
NO_WORKSHOP = "Cet atelier n’existe pas dans cette commune."
NO_GEOMETRY = ("Le kit ne peut pas être produit : la commune n’a ni limites communales ni périmètre d’étude "
               "pour dessiner la carte. Importez ses limites ou tracez le périmètre, puis réessayez.")
UNAVAILABLE = ("Le kit d’atelier ne peut pas être produit sur ce serveur : WeasyPrint, qui fabrique les PDF, "
               "n’a pas pu être chargé ({reason}). L’administrateur du serveur doit installer WeasyPrint et "
               "ses bibliothèques système Pango (paquets Debian libpango-1.0-0 et libpangoft2-1.0-0). "
               "Le reste du site fonctionne normalement.")
WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


class KitUnavailable(PublicError):
    status_code = 503


class NoMap(PublicError):
    status_code = 409


def load_weasyprint():
    return printing.load_weasyprint(WEASYPRINT, KitUnavailable, UNAVAILABLE, "workshop kit")


# --- What the kit shows --------------------------------------------------------------------

def form_url(base_url: str, slug: str) -> str:
    """The absolute address of the commune's online contribution form."""
    return f"{base_url.rstrip('/')}/communes/{slug}/contribuer"


def short_address(url: str) -> str:
    """An address as one types it: no scheme."""
    parts = urlsplit(url)
    return parts.netloc + parts.path


def qr_svg(url: str) -> Markup:
    """The QR code of an address as inline SVG (our own markup: the address is ours)."""
    code = segno.make(url, error="m", micro=False)
    return Markup(code.svg_inline(scale=1, border=4, dark="#000", omitsize=True, title=None, svgclass="qr"))


def when_fr(workshop: Workshop) -> str:
    """"samedi 14 mars 2027, de 10 h 00 à 12 h 30" (Paris time)."""
    start, end = paris(workshop.starts_at), paris(workshop.ends_at)
    day = f"{WEEKDAYS[start.weekday()]} {'1er' if start.day == 1 else start.day} {MONTHS[start.month - 1]} {start.year}"
    if start.date() == end.date():
        return f"{day}, de {start.hour} h {start.minute:02d} à {end.hour} h {end.minute:02d}"
    end_day = f"{WEEKDAYS[end.weekday()]} {'1er' if end.day == 1 else end.day} {MONTHS[end.month - 1]} {end.year}"
    return f"du {day} à {start.hour} h {start.minute:02d} au {end_day} à {end.hour} h {end.minute:02d}"


@dataclass(frozen=True)
class KitData:
    """What the kit is built from, read from the database (or made by a test)."""

    commune_name: str
    commune_slug: str
    boundary_source: str
    boundary: object  # shapely geometries, or None
    perimeter: object
    places: list[tuple[str, float, float]]  # name, lon, lat, in the order of their numbers
    categories: dict[str, str]
    title: str
    kind: str
    when: str
    where: str
    # The confirmed registrations, printed on the sign-in sheet: name, number of people.
    registered: tuple[tuple[str, int], ...] = ()


def kit_context(data: KitData, base_url: str) -> dict:
    """The template's context: the map's drawing, the QR code, the form's and the sheet's parts."""
    try:
        drawing = kitmap.draw(data.boundary, data.perimeter, data.places)
    except ValueError:
        raise NoMap(NO_GEOMETRY) from None
    url = form_url(base_url, data.commune_slug)
    return {
        "kit": data, "map": drawing, "kind_label": KINDS.get(data.kind, ""),
        "form_url": url, "form_address": short_address(url), "qr": qr_svg(url),
        "privacy_address": short_address(f"{base_url.rstrip('/')}/confidentialite"),
        "kinds": contribution_rules.KINDS, "categories": data.categories,
        "max_title": contribution_rules.TITLE_MAX, "registered": data.registered,
        # Blank rows after the registered, for those who come without: SIGN_IN_ROWS in all, at least BLANK_ROWS blank.
        "rows": range(len(data.registered) + 1, max(SIGN_IN_ROWS, len(data.registered) + BLANK_ROWS) + 1),
    }


def kit_html(templates, context: dict) -> str:
    """The kit's HTML (templates: the app's template engine or a Jinja environment)."""
    return templates.get_template(TEMPLATE).render(**context)


def render_pdf(html: str) -> bytes:
    weasyprint = load_weasyprint()
    return weasyprint.HTML(string=html, base_url=None, url_fetcher=printing.refuse_fetch).write_pdf()


# --- From the database ---------------------------------------------------------------------

def workshop_in(db: Session, commune: Commune, workshop_id: int) -> Workshop:
    workshop = db.scalar(select(Workshop).where(Workshop.id == workshop_id, Workshop.commune_id == commune.id))
    return get_or_404(workshop, NO_WORKSHOP)


def registered(db: Session, workshop: Workshop) -> tuple[tuple[str, int], ...]:
    """The confirmed registrations, by name: the first rows of the sign-in sheet."""
    rows = db.execute(select(Registration.name, Registration.people).where(
        Registration.workshop_id == workshop.id, Registration.status == CONFIRMED)).all()
    return tuple(sorted(((name, people) for name, people in rows), key=lambda row: french_order(row[0])))


def cache_key(commune: Commune, workshop: Workshop, names: tuple = ()) -> tuple:
    """The versions of what a kit shows: the workshop's, the commune's geography (boundary,
    perimeter, places), and what carries no version of its own: the commune's name and themes,
    and the registered people printed on the sign-in sheet (names: registered())."""
    own = hashlib.sha256(f"{commune.name}\x00{commune.categories or ''}\x00{names!r}".encode()).hexdigest()[:16]
    return ("kit", workshop.id, workshop.version, commune.id, commune.geo_version, own)


def geometry(text: str | None):
    if not text:
        return None
    try:
        return from_geojson(text)
    except GeometryError:
        log.warning("unreadable stored geometry, left off the workshop kit")
        return None


def kit_data(db: Session, commune: Commune, workshop: Workshop, names: tuple | None = None) -> KitData:
    places = geography.places_of(db, commune.id)  # numbered in this order on the map and its legend
    where = workshop.place.name if workshop.place is not None else workshop.address
    return KitData(
        commune_name=commune.name, commune_slug=commune.slug, boundary_source=commune.boundary_source,
        boundary=geometry(commune.boundary), perimeter=geometry(commune.perimeter),
        places=[(p.name, p.lon, p.lat) for p in places],
        categories=themes.active(themes.load(commune.categories)),
        title=workshop.title, kind=workshop.kind, when=when_fr(workshop), where=where,
        registered=registered(db, workshop) if names is None else names,
    )


def build_kit(db: Session, templates, base_url: str, commune: Commune, workshop: Workshop,
              names: tuple | None = None) -> bytes:
    return render_pdf(kit_html(templates, kit_context(kit_data(db, commune, workshop, names), base_url)))


def kit_pdf(cache: Cache, db: Session, templates, base_url: str, commune: Commune, workshop: Workshop) -> bytes:
    """The kit's PDF, rendered once per version (WeasyPrint is checked first: no work for a 503)."""
    names = registered(db, workshop)
    key = cache_key(commune, workshop, names)
    found = cache.get(key)
    if found is not None:
        return found
    load_weasyprint()
    return cache.put(key, build_kit(db, templates, base_url, commune, workshop, names))


class KitController(Controller):
    path = "/communes/{slug:str}/ateliers/{workshop_id:int}"

    @get("/kit.pdf")
    def kit(self, request: Request, db: DB, slug: FromPath[str], workshop_id: FromPath[int]) -> Response:
        """Runs in a worker thread (revital.routes): a cold render takes a few tenths of a second."""
        managed = managed_commune(request, db, slug, MANAGE_WORKSHOPS)
        commune = managed.commune
        workshop = workshop_in(db, commune, workshop_id)
        state = request.app.state
        pdf = kit_pdf(state.kits, db, request.app.template_engine, state.settings.base_url, commune, workshop)
        return Response(pdf, media_type="application/pdf", headers={
            "Content-Disposition": f'inline; filename="kit-atelier-{commune.slug}-{workshop.id}.pdf"',
            "Cache-Control": "private, no-store",
        })
