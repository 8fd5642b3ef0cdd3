"""Settings: defaults, environment overrides, test config, and the README documents each."""

from pathlib import Path

from app import config, create_app

README = Path(__file__).resolve().parent.parent / "README.md"


def test_defaults_when_environment_is_empty():
    values = config.from_environ({})
    assert values["PORT"] == 5000 and values["DATABASE_URL"] is None


def test_environment_overrides_and_casts():
    values = config.from_environ({"PORT": "8080", "SESSION_COOKIE_SECURE": "yes"})
    assert values["PORT"] == 8080 and values["SESSION_COOKIE_SECURE"] is True


def test_database_url_selects_the_database(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite'}")
    app = create_app({"SECRET_KEY": "k"})
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("x.sqlite")


def test_postgres_urls_use_psycopg3():
    app = create_app({"SECRET_KEY": "k", "SQLALCHEMY_DATABASE_URI": "postgresql://u@h/db"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"


def test_readme_documents_every_setting():
    text = README.read_text()
    missing = [s.name for s in config.SETTINGS if f"`{s.name}`" not in text]
    assert missing == []
