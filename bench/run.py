"""Benchmarks: Revital's pages, feed and writes against floors measured in the same run.

Starts, on loopback only, the floor app (bench/floor.py: bare JSON F_json, bare Jinja page
F_tpl) and Revital (uvicorn, one worker for reads, two for the writers) on fresh databases, loads
each endpoint with wrk and prints one markdown table per database and size, the other figures
(time to map, feed build, writes counted in the database) and a "targets" block.

    python bench/run.py                 # SQLite and PostgreSQL at 5,000 contributions, ~5 min
    python bench/run.py --scale         # also 100,000 on SQLite and 1.7 M rows on PostgreSQL, ~13 min
    python bench/run.py --parts sqlite,writes      # only some suites (see --help)

Every run is bounded in time; PostgreSQL databases get unique names and are dropped at the end.
Exits 1 if the writes counted in the database differ from the submissions acknowledged, or if
a suite failed.
"""

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
import traceback
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import report, suites  # noqa: E402
from bench.servers import Server, base_env, postgres_available  # noqa: E402

PLAIN = "sqlite,writes,postgres,kit,sheet,roadmap,workflow"
SCALE = "scale-sqlite,scale-postgres"


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=5, help="wrk duration per endpoint")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--contributions", type=int, default=5000, help="contributions in the measured commune")
    parser.add_argument("--map-runs", type=int, default=5, help="time-to-map runs per size (at least 3)")
    parser.add_argument("--writers", type=int, default=16)
    parser.add_argument("--write-seconds", type=float, default=10.0)
    parser.add_argument("--writers-one-address", action="store_true",
                        help="all writers from 127.0.0.1 (one throttle row), instead of one loopback address each")
    parser.add_argument("--scale", action="store_true", help=f"add the scale suites ({SCALE}); about 8 min more")
    parser.add_argument("--scale-communes", type=int, default=1600)
    parser.add_argument("--scale-per-commune", type=int, default=1000)
    parser.add_argument("--big", type=int, default=100_000, help="contributions in the one big commune")
    parser.add_argument("--parts", default=None,
                        help=f"comma-separated among {PLAIN},{SCALE} (default: {PLAIN}, plus {SCALE} with --scale)")
    args = parser.parse_args()
    args.parts = (args.parts or PLAIN + ("," + SCALE if args.scale else "")).split(",")
    unknown = set(args.parts) - set(suites.SUITES) - {"writes"}
    if unknown:
        parser.error(f"unknown parts: {', '.join(sorted(unknown))}")
    args.map_runs = max(3, args.map_runs)
    return args


def main() -> int:
    args = arguments()
    if not shutil.which("wrk"):
        print("wrk is not installed: apt-get install wrk", file=sys.stderr)
        return 1
    if any(p in args.parts for p in ("postgres", "scale-postgres")) and not postgres_available():
        print("PostgreSQL is not reachable on 127.0.0.1:5432 (user postgres): its suites are skipped", file=sys.stderr)
        args.parts = [p for p in args.parts if "postgres" not in p]
    workdir = Path(tempfile.mkdtemp(prefix="revital-bench-"))
    env = base_env(workdir)
    failed = []
    with Server("bench.floor:create_app", env, workdir, "floor") as floor:
        run = suites.Run(args, env, workdir, floor)
        for name in (p for p in args.parts if p in suites.SUITES):
            try:
                run.timed(name, suites.SUITES[name])
            except Exception:
                failed.append(name)
                run.results["problems"].append(f"suite {name} failed: {traceback.format_exc(limit=3).strip()}")
                traceback.print_exc()
    shutil.rmtree(workdir, ignore_errors=True)
    results = run.results
    results["notes"] += [f"**problem**: {p}" for p in results["problems"]]
    header = (f"## Benchmarks, {date.today().isoformat()}\n\n{os.cpu_count()} cores, Python {platform.python_version()}, "
              f"load average at the end {os.getloadavg()[0]:.1f}; parts: {', '.join(args.parts)}; "
              f"total {(time.monotonic() - run.start) / 60:.1f} min")
    print("\n\n" + report.full(results, args, header))
    mismatched = [w["context"] for w in results["writes"] if w["counted"] != w["accepted"]]
    if mismatched:
        print(f"\nFAILED: the rows counted in the database differ from the submissions acknowledged on "
              f"{', '.join(mismatched)}", file=sys.stderr)
    if failed:
        print(f"\nFAILED suites: {', '.join(failed)}", file=sys.stderr)
    return 1 if mismatched or failed else 0


if __name__ == "__main__":
    sys.exit(main())
