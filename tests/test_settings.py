"""Settings: read from REVITAL_* variables, safe defaults, every one documented."""

import re
from pathlib import Path

import pytest

from revital.app import allowed_hosts
from revital.settings import PROJECT_DIR, Settings

README = (Path(PROJECT_DIR) / "README.md").read_text()
SOURCE = (Path(PROJECT_DIR) / "revital" / "settings.py").read_text()
VARIABLES = sorted(set(re.findall(r'"(REVITAL_[A-Z_]+)"', SOURCE)))


def test_settings_read_variables():
    assert len(VARIABLES) >= 12


@pytest.mark.parametrize("name", VARIABLES)
def test_every_setting_is_documented(name):
    assert f"`{name}`" in README


def test_from_env(monkeypatch, tmp_path):
    monkeypatch.setenv("REVITAL_DATABASE_URL", "postgresql+psycopg://u@h/db")
    monkeypatch.setenv("REVITAL_SECRET_KEY", "s3cret")
    monkeypatch.setenv("REVITAL_DEBUG", "true")
    monkeypatch.setenv("REVITAL_ALLOWED_HOSTS", "revital.example.fr, www.revital.example.fr")
    monkeypatch.setenv("REVITAL_SESSION_IDLE_MINUTES", "30")
    monkeypatch.setenv("REVITAL_TILES_OSM", "https://tuiles.example.fr/{z}/{x}/{y}.png")
    monkeypatch.setenv("REVITAL_INSTANCE_DIR", str(tmp_path))
    settings = Settings.from_env()
    assert settings.database_url == "postgresql+psycopg://u@h/db"
    assert settings.secret_key == "s3cret" and settings.debug is True
    assert settings.allowed_hosts == ["revital.example.fr", "www.revital.example.fr"]
    assert settings.session_idle_minutes == 30
    assert "https://tuiles.example.fr" in settings.tile_hosts


def test_safe_defaults(monkeypatch, tmp_path):
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("REVITAL_INSTANCE_DIR", str(tmp_path))
    monkeypatch.setenv("REVITAL_ENV", "development")
    settings = Settings.from_env()
    assert settings.debug is False
    assert settings.database_url == f"sqlite:///{tmp_path / 'revital.sqlite3'}"
    assert settings.secure_cookies is False  # development only
    assert settings.tile_hosts == ["https://tile.openstreetmap.org", "https://data.geopf.fr"]


def test_development_secret_is_generated_once_and_kept(monkeypatch, tmp_path):
    monkeypatch.delenv("REVITAL_SECRET_KEY", raising=False)
    monkeypatch.setenv("REVITAL_ENV", "development")
    monkeypatch.setenv("REVITAL_INSTANCE_DIR", str(tmp_path))
    first = Settings.from_env().secret_key
    assert len(first) >= 48
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert Settings.from_env().secret_key == first


def test_production_requires_a_secret(monkeypatch, tmp_path):
    monkeypatch.delenv("REVITAL_SECRET_KEY", raising=False)
    monkeypatch.delenv("REVITAL_ENV", raising=False)
    monkeypatch.setenv("REVITAL_INSTANCE_DIR", str(tmp_path))
    with pytest.raises(RuntimeError, match="REVITAL_SECRET_KEY is required in production"):
        Settings.from_env()
    assert Settings(environment="production").secure_cookies is True


def test_no_secret_constant_in_the_code():
    for path in Path(PROJECT_DIR, "revital").rglob("*.py"):
        assert not re.search(r"secret_key\s*=\s*['\"]", path.read_text()), path


def test_allowed_hosts_default_to_the_base_url():
    assert allowed_hosts(Settings(base_url="https://revital.example.fr")) == ["revital.example.fr"]
    assert allowed_hosts(Settings(allowed_hosts=["a.fr"], base_url="https://b.fr")) == ["a.fr"]
    dev = allowed_hosts(Settings(environment="development"))
    assert "127.0.0.1:8000" in dev and "localhost:8000" in dev
