"""Settings read from REVITAL_* environment variables, with safe defaults.

Every setting is documented in README.md (a test checks it).
"""

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def envfloat(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


def envstr(name: str, default: str) -> str:
    value = os.environ.get(name)
    return value if value else default


OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
IGN_PLAN_TILES = (
    "https://data.geopf.fr/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER=GEOGRAPHICALGRIDSYSTEMS.PLANIGNV2&STYLE=normal&FORMAT=image/png"
    "&TILEMATRIXSET=PM&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}"
)
IGN_PHOTO_TILES = (
    "https://data.geopf.fr/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER=ORTHOIMAGERY.ORTHOPHOTOS&STYLE=normal&FORMAT=image/jpeg"
    "&TILEMATRIXSET=PM&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}"
)

GEO_API_URL = "https://geo.api.gouv.fr"


@dataclass
class Settings:
    database_url: str = ""
    secret_key: str = ""
    debug: bool = False
    # "development" relaxes cookie security for http://127.0.0.1; anything else is production.
    environment: str = "production"
    base_url: str = "http://127.0.0.1:8000"
    instance_dir: Path = field(default_factory=lambda: PROJECT_DIR / "instance")
    redis_url: str = ""
    allowed_hosts: list[str] = field(default_factory=list)
    session_idle_minutes: int = 120
    session_absolute_hours: int = 24 * 7
    signin_attempts: int = 5
    signin_window_minutes: int = 15
    contributions_per_hour: int = 10
    tiles_osm: str = OSM_TILES
    tiles_ign_plan: str = IGN_PLAN_TILES
    tiles_ign_photo: str = IGN_PHOTO_TILES
    # The official communes API, for `revital commune import --api`.
    geo_api_url: str = GEO_API_URL
    geo_api_timeout: int = 10
    # Worker threads per process that run request handlers, and how long a request may wait for
    # a database connection or lock before it is answered 503.
    threads: int = 8
    db_wait_seconds: float = 5.0
    # E-mail (revital.mail): the SMTP server, the sender's address, and how often (seconds) each
    # worker's background sender looks for due messages (0: no background sender).
    smtp_url: str = ""
    mail_from: str = ""
    mail_interval: float = 5.0

    @classmethod
    def from_env(cls) -> "Settings":
        instance_dir = Path(envstr("REVITAL_INSTANCE_DIR", str(PROJECT_DIR / "instance")))
        hosts = envstr("REVITAL_ALLOWED_HOSTS", "")
        settings = cls(
            database_url=envstr("REVITAL_DATABASE_URL", ""),
            secret_key=envstr("REVITAL_SECRET_KEY", ""),
            debug=envbool("REVITAL_DEBUG", False),
            environment=envstr("REVITAL_ENV", "production"),
            base_url=envstr("REVITAL_BASE_URL", "http://127.0.0.1:8000"),
            instance_dir=instance_dir,
            redis_url=envstr("REVITAL_REDIS_URL", ""),
            allowed_hosts=[h.strip() for h in hosts.split(",") if h.strip()],
            session_idle_minutes=envint("REVITAL_SESSION_IDLE_MINUTES", 120),
            session_absolute_hours=envint("REVITAL_SESSION_ABSOLUTE_HOURS", 24 * 7),
            signin_attempts=envint("REVITAL_SIGNIN_ATTEMPTS", 5),
            signin_window_minutes=envint("REVITAL_SIGNIN_WINDOW_MINUTES", 15),
            contributions_per_hour=envint("REVITAL_CONTRIBUTIONS_PER_HOUR", 10),
            tiles_osm=envstr("REVITAL_TILES_OSM", OSM_TILES),
            tiles_ign_plan=envstr("REVITAL_TILES_IGN_PLAN", IGN_PLAN_TILES),
            tiles_ign_photo=envstr("REVITAL_TILES_IGN_PHOTO", IGN_PHOTO_TILES),
            geo_api_url=envstr("REVITAL_GEO_API_URL", GEO_API_URL),
            geo_api_timeout=envint("REVITAL_GEO_API_TIMEOUT", 10),
            threads=envint("REVITAL_THREADS", 8),
            db_wait_seconds=envfloat("REVITAL_DB_WAIT_SECONDS", 5.0),
            smtp_url=envstr("REVITAL_SMTP_URL", ""),
            mail_from=envstr("REVITAL_MAIL_FROM", ""),
            mail_interval=envfloat("REVITAL_MAIL_INTERVAL", 5.0),
        )
        return settings.resolved()

    @property
    def development(self) -> bool:
        return self.environment == "development"

    @property
    def secure_cookies(self) -> bool:
        return not self.development

    @property
    def tile_hosts(self) -> list[str]:
        """The origins map tiles come from, for the Content-Security-Policy."""
        hosts = []
        for url in (self.tiles_osm, self.tiles_ign_plan, self.tiles_ign_photo):
            parts = urlsplit(url)
            origin = f"{parts.scheme}://{parts.netloc}".replace("{s}", "*")
            if parts.netloc and origin not in hosts:
                hosts.append(origin)
        return hosts

    def resolved(self) -> "Settings":
        """Fill in the defaults that depend on the instance folder."""
        if not self.database_url:
            self.instance_dir.mkdir(parents=True, exist_ok=True)
            self.database_url = f"sqlite:///{self.instance_dir / 'revital.sqlite3'}"
        if not self.secret_key:
            self.secret_key = load_or_create_secret(self.instance_dir, self.development)
        if not self.mail_from:
            self.mail_from = f"Revital <ne-pas-repondre@{urlsplit(self.base_url).hostname or 'localhost'}>"
        return self


def load_or_create_secret(instance_dir: Path, development: bool) -> str:
    """The secret key: required from the environment in production, generated once for development."""
    path = instance_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    if not development:
        raise RuntimeError(
            "REVITAL_SECRET_KEY is required in production "
            "(or set REVITAL_ENV=development to generate one in the instance folder)."
        )
    instance_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key
