import pytest

import config
from coordination import create_app


def test_production_requires_a_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(config.ConfigError, match="SECRET_KEY is not set"):
        create_app("production")


def test_production_cookies_are_secure(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/p.db")
    app = create_app("production")
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_HTTPONLY"]
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert not app.config["CREATE_DEMO_ACCOUNTS"]


@pytest.mark.parametrize("url, message", [
    ("postgres ql://nope", "not a valid database URL"),
    ("mysql://u@h/db", "only sqlite and postgresql"),
])
def test_malformed_database_url_fails_clearly(monkeypatch, url, message):
    monkeypatch.setenv("DATABASE_URL", url)
    with pytest.raises(config.ConfigError, match=message):
        create_app("development")


def test_plain_postgresql_url_uses_psycopg(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@localhost/db")
    assert config.database_url("sqlite://").startswith("postgresql+psycopg://u:p@localhost/db")


def test_unknown_config_name():
    with pytest.raises(config.ConfigError, match="APP_CONFIG"):
        create_app("staging")
