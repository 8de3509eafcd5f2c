"""The workflow's public pages, as an anonymous visitor reads them on the demo (SQLite), against the
floor (target ≥ 0.30 × F_tpl): a commune's workshops and one workshop, its students' weeks, its
shared diagnostic, its ideas, its prioritisation, the action sheets and one sheet, the journal, the
territory's roadmaps and calls, and a roadmap action's progress. Each page is found as a visitor
finds it: a workshop, a sheet or an action from its list's first link.

    python bench/run.py --parts workflow
"""

import re

MAIN = "saint-etienne-du-valdonnez"  # emergence: workshops, students, diagnostic, ideas, a vote
SHEETS = "mont-lozere-et-goulet"  # feasibility: action sheets
ROADMAP = "chateauneuf-de-randon"  # implementation: a roadmap followed
TERRITORY = "pays-des-sources-demo"


def first_link(app_url: str, page: str, pattern: str) -> str:
    from bench import load

    status, _, body = load.fetch(app_url + page)
    found = re.search(pattern, body.decode("utf-8", "replace"))
    if status != 200 or not found:
        raise RuntimeError(f"{page}: no link matching {pattern} (status {status})")
    return found.group(0)


def endpoints(app_url: str) -> list[dict]:
    workshop = first_link(app_url, f"/communes/{MAIN}/ateliers", rf"/communes/{MAIN}/ateliers/\d+")
    sheet = first_link(app_url, f"/communes/{SHEETS}/fiches", rf"/communes/{SHEETS}/fiches/\d+")
    action = first_link(app_url, f"/communes/{ROADMAP}/feuille-de-route", rf"/communes/{ROADMAP}/feuille-de-route/actions/\d+")
    pages = [
        ("workshops", "`/communes/{slug}/ateliers`", f"/communes/{MAIN}/ateliers"),
        ("workshop", "a workshop's page", workshop),
        ("students", "`/communes/{slug}/etudiants`", f"/communes/{MAIN}/etudiants"),
        ("diagnostic", "`/communes/{slug}/diagnostic`", f"/communes/{MAIN}/diagnostic"),
        ("ideas", "`/communes/{slug}/pistes`", f"/communes/{MAIN}/pistes"),
        ("priorities", "`/communes/{slug}/priorites`", f"/communes/{MAIN}/priorites"),
        ("journal", "`/communes/{slug}/journal`", f"/communes/{MAIN}/journal"),
        ("sheets", "`/communes/{slug}/fiches`", f"/communes/{SHEETS}/fiches"),
        ("sheet", "a validated action sheet's page", sheet),
        ("roadmaps", "`/territoires/{slug}/feuilles-de-route`", f"/territoires/{TERRITORY}/feuilles-de-route"),
        ("action", "a roadmap action's progress", action),
        ("calls", "`/territoires/{slug}/appels`", f"/territoires/{TERRITORY}/appels"),
    ]
    return [{"key": key, "name": f"{name} (demo, anonymous)", "url": app_url + path, "against": "F_tpl",
             "expect": 200} for key, name, path in pages]


def suite(run) -> None:
    """bench/run.py's `workflow` part."""
    from bench import load
    from bench.servers import Server, sqlite_database

    run.context = "SQLite demo"
    with sqlite_database(run.env, run.workdir, "workflow") as url:
        with Server("revital.app:create_app", run.env, run.workdir, "workflow", 1, url) as app:
            found = endpoints(app.url)
            for e in found:
                load.fetch(e["url"])
            run.measure("workflow", "SQLite: the workflow's public pages of the demo (target ≥ 0.30 × F_tpl)", found)
            run.server_problems(run.context, app.problems())
