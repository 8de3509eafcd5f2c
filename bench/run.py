"""Benchmarks: Revital's pages against floors measured in the same run.

Starts two servers on loopback (one uvicorn worker each): the floor app (bench/floor.py) and
Revital on a fresh SQLite database with the demo territory. Loads each endpoint with wrk
(Debian package `wrk`) and prints requests per second, p50 and p99 latency, and the ratio to
the floor. Only 127.0.0.1 is ever targeted; every run is bounded in time.

    python bench/run.py [--seconds 5] [--connections 16]
"""

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(app: str, port: int, env: dict, cwd: Path) -> subprocess.Popen:
    process = subprocess.Popen(
        [PYTHON, "-m", "uvicorn", app, "--factory", "--host", "127.0.0.1", "--port", str(port),
         "--no-access-log", "--log-level", "warning"],
        env=env, cwd=cwd,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{app} did not start")


def wrk(url: str, seconds: int, connections: int) -> dict:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-H", "Host: 127.0.0.1:8000", url],
        capture_output=True, text=True, timeout=seconds + 30, check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", out, re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p50": percentiles.get("50", "?"), "p99": percentiles.get("99", "?"),
            "errors": int(errors.group(1)) if errors else 0}


def size(url: str) -> int:
    request = urllib.request.Request(url, headers={"Host": "127.0.0.1:8000"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return len(response.read())


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--contributions", type=int, default=5000)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is not installed: apt-get install wrk", file=sys.stderr)
        return 1
    workdir = Path(tempfile.mkdtemp(prefix="revital-bench-"))
    env = {**os.environ, "REVITAL_ENV": "development", "REVITAL_INSTANCE_DIR": str(workdir),
           "REVITAL_DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}", "PYTHONPATH": str(ROOT)}
    env.pop("REVITAL_REDIS_URL", None)
    env["REVITAL_CONTRIBUTIONS_PER_HOUR"] = "100000"  # the submission benchmark posts from one address
    subprocess.run([PYTHON, "-m", "revital.cli", "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([PYTHON, "-m", "revital.cli", "demo"], env=env, check=True, capture_output=True)
    floor_port, app_port = free_port(), free_port()
    env["REVITAL_ALLOWED_HOSTS"] = f"127.0.0.1:8000,127.0.0.1:{app_port}"  # wrk sends the first, Chromium the second
    floor = start("bench.floor:create_app", floor_port, env, ROOT)
    app = start("revital.app:create_app", app_port, env, ROOT)
    floor_url, app_url = f"http://127.0.0.1:{floor_port}", f"http://127.0.0.1:{app_port}"
    rows = []
    try:
        endpoints = [
            ("floor: bare JSON (F_json)", floor_url + "/json", None),
            ("floor: Jinja page, 20 items (F_tpl)", floor_url + "/page", None),
            ("GET /health", app_url + "/health", "F_json"),
            ("GET / (territory home)", app_url + "/", "F_tpl"),
            ("GET /communes/{slug} (page + map)", app_url + "/communes/saint-etienne-du-valdonnez", "F_tpl"),
            ("GET /connexion", app_url + "/connexion", "F_tpl"),
            ("GET /static/vendor/htmx/htmx.min.js", app_url + "/static/vendor/htmx/htmx.min.js", "F_json"),
        ]
        for url in (e[1] for e in endpoints):  # warm up
            wrk(url, 1, 4)
        floors = {}
        for name, url, against in endpoints:
            result = wrk(url, args.seconds, args.connections)
            result["bytes"] = size(url)
            if against is None:
                floors["F_json" if "JSON" in name else "F_tpl"] = result["rps"]
                result["ratio"] = "1"
            else:
                result["ratio"] = f"{result['rps'] / floors[against]:.2f} × {against}"
            rows.append((name, result))
        slug = "saint-etienne-du-valdonnez"
        page_small = size(app_url + f"/communes/{slug}")
        subprocess.run([PYTHON, "-m", "revital.cli", "demo", "--contributions", str(args.contributions)],
                       env=env, check=True, capture_output=True)
        page_large = size(app_url + f"/communes/{slug}")
        feed_url = app_url + f"/api/communes/{slug}/contributions.geojson"
        size(feed_url)
        for name, url, against in [
            (f"GET contributions.geojson ({args.contributions:,} contributions)", feed_url, "F_json"),
            ("GET /communes/{slug} (map page)", app_url + f"/communes/{slug}", "F_tpl"),
            ("GET a contribution's page", app_url + f"/communes/{slug}/contributions/1", "F_tpl"),
            ("GET contributions list (page 1 of 250)", app_url + f"/communes/{slug}/contributions", "F_tpl"),
        ]:
            wrk(url, 1, 4)
            result = wrk(url, args.seconds, args.connections)
            result["bytes"] = size(url)
            result["ratio"] = f"{result['rps'] / floors[against]:.2f} × {against}"
            rows.append((name, result))
        sys.path.insert(0, str(ROOT))
        from bench import contributions as contribution_bench

        build = contribution_bench.feed_build_ratio(env["REVITAL_DATABASE_URL"], slug)
        usable = contribution_bench.map_usable_ms(app_url, slug)
        writes = contribution_bench.submissions(app_url, slug)
    finally:
        for process in (floor, app):
            process.terminate()
            process.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"\n{os.cpu_count()} cores, {args.connections} connections, {args.seconds} s per endpoint, one uvicorn worker each\n")
    print("| endpoint | req/s | p50 | p99 | bytes | ratio | errors |")
    print("|---|---|---|---|---|---|---|")
    for name, r in rows:
        print(f"| {name} | {r['rps']:.0f} | {r['p50']} | {r['p99']} | {r['bytes']:,} | {r['ratio']} | {r['errors']} |")
    print()
    print(f"- map page: {page_small:,} bytes with the demo's contributions, {page_large:,} bytes with {args.contributions:,} more")
    print(f"- feed: {build['features']:,} features, {build['bytes']:,} bytes, {build['bytes_per_feature']:.0f} bytes a contribution; "
          f"built in {build['build_ms']:.1f} ms against {build['dumps_ms']:.1f} ms for json.dumps of the same features "
          f"({build['ratio']:.2f} ×)")
    print(f"- map usable in headless Chromium (navigation to clustered markers, median of 3): "
          f"{'n/a' if usable is None else f'{usable:.0f} ms'}")
    print(f"- {writes['posts']} submissions from 16 concurrent writers in {writes['seconds']:.1f} s: "
          f"{writes['created']} created, errors {writes['errors'] or 'none'}, p50 {writes['p50_ms']:.0f} ms, p99 {writes['p99_ms']:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
