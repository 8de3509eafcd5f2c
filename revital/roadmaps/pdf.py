"""The roadmap as a PDF (WeasyPrint, A4, templates/roadmaps/pdf.html): a cover, the table of
contents, the axes, the calendar, the funding table, the map, then one page per action.

A version is rendered once and kept with it (roadmaps.pdf, pdf_pages): published, it never
changes. The render runs in the request's worker thread, outside any database transaction (the
read one is ended first, the PDF is written in a short transaction of its own), and one version is
rendered by one thread at a time (a lock per version: the second request waits and reads what the
first kept). Without WeasyPrint or its system libraries, a French 503 says so."""

import io
import json
import logging
import threading
from datetime import date


from markupsafe import Markup

from revital import printing
from revital.geo import GeometryError, from_geojson
from revital.roadmaps import actionmap, builder, gantt, labels, services
from revital.sheets import rules as sheet_rules
from revital.web import PublicError

log = logging.getLogger(__name__)

TEMPLATE = "roadmaps/pdf.html"
WEASYPRINT = "weasyprint"  # the module loaded (a test points it at one that fails to load)
UNAVAILABLE = ("La feuille de route ne peut pas être produite en PDF sur ce serveur : WeasyPrint, qui fabrique "
               "les PDF, n’a pas pu être chargé ({reason}). La feuille de route reste lisible en ligne. "
               + printing.INSTALL)

_locks: dict[int, threading.Lock] = {}
_locks_lock = threading.Lock()


class PdfUnavailable(PublicError):
    status_code = 503


def load_weasyprint():
    return printing.load_weasyprint(WEASYPRINT, PdfUnavailable, UNAVAILABLE, "roadmap PDF")


def lock_for(roadmap_id: int) -> threading.Lock:
    with _locks_lock:
        return _locks.setdefault(roadmap_id, threading.Lock())


def geometry(text: str | None):
    if not text:
        return None
    try:
        return from_geojson(text)
    except GeometryError:
        log.warning("unreadable stored geometry, left off the roadmap's map")
        return None


def map_geometries(snapshot: dict, commune) -> tuple:
    """The boundary and perimeter a version was published with (kept in its snapshot), or the
    commune's current ones for a version published before they were kept."""
    kept = snapshot.get("geography")
    if kept is None:
        return geometry(commune.boundary), geometry(commune.perimeter)
    return tuple(geometry(json.dumps(kept[name])) if kept.get(name) else None for name in ("boundary", "perimeter"))


def context(snapshot: dict, boundary=None, perimeter=None, today: date | None = None) -> dict:
    """What the PDF template shows of a snapshot (the page shows the same parts)."""
    return {
        "roadmap": snapshot, "actions": builder.actions_by_number(snapshot),
        # The SVG drawings escape every text they hold (revital.roadmaps.gantt, actionmap).
        "gantt": Markup(gantt.svg(snapshot, today)), "gantt_pages": [Markup(part) for part in gantt.pages(snapshot)],
        "map": Markup(drawn) if (drawn := actionmap.svg(snapshot, boundary, perimeter, unit="mm")) else drawn,
        "unlocated": actionmap.unlocated(snapshot), "labels": labels, "sheet_rules": sheet_rules,
        "span": gantt.quarter_span_fr, "euros": sheet_rules.euros, "shown_remaining": builder.shown_remaining,
    }


def render(templates, ctx: dict) -> tuple[bytes, int]:
    """The PDF and its number of pages."""
    weasyprint = load_weasyprint()
    html = templates.get_template(TEMPLATE).render(**ctx)
    document = weasyprint.HTML(string=html, base_url=None, url_fetcher=printing.refuse_fetch).render()
    out = io.BytesIO()
    document.write_pdf(out)
    return out.getvalue(), len(document.pages)


def roadmap_pdf(db, templates, commune, roadmap) -> bytes:
    """The version's PDF: the one kept, else rendered now (once, whatever the number of requests)
    and kept. db: the request's session, whose read transaction is ended before rendering."""
    found = services.stored_pdf(db, roadmap.id)
    if found is not None:
        return found
    load_weasyprint()  # a 503 before any work
    snapshot = services.snapshot_of(roadmap)
    boundary, perimeter = map_geometries(snapshot, commune)
    roadmap_id = roadmap.id
    db.commit()  # nothing written: ends the read transaction before the long render
    with lock_for(roadmap_id):
        found = services.stored_pdf(db, roadmap_id)  # kept by the thread we waited for
        if found is not None:
            return found
        db.commit()
        pdf, pages = render(templates, context(snapshot, boundary, perimeter))
        if hasattr(db, "write"):  # the request's session: its next transaction writes
            db.write()
        services.store_pdf(db, roadmap_id, pdf, pages)
        db.commit()
    return pdf
