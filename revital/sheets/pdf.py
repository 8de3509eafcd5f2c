"""An action sheet as an A4 PDF: /communes/{slug}/fiches/{n}.pdf, rendered by WeasyPrint from
templates/sheets/pdf.html, which wraps the body of the sheet's page (templates/sheets/_sheet.html)
with a print stylesheet. Its map is drawn from our own geometries (revital.sheets.sheetmap):
nothing is fetched.

A PDF is rendered once per revision of its sheet and version of its commune (opinions and
reservations bump the commune's version, not the sheet's revision) and kept per process in
`PDFS`: printing twice renders once. The route runs in a worker thread (a cold render takes a few
tenths of a second). Without WeasyPrint or its system libraries, a French 503 that says so.
"""


from sqlalchemy.orm import Session

from revital import printing
from revital.caching import Cache
from revital.communes.models import Commune
from revital.sheets import shown
from revital.sheets.models import ActionSheet
from revital.web import PublicError


TEMPLATE = "sheets/pdf.html"
WEASYPRINT = "weasyprint"  # the module loaded (a test points it at one that fails to load)
PDFS = Cache(size=32)
UNAVAILABLE = ("La fiche action ne peut pas être produite en PDF sur ce serveur : WeasyPrint, qui fabrique les "
               "PDF, n’a pas pu être chargé ({reason}). L’administrateur du serveur doit installer WeasyPrint et "
               "ses bibliothèques système Pango (paquets Debian libpango-1.0-0 et libpangoft2-1.0-0). "
               "La fiche reste consultable en ligne.")


class PdfUnavailable(PublicError):
    status_code = 503


def load_weasyprint():
    return printing.load_weasyprint(WEASYPRINT, PdfUnavailable, UNAVAILABLE, "action sheet PDF")


def sheet_html(templates, context: dict) -> str:
    return templates.get_template(TEMPLATE).render(**context)


def render_pdf(html: str) -> bytes:
    return load_weasyprint().HTML(string=html, base_url=None, url_fetcher=printing.refuse_fetch).write_pdf()


def cache_key(commune: Commune, sheet: ActionSheet, internal: bool) -> tuple:
    return ("fiche-pdf", sheet.id, sheet.revision, commune.id, commune.version, commune.geo_version, internal)


def context(db: Session, base_url: str, commune: Commune, sheet: ActionSheet, internal: bool) -> dict:
    return {**shown.body(db, commune, sheet, internal), "commune": commune, "link_base": base_url.rstrip("/"),
            "site_address": base_url.rstrip("/").split("://", 1)[-1]}


def sheet_pdf(db: Session, templates, base_url: str, commune: Commune, sheet: ActionSheet, internal: bool,
              cache: Cache = PDFS) -> bytes:
    """The sheet's PDF, rendered once per version (WeasyPrint is checked first: no work for a 503).
    internal: with the referents' names (for those who may see every sheet)."""
    key = cache_key(commune, sheet, internal)
    found = cache.get(key)
    if found is not None:
        return found
    load_weasyprint()
    return cache.put(key, render_pdf(sheet_html(templates, context(db, base_url, commune, sheet, internal))))
