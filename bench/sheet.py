"""The action sheet PDF's render time: the demo's validated sheet rendered cold (per page) and a
cached hit.

In-process, no server: a fresh SQLite database with the demo territory, then revital.sheets.pdf
builds the PDF of Mont Lozère et Goulet's sheet no. 1 (the fullest: costs, funding plan, opinions,
its line on the map) as its route does. A few seconds.

    python bench/sheet.py
"""

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import kit  # noqa: E402 - after the path: a PDF's figures are written as the kit's

SLUG = "mont-lozere-et-goulet"
NUMBER = 1
COLD_RUNS = 3


def measure(runs: int = COLD_RUNS) -> dict:
    from io import BytesIO

    from pypdf import PdfReader
    from sqlalchemy import select

    from revital import demo
    from revital.app import template_environment
    from revital.caching import Cache
    from revital.communes.models import Commune
    from revital.db import Database
    from revital.migrate import upgrade
    from revital.sheets import pdf, services

    with tempfile.TemporaryDirectory(prefix="revital-bench-sheet-") as folder:
        url = f"sqlite:///{Path(folder) / 'sheet.sqlite3'}"
        upgrade(url)
        database = Database(url)
        try:
            with database.transaction() as session:
                demo.load(session)
            templates = template_environment(auto_reload=False)
            base_url = "https://revital.example.fr"
            started = time.perf_counter()
            pdf.load_weasyprint()
            import_s = time.perf_counter() - started
            with database.session() as session:
                commune = session.scalar(select(Commune).where(Commune.slug == SLUG))
                sheet = services.sheet_in(session, commune.id, NUMBER)
                colds, html_s = [], []
                for _ in range(runs):
                    session.expire_all()  # read the sheet and the geometries again, as a new request would
                    cache = Cache(size=4)
                    started = time.perf_counter()
                    html = pdf.sheet_html(templates, pdf.context(session, base_url, commune, sheet, False))
                    html_s.append(time.perf_counter() - started)
                    data = pdf.sheet_pdf(session, templates, base_url, commune, sheet, False, cache=cache)
                    colds.append(time.perf_counter() - started)
                started = time.perf_counter()
                hits = 100
                for _ in range(hits):
                    again = pdf.sheet_pdf(session, templates, base_url, commune, sheet, False, cache=cache)
                hit_s = (time.perf_counter() - started) / hits
            assert again is data
            pages = len(PdfReader(BytesIO(data)).pages)
        finally:
            database.dispose()
    cold = sorted(colds)[len(colds) // 2]
    return {"pages": pages, "bytes": len(data), "html_chars": len(html), "cold_s": cold, "cold_runs": colds,
            "per_page_s": cold / pages, "html_s": sorted(html_s)[len(html_s) // 2], "hit_s": hit_s,
            "import_s": import_s}


def line(result: dict) -> str:
    pages = f"{result['pages']} A4 page{'s' if result['pages'] > 1 else ''}"
    return f"action sheet PDF (WeasyPrint, in-process): {pages}, " + kit.figures(result)


def suite(run) -> None:
    """bench/run.py's `sheet` part: the line goes with the other figures."""
    result = measure()
    run.log("  " + line(result))
    run.results["notes"].append(line(result))


if __name__ == "__main__":
    print(line(measure()))
