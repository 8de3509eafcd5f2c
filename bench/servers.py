"""Servers and databases for the benchmarks: loopback only, everything started is stopped.

- `Server`: one uvicorn process (with 1 or more workers) on 127.0.0.1, its output kept in a log
  file that is scanned afterwards for tracebacks and 5xx.
- `sqlite_database` / `postgres_database`: a fresh database, migrated and with the demo loaded
  through the `revital` CLI; a PostgreSQL database gets a unique name and is dropped at the end.
- `app_env`: the environment Revital runs under here — production settings (templates not
  reloaded, secure cookies), with its own secret, no Redis, a contribution limit out of reach and
  map tiles pointed at the server itself so that a browser never leaves 127.0.0.1.
"""

import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=test"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def base_env(workdir: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "REVITAL_INSTANCE_DIR": str(workdir),
           "REVITAL_ENV": "production", "REVITAL_SECRET_KEY": secrets.token_urlsafe(48),
           # The submission benchmark posts from one address: no limit within reach.
           "REVITAL_CONTRIBUTIONS_PER_HOUR": "1000000000"}
    for name in ("REVITAL_REDIS_URL", "REVITAL_DEBUG", "REVITAL_BASE_URL", "REVITAL_ALLOWED_HOSTS"):
        env.pop(name, None)
    return env


def app_env(env: dict, database_url: str, port: int) -> dict:
    here = f"127.0.0.1:{port}"
    no_tiles = f"http://{here}/static/bench-no-tiles/{{z}}/{{x}}/{{y}}.png"  # a quick 404, on loopback
    return {**env, "REVITAL_DATABASE_URL": database_url, "REVITAL_BASE_URL": f"http://{here}",
            "REVITAL_ALLOWED_HOSTS": here, "REVITAL_TILES_OSM": no_tiles,
            "REVITAL_TILES_IGN_PLAN": no_tiles, "REVITAL_TILES_IGN_PHOTO": no_tiles}


def cli(env: dict, database_url: str, *args: str) -> str:
    """Run the `revital` command on a database; its output, or a loud failure."""
    done = subprocess.run([PYTHON, "-m", "revital.cli", *args], env={**env, "REVITAL_DATABASE_URL": database_url},
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"revital {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


class Server:
    """uvicorn serving `app` (a factory) on a free loopback port."""

    def __init__(self, app: str, env: dict, workdir: Path, name: str, workers: int = 1, database_url: str = ""):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = app_env(env, database_url, self.port) if database_url else env
        self.app, self.workers, self.name = app, workers, name
        self.log_path = workdir / f"{name}.log"
        self.process = None

    def __enter__(self) -> "Server":
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [PYTHON, "-m", "uvicorn", self.app, "--factory", "--host", "127.0.0.1", "--port", str(self.port),
             "--workers", str(self.workers), "--no-access-log", "--log-level", "warning"],
            env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        self._wait_ready()
        return self

    def _wait_ready(self, path: str = "/") -> None:
        deadline = time.monotonic() + 60
        answered = 0
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited:\n{self.log_path.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(self.url + path, timeout=5) as response:
                    response.read()
                answered += 1
            except urllib.error.HTTPError:
                answered += 1
            except OSError:
                time.sleep(0.2)
                continue
            if answered >= 2 * self.workers:  # each worker has had a chance to answer once
                return
        self.stop()
        raise RuntimeError(f"{self.name} did not start:\n{self.log_path.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def __exit__(self, *exc) -> None:
        self.stop()

    def problems(self) -> dict:
        """What the server wrote: tracebacks, error lines (5xx are logged once by the app)."""
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        errors = [line for line in text.splitlines() if re.search(r"\b(ERROR|CRITICAL)\b", line)]
        return {"tracebacks": text.count("Traceback (most recent call last)"), "error_lines": len(errors),
                "first": errors[0][:300] if errors else ""}


@contextmanager
def sqlite_database(env: dict, workdir: Path, name: str):
    path = workdir / f"{name}.sqlite3"
    url = f"sqlite:///{path}"
    cli(env, url, "db", "upgrade")
    cli(env, url, "demo")
    try:
        yield url
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


@contextmanager
def postgres_database(env: dict, tag: str):
    """A database of our own on the local PostgreSQL, with a unique name, dropped afterwards."""
    import psycopg

    name = f"revital_bench_{tag}_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    try:
        cli(env, url, "db", "upgrade")
        cli(env, url, "demo")
        yield url
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def postgres_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN, connect_timeout=3):
            return True
    except Exception:
        return False
