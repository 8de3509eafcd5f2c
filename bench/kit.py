"""The workshop kit's render time: the 3 pages rendered cold (per page) and a cached hit.

In-process, no server: a fresh SQLite database with the demo territory, one workshop in the demo
commune, then revital.workshops.kit builds the kit as its route does. A few seconds.

    python bench/kit.py
"""

import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SLUG = "saint-etienne-du-valdonnez"
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
    from revital.workshops import kit
    from revital.workshops.models import Workshop

    with tempfile.TemporaryDirectory(prefix="revital-bench-kit-") as folder:
        url = f"sqlite:///{Path(folder) / 'kit.sqlite3'}"
        upgrade(url)
        database = Database(url)
        try:
            with database.transaction() as session:
                demo.load(session)
                commune = session.scalar(select(Commune).where(Commune.slug == SLUG))
                start = datetime(2027, 3, 13, 9, 0, tzinfo=UTC)
                session.add(Workshop(commune_id=commune.id, phase="diagnostic", kind="walk",
                                     title="Diagnostic en marchant du centre-bourg", starts_at=start,
                                     ends_at=start + timedelta(hours=3), address="Devant la mairie"))
            templates = template_environment(auto_reload=False)
            base_url = "https://revital.example.fr"
            started = time.perf_counter()
            kit.load_weasyprint()
            import_s = time.perf_counter() - started
            with database.session() as session:
                commune = session.scalar(select(Commune).where(Commune.slug == SLUG))
                workshop = session.scalar(select(Workshop).where(Workshop.commune_id == commune.id))
                colds, html_s = [], []
                for _ in range(runs):
                    session.expire_all()  # read the geometries again, as a new request would
                    cache = Cache(size=4)
                    started = time.perf_counter()
                    context = kit.kit_context(kit.kit_data(session, commune, workshop), base_url)
                    html = kit.kit_html(templates, context)
                    html_s.append(time.perf_counter() - started)
                    pdf = kit.kit_pdf(cache, session, templates, base_url, commune, workshop)
                    colds.append(time.perf_counter() - started)
                started = time.perf_counter()
                hits = 100
                for _ in range(hits):
                    again = kit.kit_pdf(cache, session, templates, base_url, commune, workshop)
                hit_s = (time.perf_counter() - started) / hits
            assert again is pdf
            pages = len(PdfReader(BytesIO(pdf)).pages)
        finally:
            database.dispose()
    cold = sorted(colds)[len(colds) // 2]
    return {"pages": pages, "bytes": len(pdf), "html_chars": len(html), "cold_s": cold, "cold_runs": colds,
            "per_page_s": cold / pages, "html_s": sorted(html_s)[len(html_s) // 2], "hit_s": hit_s,
            "import_s": import_s}


def line(result: dict) -> str:
    return f"workshop kit (WeasyPrint, in-process): {result['pages']} pages, " + figures(result)


def figures(result: dict) -> str:
    """A PDF's figures after its pages (the kit's, an action sheet's): size, cold render, cache hit."""
    return (f"{result['bytes'] / 1024:,.0f} KB; "
            f"cold render {result['cold_s'] * 1000:,.0f} ms (median of {len(result['cold_runs'])}: "
            f"{', '.join(f'{s * 1000:,.0f}' for s in result['cold_runs'])} ms), "
            f"{result['per_page_s'] * 1000:,.0f} ms per page, of which reading the data and the HTML "
            f"{result['html_s'] * 1000:,.1f} ms; cached hit {result['hit_s'] * 1e6:,.1f} µs; "
            f"loading WeasyPrint once {result['import_s'] * 1000:,.0f} ms")


def suite(run) -> None:
    """bench/run.py's `kit` part: the line goes with the other figures."""
    result = measure()
    run.log("  " + line(result))
    run.results["notes"].append(line(result))


if __name__ == "__main__":
    print(line(measure()))
