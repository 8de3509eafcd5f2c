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
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is not installed: apt-get install wrk", file=sys.stderr)
        return 1
    workdir = Path(tempfile.mkdtemp(prefix="revital-bench-"))
    env = {**os.environ, "REVITAL_ENV": "development", "REVITAL_INSTANCE_DIR": str(workdir),
           "REVITAL_DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}", "PYTHONPATH": str(ROOT)}
    env.pop("REVITAL_REDIS_URL", None)
    subprocess.run([PYTHON, "-m", "revital.cli", "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([PYTHON, "-m", "revital.cli", "demo"], env=env, check=True, capture_output=True)
    floor_port, app_port = free_port(), free_port()
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
