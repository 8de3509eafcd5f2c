"""The benchmark's suites: each builds a database, starts Revital on it, and measures.

- `sqlite`: demo + 5,000 contributions; the table, the feed's build cost, time to map with 5,000
  and 10,000 contributions, then 16 writers against 2 workers.
- `postgres`: the same table on PostgreSQL with 5,000 contributions, then 16 writers, 2 workers.
- `scale_sqlite`: 100,000 contributions in one commune; the list's last page is reached by
  following its own links (5,000 of them at 20 a page).
- `scale_postgres`: 1,600 communes × 1,000 contributions in 16 territories, plus 100,000 in one
  commune and 5,000 in another (≈ 1.7 million rows), loaded in bulk.
- `kit`: the workshop kit's PDF rendered in-process (bench/kit.py): cold, per page, and a cached hit.
- `sheet`: an action sheet's A4 PDF rendered in-process (bench/sheet.py): cold, per page, and a cached hit.
- `roadmap`: the roadmap's PDF for 50 actions, then the demo's roadmap pages (bench/roadmap.py).
- `workflow`: the workflow's public pages of the demo, workshops to roadmaps (bench/workflow.py).

Pages are found as a visitor finds them: a contribution's page from the list's first link, the
last page from the list's pagination links, the feed's ETag from the feed.
"""

import os
import secrets
import time

from bench import bulk, contributions, kit, load, report, roadmap, sheet, workflow
from bench.servers import Server, cli, postgres_database, sqlite_database

APP = "revital.app:create_app"
SLUG = "saint-etienne-du-valdonnez"  # the demo commune the CLI fills (`revital demo --contributions`)
SECOND = "grandrieu"
ROTATION = 20_000  # at most this many different contributions' pages in the rotation


class Run:
    def __init__(self, args, env, workdir, floor: Server):
        self.args, self.env, self.workdir, self.floor = args, env, workdir, floor
        self.results = {"tables": [], "notes": [], "writes": [], "durations": [], "problems": []}
        self.start = time.monotonic()
        self.context = ""

    def log(self, message: str) -> None:
        print(f"[{(time.monotonic() - self.start) / 60:5.1f} min] {message}", flush=True)

    def measure(self, role: str, title: str, endpoints: list[dict], notes=()) -> dict:
        """The floors, then each endpoint: warm-up, the floor again, wrk on the endpoint, the
        floor once more, and one probe for sizes and headers."""
        context = self.context
        a = self.args
        rows, load_average = [], os.getloadavg()[0]
        for name, path in (("floor: bare JSON (F_json)", "/json"),
                           ("floor: Jinja page, 20 items (F_tpl)", "/page")):
            load.wrk(self.floor.url + path, 1, 4)
            run = load.wrk(self.floor.url + path, a.seconds, a.connections)
            rows.append({"name": name, "run": run, "probe": load.probe(self.floor.url + path), "against": None})
        adjacent = {"F_json": [], "F_tpl": []}
        for e in endpoints:
            headers, script = e.get("headers"), e.get("script")
            if not script:  # a rotation is not warmed up: its pages would be in the page cache
                load.wrk(e["url"], 1, 4, headers)
            # The machine is shared: the floor is measured again just before and just after each
            # endpoint, and the ratio uses the mean of the two.
            floor_url = self.floor.url + ("/json" if e["against"] == "F_json" else "/page")
            before = load.wrk(floor_url, 1, a.connections)["rps"]
            run = load.wrk(e["url"], a.seconds, a.connections, headers, script)
            after = load.wrk(floor_url, 1, a.connections)["rps"]
            floor = {"rps": (before + after) / 2}
            adjacent[e["against"]] += [before, after]
            probe = load.probe(e["url"], headers)
            if e.get("expect") and probe["status"] != e["expect"]:
                self.results["problems"].append(f"{context}: {e['name']} answered {probe['status']}, not {e['expect']}")
            if e.get("expect") == 304 and run["bytes_per_response"] > 2000:
                self.results["problems"].append(f"{context}: {e['name']}: {run['bytes_per_response']:,.0f} bytes a "
                                                "response under load, not 304s")
            if run["errors"] or run["socket_errors"]:
                self.results["problems"].append(f"{context}: {e['name']}: {run['errors']:,} non-2xx/3xx answers, "
                                                f"{run['socket_errors']:,} socket errors under load")
            rows.append({**e, "run": run, "probe": probe, "ratio": run["rps"] / floor["rps"], "floor": floor["rps"]})
            self.log(f"  {e['name']}: {run['rps']:,.0f} req/s, p99 {report.ms(run['p99'])}, "
                     f"{run['rps'] / floor['rps']:.3f} × {e['against']} ({floor['rps']:,.0f})")
        spread = [f"{k} {min(v):,.0f}–{max(v):,.0f} req/s" for k, v in adjacent.items() if v]
        notes = [f"ratios use the mean of 1 s floor runs just before and just after each endpoint; those ranged "
                 f"{', '.join(spread)} (the floor rows: {a.seconds} s runs at the start of the table)", *notes]
        notes.append(f"load average of the machine at the start of the table: {load_average:.1f} ({os.cpu_count()} cores)")
        section = {"context": context, "role": role, "title": title, "rows": rows, "notes": notes}
        self.results["tables"].append(section)
        print(report.table(section), flush=True)
        return section

    def writers(self, context: str, database_url: str) -> None:
        """16 writers (by default) through the real form against 2 workers; rows counted after."""
        with Server(APP, self.env, self.workdir, f"{context}-2-workers".replace(" ", "-"), 2, database_url) as app:
            # The targets are absolute: say how fast the machine was just before.
            floor = load.wrk(self.floor.url + "/page", 2, self.args.connections)["rps"]
            load_average = os.getloadavg()[0]
            marker = f"banc-{secrets.token_hex(4)}"
            self.log(f"{self.args.writers} writers for {self.args.write_seconds} s against 2 workers, {context}")
            w = contributions.submissions(app.url, SLUG, marker, self.args.writers, self.args.write_seconds,
                                          self.args.writers_one_address)
            problems = app.problems()
        w["counted"] = contributions.rows_with_marker(database_url, marker)
        w["context"], w["floor"], w["load_average"] = context, floor, load_average
        self.results["writes"].append(w)
        self.results["notes"].append(report.writes(w))
        self.server_problems(context + ", 2 workers", problems)
        print("- " + report.writes(w), flush=True)
        if w["counted"] != w["accepted"]:
            print(f"!!! WRITES MISMATCH on {context}: {w['accepted']} accepted, {w['counted']} rows", flush=True)

    def server_problems(self, context: str, problems: dict) -> None:
        if problems["tracebacks"] or problems["error_lines"]:
            self.results["problems"].append(f"{context}: server log has {problems['tracebacks']} tracebacks, "
                                            f"{problems['error_lines']} error lines; first: {problems['first']}")

    def timed(self, name: str, suite) -> None:
        start = time.monotonic()
        self.log(f"== {name}")
        try:
            suite(self)
        finally:
            self.results["durations"].append((name, time.monotonic() - start))


def page_endpoints(run: Run, app_url: str, slug: str, suffix: str = "", label: str = "", walk: bool = True) -> list[dict]:
    """The commune page, the list (page 1 and, if walk, its last page), a contribution's page and
    the feed (200 identity, 200 gzip, 304) of one commune."""
    base = f"{app_url}/communes/{slug}"
    list_url = base + "/contributions"
    status, _, html = load.fetch(list_url)
    if status != 200:
        raise RuntimeError(f"{list_url} answered {status}")
    detail = load.first_link_matching(html, rf"/communes/{slug}/contributions/\d+", list_url)
    feed_url = f"{app_url}/api/communes/{slug}/contributions.geojson"
    etag = load.probe(feed_url)["etag"]
    tag = f" ({label})" if label else ""
    endpoints = [
        {"key": "commune" + suffix, "name": f"`/communes/{{slug}}`{tag}", "url": base, "against": "F_tpl", "expect": 200},
        {"key": "list1" + suffix, "name": f"list, page 1{tag}", "url": list_url, "against": "F_tpl", "expect": 200},
    ]
    if walk:
        run.log(f"  following the list's links to its last page{tag}")
        last = load.last_page(list_url, progress=run.log, collect=rf"/communes/{slug}/contributions/\d+")
        run.results["notes"].append(f"{run.context}{tag}: last page reached by following {last['hops']:,} "
                                    f"pagination links in {last['seconds']:.0f} s (`?{last['url'].partition('?')[2]}`)")
        endpoints.append({"key": "listN" + suffix, "name": f"list, last page{tag}", "url": last["url"],
                          "against": "F_tpl", "expect": 200})
    if detail:
        endpoints.append({"key": "detail" + suffix, "name": f"a contribution's page{tag}", "url": detail,
                          "against": "F_tpl", "expect": 200})
    if walk and len(last["collected"]) >= 100:
        # The same page for many contributions in turn: what a page cache gives when visits spread.
        paths = last["collected"][:: max(1, len(last["collected"]) // ROTATION)][:ROTATION]
        script = load.rotation_script(paths, run.workdir / f"rotation-{slug}.lua")
        endpoints.append({"key": "detail_many" + suffix, "name": f"{len(paths):,} contributions' pages in turn{tag}",
                          "url": app_url + paths[0], "script": script, "against": "F_tpl", "expect": 200})
    endpoints += [
        {"key": "feed" + suffix, "name": f"feed, 200, identity{tag}", "url": feed_url, "against": "F_json",
         "headers": {"Accept-Encoding": "identity"}, "expect": 200},
        {"key": "feed_gz" + suffix, "name": f"feed, 200, gzip accepted{tag}", "url": feed_url, "against": "F_json",
         "expect": 200},
        {"key": "feed304" + suffix, "name": f"feed, 304 (If-None-Match){tag}", "url": feed_url, "against": "F_json",
         "headers": {"If-None-Match": etag}, "expect": 304},
    ]
    return endpoints


def site_endpoints(app_url: str) -> list[dict]:
    return [
        {"key": "health", "name": "`/health`", "url": app_url + "/health", "against": "F_json", "expect": 200},
        {"key": "home", "name": "`/` (territory home)", "url": app_url + "/", "against": "F_tpl", "expect": 200},
        {"key": "signin", "name": "`/connexion`", "url": app_url + "/connexion", "against": "F_tpl", "expect": 200},
        {"key": "static", "name": "`/static/vendor/htmx/htmx.min.js`", "url": app_url + "/static/vendor/htmx/htmx.min.js",
         "against": "F_json", "expect": 200},
    ]


def small_table(run: Run, engine: str, database_url: str, maps: bool) -> None:
    n = run.args.contributions
    context = run.context = f"{engine} {n // 1000}k" if n % 1000 == 0 else f"{engine} {n:,}"
    cli(run.env, database_url, "demo", "--contributions", str(n), "--commune", SLUG)
    with Server(APP, run.env, run.workdir, context.replace(" ", "-"), 1, database_url) as app:
        load.fetch(f"{app.url}/communes/{SLUG}")
        run.measure("small-" + engine.lower(), f"{engine}: demo territory + {n:,} contributions in one commune",
                    site_endpoints(app.url) + page_endpoints(run, app.url, SLUG))
        if maps:
            build = contributions.feed_build(database_url, SLUG)
            run.results["notes"].append(
                f"feed build ({context}): " + (build["error"] if "error" in build else
                f"{build['features']:,} features, {build['bytes']:,} bytes ({build['bytes_per_feature']:.0f} a contribution), "
                f"built in {build['build_ms']:.1f} ms against {build['dumps_ms']:.1f} ms for json.dumps ({build['ratio']:.2f} ×)"))
            time_to_map(run, app.url, f"{n:,} (+ the demo's)")
            cli(run.env, database_url, "demo", "--contributions", str(n), "--commune", SLUG)
            time_to_map(run, app.url, f"{2 * n:,} (+ the demo's)")
        run.server_problems(context, app.problems())


def time_to_map(run: Run, app_url: str, label: str) -> None:
    for path in (f"/communes/{SLUG}", f"/api/communes/{SLUG}/contributions.geojson"):  # warm the server's caches
        load.fetch(app_url + path, load.BROWSER)
    t = contributions.time_to_map(app_url, SLUG, run.args.map_runs)
    line = (f"time to map, {label} contributions, headless Chromium, a fresh context per run: " +
            (t["error"] if "error" in t else f"median {t['median']:.0f} ms, range {t['min']:.0f}–{t['max']:.0f} ms "
             f"over {t['runs']} runs ({t['shown']} markers shown; medians: DOMContentLoaded {t['ready']:.0f} ms, "
             f"feed received {report.ms(t['feed'])})"))
    run.results["notes"].append(line)
    run.log(line)


def sqlite(run: Run) -> None:
    with sqlite_database(run.env, run.workdir, "small") as url:
        small_table(run, "SQLite", url, maps=True)
        if "writes" in run.args.parts:
            run.writers("SQLite", url)


def postgres(run: Run) -> None:
    with postgres_database(run.env, "small") as url:
        small_table(run, "PostgreSQL", url, maps=False)
        if "writes" in run.args.parts:
            run.writers("PostgreSQL", url)


def scale_sqlite(run: Run) -> None:
    run.context = f"SQLite {run.args.big:,}"
    with sqlite_database(run.env, run.workdir, "scale") as url:
        engine = bulk.engine_for(url)
        start = time.monotonic()
        bulk.fill_commune(engine, SLUG, run.args.big)
        bulk.analyze(engine)
        engine.dispose()
        run.log(f"  {run.args.big:,} contributions loaded in {time.monotonic() - start:.0f} s")
        with Server(APP, run.env, run.workdir, "sqlite-scale", 1, url) as app:
            load.fetch(f"{app.url}/communes/{SLUG}")
            run.measure("scale-sqlite", f"SQLite: {run.args.big:,} contributions in one commune",
                        page_endpoints(run, app.url, SLUG))
            run.server_problems(run.context, app.problems())


def scale_postgres(run: Run) -> None:
    a = run.args
    with postgres_database(run.env, "scale") as url:
        engine = bulk.engine_for(url)
        start = time.monotonic()
        ids = bulk.add_communes(engine, a.scale_communes, run.log)
        bulk.fill_communes(engine, ids, a.scale_per_commune, progress=run.log)
        bulk.fill_commune(engine, SLUG, a.big)
        bulk.fill_commune(engine, SECOND, a.contributions)
        bulk.analyze(engine)
        total = bulk.count_contributions(engine)
        engine.dispose()
        run.log(f"  {total:,} contributions loaded in {time.monotonic() - start:.0f} s")
        run.context = f"PostgreSQL {total / 1e6:.1f} M" if total >= 1e6 else f"PostgreSQL {total:,}"
        with Server(APP, run.env, run.workdir, "postgres-scale", 1, url) as app:
            one = "commune-essai-" + f"{len(ids) // 2:04}"
            for slug in (one, SLUG, SECOND):
                load.fetch(f"{app.url}/communes/{slug}")
            endpoints = [site_endpoints(app.url)[1]]
            endpoints += page_endpoints(run, app.url, one, label=f"{a.scale_per_commune:,} contributions")
            endpoints += [e for e in page_endpoints(run, app.url, SECOND, "_5k", f"{a.contributions:,}", walk=False)
                          if e["key"] == "commune_5k"]
            endpoints += [e for e in page_endpoints(run, app.url, SLUG, "_100k", f"{a.big:,}", walk=False)
                          if e["key"] in ("commune_100k", "list1_100k", "feed_100k", "feed_gz_100k", "feed304_100k")]
            run.measure("scale-postgres", f"PostgreSQL: {len(ids):,} communes × {a.scale_per_commune:,} contributions, "
                        f"plus {a.big:,} and {a.contributions:,} in two demo communes ({total:,} contributions)",
                        endpoints)
            run.server_problems(run.context, app.problems())


SUITES = {"sqlite": sqlite, "postgres": postgres, "scale-sqlite": scale_sqlite, "scale-postgres": scale_postgres,
          "kit": kit.suite, "sheet": sheet.suite, "roadmap": roadmap.suite,
          "workflow": workflow.suite}
