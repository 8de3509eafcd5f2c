"""The roadmap: its PDF's render time per page for 50 actions (in-process, no server, no database:
the snapshot built by revital.roadmaps.builder, rendered as its route does), and, in the suite,
the public roadmap page of the demo's commune in implementation against the floor (target ≥ 0.30
× F_tpl).

    python bench/roadmap.py            # the PDF line only, a few seconds
    python bench/run.py --parts roadmap
"""

import sys
import time
from io import BytesIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ACTIONS = 50
COLD_RUNS = 3
SLUG = "chateauneuf-de-randon"  # the demo's commune in implementation (revital.roadmaps.demo)


def snapshot(count: int = ACTIONS) -> dict:
    """A roadmap of `count` actions in three axes, dated over three years, located, funded."""
    from revital.roadmaps import builder

    axes = [{"id": i, "title": title, "position": i} for i, title in
            enumerate(("Un bourg vivant autour de sa place", "Habiter le bourg", "Découvrir le bourg"))]
    sheets = []
    for n in range(1, count + 1):
        sheets.append({
            "id": n, "number": n, "title": f"Action de démonstration numéro {n} du centre-bourg",
            "axis": axes[n % 3], "priority": 1 + n % 3, "context": "", "objectives": "Redonner vie au bourg.\n\n- un\n- deux",
            "effects": "", "targets": "", "description": "Une description de quelques lignes. " * 6, "prerequisites": "",
            "geometry": {"type": "Point", "coordinates": [3.670 + (n % 10) * 0.0008, 44.637 + (n // 10) * 0.001]},
            "place": "", "pilot": "Commune", "elected_referent": "", "elected_referent_role": "Maire",
            "technical_referent": "", "technical_referent_role": "Secrétaire de mairie",
            "start": {"year": 2027 + n % 2, "quarter": 1 + n % 4}, "end": {"year": 2029, "quarter": 1 + n % 4},
            "maturity": "fiche_action", "status": "validated", "status_reason": "", "operations": [],
            "partners": [{"id": 1, "name": "CAUE de la Lozère"}], "related": [],
            "costs": [{"year": 2027, "investment_cents": 1_000_000 * n, "operating_cents": 50_000}],
            "funding": [{"funder": ("DETR", "Région Occitanie", "Banque des Territoires")[n % 3], "organisation_id": None,
                         "scheme": "Dispositif", "amount_cents": 300_000 * n, "year": 2027,
                         "status": ("requested", "granted", "refused")[n % 3]}],
            "milestones": [{"label": "Début des travaux", "on": "2027-10-01", "done": False}],
            "indicators": [{"name": "Fréquentation", "unit": "visiteurs", "baseline": "0", "target": "100", "source": ""}],
            "sources": {},
        })
    built = builder.build({"name": "Commune de démonstration", "slug": "demo", "insee": "48000"}, sheets,
                          {n: {"idea": 1, "stake": 2, "contribution": 5} for n in range(1, count + 1)}, axes)
    built.update(version=1, published_at="2027-01-01T00:00:00+00:00", note="Version de mesure.")
    return built


def measure(runs: int = COLD_RUNS, count: int = ACTIONS) -> dict:
    from pypdf import PdfReader

    from revital.app import template_environment
    from revital.roadmaps import pdf

    templates = template_environment(auto_reload=False)
    started = time.perf_counter()
    pdf.load_weasyprint()
    import_s = time.perf_counter() - started
    roadmap = snapshot(count)
    colds, pages = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        data, pages = pdf.render(templates, pdf.context(roadmap))
        colds.append(time.perf_counter() - started)
    assert len(PdfReader(BytesIO(data)).pages) == pages
    cold = sorted(colds)[len(colds) // 2]
    return {"actions": count, "pages": pages, "bytes": len(data), "cold_s": cold, "cold_runs": colds,
            "per_page_s": cold / pages, "import_s": import_s}


def line(result: dict) -> str:
    return (f"roadmap PDF (WeasyPrint, in-process): {result['actions']} actions, {result['pages']} pages, "
            f"{result['bytes'] / 1024:,.0f} KB; render {result['cold_s'] * 1000:,.0f} ms (median of "
            f"{len(result['cold_runs'])}: {', '.join(f'{s * 1000:,.0f}' for s in result['cold_runs'])} ms), "
            f"{result['per_page_s'] * 1000:,.0f} ms per page (target ≤ 150 ms); rendered once per version, then "
            f"read from the database; loading WeasyPrint once {result['import_s'] * 1000:,.0f} ms")


def endpoints(app_url: str) -> list[dict]:
    base = f"{app_url}/communes/{SLUG}/feuille-de-route"
    return [
        {"key": "roadmap", "name": "`/communes/{slug}/feuille-de-route` (6 actions, anonymous)", "url": base,
         "against": "F_tpl", "expect": 200},
        {"key": "roadmap_v1", "name": "`/communes/{slug}/feuille-de-route/1`", "url": base + "/1",
         "against": "F_tpl", "expect": 200},
    ]


def suite(run) -> None:
    """bench/run.py's `roadmap` part: the PDF line, then the roadmap pages against the floor."""
    from bench import load
    from bench.servers import Server, sqlite_database

    result = measure()
    run.log("  " + line(result))
    run.results["notes"].append(line(result))
    run.context = "SQLite demo"
    with sqlite_database(run.env, run.workdir, "roadmap") as url:
        with Server("revital.app:create_app", run.env, run.workdir, "roadmap", 1, url) as app:
            load.fetch(f"{app.url}/communes/{SLUG}/feuille-de-route")
            run.measure("roadmap", "SQLite: the demo's roadmap pages (target ≥ 0.30 × F_tpl)", endpoints(app.url))
            run.server_problems(run.context, app.problems())


if __name__ == "__main__":
    print(line(measure(runs=int(sys.argv[1]) if len(sys.argv) > 1 else COLD_RUNS)))
