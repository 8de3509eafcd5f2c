"""The benchmark's report: one markdown table per database and size, the other figures, and the
"targets" block (each target with its measured values, met or not met). README-ready.

A target is met only where every measurement of it is: the same page is judged on SQLite and on
PostgreSQL, at 5,000 contributions and at scale. "Same as" means within the ±15 % that figures
move between runs (at least 0.85 of the reference, measured in the same table).
"""

SAME = 0.85


def ms(value) -> str:
    if value is None or value != value:
        return "?"
    if value >= 1000:
        return f"{value / 1000:.2f} s"
    return f"{value:.1f} ms" if value >= 10 else f"{value:.2f} ms"


def size(probe: dict) -> str:
    if probe["status"] == 304:
        return "0 (304)"
    if probe["encoding"] == "gzip":
        return f"{probe['raw']:,} / {probe['wire']:,}"
    could = f" ({probe['could_gzip']:,})" if probe.get("could_gzip") and probe["could_gzip"] < probe["raw"] else ""
    return f"{probe['raw']:,} / —{could}"


def errors(run: dict) -> str:
    text = f"{run['errors']:,}"
    return text + (f" (+{run['socket_errors']:,} socket)" if run["socket_errors"] else "")


def table(section: dict) -> str:
    lines = [f"### {section['title']}", "",
             "| endpoint | req/s | p50 | p99 | bytes (raw / gzip) | ratio | errors |",
             "|---|---|---|---|---|---|---|"]
    for row in section["rows"]:
        run, probe = row["run"], row["probe"]
        ratio = "1" if row["against"] is None else f"{row['ratio']:.3f} × {row['against']}"
        lines.append(f"| {row['name']} | {run['rps']:,.0f} | {ms(run['p50'])} | {ms(run['p99'])} | {size(probe)} "
                     f"| {ratio} | {errors(run)} |")
    lines += ["", *(f"- {note}" for note in section.get("notes", []))]
    return "\n".join(lines)


def legend(args) -> str:
    return (f"wrk: 2 threads, {args.connections} connections, {args.seconds} s per endpoint after 1 s of warm-up, "
            "30 s timeout, one uvicorn worker, `Accept-Encoding: gzip` sent as a browser would (except lines marked "
            "identity). Each ratio is to the floor measured just before and just after that endpoint. bytes: raw / as sent with gzip accepted; "
            "\"—\" means sent uncompressed, with what gzip -6 would give in brackets. errors: non-2xx/3xx answers "
            "(+ socket errors).")


def judged(value: float, goal: float) -> str:
    return "met" if value >= goal else "not met"


def targets(results: dict) -> list[str]:
    """Each target, its measurements, and met / not met."""
    tables = {s["context"]: {r["key"]: r for r in s["rows"] if r.get("key")} for s in results["tables"]}
    roles = {s["role"]: s["context"] for s in results["tables"]}
    lines = ["### targets", ""]

    def ratio_target(title, keys, goal, against, skip=()):
        found = [(context, rows[k]) for context, rows in tables.items() if context not in skip
                 for k in keys if k in rows]
        if not found:
            lines.append(f"- {title} ≥ {goal} × {against}: not measured")
            return
        parts = [f"{context} {row['ratio']:.3f}" + ("" if len(keys) == 1 else f" ({row['name']})") for context, row in found]
        verdict = "met" if all(row["ratio"] >= goal for _, row in found) else "not met"
        lines.append(f"- {title} ≥ {goal} × {against}: {'; '.join(parts)} — **{verdict}**")

    ratio_target("territory home `/`", ["home"], 0.30, "F_tpl")
    ratio_target("commune page", ["commune"], 0.30, "F_tpl")
    ratio_target("contributions list, page 1", ["list1"], 0.30, "F_tpl")
    ratio_target("a contribution's page", ["detail"], 0.30, "F_tpl")
    for context, rows in tables.items():
        for key in ("detail_many", "detail_many_100k"):
            if key in rows:  # every request a page-cache miss: the cost of rendering, for information
                lines.append(f"  - for information, {context}: {rows[key]['name']} (each a page-cache miss) "
                             f"{rows[key]['ratio']:.3f}")

    def same_target(title, role, key, reference_key):
        context = roles.get(role, "")
        rows = tables.get(context, {})
        if key not in rows or reference_key not in rows:
            lines.append(f"- {title}: not measured (run with --scale)")
            return
        value, reference = rows[key]["ratio"], rows[reference_key]["ratio"]
        lines.append(f"- {title}: {value:.3f} × F_tpl against {reference:.3f} ({value / reference:.2f} of it; "
                     f"{rows[key]['name']} vs {rows[reference_key]['name']}, {context}) — "
                     f"**{judged(value / reference, SAME)}**")

    same_target("commune page at 100,000 contributions, PostgreSQL, same as at 5,000", "scale-postgres",
                "commune_100k", "commune_5k")
    same_target("list, last page at 100,000, SQLite, same as page 1", "scale-sqlite", "listN", "list1")
    for context, rows in tables.items():
        if "listN" in rows and "list1" in rows and context != roles.get("scale-sqlite"):
            lines.append(f"  - for information, {context}: last page {rows['listN']['ratio']:.3f} against page 1 "
                         f"{rows['list1']['ratio']:.3f} ({rows['listN']['ratio'] / rows['list1']['ratio']:.2f} of it)")

    # The target is the issue's, at 5,000 contributions; at 100,000 the feed weighs 13 MB (1.2 MB
    # gzipped) and its rate is the loopback's bandwidth, not the application's: for information.
    big = {roles.get("scale-sqlite")}  # its commune holds the 100,000
    ratio_target("cached feed, 200", ["feed", "feed_gz"], 0.10, "F_json", skip=big)
    for context, rows in tables.items():
        for key in ("feed_100k", "feed_gz_100k") if context not in big else ("feed", "feed_gz"):
            if key in rows:
                lines.append(f"  - for information, {context}: {rows[key]['name']} {rows[key]['ratio']:.3f} "
                             f"({rows[key]['probe']['raw']:,} bytes raw)")
    ratio_target("cached feed, 304 (If-None-Match: current ETag)", ["feed304", "feed304_100k"], 0.25, "F_json")
    for context, rows in tables.items():
        for key in ("feed", "feed_100k"):
            if key in rows:
                p = rows[key]["probe"]
                sent = (f"gzipped {p['wire']:,} bytes ({p['wire'] / p['raw']:.0%})" if p["encoding"] == "gzip"
                        else f"sent uncompressed (gzip would make {p['could_gzip']:,})")
                lines.append(f"- feed over the wire, {context}, {rows[key]['name']}: raw {p['raw']:,} bytes, {sent}; "
                             f"`Vary: Accept-Encoding` {'present' if 'accept-encoding' in p['vary'].lower() else 'absent'}")
    writes = results.get("writes", [])
    for w in writes:
        ok = w["per_second"] >= 100 and w["p99"] <= 250 and w["counted"] == w["accepted"]
        lines.append(f"- {w['writers']} writers, 2 workers, {w['context']}: ≥ 100 submissions/s and p99 ≤ 250 ms: "
                     f"{w['per_second']:.0f}/s, p99 {ms(w['p99'])}, {w['accepted']:,} accepted = {w['counted']:,} rows "
                     f"{'✓' if w['counted'] == w['accepted'] else '✗ MISMATCH'} — **{'met' if ok else 'not met'}**")
    if not writes:
        lines.append("- 16 writers, 2 workers: not measured")
    return lines


def writes(w: dict) -> str:
    others = {k: v for k, v in w["statuses"].items() if k != "303"}
    origin = "all from 127.0.0.1" if w["one_address"] else "one loopback address each"
    line = (f"{w['writers']} writers ({origin}), 2 workers, {w['context']}: {w['accepted']:,} submissions accepted in "
            f"{w['seconds']:.1f} s = **{w['per_second']:.0f}/s**, POST p50 {ms(w['p50'])}, p99 {ms(w['p99'])} "
            f"(form GET p50 {ms(w['form_p50'])}, p99 {ms(w['form_p99'])}); rows in the database with the run's "
            f"marker: {w['counted']:,}")
    line += " (matches)" if w["counted"] == w["accepted"] else f" — **MISMATCH: {w['counted'] - w['accepted']:+,} rows**"
    line += f"; other answers {others or 'none'}"
    if w["failures"]:
        line += f"; {len(w['failures'])} requests failed ({w['failures'][0]})"
    return line + (f"; the writers' own CPU: {w['client_cpu']:.0%} of a core; just before, F_tpl {w['floor']:,.0f} req/s "
                   f"and load average {w['load_average']:.1f}")


def full(results: dict, args, header: str) -> str:
    parts = [header, "", legend(args), ""]
    for section in results["tables"]:
        parts += [table(section), ""]
    if results["notes"]:
        parts += ["### other figures", "", *(f"- {n}" for n in results["notes"]), ""]
    parts += [*targets(results), ""]
    if results["durations"]:
        parts.append("Durations: " + ", ".join(f"{name} {seconds / 60:.1f} min" for name, seconds in results["durations"]))
    return "\n".join(parts)
